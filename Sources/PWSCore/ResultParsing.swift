/// A `result` field read against its service's ``ResultKind`` (spec §2.4, §2.6).
public enum ParsedResult: Sendable, Hashable {
    /// A plausible value: the number (or SYS) and, for blood pressure, DIA (NaN otherwise) —
    /// ready for `ServiceEvent.result` / `result2`. NaN never equals itself, so match this case
    /// rather than comparing whole values with `==`.
    case value(Float, Float)
    /// Present but unusable (`W-RESULT`): `reason` says what is wrong and how to write it;
    /// `value` and `value2` are what it parsed to when it is a number outside the plausible
    /// range (NaN when it does not parse) — W-DUPLICATE compares a result "as parsed; raw text
    /// if unparseable" (§3), so `0` and `0.0` are one result.
    case invalid(reason: String, value: Float = .nan, value2: Float = .nan)
    /// Nothing to keep: the service has no result kind (a value is ignored silently), or the
    /// field is empty.
    case ignored
}

extension ResultKind {
    /// The unit of a number or blood-pressure result, as the catalogue writes it.
    public var unit: String? {
        switch self {
        case let .number(unit, _): unit
        case .bloodPressure: "mmHg"
        case .none, .score: nil
        }
    }

    /// Reads a cleaned `result` field.
    ///
    /// Surrounding whitespace is trimmed, then one trailing unit of this kind (case-insensitive,
    /// optionally after a space) is dropped: `12,5 kg`, `12.5KG`, `120/80 mmHg`. `kg/m²` is read
    /// as `kg/m2`. Numbers take `.` or `,` as decimal mark; scores and blood pressure are
    /// integers; blood pressure is `SYS/DIA` (spaces allowed around `/`) with SYS > DIA.
    /// Ranges are inclusive.
    ///
    /// - Complexity: O(n) in the field length; allocates only the reason of an invalid result.
    public func parse(_ bytes: UnsafeRawBufferPointer) -> ParsedResult {
        if case .none = self { return .ignored }
        let whole = trimmedRange(bytes)
        if whole.isEmpty { return .ignored }
        var range = whole
        if let unit = self.unit { range = Self.droppingUnit(unit, bytes, range) }
        let body = UnsafeRawBufferPointer(rebasing: bytes[range])

        switch self {
        case .none:
            return .ignored
        case let .number(unit, plausible):
            guard let value = NumberField.double(body) else {
                return .invalid(reason: "\"\(makeString(bytes, whole))\" is not a number in \(unit): "
                    + "write digits with . or , as decimal mark, e.g. 12,5 or 12,5 \(unit)")
            }
            guard plausible.contains(value) else {
                return .invalid(reason: "\(formatBound(value)) \(unit) is outside the plausible "
                    + "\(formatBound(plausible.lowerBound))–\(formatBound(plausible.upperBound)) \(unit): "
                    + "check the value and its unit", value: Float(value))
            }
            return .value(Float(value), .nan)
        case let .score(plausible):
            guard let value = NumberField.integer(body) else {
                return .invalid(reason: "\"\(makeString(bytes, whole))\" is not a whole-number score: "
                    + "write the score as an integer, e.g. 7")
            }
            guard plausible.contains(value) else {
                return .invalid(reason: "score \(value) is outside \(plausible.lowerBound)–"
                    + "\(plausible.upperBound): check the value", value: Float(value))
            }
            return .value(Float(value), .nan)
        case let .bloodPressure(sysRange, diaRange):
            guard let (sys, dia) = Self.bloodPressure(body) else {
                return .invalid(reason: "\"\(makeString(bytes, whole))\" is not a blood pressure: "
                    + "write SYS/DIA in mmHg as two whole numbers, e.g. 120/80")
            }
            guard sys > dia else {
                return .invalid(reason: "SYS \(sys) is not above DIA \(dia): write SYS/DIA with the "
                    + "higher (systolic) value first, e.g. 120/80", value: Float(sys), value2: Float(dia))
            }
            guard sysRange.contains(sys) else {
                return .invalid(reason: "SYS \(sys) mmHg is outside the plausible \(sysRange.lowerBound)–"
                    + "\(sysRange.upperBound): check the value", value: Float(sys), value2: Float(dia))
            }
            guard diaRange.contains(dia) else {
                return .invalid(reason: "DIA \(dia) mmHg is outside the plausible \(diaRange.lowerBound)–"
                    + "\(diaRange.upperBound): check the value", value: Float(sys), value2: Float(dia))
            }
            return .value(Float(sys), Float(dia))
        }
    }

    /// Reads a `result` given as text; see ``parse(_:)-(UnsafeRawBufferPointer)``.
    public func parse(_ text: String) -> ParsedResult { withBytes(of: text) { parse($0) } }

    /// `range` without one trailing `unit` (and the spaces before it), when it ends with one.
    static func droppingUnit(_ unit: String, _ bytes: UnsafeRawBufferPointer,
                             _ range: Range<Int>) -> Range<Int> {
        // No array or lower-cased copy per call: this runs for every row with a result.
        if let r = droppingSuffix(unit, bytes, range) { return r }
        if unit.utf8.count == 5, unit.utf8.elementsEqual("kg/m2".utf8, by: { asciiLower($0) == $1 }),
           let r = droppingSuffix("kg/m²", bytes, range) {
            return r
        }
        return range
    }

    private static func droppingSuffix(_ spelling: String, _ bytes: UnsafeRawBufferPointer,
                                       _ range: Range<Int>) -> Range<Int>? {
        var spelling = spelling
        let matched = spelling.withUTF8 { suffix in
            hasSuffixCaseInsensitive(bytes, range, UnsafeRawBufferPointer(suffix)) ? suffix.count : 0
        }
        guard matched > 0 else { return nil }
        var hi = range.upperBound - matched
        while hi > range.lowerBound, isASCIISpace(bytes[hi - 1]) { hi -= 1 }
        return range.lowerBound..<hi
    }

    /// `SYS/DIA`: two unsigned integers around one `/`, spaces allowed around it.
    static func bloodPressure(_ bytes: UnsafeRawBufferPointer) -> (Int, Int)? {
        guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        let left = UnsafeRawBufferPointer(rebasing: bytes[..<slash])
        let right = UnsafeRawBufferPointer(rebasing: bytes[(slash + 1)...])
        let l = trimmedRange(left), r = trimmedRange(right)
        let sysBytes = UnsafeRawBufferPointer(rebasing: left[l])
        let diaBytes = UnsafeRawBufferPointer(rebasing: right[r])
        guard sysBytes.allSatisfy(isDigit), diaBytes.allSatisfy(isDigit),
              let sys = NumberField.integer(sysBytes), let dia = NumberField.integer(diaBytes)
        else { return nil }
        return (sys, dia)
    }
}
