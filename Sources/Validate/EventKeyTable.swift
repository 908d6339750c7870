import PWSCore

/// The W-DUPLICATE test (spec §3): a set of event indices keyed by normalised person_id,
/// visit_date, service_code, facility_id and result, stored as 8-byte slots (32 bits of the
/// key's hash, and the index into the event array) instead of copies of the keys.
///
/// - Complexity: amortised O(1) per insert.
struct EventKeyTable {
    /// 0 = empty, else `hash32 << 32 | (index + 1)`.
    private var slots: SlotTable
    private var count = 0

    /// An empty set with room for `capacity` events before it grows.
    init(capacity: Int = 1 << 15) {
        slots = SlotTable(count: SlotTable.size(for: capacity))
    }

    @inline(__always)
    private static func mix(_ h: UInt64, _ v: UInt64) -> UInt64 {
        var x = (h ^ v) &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 32
        return x
    }

    static func hash(_ e: ServiceEvent, _ raw: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        h = mix(h, UInt64(e.person) | UInt64(UInt32(bitPattern: e.visit.raw)) << 32)
        h = mix(h, UInt64(e.service) | UInt64(e.facility) << 32)
        h = mix(h, UInt64(e.result.bitPattern) | UInt64(e.result2.bitPattern) << 32)
        h = mix(h, UInt64(bitPattern: Int64(raw)))
        h ^= h >> 29
        h &*= 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 32)
    }

    /// The key's hash from the hashes of the person's normalised id (`ByteInterner.hash64`)
    /// and of the facility_id's bytes (0 when empty) instead of their interned indices: equal
    /// keys have equal ids, so they still hash alike, and the checker knows both hashes before
    /// it interns the ids, so the slot is prefetched while the person table is searched (a
    /// miss that otherwise waited for the person's index). One table must be given one hash
    /// function throughout (the checker uses this one on every path).
    @inline(__always)
    static func hash(_ e: ServiceEvent, personHash: UInt64, facilityHash: UInt64, raw: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        h = mix(h, personHash)
        h = mix(h, UInt64(UInt32(bitPattern: e.visit.raw)) | UInt64(e.service) << 32)
        h = mix(h, facilityHash)
        h = mix(h, UInt64(e.result.bitPattern) | UInt64(e.result2.bitPattern) << 32)
        h = mix(h, UInt64(bitPattern: Int64(raw)))
        h ^= h >> 29
        h &*= 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 32)
    }

    @inline(__always)
    private static func sameFields(_ a: ServiceEvent, _ b: ServiceEvent) -> Bool {
        a.person == b.person && a.visit == b.visit && a.service == b.service && a.facility == b.facility &&
            a.result.bitPattern == b.result.bitPattern && a.result2.bitPattern == b.result2.bitPattern
    }

    /// Makes room for at least `count` events without growing.
    mutating func reserve(_ count: Int) {
        if self.count == 0 {
            // Nothing to move: the final size at once (see ByteInterner.reserve).
            let size = SlotTable.size(for: count)
            if size > slots.count { slots = SlotTable(count: size) }
        }
        while count * 4 >= slots.count * 3 { grow() }
    }

    /// Starts loading the slot where `hash` (from `hash(_:_:)`) begins its probe.
    @inline(__always) func prefetch(hash: UInt64) {
        slots.prefetch(slots.home(UInt64(UInt32(truncatingIfNeeded: hash))))
    }

    /// Inserts `events[index]`; returns the index of an earlier event with the same key instead
    /// when there is one (then nothing is inserted). `invalidResultHash` holds the raw-text hash
    /// of results that did not parse (they compare by that text); `raw` is that hash for this
    /// event (0 when its result parsed or is absent), so the dictionary is read only for the
    /// rare probe that meets an equal hash tag.
    mutating func insert(_ index: UInt32, in events: [ServiceEvent], invalidResultHash: [UInt32: Int],
                         raw: Int, hash: UInt64? = nil) -> UInt32? {
        if count * 4 >= slots.count * 3 { grow() }
        let e = events[Int(index)]
        let h = UInt64(UInt32(truncatingIfNeeded: hash ?? EventKeyTable.hash(e, raw)))
        let tag = h << 32
        var i = slots.home(h)
        while true {
            let s = slots[i]
            if s == 0 { break }
            if s & 0xFFFF_FFFF_0000_0000 == tag {
                let other = UInt32(truncatingIfNeeded: s) - 1
                if EventKeyTable.sameFields(e, events[Int(other)])
                    && raw == (invalidResultHash.isEmpty ? 0 : (invalidResultHash[other] ?? 0)) {
                    return other
                }
            }
            i = slots.next(i)
        }
        slots[i] = tag | UInt64(index + 1)
        count += 1
        return nil
    }

    private mutating func grow() { slots = slots.doubled() }
}
