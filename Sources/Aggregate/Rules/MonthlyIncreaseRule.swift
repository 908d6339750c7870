import PWSCore

/// `rule: monthly_increase` (spec §5.2), scope `monthly` (`N_D`): in the `base` indicator this
/// month, and the last valid `measure` result this month is greater than the last valid one
/// last month; counted at the base indicator's area (its latest qualifying record).
public struct MonthlyIncreaseRule: PlannedRule {
    public static let name = "monthly_increase"
    public static let keys: Set<String> = ["base", "measure"]
    public static let takesNoFilter: String? = "put the condition in measure (or in the base indicator)"

    /// The id of a `monthly_presence` indicator of the catalogue.
    public var base: String
    public var measure: RecordFilter

    public init(base: String, measure: RecordFilter) {
        self.base = base
        self.measure = measure
    }

    public static func parse(_ entry: some RuleEntry) throws -> MonthlyIncreaseRule {
        guard entry.scope == .monthly else {
            throw entry.error("rule", "\(entry.id): monthly_increase needs scope: monthly")
        }
        guard let base = try entry.string("base") else { throw entry.error(nil, "missing key \"base\"") }
        guard let measure = try entry.filter("measure") else { throw entry.error(nil, "missing key \"measure\"") }
        return MonthlyIncreaseRule(base: base, measure: measure)
    }

    public func checkReferences(of own: IndicatorDefinition, in catalogue: [IndicatorDefinition]) -> ReferenceProblem? {
        Self.presence(base, in: catalogue) == nil
            ? ReferenceProblem("base", "refers to \(base), which is not a monthly_presence indicator of this catalogue") : nil
    }

    /// The filter of the `monthly_presence` indicator `id` of `catalogue`, or nil.
    static func presence(_ id: String, in catalogue: [IndicatorDefinition]) -> RecordFilter? {
        (catalogue.first { $0.id == id }?.rule.kind as? MonthlyPresenceRule)?.filter
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        // No base (a catalogue built without the loader's check): the rule never counts.
        let baseFilter = Self.presence(base, in: catalogue).map { plan.add($0) }
        return Compiled(base: baseFilter, measure: plan.add(measure))
    }

    struct Compiled: CompiledRule {
        let base: Int?
        let measure: Int

        func monthly(_ month: MonthRecords, _ c: RuleContext) -> Int? {
            guard let base, let area = month.now.last(where: { c.matches(base, $0) }) else { return nil }
            func lastValid(_ list: Positions) -> Float? {
                list.last { c.matches(measure, $0) && !c.events[$0].result.isNaN }.map { c.events[$0].result }
            }
            guard let current = lastValid(month.now), let previous = lastValid(month.before) else { return nil }
            return current > previous ? area : nil
        }
    }
}

extension IndicatorRule {
    public static func monthlyIncrease(base: String, measure: RecordFilter) -> IndicatorRule {
        IndicatorRule(MonthlyIncreaseRule(base: base, measure: measure))
    }
}
