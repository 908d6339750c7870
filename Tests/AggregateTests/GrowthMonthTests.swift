import Foundation
import Growth
import PWSCore
import PWSTestSupport
import Testing
@testable import Aggregate

/// The repository's WHO tables (`pipelines/growth/who2006/`), loaded once.
enum WHOTables {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("pipelines/growth/who2006").path
    static let standards = try! GrowthStandards.load(folder: folder)
    static let services = GrowthServices(TestCatalogue.services)
}

/// Whether a z-score is there and within 1e-4 of a hand-computed value (tables give 4–5 digits).
func near(_ z: Double?, _ expected: Double) -> Bool {
    guard let z else { return false }
    return abs(z - expected) < 1e-4
}

/// `GrowthMonth`: the measurement of the month (§A4) and its z-scores.
///
/// Expected z-scores are computed by hand from the table rows quoted beside them (boys):
/// z = ((y/M)^L − 1)/(L·S); beyond ±3 (WAZ, WHZ) the restricted tail
/// z = −3 + (y − SD3neg)/(SD2neg − SD3neg), SDk = M·(1 + L·S·k)^(1/L).
/// A boy born 2024-01-01 is 427 days old on 2025-03-03, 434 on 03-10, 436 on 03-12, 444 on 03-20.
@Suite struct GrowthMonthTests {
    static func month(_ w: World) -> GrowthMonth {
        let order = Aggregator.sortedOrder(w.set)
        return GrowthMonth(records: order[...], events: w.set.events, services: WHOTables.services,
                           standards: WHOTables.standards)
    }

    /// Weight on 03-03 and 03-20, length on 03-03: the month's weight is the later one, WHZ
    /// uses 03-03 (the only date with both).
    @Test func twoWeightsInAMonth() throws {
        var w = TestCatalogue.world([])
        let early = w.add("TIMBANG", "anak", "2025-03-03", born: "2024-01-01", sex: .male, result: 9.0)
        let length = w.add("UKUR_TB", "anak", "2025-03-03", born: "2024-01-01", sex: .male, result: 75.0)
        let late = w.add("TIMBANG", "anak", "2025-03-20", born: "2024-01-01", sex: .male, result: 9.5)
        let m = Self.month(w)

        let weight = try #require(m.weight)
        #expect(weight.record == late && weight.value == 9.5 && weight.ageDays == 444 && weight.day == day("2025-03-20"))
        // wfa boys day 444: L 0.0443, M 10.2224, S 0.10994 → ((9.5/10.2224)^0.0443 − 1)/(0.0443·0.10994)
        #expect(near(weight.z, -0.66555))
        #expect(!weight.flagged && weight.usableZ == weight.z)

        let l = try #require(m.length)
        // lhfa boys day 427: L 1, M 78.0817, S 0.03175 → (75/78.0817 − 1)/0.03175 = −1.24308
        #expect(l.record == length && l.ageDays == 427)
        #expect(near(l.z, -1.24308))

        let pair = try #require(m.weightForLength)
        // wfl boys 75.0 cm: L −0.3521, M 9.5032, S 0.08295 → WHZ of 9.0 kg = −0.66219
        #expect(pair.weightRecord == early && pair.lengthRecord == length && pair.day == day("2025-03-03"))
        #expect(pair.weight == 9.0 && pair.length == 75.0 && pair.ageDays == 427)
        #expect(near(pair.z, -0.66219))
        // BAZ of the same date: BMI 9.0 / 0.75² = 16.0; bfa boys day 427: L −0.4637, M 16.5514,
        // S 0.07957 → ((16/16.5514)^−0.4637 − 1)/(−0.4637·0.07957) = −0.42918
        let bmi = try #require(m.bmiForAge)
        #expect(bmi.weightRecord == early && bmi.lengthRecord == length && bmi.ageDays == 427)
        #expect(near(bmi.z, -0.42918) && !bmi.flagged)
        #expect(!m.hasFlag)
    }

    /// Two weights on the date with a length: WHZ takes the last of that date (by record_id);
    /// a later weight without a length is the month's weight; a TIMBANG without a result and a
    /// record of another service change nothing.
    @Test func lastOfTheDateAndInvalidRecordsSkipped() throws {
        var w = TestCatalogue.world([])
        let length = w.add("UKUR_TB", "anak", "2025-03-10", born: "2024-01-01", sex: .male, result: 76.0)
        _ = w.add("TIMBANG", "anak", "2025-03-10", born: "2024-01-01", sex: .male, result: 9.1)
        let second = w.add("TIMBANG", "anak", "2025-03-10", born: "2024-01-01", sex: .male, result: 9.3)
        let later = w.add("TIMBANG", "anak", "2025-03-12", born: "2024-01-01", sex: .male, result: 9.4)
        _ = w.add("TIMBANG", "anak", "2025-03-25", born: "2024-01-01", sex: .male)  // no result
        _ = w.add("LILA", "anak", "2025-03-26", born: "2024-01-01", sex: .male, result: 14.0)
        let m = Self.month(w)
        let weight = try #require(m.weight)
        // wfa boys day 436 → WAZ of 9.4 kg = −0.71152
        #expect(weight.record == later && near(weight.z, -0.71152))
        let pair = try #require(m.weightForLength)
        // wfl boys 76.0 cm: L −0.3521, M 9.7033, S 0.08307 → WHZ of 9.3 kg = −0.51487
        #expect(pair.weightRecord == second && pair.lengthRecord == length && pair.weight == 9.3)
        #expect(near(pair.z, -0.51487))
    }

    /// Weight without length/height: WAZ only, no HAZ, no WHZ; a length on another date than
    /// the weight gives HAZ but still no WHZ.
    @Test func weightWithoutHeight() throws {
        var w = TestCatalogue.world([])
        let weight = w.add("TIMBANG", "anak", "2025-03-03", born: "2024-01-01", sex: .male, result: 9.0)
        var m = Self.month(w)
        #expect(m.weight?.record == weight)
        // wfa boys day 427: L 0.0484, M 10.1015, S 0.10977 → −1.04890
        #expect(near(m.weight?.z, -1.04890))
        #expect(m.length == nil && m.weightForLength == nil)

        let length = w.add("UKUR_TB", "anak", "2025-03-05", born: "2024-01-01", sex: .male, result: 75.0)
        m = Self.month(w)
        #expect(m.length?.record == length && m.weightForLength == nil)
    }

    /// Flagged z-scores are kept with `flagged` set and are not usable: WAZ of 3.0 kg at day 444
    /// is −3 + (3.0 − 7.33259)/(8.19581 − 7.33259) = −8.01905 (restricted tail, SD3neg 7.33259,
    /// SD2neg 8.19581; below −6), HAZ of 50 cm at
    /// day 427 is (50/78.0817 − 1)/0.03175 = −11.32740 (below −6).
    @Test func flaggedWeightAndLength() throws {
        var w = TestCatalogue.world([])
        _ = w.add("UKUR_TB", "anak", "2025-03-03", born: "2024-01-01", sex: .male, result: 50.0)
        _ = w.add("TIMBANG", "anak", "2025-03-20", born: "2024-01-01", sex: .male, result: 3.0)
        let m = Self.month(w)
        let weight = try #require(m.weight)
        #expect(near(weight.z, -8.01905))
        #expect(weight.flagged && weight.usableZ == nil)
        let length = try #require(m.length)
        #expect(near(length.z, -11.32740))
        #expect(length.flagged && length.usableZ == nil)
        #expect(m.weightForLength == nil && m.hasFlag)
    }

    /// A flagged WHZ beside a plausible WAZ: 16.0 kg at 75.0 cm is WHZ 6.47663 (above 5), while
    /// WAZ of 16.0 kg at day 427 is 4.38764 (restricted tail, not above 5).
    @Test func flaggedWeightForLengthOnly() throws {
        var w = TestCatalogue.world([])
        let weight = w.add("TIMBANG", "anak", "2025-03-03", born: "2024-01-01", sex: .male, result: 16.0)
        _ = w.add("UKUR_TB", "anak", "2025-03-03", born: "2024-01-01", sex: .male, result: 75.0)
        let m = Self.month(w)
        #expect(near(m.weight?.z, 4.38764))
        #expect(m.weight?.flagged == false)
        let pair = try #require(m.weightForLength)
        #expect(pair.weightRecord == weight && near(pair.z, 6.47663))
        #expect(pair.flagged && pair.usableZ == nil && m.hasFlag)
    }

    /// Born 2023-01-01: 730 days old on 2024-12-31 (length, weight-for-length), 731 on
    /// 2025-01-01 (height, weight-for-height). 12.0 kg and 86.0 cm, boys:
    /// wfl 86.0: L −0.3521, M 11.7444, S 0.08145 → 0.26334; wfh 86.0: M 11.9173, S 0.08121 → 0.08505;
    /// lhfa day 730: M 87.8018, S 0.03479 → −0.58986; day 731: M 87.1303, S 0.03508 → −0.36980.
    @Test func switchAt731Days() throws {
        for (date, age, whz, haz) in [("2024-12-31", 730, 0.26334, -0.58986), ("2025-01-01", 731, 0.08505, -0.36980)] {
            var w = TestCatalogue.world([])
            _ = w.add("TIMBANG", "anak", date, born: "2023-01-01", sex: .male, result: 12.0)
            _ = w.add("UKUR_TB", "anak", date, born: "2023-01-01", sex: .male, result: 86.0)
            let m = Self.month(w)
            let pair = try #require(m.weightForLength)
            #expect(pair.ageDays == age)
            #expect(near(pair.z, whz), "WHZ at \(age) days")
            #expect(near(m.length?.z, haz), "HAZ at \(age) days")
        }
    }

    /// Only children 0–59 completed months old count: born 2020-01-15, 59 months on 2025-01-10,
    /// 60 on 2025-01-20 (that later weight is skipped).
    @Test func sixtyMonthsAndOlderAreSkipped() throws {
        var w = TestCatalogue.world([])
        let young = w.add("TIMBANG", "anak", "2025-01-10", born: "2020-01-15", sex: .male, result: 15.0)
        _ = w.add("TIMBANG", "anak", "2025-01-20", born: "2020-01-15", sex: .male, result: 15.5)
        let m = Self.month(w)
        #expect(m.weight?.record == young && m.weight?.ageDays == 1822)
        #expect(!GrowthMonth.counts(w.set.events[1]) && GrowthMonth.counts(w.set.events[0]))
    }

    /// `T` and `2T` compare the months' weights (≤ is "tidak naik"); any month without a weight
    /// breaks them; flags do not matter.
    @Test func tAndTwoT() {
        func month(_ kg: Float?) -> GrowthMonth {
            var m = GrowthMonth()
            if let kg {
                m.weight = GrowthMonth.Measurement(record: 0, day: day("2025-03-01"), value: kg, ageDays: 400,
                                                   z: -9, flagged: true)
            }
            return m
        }
        #expect(GrowthMonth.isT(now: month(9.8), before: month(9.8)))
        #expect(GrowthMonth.isT(now: month(9.7), before: month(9.8)))
        #expect(!GrowthMonth.isT(now: month(9.9), before: month(9.8)))
        #expect(!GrowthMonth.isT(now: month(9.8), before: month(nil)))
        #expect(!GrowthMonth.isT(now: month(nil), before: month(9.8)))
        #expect(GrowthMonth.isTwoT(now: month(9.8), before: month(9.8), beforeThat: month(10.0)))
        #expect(GrowthMonth.isTwoT(now: month(9.8), before: month(10.0), beforeThat: month(10.0)))
        #expect(!GrowthMonth.isTwoT(now: month(10.1), before: month(10.2), beforeThat: month(10.0)))
        #expect(!GrowthMonth.isTwoT(now: month(9.8), before: month(9.8), beforeThat: month(nil)))
        #expect(!GrowthMonth.isTwoT(now: month(9.9), before: month(9.8), beforeThat: month(10.0)))
    }

    /// Recorded floats are scored as the decimals they were written as.
    @Test func floatResultsBackToTheirDecimals() {
        #expect(GrowthMonth.decimal(Float(9.7)) == 9.7)
        #expect(GrowthMonth.decimal(Float(15.4)) == 15.4)
        #expect(GrowthMonth.decimal(Float(86.05)) == 86.05)
        #expect(GrowthMonth.decimal(Float(3.125)) == 3.125)
        #expect(Double(Float(9.7)) != 9.7)  // what the rounding is for
    }
}
