import PWSCore

/// Interns byte strings to dense indices without a `String` per value: open addressing over a
/// `StringArena`. Person ids, record ids, pregnancy and facility ids go through one of these.
///
/// Each slot holds the low 32 bits of the key's hash beside the index, so a probe that meets
/// another key is almost always decided without touching the arena, and growing the table
/// never rehashes a key.
///
/// - Complexity: amortised O(length) per lookup.
public struct ByteInterner {
    public private(set) var arena = StringArena()
    /// 0 = empty, else `hash32 << 32 | (index + 1)`.
    private var slots: SlotTable

    public init(capacity: Int = 1024) {
        slots = SlotTable(count: SlotTable.size(for: capacity))
    }

    public var count: Int { arena.count }

    /// A 64-bit hash of `bytes`, eight bytes at a time (not for adversarial input: ids come
    /// from the district's own exports).
    @inline(__always)
    static func hash64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
        var i = 0
        while i + 8 <= n {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
        }
        h ^= h >> 29
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 32
        return h
    }

    /// The hash as an `Int` (W-DUPLICATE compares the raw text of unparsable results by it).
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> Int { Int(truncatingIfNeeded: hash64(bytes)) }

    /// Starts loading the slot where `hash` (from `hash64`) begins its probe, so a later
    /// `intern(_:hash:)` finds it in the cache.
    @inline(__always) func prefetch(hash: UInt64) { slots.prefetch(slots.home(UInt64(UInt32(truncatingIfNeeded: hash)))) }

    /// The index of `bytes`, adding it when new.
    public mutating func intern(_ bytes: UnsafeRawBufferPointer) -> (index: UInt32, isNew: Bool) {
        intern(bytes, hash: ByteInterner.hash64(bytes))
    }

    /// `intern(_:)` with the hash already computed by `hash64(bytes)`.
    mutating func intern(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> (index: UInt32, isNew: Bool) {
        if arena.count * 4 >= slots.count * 3 { grow() }
        let h = UInt64(UInt32(truncatingIfNeeded: hash))
        var i = slots.home(h)
        let tag = h << 32
        while true {
            let s = slots[i]
            if s == 0 {
                let index = arena.append(bytes)
                slots[i] = tag | UInt64(index + 1)
                return (index, true)
            }
            if s & 0xFFFF_FFFF_0000_0000 == tag {
                let index = UInt32(truncatingIfNeeded: s) - 1
                if arena.equals(index, bytes) { return (index, false) }
            }
            i = slots.next(i)
        }
    }

    /// The index of `bytes` if present.
    public func find(_ bytes: UnsafeRawBufferPointer) -> UInt32? {
        let h = UInt64(UInt32(truncatingIfNeeded: ByteInterner.hash64(bytes)))
        var i = slots.home(h)
        let tag = h << 32
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if s & 0xFFFF_FFFF_0000_0000 == tag {
                let index = UInt32(truncatingIfNeeded: s) - 1
                if arena.equals(index, bytes) { return index }
            }
            i = slots.next(i)
        }
    }

    /// Makes room for at least `count` keys without growing; a `blockSize` above 1 front-codes
    /// the keys in blocks of that many (see `StringArena`: for keys that are mostly new and
    /// share prefixes, like record ids; a key met again then costs decoding its block).
    public mutating func reserve(_ count: Int, bytes: Int, blockSize: Int? = nil) {
        if arena.count == 0 {
            // Nothing to move: the table of the final size at once, not every size on the way
            // (each zeroed in full: twice the final table's bytes, before the first row).
            let size = SlotTable.size(for: count)
            if size > slots.count { slots = SlotTable(count: size) }
        }
        while count * 4 >= slots.count * 3 { grow() }
        if let blockSize {
            precondition(arena.count == 0, "the block size is chosen before the first key")
            arena = StringArena(blockSize: blockSize)
        }
        arena.reserve(count: count, bytes: bytes)
    }

    private mutating func grow() { slots = slots.doubled() }
}
