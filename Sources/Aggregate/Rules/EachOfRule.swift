import PWSCore

/// `rule: each_of` (spec §5.2): each of a set of items, attaining when the last still-missing
/// item is first met. An item is a record filter (with the indicator's own filter added);
/// windows relative to birth or delivery are items with `days_after_delivery` or an age.
///
/// The date is the maximum over items of each item's earliest qualifying date; the area record
/// is the earliest qualifying record of the item met last (smallest record_id on ties). For
/// deliveries, windows count from the delivery date.
public struct EachOfRule: PlannedRule {
    public static let name = "each_of"
    public static let keys: Set<String> = ["items"]

    public var items: [RecordFilter]

    public init(_ items: [RecordFilter]) {
        self.items = items
    }

    public static func parse(_ entry: some RuleEntry) throws -> EachOfRule {
        // A subject is counted once, at its first qualifying date: no month has its own count
        // (with scope monthly the indicator counted nobody, without a word).
        guard entry.scope != .monthly else {
            throw entry.error("scope", "\(entry.id): each_of counts a subject once, at its first qualifying date, so it needs scope: year or lifetime; to count the subjects with a record in each month use rule: monthly_presence")
        }
        guard let items = try entry.filters("items") else {
            throw entry.error(nil, "missing key \"items\"")
        }
        guard !items.isEmpty else { throw entry.error("items", "\(entry.id): each_of needs at least one item") }
        return EachOfRule(items.map { $0.merged(with: entry.filter) })
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        let indices = items.map { plan.add($0) }
        return Compiled(items: (indices.first ?? 0)..<((indices.last ?? -1) + 1))
    }

    struct Compiled: CompiledRule {
        /// The items' filter indices (consecutive).
        let items: Range<Int>

        func attain(person records: Positions, _ c: RuleContext) -> (Day, Int)? {
            Self.eachOf(items, records, reference: nil, c)
        }

        func attain(pregnancy ep: Episode, _ c: RuleContext) -> (Day, Int)? {
            Self.eachOf(items, ep.records, reference: nil, c)
        }

        func attain(delivery d: Delivery, _ c: RuleContext) -> (Day, Int)? {
            Self.eachOf(items, d.pool, reference: d.date, c)
        }

        static func eachOf(_ items: Range<Int>, _ records: some Collection<Int>, reference: Day?,
                           _ c: RuleContext) -> (Day, Int)? {
            EachOfRule.latest(of: items, c) { item in
                var p = 0
                for r in records {
                    if c.matches(item, r, reference: reference) { return (p, r) }
                    p += 1
                }
                return nil
            }
        }
    }

    /// "Each item attained" (this kind and `counts`): attained at the latest of the items' own
    /// attaining records — `attain(item)` gives its position among the records and the record —
    /// ties on the day going to the earlier position; nil when an item is not attained, or
    /// there are no items.
    @inline(__always)
    static func latest<Items: Sequence>(of items: Items, _ c: RuleContext,
                                        attain: (Items.Element) -> (position: Int, record: Int)?) -> (Day, Int)? {
        var best: (day: Day, position: Int, record: Int)?
        for item in items {
            guard let (p, r) = attain(item) else { return nil }
            let d = c.events[r].visit
            if best == nil || d > best!.day || (d == best!.day && p < best!.position) {
                best = (d, p, r)
            }
        }
        return best.map { ($0.day, $0.record) }
    }
}

extension IndicatorRule {
    public static func eachOf(_ items: [RecordFilter]) -> IndicatorRule {
        IndicatorRule(EachOfRule(items))
    }
}
