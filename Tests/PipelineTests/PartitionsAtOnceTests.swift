import Concurrency
import Foundation
@testable import Pipeline
import PWSCore
import Testing

/// `pws run --partitions P` works on several partitions at once (one per core) while their
/// candidate rows together fit `ShardedRun.rowsAtOnce` (1.5 M); larger ones go in turn.
@Suite struct PartitionsAtOnceTests {
    @Test func rowsBoundHowManyPartitionsRunAtOnce() {
        #expect(ShardedRun.rowsAtOnce == 1_500_000)
        // 3 M rows, P = 8: 375 000 a partition, 4 would fit; 2 cores.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 3_000_000, partitions: 8, cores: 2) == 2)
        // 30 M rows, P = 8 (the bound of 1 GiB): 3.75 M a partition, in turn.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 30_000_000, partitions: 8, cores: 2) == 1)
        // 10 M rows, P = 8: 1.25 M a partition; two would be 2.5 M, so in turn.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 10_000_000, partitions: 8, cores: 8) == 1)
        // 10 M rows, P = 16 on 8 cores: 625 000 a partition, two fit (1.25 M), three do not.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 10_000_000, partitions: 16, cores: 8) == 2)
        // 1 M rows, P = 8 on 8 cores: 125 000 a partition, 12 would fit: the cores bound it.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 1_000_000, partitions: 8, cores: 8) == 8)
        // Never more than the partitions, never fewer than one.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 100, partitions: 1, cores: 2) == 1)
        #expect(ShardedRun.tasksAtOnce(candidateRows: 0, partitions: 3, cores: 8) == 3)
        #expect(ShardedRun.tasksAtOnce(candidateRows: 0, partitions: 3, cores: 1) == 1)
        // Rounded up: 1 500 001 rows in one partition are over the bound.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 1_500_001, partitions: 1, cores: 2) == 1)
        #expect(ShardedRun.tasksAtOnce(candidateRows: 1_500_000, partitions: 2, cores: 2) == 2)
    }

    /// With two at once, partition 0 can see partition 1 start: it waits for it (a bounded
    /// wait, so the test fails rather than hangs when they run in turn).
    @Test func twoAtOnceRunTogether() throws {
        let started = DispatchSemaphore(value: 0)
        let together = Locked(false)
        try ShardedRun.eachPartition(2, atOnce: 2) { j in
            if j == 1 { started.signal(); return }
            let saw = started.wait(timeout: .now() + 20) == .success
            together.withLock { $0 = saw }
        }
        #expect(together.withLock { $0 })
    }

    /// Every partition runs once; after a failure no partition starts; the error is the lowest
    /// failing partition's, as a run in turn would stop at.
    @Test func failuresStopTheClaimsAndTheLowestIsThrown() throws {
        for atOnce in [1, 2, 4] {
            let ran = Locked([Int]())
            try ShardedRun.eachPartition(9, atOnce: atOnce) { j in ran.withLock { $0.append(j) } }
            #expect(ran.withLock { $0.sorted() } == Array(0..<9), "atOnce \(atOnce)")

            let tried = Locked([Int]())
            var thrown: Int?
            do {
                try ShardedRun.eachPartition(9, atOnce: atOnce) { j in
                    tried.withLock { $0.append(j) }
                    // Partition 5 fails at once; partition 3 fails a little later, while others may run.
                    if j == 5 { throw PWSError(.data, "partition 5") }
                    if j == 3 {
                        Thread.sleep(forTimeInterval: 0.05)
                        throw PWSError(.data, "partition 3")
                    }
                }
            } catch let error as PWSError {
                thrown = Int(error.message.split(separator: " ").last ?? "")
            }
            #expect(thrown == 3, "atOnce \(atOnce)")
            let partitions = tried.withLock { $0 }
            // 0…3 all ran (claimed before 3 failed); in turn nothing after 3 starts; at once,
            // only partitions claimed before the first failure was seen.
            #expect(Set(0...3).isSubset(of: Set(partitions)), "atOnce \(atOnce): \(partitions)")
            if atOnce == 1 { #expect(partitions == [0, 1, 2, 3]) }
            #expect(partitions.count <= 3 + 2 * atOnce, "atOnce \(atOnce): \(partitions)")
        }
    }
}
