/// The z-score indicators of the WHO 2006 Child Growth Standards that pws computes (§A4).
public enum GrowthIndicator: UInt8, Sendable, Hashable, CaseIterable {
    /// Weight-for-age (WAZ), from the weight in kg.
    case weightForAge
    /// Length/height-for-age (HAZ), from the length (< 731 days) or height in cm.
    case lengthHeightForAge
    /// Weight-for-length (< 731 days) / weight-for-height (≥ 731 days) (WHZ).
    case weightForLengthHeight
    /// BMI-for-age (BAZ), from weight / (length or height in m)².
    case bmiForAge
    /// Arm circumference-for-age (MUAC-for-age), from the circumference in cm; 91 days and older.
    case armCircumferenceForAge

    /// The short name WHO's software and the follow-up list use.
    public var code: String {
        switch self {
        case .weightForAge: "WAZ"
        case .lengthHeightForAge: "HAZ"
        case .weightForLengthHeight: "WHZ"
        case .bmiForAge: "BAZ"
        case .armCircumferenceForAge: "ACZ"
        }
    }

    /// Whether WHO's restricted tail applies beyond ±3 (all but length/height-for-age, whose
    /// distribution is close to normal: L = 1 throughout).
    public var hasRestrictedTail: Bool { self != .lengthHeightForAge }

    /// The z-scores WHO counts as plausible (§A4): outside, the value is flagged. Both ends are
    /// plausible themselves (WAZ −6 and 5 are not flagged). `nil`: §A4 sets no flag (MUAC).
    public var plausibleRange: ClosedRange<Double>? {
        switch self {
        case .weightForAge: -6...5
        case .lengthHeightForAge: -6...6
        case .weightForLengthHeight: -5...5
        case .bmiForAge: -5...5
        case .armCircumferenceForAge: nil
        }
    }

    /// Whether `z` is implausible by WHO's flags (§A4): such a z-score is left out of every
    /// growth indicator and gives a `W-GROWTH` warning. Decided on the unrounded z.
    @inlinable
    public func isFlagged(_ z: Double) -> Bool {
        guard let range = plausibleRange else { return false }
        return !range.contains(z)
    }
}

/// The WHO tables shipped in `pipelines/growth/who2006/`, one file each, both sexes.
public enum GrowthTableName: String, Sendable, Hashable, CaseIterable {
    /// Weight-for-age, by day 0–1856.
    case wfa
    /// Length/height-for-age, by day 0–1856 (length to day 730, height from 731).
    case lhfa
    /// BMI-for-age, by day 0–1856 (length-based to day 730, height-based from 731).
    case bfa
    /// Arm circumference-for-age, by day 91–1856 (WHO publishes it from 3 months).
    case acfa
    /// Weight-for-length, by length 45.0–110.0 cm in 0.1 cm (used below 731 days).
    case wfl
    /// Weight-for-height, by height 65.0–120.0 cm in 0.1 cm (used from 731 days).
    case wfh

    /// The file's name in the tables folder.
    public var fileName: String { rawValue + ".csv" }

    /// What a row is keyed by.
    public enum Axis: Sendable, Hashable {
        /// Age in days, `first...last`.
        case day(first: Int, last: Int)
        /// Length or height in tenths of a cm, `first...last` (45.0 cm = 450).
        case lengthTenths(first: Int, last: Int)
    }

    /// The rows every table must have; the engine indexes by them.
    public var axis: Axis {
        switch self {
        case .wfa, .lhfa, .bfa: .day(first: 0, last: 1856)
        case .acfa: .day(first: 91, last: 1856)
        case .wfl: .lengthTenths(first: 450, last: 1100)
        case .wfh: .lengthTenths(first: 650, last: 1200)
        }
    }

    /// The header line the file must start with.
    public var header: String {
        switch axis {
        case .day: "sex,day,l,m,s"
        case .lengthTenths: "sex,length_cm,l,m,s"
        }
    }

    /// The indicator the table serves.
    public var indicator: GrowthIndicator {
        switch self {
        case .wfa: .weightForAge
        case .lhfa: .lengthHeightForAge
        case .bfa: .bmiForAge
        case .acfa: .armCircumferenceForAge
        case .wfl, .wfh: .weightForLengthHeight
        }
    }
}
