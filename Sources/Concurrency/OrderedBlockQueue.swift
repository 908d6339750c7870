import Foundation

/// Numbered blocks handed from any number of producing threads to one consuming thread in
/// number order, whatever order they are finished in.
///
/// Producers claim numbers in increasing order, never more than `window` past the oldest block
/// the consumer has not taken, so at most `window` blocks wait at once (the slot of block `b`
/// is `b % window`). `stop` wakes every thread and makes `claim` and `take` return nil.
public final class OrderedBlockQueue<Block: Sendable>: @unchecked Sendable {
    // @unchecked: every stored var is only touched while `condition` is locked.
    /// How many blocks there are, and how many may wait at once.
    public let count: Int
    public let window: Int
    private let condition = NSCondition()
    private var slots: [Block?]
    private var claimed = 0
    private var taken = 0
    private var stopped = false
    private var firstFailure: (any Error)?
    private var peak = 0

    public init(count: Int, window: Int) {
        self.count = count
        self.window = max(window, 1)
        slots = Array(repeating: nil, count: self.window)
    }

    /// The next block to make, waiting while `window` blocks are out; nil when every block is
    /// claimed or the queue stopped.
    public func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped && claimed < count && claimed - taken >= window { condition.wait() }
        guard !stopped && claimed < count else { return nil }
        claimed += 1
        peak = max(peak, claimed - taken)
        return claimed - 1
    }

    /// Hands in block `b` (a number `claim` returned); dropped when the queue stopped.
    public func put(_ block: Block, at b: Int) {
        condition.lock()
        defer { condition.unlock() }
        if stopped { return }
        precondition(b >= taken && b < claimed && slots[b % window] == nil, "block \(b) handed in twice")
        slots[b % window] = block
        condition.broadcast()
    }

    /// Block `b`, waiting until it is handed in; the consumer takes 0, 1, 2, … in turn. Nil when
    /// the queue stopped.
    public func take(_ b: Int) -> Block? {
        condition.lock()
        defer { condition.unlock() }
        precondition(b == taken, "blocks taken out of order")
        while !stopped && slots[b % window] == nil { condition.wait() }
        guard !stopped, let block = slots[b % window] else { return nil }
        slots[b % window] = nil
        taken += 1
        condition.broadcast()
        return block
    }

    /// Stops every thread at its next `claim` or `take`; the first error given is kept.
    public func stop(_ error: any Error) {
        condition.lock()
        defer { condition.unlock() }
        if firstFailure == nil { firstFailure = error }
        stopped = true
        slots = Array(repeating: nil, count: window)
        condition.broadcast()
    }

    /// The error the queue stopped with, if any.
    public var failure: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return firstFailure
    }

    /// The most blocks claimed and not yet taken at once.
    public var peakInFlight: Int {
        condition.lock()
        defer { condition.unlock() }
        return peak
    }
}
