import Foundation
import PWSCore
import Testing
@testable import Export

/// run.json's inputs encoded ahead (`encodeInputsAhead`, while a run's workbook is still being
/// written) and spliced in by `write`: the file must be the one `write` gives without it.
@Suite struct ManifestInputsAheadTests {
    private func input(_ path: String, unknown: [String] = [], sheets: [String]? = nil) -> Manifest.InputEntry {
        var e = Manifest.InputEntry(path: path, kind: "layanan", sha256: String(repeating: "ab", count: 32), bytes: 120,
                                    encoding: "utf-8", delimiter: ",", rowsRead: 3, rowsRejected: 1, rowsAccepted: 2,
                                    rowsUsed: 2, rowsDuplicate: 0, rowsOutOfPeriod: 0, blankRows: 0,
                                    unknownColumns: unknown)
        e.sheets = sheets
        return e
    }

    /// A manifest whose strings try to look like the layout the splice looks for.
    private func manifest() -> Manifest {
        var m = Manifest(version: "1.0", command: "run", arguments: ["run", "--data", "d"], dataDirectory: "d",
                         today: "2026-01-15", keepIdentifiers: false, maxRejectRate: 0.05)
        m.inputs = [
            input("wilayah.csv"),
            // A NIK in a file's name (masked in run.json), an empty list and a full one.
            input("layanan/ibu-3201234567890123.csv", unknown: ["CATATAN", "x\"y"]),
            input("layanan/k\u{00E9}c \\ \"q\"\n.xlsx", sheets: ["Sheet1", ""]),
        ]
        m.notes = ["\n  \"inputs\" : [", ",\n  \"keep_identifiers\" : true"]
        m.outputs = [Manifest.OutputEntry(path: "indicators.csv", sha256: "00", bytes: 1, rows: nil)]
        m.timingsSeconds = ["total": 1.25]
        m.status = "published"
        return m
    }

    private func written(_ m: Manifest) throws -> String {
        let path = NSTemporaryDirectory() + "pws-manifest-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try m.write(to: path)
        // peak_rss_mib is measured at each write: the process's memory may grow in between.
        return try String(contentsOfFile: path, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("  \"peak_rss_mib\"") }.joined(separator: "\n")
    }

    @Test func encodedAheadIsTheSameFile() throws {
        let plain = manifest()
        var ahead = manifest()
        try ahead.encodeInputsAhead()
        let a = try written(ahead), p = try written(plain)
        #expect(a == p)
        // What the plain file says, by hand: the masked name, the empty list's blank line, one
        // level of indentation under the top-level key.
        #expect(p.contains("\n  \"inputs\" : [\n    {\n      \"blank_rows\" : 0,"))
        #expect(p.contains("\"path\" : \"layanan/ibu-3201**********23.csv\""))
        #expect(!a.contains("3201234567890123"))
        #expect(p.contains("\"unknown_columns\" : [\n\n      ]"))
    }

    @Test func inputsChangedAfterwardsAreWritten() throws {
        var ahead = manifest()
        try ahead.encodeInputsAhead()
        ahead.inputs[0].rowsRead = 99
        ahead.inputs.append(input("late.csv"))
        var plain = manifest()
        plain.inputs[0].rowsRead = 99
        plain.inputs.append(input("late.csv"))
        let a = try written(ahead)
        #expect(a == (try written(plain)))
        #expect(a.contains("\"path\" : \"late.csv\""))
        #expect(a.contains("\"rows_read\" : 99"))
    }

    @Test func noInputsNothingAhead() throws {
        var m = manifest()
        m.inputs = []
        let plain = try written(m)
        try m.encodeInputsAhead()
        #expect(try written(m) == plain)
    }

    @Test func spliceNeedsTheTopLevelKeyAndTheNext() {
        let inputs = Data("[\n    1\n  ]".utf8)
        #expect(Manifest.splice(inputs, into: Data("{\n  \"inputs\" : [\n\n  ],\n  \"z\" : 1\n}".utf8))
            == Data("{\n  \"inputs\" : [\n    1\n  ],\n  \"z\" : 1\n}".utf8))
        // Deeper keys of that name, or the key last: not spliced (write then encodes in place).
        #expect(Manifest.splice(inputs, into: Data("{\n  \"a\" : {\n    \"inputs\" : [],\n    \"b\" : 1\n  }\n}".utf8)) == nil)
        #expect(Manifest.splice(inputs, into: Data("{\n  \"inputs\" : [\n\n  ]\n}".utf8)) == nil)
    }
}
