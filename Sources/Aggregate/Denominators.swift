import PWSCore

/// Denominators per area and target group for one year (spec §5.1 as changed by §A1): sasaran,
/// else the sum of registered children when every one has a denominator (from any step), else
/// an estimate from population, else none.
///
/// Areas and groups are array indices, and every value is an `ExactDecimal` (sasaran with up
/// to 4 decimals, sums, estimates — rounded half up to an integer unless `estimation.round` is
/// off, spec §A1), so the whole chain for tens of thousands of areas costs milliseconds and
/// no binary floating point touches a denominator.
struct Denominators {
    let table: AreaTable
    let register: AreaRegister
    let estimation: EstimationSettings
    /// Group name → group index.
    private var groups: [String: Int] = [:]
    private var groupNames: [String] = []
    /// [group][area] → sasaran count of the year.
    private var sasaran: [[ExactDecimal?]] = []
    /// [group][area] → memoised result.
    private var memo: [[(ExactDecimal?, DenominatorSource)?]] = []
    /// [group] → f of §5.1, computed once (outer nil: not yet computed).
    private var factors: [ExactDecimal??] = []

    init(table: AreaTable, register: AreaRegister, sasaran entries: [SasaranEntry], year: Int,
         estimation: EstimationSettings) {
        self.table = table
        self.register = register
        self.estimation = estimation
        var codes: [String: Int] = [:]
        for (i, a) in table.areas.enumerated() where a.level == .desa || a.level == .rw || a.level == .rt {
            codes["\(a.level.rawValue)|\(a.code)"] = i
        }
        for e in entries where e.year == year {
            let v = register.villages[Int(e.village)].code
            let key: String
            if e.rw.isEmpty { key = "desa|\(v)" } else if e.rt.isEmpty { key = "rw|\(v)-\(e.rw)" } else {
                key = "rt|\(v)-\(e.rw)-\(e.rt)"
            }
            if let area = codes[key] {
                let g = group(e.group)
                sasaran[g][area] = e.count
            }
        }
    }

    /// The index of `name`, adding the group on first sight.
    private mutating func group(_ name: String) -> Int {
        if let g = groups[name] { return g }
        let g = groupNames.count
        groups[name] = g
        groupNames.append(name)
        sasaran.append(Array(repeating: nil, count: table.areas.count))
        memo.append(Array(repeating: nil, count: table.areas.count))
        factors.append(nil)
        return g
    }

    /// The denominator of `area` for `group` and where it came from (`.none` without one).
    mutating func value(area: Int, group name: String) -> (ExactDecimal?, source: DenominatorSource) {
        value(area: area, group: group(name))
    }

    private mutating func value(area: Int, group g: Int) -> (ExactDecimal?, source: DenominatorSource) {
        if let m = memo[g][area] { return m }
        let result = compute(area: area, group: g)
        memo[g][area] = result
        return result
    }

    private mutating func compute(area: Int, group g: Int) -> (ExactDecimal?, DenominatorSource) {
        if let s = sasaran[g][area] { return (s, .sasaran) }
        let a = table.areas[area]
        // §A1: children with a denominator from any step — sasaran, sum or estimate — are summed.
        if !a.children.isEmpty {
            var sum = ExactDecimal.zero
            var complete = true
            for c in a.children {
                // A checked sum: an overflow (far beyond any real district) leaves the area to
                // the estimate, never traps.
                guard let v = value(area: c, group: g).0, let s = sum.adding(v) else {
                    complete = false
                    break
                }
                sum = s
            }
            if complete { return (sum, .sum) }
        }
        if estimation.enabled, a.registered, !a.rts.isEmpty, let factor = factor(g) {
            var population = ExactDecimal.zero
            for r in a.rts {
                guard let p = register.rts[r].population, let s = population.adding(p) else { return (nil, .none) }
                population = s
            }
            guard let exact = factor.multiplied(by: population) else { return (nil, .none) }
            return (estimation.round ? exact.rounded(places: 0) : exact, .estimate)
        }
        return (nil, .none)
    }

    private mutating func factor(_ g: Int) -> ExactDecimal? {
        if let f = factors[g] { return f }
        let f = Denominators.factor(groupNames[g], estimation)
        factors[g] = .some(f)
        return f
    }

    /// f of spec §5.1 for `group`, exact: bumil 1.10 × CBR, bulin 1.05 × CBR, bayi and
    /// bayi_lahir_hidup CBR (per person), others the configured share; nil when the group has
    /// no rate or the rate is not decimal text.
    static func factor(_ group: String, _ estimation: EstimationSettings) -> ExactDecimal? {
        guard let cbr = ExactDecimal(estimation.cbrPer1000),
              let perPerson = ExactDecimal(units: cbr.units, scale: cbr.scale + 3) else { return nil }
        switch group {
        case "bumil": return ExactDecimal(units: 110, scale: 2)!.multiplied(by: perPerson)
        case "bulin": return ExactDecimal(units: 105, scale: 2)!.multiplied(by: perPerson)
        case "bayi", "bayi_lahir_hidup": return perPerson
        default: return estimation.shares[group].flatMap { ExactDecimal($0) }
        }
    }
}

extension IndicatorDefinition {
    /// What is wrong with this indicator's `denominator: {indicator: ID}` in `catalogue`, or nil
    /// (also nil without one, and for a rate, whose `from` is its denominator by definition).
    ///
    /// ID may be any **counted** indicator defined before this one (not a rate or an area count,
    /// whose figures are derived) whose scope fits: a monthly indicator takes the month's
    /// numerator of a monthly one (`N_D` ← `D_S`); a year or lifetime one the cumulative
    /// numerator of a year or lifetime one (and its month's numerator for the month's
    /// coverage). `IndicatorValues.figures` computes both.
    public func denominatorIndicatorProblem(in catalogue: [IndicatorDefinition]) -> String? {
        guard rule.kind.impliedDenominator == nil, let ref = denominatorIndicator else { return nil }
        if ref == id { return "names itself as its denominator indicator" }
        guard let j = catalogue.firstIndex(where: { $0.id == ref }) else {
            return "refers to \(ref), which is not an indicator of this catalogue"
        }
        if let own = catalogue.firstIndex(where: { $0.id == id }), j > own {
            return "refers to \(ref), which is defined after it; a denominator indicator must come earlier in the catalogue"
        }
        let other = catalogue[j]
        let planned = other.rule.planned
        if planned.derivation(catalogue: catalogue) != nil || planned.areaCount(catalogue: catalogue) != nil {
            return "refers to \(ref), which is derived (a rate or an area count); a denominator indicator must be counted"
        }
        if (other.scope == .monthly) != (scope == .monthly) {
            return "refers to \(ref) of scope \(other.scope.rawValue); a \(scope.rawValue) indicator's denominator indicator has scope "
                + (scope == .monthly ? "monthly" : "year or lifetime")
        }
        return nil
    }
}
