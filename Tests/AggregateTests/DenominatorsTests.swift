import PWSTestSupport
import Foundation
import PWSCore
import Testing
@testable import Aggregate

/// The denominator chain of spec §5.1 as §A1 changes it: sasaran, the sum of registered children
/// whose denominators come from any step (estimates included), estimate, none.
@Suite struct DenominatorsTests {
    typealias W = World

    /// (denominator, source) of indicator `id` at month 1 of `r` for one area.
    static func den(_ r: AggregateResult, _ level: AreaLevel, _ code: String, _ id: String = "K") -> (ExactDecimal?, String) {
        let row = r.row(1, level, code, id)!
        return (row.denominator, row.denominatorSource)
    }

    static func world() -> World {
        var w = TestCatalogue.world([TestCatalogue.first("K")])
        w.add("ANC", "ibu", "2025-01-10", born: "1995-01-01", rt: W.rt1)
        return w
    }

    /// Sasaran at village level; nothing below it and no estimation → RW/RT have none. The
    /// kecamatan has children without a denominator → none.
    @Test func sasaranAtVillageLevel() {
        var w = Self.world()
        w.target("bumil", W.v1, 40)
        w.target("bumil", W.v1, 99, year: 2024)   // another year: ignored
        let r = w.run(asOf: "2025-01")
        #expect(Self.den(r, .desa, W.v1) == (40, "sasaran"))
        #expect(Self.den(r, .rw, "3201012001-001") == (nil, ""))
        #expect(Self.den(r, .rt, W.rt1) == (nil, ""))
        #expect(Self.den(r, .kecamatan, "320101") == (nil, ""))
        #expect(Self.den(r, .puskesmas, "PKM01") == (nil, ""))
    }

    /// RT sasaran 3 + 4 → RW 001 = 7 (sum); RT 5 → RW 002 = 5; village = 12 (sum). With
    /// Sukajadi 10 and Cibening 8 at village level: kecamatan = 12 + 10 + 8 = 30, kabkota = 30,
    /// PKM01 = 12 + 10 = 22, PKM02 = 8. Without Cibening's, the kecamatan and kabkota have none
    /// but PKM01 still has 22.
    @Test func sumsOfChildrenUpEveryLevel() {
        var w = Self.world()
        w.target("bumil", W.rt1, 3)
        w.target("bumil", W.rt2, 4)
        w.target("bumil", W.rt3, 5)
        w.target("bumil", W.v2, 10)
        let partial = w.run(asOf: "2025-01")
        #expect(Self.den(partial, .rw, "3201012001-001") == (7, "sum"))
        #expect(Self.den(partial, .rw, "3201012001-002") == (5, "sum"))
        #expect(Self.den(partial, .desa, W.v1) == (12, "sum"))
        #expect(Self.den(partial, .puskesmas, "PKM01") == (22, "sum"))
        #expect(Self.den(partial, .kecamatan, "320101") == (nil, ""))
        #expect(Self.den(partial, .kabkota, "3201") == (nil, ""))
        w.target("bumil", W.v3, 8)
        let full = w.run(asOf: "2025-01")
        #expect(Self.den(full, .kecamatan, "320101") == (30, "sum"))
        #expect(Self.den(full, .kabkota, "3201") == (30, "sum"))
        #expect(Self.den(full, .puskesmas, "PKM02") == (8, "sum"))
        // Sukajadi's RW has no sasaran of its own below a village value.
        #expect(Self.den(full, .rw, "3201012002-001") == (nil, ""))
    }

    /// A village sasaran wins over the sum of its RTs.
    @Test func sasaranBeatsSum() {
        var w = Self.world()
        w.target("bumil", W.rt1, 3)
        w.target("bumil", W.rt2, 4)
        w.target("bumil", "3201012001-001", 9)
        let r = w.run(asOf: "2025-01")
        #expect(Self.den(r, .rw, "3201012001-001") == (9, "sasaran"))
    }

    /// Estimates: bumil f = 1.10 × 16 / 1000 = 0.0176 per person.
    /// RT 1 (400) 7.04 → 7; RT 2 (600) 10.56 → 11; RT 3 (500) 8.8 → 9; RT 4 (1000) 17.6 → 18;
    /// RT 5 (750) 13.2 → 13. §A1: the RTs' estimates are summed up the tree — RW 001 = 7 + 11
    /// = 18, RW 002 = 9, Sukamaju = 18 + 9 = 27 (the estimate from its 1500 people would be 26),
    /// Sukajadi = 18, PKM01 = 27 + 18 = 45 (not 44). Cibening's RT 002 has no population → its
    /// RW has a child without one and no population of its own → none, and so Cibening, PKM02,
    /// the kecamatan and the kabkota.
    @Test func estimatesAreSummedUpEveryLevel() {
        var w = Self.world()
        w.estimation = EstimationSettings(enabled: true, cbrPer1000: "16.0", shares: [:])
        let r = w.run(asOf: "2025-01")
        #expect(Self.den(r, .rt, W.rt1) == (7, "estimate"))
        #expect(Self.den(r, .rt, W.rt2) == (11, "estimate"))
        #expect(Self.den(r, .rt, W.rt3) == (9, "estimate"))
        #expect(Self.den(r, .rw, "3201012001-001") == (18, "sum"))
        #expect(Self.den(r, .rw, "3201012001-002") == (9, "sum"))
        #expect(Self.den(r, .desa, W.v1) == (27, "sum"))
        #expect(Self.den(r, .desa, W.v2) == (18, "sum"))
        #expect(Self.den(r, .puskesmas, "PKM01") == (45, "sum"))
        #expect(Self.den(r, .rt, W.rt5) == (13, "estimate"))   // 750 × 0.0176 = 13.2
        #expect(Self.den(r, .rt, W.rt6) == (nil, ""))
        #expect(Self.den(r, .rw, "3201012003-001") == (nil, ""))
        #expect(Self.den(r, .desa, W.v3) == (nil, ""))
        #expect(Self.den(r, .puskesmas, "PKM02") == (nil, ""))
        #expect(Self.den(r, .kecamatan, "320101") == (nil, ""))
        #expect(Self.den(r, .kabkota, "3201") == (nil, ""))
    }

    /// With Cibening's RT 002 at 250.5 people (250.5 × 0.0176 = 4.4088 → 4): Cibening's RW =
    /// 13 + 4 = 17, Cibening = 17, PKM02 = 17, the kecamatan = 27 + 18 + 17 = 62 = the kabkota —
    /// each the sum of its rows, at every level.
    @Test func everyLevelIsTheSumOfItsChildren() {
        var w = Self.world()
        w.estimation = EstimationSettings(enabled: true, cbrPer1000: "16.0", shares: [:])
        w.setPopulation(W.rt6, ExactDecimal("250.5"))
        let r = w.run(asOf: "2025-01")
        #expect(Self.den(r, .rt, W.rt6) == (4, "estimate"))
        #expect(Self.den(r, .rw, "3201012003-001") == (17, "sum"))
        #expect(Self.den(r, .desa, W.v3) == (17, "sum"))
        #expect(Self.den(r, .puskesmas, "PKM02") == (17, "sum"))
        #expect(Self.den(r, .kecamatan, "320101") == (62, "sum"))
        #expect(Self.den(r, .kabkota, "3201") == (62, "sum"))
    }

    /// `estimation.round: false` keeps the exact products: RT 1 400 × 0.0176 = 7.04, RT 2
    /// 10.56, RT 3 8.8; RW 001 = 17.6; Sukamaju = 7.04 + 10.56 + 8.8 = 26.4; Sukajadi 17.6;
    /// PKM01 = 44. A population with decimals: RT 1 at 400.25 → 7.0444.
    @Test func unroundedEstimatesKeepTheExactProduct() {
        var w = Self.world()
        w.estimation = EstimationSettings(enabled: true, cbrPer1000: "16", shares: [:], round: false)
        let r = w.run(asOf: "2025-01")
        #expect(Self.den(r, .rt, W.rt1) == (ExactDecimal("7.04"), "estimate"))
        #expect(Self.den(r, .rt, W.rt2) == (ExactDecimal("10.56"), "estimate"))
        #expect(Self.den(r, .rw, "3201012001-001") == (ExactDecimal("17.6"), "sum"))
        #expect(Self.den(r, .desa, W.v1) == (ExactDecimal("26.4"), "sum"))
        #expect(Self.den(r, .puskesmas, "PKM01") == (44, "sum"))
        w.setPopulation(W.rt1, ExactDecimal("400.25"))
        let d = w.run(asOf: "2025-01")
        #expect(Self.den(d, .rt, W.rt1) == (ExactDecimal("7.0444"), "estimate"))   // 400.25 × 0.0176
    }

    /// round_half_up: a share of 0.002 × 750 = 1.5 → 2 (half rounds up). bayi 0.016: RTs 6.4 → 6,
    /// 9.6 → 10, 8 → Sukamaju = 6 + 10 + 8 = 24 (sum). bulin 0.0168: RT 1 has sasaran 1, RT 2
    /// 10.08 → 10, RT 3 8.4 → 8: Sukamaju = 1 + 10 + 8 = 19 (sum; the village estimate would be
    /// 1500 × 0.0168 = 25.2 → 25).
    @Test func estimateRoundsHalfUp() {
        var w = TestCatalogue.world([TestCatalogue.first("L", group: "lansia"), TestCatalogue.first("B", group: "bulin"),
                                     TestCatalogue.first("Y", group: "bayi")])
        w.add("ANC", "ibu", "2025-01-10", born: "1995-01-01")
        w.estimation = EstimationSettings(enabled: true, cbrPer1000: "16", shares: ["lansia": "0.002"])
        w.target("bulin", W.rt1, 1)   // sasaran in one RT does not stop estimates elsewhere
        let r = w.run(asOf: "2025-01")
        #expect(Self.den(r, .rt, W.rt5, "L") == (2, "estimate"))
        #expect(Self.den(r, .rw, "3201012003-001", "L") == (nil, ""))   // RT 002 has no population
        #expect(Self.den(r, .rt, W.rt1, "B") == (1, "sasaran"))
        #expect(Self.den(r, .desa, W.v1, "Y") == (24, "sum"))
        #expect(Self.den(r, .desa, W.v1, "B") == (19, "sum"))
    }

    /// Decimal sasaran sums exactly: RT 1 3.25 + RT 2 4.5 = RW 001 7.75; with RT 3 0.0001 the
    /// village is 7.7501; with Sukajadi 10.1 the puskesmas is 17.8501.
    @Test func decimalSasaranSumsExactly() {
        var w = Self.world()
        w.target("bumil", W.rt1, ExactDecimal("3.25")!)
        w.target("bumil", W.rt2, ExactDecimal("4.5")!)
        w.target("bumil", W.rt3, ExactDecimal("0.0001")!)
        w.target("bumil", W.v2, ExactDecimal("10.1")!)
        let r = w.run(asOf: "2025-01")
        #expect(Self.den(r, .rw, "3201012001-001") == (ExactDecimal("7.75"), "sum"))
        #expect(Self.den(r, .desa, W.v1) == (ExactDecimal("7.7501"), "sum"))
        #expect(Self.den(r, .puskesmas, "PKM01") == (ExactDecimal("17.8501"), "sum"))
    }

    /// A sum that would not fit in 128 bits (values far beyond the 10⁹ input limit, made here
    /// directly) leaves the area without a denominator instead of trapping.
    @Test func overflowingSumLeavesNoDenominator() throws {
        var w = Self.world()
        let huge = try #require(ExactDecimal(units: Int128.max / 2 + 1, scale: 0))
        w.target("bumil", W.rt1, huge)
        w.target("bumil", W.rt2, huge)
        let r = w.run(asOf: "2025-01")
        #expect(Self.den(r, .rt, W.rt1) == (huge, "sasaran"))
        #expect(Self.den(r, .rw, "3201012001-001") == (nil, ""))
        // The RT row's coverage: 1 / huge rounds to 0.00 %, through 128-bit arithmetic.
        #expect(r.row(1, .rt, W.rt1, "K")?.coverageMonthPct == Percent(hundredths: 0))
    }

    /// Coverage, gap and status at the exact boundary with a decimal denominator (monthly D,
    /// target 80 %, balita sasaran of Sukamaju; one child weighed in January, two in February →
    /// trend naik):
    /// - 2.5: 2 / 2.5 = 80 % exactly → gap 0.00, at target → baik;
    /// - 2.5001: 2 / 2.5001 = 79.9968 % → printed 80.00, gap −0.32 hundredths → 0.00, but below
    ///   the target → cukup;
    /// - 2.4999: 80.0032 % → 80.00, gap 0.00, above → baik.
    @Test(arguments: [("2.5", "baik"), ("2.5001", "cukup"), ("2.4999", "baik")])
    func statusComparesTheUnroundedDenominator(sasaran: String, status: String) throws {
        var w = TestCatalogue.world([TestCatalogue.presence("D")])
        w.add("TIMBANG", "a", "2025-01-10", born: "2024-01-01")
        w.add("TIMBANG", "a", "2025-02-10", born: "2024-01-01")
        w.add("TIMBANG", "b", "2025-02-11", born: "2024-01-01")
        w.target("balita", W.v1, try #require(ExactDecimal(sasaran)))
        let row = try #require(w.run(asOf: "2025-02").row(2, .desa, W.v1, "D"))
        #expect(row.numeratorMonth == 2)
        #expect(row.coverageMonthPct == Percent(hundredths: 8000))
        #expect(row.gapPct == Percent(hundredths: 0))
        #expect(row.trend == "naik")
        #expect(row.status == status)
    }

    /// No denominator: coverage, gap and status empty; numerator, target and trend written.
    @Test func noDenominatorKeepsNumeratorTargetAndTrend() {
        let w = Self.world()
        let r = w.run(asOf: "2025-01")
        let row = r.row(1, .rt, W.rt1, "K")!
        #expect(row.numeratorMonth == 1)
        #expect(row.numeratorCumulative == 1)
        #expect(row.denominator == nil)
        #expect(row.coverageMonthPct == nil && row.coverageCumulativePct == nil && row.coveragePrevMonthPct == nil)
        #expect(row.gapPct == nil)
        #expect(row.status == "")
        #expect(row.trend == "naik")
        #expect(row.targetPct == Percent(hundredths: 833))   // 100 × 1 / 12 = 8.333…
        #expect(row.targetAnnualPct == Percent(hundredths: 10_000))
    }

    /// A denominator of 0 is written as 0 with its source; coverage, gap, status are empty.
    @Test func zeroDenominatorIsWrittenWithItsSource() {
        var w = Self.world()
        w.target("bumil", W.v1, 0)
        let r = w.run(asOf: "2025-01")
        let row = r.row(1, .desa, W.v1, "K")!
        #expect(row.denominator == 0)
        #expect(row.denominatorSource == "sasaran")
        #expect(row.coverageMonthPct == nil && row.coverageCumulativePct == nil)
        #expect(row.gapPct == nil)
        #expect(row.status == "")
        #expect(row.trend == "naik")
    }
}
