import Aggregate
import PWSCore
import Testing
@testable import Export

/// `ReportRows` over a run's values: the rows `IndicatorValues.rows(where:)` materialises, in
/// the same order, each computed when read; changing one keeps the others.
@Suite struct ReportRowsTests {
    @Test func positionsReadBackAsTheMaterialisedRows() {
        let values = IndicatorsCSVParallelTests.small  // decimal denominators, 5 months
        let include: (AreaLevel, Int) -> Bool = { level, month in
            level == .kabkota || (level == .desa && month >= 4) || (level == .rt && month == 5)
        }
        let expected = values.rows(where: include)
        let rows = ReportRows(values: values, where: include)
        #expect(rows.count == expected.count && !expected.isEmpty)
        #expect(Array(rows) == expected)
        // Every kab/kota row of months 1…5 is there, then desa of 4 and 5, RT of 5.
        #expect(rows.filter { $0.level == .kabkota }.count == 5 * values.indicators.count)
        #expect(Set(rows.filter { $0.level == .desa }.map(\.month)) == [4, 5])
        #expect(Set(rows.filter { $0.level == .rt }.map(\.month)) == [5])
        #expect(rows.contains { $0.denominator.map { $0.scale > 0 } == true }, "decimal denominators read back")
    }

    @Test func changingARowKeepsTheOthers() {
        let values = IndicatorsCSVParallelTests.small
        var rows = ReportRows(values: values) { level, _ in level == .desa }
        let before = Array(rows)
        rows[3].status = "baik"
        rows[3].coverageMonthPct = nil
        #expect(rows[3].status == "baik" && rows[3].coverageMonthPct == nil)
        #expect(rows.count == before.count)
        for i in rows.indices where i != 3 { #expect(rows[i] == before[i]) }
        #expect(ReportRows(before)[3] == before[3])
    }
}
