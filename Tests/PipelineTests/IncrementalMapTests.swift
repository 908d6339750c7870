import Foundation
import Logging
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing
import Validate
import Concurrency

/// A warm map task cut into runs of files for several threads (`IncrementalMap`): whatever the
/// number of threads and runs, it hands on the same manifest and summary, writes the same
/// entries, and says the same console lines in the same order as one thread over all files.
@Suite struct IncrementalMapTests {
    @Test func runsAreCutByCost() {
        #expect(Parallel.ranges(weights: [], parts: 4) == [])
        #expect(Parallel.ranges(weights: [5, 5, 5, 5], parts: 2) == [0..<2, 2..<4])
        #expect(Parallel.ranges(weights: [5, 5, 5, 5], parts: 1) == [0..<4])
        // More parts than files: one file a run.
        #expect(Parallel.ranges(weights: [5, 5, 5], parts: 8) == [0..<1, 1..<2, 2..<3])
        // The new files come last and cost most: the cached ones share a run with the first new
        // one (share = 303 / 3 rounded up = 101: a run closes once it reaches it).
        #expect(Parallel.ranges(weights: [1, 1, 1, 100, 100, 100], parts: 3) == [0..<4, 4..<6])
        // A file dearer than a share closes its run at once.
        #expect(Parallel.ranges(weights: [300, 1, 1, 1], parts: 2) == [0..<1, 1..<4])
    }

    struct Outcome: Equatable {
        var layouts: [String]
        var accounts: [String]
        var rejects: [UInt8]
        var rejectCount: Int
        var notes: [String]
        var unregistered: [String]
        var candidates: Int
        var lines: [String]
        var counts: [Int]
        var entries: [String: Data]
    }

    /// The run's settings and register, as a map task loads them.
    static func inputs(data: String, out: String) throws -> (ValidationSettings, AreaRegister) {
        let runner = PipelineRunner(request: MapCacheTests.request(data: data, out: out),
                                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let settings = runner.validationSettings(try runner.loadPipeline(indicators: false))
        return (settings, try Validation.loadRegister(dataDirectory: data, settings: settings).register)
    }

    /// One map over `sources` with the cache in `folder`.
    static func map(_ folder: String, data: String, sources: [String], settings: ValidationSettings,
                    register: AreaRegister, workers: Int, runsPerWorker: Int) throws -> Outcome {
        let cache = MapCache(folder: folder, options: MapCacheOptions())
        let map = try IncrementalMap(cache: cache, data: data, settings: settings, register: register, sources: sources,
                                     run: MapEntryTests.key, partitions: MapEntryTests.key.partitions, workers: workers,
                                     runsPerWorker: runsPerWorker, privatePath: { folder + "/private-\($0).pws" })
        cache.saveIndex(map.indexRecords)
        try map.run()
        let o = map.outline
        let entries = Dictionary(uniqueKeysWithValues: try FileManager.default.contentsOfDirectory(atPath: cache.entriesFolder)
            .map { ($0, FileManager.default.contents(atPath: cache.entriesFolder + "/" + $0) ?? Data()) })
        return Outcome(
            layouts: o.layouts.map { "\(($0.path as NSString).lastPathComponent) \($0.source) \($0.size) \($0.lengths)" },
            accounts: o.accounts.map { "\($0.source) \($0.rowsRead) \($0.rowsRejected) \($0.blankRows)" },
            rejects: o.rejects, rejectCount: o.rejectCount, notes: o.notes,
            unregistered: o.unregistered.map { "\($0.village) \($0.rw) \($0.rt)" }, candidates: o.candidates,
            lines: cache.lines.map { $0.replacingOccurrences(of: folder, with: "CACHE") },
            counts: [cache.reused, cache.remapped, cache.rebuilt, cache.hashed, cache.trusted], entries: entries)
    }

    /// 9 files: 4 cached, 4 without an entry and 1 whose entry is truncated (rebuilt), with
    /// 1, 2 and 3 threads and up to 9 runs — every outcome the one of a single thread.
    @Test func anyCutGivesTheSameMap() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try ShardedRunTests.randomData(seed: 77, at: data, files: 9, rowsPerFile: 10...25, persons: 15)
        let sources = Validation.serviceListing(in: data).files
        #expect(sources.count == 9)
        let (settings, register) = try IncrementalMapTests.inputs(data: data, out: tmp.url.path + "/out")
        // The cold map of all files, on one thread: the reference.
        let cold = try IncrementalMapTests.map(tmp.url.path + "/cold", data: data, sources: sources, settings: settings,
                                               register: register, workers: 1, runsPerWorker: 1)
        // The files are seconds old: none is in the hash index yet, every one is hashed.
        #expect(cold.counts == [0, 9, 0, 9, 0])
        #expect(cold.entries.count == 9)
        #expect(cold.rejectCount > 0)
        #expect(cold.lines.isEmpty)
        // The night's cache: entries of files 3, 4, 7 and 8 gone, file 6's truncated.
        let night = tmp.url.path + "/night"
        try FileManager.default.copyItem(atPath: tmp.url.path + "/cold", toPath: night)
        let entryOf = Dictionary(uniqueKeysWithValues: cold.layouts.enumerated().map { ($0.offset, String($0.element.split(separator: " ")[0])) })
        for k in [3, 4, 7, 8] { try FileManager.default.removeItem(atPath: night + "/entries/" + entryOf[k]!) }
        let truncated = night + "/entries/" + entryOf[6]!
        let bytes = try #require(FileManager.default.contents(atPath: truncated))
        try bytes.prefix(bytes.count - 9).write(to: URL(fileURLWithPath: truncated))
        var reference: Outcome?
        for (workers, runs) in [(1, 1), (2, 8), (3, 1), (3, 3), (2, 2)] {
            let folder = tmp.url.path + "/warm-\(workers)-\(runs)"
            try FileManager.default.copyItem(atPath: night, toPath: folder)
            let warm = try IncrementalMapTests.map(folder, data: data, sources: sources, settings: settings,
                                                   register: register, workers: workers, runsPerWorker: runs)
            // 4 from their entries; 4 read; file 6 read again, its entry rebuilt, with one line.
            #expect(warm.counts == [4, 5, 1, 9, 0], "\(workers) × \(runs)")
            #expect(warm.lines.count == 1)
            #expect(warm.lines.first?.hasPrefix("map cache: the entry of \(sources[6]) cannot be used (") == true)
            // The same manifest, summary and entries as the cold map.
            var same = warm
            same.lines = []
            same.counts = cold.counts
            #expect(same == cold, "\(workers) × \(runs)")
            if let reference { #expect(warm == reference, "\(workers) × \(runs)") } else { reference = warm }
        }
    }

    /// Files over 2 s old are recorded in the hash index when hashed, and the next map trusts
    /// the records instead of hashing: the same map either way.
    @Test func theIndexVouchesForFilesOnceTheyAreOld() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try ShardedRunTests.randomData(seed: 78, at: data, files: 4, rowsPerFile: 5...12, persons: 6)
        let sources = Validation.serviceListing(in: data).files
        let (settings, register) = try IncrementalMapTests.inputs(data: data, out: tmp.url.path + "/out")
        let folder = tmp.url.path + "/cache"
        func map() throws -> Outcome {
            try IncrementalMapTests.map(folder, data: data, sources: sources, settings: settings, register: register,
                                        workers: 2, runsPerWorker: 2)
        }
        let first = try map()  // seconds old: hashed, not recorded
        #expect(first.counts == [0, 4, 0, 4, 0])
        #expect(try MapCache.readIndex(folder + "/hashes.pws").isEmpty)
        Thread.sleep(forTimeInterval: 3)
        let second = try map()  // hashed again, now recorded
        #expect(second.counts == [4, 0, 0, 4, 0])
        #expect(try MapCache.readIndex(folder + "/hashes.pws").map(\.path).sorted() == sources.map { data + "/" + $0 }.sorted())
        let third = try map()  // trusted
        #expect(third.counts == [4, 0, 0, 0, 4])
        #expect(third.layouts == first.layouts && third.rejects == first.rejects && third.entries == first.entries)
    }

    /// Two files that cannot be hashed (folders with a file's name): the map fails naming the
    /// first in read order, with any number of threads.
    @Test func theFirstFailureInReadOrderIsReported() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try ShardedRunTests.randomData(seed: 79, at: data, files: 8, rowsPerFile: 5...8, persons: 6)
        var sources = Validation.serviceListing(in: data).files
        for k in [3, 6] {
            sources[k] = "layanan/2025-0\(k)_broken.csv"
            try FileManager.default.createDirectory(atPath: data + "/" + sources[k], withIntermediateDirectories: true)
        }
        let (settings, register) = try IncrementalMapTests.inputs(data: data, out: tmp.url.path + "/out")
        for (workers, runs) in [(1, 1), (2, 8), (3, 2)] {
            let error = #expect(throws: (any Error).self) {
                _ = try IncrementalMapTests.map(tmp.url.path + "/cache-\(workers)-\(runs)", data: data, sources: sources,
                                                settings: settings, register: register, workers: workers,
                                                runsPerWorker: runs)
            }
            let message = (error as? PWSError)?.message ?? "\(String(describing: error))"
            #expect(message.contains("2025-03_broken.csv"), "\(workers) × \(runs): \(message)")
            #expect(!message.contains("2025-06_broken.csv"), "\(workers) × \(runs): \(message)")
        }
    }
}
