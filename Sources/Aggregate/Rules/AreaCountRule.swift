import PWSCore

/// `rule: area_count` (amendments §A5: `UCI_DESA`): the registered villages whose **cumulative**
/// coverage of another indicator (`of`) at month m is at or above `threshold` %, counted per
/// village, puskesmas, kecamatan and kab/kota.
///
/// - numerator_cumulative at m: the villages under the area (a village: 0 or 1) that pass at m,
///   compared exactly (from the unrounded coverage); a village without a denominator for `of`
///   does not pass;
/// - numerator_month: that count at m minus the count at m − 1 (may be negative); January's
///   "m − 1" is 0, as `of`'s cumulative coverage starts again each year;
/// - denominator: the registered villages under the area, `denominator_source` `villages`; RW
///   and RT rows have none (their numerators are 0);
/// - the target is a ratio, the same every month.
///
/// `of` must be an indicator of the catalogue with a denominator and a cumulative scope
/// (`year` or `lifetime`), itself counted or linearly derived (not another area count).
public struct AreaCountRule: PlannedRule {
    public static let name = "area_count"
    public static let keys: Set<String> = ["of", "threshold"]
    public static let takesNoFilter: String? = "it counts villages by the figures of its of indicator; filter that one"
    static let proratesTarget = false
    static let ownDenominator: String? = "villages"

    /// Id of the indicator whose coverage is tested.
    public var of: String
    /// The threshold in hundredths of a percent (80 % = 8000).
    public var thresholdHundredths: Int

    public init(of: String, thresholdHundredths: Int) {
        self.of = of
        self.thresholdHundredths = thresholdHundredths
    }

    public static func parse(_ entry: some RuleEntry) throws -> AreaCountRule {
        guard entry.scope != .monthly else {
            throw entry.error("scope", "\(entry.id): area_count needs scope: year or lifetime (it counts cumulative coverage)")
        }
        guard let of = try entry.string("of") else { throw entry.error(nil, "\(entry.id): missing key \"of\" (the indicator whose coverage is tested)") }
        let threshold = try entry.int("threshold") ?? 80
        guard (1...100).contains(threshold) else {
            throw entry.error("threshold", "\(entry.id): threshold is a whole percentage 1-100 (80 = UCI)")
        }
        if entry.has("denominator") {
            throw entry.error("denominator", "\(entry.id): an area count's denominator is the number of villages; remove denominator")
        }
        return AreaCountRule(of: of, thresholdHundredths: threshold * 100)
    }

    public func checkReferences(of own: IndicatorDefinition, in catalogue: [IndicatorDefinition]) -> ReferenceProblem? {
        guard let other = catalogue.first(where: { $0.id == of }) else {
            return ReferenceProblem("of", "refers to \(of), which is not an indicator of this catalogue")
        }
        if other.rule.kind is AreaCountRule {
            return ReferenceProblem("of", "refers to \(of), which is itself an area count; name an indicator with a coverage")
        }
        if other.scope == .monthly {
            return ReferenceProblem("of", "refers to \(of) of scope monthly; an area count tests a cumulative coverage (year or lifetime)")
        }
        if other.targetGroup == nil && other.denominatorIndicator == nil && other.countedDenominator == nil
            && !other.hasOwnDenominator {
            return ReferenceProblem("of", "refers to \(of), which has no denominator (count only); name an indicator with a coverage")
        }
        return nil
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        NotCountedPerPerson()
    }

    func areaCount(catalogue: [IndicatorDefinition]) -> AreaCount? {
        guard let i = catalogue.firstIndex(where: { $0.id == of }) else { return nil }
        let threshold = thresholdHundredths
        return AreaCount(of: i) { f in
            // Exact: cumulative / denominator ≥ threshold, from the unrounded denominator.
            guard let n = f.numeratorCumulative, let d = f.denominator, d.isPositive else { return false }
            guard let g = Analysis.gap(n, d, target: threshold, months: nil) else { return false }
            return g.sign >= 0
        }
    }
}
