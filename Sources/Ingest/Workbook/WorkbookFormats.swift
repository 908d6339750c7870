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
        guard let serial = Double(value), serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        let whole = Int(serial.rounded(.down))
        if date1904 {
            return Day(year: 1904, month: 1, day: 1).map { $0.adding(days: whole).description }
        }
        if whole == 0 { return "1900-01-00" }
        if whole == 60 { return "1900-02-29" }
        let base = Day(year: 1899, month: 12, day: whole < 60 ? 31 : 30)
        return base.map { $0.adding(days: whole).description }
    }

    /// A number cell's text as written in the file (full precision), except that the exponent
    /// form of a whole number (`3.2710123456789E+15`) is written out in digits.
    public static func numberText(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x45 || $0 == 0x65 }), let d = Double(value), d.isFinite,
              d == d.rounded(), abs(d) < 9.2e18 else { return value }
        return String(Int64(d))
    }

    /// How many digits a number's integer part has (15 or more: a NIK that Excel has rounded).
    public static func numberDigits(_ text: String) -> Int {
        text.utf8.prefix { $0 != 0x2E }.filter { $0 >= 0x30 && $0 <= 0x39 }.count
    }
}
