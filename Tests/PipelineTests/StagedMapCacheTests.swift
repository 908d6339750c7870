import Foundation
import Logging
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The incremental map cache of the staged commands (`pws map --incremental`, then dedup,
/// reduce and merge; docs/scale.md "The cache on a cluster"): a rerun's map tasks read only new
/// or changed files and the merge publishes the bytes a fresh `pws run` publishes; the merge
/// says how many files were read and how many came from the cache over all map tasks; an
/// unusable entry is rebuilt; a changed catalogue invalidates; two runs share one cache without
/// one's merge pruning what the other's map tasks are using.
@Suite struct StagedMapCacheTests {
    struct Staged {
        var maps: [RunReport]
        var dedups: [RunReport]
        var reduces: [RunReport]
        var merge: RunReport
    }

    /// The four stages in turn, as a scheduler runs them, each map task with the cache in
    /// `OUT/.cache/map/`.
    static func staged(data: String, out: String, shared: String, mapTasks: Int = 2, partitions: Int = 3,
                       pipeline: String? = nil) throws -> Staged {
        let request = MapCacheTests.request(data: data, out: out, pipeline: pipeline)
        var run = ShardedRun(runner: PipelineRunner(request: request, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }),
                             shared: shared)
        run.useMapCache(out: out)
        let maps = try (0..<mapTasks).map { try run.map(task: $0, tasks: mapTasks, partitions: partitions) }
        let dedups = try (0..<partitions).map { try run.dedup(task: $0, tasks: partitions) }
        let reduces = try (0..<partitions).map { try run.reduce(task: $0, tasks: partitions) }
        return Staged(maps: maps, dedups: dedups, reduces: reduces, merge: try run.merge())
    }

    static func listing(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func rerunReadsOnlyNewAndChangedFilesAndPublishesPwsRunsBytes() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out"
        let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference")
        // Files in read order: 2025-01_f00 … 2025-05_f04; map task 0 has 0..<2, task 1 2..<5.
        let cold = try StagedMapCacheTests.staged(data: data, out: out, shared: tmp.url.path + "/shared-1")
        #expect(cold.merge.exitStatus == .success)
        #expect(MapCacheTests.counts(cold.maps[0])?.read == 2)
        #expect(MapCacheTests.counts(cold.maps[1])?.read == 3)
        #expect(MapCacheTests.counts(cold.merge)?.read == 5)
        #expect(MapCacheTests.counts(cold.merge)?.cached == 0)
        #expect(cold.merge.lines.first?.hasPrefix("map cache: 5 of 5 file(s) read, 0 from the cache") == true)
        #expect(ShardedRunTests.snapshot(out) == expected, "cold")
        #expect(MapCacheTests.entries(out).count == 5)
        // The merge recorded the run, folded the tasks' index parts in and removed its in-flight records.
        #expect(StagedMapCacheTests.listing(out + "/.cache/map/runs").count == 1)
        #expect(StagedMapCacheTests.listing(out + "/.cache/map/hashes.d").isEmpty)
        #expect(StagedMapCacheTests.listing(out + "/.cache/map/inflight").isEmpty)
        // A file of someone else's in hashes.d/ stays through the next merge's folding (every
        // `*.pws` there was taken for an index part and removed).
        #expect(FileManager.default.createFile(atPath: out + "/.cache/map/hashes.d/notes.pws", contents: Data("x".utf8)))

        // One file changed (its last row dropped) and a new one: 2025-01_f00, 2025-02_f01,
        // 2025-02_new | 2025-03_f02 (changed), 2025-04_f03, 2025-05_f04 — each task reads one.
        let changed = data + "/layanan/2025-03_f02.csv"
        var lines = try String(contentsOfFile: changed, encoding: .utf8).split(separator: "\n")
        lines.removeLast()
        try (lines.joined(separator: "\n") + "\n").write(toFile: changed, atomically: false, encoding: .utf8)
        try FileManager.default.copyItem(atPath: data + "/layanan/2025-01_f00.csv", toPath: data + "/layanan/2025-02_new.csv")
        let expected2 = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference-2")
        let warm = try StagedMapCacheTests.staged(data: data, out: out, shared: tmp.url.path + "/shared-2")
        for task in 0..<2 {
            #expect(MapCacheTests.counts(warm.maps[task])?.read == 1, "task \(task)")
            #expect(MapCacheTests.counts(warm.maps[task])?.cached == 2, "task \(task)")
        }
        #expect(warm.merge.lines.first?.hasPrefix("map cache: 2 of 6 file(s) read, 4 from the cache") == true)
        #expect(StagedMapCacheTests.listing(out + "/.cache/map/hashes.d") == ["notes.pws"])
        #expect(ShardedRunTests.snapshot(out) == expected2, "warm")
        #expect(try String(contentsOfFile: out + "/2025-12/warnings.csv", encoding: .utf8).contains("W-DUPLICATE"))
        // Other task counts and `pws run --partitions --incremental` use the same entries (same P).
        let three = try StagedMapCacheTests.staged(data: data, out: out, shared: tmp.url.path + "/shared-3", mapTasks: 3)
        #expect(MapCacheTests.counts(three.merge)?.read == 0)
        #expect(MapCacheTests.counts(three.merge)?.cached == 6)
        #expect(ShardedRunTests.snapshot(out) == expected2, "3 x 3")
        // Another P has entries of its own (an entry holds its rows split by P).
        let two = try StagedMapCacheTests.staged(data: data, out: out, shared: tmp.url.path + "/shared-4", mapTasks: 3,
                                                 partitions: 2)
        #expect(MapCacheTests.counts(two.merge)?.read == 6)
        #expect(ShardedRunTests.snapshot(out) == expected2, "3 x 2")
        let oneProcess = try MapCacheTests.incremental(data: data, out: out)
        #expect(MapCacheTests.counts(oneProcess)?.read == 0)
        #expect(ShardedRunTests.snapshot(out) == expected2, "pws run --partitions --incremental")
    }

    @Test func unusableEntryIsRebuiltNotTrusted() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out"
        let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference")
        _ = try StagedMapCacheTests.staged(data: data, out: out, shared: tmp.url.path + "/shared-1")
        let names = MapCacheTests.entries(out)
        #expect(names.count == 5)
        // A flipped bit in the middle: in a partition's rows, which the map does not read — the
        // dedup or reduce task that reads them reads the file again, takes its section from the
        // rebuilt entry and writes the entry back, as it was.
        let entry = out + "/.cache/map/entries/" + names[2]
        let original = try Data(contentsOf: URL(fileURLWithPath: entry))
        var bytes = [UInt8](original)
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: entry))
        let rerun = try StagedMapCacheTests.staged(data: data, out: out, shared: tmp.url.path + "/shared-2")
        #expect(rerun.merge.exitStatus == .success)
        let repaired = (rerun.dedups + rerun.reduces).flatMap(\.lines).filter { $0.contains("cannot be used") }
        #expect(repaired.count == 1)
        #expect(repaired.first?.contains("(entry \(ShardedRun.absolute(entry)) is corrupted (checksum of a block differs))") == true)
        #expect(repaired.first?.hasSuffix("read the file again and rebuilt its entry") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: entry)) == original)
        #expect(MapCacheTests.counts(rerun.merge)?.read == 0)
        #expect(MapCacheTests.counts(rerun.merge)?.cached == 5)
        #expect(ShardedRunTests.snapshot(out) == expected)
        // An entry the map can see is unusable (truncated) is rebuilt by the map itself.
        let other = out + "/.cache/map/entries/" + names[0]
        let whole = try Data(contentsOf: URL(fileURLWithPath: other))
        try whole.prefix(whole.count - 10).write(to: URL(fileURLWithPath: other))
        let warm = try StagedMapCacheTests.staged(data: data, out: out, shared: tmp.url.path + "/shared-3")
        #expect(warm.merge.exitStatus == .success)
        #expect(MapCacheTests.counts(warm.merge)?.read == 1)
        #expect(MapCacheTests.counts(warm.merge)?.cached == 4)
        #expect(MapCacheTests.counts(warm.merge)?.rebuilt == 1)
        #expect(warm.merge.lines.filter { $0.contains("cannot be used") && $0.contains("truncated") }.count == 1)
        // The task that met it says so too, the other reused all of its files.
        #expect(warm.maps.map { MapCacheTests.counts($0)?.rebuilt ?? -1 }.sorted() == [0, 1])
        #expect(ShardedRunTests.snapshot(out) == expected)
        let next = try StagedMapCacheTests.staged(data: data, out: out, shared: tmp.url.path + "/shared-4")
        #expect(MapCacheTests.counts(next.merge)?.read == 0)
        #expect(ShardedRunTests.snapshot(out) == expected)
    }

    /// A staged run's dedup and reduce tasks each meet an entry with a corrupted row section
    /// and an entry removed after the map: each rebuilds that entry in place from its file
    /// (one console line), and the merge publishes `pws run`'s bytes; every entry is then as
    /// the cold run wrote it. A file changed since the map cannot be rebuilt into the map its
    /// summary describes: the task fails naming the map task to rerun, and removes the entry.
    @Test func dedupAndReduceRebuildAnEntryInPlace() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out"
        let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference")
        _ = try StagedMapCacheTests.staged(data: data, out: out, shared: tmp.url.path + "/shared-1")
        let folder = out + "/.cache/map/entries/"
        var original: [String: Data] = [:]
        for name in MapCacheTests.entries(out) { original[folder + name] = try Data(contentsOf: URL(fileURLWithPath: folder + name)) }
        #expect(original.count == 5)
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        var run = ShardedRun(runner: PipelineRunner(request: MapCacheTests.request(data: data, out: out), logger: quiet),
                             shared: tmp.url.path + "/shared-2")
        run.useMapCache(out: out)
        // Map task 0: 2025-01_f00, 2025-02_f01; task 1: 2025-03_f02, 2025-04_f03, 2025-05_f04.
        _ = try (0..<2).map { try run.map(task: $0, tasks: 2, partitions: 3) }
        let key = try run.expectedKey(pipeline: try run.runner.loadPipeline(indicators: false))
        let layouts = try (0..<2).flatMap { try #require(try run.readManifest($0, key: key)).layouts }
        #expect(layouts.map(\.source) == (0..<5).map { "layanan/2025-0\($0 + 1)_f0\($0).csv" })
        // A byte of `section`'s first block flipped (section 2 + 2j: ids_j, 1 + 2j: part_j).
        func flip(_ layout: MapEntryLayout, section: Int) throws {
            #expect(layout.lengths[section] >= 2)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: layout.path)))
            bytes[layout.offset(section) + 8 + 1] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: layout.path))
        }
        func repaired(_ report: RunReport) -> [String] { report.lines.filter { $0.contains("cannot be used") } }
        let rebuilt = "read the file again and rebuilt its entry"

        // Dedup 1 meets f01's corrupted ids_1; dedup 0 meets f02's entry gone (first to read it).
        try flip(layouts[1], section: 2 + 2 * 1)
        try FileManager.default.removeItem(atPath: layouts[2].path)
        let dedups = try (0..<3).map { try run.dedup(task: $0, tasks: 3) }
        #expect(repaired(dedups[0]) == [
            "map cache: the entry of layanan/2025-03_f02.csv cannot be used (entry \(layouts[2].path) is missing); dedup task 0 \(rebuilt)",
        ])
        #expect(repaired(dedups[1]) == [
            "map cache: the entry of layanan/2025-02_f01.csv cannot be used (entry \(layouts[1].path) is corrupted (checksum of a block differs)); dedup task 1 \(rebuilt)",
        ])
        #expect(repaired(dedups[2]).isEmpty)
        for layout in layouts { #expect(try Data(contentsOf: URL(fileURLWithPath: layout.path)) == original[layout.path], "\(layout.source)") }

        // Reduce 2 meets f04's corrupted part_2; reduce 0 meets f03's entry gone.
        try flip(layouts[4], section: 1 + 2 * 2)
        try FileManager.default.removeItem(atPath: layouts[3].path)
        let reduces = try (0..<3).map { try run.reduce(task: $0, tasks: 3) }
        #expect(repaired(reduces[0]) == [
            "map cache: the entry of layanan/2025-04_f03.csv cannot be used (entry \(layouts[3].path) is missing); reduce task 0 \(rebuilt)",
        ])
        #expect(repaired(reduces[1]).isEmpty)
        #expect(repaired(reduces[2]) == [
            "map cache: the entry of layanan/2025-05_f04.csv cannot be used (entry \(layouts[4].path) is corrupted (checksum of a block differs)); reduce task 2 \(rebuilt)",
        ])
        for layout in layouts { #expect(try Data(contentsOf: URL(fileURLWithPath: layout.path)) == original[layout.path], "\(layout.source)") }
        let merge = try run.merge()
        #expect(merge.exitStatus == .success)
        #expect(ShardedRunTests.snapshot(out) == expected)
        #expect(MapCacheTests.counts(merge)?.cached == 5)
        // The rewritten entries serve the next run as the others do.
        #expect(MapCacheTests.counts(try StagedMapCacheTests.staged(data: data, out: out,
                                                                    shared: tmp.url.path + "/shared-3").merge)?.read == 0)
        #expect(ShardedRunTests.snapshot(out) == expected)

        // f02 changed (its last row dropped) after its map task read it, and its entry gone:
        // the dedup task cannot rebuild what the summary describes.
        var again = ShardedRun(runner: PipelineRunner(request: MapCacheTests.request(data: data, out: out), logger: quiet),
                               shared: tmp.url.path + "/shared-4")
        again.useMapCache(out: out)
        _ = try (0..<2).map { try again.map(task: $0, tasks: 2, partitions: 3) }
        let changed = data + "/layanan/2025-03_f02.csv"
        var lines = try String(contentsOfFile: changed, encoding: .utf8).split(separator: "\n")
        lines.removeLast()
        try (lines.joined(separator: "\n") + "\n").write(toFile: changed, atomically: false, encoding: .utf8)
        try flip(layouts[2], section: 2 + 2 * 0)
        do {
            _ = try again.dedup(task: 0, tasks: 3)
            Issue.record("dedup used the map of a changed file")
        } catch let error as PWSError {
            #expect(error.exitStatus == .dataError)
            #expect(error.message == "map cache: entry \(layouts[2].path) is corrupted (checksum of a block differs) (the map of layanan/2025-03_f02.csv), and it cannot be rebuilt here: \(changed) changed since map task 1 read it (its sha256 differs), so the map summary no longer describes it; it was removed — run map task 1 again (it reads that file again and rebuilds its entry), then dedup and reduce")
        }
        #expect(!FileManager.default.fileExists(atPath: layouts[2].path))
        #expect(MapCacheTests.entries(out).count == 4)
    }

    @Test func changedCatalogueInvalidatesEveryEntry() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out"
        let pipeline = try MapCacheTests.pipelineCopy(tmp)
        var n = 0
        func run() throws -> RunReport {
            n += 1
            return try StagedMapCacheTests.staged(data: data, out: out, shared: tmp.url.path + "/shared-\(n)",
                                                  pipeline: pipeline).merge
        }
        #expect(MapCacheTests.counts(try run())?.read == 5)
        #expect(MapCacheTests.counts(try run())?.read == 0)
        try MapCacheTests.append("# changed\n", to: tmp.url.path + "/pipelines/services.yaml")
        let services = try run()
        #expect(MapCacheTests.counts(services)?.read == 5)
        #expect(MapCacheTests.counts(services)?.cached == 0)
        #expect(MapCacheTests.counts(try run())?.read == 0)
        try MapCacheTests.append("# changed\n", to: tmp.url.path + "/pipelines/indicators.yaml")
        #expect(MapCacheTests.counts(try run())?.read == 5)
        let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference", pipeline: pipeline)
        #expect(ShardedRunTests.snapshot(out) == expected)
    }

    /// Two staged runs into one OUT: run B's map tasks write an entry while run A merges; A's
    /// prune keeps it (B's in-flight records name it), B's merge then records it. An in-flight
    /// record older than a day protects nothing and goes; the entry it named then stays until it
    /// is over an hour old.
    @Test func twoRunsShareOneCacheWithoutPruningEachOthersEntries() throws {
        let tmp = try TemporaryFolder()
        let dataA = try MapCacheTests.makeData(tmp)
        let dataB = tmp.url.path + "/data-b"
        try FileManager.default.copyItem(atPath: dataA, toPath: dataB)
        try FileManager.default.copyItem(atPath: dataB + "/layanan/2025-02_f01.csv", toPath: dataB + "/layanan/2025-12_new.csv")
        let out = tmp.url.path + "/out"
        let inflight = out + "/.cache/map/inflight"
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        func stage(_ data: String, _ shared: String) -> ShardedRun {
            var run = ShardedRun(runner: PipelineRunner(request: MapCacheTests.request(data: data, out: out), logger: quiet),
                                 shared: tmp.url.path + "/" + shared)
            run.useMapCache(out: out)
            return run
        }
        let a = stage(dataA, "shared-a"), b = stage(dataB, "shared-b")
        let mapsA = try (0..<2).map { try a.map(task: $0, tasks: 2, partitions: 2) }
        #expect(mapsA.map { MapCacheTests.counts($0)?.read } == [2, 3])
        #expect(StagedMapCacheTests.listing(inflight).count == 2)
        // B's files have A's paths in their data folder and A's bytes, so A's entries serve them,
        // all but the new file's (B task 1: 2025-04_f03, 2025-05_f04, 2025-12_new).
        let mapsB = try (0..<2).map { try b.map(task: $0, tasks: 2, partitions: 2) }
        #expect(mapsB.map { MapCacheTests.counts($0)?.read } == [0, 1])
        #expect(mapsB.map { MapCacheTests.counts($0)?.cached } == [3, 2])
        #expect(StagedMapCacheTests.listing(inflight).count == 4)
        #expect(MapCacheTests.entries(out).count == 6)
        // Entries over an hour old, so that only B's in-flight records keep B's new entry.
        for name in MapCacheTests.entries(out) { MapCacheTests.age(out + "/.cache/map/entries/" + name, seconds: 2 * 3600) }
        for j in 0..<2 { _ = try a.dedup(task: j, tasks: 2) }
        for j in 0..<2 { _ = try a.reduce(task: j, tasks: 2) }
        let mergeA = try a.merge()
        #expect(mergeA.exitStatus == .success)
        // A recorded its 5 entries and pruned, but B's new entry is in use: it stays — B's
        // dedup and reduce below read its rows from it.
        #expect(MapCacheTests.entries(out).count == 6)
        #expect(StagedMapCacheTests.listing(inflight).count == 2)
        for j in 0..<2 { _ = try b.dedup(task: j, tasks: 2) }
        for j in 0..<2 { _ = try b.reduce(task: j, tasks: 2) }
        let mergeB = try b.merge()
        #expect(mergeB.lines.first?.hasPrefix("map cache: 1 of 6 file(s) read, 5 from the cache") == true)
        #expect(StagedMapCacheTests.listing(inflight).isEmpty)
        #expect(MapCacheTests.entries(out).count == 6)
        let expectedB = try MapCacheTests.reference(data: dataB, out: tmp.url.path + "/reference-b")
        #expect(ShardedRunTests.snapshot(out) == expectedB)
        #expect(MapCacheTests.counts(try StagedMapCacheTests.staged(data: dataB, out: out, shared: tmp.url.path + "/shared-b2",
                                                                    partitions: 2).merge)?.read == 0)

        // A run whose map tasks died a day ago: its in-flight record no longer protects its entry.
        try FileManager.default.copyItem(atPath: dataB + "/layanan/2025-02_f01.csv", toPath: dataB + "/layanan/2025-12_z.csv")
        let c = stage(dataB, "shared-c")
        let before = Set(MapCacheTests.entries(out))
        #expect(MapCacheTests.counts(try c.map(task: 0, tasks: 1, partitions: 2))?.read == 1)
        let dead = Set(MapCacheTests.entries(out)).subtracting(before)
        #expect(dead.count == 1)
        let records = StagedMapCacheTests.listing(inflight)
        #expect(records.count == 1)
        MapCacheTests.age(inflight + "/" + records[0], seconds: 25 * 3600)
        try FileManager.default.removeItem(atPath: dataB + "/layanan/2025-12_z.csv")
        #expect(MapCacheTests.counts(try StagedMapCacheTests.staged(data: dataB, out: out, shared: tmp.url.path + "/shared-b3",
                                                                    partitions: 2).merge)?.read == 0)
        #expect(StagedMapCacheTests.listing(inflight).isEmpty)
        // The record went, but its entry was written less than an hour ago: it stays …
        #expect(Set(MapCacheTests.entries(out)) == before.union(dead))
        // … until it is over an hour old.
        MapCacheTests.age(out + "/.cache/map/entries/" + dead.first!, seconds: 3600 + 60)
        #expect(MapCacheTests.counts(try StagedMapCacheTests.staged(data: dataB, out: out, shared: tmp.url.path + "/shared-b4",
                                                                    partitions: 2).merge)?.read == 0)
        #expect(Set(MapCacheTests.entries(out)) == before)
    }

    /// Map tasks that name the run differently (the shared folder reached by another path on
    /// one node): the merge publishes as usual, says why it records and prunes nothing, and
    /// still removes both tasks' in-flight records.
    @Test func tasksThatNameTheRunDifferentlyLeaveNoInflightRecords() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out"
        let shared = tmp.url.path + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: tmp.url.path + "/shared-link", withDestinationPath: shared)
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        func stage(_ folder: String) -> ShardedRun {
            var run = ShardedRun(runner: PipelineRunner(request: MapCacheTests.request(data: data, out: out), logger: quiet),
                                 shared: folder)
            run.useMapCache(out: out)
            return run
        }
        let direct = stage(shared), linked = stage(tmp.url.path + "/shared-link")
        _ = try direct.map(task: 0, tasks: 2, partitions: 2)
        _ = try linked.map(task: 1, tasks: 2, partitions: 2)
        let inflight = out + "/.cache/map/inflight"
        #expect(Set(StagedMapCacheTests.listing(inflight).map { $0.split(separator: ".")[0] }).count == 2)
        for j in 0..<2 { _ = try direct.dedup(task: j, tasks: 2) }
        for j in 0..<2 { _ = try direct.reduce(task: j, tasks: 2) }
        let merge = try direct.merge()
        #expect(merge.exitStatus == .success)
        #expect(merge.lines.contains { $0.hasPrefix("map cache: the map tasks named the run 2 ways (") && $0.hasSuffix("; the run is not recorded in the cache and nothing is pruned") })
        #expect(StagedMapCacheTests.listing(inflight).isEmpty)
        #expect(StagedMapCacheTests.listing(out + "/.cache/map/runs").isEmpty)
        let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference")
        #expect(ShardedRunTests.snapshot(out) == expected)
    }

    /// A map task that used the cache wrote a manifest, not partition files: when the manifest
    /// is lost, dedup and reduce name it — they said `ids-1-0.pws` was missing, a file that task
    /// never writes. A task without the cache is still told of its partition files.
    @Test func lostManifestIsNamed() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out", shared = tmp.url.path + "/shared"
        var run = ShardedRun(runner: PipelineRunner(request: MapCacheTests.request(data: data, out: out),
                                                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }),
                             shared: shared)
        run.useMapCache(out: out)
        for i in 0..<2 { _ = try run.map(task: i, tasks: 2, partitions: 2) }
        let manifest = shared + "/pws/map/manifest-1.pws", kept = tmp.url.path + "/manifest-1.pws"
        try FileManager.default.copyItem(atPath: manifest, toPath: kept)
        func expectManifestNamed(_ stage: () throws -> RunReport) throws {
            try FileManager.default.removeItem(atPath: manifest)
            do {
                _ = try stage()
                Issue.record("a lost manifest was not noticed")
            } catch let error as PWSError {
                #expect(error.code == .inputMissing)
                #expect(error.message == "intermediate file \(manifest) is missing: the stage that writes it has not finished (run it, or resume the run)")
            }
            try FileManager.default.copyItem(atPath: kept, toPath: manifest)
        }
        try expectManifestNamed { try run.dedup(task: 0, tasks: 2) }
        for j in 0..<2 { _ = try run.dedup(task: j, tasks: 2) }
        try expectManifestNamed { try run.reduce(task: 0, tasks: 2) }
        // Without the cache, map task 1 writes partition files; its stale manifest and
        // cache-use record go, and a lost partition file is named.
        let plain = ShardedRun(runner: PipelineRunner(request: MapCacheTests.request(data: data, out: out),
                                                      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }),
                               shared: shared)
        _ = try plain.map(task: 1, tasks: 2, partitions: 2)
        try FileManager.default.removeItem(atPath: shared + "/pws/map/ids-1-0.pws")
        #expect(throws: PWSError.self) { try plain.dedup(task: 0, tasks: 2) }
        do {
            _ = try plain.dedup(task: 0, tasks: 2)
        } catch let error as PWSError {
            #expect(error.message.contains("/pws/map/ids-1-0.pws is missing"))
        }
    }
}
