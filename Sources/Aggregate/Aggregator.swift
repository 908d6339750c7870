import Concurrency
import Growth
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
    /// Threads the stage may use (at least 1); the results do not depend on it.
    public var workers: Int
    /// Service files that could not be read (`--skip-unreadable`), by path: each gets a
    /// not-reported row in `completeness.csv`.
    public var unreadableSources: [String]
    /// The status of "below target and `tetap`" (above target, for lower-is-better indicators):
    /// `cukup` or `jelek` (pipeline `status.tetap_below_target`, amendments §A5).
    public var tetapBelowTarget: IndicatorStatus
    /// The WHO 2006 standards the growth rule kinds (`growth_change`, `growth_zscore`, §A4)
    /// score with; nil: those indicators count nothing.
    public var growthStandards: GrowthStandards?

    public init(events: EventSet, register: AreaRegister, sasaran: [SasaranEntry], services: ServiceCatalogue,
                indicators: [IndicatorDefinition], asOf: YearMonth, estimation: EstimationSettings,
                workers: Int = Parallel.defaultWorkers, unreadableSources: [String] = [],
                tetapBelowTarget: IndicatorStatus = .cukup, growthStandards: GrowthStandards? = nil) {
        self.growthStandards = growthStandards
        self.events = events
        self.register = register
        self.sasaran = sasaran
        self.services = services
        self.indicators = indicators
        self.asOf = asOf
        self.estimation = estimation
        self.workers = max(1, workers)
        self.unreadableSources = unreadableSources
        self.tetapBelowTarget = tetapBelowTarget
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
    /// The rows of `completeness.csv` (`Completeness.table`).
    public var completeness: [CompletenessRow]

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
        // Two phases (Aggregator+Phases.swift), so that a sharded run can count persons in
        // several processes and finish once over the summed counts.
        var counts: AggregateCounts? = countPhase(input)
        return finishPhase(input, counts: &counts)
    }

    /// What a run of the per-person loop counts.
    struct Tally {
        /// [plane][rt][slot] → subjects attaining: a plane per indicator, then one per counted
        /// denominator (`RulePlan.rules`).
        var counts: [Int32]
        /// RTs with a record of the reporting year.
        var seenRTs: [Bool]
        /// NIFAS events attached to no delivery (unordered).
        var unattached: [Int]

        mutating func add(_ other: Tally) {
            counts.withUnsafeMutableBufferPointer { c in
                for k in other.counts.indices { c[k] += other.counts[k] }
            }
            for k in other.seenRTs.indices where other.seenRTs[k] { seenRTs[k] = true }
            unattached += other.unattached
        }
    }

    /// Arrays of zeros of the given sizes, and `body`'s result over buffers of them: the
    /// buffers are the arrays' own storage (made with `init(unsafeUninitializedCapacity:)`),
    /// so what `body` writes is in the arrays returned, with no copy.
    static func withZeroedCounts<R>(_ sizes: [Int], _ body: ([UnsafeMutableBufferPointer<Int32>]) -> R) -> ([[Int32]], R) {
        func make(_ k: Int, _ buffers: [UnsafeMutableBufferPointer<Int32>]) -> ([[Int32]], R) {
            guard k < sizes.count else { return ([], body(buffers)) }
            var rest: [[Int32]] = []
            var result: R?
            let counts = [Int32](unsafeUninitializedCapacity: sizes[k]) { buffer, initialized in
                let zeroed = UnsafeMutableBufferPointer(rebasing: buffer[0..<sizes[k]])
                zeroed.initialize(repeating: 0)
                initialized = sizes[k]
                (rest, result) = make(k + 1, buffers + [zeroed])
            }
            return ([counts] + rest, result!)
        }
        return make(0, [])
    }

    /// The per-person loop over a range of `order`: one catalogue or two (`plans`: the
    /// indicators, and the SPM services when they are wanted), each counted into a tally of its
    /// own, and the period tables; shared read-only by every part of a run.
    ///
    /// With two plans each person's records are still walked once: the periods, the growth
    /// months, the pregnancies and the deliveries are found once, and every plan's counting
    /// units are asked over them. The tallies are what separate passes would count
    /// (`JointCountTests`).
    struct PersonPass {
        let events: [ServiceEvent]
        let order: [Int]
        let plans: [RulePlan]
        let builder: SubjectBuilder
        let growthStandards: GrowthStandards?
        let growthServices: GrowthServices
        let rtCount: Int
        let asOfMonth: Int
        let asOf: YearMonth
        // The catalogues' counting units as plain arrays, the plans' one after the other: the
        // loop below runs once per person and unit, and copying an `IndicatorDefinition` there
        // (strings, rule payloads) cost a fifth of the stage in reference counting.
        /// Per unit: its plan (an index into `plans`) and its plane in that plan's tally.
        let unitPlan: [Int]
        let unitPlane: [Int]
        let subjects: [SubjectKind]
        let scopes: [Scope]
        /// Per unit, `RulePlan.growthMonthsOnly`.
        let growthMonthsOnly: [Bool]
        /// The growth measurements any plan's rules read: one `GrowthMonthCache` serves all.
        let growthParts: GrowthMonth.Parts
        let firstOfPrev: Day
        let lastDay: Day
        /// Month slot of each day from December of Y−1 to the as-of month's last day.
        let slotOfDay: [Int8]
        /// Period starts; a person's records are sorted by date, so each period is a contiguous
        /// slice of them, found once per person (no per-month filtering or allocation).
        let starts: [Day]

        init(input: AggregateInput, order: [Int], plans: [RulePlan]) {
            precondition((1...2).contains(plans.count), "a person pass counts one catalogue or two")
            events = input.events.events
            self.order = order
            self.plans = plans
            builder = SubjectBuilder(events: events, recordIDs: input.events.recordIDs,
                                     anc: input.services.index(of: "ANC"),
                                     persalinan: input.services.index(of: "PERSALINAN"),
                                     nifas: input.services.index(of: "NIFAS"),
                                     joining: input.services.joining(.pregnancy),
                                     joiningDelivery: input.services.joining(.delivery))
            growthStandards = input.growthStandards
            growthServices = GrowthServices(input.services)
            rtCount = input.register.rts.count
            asOfMonth = input.asOf.month
            asOf = input.asOf
            unitPlan = plans.indices.flatMap { p in repeatElement(p, count: plans[p].subjects.count) }
            unitPlane = plans.flatMap { $0.subjects.indices }
            subjects = plans.flatMap(\.subjects)
            scopes = plans.flatMap(\.scopes)
            growthMonthsOnly = plans.flatMap(\.growthMonthsOnly)
            growthParts = plans.reduce(into: []) { $0.formUnion($1.growthParts) }
            let year = input.asOf.year
            let firstOfPrev = YearMonth(year: year - 1, month: 12).firstDay
            let lastDay = input.asOf.lastDay
            self.firstOfPrev = firstOfPrev
            self.lastDay = lastDay
            slotOfDay = (0...firstOfPrev.days(to: lastDay)).map { k in
                let c = firstOfPrev.adding(days: k).civil
                return Int8(c.year == year ? c.month : 0)
            }
            var starts = [Day(year: year - 1, month: 1, day: 1)!, Day(year: year - 1, month: 10, day: 1)!,
                          Day(year: year - 1, month: 11, day: 1)!, firstOfPrev]
            for m in 1...input.asOf.month { starts.append(YearMonth(year: year, month: m).firstDay) }
            starts.append(lastDay.adding(days: 1))
            self.starts = starts
        }

        /// Plan `p`'s tally with nothing counted.
        func emptyTally(_ p: Int = 0) -> Tally {
            Tally(counts: [Int32](repeating: 0, count: plans[p].rules.count * rtCount * slots),
                  seenRTs: [Bool](repeating: false, count: rtCount), unattached: [])
        }

        /// Counts the persons of `order[range]` (whole persons: the range starts and ends at
        /// a change of person): a tally per plan, in `plans` order. Every tally has the same
        /// RTs seen and unattached NIFAS records (they do not depend on the catalogue).
        ///
        /// The loop runs once per person and counting unit (and month, for monthly units): it
        /// reads `order` and the period bounds through unsafe buffers, so handing a rule its
        /// records (`Positions`, `MonthRecords`) costs no reference counting.
        func count(_ range: Range<Int>) -> [Tally] {
            var pending: Range<Int>? = range
            return count(next: { defer { pending = nil }; return pending })
        }

        /// Counts the persons of every range `next` hands out until it returns nil (each range
        /// starts and ends at a change of person), into one tally per plan as `count(_:)`.
        /// Threads that share a `next` which claims the ranges of `order` one by one each count
        /// what they claimed; the sum of their tallies is `count(_:)` of the whole, whichever
        /// thread got which range.
        func count(next: () -> Range<Int>?) -> [Tally] {
            order.withUnsafeBufferPointer { order in
                let at = UnsafeMutableBufferPointer<Int>.allocate(capacity: starts.count)
                at.initialize(repeating: 0)
                defer { at.deallocate() }
                var seenRTs = [Bool](repeating: false, count: rtCount)
                var unattached: [Int] = []
                let (counts, _) = Aggregator.withZeroedCounts(plans.map { $0.rules.count * rtCount * slots }) { counts in
                    count(next: next, order: order, at: at, counts: counts, seenRTs: &seenRTs, unattached: &unattached)
                }
                return counts.map { Tally(counts: $0, seenRTs: seenRTs, unattached: unattached) }
            }
        }

        /// The loop of `count(next:)`: plan p counts into `counts[p]` ([unit][rt][slot]); the RTs
        /// seen and the unattached NIFAS records are the same for every plan. The counts are
        /// written through buffers, not through a captured tally, which cost a dynamic
        /// exclusivity check per write.
        // swiftlint:disable:next function_parameter_count
        private func count(next: () -> Range<Int>?, order: UnsafeBufferPointer<Int>, at: UnsafeMutableBufferPointer<Int>,
                           counts: [UnsafeMutableBufferPointer<Int32>], seenRTs: inout [Bool], unattached: inout [Int]) {
            let events = events, builder = builder, starts = starts
            let rtCount = rtCount, firstOfPrev = firstOfPrev, lastDay = lastDay, slotOfDay = slotOfDay
            // Each plan's rules in a local array of its own, handed to `evaluate` as an
            // argument: a rule is then called in place (see `RulePlan.rules`).
            let rules0 = plans[0].rules, rules1 = plans[plans.count - 1].rules
            let unitPlan = unitPlan, unitPlane = unitPlane, subjects = subjects, scopes = scopes
            let growthCache = growthStandards.flatMap { standards in
                growthParts.isEmpty ? nil : GrowthMonthCache(parts: growthParts, standards: standards)
            }
            defer { growthCache?.deallocate() }
            // A context per plan (its filters), both sharing the growth cache. Two local values,
            // not an array or buffer of them: a rule gets its context as an argument, and one
            // read from an array or a buffer is copied (a retain and release of every table in
            // it) for each call.
            let context0 = RuleContext(events: events, plan: plans[0], asOf: asOf, growthStandards: growthStandards,
                                       growthServices: growthServices, growthCache: growthCache)
            let context1 = RuleContext(events: events, plan: plans[plans.count - 1], asOf: asOf,
                                       growthStandards: growthStandards, growthServices: growthServices,
                                       growthCache: growthCache)
            func slot(_ d: Day) -> Int? {
                guard d >= firstOfPrev, d <= lastDay else { return nil }
                return Int(slotOfDay[firstOfPrev.days(to: d)])
            }
            func hit(_ p: Int, _ plane: Int, _ record: Int, _ s: Int) {
                counts[p][(plane * rtCount + Int(events[record].rt)) * slots + s] += 1
            }
            let periods = Periods(asOfMonth: asOfMonth)
            let growthMonthsOnly = growthMonthsOnly
            let anyGrowthUnit = growthMonthsOnly.contains(true)
            let weightService = growthServices.weight, lengthService = growthServices.length

            while let range = next() {
                var start = range.lowerBound
                while start < range.upperBound {
                    let person = events[order[start]].person
                    var end = start
                    var k = 0
                    while end < range.upperBound && events[order[end]].person == person {
                        let v = events[order[end]].visit
                        while k < starts.count && v >= starts[k] { at[k] = end; k += 1 }
                        end += 1
                    }
                    while k < starts.count { at[k] = end; k += 1 }
                    let records = order[start..<end]
                    for r in order[at[Periods.year]..<end] { seenRTs[Int(events[r].rt)] = true }

                    // December of Y−1 is what a run for Y−1 gives (spec §6): pregnancies and
                    // deliveries are rebuilt from the records up to its end when later records
                    // exist, since those can move an episode's anchor or bring a delivery its
                    // qualifying record. Person rules need no second pass: "first" and "each of"
                    // attain the same with fewer later records.
                    let split = at[Periods.year]
                    let spans = split > start && split < end
                    let prior = order[start..<split]
                    let personRecords = PersonRecords(all: records, order: order, at: at, periods: periods)
                    // The month slots with a TIMBANG/UKUR_TB record that counts for growth: the
                    // growth units (`RulePlan.growthMonthsOnly`) are asked for those only — for most
                    // persons (not balita) none.
                    var growthSlots: UInt16 = 0
                    if anyGrowthUnit {
                        for r in order[at[3]..<end] {
                            let e = events[r]
                            if e.service == weightService || e.service == lengthService, GrowthMonth.counts(e),
                               let s = slot(e.visit) {
                                growthSlots |= 1 << UInt16(s)
                            }
                        }
                    }

                    // Built on first use, for every plan.
                    var episodes: [Episode]?, priorEpisodes: [Episode]?
                    var deliveries: [Delivery]?, priorDeliveries: [Delivery]?
                    /// Counts unit `u` of plan `p` for this person.
                    func evaluate(_ u: Int, _ p: Int, _ rules: [any CompiledRule], _ context: RuleContext) {
                        let i = unitPlane[u]
                        switch subjects[u] {
                        case .person:
                            let months: UInt16 = growthMonthsOnly[u] ? growthSlots : .max
                            guard months != 0 else { return }
                            evaluatePerson(rules, scopes[u], i, personRecords, months: months,
                                           context: context, slot: slot) { hit(p, $0, $1, $2) }
                        case .pregnancy:
                            if episodes == nil { episodes = builder.episodes(records) }
                            for ep in episodes! {
                                if let (day, rec) = attain(rules, i, pregnancy: ep, context),
                                   let s = slot(day), s > 0 || !spans {
                                    hit(p, i, rec, s)
                                }
                            }
                            guard spans else { return }
                            if priorEpisodes == nil { priorEpisodes = builder.episodes(prior) }
                            for ep in priorEpisodes! {
                                if let (day, rec) = attain(rules, i, pregnancy: ep, context),
                                   slot(day) == 0 {
                                    hit(p, i, rec, 0)
                                }
                            }
                        case .delivery:
                            if deliveries == nil {
                                let (d, u) = builder.deliveries(records)
                                deliveries = d
                                unattached += u
                            }
                            for d in deliveries! {
                                if let (day, rec) = attain(rules, i, delivery: d, context),
                                   let s = slot(day), s > 0 || !spans {
                                    hit(p, i, rec, s)
                                }
                            }
                            guard spans else { return }
                            if priorDeliveries == nil { priorDeliveries = builder.deliveries(prior).0 }
                            for d in priorDeliveries! {
                                if let (day, rec) = attain(rules, i, delivery: d, context),
                                   slot(day) == 0 {
                                    hit(p, i, rec, 0)
                                }
                            }
                        }
                    }
                    for u in 0..<subjects.count {
                        if unitPlan[u] == 0 { evaluate(u, 0, rules0, context0) } else { evaluate(u, 1, rules1, context1) }
                    }
                    // No plan has a delivery unit: the unattached NIFAS records are still wanted.
                    if deliveries == nil {
                        unattached += builder.deliveries(records).unattached
                    }
                    start = end
                }
            }
        }
    }

    /// Event indices by (person, visit_date, record_id), leaving out visits after `through`.
    ///
    /// A counting sort by person (persons are dense indices) puts each person's records
    /// together in index order; each person's few records are then sorted by (visit,
    /// record_id) in place, by insertion for the usual handful. No comparison sort over all
    /// events: at 10 M events this is well under a second where a sort of packed `UInt64` keys
    /// took 1.5 s.
    ///
    /// While a person's records are sorted, each position holds its visit day in the high 32
    /// bits and the event index in the low 32 (`key`), so the sort compares positions without
    /// reading the events, which lie scattered in memory; only records of the same day read
    /// their record ids. The keys become plain indices at the end. Runs of persons are sorted
    /// on `parts` threads.
    ///
    /// - Complexity: O(n + persons + Σ k²) for k records of a person (k ≤ 32; larger groups
    ///   are sorted in O(k log k)).
    static func sortedOrder(_ set: EventSet, through: Day? = nil, parts: Int = 1) -> [Int] {
        let events = set.events
        let recordIDs = set.recordIDs
        precondition(events.count <= Int(UInt32.max), "more events than a 32-bit index holds")
        let last = through ?? Day(raw: Int32.max)
        // A counting sort by person over `parts` contiguous ranges of the events, each on a
        // thread: a range counts its persons' events, then writes them after the earlier
        // ranges' events of the same person, so each person's positions hold its events in
        // index order, as one pass in index order would place them.
        let cuts = Parallel.ranges(events.count, parts: max(1, parts))
        let maxPerson = Parallel.map(cuts.count) { s in
            var top = -1
            for i in cuts[s] where events[i].visit <= last { top = max(top, Int(events[i].person)) }
            return top
        }.max() ?? -1
        guard maxPerson >= 0 else { return [] }
        let persons = maxPerson + 1
        // Per range, per person: its count, then the position its next event goes to. Fewer
        // ranges when persons have few events each, so these cells never take more memory
        // than `order` itself.
        let slices = Parallel.ranges(events.count, parts: max(1, min(parts, events.count / persons)))
        let tally = UnsafeMutableBufferPointer<Int>.allocate(capacity: slices.count * persons)
        tally.initialize(repeating: 0)
        nonisolated(unsafe) let cells = tally  // each range touches its own `persons` cells only
        _ = Parallel.map(slices.count) { s in
            let mine = cells.baseAddress! + s * persons
            for i in slices[s] where events[i].visit <= last { mine[Int(events[i].person)] += 1 }
        }
        var starts = [Int](repeating: 0, count: persons + 1)
        for p in 0..<persons {
            var at = starts[p]
            for s in slices.indices {
                let count = tally[s * persons + p]
                tally[s * persons + p] = at
                at += count
            }
            starts[p + 1] = at
        }
        /// Visit day, order-preserving as unsigned, above the event index.
        @inline(__always) func key(_ i: Int) -> Int {
            Int(bitPattern: UInt(UInt32(bitPattern: events[i].visit.raw) ^ 0x8000_0000) << 32 | UInt(i))
        }
        var order = [Int](repeating: 0, count: starts[persons])
        order.withUnsafeMutableBufferPointer { buffer in
            // Ranges write disjoint positions (each person's share of each range).
            nonisolated(unsafe) let order = buffer
            _ = Parallel.map(slices.count) { s in
                let next = cells.baseAddress! + s * persons
                for i in slices[s] where events[i].visit <= last {
                    let p = Int(events[i].person)
                    order[next[p]] = key(i)
                    next[p] += 1
                }
            }
        }
        tally.deallocate()

        /// (visit, record_id, index) of two keys: a total order, so the result does not depend
        /// on the sort's stability.
        @inline(__always) func less(_ a: Int, _ b: Int) -> Bool {
            let da = UInt(bitPattern: a) >> 32, db = UInt(bitPattern: b) >> 32
            if da != db { return da < db }
            let x = a & 0xFFFF_FFFF, y = b & 0xFFFF_FFFF
            let c = recordIDs.compare(events[x].record, events[y].record)
            return c != 0 ? c < 0 : x < y
        }
        // Runs of persons of equal count can hold very unequal numbers of records (ids are
        // interned in read order, and files group persons by service): many more runs than
        // threads, claimed one by one, keep the threads busy to the end.
        let runs = Parallel.ranges(maxPerson + 1, parts: parts * rangesPerWorker)
        let first = starts  // each person's first position, read by every run
        order.withUnsafeMutableBufferPointer { buffer in
            // Each run writes only its own persons' positions (disjoint slices of one buffer),
            // which the compiler cannot see: hence nonisolated(unsafe).
            nonisolated(unsafe) let order = buffer
            _ = Parallel.claiming(runs.count, workers: parts) { next in
                while let run = next() {
                    for p in runs[run] {
                        let lo = first[p], hi = first[p + 1]
                        if hi - lo > 32 {
                            order[lo..<hi].sort(by: less)
                        } else if hi - lo > 1 {
                            for a in (lo + 1)..<hi {
                                let x = order[a]
                                var b = a
                                while b > lo, less(x, order[b - 1]) {
                                    order[b] = order[b - 1]
                                    b -= 1
                                }
                                order[b] = x
                            }
                        }
                        for position in lo..<hi { order[position] &= 0xFFFF_FFFF }
                    }
                }
            }
        }
        return order
    }

    // MARK: persons

    /// Positions in a person's period starts (see `run`): January of Y−1, October, November and
    /// December of Y−1, the months of Y up to the as-of month, the day after it.
    struct Periods {
        static let previousYear = 0, year = 4
        let asOfMonth: Int
    }

    /// One person's records, in (visit, record_id) order, with the slices of each period.
    struct PersonRecords {
        let all: Positions
        let order: UnsafeBufferPointer<Int>
        let at: UnsafeMutableBufferPointer<Int>
        let periods: Periods

        var previousYear: Positions { order[at[Periods.previousYear]..<at[Periods.year]] }
        var year: Positions { order[at[Periods.year]..<all.endIndex] }
        /// Whether the person has records in slot `s`.
        func hasRecords(inSlot s: Int) -> Bool { at[3 + s] < at[4 + s] }
        /// Records of slot `s` (0 = December of Y−1) and of the two months before it: slot s
        /// spans starts[3 + s] ..< starts[4 + s].
        func month(_ s: Int) -> MonthRecords {
            MonthRecords(now: order[at[3 + s]..<at[4 + s]], before: order[at[2 + s]..<at[3 + s]],
                         twoBefore: order[at[1 + s]..<at[2 + s]])
        }
    }

    /// `rules[i].attain(pregnancy:_:)`, the rule called in place as in `evaluatePerson`.
    @inline(never)
    static func attain(_ rules: [any CompiledRule], _ i: Int, pregnancy: Episode, _ c: RuleContext) -> (Day, Int)? {
        rules[i].attain(pregnancy: pregnancy, c)
    }

    /// `rules[i].attain(delivery:_:)`, the rule called in place as in `evaluatePerson`.
    @inline(never)
    static func attain(_ rules: [any CompiledRule], _ i: Int, delivery: Delivery, _ c: RuleContext) -> (Day, Int)? {
        rules[i].attain(delivery: delivery, c)
    }

    // swiftlint:disable:next function_parameter_count
    /// Counts person rule `rules[i]` (unit `i`) over one person's records; a monthly rule is
    /// asked only for the month slots whose bit is set in `months` (and that have records).
    ///
    /// Given the array and the index, and not inlined, so the rule is called in place as an
    /// array's element (see `RulePlan.rules`): handed the element, or inlined into the loop,
    /// the rule was copied out and destroyed again for each call.
    @inline(never)
    static func evaluatePerson(_ rules: [any CompiledRule], _ scope: Scope, _ i: Int, _ person: PersonRecords,
                               months: UInt16 = .max,
                               context c: RuleContext, slot: (Day) -> Int?, count: (Int, Int, Int) -> Void) {
        switch scope {
        case .lifetime:
            if let (day, rec) = rules[i].attain(person: person.all, c), let s = slot(day) {
                count(i, rec, s)
            }
        case .year:
            // A run for Y−1 counts only its own year; here only its December is wanted.
            let previous = person.previousYear
            if !previous.isEmpty, let (day, rec) = rules[i].attain(person: previous, c), slot(day) == 0 {
                count(i, rec, 0)
            }
            let current = person.year
            if !current.isEmpty, let (day, rec) = rules[i].attain(person: current, c), let s = slot(day) {
                count(i, rec, s)
            }
        case .monthly:
            for s in 0...person.periods.asOfMonth where months & (1 << UInt16(s)) != 0 && person.hasRecords(inSlot: s) {
                if let rec = rules[i].monthly(person.month(s), c) {
                    count(i, rec, s)
                }
            }
        }
    }
}
