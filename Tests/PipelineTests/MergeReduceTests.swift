import Export
import Foundation
import Logging
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing

/// The merge reads each reduce output a block at a time and adds its counts into one dense
/// array as they come (`ShardedRun.readReduce(_:key:asOf:into:)`): the sums, the rows it keeps
/// and their order, and a damaged or misfitting output refused with the file named.
@Suite struct MergeReduceTests {
    static let key = ShardFileTests.key

    static func run(_ shared: String) -> ShardedRun {
        ShardedRun(runner: PipelineRunner(request: ShardedRunTests.request(data: "/data", out: shared + "/out"),
                                          logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }),
                   shared: shared)
    }

    static func warning(_ line: Int, _ message: String) -> ShardedRun.KeyedDiagnostic {
        ShardedRun.KeyedDiagnostic(row: line, seq: 0, diagnostic: Diagnostic(
            location: SourceLocation(source: "layanan/a.csv", line: line), recordID: "R\(line)", rule: .result,
            field: "result", value: "x", message: "m\(message)"))
    }

    /// Partition `j`'s output: count k is j + 1 where k is a multiple of 5 + 2j, else 0; RTs
    /// seen: the multiples of 3 + j; SPM counts 1 at k = j and k = 10; one warning, one
    /// completeness row and one follow-up row naming j.
    static func output(_ j: Int, size: Int, rts: Int) -> ShardedRun.ReduceOutput {
        var o = ShardedRun.ReduceOutput()
        o.events = 100 + j
        o.files = [j: (accepted: 10 * (j + 1), duplicate: j, outOfPeriod: 1), 7: (accepted: 1, duplicate: 0, outOfPeriod: 0)]
        o.warnings = [warning(20 - j, "\(j)")]
        o.counts = (0..<size).map { $0 % (5 + 2 * j) == 0 ? Int32(j + 1) : 0 }
        o.seenRTs = (0..<rts).map { $0 % (3 + j) == 0 }
        o.completeness = [CompletenessRow(facility: "P\(j)", facilityType: "posyandu", year: 2025, month: 3, records: j + 1,
                                          persons: 1, reported: true)]
        o.spmCounts = (0..<40).map { $0 == j || $0 == 10 ? 1 : 0 }
        o.spmSeenRTs = (0..<rts).map { $0 == j }
        o.followUp = [FollowUpRow(facilityID: "F\(j)", villageCode: "V", rw: "1", rt: "2", person: "p\(j)", sortKey: "p\(j)",
                                  ageMonths: 12 + j, reasons: "BGM", weightDate: "", weightKg: "", lengthDate: "",
                                  lengthCm: "", waz: "", haz: "", whz: "")]
        return o
    }

    static func write(_ run: ShardedRun, _ j: Int, _ payload: [UInt8]) throws {
        try FileManager.default.createDirectory(atPath: run.shared + "/pws/reduce", withIntermediateDirectories: true)
        try ShardFile.write(ShardHeader(kind: "reduce", task: j, key: key), payload: payload, to: run.reducePath(j))
    }

    /// The message of `body`'s refusal, which must be a `PWSError(.data)`; nil when it succeeds.
    static func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as PWSError {
            #expect(error.code == .data)
            return error.message
        } catch {
            return "\(error)"
        }
    }

    static func empty(size: Int, rts: Int) -> ShardedRun.MergedReduces {
        ShardedRun.MergedReduces(counts: [Int32](repeating: 0, count: size), seen: [Bool](repeating: false, count: rts),
                                 spmCounts: [Int32](repeating: 0, count: 40), spmSeen: [Bool](repeating: false, count: rts))
    }

    /// Three partitions of 3 M counts each (~1 MB of varints a partition: records run across
    /// the 1 MiB blocks), summed into one array.
    @Test func countsAddUpAcrossPartitionsAndBlocks() throws {
        let tmp = try TemporaryFolder()
        let run = Self.run(tmp.url.path)
        let size = 3_000_000, rts = 50
        for j in 0..<3 {
            let payload = run.encode(Self.output(j, size: size, rts: rts))
            if j == 0 { #expect(payload.count > ShardFile.blockSize, "the counts span several blocks") }
            try Self.write(run, j, payload)
        }
        var merged = Self.empty(size: size, rts: rts)
        for j in 0..<3 { try run.readReduce(j, key: Self.key, asOf: YearMonth(year: 2025, month: 6), into: &merged) }
        // Count k: 1 if 5 | k, + 2 if 7 | k, + 3 if 9 | k.
        var wrong = 0
        for k in 0..<size {
            let expected = (k % 5 == 0 ? 1 : 0) + (k % 7 == 0 ? 2 : 0) + (k % 9 == 0 ? 3 : 0)
            if merged.counts[k] != Int32(expected) { wrong += 1 }
        }
        #expect(wrong == 0)
        #expect(merged.counts[315] == 6 && merged.counts[1] == 0 && merged.counts[2_999_997] == 2 + 3, "7 and 9 divide 2 999 997")
        // Seen: multiples of 3, 4 or 5.
        #expect(merged.seen == (0..<rts).map { $0 % 3 == 0 || $0 % 4 == 0 || $0 % 5 == 0 })
        #expect(merged.spmCounts[0] == 1 && merged.spmCounts[1] == 1 && merged.spmCounts[2] == 1)
        #expect(merged.spmCounts[10] == 3 && merged.spmCounts.reduce(0, +) == 6)
        #expect(merged.spmSeen == (0..<rts).map { $0 < 3 })
        // Rows kept in partition order, each partition's in its own order.
        #expect(merged.warnings.map(\.diagnostic.location.line) == [20, 19, 18])
        #expect(merged.warnings.map(\.diagnostic.message) == ["m0", "m1", "m2"])
        #expect(merged.followUp.map(\.person) == ["p0", "p1", "p2"])
        #expect(merged.followUp.map(\.ageMonths) == [12, 13, 14])
        #expect(merged.completeness.map { $0.map(\.facility) } == [["P0"], ["P1"], ["P2"]])
        #expect(merged.completeness[2][0].year == 2025 && merged.completeness[2][0].records == 3)
        // Files: 0 → (10, 0, 1), 1 → (20, 1, 1), 2 → (30, 2, 1), 7 → (3, 0, 0).
        #expect(merged.files[0]! == (10, 0, 1) && merged.files[1]! == (20, 1, 1) && merged.files[2]! == (30, 2, 1))
        #expect(merged.files[7]! == (3, 0, 0) && merged.files.count == 4)
    }

    /// A partition without events (no as-of: empty counts) adds nothing and fits any run.
    @Test func aPartitionWithoutCountsAddsNothing() throws {
        let tmp = try TemporaryFolder()
        let run = Self.run(tmp.url.path)
        try Self.write(run, 0, run.encode(ShardedRun.ReduceOutput()))
        try Self.write(run, 1, run.encode(Self.output(1, size: 30, rts: 4)))
        var merged = Self.empty(size: 30, rts: 4)
        try run.readReduce(0, key: Self.key, asOf: nil, into: &merged)
        #expect(merged.counts == [Int32](repeating: 0, count: 30) && merged.warnings.isEmpty)
        try run.readReduce(1, key: Self.key, asOf: nil, into: &merged)
        #expect(merged.counts == (0..<30).map { $0 % 7 == 0 ? 2 : 0 })
    }

    /// Counts of another catalogue or register, and a payload that stops inside a record.
    @Test func misfitsAndTruncatedPayloadsAreRefused() throws {
        let tmp = try TemporaryFolder()
        let run = Self.run(tmp.url.path)
        func refusal(_ j: Int, size: Int, rts: Int) -> String? {
            var merged = Self.empty(size: size, rts: rts)
            return Self.refusal { try run.readReduce(j, key: Self.key, asOf: nil, into: &merged) }
        }
        try Self.write(run, 0, run.encode(Self.output(0, size: 30, rts: 4)))
        #expect(refusal(0, size: 31, rts: 4)?.contains("does not fit the register and catalogue") == true)
        #expect(refusal(0, size: 30, rts: 5)?.contains("does not fit the register and catalogue") == true)
        #expect(refusal(0, size: 30, rts: 4) == nil)
        let whole = run.encode(Self.output(0, size: 30, rts: 4))
        try Self.write(run, 1, Array(whole.dropLast(3)))
        #expect(refusal(1, size: 30, rts: 4)?.contains("reduce-1.pws is corrupted") == true)
        try Self.write(run, 2, whole + [0])
        #expect(refusal(2, size: 30, rts: 4)?.contains("reduce-2.pws is corrupted") == true)
    }
    /// Counts are of persons, far below `Int32.max`: partitions whose counts for one cell sum
    /// past it make a corrupted file (named), never a wrapped, negative count; for the SPM
    /// catalogue's counts too. One below the limit still adds up.
    @Test func countsThatOverflowInt32AreCorruption() throws {
        let tmp = try TemporaryFolder()
        let run = Self.run(tmp.url.path)
        func output(count: Int32, spm: Int32) -> ShardedRun.ReduceOutput {
            var o = ShardedRun.ReduceOutput()
            o.counts = [count, 0, 0]
            o.seenRTs = [true, false]
            o.spmCounts = [spm] + [Int32](repeating: 0, count: 39)
            o.spmSeenRTs = [true, false]
            return o
        }
        func merge(_ outputs: [ShardedRun.ReduceOutput]) throws -> ShardedRun.MergedReduces {
            for (j, o) in outputs.enumerated() { try Self.write(run, j, run.encode(o)) }
            var merged = Self.empty(size: 3, rts: 2)
            for j in outputs.indices { try run.readReduce(j, key: Self.key, asOf: nil, into: &merged) }
            return merged
        }
        func refusal(_ outputs: [ShardedRun.ReduceOutput]) -> String? { Self.refusal { _ = try merge(outputs) } }
        let fits = try merge([output(count: Int32.max - 1, spm: Int32.max - 2), output(count: 1, spm: 2)])
        #expect(fits.counts == [Int32.max, 0, 0] && fits.spmCounts[0] == Int32.max)
        // (2³¹ − 2) + 2 = 2³¹, one past the limit: refused in the second partition's file.
        #expect(refusal([output(count: Int32.max - 1, spm: 0), output(count: 2, spm: 0)])?
            .contains("reduce-1.pws is corrupted") == true)
        #expect(refusal([output(count: 0, spm: Int32.max), output(count: 0, spm: 0), output(count: 0, spm: 1)])?
            .contains("reduce-2.pws is corrupted") == true)
    }
}
