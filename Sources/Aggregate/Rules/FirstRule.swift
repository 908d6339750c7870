import PWSCore

/// `rule: first` (spec §5.2): the first qualifying record attains.
///
/// - person: the first record passing the filter, in (visit_date, record_id) order;
/// - pregnancy: the first visit (distinct date) with a qualifying record, that visit's first
///   such record; with `first_visit_trimester`, only if that visit is in one of the trimesters;
/// - delivery: the first qualifying record of the delivery's pool; with
///   `attain_on: delivery_date` the date is the delivery's own, the area that record's.
public struct FirstRule: PlannedRule {
    public static let name = "first"
    public static let keys: Set<String> = ["first_visit_trimester", "attain_on"]

    public var filter: RecordFilter
    /// Trimesters (1–3) the first visit must be in; nil = any. Pregnancies only.
    public var firstVisitTrimesters: Set<Int>?
    /// The date is the subject's own (the delivery date). Deliveries only.
    public var attainOnSubjectStart: Bool

    public init(_ filter: RecordFilter, firstVisitTrimesters: Set<Int>? = nil, attainOnSubjectStart: Bool = false) {
        self.filter = filter
        self.firstVisitTrimesters = firstVisitTrimesters
        self.attainOnSubjectStart = attainOnSubjectStart
    }

    public static func parse(_ entry: some RuleEntry) throws -> FirstRule {
        // A subject is counted once, at its first qualifying date: no month has its own count
        // (with scope monthly the indicator counted nobody, without a word).
        guard entry.scope != .monthly else {
            throw entry.error("scope", "\(entry.id): first counts a subject once, at its first qualifying date, so it needs scope: year or lifetime; to count the subjects with a record in each month use rule: monthly_presence")
        }
        var trimesters: Set<Int>?
        if let list = try entry.ints("first_visit_trimester") {
            guard entry.subject == .pregnancy else {
                throw entry.error("first_visit_trimester", "\(entry.id): first_visit_trimester is for pregnancy indicators")
            }
            trimesters = Set(list)
            guard trimesters!.isSubset(of: [1, 2, 3]) else {
                throw entry.error("first_visit_trimester", "\(entry.id): trimesters are 1, 2 or 3")
            }
        }
        var onStart = false
        if let a = try entry.string("attain_on") {
            switch a {
            case "delivery_date":
                guard entry.subject == .delivery else {
                    throw entry.error("attain_on", "\(entry.id): attain_on: delivery_date is for delivery indicators")
                }
                onStart = true
            case "record": onStart = false
            default: throw entry.error("attain_on", "\(entry.id): attain_on must be record or delivery_date")
            }
        }
        return FirstRule(entry.filter, firstVisitTrimesters: trimesters, attainOnSubjectStart: onStart)
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        let bits = firstVisitTrimesters.map { set in
            set.reduce(UInt64(0)) { $0 | ((0..<64).contains($1) ? 1 << UInt64($1) : 0) }
        }
        return Compiled(filter: plan.add(filter), trimesters: bits, onStart: attainOnSubjectStart)
    }

    struct Compiled: CompiledRule {
        let filter: Int
        /// A bit per allowed trimester; nil = any.
        let trimesters: UInt64?
        let onStart: Bool

        func attain(person records: Positions, _ c: RuleContext) -> (Day, Int)? {
            for r in records where c.matches(filter, r) { return (c.events[r].visit, r) }
            return nil
        }

        func attain(pregnancy ep: Episode, _ c: RuleContext) -> (Day, Int)? {
            // The first visit (distinct date, in order) with a qualifying record; its first such
            // record (records are in (visit, record_id) order).
            guard let rec = ep.records.first(where: { c.matches(filter, $0) }) else { return nil }
            let date = c.events[rec].visit
            if let trimesters, let v = ep.visits.first(where: { $0.date == date }),
               v.trimester < 0 || v.trimester >= 64 || trimesters & (1 << UInt64(v.trimester)) == 0 {
                return nil
            }
            return (date, rec)
        }

        func attain(delivery d: Delivery, _ c: RuleContext) -> (Day, Int)? {
            for r in d.pool where c.matches(filter, r, reference: d.date) {
                return (onStart ? d.date : c.events[r].visit, r)
            }
            return nil
        }
    }
}

extension IndicatorRule {
    public static func first(_ filter: RecordFilter, firstVisitTrimesters: Set<Int>?,
                             attainOnSubjectStart: Bool) -> IndicatorRule {
        IndicatorRule(FirstRule(filter, firstVisitTrimesters: firstVisitTrimesters,
                                attainOnSubjectStart: attainOnSubjectStart))
    }
}
