import PWSTestSupport
import PWSCore
import Testing
@testable import Aggregate

/// Rows, order, rounding, trend and status of spec §6 and §7.
@Suite struct AnalysisTests {
    typealias W = World

    @Test(arguments: [(1, 8, 1250), (2, 3, 6667), (1, 3, 3333), (1, 6, 1667), (0, 5, 0), (5, 5, 10_000),
                      (1, 20_000, 1), (1, 20_001, 0)])
    func percentRoundsOnceHalfAwayFromZero(_ n: Int, _ d: Int, _ hundredths: Int) {
        // 1/8 = 12.5 % exactly; 2/3 = 66.666… → 66.67; 1/20000 = 0.005 % → 0.01 (half away);
        // 1/20001 = 0.00499… % → 0.00.
        #expect(Analysis.percent(n, ExactDecimal(d)) == Percent(hundredths: hundredths))
        // The 128-bit path (decimal denominators) gives the same on whole ones.
        #expect(ExactFraction.percentHundredths(n, ExactDecimal(d)) == hundredths)
    }

    @Test(arguments: [(-1, 2, -1), (1, 2, 1), (-3, 2, -2), (-1, 3, 0), (-2, 3, -1), (7, 2, 4)])
    func negativeHalvesRoundAwayFromZero(_ num: Int, _ den: Int, _ rounded: Int) {
        #expect(Analysis.roundHalfAway(num, den) == rounded)
    }

    /// A monthly indicator with target 0.13 % and sasaran 800: 1 subject = 0.125 % (written 0.13,
    /// the same as the target), but the exact gap is 0.125 − 0.13 = −0.005 → −0.01, and the
    /// status compares exact values: below → cukup (trend naik), not baik.
    @Test func gapIsRoundedOnceFromExactValues() {
        var w = TestCatalogue.world([TestCatalogue.presence("P", target: 13)])
        w.target("balita", W.v1, 800)
        w.add("TIMBANG", "a", "2025-01-10", born: "2023-01-01")
        let row = w.run(asOf: "2025-01").row(1, .desa, W.v1, "P")!
        #expect(row.coverageMonthPct == Percent(hundredths: 13))
        #expect(row.targetPct == Percent(hundredths: 13))
        #expect(row.gapPct == Percent(hundredths: -1))
        #expect(row.gapPct?.text == "-0.01")
        #expect(row.status == "cukup")
    }

    /// Cumulative target = annual × m / 12: 95 % in month 1 = 7.916… → 7.92; month 6 = 47.50.
    /// Lifetime K with target 100 and sasaran 2: one subject in June = 50 % = 100 × 6 / 12
    /// exactly → at target, naik → baik; gap 0.00.
    @Test func cumulativeTargetAndStatusAtTarget() {
        var w = TestCatalogue.world([TestCatalogue.first("K"), TestCatalogue.first("T", target: 9500)])
        w.target("bumil", W.v1, 2)
        w.add("ANC", "ibu", "2025-06-10", born: "1995-01-01")
        let r = w.run(asOf: "2025-06")
        #expect(r.row(1, .desa, W.v1, "T")?.targetPct == Percent(hundredths: 792))
        #expect(r.row(6, .desa, W.v1, "T")?.targetPct == Percent(hundredths: 4750))
        let k = r.row(6, .desa, W.v1, "K")!
        #expect(k.coverageCumulativePct == Percent(hundredths: 5000))
        #expect(k.targetPct == Percent(hundredths: 5000))
        #expect(k.gapPct == Percent(hundredths: 0))
        #expect(k.status == "baik")
        // May: 0 of 2 against 41.67 → below, tetap → cukup.
        #expect(r.row(5, .desa, W.v1, "K")?.status == "cukup")
    }

    /// Trend compares monthly numerators (same yearly denominator): 2, 1, 1, 3 → naik (from
    /// December's 0), turun, tetap, naik.
    @Test func trendNaikTetapTurun() {
        var w = TestCatalogue.world([TestCatalogue.first("K")])
        w.target("bumil", W.v1, 10)
        for (k, m) in [1, 1, 2, 3, 4, 4, 4].enumerated() { w.add("ANC", "ibu\(k)", "2025-0\(m)-05", born: "1995-01-01") }
        let r = w.run(asOf: "2025-04")
        let rows = (1...4).map { r.row($0, .desa, W.v1, "K")! }
        #expect(rows.map(\.numeratorMonth) == [2, 1, 1, 3])
        #expect(rows.map(\.numeratorCumulative) == [2, 3, 4, 7])
        #expect(rows.map(\.trend) == ["naik", "turun", "tetap", "naik"])
        #expect(rows.map { $0.coveragePrevMonthPct?.hundredths } == [0, 2000, 1000, 1000])
    }

    /// Rows are sorted by month, level (kabkota … rt), area_code in byte order, catalogue order;
    /// one row per (month, area, indicator).
    @Test func rowsFollowSection7Order() {
        var w = TestCatalogue.world([TestCatalogue.first("Z"), TestCatalogue.first("A"), TestCatalogue.presence("M")])
        w.add("ANC", "ibu", "2025-01-10", born: "1995-01-01", rt: "3201012001-01A-001")
        w.add("ANC", "ibu2", "2025-02-10", born: "1995-01-01", rt: "3201012001-001-010")
        let r = w.run(asOf: "2025-03")
        let levels = AreaLevel.allCases
        func key(_ row: IndicatorRow) -> (Int, Int, [UInt8], Int) {
            (row.month, levels.firstIndex(of: row.level)!, Array(row.areaCode.utf8), ["Z", "A", "M"].firstIndex(of: row.indicator)!)
        }
        for (a, b) in zip(r.rows, r.rows.dropFirst()) {
            let x = key(a), y = key(b)
            #expect(x.0 < y.0 || (x.0 == y.0 && (x.1 < y.1 || (x.1 == y.1 && (x.2.lexicographicallyPrecedes(y.2)
                || (x.2 == y.2 && x.3 < y.3))))), "\(a.areaCode) \(a.indicator) before \(b.areaCode) \(b.indicator)")
        }
        // 1 kabkota + 1 kecamatan + 2 puskesmas + 3 desa + (4 + 1 unregistered) RW + (6 + 2) RT = 20
        // areas × 3 indicators × 3 months.
        #expect(r.rows.count == 20 * 3 * 3)
        #expect(r.rows.prefix(3).map(\.indicator) == ["Z", "A", "M"])
        let rwCodes = r.rows.filter { $0.month == 1 && $0.level == .rw && $0.indicator == "Z" }.map(\.areaCode)
        #expect(rwCodes == ["3201012001-001", "3201012001-002", "3201012001-01A", "3201012002-001", "3201012003-001"])
        #expect(r.rows.first { $0.areaCode == "3201012001-01A-001" }?.areaName == "RT 001")
        #expect(r.rows.first { $0.areaCode == "3201012001-01A-001" }?.parentCode == "3201012001-01A")
        #expect(r.rows.first { $0.level == .puskesmas }?.parentCode == "3201")
        #expect(r.rows.first { $0.level == .desa }?.parentCode == "320101")
    }

    /// An unregistered RT/RW appears only when seen in records dated in the reporting year.
    @Test func unregisteredAreasOnlyWhenSeenInTheYear() {
        var w = TestCatalogue.world([TestCatalogue.first("K")])
        w.add("ANC", "ibu", "2024-05-10", born: "1995-01-01", rt: "3201012001-008-001")
        w.add("ANC", "ibu2", "2025-01-10", born: "1995-01-01", rt: "3201012001-009-001")
        w.add("ANC", "ibu3", "2025-02-10", born: "1995-01-01", rt: "3201012001-001-007")
        let r = w.run(asOf: "2025-02")
        let codes = Set(r.rows.map(\.areaCode))
        #expect(!codes.contains("3201012001-008") && !codes.contains("3201012001-008-001"))
        #expect(codes.contains("3201012001-009") && codes.contains("3201012001-009-001"))
        #expect(codes.contains("3201012001-001-007"))
        // Counted in the unregistered RT and up its parents.
        #expect(r.n("K", 1, .rt, "3201012001-009-001") == 1)
        #expect(r.n("K", 1, .rw, "3201012001-009") == 1)
        #expect(r.n("K", 1, .desa, W.v1) == 1)
    }

    /// A December attainment at an unregistered RT not seen in the reporting year still counts
    /// in the village's previous month (a run for the year before lists that RT).
    @Test func decemberAtUnseenUnregisteredRTCountsInItsVillage() {
        var w = TestCatalogue.world([TestCatalogue.first("K")])
        w.add("ANC", "ibu", "2024-12-10", born: "1995-01-01", rt: "3201012001-008-001")
        let r = w.run(asOf: "2025-01")
        #expect(!r.rows.contains { $0.areaCode.hasPrefix("3201012001-008") })
        #expect(r.row(1, .desa, W.v1, "K")?.numeratorPrevMonth == 1)
        #expect(r.row(1, .kabkota, "3201", "K")?.numeratorPrevMonth == 1)
    }

    /// Records after the as-of month are not used (spec §4.4), even if the caller passes them.
    @Test func recordsAfterAsOfAreIgnored() {
        var w = TestCatalogue.world([TestCatalogue.first("K")])
        w.add("ANC", "ibu", "2025-03-10", born: "1995-01-01", rt: "3201012001-009-001")
        let r = w.run(asOf: "2025-02")
        #expect(!r.rows.contains { $0.areaCode.hasPrefix("3201012001-009") })
        #expect(r.cum("K", 2) == 0)
    }
}
