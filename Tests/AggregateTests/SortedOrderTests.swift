import PWSCore
import Testing
@testable import Aggregate

/// `Aggregator.sortedOrder`: event indices by (person, visit_date, record_id), later visits left out.
@Suite struct SortedOrderTests {
    /// Added in this order (index: person, date, record id):
    /// 0: ani 03-05 r9 · 1: budi 01-02 r5 · 2: ani 03-01 r7 · 3: ani 03-05 r2 · 4: budi 01-02 r1 ·
    /// 5: ani 03-05 r4 · 6: ani 04-01 r0 (after `through` 03-31).
    /// Persons by first appearance: ani (0), budi (1). ani: 03-01 r7 (2), then 03-05 by record id
    /// r2 (3), r4 (5), r9 (0); budi: 01-02 r1 (4), r5 (1).
    @Test func personThenDateThenRecordID() {
        var w = TestCatalogue.world([])
        for (person, date, id) in [("ani", "2025-03-05", "r9"), ("budi", "2025-01-02", "r5"), ("ani", "2025-03-01", "r7"),
                                   ("ani", "2025-03-05", "r2"), ("budi", "2025-01-02", "r1"), ("ani", "2025-03-05", "r4"),
                                   ("ani", "2025-04-01", "r0")] {
            w.add("ANC", person, date, born: "1995-01-01", record: id)
        }
        #expect(Aggregator.sortedOrder(w.set, through: Day(year: 2025, month: 3, day: 31)!) == [2, 3, 5, 0, 4, 1])
        #expect(Aggregator.sortedOrder(w.set) == [2, 3, 5, 0, 6, 4, 1])
        #expect(Aggregator.sortedOrder(w.set, through: Day(year: 2024, month: 12, day: 31)!) == [])
    }

    /// 40 records of one person (more than the insertion-sort limit of 32): record ids in
    /// descending order of addition on two dates, and two records with the same id, which keep
    /// their order of addition.
    @Test func largeGroupsAndEqualIDs() {
        var w = TestCatalogue.world([])
        var added: [(date: String, id: String, index: Int)] = []
        for k in 0..<40 {
            let date = k % 2 == 0 ? "2025-02-02" : "2025-02-01"
            let id = "x" + String(99 - k)
            added.append((date, id, w.add("TIMBANG", "anak", date, born: "2024-01-01", record: id)))
        }
        let dup1 = w.add("TIMBANG", "anak", "2025-02-01", born: "2024-01-01", record: "x00")
        let dup2 = w.add("TIMBANG", "anak", "2025-02-01", born: "2024-01-01", record: "x00")
        let expected = [dup1, dup2]
            + added.filter { $0.date == "2025-02-01" }.sorted { $0.id < $1.id }.map(\.index)
            + added.filter { $0.date == "2025-02-02" }.sorted { $0.id < $1.id }.map(\.index)
        #expect(Aggregator.sortedOrder(w.set) == expected)
    }

    /// Days before 1970 are negative: they still sort before later days, also when the sort
    /// runs in several parts. Same-day records order by record id, then by index.
    @Test func daysAcrossTheEpochAndParts() {
        var w = TestCatalogue.world([])
        let a = w.add("IMT", "tua", "1970-01-02", born: "1940-01-01", record: "b")
        let b = w.add("IMT", "tua", "1969-12-30", born: "1940-01-01", record: "z")
        let c = w.add("IMT", "tua", "1970-01-01", born: "1940-01-01", record: "a")
        let d = w.add("IMT", "muda", "2025-01-01", born: "2000-01-01", record: "m")
        let e = w.add("IMT", "tua", "1970-01-02", born: "1940-01-01", record: "a")
        let f = w.add("IMT", "muda", "2024-12-31", born: "2000-01-01", record: "n")
        let g = w.add("IMT", "tua", "1970-01-02", born: "1940-01-01", record: "a")
        for parts in [1, 2, 5] {
            #expect(Aggregator.sortedOrder(w.set, parts: parts) == [b, c, e, g, a, f, d])
        }
    }

    /// 3 000 records of 40 persons over 60 days, record ids from a pool of 25 (so many ties of
    /// day and id), some after `through`: every number of parts gives the order of a plain sort
    /// by (person index, visit, record id, event index). The counting pass splits the events
    /// into ranges, each writing after the earlier ranges' events of the same person.
    @Test func manyPartsGiveThePlainSortsOrder() {
        var w = TestCatalogue.world([])
        var g = SystemRandomNumberGenerator()
        let start = Day(year: 2025, month: 1, day: 1)!
        for _ in 0..<3_000 {
            let person = "p\(Int.random(in: 0..<40, using: &g))"
            let visit = start.adding(days: Int.random(in: 0..<60, using: &g))
            w.add("IMT", person, visit.description, born: "1990-01-01", record: "r\(Int.random(in: 0..<25, using: &g))")
        }
        let through = start.adding(days: 49)
        let set = w.set
        let expected = set.events.indices.filter { set.events[$0].visit <= through }.sorted { x, y in
            let a = set.events[x], b = set.events[y]
            if a.person != b.person { return a.person < b.person }
            if a.visit != b.visit { return a.visit < b.visit }
            let c = set.recordIDs.compare(a.record, b.record)
            return c != 0 ? c < 0 : x < y
        }
        #expect(expected.count > 2_000)
        for parts in 1...4 {
            #expect(Aggregator.sortedOrder(set, through: through, parts: parts) == expected, "parts \(parts)")
        }
    }
}
