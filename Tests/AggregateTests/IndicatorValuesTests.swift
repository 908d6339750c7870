import PWSTestSupport
import PWSCore
import Testing
@testable import Aggregate

/// `IndicatorValues`: rows produced on demand, in `indicators.csv` order, from per-area counts.
@Suite struct IndicatorValuesTests {
    typealias W = World

    /// K: first ANC (bumil, 100 %); D: monthly TIMBANG (balita, 80 %). Sukamaju has sasaran
    /// bumil 40 and balita 10. ibu1 (RT 1) has ANC on 10 Jan and 20 Feb, ibu2 (RT 2) on 5 Feb;
    /// anak (RT 1) is weighed in January and February.
    static func result() -> AggregateResult {
        var w = TestCatalogue.world([TestCatalogue.first("K"), TestCatalogue.presence("D")])
        w.add("ANC", "ibu1", "2025-01-10", born: "1995-01-01", rt: W.rt1)
        w.add("ANC", "ibu2", "2025-02-05", born: "1996-01-01", rt: W.rt2)
        w.add("ANC", "ibu1", "2025-02-20", born: "1995-01-01", rt: W.rt1)
        w.add("TIMBANG", "anak", "2025-01-15", born: "2024-06-01", rt: W.rt1, result: 8.1)
        w.add("TIMBANG", "anak", "2025-02-15", born: "2024-06-01", rt: W.rt1, result: 8.4)
        w.target("bumil", W.v1, 40)
        w.target("balita", W.v1, 10)
        return w.run(asOf: "2025-02")
    }

    /// K at Sukamaju, February: numerator 1 (ibu2), cumulative 2, sasaran 40 → 1/40 = 2.50 %,
    /// 2/40 = 5.00 %, previous month 1/40 = 2.50 %; target 100 × 2 / 12 = 16.67 %; gap
    /// 5 − 16.666… = −11.67; trend tetap (1 = 1); below target and tetap → cukup.
    @Test func figuresOfOneRowByHand() throws {
        let values = Self.result().values
        let row = try #require(values.row(month: 2, level: .desa, area: W.v1, indicator: "K"))
        #expect(row.year == 2025 && row.month == 2 && row.areaName == "Sukamaju" && row.parentCode == "320101")
        #expect(row.scope == "lifetime")
        #expect(row.numeratorMonth == 1 && row.numeratorPrevMonth == 1 && row.numeratorCumulative == 2)
        #expect(row.denominator == 40 && row.denominatorSource == "sasaran")
        #expect(row.coverageMonthPct == Percent(hundredths: 250))
        #expect(row.coverageCumulativePct == Percent(hundredths: 500))
        #expect(row.coveragePrevMonthPct == Percent(hundredths: 250))
        #expect(row.targetAnnualPct == Percent(hundredths: 10_000))
        #expect(row.targetPct == Percent(hundredths: 1667))
        #expect(row.gapPct == Percent(hundredths: -1167))
        #expect(row.trend == "tetap" && row.status == "cukup")
        // D in February: 1 of 10 = 10.00 % against 80 % every month; monthly scope has no cumulative.
        let d = try #require(values.row(month: 2, level: .desa, area: W.v1, indicator: "D"))
        #expect(d.numeratorCumulative == nil && d.coverageMonthPct == Percent(hundredths: 1000))
        #expect(d.targetPct == Percent(hundredths: 8000) && d.gapPct == Percent(hundredths: -7000))
    }

    /// `forEach` visits months × areas × indicators once each, in month, level, code, catalogue
    /// order, and gives the same rows as `rows()`.
    @Test func forEachVisitsEveryRowInFileOrder() {
        let values = Self.result().values
        var visited: [IndicatorFigures] = []
        values.forEach { visited.append($0) }
        #expect(visited.count == values.rowCount)
        #expect(values.rowCount == 2 * values.areas.count * 2)
        let rows = values.rows()
        #expect(visited.map { values.row($0) } == rows)
        for (a, b) in zip(rows, rows.dropFirst()) {
            let key = { (r: IndicatorRow) in (r.month, r.level.order) }
            #expect(key(a) <= key(b))
            if key(a) == key(b) && a.areaCode != b.areaCode {
                #expect(a.areaCode.utf8.lexicographicallyPrecedes(b.areaCode.utf8))
            }
        }
        #expect(rows.prefix(2).map(\.indicator) == ["K", "D"])
    }

    /// A subset is exactly the matching rows of the whole table, in the same order.
    @Test func subsetsAreTheMatchingRowsOfTheWholeTable() {
        let values = Self.result().values
        let all = values.rows()
        let subset = values.rows(months: 2...2) { level, _ in level == .desa || level == .kabkota }
        #expect(subset == all.filter { $0.month == 2 && ($0.level == .desa || $0.level == .kabkota) })
        #expect(subset.count == 2 * (3 + 1))
        let byMonth = values.rows { level, month in level == .rt && month == 1 }
        #expect(byMonth == all.filter { $0.level == .rt && $0.month == 1 })
        #expect(values.rows(months: 3...5).isEmpty)
    }

    /// The look-up names a missing area, indicator or month with nil.
    @Test func lookUpOfAMissingRowIsNil() {
        let values = Self.result().values
        #expect(values.row(month: 3, level: .desa, area: W.v1, indicator: "K") == nil)
        #expect(values.row(month: 1, level: .rw, area: W.v1, indicator: "K") == nil)
        #expect(values.row(month: 1, level: .desa, area: W.v1, indicator: "X") == nil)
    }
}
