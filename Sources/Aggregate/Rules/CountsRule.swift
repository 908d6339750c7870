import PWSCore

/// `rule: counts` (the SPM balita standard, docs/spm.md): each of a set of items, each met in
/// at least `minimum` **distinct calendar months** — a month with one or more qualifying
/// records counts once, so two weighings in one month are one — attaining when the last
/// still-missing item reaches its minimum. Persons only, `scope: year`.
///
/// An item is a record filter (the indicator's own filter added, as for `each_of`) with
/// `minimum` (default 1) and optionally `when: {age_months: [a, b]}` (any one age key): the
/// item is required only of a person whose age on **1 January** of the counted year is inside
/// the limit. A child who turns 6 months during the year is not asked for the two vitamin A
/// capsules of 6–59 months (the February round may precede their sixth month): the item
/// applies from the year after. A person of whom no item is required never attains.
///
/// The date is the maximum over the required items of the date each reached its minimum (the
/// first qualifying record of its `minimum`-th month); the area record is that record of the
/// item met last (the earliest in (visit_date, record_id) order on equal dates) — `each_of`'s
/// choice, which `counts` with every minimum 1 and no `when` reproduces.
public struct CountsRule: PlannedRule {
    public static let name = "counts"
    public static let keys: Set<String> = ["items"]
    /// Keys an item takes besides the record filter keys.
    public static let itemKeys: Set<String> = ["minimum", "when"]

    /// One item: the records that qualify, the months needed, and the age that requires it.
    public struct Item: Sendable, Hashable {
        public var filter: RecordFilter
        /// Distinct calendar months with a qualifying record, ≥ 1.
        public var minimum: Int
        /// The item is required only when the age on 1 January is inside; nil = always.
        public var when: AgeLimit?

        public init(_ filter: RecordFilter, minimum: Int = 1, when: AgeLimit? = nil) {
            self.filter = filter
            self.minimum = minimum
            self.when = when
        }
    }

    public var items: [Item]

    public init(_ items: [Item]) {
        self.items = items
    }

    public static func parse(_ entry: some RuleEntry) throws -> CountsRule {
        guard entry.subject == .person else {
            throw entry.error("subject", "\(entry.id): counts is for person indicators")
        }
        guard entry.scope == .year else {
            throw entry.error("scope", "\(entry.id): counts needs scope: year (months are counted in the reporting year)")
        }
        guard let entries = try entry.items("items", extraKeys: itemKeys) else {
            throw entry.error(nil, "missing key \"items\"")
        }
        guard !entries.isEmpty else { throw entry.error("items", "\(entry.id): counts needs at least one item") }
        let items = try entries.map { item in
            let minimum = try item.int("minimum") ?? 1
            guard (1...12).contains(minimum) else {
                throw item.error("minimum", "\(entry.id): minimum is a number of months in the year, 1-12")
            }
            var when: AgeLimit?
            if let w = try item.filter("when") {
                var ageOnly = RecordFilter()
                ageOnly.age = w.age
                guard w.age != nil, w == ageOnly else {
                    throw item.error("when", "\(entry.id): when takes one age limit, e.g. {age_months: [6, 59]}")
                }
                when = w.age
            }
            return Item(item.filter.merged(with: entry.filter), minimum: minimum, when: when)
        }
        return CountsRule(items)
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        Compiled(items: items.map { item in
            Compiled.Item(filter: plan.add(item.filter), minimum: Int32(item.minimum), whenUnit: item.when?.unit,
                          whenMin: Int32(clamping: item.when?.min ?? Int(Int32.min)),
                          whenMax: Int32(clamping: item.when?.max ?? Int(Int32.max)))
        })
    }

    struct Compiled: CompiledRule {
        struct Item {
            let filter: Int
            let minimum: Int32
            /// nil: always required.
            let whenUnit: AgeLimit.Unit?
            let whenMin: Int32, whenMax: Int32
        }

        /// A few items per indicator; read, never copied, per call.
        let items: [Item]

        func attain(person records: Positions, _ c: RuleContext) -> (Day, Int)? {
            guard let head = records.first else { return nil }
            let birth = c.events[head].birth
            let january = Day(year: c.events[head].visit.year, month: 1, day: 1)!
            // Items that do not apply at the child's age on 1 January are left out.
            let applying = items.lazy.filter { item in
                guard let unit = item.whenUnit else { return true }
                let age = Age.age(in: unit, birth: birth, visit: january)
                return age >= Int(item.whenMin) && age <= Int(item.whenMax)
            }
            return EachOfRule.latest(of: applying, c) { item in
                var months: Int32 = 0
                var lastMonth = -1
                var p = 0
                for r in records {
                    if c.matches(item.filter, r) {
                        let month = c.events[r].visit.month
                        if month != lastMonth {
                            lastMonth = month
                            months += 1
                            if months >= item.minimum { return (p, r) }
                        }
                    }
                    p += 1
                }
                return nil
            }
        }
    }
}

extension IndicatorRule {
    public static func counts(_ items: [CountsRule.Item]) -> IndicatorRule {
        IndicatorRule(CountsRule(items))
    }
}
