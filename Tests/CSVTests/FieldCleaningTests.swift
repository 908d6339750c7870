import CSV
import Testing

/// Spec §2.1: "surrounding whitespace is trimmed, one leading `'` is removed, and a value that is
/// only `-` or `.` counts as empty".
@Suite struct FieldCleaningTests {
    /// Reads a quoted field holding `value` (beside a non-empty one, so the row is not blank)
    /// and returns (raw, cleaned).
    private func field(_ value: String) throws -> (String, String) {
        let quoted = "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\",k\n"
        var out: (String, String)?
        try CSVReader(bytes: Array(("x,y\n" + quoted).utf8), source: "t.csv").read { event in
            if case .record(let record) = event, record.line == 2 {
                out = (record.rawString(0), record.string(0))
                let cleaned = record.cleaned(0)
                #expect(String(decoding: cleaned, as: UTF8.self) == record.string(0))
            }
        }
        return try #require(out)
    }

    @Test(arguments: [
        ("abc", "abc"),
        ("  abc\t ", "abc"),
        ("a b", "a b"),
        ("'0812", "0812"),
        ("''x", "'x"),
        ("' 12 ", "12"),
        ("-", ""),
        (".", ""),
        (" - ", ""),
        ("'-", ""),
        ("--", "--"),
        ("-5", "-5"),
        ("0.5", "0.5"),
        ("\u{00A0}x\u{00A0}", "x"),
        ("\r\nx\n", "x"),
        ("", ""),
        ("   ", ""),
        ("'", ""),
        ("xà", "xà"),            // à is C3 A0: ends in A0 but is not a no-break space
        ("©x", "©x"),            // © is C2 A9: starts with C2 but is not a no-break space
        ("x\u{00A0}", "x"),
        ("a'", "a'"),
        ("-.", "-."),
    ])
    func cleaningFollowsTheSpec(value: String, cleaned: String) throws {
        let (raw, clean) = try field(value)
        #expect(raw == value)
        #expect(clean == cleaned)
    }

    @Test func unquotedSpacesAreAlreadyGoneInRaw() throws {
        let result = try readCSV("a;b\n  x  ;  'y \n", cleaned: false)
        #expect(result.events.last == .record(line: 2, fields: ["x", "'y"]))
        let cleaned = try readCSV("a;b\n  x  ;  'y \n", cleaned: true)
        #expect(cleaned.events.last == .record(line: 2, fields: ["x", "y"]))
    }
}
