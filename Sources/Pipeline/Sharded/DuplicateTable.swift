import PWSCore
import Validate

extension ShardedRun {
    /// The W-DUPLICATE key of a row (spec §3) with the person and facility as indices of the
    /// partition's interners: 32 bytes, no allocation.
    struct CompactDuplicateKey: Equatable {
        var person: UInt32
        var facility: UInt32
        var visit: Int32
        var service: UInt16
        var result: UInt32
        var result2: UInt32
        var raw: Int

        @inline(__always)
        private static func mix(_ h: UInt64, _ v: UInt64) -> UInt64 {
            let x = (h ^ v) &* 0xFF51_AFD7_ED55_8CCD
            return x ^ (x >> 32)
        }

        /// A 64-bit hash of the fields (multiply–xorshift, as `EventKeyTable`'s; not for
        /// adversarial keys: the indices are the partition's own).
        var hash: UInt64 {
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15
            h = CompactDuplicateKey.mix(h, UInt64(person) | UInt64(facility) << 32)
            h = CompactDuplicateKey.mix(h, UInt64(UInt32(bitPattern: visit)) | UInt64(service) << 32)
            h = CompactDuplicateKey.mix(h, UInt64(result) | UInt64(result2) << 32)
            h = CompactDuplicateKey.mix(h, UInt64(bitPattern: Int64(raw)))
            h ^= h >> 29
            h &*= 0xC4CE_B9FE_1A85_EC53
            return h ^ (h >> 32)
        }
    }

    /// The reduce's W-DUPLICATE table: the first row of each key. Open addressing over
    /// Validate's `SlotTable` (`hash32 << 32 | (index + 1)` into `keys`, 0 = empty; linear probe,
    /// at most 3/4 full), so a row costs one multiply–xorshift hash and, mostly, one slot read —
    /// not `Hasher` over seven fields as a `Dictionary` would. 32 + 4 bytes a key and 11–21 of
    /// slots.
    struct DuplicateTable {
        private var keys = ContiguousArray<CompactDuplicateKey>()
        private var values = ContiguousArray<UInt32>()
        private var slots = SlotTable(count: 1024)

        var count: Int { keys.count }

        /// The value recorded for `key`, or nil with the slot where `insert(_:_:at:)` puts it
        /// (valid until the next insert).
        mutating func find(_ key: CompactDuplicateKey) -> (value: UInt32?, slot: Int) {
            if (keys.count + 1) * 4 >= slots.count * 3 { slots = slots.doubled() }
            let h = UInt64(UInt32(truncatingIfNeeded: key.hash))
            let tag = h << 32
            var i = slots.home(h)
            while true {
                let slot = slots[i]
                if slot == 0 { return (nil, i) }
                if slot & 0xFFFF_FFFF_0000_0000 == tag {
                    let k = Int(UInt32(truncatingIfNeeded: slot)) - 1
                    if keys[k] == key { return (values[k], i) }
                }
                i = slots.next(i)
            }
        }

        /// Records `value` for `key`, which `find` did not hold, at the slot it returned.
        mutating func insert(_ key: CompactDuplicateKey, _ value: UInt32, at slot: Int) {
            let h = UInt64(UInt32(truncatingIfNeeded: key.hash))
            slots[slot] = h << 32 | UInt64(keys.count + 1)
            keys.append(key)
            values.append(value)
        }
    }
}
