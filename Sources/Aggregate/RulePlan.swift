import PWSCore

/// The catalogue's rules compiled for the per-person loop of `Aggregator.run`: record filters as
/// bit masks and integer bounds in plain memory that is not reference-counted, and each
/// indicator's `CompiledRule` (compiled by its kind, `Rules/`), which names its filters by index.
///
/// Evaluating `IndicatorRule`/`RecordFilter` directly cost, per person and indicator, a copy of
/// the rule (a retain and release of every array and set inside it) and, per record tested, a
/// hashed `Set` look-up for facility types and providers: together about a third of the stage
/// at 10 M events. The plan gives the same answers (`RulePlanTests` checks them against
/// `RecordFilter.matches`).
///
/// A value type of unsafe buffers and one array of small compiled rules: copying it is cheap.
/// The buffers live until `deallocate()`.
struct RulePlan {
    /// A `RecordFilter` as plain values.
    struct Filter {
        /// Offset of the service mask in `masks` (`words` words); -1 = any service.
        var services: Int
        /// `Sex.rawValue`, or 0 for any.
        var sex: UInt8
        /// nil: no age condition.
        var ageUnit: AgeLimit.Unit?
        var ageMin: Int, ageMax: Int
        /// A bit per `FacilityType.rawValue` / `Provider.rawValue`; all ones = any.
        var facilityTypes: UInt64, providers: UInt64
        /// Indices into `results`; empty = no result condition (any test may hold).
        var results: Range<Int>
        var days: ClosedRange<Int>?
        /// A bit per calendar month of the visit (1–12); all ones = any.
        var months: UInt16
    }

    /// The counting units of the per-person loop: each indicator's compiled rule in catalogue
    /// order (`IndicatorRuleKind` values compiled by their kind's file in `Rules/`), then the
    /// counted denominators of the indicators that have one. Unit k counts into plane k of the
    /// counts; `subjects` and `scopes` are each unit's (a denominator's are its indicator's).
    /// An array, read by the loop from a local of its own (not through an array of plans):
    /// a rule called on an array's element is called in place, where one read through an
    /// unsafe pointer's `pointee` or buffer subscript, or through a nested array, is copied out
    /// through its type's witnesses and destroyed again for every call (Swift 6.3, checked in
    /// the generated code; ~0.2 CPU-s of the counting at 3 M records, 8 % of the loop).
    let rules: [any CompiledRule]
    let subjects: [SubjectKind]
    let scopes: [Scope]
    /// The growth measurements any rule reads (`CompiledRule.growthParts`): what the loop's
    /// `GrowthMonthCache` builds per person-month.
    let growthParts: GrowthMonth.Parts
    /// Per counting unit, `CompiledRule.countsOnlyGrowthMonths`: the loop asks it only for the
    /// months with a counting `TIMBANG`/`UKUR_TB` record.
    let growthMonthsOnly: [Bool]
    /// Per indicator, the plane of its counted denominator, or nil.
    let denominatorPlanes: [Int?]
    let filters: UnsafeMutableBufferPointer<Filter>
    let masks: UnsafeMutableBufferPointer<UInt64>
    let results: UnsafeMutableBufferPointer<ResultTest>
    /// Words per service mask.
    let words: Int

    /// Collects the record filters of the rules being compiled; each rule names its filters by
    /// the index `add` returns.
    struct Builder {
        fileprivate(set) var filters: [RecordFilter] = []

        /// Adds `filter`; its index in the plan.
        mutating func add(_ filter: RecordFilter) -> Int {
            filters.append(filter)
            return filters.count - 1
        }
    }

    /// Compiles `indicators`' rules; `serviceCount` is the size of the run's service catalogue.
    init(_ indicators: [IndicatorDefinition], serviceCount: Int) {
        var builder = Builder()
        var rules = indicators.map { $0.rule.planned.compile(&builder, catalogue: indicators) }
        var subjects = indicators.map(\.subject), scopes = indicators.map(\.scope)
        var planes: [Int?] = []
        for ind in indicators {
            var unit: (any CompiledRule)?
            if let f = ind.countedDenominator {
                unit = ind.scope == .monthly ? MonthlyPresenceRule(f).compile(&builder, catalogue: indicators)
                                             : FirstRule(f).compile(&builder, catalogue: indicators)
            } else {
                unit = ind.rule.planned.compileDenominator(&builder, catalogue: indicators)
            }
            guard let unit else {
                planes.append(nil)
                continue
            }
            planes.append(rules.count)
            rules.append(unit)
            subjects.append(ind.subject)
            scopes.append(ind.scope)
        }
        self.rules = rules
        self.subjects = subjects
        self.scopes = scopes
        denominatorPlanes = planes
        growthParts = rules.reduce(into: []) { $0.formUnion($1.growthParts) }
        growthMonthsOnly = rules.map(\.countsOnlyGrowthMonths)
        let maxService = builder.filters.flatMap(\.services).max().map(Int.init) ?? 0
        let words = (max(serviceCount, maxService + 1) + 63) / 64
        var filters: [Filter] = []
        var masks: [UInt64] = []
        var results: [ResultTest] = []
        for f in builder.filters {
            var services = -1
            if !f.services.isEmpty {
                services = masks.count
                masks.append(contentsOf: repeatElement(0, count: words))
                for s in f.services { masks[services + Int(s) >> 6] |= 1 << (UInt64(s) & 63) }
            }
            func mask<T: RawRepresentable>(_ set: Set<T>?) -> UInt64 where T.RawValue == UInt8 {
                guard let set else { return .max }
                return set.reduce(0) { $0 | ($1.rawValue < 64 ? 1 << UInt64($1.rawValue) : 0) }
            }
            let start = results.count
            results.append(contentsOf: f.result)
            filters.append(Filter(services: services, sex: f.sex?.rawValue ?? 0, ageUnit: f.age?.unit,
                                  ageMin: f.age?.min ?? .min, ageMax: f.age?.max ?? .max,
                                  facilityTypes: mask(f.facilityTypes), providers: mask(f.providers),
                                  results: start..<results.count, days: f.days, months: f.months ?? .max))
        }
        func copy<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(array.count, 1))
            _ = buffer.initialize(from: array)
            return UnsafeMutableBufferPointer(rebasing: buffer[0..<array.count])
        }
        self.filters = copy(filters)
        self.masks = copy(masks)
        self.results = copy(results)
        self.words = words
    }

    /// Frees the buffers; the plan must not be used afterwards.
    func deallocate() {
        for b in [UnsafeMutableRawPointer(filters.baseAddress),
                  UnsafeMutableRawPointer(masks.baseAddress), UnsafeMutableRawPointer(results.baseAddress)] {
            b?.deallocate()
        }
    }

    /// Whether `e` passes filter `k`, with `reference` the birth or delivery date for `days`
    /// (birth when nil): `RecordFilter.matches`.
    ///
    /// - Complexity: O(1) plus the filter's result tests; no allocation or reference counting.
    @inline(__always)
    func matches(_ k: Int, _ e: ServiceEvent, reference: Day? = nil) -> Bool {
        let f = filters[k]
        if f.services >= 0 {
            let s = Int(e.service)
            guard s >> 6 < words, masks[f.services + s >> 6] & (1 << UInt64(s & 63)) != 0 else { return false }
        }
        if f.sex != 0 && e.sex.rawValue != f.sex { return false }
        if let unit = f.ageUnit {
            let age = Age.age(in: unit, birth: e.birth, visit: e.visit)
            if age < f.ageMin || age > f.ageMax { return false }
        }
        if f.facilityTypes & (1 << UInt64(e.facilityType.rawValue & 63)) == 0 { return false }
        if f.providers & (1 << UInt64(e.provider.rawValue & 63)) == 0 { return false }
        if !f.results.isEmpty {
            var any = false
            for t in f.results where results[t].holds(e) {
                any = true
                break
            }
            if !any { return false }
        }
        if let days = f.days {
            let ref = reference ?? e.birth
            if !days.contains(ref.days(to: e.visit)) { return false }
        }
        if f.months != .max && f.months & (1 << UInt16(e.visit.month)) == 0 { return false }
        return true
    }
}
