import CPrefetch
import Foundation

/// The zero-initialised `UInt64` slots of an open-addressing hash table (ByteInterner,
/// EventKeyTable). Tables of millions of slots are read at random, one cache miss per probe, so
/// large ones are 2 MiB-aligned and asked for transparent huge pages: one TLB entry covers 2 MiB
/// instead of 4 KiB (on this project's machines the kernel's THP mode is `madvise`). Public for
/// the sharded reduce's W-DUPLICATE table (Pipeline's `DuplicateTable`).
public final class SlotTable {
    public let count: Int
    let base: UnsafeMutablePointer<UInt64>

    public init(count: Int) {
        self.count = count
        let bytes = count * MemoryLayout<UInt64>.stride
        let huge = 2 << 20
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, bytes >= huge ? huge : 64, max(bytes, 8)) == 0, let raw else {
            fatalError("out of memory for a hash table of \(count) slots")
        }
        if bytes >= huge { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
        memset(raw, 0, bytes)
        base = raw.bindMemory(to: UInt64.self, capacity: count)
    }

    deinit { free(base) }

    @inline(__always) public subscript(i: Int) -> UInt64 {
        get { base[i] }
        set { base[i] = newValue }
    }

    /// A table twice the size holding the same slots, each placed by the hash bits it carries
    /// (both tables keep `hash32 << 32 | (index + 1)`, 0 = empty, and probe linearly), so
    /// growing never recomputes a key's hash.
    ///
    /// - Complexity: O(count).
    public func doubled() -> SlotTable {
        let next = SlotTable(count: count * 2)
        let mask = next.count - 1
        for k in 0..<count {
            let s = base[k]
            if s == 0 { continue }
            var i = Int(s >> 32) & mask
            while next[i] != 0 { i = (i + 1) & mask }
            next[i] = s
        }
        return next
    }

    /// Starts loading slot `i` into the cache.
    @inline(__always) func prefetch(_ i: Int) { pws_prefetch(base + i) }
}
