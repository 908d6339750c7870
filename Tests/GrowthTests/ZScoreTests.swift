import Growth
import PWSCore
import Testing

/// Hand-computed z-scores from single table rows (the row's L, M, S are written in each test).
@Suite struct ZScoreTests {
    let who = WHO.standards

    func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-4) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance
    }

    /// wfa boys day 0: L 0.3487, M 3.3464, S 0.14602; 1/L = 2.867795.
    /// SD3 = 3.3464 × (1 + 0.3487·0.14602·3)^2.867795 = 3.3464 × 1.152752^2.867795 = 5.03064
    /// SD2 = 3.3464 × 1.101835^2.867795 = 4.41935
    /// 6.0 kg: plain LMS z 4.43473 > 3, so z = 3 + (6.0 − 5.03064)/(5.03064 − 4.41935)
    ///       = 3 + 0.96936/0.61129 = 4.58577
    @Test func restrictedTailAboveAtDayZero() {
        #expect(close(who.weightForAgeZ(weightKg: 6.0, ageDays: 0, sex: .male), 4.58577))
    }

    /// Same row. SD3neg = 3.3464 × 0.847248^2.867795 = 2.08031; SD2neg = 3.3464 × 0.898165^2.867795
    /// = 2.45931. 1.5 kg: plain z −4.79343 < −3, so z = −3 + (1.5 − 2.08031)/(2.45931 − 2.08031)
    /// = −3 − 0.58031/0.37900 = −4.53114
    @Test func restrictedTailBelowAtDayZero() {
        #expect(close(who.weightForAgeZ(weightKg: 1.5, ageDays: 0, sex: .male), -4.53114))
    }

    /// wfa girls day 1856: L −0.3531, M 18.389, S 0.14892; 1/L = −2.832059.
    /// SD3neg = 18.389 × (1 + 0.3531·0.14892·3)^−2.832059 = 18.389 × 1.157753^−2.832059 = 12.14496
    /// SD2neg = 18.389 × 1.105169^−2.832059 = 13.85375
    /// 10 kg: z = −3 + (10 − 12.14496)/(13.85375 − 12.14496) = −3 − 2.14496/1.70879 = −4.25526
    /// (the plain LMS z would be −4.56382). Day 1857 is past the table: no z.
    @Test func restrictedTailAtDay1856AndNothingAfter() {
        #expect(close(who.weightForAgeZ(weightKg: 10, ageDays: 1856, sex: .female), -4.25526))
        #expect(who.weightForAgeZ(weightKg: 10, ageDays: 1857, sex: .female) == nil)
        #expect(who.weightForAgeZ(weightKg: 10, ageDays: -1, sex: .female) == nil)
    }

    /// lhfa girls day 1856: L 1, M 109.9352, S 0.04358. No restricted tail for HAZ:
    /// 100 cm: (100/109.9352 − 1)/0.04358 = −0.090373/0.04358 = −2.07373
    /// 80 cm: (80/109.9352 − 1)/0.04358 = −0.272298/0.04358 = −6.24824 (and flagged: < −6)
    @Test func heightForAgeHasNoRestrictedTail() throws {
        #expect(close(who.lengthHeightForAgeZ(lengthCm: 100, ageDays: 1856, sex: .female), -2.07373))
        let z = try #require(who.lengthHeightForAgeZ(lengthCm: 80, ageDays: 1856, sex: .female))
        #expect(close(z, -6.24824))
        #expect(GrowthIndicator.lengthHeightForAge.isFlagged(z))
    }

    /// lhfa boys: day 730 (length) L 1, M 87.8018, S 0.03479; day 731 (height) M 87.1303,
    /// S 0.03508. 85.0 cm: (85/87.8018 − 1)/0.03479 = −0.91723; (85/87.1303 − 1)/0.03508 = −0.69697
    @Test func lengthForAgeSwitchesToHeightAtDay731() {
        #expect(close(who.lengthHeightForAgeZ(lengthCm: 85, ageDays: 730, sex: .male), -0.91723))
        #expect(close(who.lengthHeightForAgeZ(lengthCm: 85, ageDays: 731, sex: .male), -0.69697))
    }

    /// 80.0 cm, 10.0 kg, boys. Day 730 → weight-for-length row L −0.3521, M 10.4475, S 0.08308:
    /// ((10/10.4475)^−0.3521 − 1)/(−0.3521·0.08308) = 0.015533/−0.029252 = −0.53102.
    /// Day 731 → weight-for-height row L −0.3521, M 10.5781, S 0.08298:
    /// 0.019985/−0.029217 = −0.68403.
    @Test func weightForLengthBelow731WeightForHeightFrom731() {
        #expect(close(who.weightForLengthHeightZ(weightKg: 10, lengthCm: 80, ageDays: 730, sex: .male), -0.53102))
        #expect(close(who.weightForLengthHeightZ(weightKg: 10, lengthCm: 80, ageDays: 731, sex: .male), -0.68403))
    }

    /// 80.05 cm, boys, wfl: rows 80.0 (M 10.4475, S 0.08308) and 80.1 (M 10.466, S 0.08307),
    /// L −0.3521 both; halfway: M 10.45675, S 0.083075;
    /// z = ((10/10.45675)^−0.3521 − 1)/(−0.3521·0.083075) = 0.015846/−0.029251 = −0.54187.
    @Test func lengthBetweenGridPointsInterpolatesLMS() throws {
        #expect(close(who.weightForLengthHeightZ(weightKg: 10, lengthCm: 80.05, ageDays: 400, sex: .male), -0.54187))
        let lms = try #require(who.weightForLength.lms(lengthCm: 80.05, sex: .male))
        #expect(abs(lms.m - 10.45675) < 1e-12)
        #expect(abs(lms.s - 0.083075) < 1e-12)
        // A grid point is that row exactly, despite 80.1 × 10 not being 801 in binary.
        #expect(who.weightForLength.lms(lengthCm: 80.1, sex: .male) == LMS(l: -0.3521, m: 10.466, s: 0.08307))
    }

    /// No WHZ outside 45.0–110.0 cm (below 731 days) or 65.0–120.0 cm (from 731 days); the ends
    /// themselves have one: wfl boys 45.0 cm M 2.441 → 2.441 kg is z 0; wfh girls 120.0 cm
    /// M 22.8173 → z 0.
    @Test func lengthOutsideTheRangeHasNoWHZ() {
        #expect(who.weightForLengthHeightZ(weightKg: 3, lengthCm: 44.9, ageDays: 10, sex: .male) == nil)
        #expect(who.weightForLengthHeightZ(weightKg: 20, lengthCm: 110.1, ageDays: 700, sex: .male) == nil)
        #expect(who.weightForLengthHeightZ(weightKg: 7, lengthCm: 64.9, ageDays: 731, sex: .female) == nil)
        #expect(who.weightForLengthHeightZ(weightKg: 25, lengthCm: 120.1, ageDays: 1500, sex: .female) == nil)
        #expect(who.weightForLengthHeightZ(weightKg: 5, lengthCm: .nan, ageDays: 100, sex: .male) == nil)
        // 50 cm is in weight-for-length's range but not weight-for-height's.
        #expect(who.weightForLengthHeightZ(weightKg: 3.5, lengthCm: 50, ageDays: 731, sex: .male) == nil)
        #expect(close(who.weightForLengthHeightZ(weightKg: 2.441, lengthCm: 45.0, ageDays: 0, sex: .male), 0, 1e-12))
        #expect(close(who.weightForLengthHeightZ(weightKg: 22.8173, lengthCm: 120.0, ageDays: 1856, sex: .female), 0, 1e-12))
        // Outside days 0–1856 there is no WHZ either, as for the age-based z-scores.
        #expect(who.weightForLengthHeightZ(weightKg: 18, lengthCm: 105, ageDays: 1857, sex: .male) == nil)
        #expect(who.weightForLengthHeightZ(weightKg: 3, lengthCm: 50, ageDays: -1, sex: .male) == nil)
        #expect(who.weightForLengthHeightZ(weightKg: 18, lengthCm: 105, ageDays: 1856, sex: .male) != nil)
        // 110.5 cm from day 731 is weight-for-height's.
        #expect(who.weightForLengthHeightZ(weightKg: 18, lengthCm: 110.5, ageDays: 731, sex: .male) != nil)
    }

    /// acfa boys day 91: L 0.3933, M 13.4779, S 0.07474. SD3 = 16.70871, SD2 = 15.58490;
    /// 20 cm: 3 + (20 − 16.70871)/(16.70871 − 15.58490) = 3 + 3.29129/1.12381 = 5.92868 — not
    /// flagged (§A4 sets no MUAC flag). Before day 91 WHO has no table: no z.
    @Test func armCircumferenceFromDay91() throws {
        let z = try #require(who.armCircumferenceForAgeZ(muacCm: 20, ageDays: 91, sex: .male))
        #expect(close(z, 5.92868))
        #expect(!GrowthIndicator.armCircumferenceForAge.isFlagged(z))
        #expect(who.armCircumferenceForAgeZ(muacCm: 13, ageDays: 90, sex: .male) == nil)
    }

    /// bfa girls day 365: L −0.3665, M 16.3578, S 0.08797; SD3neg 12.71510, SD2neg 13.79360;
    /// BMI 12.0: −3 + (12 − 12.71510)/(13.79360 − 12.71510) = −3 − 0.71510/1.07850 = −3.66305.
    /// BMI of 10 kg at 80 cm: 10/0.8² = 15.625.
    @Test func bmiForAgeWithTail() {
        #expect(close(who.bmiForAgeZ(bmi: 12, ageDays: 365, sex: .female), -3.66305))
        #expect(GrowthStandards.bmi(weightKg: 10, lengthCm: 80) == 15.625)
        #expect(GrowthStandards.bmi(weightKg: 10, lengthCm: 0) == nil)
    }

    /// No table has L = 0, so the L = 0 branch is checked on a made-up row: L 0, M 10, S 0.1.
    /// 12: ln(1.2)/0.1 = 1.82322; the value at z 2: 10·e^0.2 = 12.21403.
    /// 20: plain z ln(2)/0.1 = 6.93147 > 3; SD3 = 10·e^0.3 = 13.49859, SD2 = 12.21403;
    /// 3 + (20 − 13.49859)/1.28456 = 3 + 5.06121 = 8.06121.
    @Test func lmsWithLZero() {
        let lms = LMS(l: 0, m: 10, s: 0.1)
        #expect(abs(lms.z(12) - 1.82322) < 1e-5)
        #expect(abs(lms.measurement(atZ: 2) - 12.21403) < 1e-5)
        #expect(abs(lms.restrictedZ(20) - 8.06121) < 1e-4)
    }

    /// Nothing that is not a positive finite number has a z-score.
    @Test(arguments: [0, -1, Double.nan, Double.infinity])
    func nonPositiveOrNonFiniteMeasurementHasNoZ(_ y: Double) {
        #expect(who.weightForAgeZ(weightKg: y, ageDays: 100, sex: .male) == nil)
        #expect(who.lengthHeightForAgeZ(lengthCm: y, ageDays: 100, sex: .male) == nil)
        #expect(who.bmiForAgeZ(bmi: y, ageDays: 100, sex: .male) == nil)
        #expect(who.armCircumferenceForAgeZ(muacCm: y, ageDays: 100, sex: .male) == nil)
        #expect(who.weightForLengthHeightZ(weightKg: y, lengthCm: 60, ageDays: 100, sex: .male) == nil)
    }

    /// The one entry point gives what the named functions give.
    @Test func genericEntryPointDispatches() {
        #expect(who.z(.weightForAge, measurement: 6.0, ageDays: 0, sex: .male)
                == who.weightForAgeZ(weightKg: 6.0, ageDays: 0, sex: .male))
        #expect(who.z(.weightForLengthHeight, measurement: 10, lengthCm: 80, ageDays: 731, sex: .male)
                == who.weightForLengthHeightZ(weightKg: 10, lengthCm: 80, ageDays: 731, sex: .male))
        #expect(who.z(.lengthHeightForAge, measurement: 85, ageDays: 730, sex: .male)
                == who.lengthHeightForAgeZ(lengthCm: 85, ageDays: 730, sex: .male))
    }
}

/// WHO's flags (§A4) at and just past their thresholds: the threshold itself is plausible.
@Suite struct GrowthFlagTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var indicator: GrowthIndicator, low: Double, high: Double
        var testDescription: String { indicator.code }
    }

    @Test(arguments: [
        Case(indicator: .weightForAge, low: -6, high: 5),
        Case(indicator: .lengthHeightForAge, low: -6, high: 6),
        Case(indicator: .weightForLengthHeight, low: -5, high: 5),
        Case(indicator: .bmiForAge, low: -5, high: 5),
    ])
    func flaggedOnlyBeyondTheThreshold(_ c: Case) {
        #expect(!c.indicator.isFlagged(c.low))
        #expect(!c.indicator.isFlagged(c.high))
        #expect(c.indicator.isFlagged(c.low.nextDown))
        #expect(c.indicator.isFlagged(c.high.nextUp))
        #expect(!c.indicator.isFlagged(0))
    }

    @Test func armCircumferenceIsNeverFlagged() {
        #expect(!GrowthIndicator.armCircumferenceForAge.isFlagged(-9))
        #expect(!GrowthIndicator.armCircumferenceForAge.isFlagged(9))
    }
}

@Suite struct ZScoreTextTests {
    @Test(arguments: [
        (-2.346, "-2.35"), (-2.344, "-2.34"), (0, "0.00"), (-0.004, "0.00"), (3.1, "3.10"),
        (12.999, "13.00"), (0.05, "0.05"), (-6.24824, "-6.25"), (Double.nan, ""),
    ])
    func twoDecimals(_ z: Double, _ text: String) {
        #expect(ZScoreText.twoDecimals(z) == text)
    }
}
