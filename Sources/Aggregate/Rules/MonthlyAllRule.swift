import PWSCore

/// `rule: monthly_all` (the SPM hypertension and diabetes standards, docs/spm.md: a
/// measurement at a health facility at least once a month): a person attains when there is a
/// qualifying record in **every** month from the month of their first qualifying record of the
/// year through the as-of month (December, for the December of the year before that the
/// January comparison needs). Persons only, `scope: year`.
///
/// Counted at the first qualifying record of the year (its date and area): the quarter a
/// person entered care. The figures of a month depend on the as-of month — a person in care
/// since March who misses June counts in March in a run for May and nowhere in a run for June
/// — unlike every other kind, whose past months never change with a later as-of month.
public struct MonthlyAllRule: PlannedRule {
    public static let name = "monthly_all"
    public static let keys: Set<String> = []

    public var filter: RecordFilter

    public init(_ filter: RecordFilter) {
        self.filter = filter
    }

    public static func parse(_ entry: some RuleEntry) throws -> MonthlyAllRule {
        guard entry.subject == .person else {
            throw entry.error("subject", "\(entry.id): monthly_all is for person indicators")
        }
        guard entry.scope == .year else {
            throw entry.error("scope", "\(entry.id): monthly_all needs scope: year (every month of the year up to the as-of month)")
        }
        return MonthlyAllRule(entry.filter)
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        Compiled(filter: plan.add(filter))
    }

    struct Compiled: CompiledRule {
        let filter: Int

        func attain(person records: Positions, _ c: RuleContext) -> (Day, Int)? {
            var first: Int?
            var months: UInt16 = 0
            for r in records where c.matches(filter, r) {
                if first == nil { first = r }
                months |= 1 << UInt16(c.events[r].visit.month)
            }
            guard let first else { return nil }
            let start = c.events[first].visit
            // The records of a year scope are of one year: the as-of month's, or an earlier
            // one's, evaluated through its December.
            let end = start.year == c.asOf.year ? c.asOf.month : 12
            guard start.month <= end else { return nil }
            for m in start.month...end where months & (1 << UInt16(m)) == 0 { return nil }
            return (start, first)
        }
    }
}

extension IndicatorRule {
    public static func monthlyAll(_ filter: RecordFilter) -> IndicatorRule {
        IndicatorRule(MonthlyAllRule(filter))
    }
}
