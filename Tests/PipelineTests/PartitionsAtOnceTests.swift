import Concurrency
import Foundation
@testable import Pipeline
import PWSCore
import Testing

/// `pws run --partitions P` works on several partitions at once (one per core) while their
/// candidate rows together fit `ShardedRun.rowsAtOnce` (1.5 M); larger ones go in turn.
@Suite struct PartitionsAtOnceTests {
    /// `pws run --partitions` maps on a task per core, at most four; with the cache, on one
    /// task (whose map reads on every core); with a FHIR export, on one.
    @Test func mapTasksFollowTheCores() {
        #expect(ShardedRun.mapTasksAtMost == 4)
        #expect(ShardedRun.mapTasks(cores: 1, incremental: false) == 1)
        #expect(ShardedRun.mapTasks(cores: 2, incremental: false) == 2)
        #expect(ShardedRun.mapTasks(cores: 3, incremental: false) == 3)
        #expect(ShardedRun.mapTasks(cores: 16, incremental: false) == 4)
        #expect(ShardedRun.mapTasks(cores: 0, incremental: false) == 1)
        #expect(ShardedRun.mapTasks(cores: 2, incremental: true) == 1)
        #expect(ShardedRun.mapTasks(cores: 16, incremental: true) == 1)
        // A FHIR export: one task (each would build the whole context).
        #expect(ShardedRun.mapTasks(cores: 4, incremental: false, fhir: true) == 1)
        #expect(ShardedRun.mapTasks(cores: 4, incremental: false, fhir: false) == 4)
    }

    @Test func rowsBoundHowManyPartitionsRunAtOnce() {
        #expect(ShardedRun.rowsAtOnce == 1_500_000)
        // Small tallies (1 MB): the rows and the cores decide.
        let small = 1_000_000
        // 3 M rows, P = 8: 375 000 a partition, 4 would fit; 2 cores.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 3_000_000, partitions: 8, cores: 2, tallyBytes: small) == 2)
        // 30 M rows, P = 8 (the issue's bound of 1 GiB): 3.75 M a partition, in turn.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 30_000_000, partitions: 8, cores: 2, tallyBytes: small) == 1)
        // 10 M rows, P = 8: 1.25 M a partition; two would be 2.5 M, so in turn.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 10_000_000, partitions: 8, cores: 8, tallyBytes: small) == 1)
        // 10 M rows, P = 16 on 8 cores: 625 000 a partition, two fit (1.25 M), three do not.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 10_000_000, partitions: 16, cores: 8, tallyBytes: small) == 2)
        // 1 M rows, P = 8 on 8 cores: 125 000 a partition, 12 would fit: the cores bound it.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 1_000_000, partitions: 8, cores: 8, tallyBytes: small) == 8)
        // Never more than the partitions, never fewer than one.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 100, partitions: 1, cores: 2, tallyBytes: small) == 1)
        #expect(ShardedRun.tasksAtOnce(candidateRows: 0, partitions: 3, cores: 8, tallyBytes: 0) == 3)
        #expect(ShardedRun.tasksAtOnce(candidateRows: 0, partitions: 3, cores: 1, tallyBytes: small) == 1)
        // Rounded up: 1 500 001 rows in one partition are over the bound.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 1_500_001, partitions: 1, cores: 2, tallyBytes: small) == 1)
        #expect(ShardedRun.tasksAtOnce(candidateRows: 1_500_000, partitions: 2, cores: 2, tallyBytes: small) == 2)
        // The tallies: each task holds at least one (134 MB + 29 MB of SPM at 30 M records), and
        // together they stay within the 288 MiB budget. 30 M rows with P = 128 on 8 cores:
        // 234 375 rows a partition (6 would fit), but one tally of 163 MB: in turn.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 30_000_000, partitions: 128, cores: 8, tallyBytes: 163_000_000) == 1)
        // 10 M records (45 MB + 10 MB) with P = 64 on 8 cores: 5 fit the budget (301 989 888 / 55 000 000).
        #expect(ShardedRun.tasksAtOnce(candidateRows: 10_000_000, partitions: 64, cores: 8, tallyBytes: 55_000_000) == 5)
        // 3 M records (20 MB) with P = 8 on 8 cores: the rows allow 4, the tallies 15.
        #expect(ShardedRun.tasksAtOnce(candidateRows: 3_000_000, partitions: 8, cores: 8, tallyBytes: 20_000_000) == 4)
    }

    /// With two at once, partition 0 can see partition 1 start: it waits for it (a bounded
    /// wait, so the test fails rather than hangs when they run in turn). Needs two cores.
    @Test(.enabled(if: Parallel.defaultWorkers >= 2)) func twoAtOnceRunTogether() throws {
        let started = DispatchSemaphore(value: 0)
        let together = Locked(false)
        try ShardedRun.eachTask(2, atOnce: 2) { j in
            if j == 1 { started.signal(); return }
            let saw = started.wait(timeout: .now() + 20) == .success
            together.withLock { $0 = saw }
        }
        #expect(together.withLock { $0 })
    }

    /// Every partition runs once, in claim order when in turn.
    @Test func everyPartitionRunsOnce() throws {
        for atOnce in [1, 2, 4, 20] {
            let ran = Locked([Int]())
            try ShardedRun.eachTask(9, atOnce: atOnce) { j in ran.withLock { $0.append(j) } }
            #expect(ran.withLock { $0.sorted() } == Array(0..<9), "atOnce \(atOnce)")
            if atOnce == 1 { #expect(ran.withLock { $0 } == Array(0..<9)) }
        }
        try ShardedRun.eachTask(0, atOnce: 2) { _ in Issue.record("no partition to run") }
    }

    /// In turn: the first failure stops the run there, and is thrown.
    @Test func inTurnTheFirstFailureStops() throws {
        let tried = Locked([Int]())
        var thrown = ""
        do {
            try ShardedRun.eachTask(9, atOnce: 1) { j in
                tried.withLock { $0.append(j) }
                if j == 3 || j == 5 { throw PWSError(.data, "partition \(j)") }
            }
        } catch let error as PWSError {
            thrown = error.message
        }
        #expect(thrown == "partition 3")
        #expect(tried.withLock { $0 } == [0, 1, 2, 3])
    }

    /// Two at once: partition 1 fails while partition 0 runs; partition 0 then fails too. No
    /// further partition is claimed after the first failure, and the error thrown is partition
    /// 0's, the one a run in turn would stop at. Needs two cores.
    @Test(.enabled(if: Parallel.defaultWorkers >= 2)) func atOnceTheLowestFailureIsThrown() throws {
        let oneFailed = DispatchSemaphore(value: 0)
        let tried = Locked([Int]())
        var thrown = ""
        do {
            try ShardedRun.eachTask(9, atOnce: 2) { j in
                tried.withLock { $0.append(j) }
                if j == 1 {
                    defer { oneFailed.signal() }
                    throw PWSError(.data, "partition 1")
                }
                if j == 0 {
                    #expect(oneFailed.wait(timeout: .now() + 20) == .success)
                    throw PWSError(.data, "partition 0")
                }
            }
        } catch let error as PWSError {
            thrown = error.message
        }
        #expect(thrown == "partition 0")
        #expect(tried.withLock { $0.sorted() } == [0, 1])
    }
}
