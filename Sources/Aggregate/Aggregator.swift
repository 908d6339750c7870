import PWSCore

/// Everything the Aggregate stage needs.
public struct AggregateInput: Sendable {
    public var events: EventSet
    public var register: AreaRegister
    public var sasaran: [SasaranEntry]
    public var services: ServiceCatalogue
    public var indicators: [IndicatorDefinition]
    public var asOf: YearMonth
    public var estimation: EstimationSettings

    public init(events: EventSet, register: AreaRegister, sasaran: [SasaranEntry], services: ServiceCatalogue,
                indicators: [IndicatorDefinition], asOf: YearMonth, estimation: EstimationSettings) {
        self.events = events
        self.register = register
        self.sasaran = sasaran
        self.services = services
        self.indicators = indicators
        self.asOf = asOf
        self.estimation = estimation
    }
}

/// The indicator values and what the tables and the report need to group them.
public struct AggregateResult: Sendable {
    /// The PWS values, producing `indicators.csv` rows on demand (`IndicatorValues.forEach`).
    public var values: IndicatorValues
    public var infos: [IndicatorInfo]
    /// desa code → puskesmas code.
    public var villagePuskesmas: [String: String]
    public var puskesmasNames: [String: String]
    /// NIFAS events attached to no delivery (W-NIFAS), as indices into the event array.
    public var unattachedNifas: [Int]

    /// Every `indicators.csv` row in the spec's order, materialised: for tests and small runs.
    /// A district-sized run has millions of rows; stream them with `values.forEach` instead.
    ///
    /// - Complexity: O(rows), allocating every row.
    public var rows: [IndicatorRow] { values.rows() }
}

/// The Aggregate stage: subjects, attainment, areas, denominators, periods (spec §4–§6).
public enum Aggregator {
    /// Slot 0 is December of the year before; slots 1…12 the months of the reporting year.
    static let slots = 13

    public static func run(_ input: AggregateInput) -> AggregateResult {
        let events = input.events.events
        let year = input.asOf.year
        let order = sortedOrder(input.events, through: input.asOf.lastDay)
        let builder = SubjectBuilder(events: events, recordIDs: input.events.recordIDs,
                                     anc: input.services.index(of: "ANC"),
                                     persalinan: input.services.index(of: "PERSALINAN"),
                                     nifas: input.services.index(of: "NIFAS"))
        let indicators = input.indicators
        let rtCount = input.register.rts.count
        var counts = [Int32](repeating: 0, count: indicators.count * rtCount * slots)
        var seenRTs = [Bool](repeating: false, count: rtCount)
        var unattached: [Int] = []
        let firstOfPrev = YearMonth(year: year - 1, month: 12).firstDay
        let lastDay = input.asOf.lastDay
        let byID = Dictionary(indicators.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })

        func slot(_ d: Day) -> Int? {
            guard d >= firstOfPrev, d <= lastDay else { return nil }
            let c = d.civil
            return c.year == year ? c.month : 0
        }
        func count(_ indicator: Int, _ record: Int, _ s: Int) {
            counts[(indicator * rtCount + Int(events[record].rt)) * slots + s] += 1
        }

        // Period starts; a person's records are sorted by date, so each period is a contiguous
        // slice of them, found once per person (no per-month filtering or allocation).
        var starts = [Day(year: year - 1, month: 1, day: 1)!, Day(year: year - 1, month: 11, day: 1)!, firstOfPrev]
        for m in 1...input.asOf.month { starts.append(YearMonth(year: year, month: m).firstDay) }
        starts.append(lastDay.adding(days: 1))
        var at = [Int](repeating: 0, count: starts.count)
        let periods = Periods(asOfMonth: input.asOf.month)

        var start = 0
        while start < order.count {
            let person = events[order[start]].person
            var end = start
            var k = 0
            while end < order.count && events[order[end]].person == person {
                let v = events[order[end]].visit
                while k < starts.count && v >= starts[k] { at[k] = end; k += 1 }
                end += 1
            }
            while k < starts.count { at[k] = end; k += 1 }
            let records = order[start..<end]
            for r in order[at[Periods.year]..<end] { seenRTs[Int(events[r].rt)] = true }

            // December of Y−1 is what a run for Y−1 gives (spec §6): pregnancies and deliveries are
            // rebuilt from the records up to its end when later records exist, since those can
            // move an episode's anchor or bring a delivery its qualifying record. Person rules need
            // no second pass: "first" and "each of" attain the same with fewer later records.
            let split = at[Periods.year]
            let spans = split > start && split < end
            let prior = order[start..<split]
            let personRecords = PersonRecords(all: records, order: order, at: at, periods: periods)

            var episodes: [Episode]?, priorEpisodes: [Episode]?
            var deliveries: [Delivery]?, priorDeliveries: [Delivery]?
            for (i, ind) in indicators.enumerated() {
                switch ind.subject {
                case .person:
                    evaluatePerson(ind, i, personRecords, events: events, byID: byID, indicators: indicators,
                                   slot: slot, count: count)
                case .pregnancy:
                    if episodes == nil { episodes = builder.episodes(records) }
                    for ep in episodes! {
                        if let (day, rec) = attainPregnancy(ind.rule, ep, events: events), let s = slot(day),
                           s > 0 || !spans {
                            count(i, rec, s)
                        }
                    }
                    guard spans else { continue }
                    if priorEpisodes == nil { priorEpisodes = builder.episodes(prior) }
                    for ep in priorEpisodes! {
                        if let (day, rec) = attainPregnancy(ind.rule, ep, events: events), slot(day) == 0 {
                            count(i, rec, 0)
                        }
                    }
                case .delivery:
                    if deliveries == nil {
                        let (d, u) = builder.deliveries(records)
                        deliveries = d
                        unattached += u
                    }
                    for d in deliveries! {
                        if let (day, rec) = attainDelivery(ind.rule, d, events: events), let s = slot(day),
                           s > 0 || !spans {
                            count(i, rec, s)
                        }
                    }
                    guard spans else { continue }
                    if priorDeliveries == nil { priorDeliveries = builder.deliveries(prior).0 }
                    for d in priorDeliveries! {
                        if let (day, rec) = attainDelivery(ind.rule, d, events: events), slot(day) == 0 {
                            count(i, rec, 0)
                        }
                    }
                }
            }
            if deliveries == nil && indicators.allSatisfy({ $0.subject != .delivery }) {
                unattached += builder.deliveries(records).unattached
            }
            start = end
        }

        let table = AreaTable(register: input.register, seenRTs: seenRTs)
        let values = Analysis.values(input: input, table: table, counts: counts, rtCount: rtCount)
        return AggregateResult(values: values, infos: indicators.map(\.info), villagePuskesmas: table.villagePuskesmas,
                               puskesmasNames: table.puskesmasNames, unattachedNifas: unattached.sorted())
    }

    /// Event indices by (person, visit_date, record_id), leaving out visits after `through`.
    static func sortedOrder(_ set: EventSet, through: Day? = nil) -> [Int] {
        let events = set.events
        guard let minDay = events.map(\.visit.raw).min() else { return [] }
        let last = through ?? Day(raw: Int32.max)
        var keyed = events.indices.compactMap { i -> (UInt64, Int)? in
            guard events[i].visit <= last else { return nil }
            return (UInt64(events[i].person) << 32 | UInt64(UInt32(events[i].visit.raw - minDay)), i)
        }
        keyed.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        // Equal (person, date): order by record_id bytes.
        var i = 0
        while i < keyed.count {
            var j = i + 1
            while j < keyed.count && keyed[j].0 == keyed[i].0 { j += 1 }
            if j - i > 1 {
                keyed[i..<j].sort { set.recordIDs.compare(events[$0.1].record, events[$1.1].record) < 0 }
            }
            i = j
        }
        return keyed.map(\.1)
    }

    // MARK: persons

    /// Positions in a person's period starts (see `run`).
    struct Periods {
        static let previousYear = 0, year = 3
        let asOfMonth: Int
        /// Slot s (0 = December of Y−1) spans starts[2 + s] ..< starts[3 + s]; its month before,
        /// starts[1 + s] ..< starts[2 + s].
        func month(_ s: Int) -> (Int, Int) { (2 + s, 3 + s) }
    }

    /// One person's records, in (visit, record_id) order, with the slices of each period.
    struct PersonRecords {
        let all: ArraySlice<Int>
        let order: [Int]
        let at: [Int]
        let periods: Periods

        var previousYear: ArraySlice<Int> { order[at[Periods.previousYear]..<at[Periods.year]] }
        var year: ArraySlice<Int> { order[at[Periods.year]..<all.endIndex] }
        /// Records of slot `s` (0 = December of Y−1) and of the month before it.
        func month(_ s: Int) -> (now: ArraySlice<Int>, before: ArraySlice<Int>) {
            (order[at[2 + s]..<at[3 + s]], order[at[1 + s]..<at[2 + s]])
        }
    }

    // swiftlint:disable:next function_parameter_count
    static func evaluatePerson(_ ind: IndicatorDefinition, _ i: Int, _ person: PersonRecords,
                               events: [ServiceEvent], byID: [String: Int], indicators: [IndicatorDefinition],
                               slot: (Day) -> Int?, count: (Int, Int, Int) -> Void) {
        switch ind.scope {
        case .lifetime:
            if let (day, rec) = attainPerson(ind.rule, person.all, events: events), let s = slot(day) {
                count(i, rec, s)
            }
        case .year:
            // A run for Y−1 counts only its own year; here only its December is wanted.
            let previous = person.previousYear
            if !previous.isEmpty, let (day, rec) = attainPerson(ind.rule, previous, events: events),
               slot(day) == 0 {
                count(i, rec, 0)
            }
            let current = person.year
            if !current.isEmpty, let (day, rec) = attainPerson(ind.rule, current, events: events),
               let s = slot(day) {
                count(i, rec, s)
            }
        case .monthly:
            for s in 0...person.periods.asOfMonth {
                let (now, before) = person.month(s)
                if now.isEmpty { continue }
                if let rec = monthly(ind.rule, now: now, before: before, events: events, byID: byID,
                                     indicators: indicators) {
                    count(i, rec, s)
                }
            }
        }
    }

    /// The attaining (date, record) of a person-level rule over `records` in order.
    static func attainPerson(_ rule: IndicatorRule, _ records: ArraySlice<Int>,
                             events: [ServiceEvent]) -> (Day, Int)? {
        switch rule {
        case let .first(filter, _, _):
            for r in records where filter.matches(events[r]) { return (events[r].visit, r) }
            return nil
        case let .eachOf(items):
            return eachOf(items, records, reference: nil, events: events)
        case .visits, .monthlyPresence, .monthlyIncrease:
            return nil
        }
    }

    /// Each of a set: the maximum over items of each item's earliest qualifying date; the area
    /// record is the earliest qualifying record of the item met last (smallest record_id on ties).
    static func eachOf(_ items: [RecordFilter], _ records: some Collection<Int>, reference: Day?,
                       events: [ServiceEvent]) -> (Day, Int)? {
        var best: (day: Day, position: Int, record: Int)?
        for item in items {
            var found: (Int, Int)?
            for (p, r) in records.enumerated() where item.matches(events[r], reference: reference) {
                found = (p, r)
                break
            }
            guard let (p, r) = found else { return nil }
            let d = events[r].visit
            if best == nil || d > best!.day || (d == best!.day && p < best!.position) {
                best = (d, p, r)
            }
        }
        return best.map { ($0.day, $0.record) }
    }

    /// A monthly rule's counting record among a month's records (`now`), with the month
    /// before's (`before`) for a change; nil when it does not count.
    static func monthly(_ rule: IndicatorRule, now: ArraySlice<Int>, before: ArraySlice<Int>,
                        events: [ServiceEvent], byID: [String: Int], indicators: [IndicatorDefinition]) -> Int? {
        switch rule {
        case let .monthlyPresence(filter):
            return now.last { filter.matches(events[$0]) }
        case let .monthlyIncrease(base, measure):
            guard let b = byID[base], case let .monthlyPresence(baseFilter) = indicators[b].rule else { return nil }
            guard let area = now.last(where: { baseFilter.matches(events[$0]) }) else { return nil }
            func lastValid(_ list: ArraySlice<Int>) -> Float? {
                list.last { measure.matches(events[$0]) && !events[$0].result.isNaN }.map { events[$0].result }
            }
            guard let current = lastValid(now), let previous = lastValid(before) else { return nil }
            return current > previous ? area : nil
        default:
            return nil
        }
    }

    // MARK: pregnancies and deliveries

    static func attainPregnancy(_ rule: IndicatorRule, _ ep: Episode, events: [ServiceEvent]) -> (Day, Int)? {
        switch rule {
        case let .first(filter, trimesters, _):
            for v in ep.visits {
                let recs = ep.records.filter { events[$0].visit == v.date }
                guard let rec = recs.first(where: { filter.matches(events[$0]) }) else { continue }
                if let trimesters, !trimesters.contains(v.trimester) { return nil }
                return (v.date, rec)
            }
            return nil
        case let .visits(minimum, doctor):
            var n = [0, 0, 0], dr = [0, 0, 0]
            for v in ep.visits {
                guard v.trimester > 0 else { continue }
                n[v.trimester - 1] += 1
                if v.doctor { dr[v.trimester - 1] += 1 }
                if (0..<3).allSatisfy({ n[$0] >= minimum[$0] && dr[$0] >= doctor[$0] }) {
                    return (v.date, v.firstRecord)
                }
            }
            return nil
        case let .eachOf(items):
            return eachOf(items, ep.records, reference: nil, events: events)
        case .monthlyPresence, .monthlyIncrease:
            return nil
        }
    }

    static func attainDelivery(_ rule: IndicatorRule, _ d: Delivery, events: [ServiceEvent]) -> (Day, Int)? {
        let pool = d.pool
        switch rule {
        case let .first(filter, _, onStart):
            for r in pool where filter.matches(events[r], reference: d.date) {
                return (onStart ? d.date : events[r].visit, r)
            }
            return nil
        case let .eachOf(items):
            return eachOf(items, pool, reference: d.date, events: events)
        case .visits, .monthlyPresence, .monthlyIncrease:
            return nil
        }
    }
}
