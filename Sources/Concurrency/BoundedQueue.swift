import Foundation

/// A bounded first-in first-out hand-over between threads: `put` waits while `limit` items
/// wait, `take` waits while none does.
///
/// - Complexity: O(1) amortised per item, one lock round each.
public final class BoundedQueue<Item: Sendable>: @unchecked Sendable {
    // @unchecked: `items` and `head` are only touched while `condition` is locked.
    private let condition = NSCondition()
    private var items: [Item?] = []
    private var head = 0
    private let limit: Int

    /// A queue that holds at most `limit` (at least 1) items.
    public init(limit: Int) { self.limit = max(limit, 1) }

    /// Appends `item`, waiting while the queue is full.
    public func put(_ item: Item) {
        condition.lock()
        while items.count - head >= limit { condition.wait() }
        items.append(item)
        condition.broadcast()
        condition.unlock()
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
