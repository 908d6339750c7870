import Concurrency
import PWSCore

/// What the counting phase of Aggregate gives, for a set of whole persons: counts that are
/// additive over disjoint sets of persons (a sharded run's reduce tasks, spec §A7), so the sum
/// over the partitions is what one process counts over all of them.
public struct AggregateCounts: Sendable {
    /// [indicator][rt][slot] → subjects attaining (slots: see `Aggregator.slotCount`).
    public var counts: [Int32]
    /// RTs with a record of the reporting year.
    public var seenRTs: [Bool]
    /// NIFAS events attached to no delivery (W-NIFAS), as indices into the input's events, sorted.
    public var unattachedNifas: [Int]
    /// `completeness.csv` facility rows of these events (`Completeness.rows`; no unreadable rows).
    public var completeness: [CompletenessRow]

    public init(counts: [Int32], seenRTs: [Bool], unattachedNifas: [Int], completeness: [CompletenessRow]) {
        self.counts = counts
        self.seenRTs = seenRTs
        self.unattachedNifas = unattachedNifas
        self.completeness = completeness
    }
}

extension Aggregator {
    /// Month slots per indicator and RT in `AggregateCounts.counts`.
    public static var slotCount: Int { slots }

    /// The length of `AggregateCounts.counts` for this catalogue and register: a plane of
    /// [RT][slot] per rule the per-person loop counts.
    public static func countsSize(_ input: AggregateInput) -> Int {
        countsSize(indicators: input.indicators, services: input.services, rtCount: input.register.rts.count)
    }

    /// `countsSize(_:)` from the catalogue, the services and the register's RT count.
    public static func countsSize(indicators: [IndicatorDefinition], services: ServiceCatalogue, rtCount: Int) -> Int {
        let plan = RulePlan(indicators, serviceCount: services.services.count)
        defer { plan.deallocate() }
        return plan.rules.count * rtCount * slots
    }

    /// The counting phase: completeness and the per-person loop over `input.events`.
    public static func countPhase(_ input: AggregateInput) -> AggregateCounts {
        var order: [Int]?
        return countPhase(input, order: &order)
    }

    /// The counting phase, sharing its sort by person with the caller: `order` is
    /// `personOrder(input)` — sorted here when nil and handed back, so that the growth pass
    /// (`growthReview`) needs no sort of its own. `completeness: false` leaves
    /// `AggregateCounts.completeness` empty.
    public static func countPhase(_ input: AggregateInput, order shared: inout [Int]?,
                                  completeness wanted: Bool = true) -> AggregateCounts {
        countPhase(input, catalogues: [input.indicators], order: &shared, completeness: wanted)[0]
    }

    /// The counting phase of `input.indicators` and, in the same walk over each person's
    /// records, of a second catalogue over the same events (`also`: the SPM services): the
    /// counts of each, as two `countPhase` calls with those catalogues would give them, for one
    /// sort, one completeness table and one walk (the periods, growth months, pregnancies and
    /// deliveries of a person found once for both). The second's completeness is empty (it
    /// would be the same rows); its RTs seen and unattached NIFAS are the first's. `order` as
    /// in `countPhase(_:order:completeness:)`.
    public static func countPhase(_ input: AggregateInput, also other: [IndicatorDefinition], order shared: inout [Int]?,
                                  completeness wanted: Bool = true) -> (AggregateCounts, also: AggregateCounts) {
        let counted = countPhase(input, catalogues: [input.indicators, other], order: &shared, completeness: wanted)
        return (counted[0], counted[1])
    }

    /// Ranges of persons per thread where persons are split over threads (`countPhase`,
    /// `sortedOrder`, `growthReview`).
    static let rangesPerWorker = 16

    /// The counting phase of one catalogue or two over `input.events` (`input.indicators` is
    /// not read): their counts in `catalogues` order, the first with the completeness rows.
    static func countPhase(_ input: AggregateInput, catalogues: [[IndicatorDefinition]], order shared: inout [Int]?,
                           completeness wanted: Bool) -> [AggregateCounts] {
        // First, while nothing else of the stage is allocated: its counting arrays are then
        // freed before the sort and the counts reach the stage's peak.
        let completeness = wanted ? Completeness.rows(input.events, asOf: input.asOf) : []
        if shared == nil { shared = personOrder(input) }
        let order = shared ?? []
        let plans = catalogues.map { RulePlan($0, serviceCount: input.services.services.count) }
        defer { for plan in plans { plan.deallocate() } }
        let pass = PersonPass(input: input, order: order, plans: plans)
        // Persons are independent: each thread counts whole persons into counts of its own,
        // and the threads' counts are added (sums do not depend on how the persons were split).
        // The persons are cut into many more ranges than threads, claimed one by one: persons
        // differ in cost (a balita's growth months, a mother's pregnancies), and equal halves
        // left one thread counting alone for a fifth of the phase.
        let events = input.events.events
        let parts = Parallel.ranges(order.count, parts: input.workers * rangesPerWorker) { k in
            events[order[k]].person != events[order[k - 1]].person
        }
        var partials = Parallel.claiming(parts.count, workers: input.workers) { next in
            pass.count(next: { next().map { parts[$0] } })
        }
        // Each part's counts are freed as soon as they are added.
        var tallies = partials.popLast() ?? plans.indices.map { pass.emptyTally($0) }
        while var other = partials.popLast() {
            for p in tallies.indices {
                tallies[p].add(other[p])
                other[p] = Tally(counts: [], seenRTs: [], unattached: [])
            }
        }
        let unattached = tallies[0].unattached.sorted()
        return tallies.indices.map { p in
            AggregateCounts(counts: tallies[p].counts, seenRTs: tallies[p].seenRTs, unattachedNifas: unattached,
                            completeness: p == 0 ? completeness : [])
        }
    }

    /// The events of `input` up to the end of its as-of month by (person, visit_date,
    /// record_id): what the per-person loop (`countPhase`) and the growth pass (`growthReview`)
    /// walk. One sort can serve both, and a second catalogue over the same events.
    public static func personOrder(_ input: AggregateInput) -> [Int] {
        sortedOrder(input.events, through: input.asOf.lastDay, parts: input.workers)
    }

    /// The finishing phase: areas, denominators and values from counts over every person
    /// (`input.events` is not read: it may be empty). `completeness` is the table's facility
    /// rows; the unreadable files' rows are added here. It takes the counts over: `counts` is
    /// nil on return, and the per-RT counts are freed as soon as every area's counts are summed
    /// from them (before the denominators and values), so the phase never holds both at their
    /// full size for long.
    public static func finishPhase(_ input: AggregateInput, counts: inout AggregateCounts?) -> AggregateResult {
        guard var counts = counts.take() else { preconditionFailure("finishPhase without counts") }
        let table = AreaTable(register: input.register, seenRTs: counts.seenRTs)
        let plan = RulePlan(input.indicators, serviceCount: input.services.services.count)
        defer { plan.deallocate() }
        var rtCounts = counts.counts
        counts.counts = []
        let values = Analysis.values(input: input, table: table, counts: &rtCounts, rtCount: input.register.rts.count,
                                     denominatorPlanes: plan.denominatorPlanes)
        return AggregateResult(values: values, infos: input.indicators.map(\.info),
                               villagePuskesmas: table.villagePuskesmas, puskesmasNames: table.puskesmasNames,
                               unattachedNifas: counts.unattachedNifas,
                               completeness: Completeness.withUnreadable(counts.completeness,
                                                                         unreadable: input.unreadableSources,
                                                                         asOf: input.asOf))
    }
}

extension Completeness {
    /// Facility rows with the rows of unreadable files added, in the table's order (as `table`).
    public static func withUnreadable(_ rows: [CompletenessRow], unreadable: [String], asOf: YearMonth) -> [CompletenessRow] {
        guard !unreadable.isEmpty else { return rows }
        return (rows + unreadableRows(unreadable, asOf: asOf)).sorted { a, b in
            a.facility != b.facility ? a.facility.utf8.lexicographicallyPrecedes(b.facility.utf8) : a.month < b.month
        }
    }

    /// Facility rows of disjoint sets of persons summed into the rows over all of them: records
    /// and distinct persons per facility and month add up because no person is in two sets.
    /// Facilities in byte order of their names, months 1 … the as-of month, as `rows` gives them.
    public static func sum(_ parts: [[CompletenessRow]], asOf: YearMonth) -> [CompletenessRow] {
        var byFacility: [String: (type: String, records: [Int], persons: [Int])] = [:]
        for part in parts {
            for row in part {
                var entry = byFacility[row.facility] ?? (row.facilityType, [Int](repeating: 0, count: 13),
                                                         [Int](repeating: 0, count: 13))
                entry.records[row.month] += row.records
                entry.persons[row.month] += row.persons
                byFacility[row.facility] = entry
            }
        }
        var rows: [CompletenessRow] = []
        for facility in byFacility.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let entry = byFacility[facility]!
            for m in 1...asOf.month {
                rows.append(CompletenessRow(facility: facility, facilityType: entry.type, year: asOf.year, month: m,
                                            records: entry.records[m], persons: entry.persons[m],
                                            reported: entry.records[m] > 0))
            }
        }
        return rows
    }
}
