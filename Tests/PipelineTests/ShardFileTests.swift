import Foundation
import Logging
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing

/// The intermediate files of a sharded run: the partition hash, and that a truncated, corrupted
/// or foreign file fails the task that reads it with a message naming it.
@Suite struct ShardFileTests {
    /// The vectors of docs/scale.md (computed with an independent implementation).
    @Test func partitionHashVectors() {
        let cases: [(String, UInt64, Int, Int, Int)] = [
            ("a", 0xaf63_dc4c_8601_ec8c, 0, 5, 4),
            ("3201010101800001", 0xe051_ace7_0216_b8fb, 1, 2, 3),
            ("3174055708920003", 0x6d9b_7673_fe39_c88b, 1, 4, 3),
            ("RM-00042/PKM", 0x57e5_2ccc_6cb1_4b28, 0, 1, 0),
        ]
        for (id, hash, mod2, mod7, mod8) in cases {
            #expect(PartitionHash.fnv1a(Array(id.utf8)) == hash, "\(id)")
            #expect(PartitionHash.partition(Array(id.utf8), of: 2) == mod2)
            #expect(PartitionHash.partition(Array(id.utf8), of: 7) == mod7)
            #expect(PartitionHash.partition(Array(id.utf8), of: 8) == mod8)
        }
    }

    @Test func sharesAreContiguousAndCoverEveryFile() {
        for files in [0, 1, 5, 12] {
            for tasks in [1, 2, 3, 7, 20] {
                let shares = (0..<tasks).map { ShardedRun.share(files: files, task: $0, tasks: tasks) }
                #expect(shares.first?.lowerBound == 0 && shares.last?.upperBound == files)
                for k in 1..<tasks { #expect(shares[k].lowerBound == shares[k - 1].upperBound) }
            }
        }
    }

    static let key = ShardRunKey(pipeline: "p", services: "s", indicators: "i", register: "r", sasaran: "t", files: "f",
                                 today: "2026-01-10", asOf: nil, keepIdentifiers: false, skipUnreadable: false,
                                 mapTasks: 2, partitions: 3, dataDirectory: "/data")

    /// A file of three blocks (the payload is 2.5 blocks long).
    static func written(_ folder: TemporaryFolder) throws -> (path: String, payload: [UInt8]) {
        let path = folder.url.path + "/sub/part-0-1.pws"
        let payload = (0..<(ShardFile.blockSize * 5 / 2)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try ShardFile.write(ShardHeader(kind: "map-partition", task: 0, key: key), payload: payload, to: path)
        return (path, payload)
    }

    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as PWSError { return "\(error)" } catch { return "\(error)" }
        return nil
    }

    @Test func roundTripAndNoTemporaryLeft() throws {
        let folder = try TemporaryFolder()
        let (path, payload) = try ShardFileTests.written(folder)
        let (header, read) = try ShardFile.read(path, kind: "map-partition", expected: ShardFileTests.key)
        #expect(header.task == 0 && header.format == ShardFile.formatVersion)
        #expect(read == payload)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path + "/sub") == ["part-0-1.pws"])
    }

    @Test func truncatedFileFails() throws {
        let folder = try TemporaryFolder()
        let (path, _) = try ShardFileTests.written(folder)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [10, 100, ShardFile.blockSize, bytes.count - 1, bytes.count - 20] {
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: path))
            let message = ShardFileTests.message { _ = try ShardFile.read(path, kind: "map-partition", expected: ShardFileTests.key) }
            #expect(message?.contains(path) == true, "cut at \(cut)")
            #expect(message?.contains("truncated") == true || message?.contains("corrupted") == true, "cut at \(cut): \(message ?? "read")")
        }
    }

    @Test func corruptedBlockFails() throws {
        let folder = try TemporaryFolder()
        let (path, _) = try ShardFileTests.written(folder)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0x40  // inside the second block
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let message = ShardFileTests.message { _ = try ShardFile.read(path, kind: "map-partition", expected: ShardFileTests.key) }
        #expect(message?.contains("\(path) is corrupted (checksum of block 1 differs)") == true, "\(message ?? "read")")
    }

    @Test func otherRunOrVersionIsRefused() throws {
        let folder = try TemporaryFolder()
        let (path, _) = try ShardFileTests.written(folder)
        var other = ShardFileTests.key
        other.today = "2026-01-11"
        let message = ShardFileTests.message { _ = try ShardFile.read(path, kind: "map-partition", expected: other) }
        #expect(message?.contains("other settings (today: 2026-01-10 here, 2026-01-11 expected)") == true, "\(message ?? "read")")
        #expect(ShardFileTests.message { _ = try ShardFile.read(path, kind: "reduce", expected: ShardFileTests.key) }?
            .contains("holds map-partition, expected reduce") == true)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[8] = 9  // format version 9
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(ShardFileTests.message { _ = try ShardFile.read(path, kind: "map-partition", expected: ShardFileTests.key) }?
            .contains("format version 9") == true)
        #expect(ShardFileTests.message { _ = try ShardFile.read(path + "-absent", kind: "map-partition", expected: nil) }?
            .contains("is missing") == true)
    }

    /// A stage reading a damaged file of the run fails naming it; rerunning the task that wrote
    /// it (it is rewritten whole) lets the run finish with the same output.
    @Test func damagedPartitionFailsTheReduceUntilTheMapReruns() throws {
        let folder = try TemporaryFolder()
        let data = folder.url.path + "/data"
        try ShardedRunTests.randomData(seed: 5, at: data, files: 3, rowsPerFile: 10...20, persons: 8, badShare: 0)
        let shared = folder.url.path + "/shared"
        let request = ShardedRunTests.request(data: data, out: folder.url.path + "/out")
        let run = ShardedRun(runner: PipelineRunner(request: request, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }),
                             shared: shared)
        for i in 0..<2 { _ = try run.map(task: i, tasks: 2, partitions: 2) }
        for j in 0..<2 { _ = try run.dedup(task: j, tasks: 2) }
        let part = run.partPath(1, 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: part))
        try bytes.prefix(bytes.count - 7).write(to: URL(fileURLWithPath: part))
        let message = ShardFileTests.message { _ = try run.reduce(task: 0, tasks: 2) }
        #expect(message?.contains("intermediate file \(part) is truncated") == true, "\(message ?? "reduce ran")")
        _ = try run.map(task: 1, tasks: 2, partitions: 2)
        for j in 0..<2 { _ = try run.reduce(task: j, tasks: 2) }
        let merged = try run.merge()
        #expect(merged.exitStatus == .success, "\(merged.lines)")
        #expect(ShardFileTests.message { _ = try run.reduce(task: 0, tasks: 3) }?.contains("give reduce --tasks 2") == true)
    }
}
