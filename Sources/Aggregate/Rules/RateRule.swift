import PWSCore

/// `rule: rate` (amendments §A5: the immunisation drop-out rates `DO_DPT1_MR1`,
/// `DO_DPT1_DPT3`): `(from − to) / from` of two counted indicators of the catalogue, per area
/// and month slot.
///
/// - numerator: `from`'s numerator − `to`'s (negative when more children got the second dose
///   than the first, as the guidance reports it);
/// - denominator: `from`'s numerator — of the month for the monthly coverage, cumulative for
///   the cumulative one (the `denominator` column shows the one `gap_pct` uses; source
///   the `from` id);
/// - the target is a ratio, the same every month (not pro-rated by m / 12); usually with
///   `direction: lower_is_better`.
///
/// `from` and `to` must be counted (not derived) indicators of the same scope as the rate,
/// `year` or `lifetime`.
public struct RateRule: PlannedRule {
    public static let name = "rate"
    public static let keys: Set<String> = ["from", "to"]
    public static let takesNoFilter: String? = "it is computed from the counts of its from and to indicators; filter those"
    static let proratesTarget = false

    /// Ids of the two indicators.
    public var from: String
    public var to: String

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }

    public static func parse(_ entry: some RuleEntry) throws -> RateRule {
        guard entry.scope != .monthly else {
            throw entry.error("scope", "\(entry.id): rate needs scope: year or lifetime (the ratio of two cumulative counts)")
        }
        guard let from = try entry.string("from") else { throw entry.error(nil, "missing key \"from\"") }
        guard let to = try entry.string("to") else { throw entry.error(nil, "missing key \"to\"") }
        guard from != to else { throw entry.error("to", "\(entry.id): from and to name the same indicator") }
        if entry.has("denominator") {
            throw entry.error("denominator", "\(entry.id): a rate's denominator is its from indicator; remove denominator")
        }
        return RateRule(from: from, to: to)
    }

    public var impliedDenominator: String? { from }

    public func checkReferences(of own: IndicatorDefinition, in catalogue: [IndicatorDefinition]) -> ReferenceProblem? {
        let scope = own.scope
        for (key, id) in [("from", from), ("to", to)] {
            guard let other = catalogue.first(where: { $0.id == id }) else {
                return ReferenceProblem(key, "refers to \(id), which is not an indicator of this catalogue")
            }
            let planned = other.rule.planned
            if planned.derivation(catalogue: catalogue) != nil || planned.areaCount(catalogue: catalogue) != nil {
                return ReferenceProblem(key, "refers to \(id), which is itself derived; a rate needs two counted indicators")
            }
            if other.scope != scope {
                return ReferenceProblem(key, "refers to \(id) of scope \(other.scope.rawValue); a rate's indicators have its scope (\(scope.rawValue))")
            }
        }
        return nil
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        NotCountedPerPerson()
    }

    func derivation(catalogue: [IndicatorDefinition]) -> Derivation? {
        guard let f = catalogue.firstIndex(where: { $0.id == from }),
              let t = catalogue.firstIndex(where: { $0.id == to }) else { return Derivation(terms: []) }
        return Derivation(terms: [(f, 1), (t, -1)])
    }
}
