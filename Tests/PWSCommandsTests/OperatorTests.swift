import Foundation
import Testing

/// Operator experience (issue 19, amendments §A8) through the real binary: the built-in
/// pipeline, the console summary, validate's warnings, `pws diff`.
@Suite struct OperatorTests {
    static let sampleData = PWSBinary.packageRoot.appendingPathComponent("sample-data").path
    static let pipelines = PWSBinary.packageRoot.appendingPathComponent("pipelines").path

    /// From a folder with no pipelines/ anywhere near, `pws run` uses the built-in pipeline and
    /// records it in run.json.
    @Test func runWorksFromAnyFolderWithTheBuiltInPipeline() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let r = try PWSBinary.run(["run", "--data", data, "--out", "out", "--today", "2026-01-15", "--quiet"], cwd: tmp.path)
        #expect(r.status == 0, "\(r.stderr)")
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out/2025-12/run.json"))) as? [String: Any]
        let pipeline = try #require(manifest?["pipeline"] as? [[String: Any]])
        #expect(pipeline.map { $0["path"] as? String } == ["(built-in)/default.yaml", "(built-in)/services.yaml",
                                                           "(built-in)/indicators.yaml", "(built-in)/spm.yaml"])
        // Its hash is the hash of pipelines/default.yaml.
        let sums = try RunEndToEndTests.sha256sum([Self.pipelines + "/default.yaml"])
        #expect(pipeline.first?["sha256"] as? String == sums[Self.pipelines + "/default.yaml"])
    }

    /// `pws pipeline show` prints pipelines/default.yaml; `--all DIR` writes the four files, and
    /// a run with `--pipeline DIR/default.yaml` reads the catalogues beside it.
    @Test func pipelineShowWritesTheBuiltInFilesOut() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let shown = try PWSBinary.run(["pipeline", "show"], cwd: tmp.path)
        #expect(shown.status == 0)
        #expect(shown.stdout == (try String(contentsOfFile: Self.pipelines + "/default.yaml", encoding: .utf8)))
        let services = try PWSBinary.run(["pipeline", "show", "services.yaml"])
        #expect(services.stdout == (try String(contentsOfFile: Self.pipelines + "/services.yaml", encoding: .utf8)))
        #expect(try PWSBinary.run(["pipeline", "show", "nope.yaml"]).status == 64)

        let dir = tmp.path + "/my-pipeline"
        let all = try PWSBinary.run(["pipeline", "show", "--all", dir])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
                == ["default.yaml", "growth", "indicators.yaml", "services.yaml", "spm.yaml"])
        // The WHO tables too, byte for byte the repository's, in its layout.
        let tables = ["acfa.csv", "bfa.csv", "lhfa.csv", "wfa.csv", "wfh.csv", "wfl.csv"]
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/growth/who2006").sorted() == tables)
        for name in tables {
            #expect(FileManager.default.contents(atPath: dir + "/growth/who2006/" + name)
                    == FileManager.default.contents(atPath: Self.pipelines + "/growth/who2006/" + name), "\(name)")
        }
        #expect(all.stdout.contains("\(dir)/growth/who2006/ (a run uses them only with `growth_tables: growth/who2006`"), "\(all.stdout)")
        // Not again without --force, a table alone included.
        let again = try PWSBinary.run(["pipeline", "show", "--all", dir])
        #expect(again.status == 64)
        #expect(again.stderr.contains("--force"))
        #expect(try PWSBinary.run(["pipeline", "show", "--all", dir, "--force"]).status == 0)
        let other = tmp.path + "/tables-only"
        try FileManager.default.createDirectory(atPath: other + "/growth/who2006", withIntermediateDirectories: true)
        try "x".write(toFile: other + "/growth/who2006/wfa.csv", atomically: true, encoding: .utf8)
        let kept = try PWSBinary.run(["pipeline", "show", "--all", other])
        #expect(kept.status == 64 && kept.stderr.contains("growth/who2006/wfa.csv"), "\(kept.stderr)")
        #expect(try String(contentsOfFile: other + "/growth/who2006/wfa.csv", encoding: .utf8) == "x")
        #expect(!FileManager.default.fileExists(atPath: other + "/default.yaml"))

        // A run with `growth_tables: growth/who2006` reads the written tables: a damaged one is
        // named at its file and line.
        let yaml = try String(contentsOfFile: dir + "/default.yaml", encoding: .utf8)
        try (yaml + "\ngrowth_tables: growth/who2006\n").write(toFile: dir + "/default.yaml", atomically: true, encoding: .utf8)
        #expect(try PWSBinary.run(["indicators", "--pipeline", dir + "/default.yaml"]).status == 0)
        try "sex,day,l,m,s\n1,0,x,3.3,0.1\n".write(toFile: dir + "/growth/who2006/wfa.csv", atomically: true, encoding: .utf8)
        let damaged = try PWSBinary.run(["run", "--data", Self.sampleData, "--out", tmp.path + "/out",
                                         "--pipeline", dir + "/default.yaml", "--quiet"])
        #expect(damaged.status == 64 && damaged.stderr.contains("wfa.csv:2"), "\(damaged.stderr)")
        try FileManager.default.removeItem(atPath: dir + "/default.yaml")
        #expect(try PWSBinary.run(["pipeline", "show", "--all", dir, "--force"]).status == 0)

        let r = try PWSBinary.run(["indicators", "--csv", "--pipeline", dir + "/default.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 62)   // header + the 49 indicators + 12 SPM services
    }

    /// `pws validate` lists every warning `pws run` does, W-NIFAS and W-GROWTH included: warnings.csv of both
    /// are byte-identical on sample-data.
    @Test func validateWarningsEqualRunWarningsOnSampleData() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let v = try PWSBinary.run(["validate", "--data", Self.sampleData, "--out", tmp.path + "/check",
                                   "--today", "2026-01-15", "--quiet"])
        #expect(v.status == 0, "\(v.stderr)")
        let r = try PWSBinary.run(["run", "--data", Self.sampleData, "--out", tmp.path + "/out",
                                   "--today", "2026-01-15", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let fromValidate = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/check/warnings.csv"))
        let fromRun = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out/2025-12/warnings.csv"))
        #expect(fromValidate == fromRun)
        #expect(String(decoding: fromValidate, as: UTF8.self).contains(",W-NIFAS,"))
        #expect(String(decoding: fromValidate, as: UTF8.self).contains(",W-GROWTH,"))
    }

    /// 2,500 one-row service files: the summary stays within 40 lines, the per-file table
    /// comes with --verbose, and stderr (a pipe, not a terminal) has no progress line.
    @Test func summaryFitsAScreenWithThousandsOfFiles() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated(records: 8000)
        let layanan = data + "/layanan"
        let fm = FileManager.default
        var made = 0
        for name in try fm.contentsOfDirectory(atPath: layanan).sorted() where made < 2500 {
            let bytes = try #require(fm.contents(atPath: layanan + "/" + name))
            // Files whose rows may span lines (quoted fields) are left whole.
            guard !bytes.contains(0x22) else { continue }
            let lines = bytes.split(separator: 0x0A)
            guard lines.count > 2 else { continue }
            try fm.removeItem(atPath: layanan + "/" + name)
            for (k, row) in lines.dropFirst().enumerated() {
                try Data(lines[0] + [0x0A] + row + [0x0A])
                    .write(to: URL(fileURLWithPath: layanan + "/" + name.replacingOccurrences(of: ".csv", with: "-\(k).csv")))
                made += 1
            }
        }
        let files = try fm.contentsOfDirectory(atPath: layanan).count
        #expect(files >= 2500)
        let r = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/out", "--today", "2026-01-15"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count <= 40, "\(lines.count) lines:\n\(r.stdout)")
        #expect(lines.first?.hasPrefix("\(files) service files read: ") == true)
        #expect(r.stdout.contains("identities: read = rejected + accepted: yes; accepted = used + duplicate + out_of_period: yes"))
        #expect(r.stdout.contains("rejects by rule: "))
        #expect(r.stdout.contains("outputs in \(tmp.path)/out/2025-12/:"))
        #expect(!r.stderr.contains("\r") && !r.stderr.contains("\u{1B}["))
        #expect(r.stderr.contains("info pws:"))  // the cron log lines

        let verbose = try PWSBinary.run(["validate", "--data", data, "--today", "2026-01-15", "--verbose"])
        #expect(verbose.status == 0, "\(verbose.stderr)")
        // The table: a header, one line per file, TOTAL; then the summary.
        #expect(verbose.stdout.split(separator: "\n").count > files + 2)
        #expect(verbose.stdout.contains("\nTOTAL "))
        let quiet = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/out", "--today", "2026-01-15", "--quiet"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty)
        // --quiet prints only the files of which no row was accepted (here one-row files whose
        // row was rejected): a count and at most 3 names, whatever the number of files.
        let quietLines = quiet.stdout.split(separator: "\n")
        #expect((2...4).contains(quietLines.count), "\(quiet.stdout)")
        #expect(quietLines.first?.hasPrefix("no row accepted from ") == true, "\(quiet.stdout)")
        #expect(quietLines.dropFirst().allSatisfy { $0.hasPrefix("  layanan/") }, "\(quiet.stdout)")
        #expect(r.stdout.contains(quietLines.first.map(String.init) ?? ""))
    }

    /// On a terminal (util-linux `script` gives the run a pseudo-terminal) the reading stage
    /// shows a progress line rewritten in place; `--quiet` shows none.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func progressOnATerminalOnly() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        func onTerminal(_ extra: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", "'\(PWSBinary.path)' run --data '\(data)' --out '\(tmp.path)/out' "
                                 + "--today 2026-01-15 \(extra) >/dev/null", "/dev/null"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            return String(decoding: output, as: UTF8.self)
        }
        let shown = try onTerminal("")
        let files = try FileManager.default.contentsOfDirectory(atPath: data + "/layanan").count
        #expect(shown.contains("\r\u{1B}[Kreading "))
        #expect(shown.contains("reading \(files)/\(files) files, "))
        #expect(shown.contains("\r\u{1B}[Kaggregating "))
        #expect(!shown.contains("info pws:"))  // the progress line replaces the log lines
        // A warning (the generated register's villages without targets) starts a line of its
        // own: the progress line is cleared before it, not glued to "aggregating … events".
        let segments = shown.components(separatedBy: "\r\u{1B}[K").flatMap { $0.components(separatedBy: CharacterSet(charactersIn: "\r\n")) }
        let warnings = segments.filter { $0.contains(" warning pws: ") }
        #expect(!warnings.isEmpty, "\(shown)")
        #expect(warnings.allSatisfy { $0.range(of: #"^\d{4}-\d\d-\d\dT"#, options: .regularExpression) != nil }, "\(warnings)")
        let quiet = try onTerminal("--quiet")
        #expect(!quiet.contains("\u{1B}[K") && !quiet.contains("reading"))
    }

    /// A rerun after a correction: `pws diff` names the changed file, its row counts, and the
    /// indicator rows that moved.
    @Test func diffExplainsARerunAfterACorrection() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let out = tmp.path + "/out"
        #expect(try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"]).status == 0)
        // Keep the first run's folder (the link moves to the next run).
        let first = try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12")
        let firstFolder = first.hasPrefix("/") ? first : out + "/" + first
        // The correction: the largest December posyandu file loses its last 20 rows (weighings,
        // so D_S moves; a puskesmas file may end with SPM care visits no PWS indicator counts).
        let layanan = data + "/layanan"
        let december = try FileManager.default.contentsOfDirectory(atPath: layanan)
            .filter { $0.hasPrefix("2025-12") && $0.contains("posyandu") }
        let target = try #require(december.max { a, b in
            RunEndToEndTests.size(layanan + "/" + a) < RunEndToEndTests.size(layanan + "/" + b)
        })
        let bytes = try #require(FileManager.default.contents(atPath: layanan + "/" + target))
        var lines = bytes.split(separator: 0x0A)
        lines.removeLast(20)
        try Data(lines.joined(separator: [0x0A]) + [0x0A]).write(to: URL(fileURLWithPath: layanan + "/" + target))
        #expect(try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"]).status == 0)

        let r = try PWSBinary.run(["diff", firstFolder, out + "/2025-12", "--out", tmp.path + "/d"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("input files: 0 added, 0 removed, 1 changed,"))
        let csv = try String(contentsOfFile: tmp.path + "/d/diff.csv", encoding: .utf8)
        let rows = csv.split(separator: "\n").map(String.init)
        #expect(rows[0] == "kind,key,field,before,after")
        #expect(rows.contains { $0.hasPrefix("input,layanan/\(target),sha256,") })
        #expect(rows.contains { $0.hasPrefix("rows,layanan/\(target),rows_read,") })
        #expect(rows.contains { $0.hasPrefix("indicator,2025-12/") })
        #expect(r.stdout.contains("wrote \(tmp.path)/d/diff.csv"))

        // The same run twice: nothing but the header.
        let same = try PWSBinary.run(["diff", out + "/2025-12", out + "/2025-12", "--out", tmp.path + "/e", "--quiet"])
        #expect(same.status == 0 && same.stdout.isEmpty)
        #expect(try String(contentsOfFile: tmp.path + "/e/diff.csv", encoding: .utf8) == "kind,key,field,before,after\n")
        #expect(try PWSBinary.run(["diff", tmp.path + "/nope", out + "/2025-12"], cwd: tmp.path).status == 66)
    }
}

extension RunEndToEndTests {
    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }
}
