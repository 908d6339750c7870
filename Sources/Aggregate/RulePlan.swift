import PWSCore

/// The catalogue's rules compiled for the per-person loop of `Aggregator.run`: record filters as
/// bit masks and integer bounds, rules that name their filters by index, everything in plain
/// memory that is not reference-counted.
///
/// Evaluating `IndicatorRule`/`RecordFilter` directly cost, per person and indicator, a copy of
/// the rule (a retain and release of every array and set inside it) and, per record tested, a
/// hashed `Set` look-up for facility types and providers: together about a third of the stage
/// at 10 M events. The plan gives the same answers (`RulePlanTests` checks them against
/// `RecordFilter.matches`).
///
/// A value type of unsafe buffers: copying it is free. The buffers live until `deallocate()`.
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
    }

    /// An `IndicatorRule` naming its filters by index.
    enum Rule {
        /// `trimesters`: a bit per allowed trimester, nil = any.
        case first(filter: Int, trimesters: UInt64?, onStart: Bool)
        case visits(minimum: (Int, Int, Int), doctor: (Int, Int, Int))
        /// Items: filter indices.
        case eachOf(Range<Int>)
        case monthlyPresence(filter: Int)
        /// `base`: the presence filter of the base indicator; nil when the catalogue names no
        /// monthly-presence indicator by that id (the rule then never counts).
        case monthlyIncrease(base: Int?, measure: Int)
    }

    let rules: UnsafeMutableBufferPointer<Rule>
    let filters: UnsafeMutableBufferPointer<Filter>
    let masks: UnsafeMutableBufferPointer<UInt64>
    let results: UnsafeMutableBufferPointer<ResultTest>
    /// Words per service mask.
    let words: Int

    /// Compiles `indicators`' rules; `serviceCount` is the size of the run's service catalogue.
    init(_ indicators: [IndicatorDefinition], serviceCount: Int) {
        let byID = Dictionary(indicators.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var filters: [Filter] = []
        var masks: [UInt64] = []
        var results: [ResultTest] = []
        let maxService = indicators.flatMap { ind -> [UInt16] in
            switch ind.rule {
            case let .first(f, _, _), let .monthlyPresence(f), let .monthlyIncrease(_, f): return f.services
            case let .eachOf(items): return items.flatMap(\.services)
            case .visits: return []
            }
        }.max().map(Int.init) ?? 0
        let words = (max(serviceCount, maxService + 1) + 63) / 64
        func add(_ f: RecordFilter) -> Int {
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
                                  results: start..<results.count, days: f.days))
            return filters.count - 1
        }
        func three(_ list: [Int]) -> (Int, Int, Int) {
            (list.count > 0 ? list[0] : 0, list.count > 1 ? list[1] : 0, list.count > 2 ? list[2] : 0)
        }
        var rules: [Rule] = []
        for ind in indicators {
            switch ind.rule {
            case let .first(f, trimesters, onStart):
                let bits = trimesters.map { set in set.reduce(UInt64(0)) { $0 | ((0..<64).contains($1) ? 1 << UInt64($1) : 0) } }
                rules.append(.first(filter: add(f), trimesters: bits, onStart: onStart))
            case let .visits(minimum, doctor):
                rules.append(.visits(minimum: three(minimum), doctor: three(doctor)))
            case let .eachOf(items):
                let start = filters.count
                for item in items { _ = add(item) }
                rules.append(.eachOf(start..<filters.count))
            case let .monthlyPresence(f):
                rules.append(.monthlyPresence(filter: add(f)))
            case let .monthlyIncrease(base, measure):
                var baseFilter: Int?
                if let b = byID[base], case let .monthlyPresence(f) = indicators[b].rule { baseFilter = add(f) }
                rules.append(.monthlyIncrease(base: baseFilter, measure: add(measure)))
            }
        }
        func copy<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(array.count, 1))
            _ = buffer.initialize(from: array)
            return UnsafeMutableBufferPointer(rebasing: buffer[0..<array.count])
        }
        self.rules = copy(rules)
        self.filters = copy(filters)
        self.masks = copy(masks)
        self.results = copy(results)
        self.words = words
    }

    /// Frees the buffers; the plan must not be used afterwards.
    func deallocate() {
        for b in [UnsafeMutableRawPointer(rules.baseAddress), UnsafeMutableRawPointer(filters.baseAddress),
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
        return true
    }
}
