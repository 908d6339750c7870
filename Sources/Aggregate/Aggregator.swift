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
    /// `indicators.csv` rows in the spec's order.
    public var rows: [IndicatorRow]
    public var infos: [IndicatorInfo]
    /// desa code → puskesmas code.
    public var villagePuskesmas: [String: String]
    public var puskesmasNames: [String: String]
    /// NIFAS events attached to no delivery (W-NIFAS), as indices into the event array.
    public var unattachedNifas: [Int]
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
        var seenRTs = Set<Int>()
        var unattached: [Int] = []
        let firstOfPrev = YearMonth(year: year - 1, month: 12).firstDay
        let lastOfPrev = YearMonth(year: year - 1, month: 12).lastDay
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

        var start = 0
        while start < order.count {
            let person = events[order[start]].person
            var end = start
            while end < order.count && events[order[end]].person == person { end += 1 }
            let records = order[start..<end]
            for r in records where events[r].visit.year == year { seenRTs.insert(Int(events[r].rt)) }

            // December of Y−1 is what a run for Y−1 gives (spec §6): pregnancies and deliveries are
            // rebuilt from the records up to its end when later records exist, since those can
            // move an episode's anchor or bring a delivery its qualifying record. Person rules need
            // no second pass: "first" and "each of" attain the same with fewer later records.
            var split = start
            while split < end && events[order[split]].visit <= lastOfPrev { split += 1 }
            let spans = split > start && split < end
            let prior = order[start..<split]

            var episodes: [Episode]?, priorEpisodes: [Episode]?
            var deliveries: [Delivery]?, priorDeliveries: [Delivery]?
            for (i, ind) in indicators.enumerated() {
                switch ind.subject {
                case .person:
                    evaluatePerson(ind, i, records, events: events, year: year, asOf: input.asOf, byID: byID,
                                   indicators: indicators, slot: slot, count: count)
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
        let rows = Analysis(input: input, table: table, counts: counts, rtCount: rtCount).rows()
        return AggregateResult(rows: rows, infos: indicators.map(\.info), villagePuskesmas: table.villagePuskesmas,
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

    // swiftlint:disable:next function_parameter_count
    static func evaluatePerson(_ ind: IndicatorDefinition, _ i: Int, _ records: ArraySlice<Int>,
                               events: [ServiceEvent], year: Int, asOf: YearMonth, byID: [String: Int],
                               indicators: [IndicatorDefinition], slot: (Day) -> Int?,
                               count: (Int, Int, Int) -> Void) {
        switch ind.scope {
        case .lifetime:
            if let (day, rec) = attainPerson(ind.rule, records, events: events), let s = slot(day) {
                count(i, rec, s)
            }
        case .year:
            for y in [year - 1, year] {
                let scoped = records.filter { events[$0].visit.year == y }
                if scoped.isEmpty { continue }
                if let (day, rec) = attainPerson(ind.rule, scoped[...], events: events), let s = slot(day) {
                    // A run for Y−1 counts only its own year; here only its December is wanted.
                    if y == year || s == 0 { count(i, rec, s) }
                }
            }
        case .monthly:
            var months = [YearMonth(year: year - 1, month: 12)]
            for m in 1...asOf.month { months.append(YearMonth(year: year, month: m)) }
            for (s, month) in months.enumerated() {
                if let rec = monthly(ind.rule, records, month: month, events: events, byID: byID,
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

    /// A monthly rule's counting record for `month`, or nil.
    static func monthly(_ rule: IndicatorRule, _ records: ArraySlice<Int>, month: YearMonth,
                        events: [ServiceEvent], byID: [String: Int], indicators: [IndicatorDefinition]) -> Int? {
        func inMonth(_ m: YearMonth) -> [Int] {
            records.filter { YearMonth(events[$0].visit) == m }
        }
        switch rule {
        case let .monthlyPresence(filter):
            return inMonth(month).last { filter.matches(events[$0]) }
        case let .monthlyIncrease(base, measure):
            guard let b = byID[base], case let .monthlyPresence(baseFilter) = indicators[b].rule else { return nil }
            let now = inMonth(month)
            guard let area = now.last(where: { baseFilter.matches(events[$0]) }) else { return nil }
            func lastValid(_ list: [Int]) -> Float? {
                list.last { measure.matches(events[$0]) && !events[$0].result.isNaN }.map { events[$0].result }
            }
            guard let current = lastValid(now), let previous = lastValid(inMonth(month.previous)) else { return nil }
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
