import Concurrency
import Foundation
import Testing

/// `BoundedQueue`: first in, first out across threads, never more than `limit` waiting.
@Suite struct BoundedQueueTests {
    /// A producer thread puts 0…999 through a queue of 3; the consumer takes them in that order.
    @Test func itemsArriveInOrderThroughASmallQueue() throws {
        let queue = BoundedQueue<Int>(limit: 3)
        let producer = BackgroundThread { for i in 0..<1000 { queue.put(i) } }
        var seen: [Int] = []
        for _ in 0..<1000 { seen.append(queue.take()) }
        try producer.wait()
        #expect(seen == Array(0..<1000))
    }

    /// A producer blocked on a full queue (limit 2, third item) returns when the consumer
    /// closes it; that put and every later one report false and keep nothing.
    @Test func closeReleasesABlockedProducer() throws {
        let queue = BoundedQueue<Int>(limit: 2)
        let filled = DispatchSemaphore(value: 0)
        let producer = BackgroundThread { () -> [Bool] in
            var kept = [queue.put(1), queue.put(2)]
            filled.signal()
            kept.append(queue.put(3))  // waits: two items wait already
            kept.append(queue.put(4))
            return kept
        }
        filled.wait()
        Thread.sleep(forTimeInterval: 0.05)
        queue.close()
        #expect(try producer.wait() == [true, true, false, false])
    }
}

/// `OrderedBlockQueue`: blocks made on any thread are taken in number order.
@Suite struct OrderedBlockQueueTests {
    /// 4 producers claim 200 blocks (window 3) and hand in block b as b × b; the consumer takes
    /// 0, 1, 4, 9, … and never more than 3 blocks are out at once.
    @Test func blocksAreTakenInNumberOrderWithinTheWindow() throws {
        let queue = OrderedBlockQueue<Int>(count: 200, window: 3)
        let producers = (0..<4).map { _ in
            BackgroundThread { while let b = queue.claim() { queue.put(b * b, at: b) } }
        }
        var taken: [Int] = []
        for b in 0..<200 { taken.append(queue.take(b) ?? -1) }
        for p in producers { try p.wait() }
        #expect(taken == (0..<200).map { $0 * $0 })
        #expect(queue.peakInFlight <= 3)
    }

    /// After `stop`, `claim` and `take` return nil and the first error is kept.
    @Test func stopWakesEveryoneAndKeepsTheFirstError() {
        struct Boom: Error, Equatable { var n: Int }
        let queue = OrderedBlockQueue<Int>(count: 10, window: 2)
        #expect(queue.claim() == 0)
        queue.stop(Boom(n: 1))
        queue.stop(Boom(n: 2))
        #expect(queue.claim() == nil)
        #expect(queue.take(0) == nil)
        #expect(queue.failure as? Boom == Boom(n: 1))
    }
}

/// `BackgroundThread` and `Locked`.
@Suite struct BackgroundThreadTests {
    /// The body's value comes back; a second wait gives it again.
    @Test func waitReturnsTheValueTwice() throws {
        let thread = BackgroundThread { 6 * 7 }
        #expect(try thread.wait() == 42)
        #expect(try thread.wait() == 42)
    }

    /// What the body throws is thrown by `wait`.
    @Test func waitThrowsTheBodysError() {
        struct Failed: Error {}
        let thread = BackgroundThread { () throws -> Int in throw Failed() }
        #expect(throws: Failed.self) { try thread.wait() }
    }

    /// 4 threads add 1 a thousand times each under the lock: 4 × 1000 = 4000, none lost.
    @Test func lockedCountsEveryIncrement() throws {
        let count = Locked(0)
        let threads = (0..<4).map { _ in BackgroundThread { for _ in 0..<1000 { count.withLock { $0 += 1 } } } }
        for t in threads { try t.wait() }
        #expect(count.withLock { $0 } == 4000)
    }
}
