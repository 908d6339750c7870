import PWSCore

/// A pregnancy (ANC episode) of one woman (spec §4.2).
struct Episode {
    /// Event indices in (visit_date, record_id) order.
    var records: [Int]
    /// The earliest known LMP of its records.
    var anchor: Day?
    /// Distinct visit dates in order.
    var visits: [Visit]
}

/// One visit of an episode: a distinct date.
struct Visit {
    var date: Day
    /// The visit's first record (by record_id): the attaining record for counts.
    var firstRecord: Int
    /// 1, 2, 3, or 0 when unknown.
    var trimester: Int
    var doctor: Bool
}

/// A delivery of one woman (spec §4.3).
struct Delivery {
    var date: Day
    /// PERSALINAN records of the cluster, in order.
    var deliveryRecords: [Int]
    /// NIFAS records attached to it, and those of services with `joins: delivery`, in order.
    var nifasRecords: [Int]
    /// Both lists merged in (visit_date, record_id) order: what delivery rules look at.
    var pool: [Int] = []
}

/// Builds the subjects of one person's records.
///
/// A class: its methods sort with closures over `self`, and a struct of these arrays and sets
/// was copied (a retain and release of each) into every such closure, for every person.
final class SubjectBuilder {
    let events: [ServiceEvent]
    let recordIDs: StringArena
    let anc: UInt16?
    let persalinan: UInt16?
    let nifas: UInt16?
    /// Maternal services other than ANC whose records join the episode whose span holds their
    /// date (docs/guidance.md item 5; `joins: pregnancy`, by default HB, LILA, TTD_BUMIL and
    /// RISTI_NAKES): they count for pregnancy rules, not as visits.
    let joining: Set<UInt16>
    /// Services other than NIFAS whose records attach to a delivery as NIFAS records do
    /// (`joins: delivery`), without a W-NIFAS when none is near.
    let joiningDelivery: Set<UInt16>

    init(events: [ServiceEvent], recordIDs: StringArena, anc: UInt16?, persalinan: UInt16?, nifas: UInt16?,
         joining: Set<UInt16> = [], joiningDelivery: Set<UInt16> = []) {
        self.events = events
        self.recordIDs = recordIDs
        self.anc = anc
        self.persalinan = persalinan
        self.nifas = nifas
        self.joining = joining
        self.joiningDelivery = joiningDelivery
    }

    /// The record's LMP: its lmp_date, else visit − 7 × gestational weeks; nil when unknown or
    /// giving a gestational age outside 0–45 weeks.
    func lmp(_ e: ServiceEvent) -> Day? {
        var l: Day?
        if !e.lmp.isUnknown { l = e.lmp } else if e.gestationalWeeks >= 0 {
            l = e.visit.adding(days: -7 * Int(e.gestationalWeeks))
        }
        guard let d = l else { return nil }
        let weeks = d.days(to: e.visit)
        return weeks >= 0 && weeks / 7 <= 45 ? d : nil
    }

    /// Byte order of record ids, for ties.
    func recordLess(_ a: Int, _ b: Int) -> Bool {
        recordIDs.compare(events[a].record, events[b].record) < 0
    }

    /// (visit, record_id) order.
    func ordered(_ a: Int, _ b: Int) -> Bool {
        let x = events[a], y = events[b]
        if x.visit != y.visit { return x.visit < y.visit }
        return recordLess(a, b)
    }

    /// The pregnancy episodes of one woman's records (`person` is in (visit, record) order).
    func episodes(_ person: some Collection<Int>) -> [Episode] {
        guard let anc else { return [] }
        let records = person.filter { events[$0].service == anc }
        if records.isEmpty { return [] }
        var groups: [[Int]] = []
        var anchors: [Day?] = []

        // Step 1: by pregnancy_id, in order of first appearance.
        var byID: [UInt32: Int] = [:]
        var rest: [Int] = []
        for r in records {
            let p = events[r].pregnancy
            if p != 0 {
                if let g = byID[p] { groups[g].append(r) } else {
                    byID[p] = groups.count
                    groups.append([r])
                }
            } else {
                rest.append(r)
            }
        }
        for g in groups { anchors.append(g.compactMap { lmp(events[$0]) }.min()) }
        let stepOne = groups.count

        // Step 2: records with a gestation join a step-1 episode whose anchor is within 42 days
        // of their LMP (the latest such anchor), else cluster by LMP.
        var withLMP: [(Int, Day)] = []
        var neither: [Int] = []
        for r in rest {
            if let l = lmp(events[r]) { withLMP.append((r, l)) } else { neither.append(r) }
        }
        var unjoined: [(Int, Day)] = []
        for (r, l) in withLMP {
            var best: Int?
            for g in 0..<stepOne {
                guard let a = anchors[g], abs(a.days(to: l)) <= 42 else { continue }
                if best == nil || anchors[best!]! < a { best = g }
            }
            if let g = best { groups[g].append(r) } else { unjoined.append((r, l)) }
        }
        unjoined.sort { x, y in
            if x.1 != y.1 { return x.1 < y.1 }
            return ordered(x.0, y.0)
        }
        var clusterStart: Day?
        for (r, l) in unjoined {
            if let s = clusterStart, l.days(to: s) >= -42, s.days(to: l) <= 42 {
                groups[groups.count - 1].append(r)
            } else {
                groups.append([r])
                clusterStart = l
            }
        }
        // Anchors after step 2 (earliest known LMP of each episode).
        anchors = groups.map { g in g.compactMap { lmp(events[$0]) }.min() }

        // Step 3: records with neither join the episode with the latest reference r such that
        // r ≤ visit ≤ r + 300; else they cluster by visit date (300 days from the first visit).
        let references: [Day] = groups.indices.map { g in
            anchors[g] ?? groups[g].map { events[$0].visit }.min()!
        }
        var leftover: [Int] = []
        for r in neither {
            let v = events[r].visit
            var best: Int?
            for g in references.indices where references[g] <= v && references[g].days(to: v) <= 300 {
                if best == nil || references[best!] < references[g] { best = g }
            }
            if let g = best { groups[g].append(r) } else { leftover.append(r) }
        }
        leftover.sort(by: ordered)
        var first: Day?
        for r in leftover {
            let v = events[r].visit
            if let f = first, f.days(to: v) <= 300 {
                groups[groups.count - 1].append(r)
            } else {
                groups.append([r])
                first = v
            }
        }
        var result = groups.map(makeEpisode)
        if !joining.isEmpty { join(person, into: &result) }
        return result
    }

    /// Adds the woman's records of `joining` services to the episode whose span holds their
    /// date — anchor … anchor + 294 days (42 weeks), or without an anchor first … last ANC visit
    /// + 28 days — the latest-starting one when two do; a record no span holds joins none.
    /// Episodes keep their ANC visits; their `records` stay in (visit, record_id) order.
    func join(_ person: some Collection<Int>, into episodes: inout [Episode]) {
        let spans: [(start: Day, end: Day)] = episodes.map { ep in
            if let a = ep.anchor { return (a, a.adding(days: 294)) }
            return (ep.visits.first!.date, ep.visits.last!.date.adding(days: 28))
        }
        var added = [[Int]](repeating: [], count: episodes.count)
        for r in person where joining.contains(events[r].service) {
            let v = events[r].visit
            var best: Int?
            for (k, s) in spans.enumerated() where s.start <= v && v <= s.end {
                if best == nil || spans[best!].start < s.start { best = k }
            }
            if let k = best { added[k].append(r) }
        }
        for k in episodes.indices where !added[k].isEmpty {
            episodes[k].records = (episodes[k].records + added[k]).sorted(by: ordered)
        }
    }

    func makeEpisode(_ records: [Int]) -> Episode {
        let sorted = records.sorted(by: ordered)
        let anchor = sorted.compactMap { lmp(events[$0]) }.min()
        var visits: [Visit] = []
        var i = 0
        while i < sorted.count {
            let date = events[sorted[i]].visit
            var j = i
            var doctor = false
            var trimester = 0
            while j < sorted.count && events[sorted[j]].visit == date {
                let e = events[sorted[j]]
                if e.provider == .dokter { doctor = true }
                if trimester == 0 {
                    trimester = SubjectBuilder.trimester(visit: e.visit, lmp: lmp(e) ?? anchor)
                }
                j += 1
            }
            visits.append(Visit(date: date, firstRecord: sorted[i], trimester: trimester, doctor: doctor))
            i = j
        }
        return Episode(records: sorted, anchor: anchor, visits: visits)
    }

    /// TM1 = 0–12 completed weeks, TM2 = 13–24, TM3 = 25–45; 0 = unknown.
    static func trimester(visit: Day, lmp: Day?) -> Int {
        guard let lmp else { return 0 }
        let days = lmp.days(to: visit)
        guard days >= 0 else { return 0 }
        let weeks = days / 7
        switch weeks {
        case 0...12: return 1
        case 13...24: return 2
        case 25...45: return 3
        default: return 0
        }
    }

    /// Deliveries of one woman, and her NIFAS records attached to none (W-NIFAS).
    func deliveries(_ person: some Collection<Int>) -> ([Delivery], unattached: [Int]) {
        var result: [Delivery] = []
        if let persalinan {
            for r in person where events[r].service == persalinan {
                if let last = result.last, last.date.days(to: events[r].visit) <= 180 {
                    result[result.count - 1].deliveryRecords.append(r)
                } else {
                    result.append(Delivery(date: events[r].visit, deliveryRecords: [r], nifasRecords: []))
                }
            }
        }
        var unattached: [Int] = []
        if nifas != nil || !joiningDelivery.isEmpty {
            for r in person {
                let service = events[r].service
                let isNifas = service == nifas
                guard isNifas || joiningDelivery.contains(service) else { continue }
                let v = events[r].visit
                let match = result.lastIndex { $0.date <= v }
                if let m = match, result[m].date.days(to: v) <= 42 {
                    result[m].nifasRecords.append(r)
                } else if isNifas {
                    unattached.append(r)
                }
            }
        }
        for k in result.indices {
            let d = result[k].deliveryRecords, n = result[k].nifasRecords
            var pool: [Int] = []
            pool.reserveCapacity(d.count + n.count)
            var i = 0, j = 0
            while i < d.count || j < n.count {
                if j == n.count || (i < d.count && ordered(d[i], n[j])) {
                    pool.append(d[i]); i += 1
                } else {
                    pool.append(n[j]); j += 1
                }
            }
            result[k].pool = pool
        }
        return (result, unattached)
    }
}
