import PWSTestSupport
import Foundation
import PWSCore
import Testing
@testable import Aggregate

/// The denominator chain of spec §5.1: sasaran, sum of registered children, estimate, none.
@Suite struct DenominatorsTests {
    typealias W = World

    /// (denominator, source) of indicator `id` at month 1 of `r` for one area.
    static func den(_ r: AggregateResult, _ level: AreaLevel, _ code: String, _ id: String = "K") -> (Int?, String) {
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
    /// RT 1 (400) 7.04 → 7; RT 2 (600) 10.56 → 11; RT 3 (500) 8.8 → 9; RW 001 (1000) 17.6 → 18;
    /// Sukamaju (1500) 26.4 → 26 — not 7 + 11 + 9 = 27: estimates are never summed;
    /// Sukajadi (1000) → 18; PKM01 (2500) 44.0 → 44. Cibening's RT 002 has no population →
    /// Cibening, PKM02, the kecamatan and the kabkota have none.
    @Test func estimateFromPopulation() {
        var w = Self.world()
        w.estimation = EstimationSettings(enabled: true, cbrPer1000: "16.0", shares: [:])
        let r = w.run(asOf: "2025-01")
        #expect(Self.den(r, .rt, W.rt1) == (7, "estimate"))
        #expect(Self.den(r, .rt, W.rt2) == (11, "estimate"))
        #expect(Self.den(r, .rt, W.rt3) == (9, "estimate"))
        #expect(Self.den(r, .rw, "3201012001-001") == (18, "estimate"))
        #expect(Self.den(r, .desa, W.v1) == (26, "estimate"))
        #expect(Self.den(r, .desa, W.v2) == (18, "estimate"))
        #expect(Self.den(r, .puskesmas, "PKM01") == (44, "estimate"))
        #expect(Self.den(r, .rt, W.rt5) == (13, "estimate"))   // 750 × 0.0176 = 13.2
        #expect(Self.den(r, .rt, W.rt6) == (nil, ""))
        #expect(Self.den(r, .desa, W.v3) == (nil, ""))
        #expect(Self.den(r, .puskesmas, "PKM02") == (nil, ""))
        #expect(Self.den(r, .kabkota, "3201") == (nil, ""))
    }

    /// round_half_up: a share of 0.002 × 750 = 1.5 → 2 (half rounds up); bayi 0.016 × 1500 = 24;
    /// bulin 1.05 × 0.016 × 1500 = 25.2 → 25.
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
        #expect(Self.den(r, .desa, W.v1, "Y") == (24, "estimate"))
        #expect(Self.den(r, .desa, W.v1, "B") == (25, "estimate"))   // 1500 × 0.0168 = 25.2
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

/// The exact decimal arithmetic of the estimates (spec §5.1: exact, round half up).
@Suite struct ExactDecimalTests {
    @Test(arguments: [("16.0", 160, -1), ("16", 16, 0), ("0.08", 8, -2), ("1e-05", 1, -5), ("1.5E+2", 15, 1),
                      ("-0.5", -5, -1), ("+3", 3, 0), (".5", 5, -1), ("7.", 7, 0), ("0.0176", 176, -4)])
    func readsDecimalText(text: String, significand: Int, exponent: Int) {
        #expect(ExactDecimal(text) == ExactDecimal(significand: significand, exponent: exponent))
    }

    @Test(arguments: ["", "-", ".", "1.2.3", "abc", "1e", "1e+", "inf", "nan", "1,5", " 1", "99999999999999999999",
                      "1e99999"])
    func refusesWhatItCannotHoldExactly(text: String) {
        #expect(ExactDecimal(text) == nil)
    }

    /// 0.0176 × 11 998 = 211.1648 → 211; 0.0176 × 400 = 7.04 → 7; 0.002 × 750 = 1.5 → 2 (half up);
    /// −0.5 × 3 = −1.5 → −2 (half away from zero, as `NSDecimalRound(.plain)`); 1.5e2 × 3 = 450;
    /// 0.016 × 1 500 = 24 exactly.
    @Test(arguments: [("0.0176", 11_998, 211), ("0.0176", 400, 7), ("0.002", 750, 2), ("-0.5", 3, -2),
                      ("1.5e2", 3, 450), ("0.016", 1500, 24), ("0.0176", 0, 0)])
    func roundsHalfAwayFromZero(rate: String, population: Int, expected: Int) throws {
        let f = try #require(ExactDecimal(rate))
        #expect(f.roundHalfAway(times: population) == expected)
        #expect(Denominators.roundHalfUp(f.decimal * Decimal(population)) == expected)
    }

    /// Too many digits for 64 bits: the estimate falls back to `Decimal` and still agrees.
    @Test func overflowFallsBackToDecimal() throws {
        let f = try #require(ExactDecimal("0.123456789012345678"))
        #expect(f.roundHalfAway(times: 1_000) == nil)
        #expect(Denominators.Factor.exact(f).roundHalfUp(times: 1_000) == 123)
        #expect(ExactDecimal("1e-30")?.roundHalfAway(times: 5) == nil)
        #expect(Denominators.Factor.exact(ExactDecimal("1e-30")!).roundHalfUp(times: 5) == 0)
    }

    /// f of §5.1: bumil 1.10 × CBR / 1000, bulin 1.05 × CBR / 1000, bayi CBR / 1000, others the share.
    @Test func factorsOfTheGroups() {
        let settings = EstimationSettings(enabled: true, cbrPer1000: "16.0", shares: ["balita": "0.08"])
        func exact(_ group: String) -> ExactDecimal? {
            if case let .exact(f)? = Denominators.factor(group, settings) { return f }
            return nil
        }
        #expect(exact("bumil")?.roundHalfAway(times: 1_000_000) == 17_600)
        #expect(exact("bulin")?.roundHalfAway(times: 1_000_000) == 16_800)
        #expect(exact("bayi")?.roundHalfAway(times: 1_000_000) == 16_000)
        #expect(exact("balita")?.roundHalfAway(times: 1_000_000) == 80_000)
        #expect(Denominators.factor("lansia", settings) == nil)
    }
}
