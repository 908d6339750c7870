import Export
import Foundation
import Logging
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing

/// The merge takes each service file's sha256 and size for run.json from the map tasks that
/// used the cache (`map/digests-i.pws`), so a warm rerun reads no input file but its new ones;
/// a map task without the cache writes none and the merge hashes the files itself.
@Suite struct MapDigestsTests {
    static func run(data: String, out: String, shared: String, cached: Bool) -> ShardedRun {
        var run = ShardedRun(runner: PipelineRunner(request: MapCacheTests.request(data: data, out: out),
                                                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }),
                             shared: shared)
        if cached { run.useMapCache(out: out) }
        return run
    }

    static func mapDedupReduce(_ run: ShardedRun) throws {
        for t in 0..<2 { _ = try run.map(task: t, tasks: 2, partitions: 3) }
        for j in 0..<3 { _ = try run.dedup(task: j, tasks: 3) }
        for j in 0..<3 { _ = try run.reduce(task: j, tasks: 3) }
    }

    /// run.json's entry for `source`: its sha256 and bytes.
    static func input(_ folder: String, _ source: String) throws -> (sha256: String, bytes: Int)? {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/run.json")))
        let inputs = (json as? [String: Any])?["inputs"] as? [[String: Any]] ?? []
        guard let entry = inputs.first(where: { $0["path"] as? String == source }),
              let sha256 = entry["sha256"] as? String, let bytes = entry["bytes"] as? Int else { return nil }
        return (sha256, bytes)
    }

    /// A dedup task checks the map summaries whose stamp its output records: a truncated one,
    /// or one copied over another's, fails the dedup (exit 65), not only the reduce after it.
    @Test func dedupRefusesADamagedMapSummary() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out", shared = tmp.url.path + "/shared"
        let run = Self.run(data: data, out: out, shared: shared, cached: false)
        for t in 0..<2 { _ = try run.map(task: t, tasks: 2, partitions: 3) }
        let summary0 = shared + "/pws/map/summary-0.pws", summary1 = shared + "/pws/map/summary-1.pws"
        let good = try Data(contentsOf: URL(fileURLWithPath: summary0))
        func dedupFails(_ expected: String) {
            do {
                _ = try run.dedup(task: 0, tasks: 3)
                Issue.record("dedup took a damaged summary")
            } catch let error as PWSError {
                #expect(error.exitStatus == .dataError)
                #expect(error.message.contains(expected), "\(error.message)")
            } catch {
                Issue.record("\(error)")
            }
        }
        try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: summary0))
        dedupFails("intermediate file \(summary0) is truncated")
        try FileManager.default.removeItem(atPath: summary0)
        try FileManager.default.copyItem(atPath: summary1, toPath: summary0)
        dedupFails("is the output of task 1")
        try good.write(to: URL(fileURLWithPath: summary0))
        _ = try run.dedup(task: 0, tasks: 3)
    }

    @Test func mergeNamesTheBytesTheMapWasOf() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out", shared = tmp.url.path + "/shared"
        let source = "layanan/2025-03_f02.csv"
        let file = data + "/" + source
        let mapped = try FileDigest.sha256(path: file)
        let cached = MapDigestsTests.run(data: data, out: out, shared: shared, cached: true)
        try MapDigestsTests.mapDedupReduce(cached)
        // Every file's digest as the map hashed it, in read order.
        let listing = try FileManager.default.contentsOfDirectory(atPath: data + "/layanan").sorted().map { "layanan/" + $0 }
        #expect(listing.count == 5)
        let key = try cached.expectedKey(pipeline: cached.runner.loadPipeline(indicators: false))
        let digests: [ContentDigest] = try #require(try cached.readDigests(key: key, files: listing.count))
        let hashed = try listing.map { try FileDigest.sha256(path: data + "/" + $0) }
        #expect(digests.map { $0.hex } == hashed.map { $0.hex })
        #expect(digests.map { $0.bytes } == hashed.map { $0.bytes })

        // The file changes after the map (a line more): the merge names the bytes mapped, as
        // the published numbers are of them; it does not hash the file again.
        let handle = try #require(FileHandle(forWritingAtPath: file))
        handle.seekToEndOfFile()
        handle.write(Data("\n".utf8))
        handle.closeFile()
        let changed = try FileDigest.sha256(path: file)
        #expect(changed.hex != mapped.hex)
        let report = try cached.merge()
        let folder = try #require(report.folder)
        #expect(try MapDigestsTests.input(folder, source)?.sha256 == mapped.hex)
        #expect(try MapDigestsTests.input(folder, source)?.bytes == mapped.bytes)

        // Map tasks without the cache in the same shared folder write their own digests, of the
        // bytes they read: the changed file's; then changed again after this map, the merge
        // still names the bytes mapped.
        let plain = MapDigestsTests.run(data: data, out: out, shared: shared, cached: false)
        try MapDigestsTests.mapDedupReduce(plain)
        #expect(FileManager.default.fileExists(atPath: shared + "/pws/map/digests-0.pws"))
        #expect(FileManager.default.fileExists(atPath: shared + "/pws/map/digests-1.pws"))
        let after = try #require(FileHandle(forWritingAtPath: file))
        after.seekToEndOfFile()
        after.write(Data("\n".utf8))
        after.closeFile()
        let again = try plain.merge()
        #expect(try MapDigestsTests.input(try #require(again.folder), source)?.sha256 == changed.hex)
        #expect(try MapDigestsTests.input(try #require(again.folder), source)?.bytes == changed.bytes)
    }

    /// A damaged digests file fails the merge with a message naming it; nothing is published.
    @Test func damagedDigestsFailTheMerge() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out", shared = tmp.url.path + "/shared"
        let cached = MapDigestsTests.run(data: data, out: out, shared: shared, cached: true)
        try MapDigestsTests.mapDedupReduce(cached)
        let path = shared + "/pws/map/digests-1.pws"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 12] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var message = ""
        do { _ = try cached.merge() } catch let error as PWSError { message = error.message }
        #expect(message.contains(path), "\(message)")
        // Nothing published: OUT holds its lock file and the cache only.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { !$0.hasPrefix(".") }.isEmpty)
    }
}
