import Foundation

/// A bounded first-in first-out hand-over between threads: `put` waits while `limit` items
/// wait, `take` waits while none does. `close` (the consumer giving up) makes every waiting and
/// later `put` return at once, dropping its item.
///
/// - Complexity: O(1) amortised per item, one lock round each.
public final class BoundedQueue<Item: Sendable>: @unchecked Sendable {
    // @unchecked: `items` and `head` are only touched while `condition` is locked.
    private let condition = NSCondition()
    private var items: [Item?] = []
    private var head = 0
    private var closed = false
    private let limit: Int

    /// A queue that holds at most `limit` (at least 1) items.
    public init(limit: Int) { self.limit = max(limit, 1) }

    /// Appends `item`, waiting while the queue is full; drops it when the queue is closed.
    /// - Returns: false when the queue was closed (nobody will take the item).
    @discardableResult
    public func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !closed && items.count - head >= limit { condition.wait() }
        guard !closed else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Drops every waiting item and makes `put` return false from now on, waking any producer
    /// that waits: for a consumer that stops before the end (a failed run), so no producer is
    /// left blocked. `take` must not be called after `close`.
    public func close() {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        items = []
        head = 0
        condition.broadcast()
    }

    /// The oldest item, waiting while there is none.
    public func take() -> Item {
        condition.lock()
        while items.count == head { condition.wait() }
        let item = items[head]
        // Drop the queue's reference now: a consumed item (Validate's row chunks hold buffers
        // reserved for 4 096 rows) would otherwise stay alive until the next compaction.
        items[head] = nil
        head += 1
        if head > 64 {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        condition.unlock()
        return item!
    }
}
