@testable import Aggregate
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing

/// The §A5 maternal indicators of the default catalogue that needed data the first catalogue
/// lacked — `KEK_BUMIL` (LILA at ANC), `TTD_BUMIL90` (tablet counts on `TTD_BUMIL`),
/// `DETEKSI_RISTI_NAKES` (the `RISTI_NAKES` service over 20 % of bumil) — on hand-made records
/// of 2025; the arithmetic is in the comments.
@Suite struct IndicatorCatalogueMaternalTests {
    typealias W = World

    /// KEK_BUMIL: a pregnancy with a LILA result below 23.5 cm, over the pregnancies with a LILA
    /// result; each counted at its first such record.
    ///
    /// - A: ANC 02-10 (LMP 01-06), LILA 23.4 on 02-10 → KEK in February; tested in February.
    /// - B: ANC 02-12 (LMP 01-10), LILA exactly 23.5 → not KEK (the test is `<`); tested in February.
    /// - C: ANC 01-15 (LMP 2024-12-01, span to 2025-09-21), LILA 25 on 01-15 and 22 on 03-10 →
    ///   tested in January, KEK in March (any LILA of the pregnancy counts).
    /// - D: LILA 20 without any ANC → no pregnancy, counts nowhere.
    /// - E: ANC 03-03 (LMP 01-20), no LILA → in neither count.
    /// - F: ANC 01-10 without a gestation (span 01-10 … 02-07): LILA 24 on 01-20 joins (tested in
    ///   January); LILA 21 on 03-01 is outside the span → not KEK.
    /// - G: ANC 02-03 (LMP 01-10), a LILA record without a (valid) result on 02-03 → not among the
    ///   "pregnancies with a LILA result" (§A5): in neither count.
    ///
    /// Numerators Jan…Apr 0, 1, 1, 0; tested 2 (C, F), 2 (A, B), 0, 0 → cumulative 2, 4, 4, 4.
    /// April: 2 / 4 = 50.00 % against a 10 % ceiling (not pro-rated) → gap 40.00. February's
    /// month coverage 1 / 2 = 50.00 %.
    @Test func kekBumilCountsPregnanciesWithALowLILA() {
        var w = DefaultCatalogue.world()
        w.add("ANC", "A", "2025-02-10", born: "1995-01-01", lmp: "2025-01-06")
        w.add("LILA", "A", "2025-02-10", born: "1995-01-01", result: 23.4)
        w.add("ANC", "B", "2025-02-12", born: "1995-01-01", lmp: "2025-01-10")
        w.add("LILA", "B", "2025-02-12", born: "1995-01-01", result: 23.5)
        w.add("ANC", "C", "2025-01-15", born: "1995-01-01", lmp: "2024-12-01")
        w.add("LILA", "C", "2025-01-15", born: "1995-01-01", result: 25)
        w.add("LILA", "C", "2025-03-10", born: "1995-01-01", result: 22)
        w.add("LILA", "D", "2025-02-01", born: "1995-01-01", result: 20)
        w.add("ANC", "E", "2025-03-03", born: "1995-01-01", lmp: "2025-01-20")
        w.add("ANC", "F", "2025-01-10", born: "1995-01-01")
        w.add("LILA", "F", "2025-01-20", born: "1995-01-01", result: 24)
        w.add("LILA", "F", "2025-03-01", born: "1995-01-01", result: 21)
        w.add("ANC", "G", "2025-02-03", born: "1995-01-01", lmp: "2025-01-10")
        w.add("LILA", "G", "2025-02-03", born: "1995-01-01")
        let r = w.run(asOf: "2025-04")
        let rows = (1...4).map { r.row($0, .desa, W.v1, "KEK_BUMIL")! }
        #expect(rows.map(\.numeratorMonth) == [0, 1, 1, 0])
        #expect(rows.map(\.numeratorCumulative) == [0, 1, 2, 2])
        #expect(rows.map(\.denominator) == [2, 4, 4, 4])
        #expect(rows.allSatisfy { $0.denominatorSource == "measured" })
        #expect(rows[1].coverageMonthPct?.hundredths == 5000)
        #expect(rows[3].coverageCumulativePct?.hundredths == 5000)
        #expect(rows[3].targetPct?.hundredths == 1000 && rows[3].gapPct?.hundredths == 4000)
        let def = DefaultCatalogue.indicators.first { $0.id == "KEK_BUMIL" }!
        #expect(def.direction == .lowerIsBetter && def.subject == .pregnancy && def.info.denominator == "measured")
        // ANEMIA_BUMIL reads HB only: none here.
        #expect(r.row(4, .desa, W.v1, "ANEMIA_BUMIL")?.denominator == 0)
    }

    /// TTD_BUMIL90: at least 90 tablets (the TTD_BUMIL results) within one pregnancy; bumil 5.
    ///
    /// - P (LMP 2024-12-01): 30 + 30 + 29 = 89 by March, 1 more on 04-10 → April.
    /// - Q (LMP 2024-12-05): 60 on 01-12, a record without a count on 02-12 (adds 0), 30 on
    ///   03-12 → March.
    /// - R: 60 tablets in her 2024 pregnancy (LMP 2024-01-01) and 30 in her 2025 one (LMP
    ///   2025-01-01): each pregnancy's sum stays below 90 → never.
    /// - S: 90 tablets without any ANC → no pregnancy → never.
    /// - T (LMP 2025-01-01): one record of 100 tablets on 01-20 → January.
    ///
    /// Numerators Jan…Apr 1, 0, 1, 1; April cumulative 3 / 5 = 60.00 %, target 90 pro-rated to
    /// 90 × 4 / 12 = 30.00 → gap 30.00.
    @Test func ttdBumil90SumsTabletsPerPregnancy() {
        var w = DefaultCatalogue.world()
        w.target("bumil", W.v1, 5)
        w.add("ANC", "P", "2025-01-10", born: "1995-01-01", lmp: "2024-12-01")
        for (d, n) in [("2025-01-10", 30), ("2025-02-10", 30), ("2025-03-10", 29), ("2025-04-10", 1)] {
            w.add("TTD_BUMIL", "P", d, born: "1995-01-01", result: Float(n))
        }
        w.add("ANC", "Q", "2025-01-12", born: "1995-01-01", lmp: "2024-12-05")
        w.add("TTD_BUMIL", "Q", "2025-01-12", born: "1995-01-01", result: 60)
        w.add("TTD_BUMIL", "Q", "2025-02-12", born: "1995-01-01")
        w.add("TTD_BUMIL", "Q", "2025-03-12", born: "1995-01-01", result: 30)
        w.add("ANC", "R", "2024-03-01", born: "1995-01-01", lmp: "2024-01-01")
        w.add("TTD_BUMIL", "R", "2024-03-01", born: "1995-01-01", result: 60)
        w.add("ANC", "R", "2025-02-01", born: "1995-01-01", lmp: "2025-01-01")
        w.add("TTD_BUMIL", "R", "2025-02-01", born: "1995-01-01", result: 30)
        w.add("TTD_BUMIL", "S", "2025-02-01", born: "1995-01-01", result: 90)
        w.add("ANC", "T", "2025-01-20", born: "1995-01-01", lmp: "2025-01-01")
        w.add("TTD_BUMIL", "T", "2025-01-20", born: "1995-01-01", result: 100)
        let r = w.run(asOf: "2025-04")
        #expect(r.months("TTD_BUMIL90", .desa, W.v1) == [1, 0, 1, 1])
        let april = r.row(4, .desa, W.v1, "TTD_BUMIL90")!
        #expect(april.numeratorCumulative == 3 && april.denominator == 5 && april.denominatorSource == "sasaran")
        #expect(april.coverageCumulativePct?.hundredths == 6000)
        #expect(april.targetPct?.hundredths == 3000 && april.gapPct?.hundredths == 3000)
        // R's 2024 pregnancy does not reach 90 either: nothing in December 2024 (slot 0).
        #expect(r.row(1, .desa, W.v1, "TTD_BUMIL90")?.numeratorPrevMonth == 0)
    }

    /// DETEKSI_RISTI_NAKES: pregnancies with a RISTI_NAKES record by a dokter, bidan or perawat,
    /// over 20 % of bumil (27 → 5.4, exact).
    ///
    /// - A (LMP 2024-12-01): RISTI by a bidan on 02-10 → February.
    /// - B (LMP 2024-12-10): RISTI recorded by a kader → not a health worker, never.
    /// - C: RISTI by a doctor without any ANC → no pregnancy, never.
    /// - D (LMP 2024-12-20): by a perawat on 01-15 and again by a doctor on 03-01 → once, January.
    ///
    /// Numerators Jan…Mar 1, 1, 0; March cumulative 2 / 5.4 = 37.037 → 37.04 %; target 100
    /// pro-rated to 25.00; gap 37.037 − 25 = 12.037 → 12.04.
    @Test func ristiDetectionOverAFifthOfBumil() {
        var w = DefaultCatalogue.world()
        w.target("bumil", W.v1, 27)
        w.add("ANC", "A", "2025-01-10", born: "1995-01-01", lmp: "2024-12-01")
        w.add("RISTI_NAKES", "A", "2025-02-10", born: "1995-01-01", provider: .bidan)
        w.add("ANC", "B", "2025-01-12", born: "1995-01-01", lmp: "2024-12-10")
        w.add("RISTI_NAKES", "B", "2025-01-12", born: "1995-01-01", provider: .kader)
        w.add("RISTI_NAKES", "C", "2025-01-12", born: "1995-01-01", provider: .dokter)
        w.add("ANC", "D", "2025-01-15", born: "1995-01-01", lmp: "2024-12-20")
        w.add("RISTI_NAKES", "D", "2025-01-15", born: "1995-01-01", provider: .perawat)
        w.add("RISTI_NAKES", "D", "2025-03-01", born: "1995-01-01", provider: .dokter)
        let r = w.run(asOf: "2025-03")
        #expect(r.months("DETEKSI_RISTI_NAKES", .desa, W.v1) == [1, 1, 0])
        let march = r.row(3, .desa, W.v1, "DETEKSI_RISTI_NAKES")!
        #expect(march.numeratorCumulative == 2)
        #expect(march.denominator == ExactDecimal("5.4")! && march.denominatorSource == "sasaran")
        #expect(march.coverageCumulativePct?.hundredths == 3704)
        #expect(march.targetPct?.hundredths == 2500 && march.gapPct?.hundredths == 1204)
        let def = DefaultCatalogue.indicators.first { $0.id == "DETEKSI_RISTI_NAKES" }!
        #expect(def.info.denominator == "bumil × 20%" && def.targetGroupPercent == ExactDecimal(20))
    }

    /// The service catalogue holds what these indicators read: TTD_BUMIL's result is a tablet
    /// count (1–180), RISTI_NAKES is for women 10–55 years.
    @Test func servicesForTheMaternalIndicators() throws {
        let s = DefaultCatalogue.services
        let ttd = try #require(s.service("TTD_BUMIL"))
        #expect(ttd.result == .number(unit: "tablet", range: 1...180))
        let risti = try #require(s.service("RISTI_NAKES"))
        #expect(risti.sex == .female && risti.result == .none)
        #expect(risti.age == AgeLimit(unit: .years, min: 10, max: 55))
    }
}
