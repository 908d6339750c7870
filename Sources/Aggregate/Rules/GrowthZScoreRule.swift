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
public struct GrowthZScoreRule: PlannedRule {
    public static let name = "growth_zscore"
    public static let keys: Set<String> = ["measure", "below", "above"]
    public static let takesNoFilter: String? = "its records are fixed by §A4: the measurement of the month of a child 0–59 months old"

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

    public init(measure: Measure, below: Int? = nil, above: Int? = nil, measuredDenominator: Bool = true) {
        self.measure = measure
        self.below = below
        self.above = above
        self.measuredDenominator = measuredDenominator
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
        return GrowthZScoreRule(measure: measure, below: below, above: above,
                                measuredDenominator: !entry.has("denominator"))
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        Compiled(measure: measure, below: below.map(Double.init), above: above.map(Double.init), counting: false)
    }

    func compileDenominator(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> (any CompiledRule)? {
        measuredDenominator ? Compiled(measure: measure, below: nil, above: nil, counting: true) : nil
    }

    /// The numerator (`counting` false) or the measured denominator (`counting` true: every
    /// child with an unflagged z-score).
    struct Compiled: CompiledRule {
        let measure: Measure
        let below: Double?
        let above: Double?
        let counting: Bool

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
            if counting { return record }
            if let below, z < below { return record }
            if let above, z > above { return record }
            return nil
        }
    }
}

extension IndicatorRule {
    public static func growthZScore(_ measure: GrowthZScoreRule.Measure, below: Int? = nil, above: Int? = nil,
                                    measuredDenominator: Bool = true) -> IndicatorRule {
        IndicatorRule(GrowthZScoreRule(measure: measure, below: below, above: above,
                                       measuredDenominator: measuredDenominator))
    }
}
