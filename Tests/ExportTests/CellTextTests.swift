import Foundation
import PWSCore
import Testing
@testable import Export

@Suite struct CellTextTests {
    @Test(arguments: [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+62 812", "'+62 812"), ("-", "'-"), ("@cmd", "'@cmd"),
        ("-5.00", "-5.00"), ("+3,5", "+3,5"), ("-12", "-12"), ("Desa Maju", "Desa Maju"), ("", ""),
        ("=1+2", "'=1+2"), ("-1-2", "'-1-2"),
    ])
    func formulaLikeTextGetsAQuoteButNumbersDoNot(input: String, expected: String) {
        #expect(CellText.safe(input) == expected)
    }

    /// Control characters from an input are U+FFFD in every CSV cell, as in the report: a NUL,
    /// an escape sequence, a bell, DEL and a C1 control (U+0085); tab and line ends stay. An
    /// escape before `=` leaves no formula either (the replacement comes first, the cell does
    /// not start with `=`).
    @Test(arguments: [
        ("PSY\u{0}X", "PSY\u{FFFD}X"), ("\u{1B}]0;pwned\u{7}F", "\u{FFFD}]0;pwned\u{FFFD}F"), ("\u{1B}[2JR1", "\u{FFFD}[2JR1"),
        ("a\u{7F}b\u{85}c", "a\u{FFFD}b\u{FFFD}c"), ("line 1\nline 2\tcol\r\n", "line 1\nline 2\tcol\r\n"),
        ("Tegal\u{A0}manik é", "Tegal\u{A0}manik é"), ("\u{1}=1+2", "\u{FFFD}=1+2"),
        // The noncharacters U+FFFE and U+FFFF (EF BF BE/BF; not XML either, a file name holding
        // one made pws.xlsx unreadable); U+FFFD itself (EF BF BD) and U+FFFC stay.
        ("x\u{FFFE}y\u{FFFF}", "x\u{FFFD}y\u{FFFD}"), ("a\u{FFFD}b\u{FFFC}", "a\u{FFFD}b\u{FFFC}"),
    ])
    func controlCharactersAreReplaced(input: String, expected: String) {
        #expect(CellText.safe(input) == expected)
    }

    @Test(arguments: [(1235, "12.35"), (-1, "-0.01"), (10000, "100.00"), (5, "0.05"), (0, "0.00"), (-12345, "-123.45")])
    func percentTextHasTwoDecimals(hundredths: Int, text: String) {
        #expect(Percent(hundredths: hundredths).text == text)
        #expect(OutputFormat.excel.decimal(Percent(hundredths: hundredths).text) == text.replacingOccurrences(of: ".", with: ","))
    }

    @Test func tableWriterQuotesAndNeutralises() throws {
        let path = NSTemporaryDirectory() + "pws-table-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let table = try TableWriter(path: path, header: ["a", "b"], format: .excel)
        try table.row(["=x", "1;2"])
        try table.row(["F\u{0}1", "\u{1B}[31m"])
        try table.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: bytes.dropFirst(3), as: UTF8.self) == "a;b\r\n'=x;\"1;2\"\r\nF\u{FFFD}1;\u{FFFD}[31m\r\n")
        #expect(!bytes.contains(0) && !bytes.contains(0x1B))
        #expect(table.rows == 2)
    }

    @Test func publisherSwitchesTheLinkAndKeepsTheOldFolderUntilPruned() throws {
        let out = NSTemporaryDirectory() + "pws-publish-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let p = Publisher(outputDirectory: out, month: YearMonth(year: 2025, month: 3), retention: 1)
        let s1 = try p.makeStaging()
        try "one".write(toFile: s1 + "/x.txt", atomically: true, encoding: .utf8)
        let first = try p.publish(staging: s1)
        #expect(try String(contentsOfFile: out + "/2025-03/x.txt", encoding: .utf8) == "one")
        let s2 = try p.makeStaging()
        try "two".write(toFile: s2 + "/x.txt", atomically: true, encoding: .utf8)
        let second = try p.publish(staging: s2)
        #expect(first != second)
        #expect(try String(contentsOfFile: out + "/2025-03/x.txt", encoding: .utf8) == "two")
        // retention 1: the first run folder is gone, the published one stays.
        #expect(!FileManager.default.fileExists(atPath: first))
        #expect(FileManager.default.fileExists(atPath: second))
    }
}
