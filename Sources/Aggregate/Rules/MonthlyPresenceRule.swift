import PWSCore

/// `rule: monthly_presence` (spec §5.2), scope `monthly`: a qualifying record in the month;
/// counted at the area of the month's latest such record (`D_S`).
public struct MonthlyPresenceRule: PlannedRule {
    public static let name = "monthly_presence"
    public static let keys: Set<String> = []

    public var filter: RecordFilter

    public init(_ filter: RecordFilter) {
        self.filter = filter
    }

    public static func parse(_ entry: some RuleEntry) throws -> MonthlyPresenceRule {
        guard entry.scope == .monthly else {
            throw entry.error("rule", "\(entry.id): monthly_presence needs scope: monthly")
        }
        return MonthlyPresenceRule(entry.filter)
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        Compiled(filter: plan.add(filter))
    }

    struct Compiled: CompiledRule {
        let filter: Int

        func monthly(_ month: MonthRecords, _ c: RuleContext) -> Int? {
            month.now.last { c.matches(filter, $0) }
        }
    }
}

extension IndicatorRule {
    public static func monthlyPresence(_ filter: RecordFilter) -> IndicatorRule {
        IndicatorRule(MonthlyPresenceRule(filter))
    }
}
