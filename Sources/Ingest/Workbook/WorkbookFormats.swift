import CSV
import PWSCore

/// How workbook cells become text (spec §A2): which number formats are dates, date serials,
/// and number text.
public enum WorkbookFormats {
    /// Whether number format `id` (with its code when custom) shows a date: the built-in date
    /// formats (14–17, 22, 27–36, 50–58), or a code with a day or year part outside quotes,
    /// brackets and escapes (`dd/mm/yyyy`, `d-mmm-yy`, `[$-421]dd mmmm yyyy`). Time-only
    /// formats (`h:mm`) are not dates; only the first section (positive numbers) decides.
    public static func isDate(id: Int, code: String?) -> Bool {
        if (14...17).contains(id) || id == 22 || (27...36).contains(id) || (50...58).contains(id) { return true }
        guard let code else { return false }
        var inQuote = false, inBracket = false, escaped = false
        for ch in code {
            if escaped { escaped = false; continue }
            if inQuote { if ch == "\"" { inQuote = false }; continue }
            if inBracket { if ch == "]" { inBracket = false }; continue }
            switch ch {
            case "\\", "_", "*": escaped = true
            case "\"": inQuote = true
            case "[": inBracket = true
            case ";": return false
            case "d", "D", "y", "Y": return true
            default: break
            }
        }
        return false
    }

    /// A date serial as `YYYY-MM-DD` (the time of day dropped). 1900 system: 1 = 1900-01-01,
    /// and Excel counts a 29 February 1900 (serial 60) that never was, so serials from 61 are
    /// one day ahead: 61 = 1900-03-01. Serial 60 gives `1900-02-29` and 0 gives `1900-01-00`,
    /// which no date rule accepts. 1904 system: 0 = 1904-01-01. nil when not a number in range
    /// (then the cell is read as a number).
    public static func dateText(_ value: String, date1904: Bool) -> String? {
        guard let serial = decimal(value), serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        let whole = Int(serial.rounded(.down))
        if date1904 {
            return Day(year: 1904, month: 1, day: 1).map { $0.adding(days: whole).description }
        }
        if whole == 0 { return "1900-01-00" }
        if whole == 60 { return "1900-02-29" }
        let base = Day(year: 1899, month: 12, day: whole < 60 ? 31 : 30)
        return base.map { $0.adding(days: whole).description }
    }

    /// A number cell's text (spec §A2, numbers at full precision): the shortest decimal that
    /// reads back as the cell's number, without an exponent. Excel stores a double with 17
    /// significant digits — 68.4 typed is `68.400000000000006`, 1.5E-7 is
    /// `1.4999999999999999E-7` — which is the number 68.4 (a sasaran of up to 4 decimals, §A1),
    /// not a text of 15 decimals; a whole number with an exponent is written in digits
    /// (`3.2710123456789E+15`, a NIK Excel has rounded, is `3271012345678900`). Digits alone are
    /// kept as written, whatever their length (an id of 17 digits another writer stored as a
    /// number keeps them all: a double would round it), and so is text that is not a plain
    /// decimal number and a whole number past `Int64`.
    public static func numberText(_ value: String) -> String {
        var digits = Substring(value)
        if digits.first == "-" { digits = digits.dropFirst() }
        if !digits.isEmpty && digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return value }
        guard let d = decimal(value), d.isFinite else { return value }
        if d == d.rounded() { return abs(d) < 9.2e18 ? String(Int64(d)) : value }
        return plain(d.description)
    }

    /// The number a cell's `<v>` writes in decimal (digits, point, sign, exponent), or nil:
    /// `Double(_:)` alone also reads `0x10` (16), `inf` and `nan`.
    static func decimal(_ value: String) -> Double? {
        guard !value.isEmpty,
              value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D || $0 == 0x45 || $0 == 0x65 })
        else { return nil }
        return Double(value)
    }

    /// `numberText`'s text of a count (`NumberCells.counts`): its point as `decimalSeparator`,
    /// or, without one, 3 decimals written as 4 (`1.234` → `1.2340`). Other text as it is.
    public static func countText(_ text: String, decimalSeparator: UInt8?) -> String {
        guard let point = text.utf8.firstIndex(of: 0x2E),
              text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }) else { return text }
        if let separator = decimalSeparator {
            return separator == 0x2E ? text : text.replacingOccurrences(of: ".", with: String(UnicodeScalar(separator)))
        }
        return text.utf8.distance(from: point, to: text.utf8.endIndex) == 4 ? text + "0" : text
    }

    /// Swift's shortest round-trip text of a double (`68.4`, `1.5e-07`) without the exponent
    /// (`0.00000015`).
    static func plain(_ shortest: String) -> String {
        guard let e = shortest.firstIndex(where: { $0 == "e" || $0 == "E" }),
              let exponent = Int(shortest[shortest.index(after: e)...]) else { return shortest }
        var mantissa = Substring(shortest[..<e])
        let sign = mantissa.hasPrefix("-") ? "-" : ""
        if !sign.isEmpty { mantissa = mantissa.dropFirst() }
        let whole = mantissa.prefix { $0 != "." }
        var digits = String(whole) + mantissa.dropFirst(whole.count + 1)
        var point = whole.count + exponent
        if point <= 0 {
            digits = String(repeating: "0", count: 1 - point) + digits
            point = 1
        }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        return sign + digits.prefix(point) + "." + digits.dropFirst(point)
    }

    /// How many digits a number's integer part has (15 or more: a NIK that Excel has rounded).
    public static func numberDigits(_ text: String) -> Int {
        text.utf8.prefix { $0 != 0x2E }.filter { $0 >= 0x30 && $0 <= 0x39 }.count
    }
}
