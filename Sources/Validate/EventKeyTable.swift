import PWSCore

/// The W-DUPLICATE test (spec §3): a set of event indices keyed by normalised person_id,
/// visit_date, service_code, facility_id and result, stored as 4-byte slots that point into the
/// event array instead of copies of the keys.
///
/// - Complexity: amortised O(1) per insert.
struct EventKeyTable {
    private var slots = [UInt32](repeating: 0, count: 1 << 16)  // 0 = empty, else index + 1
    private var count = 0

    private static func hash(_ e: ServiceEvent, _ raw: Int?) -> Int {
        var h = Hasher()
        h.combine(e.person)
        h.combine(e.visit.raw)
        h.combine(e.service)
        h.combine(e.facility)
        h.combine(e.result.bitPattern)
        h.combine(e.result2.bitPattern)
        h.combine(raw ?? 0)
        return h.finalize()
    }

    private static func same(_ a: ServiceEvent, _ ra: Int?, _ b: ServiceEvent, _ rb: Int?) -> Bool {
        a.person == b.person && a.visit == b.visit && a.service == b.service && a.facility == b.facility &&
            a.result.bitPattern == b.result.bitPattern && a.result2.bitPattern == b.result2.bitPattern && ra == rb
    }

    /// Inserts `events[index]`; returns the index of an earlier event with the same key instead
    /// when there is one (then nothing is inserted).
    mutating func insert(_ index: UInt32, in events: [ServiceEvent], invalidResultHash: [UInt32: Int]) -> UInt32? {
        if count * 2 >= slots.count { grow(events, invalidResultHash) }
        let e = events[Int(index)]
        let raw = invalidResultHash.isEmpty ? nil : invalidResultHash[index]
        let mask = slots.count - 1
        var i = EventKeyTable.hash(e, raw) & mask
        while slots[i] != 0 {
            let other = slots[i] - 1
            let otherRaw = invalidResultHash.isEmpty ? nil : invalidResultHash[other]
            if EventKeyTable.same(e, raw, events[Int(other)], otherRaw) { return other }
            i = (i + 1) & mask
        }
        slots[i] = index + 1
        count += 1
        return nil
    }

    private mutating func grow(_ events: [ServiceEvent], _ invalid: [UInt32: Int]) {
        var next = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = next.count - 1
        for s in slots where s != 0 {
            let raw = invalid.isEmpty ? nil : invalid[s - 1]
            var i = EventKeyTable.hash(events[Int(s - 1)], raw) & mask
            while next[i] != 0 { i = (i + 1) & mask }
            next[i] = s
        }
        slots = next
    }
}
