import PWSTestSupport
import PWSCore
import Testing
@testable import Aggregate

/// Pregnancy episodes (spec §4.2) and deliveries (§4.3) of one woman.
@Suite struct SubjectsTests {
    typealias W = World

    /// The episodes of the (only) person of `w`, each as the set of its event indices.
    static func episodes(_ w: World) -> [Set<Int>] {
        let order = Aggregator.sortedOrder(w.set)
        let b = SubjectBuilder(events: w.set.events, recordIDs: w.set.recordIDs, anc: w.services.index(of: "ANC"),
                               persalinan: w.services.index(of: "PERSALINAN"), nifas: w.services.index(of: "NIFAS"))
        return b.episodes(order[...]).map { Set($0.records) }
    }

    /// Step 1: the same pregnancy_id is one episode however far apart (here 400 days); another id
    /// is another episode.
    @Test func pregnancyIDFormsTheEpisode() {
        var w = TestCatalogue.world([])
        let a = w.add("ANC", "ibu", "2024-01-10", born: "1995-01-01", pregnancy: "P1")
        let b = w.add("ANC", "ibu", "2025-02-13", born: "1995-01-01", pregnancy: "P1")
        let c = w.add("ANC", "ibu", "2024-03-01", born: "1995-01-01", pregnancy: "P2")
        #expect(Set(Self.episodes(w)) == [[a, b], [c]])
    }

    /// Step 2. Step-1 anchors: P1 2024-06-01, P2 2024-06-20.
    /// - LMP 2024-07-10 is within 42 days of both (39, 20): joins the latest anchor, P2.
    /// - LMP 2024-08-05 is 65 and 46 days away: clusters; LMP 2024-09-15 (41 days later, from
    ///   gestational_weeks: visit 2024-11-10 − 8 weeks) joins that cluster; LMP 2024-09-17 (43
    ///   days after the cluster's first LMP) opens a new episode.
    @Test func gestationJoinsAnchorWithin42DaysOrClusters() {
        var w = TestCatalogue.world([])
        let p1 = w.add("ANC", "ibu", "2024-07-01", born: "1995-01-01", lmp: "2024-06-01", pregnancy: "P1")
        let p2 = w.add("ANC", "ibu", "2024-07-15", born: "1995-01-01", lmp: "2024-06-20", pregnancy: "P2")
        let j = w.add("ANC", "ibu", "2024-08-20", born: "1995-01-01", lmp: "2024-07-10")
        let c1 = w.add("ANC", "ibu", "2024-09-01", born: "1995-01-01", lmp: "2024-08-05")
        let c2 = w.add("ANC", "ibu", "2024-11-10", born: "1995-01-01", weeks: 8)
        let c3 = w.add("ANC", "ibu", "2024-10-20", born: "1995-01-01", lmp: "2024-09-17")
        #expect(Set(Self.episodes(w)) == [[p1], [p2, j], [c1, c2], [c3]])
    }

    /// Step 3. Episode E has anchor 2024-06-01. Records with neither pregnancy_id nor gestation:
    /// 2025-03-28 is 300 days after the anchor → joins E; 2025-03-29 (301 days) and 2024-03-01
    /// (before the anchor) join nothing and cluster by visit date: 2024-03-01 opens one,
    /// 2025-03-29 is 393 days later → another, 2025-05-01 (33 days later) joins it.
    @Test func recordsWithoutGestationJoinWithin300DaysOrCluster() {
        var w = TestCatalogue.world([])
        let e = w.add("ANC", "ibu", "2024-08-01", born: "1995-01-01", lmp: "2024-06-01", pregnancy: "P1")
        let n1 = w.add("ANC", "ibu", "2025-03-28", born: "1995-01-01")
        let n2 = w.add("ANC", "ibu", "2025-03-29", born: "1995-01-01")
        let n3 = w.add("ANC", "ibu", "2025-05-01", born: "1995-01-01")
        let n0 = w.add("ANC", "ibu", "2024-03-01", born: "1995-01-01")
        #expect(Set(Self.episodes(w)) == [[e, n1], [n0], [n2, n3]])
    }

    /// Step 3 with an anchorless episode: its reference is its first visit date. The latest
    /// reference wins: a record of 2024-09-01 fits both P1 (anchor 2024-01-15) and P2 (first visit
    /// 2024-05-01, no LMP) → P2.
    @Test func step3PrefersTheLatestReference() {
        var w = TestCatalogue.world([])
        let p1 = w.add("ANC", "ibu", "2024-03-01", born: "1995-01-01", lmp: "2024-01-15", pregnancy: "P1")
        let p2 = w.add("ANC", "ibu", "2024-05-01", born: "1995-01-01", pregnancy: "P2")
        let x = w.add("ANC", "ibu", "2024-09-01", born: "1995-01-01")
        #expect(Set(Self.episodes(w)) == [[p1], [p2, x]])
    }

    /// An LMP giving more than 45 weeks is unknown (W-GESTATION): the record is then one "with
    /// neither" and joins by visit date. LMP 2023-01-01 at visit 2024-03-01 is 425 days = 60 weeks.
    @Test func implausibleLMPIsUnknown() {
        var w = TestCatalogue.world([])
        let a = w.add("ANC", "ibu", "2024-02-01", born: "1995-01-01", lmp: "2023-12-01")
        let b = w.add("ANC", "ibu", "2024-03-01", born: "1995-01-01", lmp: "2023-01-01")
        #expect(Self.episodes(w) == [[a, b]])
    }

    @Test(arguments: [(0, 1), (12 * 7 + 6, 1), (13 * 7, 2), (24 * 7 + 6, 2), (25 * 7, 3), (45 * 7 + 6, 3),
                      (46 * 7, 0), (-1, 0)])
    func trimesterBoundaries(_ days: Int, _ trimester: Int) {
        let lmp = day("2024-01-01")
        #expect(SubjectBuilder.trimester(visit: lmp.adding(days: days), lmp: lmp) == trimester)
    }

    /// PERSALINAN records within 180 days of a cluster's first are one delivery; 181 days opens
    /// another. NIFAS belongs to the latest delivery at most 42 days before it.
    @Test func deliveriesClusterWithin180Days() {
        var w = TestCatalogue.world([])
        w.add("PERSALINAN", "ibu", "2024-01-01", born: "1995-01-01")
        w.add("PERSALINAN", "ibu", "2024-06-29", born: "1995-01-01")   // day 180
        w.add("PERSALINAN", "ibu", "2024-06-30", born: "1995-01-01")   // day 181
        let n1 = w.add("NIFAS", "ibu", "2024-02-12", born: "1995-01-01")   // 42 days after 01-01
        let n2 = w.add("NIFAS", "ibu", "2024-07-05", born: "1995-01-01")   // 5 days after 06-30
        let n3 = w.add("NIFAS", "ibu", "2024-02-13", born: "1995-01-01")   // 43 days: none
        let order = Aggregator.sortedOrder(w.set)
        let b = SubjectBuilder(events: w.set.events, recordIDs: w.set.recordIDs, anc: nil,
                               persalinan: w.services.index(of: "PERSALINAN"), nifas: w.services.index(of: "NIFAS"))
        let (deliveries, unattached) = b.deliveries(order[...])
        #expect(deliveries.map(\.date) == [day("2024-01-01"), day("2024-06-30")])
        #expect(deliveries.map(\.deliveryRecords.count) == [2, 1])
        #expect(deliveries.map(\.nifasRecords) == [[n1], [n2]])
        #expect(unattached == [n3])
    }
}
