/// How CSV outputs are written: plain (`,`, `.` decimals, no BOM) or for Indonesian-locale Excel
/// (`;`, decimal comma, UTF-8 BOM, CRLF).
public struct OutputFormat: Sendable, Equatable {
    public var delimiter: UInt8
    public var decimalComma: Bool
    public var bom: Bool
    public var crlf: Bool

    public static let standard = OutputFormat(delimiter: 0x2C, decimalComma: false, bom: false, crlf: false)
    public static let excel = OutputFormat(delimiter: 0x3B, decimalComma: true, bom: true, crlf: true)

    /// A decimal written with `.` in the standard format, with `,` for Excel.
    public func decimal(_ text: String) -> String {
        decimalComma ? text.replacingOccurrences(of: ".", with: ",") : text
    }
}

/// Cell text made safe for spreadsheets (spec §7): text beginning with `=`, `+`, `-` or `@` gets
/// a leading `'` so Excel does not run it as a formula — numbers excepted. Control characters
/// from an input (a facility id or record id holding a NUL, an escape sequence, a bell) and the
/// noncharacters U+FFFE/U+FFFF are shown as U+FFFD, as the report and the workbook show them: raw, they made `grep` take the CSV for a
/// binary file and acted on a terminal that printed it. Tab and line ends stay (a quoted field
/// may hold them).
public enum CellText {
    public static func safe(_ text: String) -> String {
        let text = replacingControls(text)
        guard let first = text.utf8.first, first == UInt8(ascii: "=") || first == UInt8(ascii: "+") ||
            first == UInt8(ascii: "-") || first == UInt8(ascii: "@") else { return text }
        if isNumber(text) { return text }
        return "'" + text
    }

    /// `text` with C0 controls but tab, line feed and carriage return, DEL, the C1 controls
    /// (U+0080–U+009F) and the noncharacters U+FFFE and U+FFFF (not characters of XML either:
    /// a file name holding one made pws.xlsx unreadable) replaced by U+FFFD; `text` itself
    /// when it holds none.
    /// - Complexity: O(n).
    static func replacingControls(_ text: String) -> String {
        // Bytes first: a C1 control is C2 80–9F in UTF-8, U+FFFE/U+FFFF are EF BF BE/BF; a
        // no-break space (C2 A0), `°`, `²` or U+FFFD (EF BF BD) is not, and leaves the text as it
        // is without a rebuild.
        var previous: UInt8 = 0, beforePrevious: UInt8 = 0
        guard text.utf8.contains(where: { b in
            defer { (beforePrevious, previous) = (previous, b) }
            return b < 0x20 || b == 0x7F || (previous == 0xC2 && b >= 0x80 && b <= 0x9F)
                || (beforePrevious == 0xEF && previous == 0xBF && b >= 0xBE)
        }) else { return text }
        var out = String.UnicodeScalarView()
        var changed = false
        for u in text.unicodeScalars {
            switch u.value {
            case 0x09, 0x0A, 0x0D: out.append(u)
            case 0x00...0x1F, 0x7F...0x9F, 0xFFFE, 0xFFFF:
                out.append("\u{FFFD}")
                changed = true
            default: out.append(u)
            }
        }
        return changed ? String(out) : text
    }

    /// `-12`, `+3.5`, `-0,25` are numbers; `-` alone or `=1+2` is not.
    static func isNumber(_ text: String) -> Bool {
        var digits = 0, marks = 0
        for (i, b) in text.utf8.enumerated() {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"): if i != 0 { return false }
            case UInt8(ascii: "."), UInt8(ascii: ","): marks += 1
            default: return false
            }
        }
        return digits > 0 && marks <= 1
    }
}
