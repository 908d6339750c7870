import Concurrency
import PWSCore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `Parallel`: ranges cut at allowed boundaries, results in part order.
@Suite struct ParallelTests {
    @Test func rangesAreEqualCutsMovedToBoundaries() {
        #expect(Parallel.ranges(10, parts: 3) == [0..<3, 3..<6, 6..<10])
        #expect(Parallel.ranges(10, parts: 1) == [0..<10])
        // Cuts at 3 and 6 move forward to the next even position.
        #expect(Parallel.ranges(10, parts: 3) { $0 % 2 == 0 } == [0..<4, 4..<6, 6..<10])
        // No boundary anywhere: one range.
        #expect(Parallel.ranges(10, parts: 4) { _ in false } == [0..<10])
        // A boundary only near the end: the first part takes most, the later cuts fall inside it.
        #expect(Parallel.ranges(10, parts: 4) { $0 == 9 } == [0..<9, 9..<10])
        #expect(Parallel.ranges(2, parts: 5) == [0..<1, 1..<2])
        #expect(Parallel.ranges(0, parts: 3) == [])
    }

    @Test func defaultWorkersAreCapped() {
        #expect(Parallel.processorCount >= 1)
        #expect(Parallel.defaultWorkers == min(Parallel.processorCount, 8))
    }

    @Test func mapKeepsPartOrder() {
        #expect(Parallel.map(0) { $0 } == [])
        #expect(Parallel.map(1) { $0 + 10 } == [10])
        // Enough work per part that the parts overlap in time.
        let sums = Parallel.map(6) { k in (0..<(200_000 * (6 - k))).reduce(0) { $0 &+ $1 % 7 } + k }
        let expected = (0..<6).map { k in (0..<(200_000 * (6 - k))).reduce(0) { $0 &+ $1 % 7 } + k }
        #expect(sums == expected)
    }

    @Test func pairGivesEachResultItsPlaceAndRunsBothAtOnce() {
        // Two types, each in its own place.
        let (a, b) = Parallel.pair({ "first" }, { 2 })
        #expect(a == "first")
        #expect(b == 2)
        // Each waits (at most 5 s) for the other to have started: true for both only when both
        // ran at once.
        let started = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        func meet(_ me: Int) -> Bool {
            started[me].signal()
            return started[1 - me].wait(timeout: .now() + 5) == .success
        }
        let (first, second) = Parallel.pair({ meet(0) }, { meet(1) })
        #expect(first && second)
    }

    @Test func claimingHandsEveryPartOutOnceToAsManyThreadsAsAsked() {
        for workers in [1, 2, 3, 8, 50] {
            let claimed = Parallel.claiming(37, workers: workers) { next -> [Int] in
                var mine: [Int] = []
                while let k = next() {
                    // Uneven work: a thread that drew a long part claims fewer.
                    _ = (0..<(k % 3) * 20_000).reduce(0) { $0 &+ $1 }
                    mine.append(k)
                }
                return mine
            }
            // One result per thread: never more threads than parts.
            #expect(claimed.count == min(workers, 37))
            // Each thread claims in order, and together they claimed every part exactly once.
            for mine in claimed { #expect(mine == mine.sorted()) }
            #expect(claimed.flatMap { $0 }.sorted() == Array(0..<37))
        }
        // No parts: one thread, told at once there is nothing.
        #expect(Parallel.claiming(0, workers: 4) { next in next() } == [nil])
    }

    #if os(Linux)
    @Test func aYieldingThreadRunsAtALowerPriorityAndLeavesItsStarterAsItWas() throws {
        errno = 0
        let before = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let yielding = try BackgroundThread(yielding: true) { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
            .wait()
        let plain = try BackgroundThread { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }.wait()
        #expect(yielding == min(before + 10, 19))
        #expect(plain == before)
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == before)
    }

    /// A thread the system will not make (here a stack of 64 TiB, which no mapping holds) is
    /// said at once — `startFailure`, and `wait()` throws it without waiting — and its body
    /// never runs; a Foundation `Thread` said nothing, and its starter waited for ever.
    @Test func aThreadTheSystemRefusesIsSaidAndNotWaitedFor() throws {
        let ran = Locked(false)
        let refused = BackgroundThread(stackSize: 1 << 46) { ran.withLock { $0 = true } }
        let failure = try #require(refused.startFailure)
        #expect("\(failure)".contains("cannot start a thread: "), "\(failure)")
        #expect(throws: PWSError.self) { try refused.wait() }
        #expect(throws: PWSError.self) { try refused.wait() }  // a second wait too
        usleep(50_000)
        #expect(ran.withLock { $0 } == false)
        // One the system makes runs as before.
        let made = BackgroundThread(stackSize: 1 << 20) { 6 * 7 }
        #expect(made.startFailure == nil)
        #expect(try made.wait() == 42)
    }
    #endif
}
