/// Age at a visit (spec §2.4): days, completed calendar months and completed years.
///
/// A birthday (or monthly "birth day") counts once the visit's date reaches it: completed
/// years are the year difference, less one when the visit's (month, day) is before the birth
/// (month, day); completed months likewise with the day of month. Where the anniversary does
/// not exist in the visit's month or year it is reached on the 1st of the next month:
///
/// - born 29 Feb: one year older on 1 Mar in non-leap years (28 Feb is still before it);
/// - born on the 31st (or 29th/30th): one month older on the 1st of the month after a month
///   too short to hold that day (born 31 Jan → 1 month on 1 Mar, not on 28 Feb).
///
/// Both follow from comparing (month, day) pairs, so the two rules are the same rule. Ages
/// for a visit before the birth come out negative; validation rejects those rows first
/// (`E-BEFORE-BIRTH`).
public enum Age {
    /// `visit − birth` in days.
    ///
    /// - Complexity: O(1).
    @inlinable
    public static func days(birth: Day, visit: Day) -> Int { birth.days(to: visit) }

    /// Completed calendar months at `visit`.
    ///
    /// - Complexity: O(1).
    public static func completedMonths(birth: Day, visit: Day) -> Int {
        let b = birth.civil, v = visit.civil
        var months = (v.year - b.year) * 12 + (v.month - b.month)
        if v.day < b.day { months -= 1 }
        return months
    }

    /// Completed years at `visit`.
    ///
    /// - Complexity: O(1).
    public static func completedYears(birth: Day, visit: Day) -> Int {
        let b = birth.civil, v = visit.civil
        var years = v.year - b.year
        if (v.month, v.day) < (b.month, b.day) { years -= 1 }
        return years
    }

    /// The age in `unit`.
    public static func age(in unit: AgeLimit.Unit, birth: Day, visit: Day) -> Int {
        switch unit {
        case .days: days(birth: birth, visit: visit)
        case .months: completedMonths(birth: birth, visit: visit)
        case .years: completedYears(birth: birth, visit: visit)
        }
    }
}

extension AgeLimit {
    /// Whether an age in this limit's unit is inside it (both ends inclusive).
    @inlinable
    public func contains(_ age: Int) -> Bool {
        if let min, age < min { return false }
        if let max, age > max { return false }
        return true
    }

    /// The limit as people read it: `10–55 years`, `≥ 60 years`, `≤ 28 days`.
    public var text: String {
        switch (min, max) {
        case let (lo?, hi?): "\(lo)–\(hi) \(unit.rawValue)"
        case let (lo?, nil): "≥ \(lo) \(unit.rawValue)"
        case let (nil, hi?): "≤ \(hi) \(unit.rawValue)"
        case (nil, nil): "any age"
        }
    }
}

/// Why a record's person may not receive a service (`E-ELIGIBILITY`).
public enum EligibilityViolation: Sendable, Hashable {
    /// The service is for one sex only.
    case sex(required: Sex, given: Sex)
    /// The age at the visit, in the limit's unit, is outside the limit.
    case age(limit: AgeLimit, actual: Int)

    /// A message saying what is wrong and what to check.
    public func message(service: String) -> String {
        switch self {
        case let .sex(required, given):
            return "\(service) is for sex \(required.code) only but the record says \(given.code): "
                + "check sex and service_code"
        case let .age(limit, actual):
            return "\(service) is for age \(limit.text) but the person is \(actual) \(limit.unit.rawValue) "
                + "at the visit: check birth_date, visit_date and service_code"
        }
    }
}

extension ServiceDefinition {
    /// The first limit the record breaks (sex, then age), or nil when it may have this service.
    ///
    /// - Complexity: O(1).
    public func eligibility(sex: Sex, birth: Day, visit: Day) -> EligibilityViolation? {
        limits.violation(sex: sex, birth: birth, visit: visit)
    }

    /// The sex and age limits alone.
    public var limits: EligibilityLimits { EligibilityLimits(sex: sex, age: age) }

    /// Whether the record's sex and age at the visit are within this service's limits.
    public func isEligible(sex: Sex, birth: Day, visit: Day) -> Bool {
        eligibility(sex: sex, birth: birth, visit: visit) == nil
    }
}

/// The sex and age limits of a service without its texts: a plain value the row checks can
/// read per row without retaining strings.
public struct EligibilityLimits: Sendable, Hashable {
    /// nil = any sex.
    public var sex: Sex?
    /// nil = any age.
    public var age: AgeLimit?

    /// Limits on sex (nil = any) and age (nil = any).
    public init(sex: Sex?, age: AgeLimit?) {
        self.sex = sex
        self.age = age
    }

    /// The first limit the record breaks (sex, then age), or nil.
    ///
    /// - Complexity: O(1).
    public func violation(sex: Sex, birth: Day, visit: Day) -> EligibilityViolation? {
        if let required = self.sex, required != sex { return .sex(required: required, given: sex) }
        if let age {
            let actual = Age.age(in: age.unit, birth: birth, visit: visit)
            if !age.contains(actual) { return .age(limit: age, actual: actual) }
        }
        return nil
    }
}
