import Foundation
import Testing

/// `pws map --incremental` as a cluster runs it (docs/scale.md "The cache on a cluster"): two
/// map task processes at once on one cache folder, then dedup, reduce and merge; the published
/// files are `pws run`'s, the tasks' hash index parts survive side by side (no task overwrites
/// another's) and the merge folds them into one index, so the next night nothing is hashed or
/// read again.
@Suite struct StagedCacheEndToEndTests {
    /// Starts `pws ARGUMENTS` without waiting; its output goes to `log`. The log's handle is
    /// closed here once the child has it (its own copy), so no descriptor is left open.
    static func start(_ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PWSBinary.path)
        process.arguments = arguments
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// A staged run with 2 map tasks at once and 2 partitions; the merge's stdout.
    static func stagedRun(data: String, out: String, shared: String, tmp: TempFolder,
                          beforeMerge: () -> Void = {}) throws -> String {
        let common = ["--data", data, "--today", "2026-01-10", "--quiet"]
        let maps = try (0..<2).map {
            try start(["map", "--task", "\($0)", "--tasks", "2", "--partitions", "2", "--shared", shared,
                       "--incremental", "--out", out] + common, log: "\(shared)-map-\($0).log")
        }
        for (i, p) in maps.enumerated() {
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "map \(i): \((try? String(contentsOfFile: "\(shared)-map-\(i).log", encoding: .utf8)) ?? "")")
        }
        for stage in ["dedup", "reduce"] {
            for j in 0..<2 {
                let r = try PWSBinary.run([stage, "--task", "\(j)", "--tasks", "2", "--shared", shared] + common)
                #expect(r.status == 0, "\(stage) \(j): \(r.stderr)")
            }
        }
        beforeMerge()
        let merge = try PWSBinary.run(["merge", "--shared", shared, "--out", out, "--data", data, "--today", "2026-01-10"])
        #expect(merge.status == 0, "merge: \(merge.stderr)")
        return merge.stdout
    }

    /// What the reduce reads besides the map's files — the SPM catalogue and the WHO growth
    /// tables — is in the run key: one edited between the two reduce tasks is refused by the
    /// second, naming it, and one edited after the reduce by the merge (the merge published SPM
    /// counts, and z-score indicators, of neither version).
    @Test(arguments: ["spm", "growth"])
    func aCatalogueOrTableEditedBetweenStagesIsRefused(_ edited: String) throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated(records: 600, seed: 7)
        let pipelines = PWSBinary.packageRoot.appendingPathComponent("pipelines").path
        try FileManager.default.copyItem(atPath: pipelines, toPath: tmp.path + "/pl")
        let pipeline = tmp.path + "/pl/default.yaml"
        if edited == "growth" {
            let yaml = try String(contentsOfFile: pipeline, encoding: .utf8)
            try (yaml + "\ngrowth_tables: growth/who2006\n").write(toFile: pipeline, atomically: true, encoding: .utf8)
        }
        let file = tmp.path + (edited == "spm" ? "/pl/spm.yaml" : "/pl/growth/who2006/wfa.csv")
        func edit() throws {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            // A comment in the catalogue; in the table, the first median a little larger each time.
            let changed = edited == "spm" ? text + "# diubah\n"
                : text.replacingOccurrences(of: "1,0,0.3487,3.3464", with: "1,0,0.3487,3.34641")
            #expect(changed != text)
            try changed.write(toFile: file, atomically: true, encoding: .utf8)
        }
        let shared = tmp.path + "/shared"
        let common = ["--data", data, "--today", "2026-01-10", "--quiet", "--pipeline", pipeline, "--shared", shared]
        for stage in [["map", "--task", "0", "--tasks", "1", "--partitions", "2"],
                      ["dedup", "--task", "0", "--tasks", "2"], ["dedup", "--task", "1", "--tasks", "2"],
                      ["reduce", "--task", "0", "--tasks", "2"]] {
            let r = try PWSBinary.run(stage + common)
            #expect(r.status == 0, "\(stage): \(r.stderr)")
        }
        try edit()
        let second = try PWSBinary.run(["reduce", "--task", "1", "--tasks", "2"] + common)
        #expect(second.status == 65, "\(second.stderr)")
        #expect(second.stderr.contains("\(edited): "), "\(second.stderr)")
        // Rerun from the map with the edited file; then edit it again before the merge.
        for stage in [["map", "--task", "0", "--tasks", "1", "--partitions", "2"],
                      ["dedup", "--task", "0", "--tasks", "2"], ["dedup", "--task", "1", "--tasks", "2"],
                      ["reduce", "--task", "0", "--tasks", "2"], ["reduce", "--task", "1", "--tasks", "2"]] {
            let r = try PWSBinary.run(stage + common)
            #expect(r.status == 0, "\(stage): \(r.stderr)")
        }
        try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "3.34641,", with: "3.34642,")
            .appending(edited == "spm" ? "# lagi\n" : "").write(toFile: file, atomically: true, encoding: .utf8)
        let merge = try PWSBinary.run(["merge", "--out", tmp.path + "/out"] + common)
        #expect(merge.status == 65, "\(merge.stderr)")
        #expect(merge.stderr.contains("\(edited): "), "\(merge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/out/2025-12"))
    }

    @Test func concurrentMapTasksShareOneCache() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated(records: 600, seed: 7)
        let files = try FileManager.default.contentsOfDirectory(atPath: data + "/layanan").filter { $0.hasSuffix(".csv") }.count
        #expect(files >= 4)
        let reference = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/reference", "--today", "2026-01-10",
                                           "--quiet"])
        #expect(reference.status == 0)
        // The hash index records only files whose mtime and ctime are over 2 s old.
        Thread.sleep(forTimeInterval: 3)
        let out = tmp.path + "/out"
        let parts = out + "/.cache/map/hashes.d"
        var partsBeforeMerge: [String] = []
        let first = try StagedCacheEndToEndTests.stagedRun(data: data, out: out, shared: tmp.path + "/shared-1", tmp: tmp) {
            partsBeforeMerge = ((try? FileManager.default.contentsOfDirectory(atPath: parts)) ?? []).filter { !$0.hasPrefix(".") }
        }
        #expect(first.contains("map cache: \(files) of \(files) file(s) read, 0 from the cache, \(files) of \(files) hashed"))
        #expect(partsBeforeMerge.count == 2, "one hash index part per map task: \(partsBeforeMerge)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: parts)) ?? []).isEmpty)
        #expect(FileManager.default.fileExists(atPath: out + "/.cache/map/hashes.pws"))
        let month = try #require(try FileManager.default.contentsOfDirectory(atPath: tmp.path + "/reference")
            .first { !$0.hasPrefix(".") && $0 != "refused" })
        let expected = TempFolder.snapshot(tmp.path + "/reference/" + month)
        #expect(!expected.isEmpty)
        func published() -> [String: Data] { TempFolder.snapshot(out + "/" + month).filter { $0.key != "run.json" } }
        #expect(published() == expected.filter { $0.key != "run.json" })
        // The next night: every hash from the index both tasks wrote, every map from the cache.
        let second = try StagedCacheEndToEndTests.stagedRun(data: data, out: out, shared: tmp.path + "/shared-2", tmp: tmp)
        #expect(second.contains("map cache: 0 of \(files) file(s) read, \(files) from the cache, 0 of \(files) hashed"))
        #expect(published() == expected.filter { $0.key != "run.json" })
    }

    @Test func incrementalNeedsACacheFolder() throws {
        let r = try PWSBinary.run(["map", "--task", "0", "--tasks", "1", "--partitions", "2", "--shared", "/tmp/x",
                                   "--incremental"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--incremental needs --out OUT"))
        let s = try PWSBinary.run(["map", "--task", "0", "--tasks", "1", "--partitions", "2", "--shared", "/tmp/x",
                                   "--rehash"])
        #expect(s.status == 64)
        #expect(s.stderr.contains("go with --incremental"))
        // The cache is OUT/.cache/map/ only (spec §A7: its entries hold row contents).
        let c = try PWSBinary.run(["map", "--task", "0", "--tasks", "1", "--partitions", "2", "--shared", "/tmp/x",
                                   "--incremental", "--out", "/tmp/x-out", "--cache", "/tmp/x-cache"])
        #expect(c.status == 64)
        #expect(c.stderr.contains("Unknown option '--cache'"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/x-cache"))
    }
}
