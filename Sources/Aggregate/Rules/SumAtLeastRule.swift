import PWSCore

/// `rule: sum_at_least` (amendments §A5: `TTD_BUMIL90`, ≥ 90 iron tablets, the result holding
/// the tablet count): the subject attains at the record — in (visit_date, record_id) order —
/// at which the running sum of the results of its qualifying records reaches `minimum`.
/// Records without a valid result add 0 (they were already reported as `W-RESULT`).
///
/// - person: over the person's records of the scope;
/// - pregnancy: over the episode's records (its ANC records and the maternal records that
///   joined it — TTD_BUMIL among them, `SubjectBuilder.join`);
/// - delivery: over the delivery's pool (PERSALINAN and NIFAS records).
public struct SumAtLeastRule: PlannedRule {
    public static let name = "sum_at_least"
    public static let keys: Set<String> = ["minimum"]

    public var filter: RecordFilter
    /// The sum to reach, > 0.
    public var minimum: Int

    public init(_ filter: RecordFilter, minimum: Int) {
        self.filter = filter
        self.minimum = minimum
    }

    public static func parse(_ entry: some RuleEntry) throws -> SumAtLeastRule {
        guard entry.scope != .monthly else {
            throw entry.error("scope", "\(entry.id): sum_at_least needs scope: year or lifetime")
        }
        guard let minimum = try entry.int("minimum") else {
            throw entry.error(nil, "\(entry.id): missing key \"minimum\" (the sum of results to reach, e.g. 90 tablets)")
        }
        guard minimum > 0 else { throw entry.error("minimum", "\(entry.id): minimum must be above 0") }
        guard !entry.filter.services.isEmpty else {
            throw entry.error(nil, "\(entry.id): sum_at_least needs services: the records whose results are added")
        }
        return SumAtLeastRule(entry.filter, minimum: minimum)
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        Compiled(filter: plan.add(filter), minimum: Float(minimum))
    }

    struct Compiled: CompiledRule {
        let filter: Int
        let minimum: Float

        /// The first record of `records` at which the running sum reaches the minimum. Results
        /// are whole counts well inside `Float`'s exact integers (2²⁴), summed in `Double`.
        func reach(_ records: some Sequence<Int>, _ c: RuleContext, reference: Day? = nil) -> (Day, Int)? {
            var sum = 0.0
            for r in records where c.matches(filter, r, reference: reference) {
                let v = c.events[r].result
                if !v.isNaN { sum += Double(v) }
                if sum >= Double(minimum) { return (c.events[r].visit, r) }
            }
            return nil
        }

        func attain(person records: Positions, _ c: RuleContext) -> (Day, Int)? { reach(records, c) }
        func attain(pregnancy ep: Episode, _ c: RuleContext) -> (Day, Int)? { reach(ep.records, c) }
        func attain(delivery d: Delivery, _ c: RuleContext) -> (Day, Int)? { reach(d.pool, c, reference: d.date) }
    }
}
