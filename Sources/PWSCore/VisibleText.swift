/// Text from an input shown in a message, a log line or an output cell, with what could
/// forge or disguise a line made visible.
public enum VisibleText {
    /// `text` with every control character — C0 (a line feed, a carriage return, an escape),
    /// DEL and C1 — and every bidirectional override or isolate (U+202A…U+202E, U+2066…U+2069,
    /// which reorder what a reader sees) written as `\xNN` per UTF-8 byte, as a file name with
    /// bytes that are not UTF-8 is shown: a sheet named `Kunjungan\n… error pws: …` would
    /// otherwise start a forged line of the log.
    /// - Complexity: O(n); returns `text` itself when it holds none.
    /// Text of the input quoted in a message: at most `limit` characters, a NIK in it masked,
    /// control characters shown `\xNN`.
    public static func quoting(_ text: some StringProtocol, limit: Int) -> String {
        escapingControls(PersonID.maskEmbeddedIdentifiers(String(text.prefix(limit))))
    }

    public static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isHidden) else { return text }
        var out = ""
        for u in text.unicodeScalars {
            if isHidden(u) {
                for b in String(u).utf8 {
                    out += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
                }
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    static func isHidden(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return isControl(u) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }

    /// C0 controls, DEL and C1 controls.
    public static func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || (0x7F...0x9F).contains(u.value) }
}
