import Concurrency
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

    /// Two threads of one process writing one file at once (two reduce tasks of
    /// `pws run --partitions` rebuilding one cache entry): each writes under a temporary name
    /// of its own, so no write fails and the file is whole, one of the two, with no temporary left.
    @Test func twoThreadsWritingOneFileEachWriteWhole() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.path + "/entry.pws"
        let failures = Parallel.map(2) { k -> [String] in
            let bytes = [UInt8](repeating: UInt8(65 + k), count: 1 << 20)
            var failed: [String] = []
            for _ in 0..<100 {
                do { try ShardFile.writeWhole(bytes, to: path) } catch { failed.append("\(error)") }
            }
            return failed
        }
        #expect(failures.map(\.count) == [0, 0], "first: \(failures.joined().first ?? "")")
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written.count == 1 << 20)
        #expect(written.allSatisfy { $0 == 65 } || written.allSatisfy { $0 == 66 })
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["entry.pws"])
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

    /// Records of 1 to 600 bytes, numbered, whose payload runs over three blocks (records are
    /// cut by the block boundaries): what `ShardRecordStream` must give back one by one.
    static func writtenRecords(_ folder: TemporaryFolder) throws -> (path: String, count: Int) {
        let path = folder.url.path + "/part-0-2.pws"
        var e = ShardEncoder()
        var n = 0
        while e.bytes.count < ShardFile.blockSize * 5 / 2 {
            e.uint(UInt64(n))
            e.raw([UInt8](repeating: UInt8(truncatingIfNeeded: n), count: n % 600))
            n += 1
        }
        try ShardFile.write(ShardHeader(kind: "map-partition", task: 0, key: key), payload: e.bytes, to: path)
        return (path, n)
    }

    static func record(_ d: inout ShardDecoder) throws -> (Int, [UInt8]) { (Int(try d.uint()), try d.raw()) }

    /// Reads every record with the stream; the numbers of those read before an error.
    static func streamed(_ path: String) -> (read: [Int], error: String?) {
        var read: [Int] = []
        do {
            var stream = try ShardRecordStream(path: path, kind: "map-partition", expected: key)
            while let (n, bytes) = try stream.next(record) {
                guard bytes == [UInt8](repeating: UInt8(truncatingIfNeeded: n), count: n % 600) else {
                    return (read, "record \(n) decoded wrong")
                }
                read.append(n)
            }
        } catch {
            return (read, "\(error)")
        }
        return (read, nil)
    }

    @Test func streamedRecordsAcrossBlocks() throws {
        let folder = try TemporaryFolder()
        let (path, count) = try ShardFileTests.writtenRecords(folder)
        let (read, error) = ShardFileTests.streamed(path)
        #expect(error == nil, "\(error ?? "")")
        #expect(read == Array(0..<count))
    }

    /// The streamed reader holds one block at a time, so a damaged third block is found after
    /// the records of the first two were given out — and still fails the reading with the
    /// messages of the whole-file reader.
    @Test func streamedReaderFindsDamageInALaterBlock() throws {
        let folder = try TemporaryFolder()
        let (path, count) = try ShardFileTests.writtenRecords(folder)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let thirdBlock = 20 + Int(ShardFile.readUInt32(bytes, 12)) + 2 * (8 + ShardFile.blockSize)
        var corrupted = bytes
        corrupted[thirdBlock + 8 + 100] ^= 0x01
        try Data(corrupted).write(to: URL(fileURLWithPath: path))
        var (read, error) = ShardFileTests.streamed(path)
        #expect(error?.contains("\(path) is corrupted (checksum of block 2 differs)") == true, "\(error ?? "no error")")
        #expect(!read.isEmpty && read.count < count && read == Array(0..<read.count), "\(read.count) of \(count)")
        // Cut inside the third block: the records of the first two come, then the error.
        try Data(bytes.prefix(thirdBlock + 1000)).write(to: URL(fileURLWithPath: path))
        (read, error) = ShardFileTests.streamed(path)
        #expect(error?.contains("\(path) is truncated in block 2") == true, "\(error ?? "no error")")
        #expect(!read.isEmpty && read.count < count && read == Array(0..<read.count), "\(read.count) of \(count)")
        // Cut in or before the trailer: every record comes, and still the reading fails at the end.
        for cut in [bytes.count - 20, bytes.count - 5] {
            try Data(bytes.prefix(cut)).write(to: URL(fileURLWithPath: path))
            (read, error) = ShardFileTests.streamed(path)
            #expect(error?.contains("\(path) is truncated in its trailer") == true, "cut at \(cut): \(error ?? "no error")")
        }
        // A trailer that counts other blocks than the file has.
        var trailer = bytes
        trailer[bytes.count - 12] = 7
        try Data(trailer).write(to: URL(fileURLWithPath: path))
        #expect(ShardFileTests.streamed(path).error?.contains("corrupted (trailer") == true)
    }

    /// A key that differs in an optional field names both values as a user reads them.
    @Test func keyMismatchShowsOptionalValuesPlainly() throws {
        let folder = try TemporaryFolder()
        let (path, _) = try ShardFileTests.written(folder)
        var other = ShardFileTests.key
        other.asOf = "2025-06"
        let message = ShardFileTests.message { _ = try ShardFile.read(path, kind: "map-partition", expected: other) }
        #expect(message?.contains("other settings (asOf: none here, 2025-06 expected)") == true, "\(message ?? "read")")
        #expect(message?.contains("Optional") == false)
        var mine = ShardFileTests.key
        mine.asOf = "2025-05"
        try ShardFile.write(ShardHeader(kind: "map-partition", task: 0, key: mine), payload: [1, 2, 3], to: path)
        let both = ShardFileTests.message { _ = try ShardFile.read(path, kind: "map-partition", expected: other) }
        #expect(both?.contains("(asOf: 2025-05 here, 2025-06 expected)") == true, "\(both ?? "read")")
    }

    /// A stage reading a damaged file of the run fails naming it; rerunning the task that wrote
    /// it (it is rewritten whole) lets the run finish with the same output — once the stages
    /// after it are rerun too: a reduce refuses dedup outputs made before the map task's rerun.
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
        let stale = ShardFileTests.message { _ = try run.reduce(task: 0, tasks: 2) }
        #expect(stale?.contains("\(run.dedupPath(0)) was made from other map outputs than the shared folder holds now") == true,
                "\(stale ?? "reduce ran")")
        for j in 0..<2 { _ = try run.dedup(task: j, tasks: 2) }
        for j in 0..<2 { _ = try run.reduce(task: j, tasks: 2) }
        // A map task rerun after the reduces: the merge refuses their outputs.
        _ = try run.map(task: 0, tasks: 2, partitions: 2)
        #expect(ShardFileTests.message { _ = try run.merge() }?.contains("was made from other map") == true)
        for j in 0..<2 { _ = try run.dedup(task: j, tasks: 2) }
        // Dedup rerun but not reduce: the merge refuses the reduce outputs.
        let reduceStale = ShardFileTests.message { _ = try run.merge() }
        #expect(reduceStale?.contains("\(run.reducePath(0)) was made from other map or dedup outputs") == true,
                "\(reduceStale ?? "merged")")
        for j in 0..<2 { _ = try run.reduce(task: j, tasks: 2) }
        let merged = try run.merge()
        #expect(merged.exitStatus == .success, "\(merged.lines)")
        #expect(ShardFileTests.message { _ = try run.reduce(task: 0, tasks: 3) }?.contains("give reduce --tasks 2") == true)
    }
}
