import PWSCore

/// What an indicator counts (spec §4).
public enum SubjectKind: String, Sendable, CaseIterable {
    case person, pregnancy, delivery
}

/// Which records an indicator looks at (spec §4.4).
public enum Scope: String, Sendable, CaseIterable {
    /// Every accepted record up to the end of the as-of month, earlier years included.
    case lifetime
    /// Records of the reporting year only.
    case year
    /// Records of the month in question (and the month before, for a change).
    case monthly
}

/// A test on a record's result: `result` (or SYS) or `result2` (DIA) against a value.
public struct ResultTest: Sendable, Hashable {
    public enum Operand: String, Sendable { case result, dia }
    public enum Comparison: String, Sendable { case ge = ">=", gt = ">", le = "<=", lt = "<" }
    public var operand: Operand
    public var comparison: Comparison
    public var value: Float

    public init(operand: Operand, comparison: Comparison, value: Float) {
        self.operand = operand
        self.comparison = comparison
        self.value = value
    }

    @inlinable func holds(_ e: ServiceEvent) -> Bool {
        let v = operand == .result ? e.result : e.result2
        if v.isNaN { return false }
        switch comparison {
        case .ge: return v >= value
        case .gt: return v > value
        case .le: return v <= value
        case .lt: return v < value
        }
    }
}

/// Conditions on one record: services, sex, age at the visit, facility type, provider, result.
/// Every condition given must hold; `result` holds when any of its tests does.
public struct RecordFilter: Sendable, Hashable {
    /// Service indices in the run's catalogue; empty = any service.
    public var services: [UInt16] = []
    public var sex: Sex?
    public var age: AgeLimit?
    public var facilityTypes: Set<FacilityType>?
    public var providers: Set<Provider>?
    /// Any of these must hold (empty = no result condition).
    public var result: [ResultTest] = []
    /// Days after the subject's reference date (birth for persons, delivery for deliveries).
    public var days: ClosedRange<Int>?
    /// Calendar months of the visit (`months: [2, 8]`): bit m set for month m (1–12); nil = any.
    public var months: UInt16?

    public init() {}

    /// Whether `e` passes, with `reference` the birth or delivery date for `days`.
    @inlinable public func matches(_ e: ServiceEvent, reference: Day? = nil) -> Bool {
        if !services.isEmpty && !services.contains(e.service) { return false }
        if let sex, e.sex != sex { return false }
        if let age, !age.contains(Age.age(in: age.unit, birth: e.birth, visit: e.visit)) { return false }
        if let facilityTypes, !facilityTypes.contains(e.facilityType) { return false }
        if let providers, !providers.contains(e.provider) { return false }
        if !result.isEmpty && !result.contains(where: { $0.holds(e) }) { return false }
        if let days {
            let ref = reference ?? e.birth
            if !days.contains(ref.days(to: e.visit)) { return false }
        }
        if let months, months & (1 << UInt16(e.visit.month)) == 0 { return false }
        return true
    }

    /// This filter with `other`'s conditions added (used to put indicator-wide filters on items).
    public func merged(with other: RecordFilter) -> RecordFilter {
        var f = self
        if f.services.isEmpty { f.services = other.services }
        f.sex = f.sex ?? other.sex
        f.age = f.age ?? other.age
        f.facilityTypes = f.facilityTypes ?? other.facilityTypes
        f.providers = f.providers ?? other.providers
        if f.result.isEmpty { f.result = other.result }
        f.days = f.days ?? other.days
        f.months = f.months ?? other.months
        return f
    }
}

/// One indicator of the catalogue (spec §5.2).
public struct IndicatorDefinition: Sendable, Hashable {
    public var id: String
    public var name: String
    public var subject: SubjectKind
    public var scope: Scope
    /// Its rule: a value of one of the kinds in `Rules/`.
    public var rule: IndicatorRule
    /// A target group of §5.1, or nil.
    public var targetGroup: String?
    /// The indicator whose monthly numerator is the denominator (N_D ← D_S), or nil.
    public var denominatorIndicator: String?
    /// Annual target in hundredths of a percent (95 % = 9500); nil for count-only.
    public var targetHundredths: Int?
    /// Which way is better: the status rule and the ranking mirror for lower-is-better (§A4).
    public var direction: IndicatorDirection
    /// A counted denominator (`denominator: {records: FILTER}`): the subjects with a record
    /// passing the filter, counted like a `first` rule (`monthly_presence` for monthly scope)
    /// of the indicator's subject and scope; `denominator_source` `measured`.
    public var countedDenominator: RecordFilter?
    /// `denominator: {group: G, percent: P}`: the denominator is P % of the target group's
    /// (`DETEKSI_RISTI_NAKES`: 20 % of bumil), exact, not rounded; nil = 100 %.
    public var targetGroupPercent: ExactDecimal?

    public init(id: String, name: String, subject: SubjectKind, scope: Scope, rule: IndicatorRule,
                targetGroup: String?, denominatorIndicator: String?, targetHundredths: Int?,
                direction: IndicatorDirection = .higherIsBetter, countedDenominator: RecordFilter? = nil,
                targetGroupPercent: ExactDecimal? = nil) {
        self.targetGroupPercent = targetGroupPercent
        self.direction = direction
        self.countedDenominator = countedDenominator
        self.id = id
        self.name = name
        self.subject = subject
        self.scope = scope
        self.rule = rule
        self.targetGroup = targetGroup
        self.denominatorIndicator = denominatorIndicator
        self.targetHundredths = targetHundredths
    }

    /// Whether the rule counts a denominator of its own (`PlannedRule.compileDenominator`).
    public var hasOwnDenominator: Bool {
        if type(of: rule.planned).ownDenominator != nil { return true }
        var builder = RulePlan.Builder()
        return rule.planned.compileDenominator(&builder, catalogue: []) != nil
    }

    /// The description `pws indicators` and the report show.
    public var info: IndicatorInfo {
        IndicatorInfo(id: id, name: name, scope: scope.rawValue, subject: subject.rawValue,
                      denominator: targetGroup.map { g in targetGroupPercent.map { "\(g) × \($0)%" } ?? g }
                          ?? denominatorIndicator.map { "indicator:\($0)" }
                          ?? (countedDenominator != nil ? "measured" : type(of: rule.planned).ownDenominator
                              ?? (hasOwnDenominator ? "measured" : "")),
                      targetAnnual: targetHundredths.map { Percent(hundredths: $0) }, direction: direction,
                      rule: rule.name, proratesTarget: proratesTarget)
    }

    /// Whether a cumulative target is annual × m / 12: pro-rating fits a year's sasaran only;
    /// against counted subjects (a rate, a prevalence) the target is a ratio, the same every month.
    public var proratesTarget: Bool { type(of: rule.planned).proratesTarget && targetGroup != nil }
}

/// Denominator estimation settings (spec §5.1). Rates are exact decimals as text (`"0.08"`).
public struct EstimationSettings: Sendable, Equatable {
    public var enabled: Bool
    /// Crude birth rate per 1000 people, as decimal text.
    public var cbrPer1000: String
    /// Share of the population per target group, as decimal text.
    public var shares: [String: String]
    /// Whether an estimate is rounded half up to an integer (`estimation.round`, default true);
    /// false keeps the exact product (spec §A1).
    public var round: Bool

    public init(enabled: Bool, cbrPer1000: String, shares: [String: String], round: Bool = true) {
        self.enabled = enabled
        self.cbrPer1000 = cbrPer1000
        self.shares = shares
        self.round = round
    }

    public static let off = EstimationSettings(enabled: false, cbrPer1000: "0", shares: [:])
}
