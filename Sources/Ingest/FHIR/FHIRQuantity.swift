import PWSCore

/// An Observation's `valueQuantity` as a `result` in the unit its service's result rule reads
/// (the service catalogue's `unit`: kg, cm, g/dL …). FHIR says which unit a value is in
/// (`code`, UCUM; else `unit`, as displayed); a result rule reads a number in its own unit. So a
/// value in that unit is passed as written; one in a unit a power of ten away (`7100` `g` for
/// kg, `0.68` `m` for cm, `115` `g/L` for g/dL) is moved by that power, exactly, on its decimal
/// text; one in any other unit (`[lb_av]`, `mmol/L`) keeps its unit in the text (`7.1 [lb_av]`),
/// which the result rule refuses naming it (`W-RESULT`) — never read as the wrong unit.
public enum FHIRQuantity {
    /// The result text for `value` (the JSON number as written) in `unit`, for a service whose
    /// result is in `expected`; `value` as written when either unit is unknown or empty.
    public static func result(value: String, unit: String?, expected: String?) -> String {
        guard let expected, let given = unit.map(spelling), !given.isEmpty else { return value }
        let target = spelling(expected)
        if given == target { return value }
        guard let power = powers[given + ">" + target] else { return value + " " + (unit ?? "") }
        guard let d = ExactDecimal(value), let moved = shifted(d, by: power) else { return value + " " + (unit ?? "") }
        return moved.description
    }

    /// A unit compared ignoring case, with UCUM's and people's spellings of one unit made one;
    /// a UCUM annotation (`{tablet}`, a count of tablets) is its text.
    static func spelling(_ unit: String) -> String {
        var u = unit.lowercased()
        if u.count > 2, u.hasPrefix("{"), u.hasSuffix("}") { u = String(u.dropFirst().dropLast()) }
        return aliases[u] ?? u
    }

    private static let aliases: [String: String] = [
        "kilogram": "kg", "kilograms": "kg", "gram": "g", "grams": "g",
        "centimeter": "cm", "centimeters": "cm", "centimetre": "cm", "centimetres": "cm",
        "meter": "m", "meters": "m", "metre": "m", "metres": "m",
        "millimeter": "mm", "millimeters": "mm", "millimetre": "mm", "millimetres": "mm",
        "kg/m²": "kg/m2", "kg/m^2": "kg/m2", "gr/dl": "g/dl",
    ]

    /// `from>to` → the power of ten a value in `from` is multiplied by to be in `to`.
    private static let powers: [String: Int] = [
        "g>kg": -3, "m>cm": 2, "mm>cm": -1,
        "g/l>g/dl": -1, "mg/dl>g/dl": -3, "g/dl>mg/dl": 3, "mg/l>mg/dl": -1, "g/l>mg/dl": 2,
    ]

    /// `d` × 10^`power`, or nil when it cannot be held.
    static func shifted(_ d: ExactDecimal, by power: Int) -> ExactDecimal? {
        if power <= 0 { return ExactDecimal(units: d.units, scale: d.scale - power) }
        let (units, overflow) = d.units.multipliedReportingOverflow(by: ExactDecimal.power(power))
        return overflow ? nil : ExactDecimal(units: units, scale: d.scale)
    }
}
