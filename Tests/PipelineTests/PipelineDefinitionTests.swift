import Foundation
import PWSCore
import Testing
@testable import Pipeline

/// The §A1 settings of the pipeline: `estimation.round` and `sasaran.decimal_separator`; and
/// §A5's `status.tetap_below_target`.
@Suite struct PipelineDefinitionTests {
    static let pipelines = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("pipelines").path

    /// Loads `body` after the catalogue lines (lines 1–3), from a temporary file.
    static func load(_ body: String) throws -> PipelineDefinition {
        let path = NSTemporaryDirectory() + "pws-pipeline-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = "version: 1\nservices: \(pipelines)/services.yaml\nindicators: \(pipelines)/indicators.yaml\n" + body
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try PipelineDefinition.load(path: path)
    }

    @Test func defaultsRoundEstimatesAndLeaveTheSeparatorOpen() throws {
        let d = try PipelineDefinition.load(path: Self.pipelines + "/default.yaml")
        #expect(d.estimation.round)
        #expect(d.decimalSeparator == nil)
        let bare = try Self.load("")
        #expect(bare.estimation.round)
        #expect(bare.decimalSeparator == nil)
    }

    @Test func settingsAreRead() throws {
        let d = try Self.load("estimation:\n  cbr_per_1000: 16\n  round: false\nsasaran:\n  decimal_separator: \",\"\n")
        #expect(!d.estimation.round)
        #expect(d.decimalSeparator == UInt8(ascii: ","))
        #expect(try Self.load("sasaran:\n  decimal_separator: \".\"\n").decimalSeparator == UInt8(ascii: "."))
    }

    /// `sasaran.group_columns` is read; a name it cannot use is refused at its group's line,
    /// also one that is an alias given in `column_aliases.sasaran` (read after it in the file).
    @Test func groupColumnsAreReadAndCheckedAtTheirLine() throws {
        // Many names load (each checked once against one table; the table was rebuilt per
        // name, and 20 000 names took minutes).
        let many = (0..<2_000).map { "N\($0)" }.joined(separator: ", ")
        #expect(try Self.load("sasaran:\n  group_columns:\n    bumil: [\(many)]\n").sasaranGroupColumns["bumil"]?.count == 2_000)
        let d = try Self.load("sasaran:\n  group_columns:\n    bumil: [SASARAN BUMIL, BUMIL PROYEKSI]\n    lansia: []\n")
        #expect(d.sasaranGroupColumns == ["bumil": ["SASARAN BUMIL", "BUMIL PROYEKSI"], "lansia": []])
        #expect(try PipelineDefinition.load(path: Self.pipelines + "/default.yaml").sasaranGroupColumns == [:])
        let cases: [(String, Int, String)] = [
            ("sasaran:\n  group_columns:\n    bumil: [A]\n    ibu_hamil: [B]\n", 7, "sasaran.group_columns: unknown target group \"ibu_hamil\""),
            ("sasaran:\n  group_columns:\n    bumil: [DESA]\ncolumn_aliases:\n  sasaran:\n    village_code: [desa]\n", 6,
             "sasaran.group_columns: bumil: \"DESA\" is the name of the sasaran column village_code"),
            ("sasaran:\n  group_columns:\n    bumil: [X]\n    bulin: [x]\n", 7, "sasaran.group_columns: \"x\" is given to bulin and to bumil (as \"X\")"),
            // Review 17: a bad name is refused at its own line.
            ("sasaran:\n  group_columns:\n    bumil:\n      - SASARAN BUMIL\n      - KODE DESA\n", 8,
             "sasaran.group_columns: bumil: \"KODE DESA\" is the name of the sasaran column village_code"),
        ]
        for (body, line, message) in cases {
            let error = #expect(throws: PWSError.self) { _ = try Self.load(body) }
            #expect(error?.exitStatus == .usage, "\(body)")
            #expect(error?.location?.line == line, "\(body)")
            #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        }
    }

    /// A separator other than `.` or `,` is a usage error at its line (line 5 here).
    @Test func otherSeparatorsAreRefusedAtTheirLine() throws {
        #expect {
            _ = try Self.load("sasaran:\n  decimal_separator: \";\"\n")
        } throws: { error in
            guard let e = error as? PWSError else { return false }
            return e.location?.line == 5 && e.message.hasPrefix("sasaran.decimal_separator must be \".\", \",\" or auto")
        }
    }

    /// A misspelt or unknown setting — at the top, or in `estimation`, `sasaran` or `csv` — is
    /// refused at its line, naming the settings there are (it was ignored, its default used).
    @Test func unknownSettingsAreRefusedAtTheirLine() throws {
        let cases: [(String, Int, String)] = [
            ("max_reject_rat: 0.0\n", 4, "the pipeline: unknown setting \"max_reject_rat\"; use name, version, services,"),
            ("estimation:\n  enabeld: false\n", 5, "estimation: unknown setting \"enabeld\"; use enabled, cbr_per_1000, round, shares"),
            ("sasaran:\n  decimal: \",\"\n", 5, "sasaran: unknown setting \"decimal\"; use decimal_separator"),
            ("csv:\n  delimiter: auto\n  quote: \"'\"\n", 6, "csv: unknown setting \"quote\"; use delimiter"),
            // A tagged key passed the check of known settings and was never read (its default used).
            ("estimation:\n  !x enabled: false\n", 5, "the key \"enabled\" carries the YAML tag !x, so it cannot be read"),
        ]
        for (body, line, message) in cases {
            let error = #expect(throws: PWSError.self) { _ = try Self.load(body) }
            #expect(error?.exitStatus == .usage, "\(body)")
            #expect(error?.location?.line == line, "\(body)")
            #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        }
        // Every setting of the bundled pipeline is known.
        _ = try PipelineDefinition.load(path: Self.pipelines + "/default.yaml")
    }

    /// Aliases nested in aliases (ten lines of lists of ten `*a`: 10¹⁰ values from ~500 bytes)
    /// are refused at once, counted on the parser's events before a tree is built: walking the
    /// expanded tree took hours (a hostile-input campaign: 8 levels 17 s, 10 killed at 120 s),
    /// and an alias used as a mapping key (`? *a9`) as long inside the composer, which hashes
    /// keys in full. The same in services.yaml. Five levels (10⁵ values) still read: the unknown
    /// key is what is said.
    @Test func aliasesExpandingPastTheBoundAreRefused() throws {
        let bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
            + (1...9).map { i in "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }.joined()
        let expanded = "the file holds more than 2000000 values once its aliases (*name) are expanded"
        for body in [bomb, bomb + "? *a9\n: x\n", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
                        + (1...7).map { i in "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }.joined()] {
            let started = Date()
            let error = #expect(throws: PWSError.self) { _ = try Self.load(body) }
            #expect(Date().timeIntervalSince(started) < 10)
            #expect(error?.exitStatus == .usage)
            #expect(error?.message.hasPrefix(expanded) == true, "\(error?.message ?? "")")
        }
        // A key anchoring 1.2 million values (30 × 200 × 200, under the bound), then an alias
        // of it as a key: the alias passes the bound, at its line (6, after the 3 catalogue lines).
        let keyOnly = "? &k [" + Array(repeating: "[" + Array(repeating: "[" + Array(repeating: "x", count: 200).joined(separator: ", ") + "]", count: 200).joined(separator: ", ") + "]", count: 30).joined(separator: ", ") + "]\n: 1\n? *k\n: 2\n"
        let keyError = #expect(throws: PWSError.self) { _ = try Self.load(keyOnly) }
        #expect(keyError?.message.hasPrefix(expanded) == true, "\(keyError?.message ?? "")")
        #expect(keyError?.location?.line == 6)
        let services = #expect(throws: PWSError.self) { _ = try ServiceCatalogueLoader.load(yaml: bomb, source: "services.yaml") }
        #expect(services?.message.hasPrefix(expanded) == true, "\(services?.message ?? "")")
        #expect(services?.location?.source == "services.yaml")
        // A file that is simply that large, without an alias, is not told to write its aliases
        // out (a 50 MB DHIS2 mapping of a million areas was); the bound is counted the same.
        let plain = #expect(throws: PWSError.self) { try YAMLSize.check("a: 1\nb: 2\nc: [3, 4]\n", limit: 6, path: "big.yaml") }
        #expect(plain?.message == "the file holds more than 6 values (scalars, lists and mappings) — far more than any pipeline, catalogue or DHIS2 mapping needs; check that this is the right file", "\(plain?.message ?? "")")
        #expect(plain?.location?.line == 3)
        #expect((try? YAMLSize.check("a: 1\nb: 2\nc: [3, 4]\n", limit: 9, path: "big.yaml")) != nil)   // 1 mapping, 7 scalars, 1 list
        let small = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
            + (1...4).map { i in "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }.joined()
        let unknown = #expect(throws: PWSError.self) { _ = try Self.load(small) }
        #expect(unknown?.message.hasPrefix("the pipeline: unknown setting \"a0\"") == true, "\(unknown?.message ?? "")")
    }

    /// Values that were read and never used, or read as another one, are refused at their line:
    /// a share for a group estimated from the birth rate (it was ignored), an empty delimiter or
    /// decimal separator (read as auto, which the message does not offer), an empty column alias
    /// (a blank header cell became that column).
    @Test func valuesThatWouldBeIgnoredAreRefusedAtTheirLine() throws {
        let cases: [(String, Int, String)] = [
            ("estimation:\n  shares:\n    bumil: 0.02\n", 6, "estimation.shares.bumil: bumil is estimated from cbr_per_1000 (spec §5.1), not from a share"),
            ("estimation:\n  shares:\n    bayi_lahir_hidup: 0.02\n", 6, "estimation.shares.bayi_lahir_hidup: bayi_lahir_hidup is estimated from cbr_per_1000"),
            ("csv:\n  delimiter: \"\"\n", 5, "csv.delimiter must be auto"),
            ("sasaran:\n  decimal_separator: \"\"\n", 5, "sasaran.decimal_separator must be \".\", \",\" or auto"),
            ("column_aliases:\n  wilayah:\n    village_name: [\"\"]\n", 6, "column_aliases.wilayah.village_name: an alias is empty"),
        ]
        for (body, line, message) in cases {
            let error = #expect(throws: PWSError.self) { _ = try Self.load(body) }
            #expect(error?.location?.line == line, "\(body): \(error?.location?.line ?? -1)")
            #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        }
        _ = try Self.load("estimation:\n  shares:\n    balita: 0.08\n")
    }

    /// Rates are kept as the decimal text written (no `Double` on the way: 0.055 stays 0.055);
    /// anything else is refused at its line (line 7 here).
    @Test func ratesAreExactDecimalText() throws {
        let d = try Self.load("estimation:\n  cbr_per_1000: 16.35\n  shares:\n    remaja_putri: 0.055\n")
        #expect(d.estimation.cbrPer1000 == "16.35")
        #expect(d.estimation.shares["remaja_putri"] == "0.055")
        for bad in ["inf", "-1", "1,5", "lots"] {
            #expect {
                _ = try Self.load("estimation:\n  cbr_per_1000: 16\n  shares:\n    balita: \(bad)\n")
            } throws: { error in
                guard let e = error as? PWSError else { return false }
                return e.location?.line == 7 && e.message == "estimation.shares.balita must be a decimal number ≥ 0, e.g. 0.08"
            }
        }
        // A share is of the population, a birth rate per 1,000 people: 1e16 made denominators
        // beyond any count (and trapped the report). The bounds themselves are accepted.
        #expect(try Self.load("estimation:\n  cbr_per_1000: 1000\n  shares:\n    balita: 1\n").estimation.shares["balita"] == "1")
        #expect(try Self.load("estimation:\n  cbr_per_1000: 16.123456\n  shares:\n    balita: 0.080000000\n").estimation.shares["balita"] == "0.080000000")
        for (body, line, message) in [
            ("estimation:\n  cbr_per_1000: 16\n  shares:\n    balita: 1e16\n", 7,
             "estimation.shares.balita is 1e16, more than 1; a share of the population is at most 1 (0.08 = 8 %)"),
            ("estimation:\n  cbr_per_1000: 16\n  shares:\n    balita: 1.000001\n", 7,
             "estimation.shares.balita is 1.000001, more than 1"),
            // More than 6 places overflowed the exact sums and comparisons of §6: denominators,
            // gaps and statuses went blank with exit 0.
            ("estimation:\n  cbr_per_1000: 16\n  shares:\n    balita: 0.1234567890123456789012345\n", 7,
             "estimation.shares.balita has 25 decimals, more than 6; 0.08 has as many as a rate needs"),
            ("estimation:\n  cbr_per_1000: 999.999999999999999999\n", 5,
             "estimation.cbr_per_1000 has 18 decimals, more than 6"),
            ("estimation:\n  cbr_per_1000: 16.0000001\n", 5, "estimation.cbr_per_1000 has 7 decimals, more than 6"),
            ("estimation:\n  cbr_per_1000: 1000.5\n", 5,
             "estimation.cbr_per_1000 is 1000.5, more than 1000; births per 1,000 people a year are at most 1,000"),
        ] {
            WorkbookSettingsTests.refused(body, line: line, message)
        }
    }

    /// YAML that does not parse is refused at the problem's line, in a sentence: Yams's own
    /// description quoted the whole line (100,000 brackets here) and a caret line as long.
    @Test func yamlSyntaxErrorsNameTheirLineWithoutQuotingIt() {
        WorkbookSettingsTests.refused("name: [a, b\n", line: 5,
                                      "not valid YAML: while parsing a flow sequence that starts at line 4: did not find expected ',' or ']'")
        #expect {
            _ = try Self.load("name: " + String(repeating: "[", count: 100_000) + "\n")
        } throws: { error in
            guard let e = error as? PWSError else { return false }
            return e.location?.line == 4 && e.message.hasPrefix("not valid YAML: ") && e.message.count < 300
        }
    }

    /// A catalogue path naming a folder or a FIFO is the pipeline's mistake, refused at its line
    /// with exit 64 before anything opens it (the service catalogue's was exit 66 with no line,
    /// the indicator catalogue's 64 — docs/pipeline.md), as a missing file is.
    @Test(arguments: ["services", "indicators", "spm"])
    func aCatalogueThatIsNotAFileIsRefusedAtItsLine(key: String) throws {
        let folder = NSTemporaryDirectory() + "pws-catalogue-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/dir.yaml", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(mkfifo(folder + "/fifo.yaml", 0o644) == 0)
        let catalogues = ["services": Self.pipelines + "/services.yaml", "indicators": Self.pipelines + "/indicators.yaml",
                          "spm": Self.pipelines + "/spm.yaml"]
        for (name, kind) in [("dir.yaml", "a directory"), ("fifo.yaml", "a FIFO"), ("gone.yaml", nil)] {
            var lines = ["version: 1"]
            for k in ["services", "indicators", "spm"] { lines.append("\(k): \(k == key ? name : catalogues[k]!)") }
            let path = folder + "/pipeline.yaml"
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: PWSError.self) { try PipelineDefinition.load(path: path) }
            let line = 2 + ["services", "indicators", "spm"].firstIndex(of: key)!
            #expect(error?.code == .pipelineDefinition)
            #expect(error?.location == SourceLocation(source: path, line: line))
            let expected = kind.map { "\(key): \"\(name)\" is \($0)" } ?? "\(key): file \"\(name)\" not found next to the pipeline"
            #expect(error?.message.hasPrefix(expected) == true, "\(error?.message ?? "")")
        }
    }

    /// `status.tetap_below_target`: `cukup` when absent (and in the default pipeline), `jelek`
    /// when asked; any other value or key is refused at its line (line 5 here).
    @Test func tetapBelowTargetIsRead() throws {
        #expect(try PipelineDefinition.load(path: Self.pipelines + "/default.yaml").tetapBelowTarget == .cukup)
        #expect(try Self.load("").tetapBelowTarget == .cukup)
        #expect(try Self.load("status:\n  tetap_below_target: jelek\n").tetapBelowTarget == .jelek)
        #expect(try Self.load("status:\n  tetap_below_target: cukup\n").tetapBelowTarget == .cukup)
        for (body, message) in [
            ("status:\n  tetap_below_target: kurang\n", "status.tetap_below_target must be cukup or jelek"),
            ("status:\n  tetap: jelek\n", "status: unknown setting \"tetap\"; use tetap_below_target"),
        ] {
            #expect {
                _ = try Self.load(body)
            } throws: { error in
                guard let e = error as? PWSError else { return false }
                return e.location?.line == 5 && e.message.hasPrefix(message)
            }
        }
    }
}
