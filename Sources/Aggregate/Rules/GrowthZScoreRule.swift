import Growth
import PWSCore

/// `rule: growth_zscore` (amendments §A4), scope `monthly`: the child's measurement of the
/// month (`GrowthMonth`) has an unflagged z-score of `measure` below `below` (`z < below`) or
/// above `above` (`z > above`), compared unrounded. `measure` is `weight_for_age` (WAZ of the
/// month's weight: `BGM`, `UNDERWEIGHT`), `length_height_for_age` (HAZ of the month's
/// length/height: `STUNTING`) or `weight_for_length_height` (WHZ of the latest date with both:
/// `WASTING`, `GIZI_BURUK`, `OVERWEIGHT`). Counted at the record the z-score came from (the
/// weight record for WAZ and WHZ, the length/height record for HAZ).
///
/// Without `denominator:` the denominator is counted by the rule (`denominator_source`
/// `measured`): the children with an unflagged z-score of `measure` in the month, at the same
/// record's area. With one (`BGM`: `{indicator: D_S}`) that one is used.
///
/// The records read are fixed by §A4 (`TIMBANG`, `UKUR_TB`, children 0–59 months); needs the
/// run's growth standards (`AggregateInput.growthStandards`), without them it counts nothing.
/// `age_months: [a, b]` within 0–59 narrows the children to those a–b completed months old at
/// the record the z-score came from (`STUNTING_BADUTA`: 0–23); a denominator indicator
/// (`{indicator: D_S}`) must then count the same ages (`checkReferences`).
public struct GrowthZScoreRule: PlannedRule {
    public static let name = "growth_zscore"
    public static let keys: Set<String> = ["measure", "below", "above", "age_months"]
    public static let takesNoFilter: String? = "its records are fixed by §A4: the measurement of the month of a child 0–59 months old (age_months may narrow the ages)"

    public enum Measure: String, Sendable, Hashable, CaseIterable {
        case weightForAge = "weight_for_age"
        case lengthHeightForAge = "length_height_for_age"
        case weightForLengthHeight = "weight_for_length_height"
    }

    public var measure: Measure
    /// Exactly one of the two is set.
    public var below: Int?
    public var above: Int?
    /// Whether the rule counts its own denominator (no `denominator:` in the catalogue).
    public var measuredDenominator: Bool
    /// The children's ages in completed months at the z-score's record (§A4: 0–59).
    public var ageMonths: ClosedRange<Int>

    /// §A4's ages: 0–59 completed months.
    public static let allAges = 0...GrowthMonth.lastMonthOfAge

    public init(measure: Measure, below: Int? = nil, above: Int? = nil, measuredDenominator: Bool = true,
                ageMonths: ClosedRange<Int> = GrowthZScoreRule.allAges) {
        self.measure = measure
        self.below = below
        self.above = above
        self.measuredDenominator = measuredDenominator
        self.ageMonths = ageMonths
    }

    public static func parse(_ entry: some RuleEntry) throws -> GrowthZScoreRule {
        guard entry.scope == .monthly, entry.subject == .person else {
            throw entry.error("rule", "\(entry.id): growth_zscore needs subject: person and scope: monthly")
        }
        guard let name = try entry.string("measure") else { throw entry.error(nil, "missing key \"measure\"") }
        guard let measure = Measure(rawValue: name) else {
            throw entry.error("measure", "\(entry.id): measure must be one of "
                              + Measure.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let below = try entry.int("below"), above = try entry.int("above")
        guard (below == nil) != (above == nil) else {
            throw entry.error(nil, "\(entry.id): growth_zscore needs exactly one of below: and above:")
        }
        var ages = allAges
        if entry.has("age_months") {
            // Read into the indicator's filter by the loader (a range of whole months, ≥ 0).
            guard let age = entry.filter.age, age.unit == .months else {
                throw entry.error("age_months", "\(entry.id): age_months must be [min, max] in completed months")
            }
            let lo = age.min ?? allAges.lowerBound, hi = age.max ?? allAges.upperBound
            guard lo <= hi, allAges.contains(lo), allAges.contains(hi) else {
                throw entry.error("age_months", "\(entry.id): age_months of a growth_zscore rule lies within 0–59 (§A4: the children weighed and measured are 0–59 months old)")
            }
            ages = lo...hi
        }
        return GrowthZScoreRule(measure: measure, below: below, above: above,
                                measuredDenominator: !entry.has("denominator"), ageMonths: ages)
    }

    /// A denominator indicator (`{indicator: D_S}`) counting other ages than the rule's would
    /// give a prevalence of some children over others (BGM 0–59 over D_S 0–23).
    public func checkReferences(of own: IndicatorDefinition, in catalogue: [IndicatorDefinition]) -> ReferenceProblem? {
        guard let ref = own.denominatorIndicator,
              let presence = catalogue.first(where: { $0.id == ref })?.rule.kind as? MonthlyPresenceRule else { return nil }
        let shown = { (r: ClosedRange<Int>) in r.upperBound == Int.max ? "\(r.lowerBound)+" : "\(r.lowerBound)–\(r.upperBound)" }
        guard let age = presence.filter.age else {
            return ReferenceProblem("denominator", "counts children \(shown(ageMonths)) months old, but its denominator \(ref) counts every age; give \(ref) age_months: [\(ageMonths.lowerBound), \(ageMonths.upperBound)]")
        }
        let window: ClosedRange<Int>
        switch age.unit {
        case .months: window = (age.min ?? 0)...(age.max ?? Int.max)
        case .years: window = 12 * (age.min ?? 0)...(age.max.map { 12 * $0 + 11 } ?? Int.max)
        case .days:
            // Days do not fall on completed months.
            return ReferenceProblem("denominator", "counts children \(shown(ageMonths)) completed months old, but its denominator \(ref) gives its ages in days; give \(ref) age_months: [\(ageMonths.lowerBound), \(ageMonths.upperBound)]")
        }
        guard window == ageMonths else {
            return ReferenceProblem("denominator", "counts children \(shown(ageMonths)) months old, but its denominator \(ref) counts ages \(shown(window)) months; give \(ref) the same age_months, or a denominator indicator that has them")
        }
        return nil
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        Compiled(measure: measure, below: below.map(Double.init), above: above.map(Double.init), counting: false,
                 ages: ageMonths == Self.allAges ? nil : ageMonths)
    }

    func compileDenominator(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> (any CompiledRule)? {
        measuredDenominator ? Compiled(measure: measure, below: nil, above: nil, counting: true,
                                       ages: ageMonths == Self.allAges ? nil : ageMonths) : nil
    }

    /// The numerator (`counting` false) or the measured denominator (`counting` true: every
    /// child with an unflagged z-score).
    struct Compiled: CompiledRule {
        let measure: Measure
        let below: Double?
        let above: Double?
        let counting: Bool
        /// Narrower ages than §A4's, in completed months at the z-score's record; nil: 0–59.
        let ages: ClosedRange<Int>?

        var growthParts: GrowthMonth.Parts {
            switch measure {
            case .weightForAge: .weight
            case .lengthHeightForAge: .length
            case .weightForLengthHeight: .weightForLength
            }
        }

        func monthly(_ month: MonthRecords, _ c: RuleContext) -> Int? {
            // Fields read through the cache's pointer: no copy of the whole month.
            guard let g = c.growthMonth(month.now, parts: growthParts) else { return nil }
            let z: Double?, record: Int
            switch measure {
            case .weightForAge:
                guard let w = g.pointee.weight else { return nil }
                (z, record) = (w.usableZ, w.record)
            case .lengthHeightForAge:
                guard let l = g.pointee.length else { return nil }
                (z, record) = (l.usableZ, l.record)
            case .weightForLengthHeight:
                guard let p = g.pointee.weightForLength else { return nil }
                (z, record) = (p.usableZ, p.weightRecord)
            }
            guard let z else { return nil }
            if let ages {
                let e = c.events[record]
                guard ages.contains(Age.completedMonths(birth: e.birth, visit: e.visit)) else { return nil }
            }
            if counting { return record }
            if let below, z < below { return record }
            if let above, z > above { return record }
            return nil
        }
    }
}

extension IndicatorRule {
    public static func growthZScore(_ measure: GrowthZScoreRule.Measure, below: Int? = nil, above: Int? = nil,
                                    measuredDenominator: Bool = true,
                                    ageMonths: ClosedRange<Int> = GrowthZScoreRule.allAges) -> IndicatorRule {
        IndicatorRule(GrowthZScoreRule(measure: measure, below: below, above: above,
                                       measuredDenominator: measuredDenominator, ageMonths: ageMonths))
    }
}
