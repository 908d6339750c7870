import Growth
import PWSCore

/// `rule: growth_change` (amendments §A4), scope `monthly`: `T` ("tidak naik", `consecutive: 1`) and
/// `2T` (`consecutive: 2`). In the `base` indicator (a `monthly_presence` one, `D_S`) this month,
/// a valid weight (`GrowthMonth.weight`) this month and the month before, and this month's not
/// above the one before; for `consecutive: 2` also a valid weight two months before and the month
/// before's not above it (`GrowthMonth.isT` / `isTwoT`). Weights only: WHO flags do not matter,
/// as for `N_D`. Counted at the base indicator's area (its latest qualifying record of the
/// month). Needs the run's growth standards (`AggregateInput.growthStandards`); without them it
/// counts nothing.
public struct GrowthChangeRule: PlannedRule {
    public static let name = "growth_change"
    public static let keys: Set<String> = ["base", "consecutive"]
    public static let takesNoFilter: String? = "its records are fixed by §A4: the base's children and their weighings"

    /// The id of a `monthly_presence` indicator of the catalogue.
    public var base: String
    /// 1 (`T`) or 2 (`2T`).
    public var months: Int

    public init(base: String, months: Int) {
        self.base = base
        self.months = months
    }

    public static func parse(_ entry: some RuleEntry) throws -> GrowthChangeRule {
        guard entry.scope == .monthly, entry.subject == .person else {
            throw entry.error("rule", "\(entry.id): growth_change needs subject: person and scope: monthly")
        }
        guard let base = try entry.string("base") else { throw entry.error(nil, "missing key \"base\"") }
        guard let months = try entry.int("consecutive") else { throw entry.error(nil, "missing key \"consecutive\"") }
        guard months == 1 || months == 2 else {
            throw entry.error("consecutive", "\(entry.id): consecutive must be 1 (T) or 2 (2T)")
        }
        return GrowthChangeRule(base: base, months: months)
    }

    public func checkReferences(of own: IndicatorDefinition, in catalogue: [IndicatorDefinition]) -> ReferenceProblem? {
        MonthlyIncreaseRule.presence(base, in: catalogue) == nil
            ? ReferenceProblem("base", "refers to \(base), which is not a monthly_presence indicator of this catalogue") : nil
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        let baseFilter = MonthlyIncreaseRule.presence(base, in: catalogue).map { plan.add($0) }
        return Compiled(base: baseFilter, months: months)
    }

    struct Compiled: CompiledRule {
        let base: Int?
        let months: Int

        /// Counts only in a month with a counting weight (`GrowthMonth.counts`).
        var countsOnlyGrowthMonths: Bool { true }

        func monthly(_ month: MonthRecords, _ c: RuleContext) -> Int? {
            guard let base, c.growthStandards != nil, !month.before.isEmpty,
                  let area = month.now.last(where: { c.matches(base, $0) }) else { return nil }
            // The month's weight as `GrowthMonth.weight.value` (the last counting `TIMBANG`),
            // without scoring it: T and 2T compare weights only.
            guard let service = c.growthServices.weight else { return nil }
            func weight(_ records: Positions) -> Float? {
                records.last { c.events[$0].service == service && GrowthMonth.counts(c.events[$0]) }
                    .map { c.events[$0].result }
            }
            guard let now = weight(month.now), let before = weight(month.before), now <= before else { return nil }
            if months == 1 { return area }
            guard let beforeThat = weight(month.twoBefore) else { return nil }
            return before <= beforeThat ? area : nil
        }
    }
}

extension IndicatorRule {
    public static func growthChange(base: String, months: Int) -> IndicatorRule {
        IndicatorRule(GrowthChangeRule(base: base, months: months))
    }
}
