import Concurrency
import CPrefetch
import Foundation

/// The zero-initialised `UInt64` slots of an open-addressing hash table (ByteInterner,
/// EventKeyTable), of any size: a key's probe starts at `home(hash32)` (multiply–shift, not a
/// mask, so a table is sized for its keys — `size(for:)` — rather than rounded up to a power of
/// two, which left the checker's tables a third to two thirds empty: 544 MB of them at 10 M
/// records) and goes on at `next(_:)`. Tables of millions of slots are read at random, one
/// cache miss per probe, so large ones are 2 MiB-aligned and asked for transparent huge pages:
/// one TLB entry covers 2 MiB instead of 4 KiB (on this project's machines the kernel's THP mode
/// is `madvise`). Public for the sharded reduce's W-DUPLICATE table (Pipeline's
/// `DuplicateTable`).
///
/// A large table is mapped rather than allocated — fresh anonymous pages read as zero, so it
/// needs no memset — and its pages are faulted in by a background thread
/// (`MADV_POPULATE_WRITE`, which leaves their contents alone) while the table is already in use.
/// Zeroing fresh huge pages is the kernel's work and, on a VM after idling, slow (5–7 ms per MB:
/// 0.5 s for a 3 M run's tables, bench/RESULTS.md stop 41); done by the checker before its first
/// row, it held the checker and, behind it, the reading thread, whose queue was full.
public final class SlotTable {
    public let count: Int
    let base: UnsafeMutablePointer<UInt64>
    /// The mapping of a large table (nil: allocated) and the background fault-in to wait for
    /// before unmapping it.
    private let mapping: (start: UnsafeMutableRawPointer, length: Int, populating: BackgroundThread<Void>)?

    public init(count: Int) {
        precondition(count > 0, "a hash table needs at least one slot")  // next(_:) and home(_:) assume one
        self.count = count
        let bytes = count * MemoryLayout<UInt64>.stride
        let huge = 2 << 20
        if bytes >= huge, let mapped = SlotTable.mapZeroed(bytes, alignment: huge) {
            base = mapped.table.bindMemory(to: UInt64.self, capacity: count)
            nonisolated(unsafe) let table = mapped.table
            // Pages already touched by the table's owner are left as they are; an old kernel
            // without MADV_POPULATE_WRITE (Linux < 5.14) says EINVAL, and a thread the system
            // will not make does nothing: the pages then come on first use instead.
            let populating = BackgroundThread(stackSize: 256 << 10) { SlotTable.populate(table, bytes, slice: huge) }
            mapping = (mapped.start, mapped.length, populating)
            return
        }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, max(bytes, 8)) == 0, let raw else {
            fatalError("out of memory for a hash table of \(count) slots")
        }
        memset(raw, 0, bytes)
        base = raw.bindMemory(to: UInt64.self, capacity: count)
        mapping = nil
    }

    deinit {
        if let mapping {
            try? mapping.populating.wait()
            munmap(mapping.start, mapping.length)
        } else {
            free(base)
        }
    }

    /// `MADV_POPULATE_WRITE` (Linux 5.14): fault the range in as if written, without writing.
    static let populateWrite: Int32 = 23

    /// Faults in `bytes` at `start` with `MADV_POPULATE_WRITE`, a `slice` at a time. The call
    /// holds the process's memory-map lock (shared) while it zeroes its range, and every
    /// `mmap`, `munmap` or `mprotect` of the other threads — malloc growing an arena, a new
    /// thread's stack — waits for it to end: one call for a whole table held the reading
    /// thread's first allocations 155 ms, and a checker's 142 ms, before the first row of a
    /// 3 M run (a `perf` trace of `sched_switch`). Between slices they get the lock.
    static func populate(_ start: UnsafeMutableRawPointer, _ bytes: Int, slice: Int) {
        var offset = 0
        while offset < bytes {
            let n = min(slice, bytes - offset)
            // EINVAL (no MADV_POPULATE_WRITE before Linux 5.14): the pages come on first use.
            guard madvise(start + offset, n, populateWrite) == 0 else { return }
            offset += n
        }
    }

    /// `bytes` of fresh zero pages at an `alignment` boundary (a huge page's), asked for
    /// transparent huge pages; nil when the system has no such mapping to give.
    private static func mapZeroed(_ bytes: Int, alignment: Int) -> (start: UnsafeMutableRawPointer, length: Int, table: UnsafeMutableRawPointer)? {
        let length = bytes + alignment
        guard let start = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              start != MAP_FAILED else { return nil }
        let offset = (alignment - Int(bitPattern: UInt(bitPattern: start)) % alignment) % alignment
        let table = start + offset
        _ = madvise(table, bytes, MADV_HUGEPAGE)
        return (start, length, table)
    }

    /// The slots for `keys` keys at a load of 3/5 (the tables grow past 3/4), at least 16.
    public static func size(for keys: Int) -> Int { max(16, keys / 3 * 5 + 5) }

    /// The slot where a key whose hash's low 32 bits are `hash32` starts its probe:
    /// `hash32 × count / 2³²`, uniform over the table for uniform hashes. Higher bits are
    /// ignored (every caller passes 32 bits; one that did not would otherwise index past the end).
    @inlinable @inline(__always) public func home(_ hash32: UInt64) -> Int {
        Int(truncatingIfNeeded: ((hash32 & 0xFFFF_FFFF) &* UInt64(truncatingIfNeeded: count)) >> 32)
    }

    /// The slot after `i` (linear probing, wrapping at the end).
    @inlinable @inline(__always) public func next(_ i: Int) -> Int {
        let j = i &+ 1
        return j == count ? 0 : j
    }

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
        let bigger = SlotTable(count: count * 2)
        for k in 0..<count {
            let s = base[k]
            if s == 0 { continue }
            var i = bigger.home(s >> 32)
            while bigger[i] != 0 { i = bigger.next(i) }
            bigger[i] = s
        }
        return bigger
    }

    /// Starts loading slot `i` into the cache.
    @inline(__always) func prefetch(_ i: Int) { pws_prefetch(base + i) }
}
