import PWSCore

/// The WHO 2006 Child Growth Standards, loaded once, and the z-scores of §A4.
///
/// Every z-score function is a table lookup and a few floating-point operations: no allocation,
/// no Foundation. They return nil when there is no z-score: age outside the table, a length
/// outside weight-for-length/height's range, or a measurement that is not a positive finite
/// number. Flags are not applied here: ask `GrowthIndicator.isFlagged`.
///
/// A class: the scoring loops hand the standards on per person-month, and a struct of six
/// tables was copied there (a retain and release of each table) even where borrowed.
public final class GrowthStandards: Sendable {
    public let weightForAge: LMSTable
    public let lengthHeightForAge: LMSTable
    public let bmiForAge: LMSTable
    public let armCircumferenceForAge: LMSTable
    public let weightForLength: LMSTable
    public let weightForHeight: LMSTable

    /// The first age in days measured as height and scored by weight-for-height (§A4): below it
    /// a child is measured lying (length) and scored by weight-for-length.
    public static let heightFromDay = 731

    /// The last age in days the standards cover (WHO's daily tables end here; §A4 scores
    /// children 0–59 completed months, at most 1826 days).
    public static let lastDay = 1856

    /// The standards from their six tables; `tables` must hold each `GrowthTableName` once.
    public init(tables: [LMSTable]) throws(PWSError) {
        func table(_ name: GrowthTableName) throws(PWSError) -> LMSTable {
            let found = tables.filter { $0.name == name }
            guard found.count == 1 else {
                throw PWSError(.pipelineDefinition,
                               "growth standards need exactly one \(name.fileName) table, got \(found.count)")
            }
            return found[0]
        }
        weightForAge = try table(.wfa)
        lengthHeightForAge = try table(.lhfa)
        bmiForAge = try table(.bfa)
        armCircumferenceForAge = try table(.acfa)
        weightForLength = try table(.wfl)
        weightForHeight = try table(.wfh)
    }

    /// Weight-for-age z (WAZ) of a weight in kg, restricted tail beyond ±3.
    ///
    /// - Complexity: O(1), no allocation.
    @inlinable
    public func weightForAgeZ(weightKg: Double, ageDays: Int, sex: Sex) -> Double? {
        guard valid(weightKg), let lms = weightForAge.lms(ageDays: ageDays, sex: sex) else { return nil }
        return lms.restrictedZ(weightKg)
    }

    /// Length/height-for-age z (HAZ) of a length (< 731 days) or height in cm; no restricted tail.
    ///
    /// - Complexity: O(1), no allocation.
    @inlinable
    public func lengthHeightForAgeZ(lengthCm: Double, ageDays: Int, sex: Sex) -> Double? {
        guard valid(lengthCm), let lms = lengthHeightForAge.lms(ageDays: ageDays, sex: sex) else { return nil }
        return lms.z(lengthCm)
    }

    /// BMI-for-age z (BAZ) of a BMI in kg/m² (see `bmi(weightKg:lengthCm:)`), restricted tail.
    ///
    /// - Complexity: O(1), no allocation.
    @inlinable
    public func bmiForAgeZ(bmi: Double, ageDays: Int, sex: Sex) -> Double? {
        guard valid(bmi), let lms = bmiForAge.lms(ageDays: ageDays, sex: sex) else { return nil }
        return lms.restrictedZ(bmi)
    }

    /// Arm circumference-for-age z of a MUAC in cm (from day 91), restricted tail.
    ///
    /// - Complexity: O(1), no allocation.
    @inlinable
    public func armCircumferenceForAgeZ(muacCm: Double, ageDays: Int, sex: Sex) -> Double? {
        guard valid(muacCm), let lms = armCircumferenceForAge.lms(ageDays: ageDays, sex: sex) else { return nil }
        return lms.restrictedZ(muacCm)
    }

    /// Weight-for-length/height z (WHZ): weight-for-length below 731 days (45.0–110.0 cm),
    /// weight-for-height from 731 days (65.0–120.0 cm), L, M, S interpolated between the 0.1 cm
    /// grid points; restricted tail. Nil outside the range (§A4: no WHZ) or outside days 0–1856,
    /// like the age-based indicators.
    ///
    /// - Complexity: O(1), no allocation.
    @inlinable
    public func weightForLengthHeightZ(weightKg: Double, lengthCm: Double, ageDays: Int, sex: Sex) -> Double? {
        guard valid(weightKg), ageDays >= 0, ageDays <= Self.lastDay else { return nil }
        let table = ageDays < Self.heightFromDay ? weightForLength : weightForHeight
        guard let lms = table.lms(lengthCm: lengthCm, sex: sex) else { return nil }
        return lms.restrictedZ(weightKg)
    }

    /// The z-score of `indicator` — one entry point for callers that hold the indicator as data.
    /// `measurement` is the weight (kg) for WAZ and WHZ, the length/height (cm) for HAZ, the BMI
    /// for BAZ, the MUAC (cm) for MUAC-for-age; `lengthCm` is used by WHZ only.
    ///
    /// - Complexity: O(1), no allocation.
    @inlinable
    public func z(_ indicator: GrowthIndicator, measurement: Double, lengthCm: Double = .nan,
                  ageDays: Int, sex: Sex) -> Double? {
        switch indicator {
        case .weightForAge: weightForAgeZ(weightKg: measurement, ageDays: ageDays, sex: sex)
        case .lengthHeightForAge: lengthHeightForAgeZ(lengthCm: measurement, ageDays: ageDays, sex: sex)
        case .weightForLengthHeight:
            weightForLengthHeightZ(weightKg: measurement, lengthCm: lengthCm, ageDays: ageDays, sex: sex)
        case .bmiForAge: bmiForAgeZ(bmi: measurement, ageDays: ageDays, sex: sex)
        case .armCircumferenceForAge: armCircumferenceForAgeZ(muacCm: measurement, ageDays: ageDays, sex: sex)
        }
    }

    /// BMI in kg/m² from a weight in kg and a length or height in cm; nil unless both are
    /// positive finite numbers.
    @inlinable
    public static func bmi(weightKg: Double, lengthCm: Double) -> Double? {
        guard weightKg.isFinite, weightKg > 0, lengthCm.isFinite, lengthCm > 0 else { return nil }
        // kg·10⁴/cm² rather than kg/(cm/100)²: exact for round inputs (10 kg, 80 cm → 15.625).
        return weightKg * 10_000 / (lengthCm * lengthCm)
    }

    @inlinable
    func valid(_ y: Double) -> Bool { y.isFinite && y > 0 }
}
