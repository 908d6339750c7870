import Growth
import PWSCore

/// What is wrong with a rule's reference to another indicator, and the catalogue key that
/// names it (`base`, `from`, `of`): the loader points the error at that key's line.
public struct ReferenceProblem: Equatable, Sendable {
    public let key: String
    public let message: String

    public init(_ key: String, _ message: String) {
        self.key = key
        self.message = message
    }
}

/// A kind of indicator rule (spec §5.2, amendments §A4–§A5): what `rule:` names in the
/// catalogue. A kind lives in one file of this folder with everything about it: the catalogue
/// keys it reads (`parse`), what it compiles to for the per-person loop (`PlannedRule.compile`),
/// and how that compiled rule attains (its `CompiledRule`). Adding a kind is that file, its line
/// in `IndicatorRuleKinds.all`, and its section in docs/indicators.md.
///
/// The public side is what the catalogue loader and `pws indicators` need; `PlannedRule` (the
/// same values, module-internal) is what the Aggregate stage needs.
public protocol IndicatorRuleKind: Sendable, Hashable {
    /// The `rule:` value in the catalogue.
    static var name: String { get }
    /// The catalogue keys this kind reads besides an indicator's common keys (id, name,
    /// subject, scope, denominator, target, source, the record filter keys). Another kind's
    /// keys on an indicator of this kind are an error.
    static var keys: Set<String> { get }
    /// Reads the kind's keys of one catalogue entry, checking them (errors via `entry.error`).
    static func parse(_ entry: some RuleEntry) throws -> Self
    /// Checks what this rule (of indicator `own`) refers to in the whole catalogue (another
    /// indicator by id, say); returns the problem, under the key that names the reference, or nil.
    func checkReferences(of own: IndicatorDefinition, in catalogue: [IndicatorDefinition]) -> ReferenceProblem?
    /// The indicator whose numerator this rule's denominator is, when the rule fixes it (a
    /// rate's `from`); the catalogue then takes no `denominator:`. Default nil.
    var impliedDenominator: String? { get }
    /// Why an indicator of this kind takes no record filter keys (the kind would ignore them,
    /// so the catalogue refuses them rather than drop a condition silently); nil when the kind
    /// filters its records by them. Default nil.
    static var takesNoFilter: String? { get }
}

extension IndicatorRuleKind {
    public static var takesNoFilter: String? { nil }
}

/// The Aggregate side of a rule kind; every kind of `IndicatorRuleKinds.all` conforms
/// (`RuleKindTests` compiles each).
protocol PlannedRule: IndicatorRuleKind {
    /// Compiles the rule for the per-person loop: its record filters go to `plan`, which
    /// returns their indices; `catalogue` is the whole catalogue in order (a rule may use
    /// another indicator's filters).
    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule
    /// For a kind computed from other indicators' counts rather than from records: how
    /// (`Derivation`). Default nil: counted per person by the compiled rule.
    func derivation(catalogue: [IndicatorDefinition]) -> Derivation?
    /// For a kind whose denominator is counted per person as its numerator is (children with a
    /// plausible z-score in the month, say): that count's rule, evaluated for the indicator's
    /// subject and scope like the numerator's; `denominator_source` `measured`. Default nil.
    func compileDenominator(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> (any CompiledRule)?
    /// Whether a cumulative target is the annual one × m / 12 (spec §6; coverage of a year
    /// grows month by month) or the annual one every month (a ratio, such as a drop-out rate).
    static var proratesTarget: Bool { get }
    /// For a kind counting areas by another indicator's figures (UCI villages): which
    /// indicator and the test (`AreaCount`); computed after every other indicator. Default nil.
    func areaCount(catalogue: [IndicatorDefinition]) -> AreaCount?
    /// The `denominator_source` of a denominator the kind gives itself without counting it per
    /// person (`villages` for an area count); the catalogue then takes no `denominator:`.
    /// Default nil.
    static var ownDenominator: String? { get }
}

extension PlannedRule {
    func derivation(catalogue: [IndicatorDefinition]) -> Derivation? { nil }
    func areaCount(catalogue: [IndicatorDefinition]) -> AreaCount? { nil }
    static var ownDenominator: String? { nil }
    func compileDenominator(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> (any CompiledRule)? { nil }
    static var proratesTarget: Bool { true }
}

/// An indicator computed from other indicators' per-area counts: in every area and month slot,
/// its numerator is Σ weight × the term's numerator. Its denominator is the one the catalogue
/// gives (`impliedDenominator` or `denominator:`). Linear, so a parent's figure is still the
/// sum of its children's.
struct Derivation {
    /// (indicator index in the catalogue, weight); terms are counted, not derived, indicators.
    var terms: [(indicator: Int, weight: Int32)]
}

/// An indicator counting the registered villages whose figures of another indicator pass a
/// test (`area_count`): in every month m, a village counts when `passes` holds for the figures
/// of indicator `of` there at m (its numerators, denominator, coverages); a parent's count is
/// the sum over its villages, and its denominator the number of its villages (`villages`).
/// Not linear in counts, so computed after all other indicators' figures.
struct AreaCount {
    /// The tested indicator's index in the catalogue (counted or linearly derived).
    var of: Int
    var passes: @Sendable (IndicatorFigures) -> Bool
}

/// The compiled rule of a derived kind: attains nothing in the per-person loop.
struct NotCountedPerPerson: CompiledRule {}

extension IndicatorRuleKind {
    public func checkReferences(of own: IndicatorDefinition, in catalogue: [IndicatorDefinition]) -> ReferenceProblem? { nil }
    public var impliedDenominator: String? { nil }
}

/// The kinds a catalogue may name, in the order `pws` lists them.
public enum IndicatorRuleKinds {
    public static let all: [any IndicatorRuleKind.Type] = [
        FirstRule.self, VisitsRule.self, EachOfRule.self, MonthlyPresenceRule.self, MonthlyIncreaseRule.self,
        RateRule.self, AreaCountRule.self, SumAtLeastRule.self,
        GrowthChangeRule.self, GrowthZScoreRule.self, CountsRule.self, MonthlyAllRule.self,
    ]

    /// The kind named `name`, or nil.
    public static func named(_ name: String) -> (any IndicatorRuleKind.Type)? {
        all.first { $0.name == name }
    }

    /// Every kind's name, for messages: "first, visits, …".
    public static var names: String { all.map { $0.name }.joined(separator: ", ") }
}

/// One catalogue entry as a rule kind reads it: typed access to its keys, each failure an error
/// at the key's `file:line` (the Pipeline module implements it over YAML; Aggregate knows no
/// YAML).
public protocol RuleEntry {
    /// The indicator's id (for messages) and what it counts.
    var id: String { get }
    var subject: SubjectKind { get }
    var scope: Scope { get }
    /// The record filter written on the indicator itself (services, sex, age, …).
    var filter: RecordFilter { get }
    /// Whether the entry has `key`.
    func has(_ key: String) -> Bool
    /// The error to throw for the entry, at `key`'s line (the entry's line when nil or absent).
    func error(_ key: String?, _ message: String) -> any Error
    /// `key` as text / an integer; nil when absent; an error when of another type.
    func string(_ key: String) throws -> String?
    func int(_ key: String) throws -> Int?
    /// `key` as a list of integers.
    func ints(_ key: String) throws -> [Int]?
    /// `key` as a mapping from some of `names` to integers (`{tm1: 1, tm3: 2}`).
    func intsByName(_ key: String, names: [String]) throws -> [String: Int]?
    /// `key` as one record filter (a mapping of filter keys), or a list of them.
    func filter(_ key: String) throws -> RecordFilter?
    func filters(_ key: String) throws -> [RecordFilter]?
    /// `key` as a list of items that carry keys of their own besides the record filter keys
    /// (`counts`: `minimum`, `when`): one entry per item, whose `filter` is the item's record
    /// filter (without the indicator's), whose other keys are read with `int`, `filter`, … and
    /// whose `id`, `subject` and `scope` are the indicator's. A key that is neither a filter key
    /// nor one of `extraKeys` is an error.
    func items(_ key: String, extraKeys: Set<String>) throws -> [any RuleEntry]?
}

/// An indicator's rule: a value of one of the kinds.
public struct IndicatorRule: Sendable, Hashable {
    public let kind: any IndicatorRuleKind

    public init(_ kind: some IndicatorRuleKind) {
        self.kind = kind
    }

    /// The kind's catalogue name.
    public var name: String { type(of: kind).name }

    /// The kind as the Aggregate stage compiles it.
    var planned: any PlannedRule {
        guard let k = kind as? any PlannedRule else {
            preconditionFailure("rule kind \(name) does not conform to PlannedRule")
        }
        return k
    }

    public static func == (a: IndicatorRule, b: IndicatorRule) -> Bool {
        AnyHashable(a.kind) == AnyHashable(b.kind)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(AnyHashable(kind))
    }
}

/// A rule compiled for the per-person loop of `Aggregator` (`IndicatorRuleKind.compile`).
/// The loop asks each indicator's rule once per person (or pregnancy, delivery, month) — never
/// once per record — so the call through the protocol is not on the per-record path; the
/// records are tested with `RulePlan.matches`, which is plain memory. A kind implements the
/// questions that fit its subjects and scopes; the others never attain.
///
/// Compiled rules are small values of plain integers (no references): calling one costs no
/// reference counting.
protocol CompiledRule: Sendable {
    /// A person rule of scope `lifetime` or `year`: the attaining (date, record) over
    /// `records` (event indices in (visit_date, record_id) order), or nil.
    func attain(person records: Positions, _ c: RuleContext) -> (Day, Int)?
    /// A person rule of scope `monthly`: the counting record among one month's records
    /// (`month.now`, never empty), with the two months before's; nil when it does not count.
    func monthly(_ month: MonthRecords, _ c: RuleContext) -> Int?
    /// A pregnancy rule: the attaining (date, record) of one ANC episode, or nil.
    func attain(pregnancy: Episode, _ c: RuleContext) -> (Day, Int)?
    /// A delivery rule: the attaining (date, record) of one delivery, or nil.
    func attain(delivery: Delivery, _ c: RuleContext) -> (Day, Int)?
    /// The parts of the month's growth measurement (`GrowthMonth`) the rule reads through
    /// `RuleContext.growthMonth`; the loop builds them once per person-month for all rules.
    /// Default: none.
    var growthParts: GrowthMonth.Parts { get }
    /// Whether the rule (scope `monthly`) counts only in a month with a `TIMBANG` or `UKUR_TB`
    /// record that counts for growth (`GrowthMonth.counts`): the loop then skips the other
    /// months, and the persons without such a record, without asking it. Default: whether it
    /// reads `growthParts`.
    var countsOnlyGrowthMonths: Bool { get }
}

extension CompiledRule {
    func attain(person records: Positions, _ c: RuleContext) -> (Day, Int)? { nil }
    func monthly(_ month: MonthRecords, _ c: RuleContext) -> Int? { nil }
    func attain(pregnancy: Episode, _ c: RuleContext) -> (Day, Int)? { nil }
    func attain(delivery: Delivery, _ c: RuleContext) -> (Day, Int)? { nil }
    var growthParts: GrowthMonth.Parts { [] }
    var countsOnlyGrowthMonths: Bool { !growthParts.isEmpty }
}

/// Positions in `Aggregator.sortedOrder` (event indices, in (visit_date, record_id) order) of one
/// person's records: a slice of an unsafe buffer, so that handing records to a rule costs no
/// reference counting (the per-person loop asks each rule once per person or month).
typealias Positions = Slice<UnsafeBufferPointer<Int>>

/// One person's records of a month and of the two months before it (event indices in
/// (visit_date, record_id) order), for monthly rules: `N_D` compares with the month before, `2T`
/// (§A4) with the two before.
struct MonthRecords {
    let now: Positions
    let before: Positions
    let twoBefore: Positions
}

/// What a compiled rule reads: the run's events and the plan's filters, and for the growth
/// kinds (§A4) the WHO standards (`AggregateInput.growthStandards`; nil: they never count) and
/// the `TIMBANG`/`UKUR_TB` service indices.
struct RuleContext {
    let events: [ServiceEvent]
    let plan: RulePlan
    /// The run's as-of month (`monthly_all` needs a record in every month up to it).
    var asOf = YearMonth(year: 0, month: 12)
    var growthStandards: GrowthStandards? = nil
    var growthServices = GrowthServices(weight: nil, length: nil)
    /// The growth months shared by the rules of one person-month; nil: each rule builds its own.
    var growthCache: GrowthMonthCache? = nil

    /// The growth measurement of a month's records (`GrowthMonth`, with at least `parts`
    /// built), or nil without growth standards: a pointer into the loop's `GrowthMonthCache`,
    /// valid until the next call.
    @inline(__always)
    func growthMonth(_ records: Positions, parts: GrowthMonth.Parts) -> UnsafePointer<GrowthMonth>? {
        // The cache exists with the standards and holds them (no copy of them per call); it
        // builds every part a rule of the plan reads (`RulePlan.growthParts`).
        guard let cache = growthCache, cache.parts.isSuperset(of: parts) else { return nil }
        return cache.month(records, events: events, services: growthServices)
    }

    /// Whether event `r` passes filter `k` (`RulePlan.matches`).
    @inline(__always)
    func matches(_ k: Int, _ r: Int, reference: Day? = nil) -> Bool {
        plan.matches(k, events[r], reference: reference)
    }
}
