import Export
import Foundation
import PWSCore
import Testing

@Suite struct PWSRankingTests {
    typealias Coverage = (numerator: Int, denominator: ExactDecimal)

    @Test func tiesShareTheSmallestRankAndTheNextIsSkipped() {
        // 9/10 = 90 %, 4/5 = 80 %, 8/10 = 80 %, 1/2 = 50 % → 1, 2, 2, 4.
        let c: [Coverage?] = [(4, 5), (9, 10), (1, 2), (8, 10)]
        #expect(PWSRanking.ranks(c, direction: .higherIsBetter) == [2, 1, 4, 2])
    }

    @Test func lowerIsBetterRanksAscending() {
        // 1/2 = 50 % is best, then 4/5 = 8/10 = 80 % (both 2), then 9/10 = 90 % (4).
        let c: [Coverage?] = [(4, 5), (9, 10), (1, 2), (8, 10)]
        #expect(PWSRanking.ranks(c, direction: .lowerIsBetter) == [2, 4, 1, 2])
    }

    @Test func noCoverageIsBlankAndCountsAfterTheRanked() {
        // Two villages without a denominator: no rank; the ranked ones are still 1 and 2.
        let c: [Coverage?] = [nil, (3, 4), nil, (1, 4)]
        #expect(PWSRanking.ranks(c, direction: .higherIsBetter) == [nil, 1, nil, 2])
        #expect(PWSRanking.ranks(c, direction: .lowerIsBetter) == [nil, 2, nil, 1])
    }

    @Test func exactFractionsNotRoundedPercentages() {
        // 2/3 = 66.666…% and 6667/10000 = 66.67 % both print as 66.67, but 6667/10000 is higher
        // (6667 · 3 = 20001 > 2 · 10000 = 20000), so it ranks 1 and 2/3 ranks 2; 4/6 equals 2/3.
        let c: [Coverage?] = [(2, 3), (6667, 10_000), (4, 6)]
        #expect(PWSRanking.ranks(c, direction: .higherIsBetter) == [2, 1, 2])
    }

    @Test func hugeValuesDoNotOverflow() {
        // Int.max / (Int.max − 1) > 1 = (Int.max − 1) / (Int.max − 1): products need 128 bits.
        let c: [Coverage?] = [(Int.max - 1, ExactDecimal(Int.max - 1)), (Int.max, ExactDecimal(Int.max - 1))]
        #expect(PWSRanking.ranks(c, direction: .higherIsBetter) == [2, 1])
    }

    @Test func decimalDenominatorsCompareExactly() throws {
        // 81/101.25 = 80 % exactly ties 80/100; 81/101.2 = 80.04 % is above both; 80/100.01 is below.
        let c: [Coverage?] = [(80, 100), (81, try #require(ExactDecimal("101.25"))),
                              (81, try #require(ExactDecimal("101.2"))), (80, try #require(ExactDecimal("100.01")))]
        #expect(PWSRanking.ranks(c, direction: .higherIsBetter) == [2, 2, 1, 4])
    }

    @Test func rowsRankByCumulativeCoverageOrTheMonthsForMonthlyScope() {
        func row(_ month: Int, _ cumulative: Int?, _ denominator: Int?) -> IndicatorRow {
            IndicatorRow(year: 2025, month: 3, level: .desa, areaCode: "v", areaName: "v", parentCode: "p",
                         indicator: "K1", scope: cumulative == nil ? "monthly" : "lifetime",
                         numeratorMonth: month, numeratorCumulative: cumulative, denominator: denominator.map { ExactDecimal($0) },
                         denominatorSource: "sasaran", coverageMonthPct: nil, coverageCumulativePct: nil,
                         coveragePrevMonthPct: nil, targetAnnualPct: nil, targetPct: nil, gapPct: nil,
                         trend: "", status: "")
        }
        // Cumulative: 6/10 = 60 % beats 5/10 = 50 % although its month (1) is lower than 5.
        #expect(PWSRanking.ranks([row(5, 5, 10), row(1, 6, 10)], direction: .higherIsBetter) == [2, 1])
        // Monthly: 3/4 = 75 % beats 2/4 = 50 %; a zero denominator has no coverage.
        #expect(PWSRanking.ranks([row(2, nil, 4), row(3, nil, 4), row(9, nil, 0)], direction: .higherIsBetter)
                == [2, 1, nil])
    }

    @Test func pwsTableRanksWithinEachPuskesmasAndNotTotals() throws {
        func row(_ level: AreaLevel, _ code: String, _ n: Int, _ d: Int?) -> IndicatorRow {
            IndicatorRow(year: 2025, month: 3, level: level, areaCode: code, areaName: code, parentCode: "",
                         indicator: "K1", scope: "lifetime", numeratorMonth: 0, numeratorCumulative: n,
                         denominator: d.map { ExactDecimal($0) }, denominatorSource: "sasaran", coverageMonthPct: nil,
                         coverageCumulativePct: nil, coveragePrevMonthPct: nil, targetAnnualPct: nil, targetPct: nil,
                         gapPct: nil, trend: "", status: "")
        }
        // P1: a 3/4 = 75 %, b 6/8 = 75 %, c 1/4 = 25 % → 1, 1, 3. P2: d 1/10, e no sasaran → 1, blank.
        let rows = [row(.kabkota, "K", 11, 30), row(.puskesmas, "P1", 10, 16), row(.puskesmas, "P2", 1, 10),
                    row(.desa, "a", 3, 4), row(.desa, "b", 6, 8), row(.desa, "c", 1, 4), row(.desa, "d", 1, 10),
                    row(.desa, "e", 0, nil)]
        let lines = PWSTable.lines(indicator: "K1", monthRows: rows,
                                   villagePuskesmas: ["a": "P1", "b": "P1", "c": "P1", "d": "P2", "e": "P2"],
                                   direction: .higherIsBetter)
        #expect(lines.map(\.row.areaCode) == ["a", "b", "c", "P1", "d", "e", "P2", "K"])
        #expect(lines.map(\.rank) == [1, 1, 3, nil, 1, nil, nil, nil])

        let path = NSTemporaryDirectory() + "pws-rank-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PWSTableCSV.write(indicator: "K1", monthRows: rows, villagePuskesmas: ["a": "P1", "b": "P1", "c": "P1",
                                                                                  "d": "P2", "e": "P2"],
                              to: path, format: .standard)
        let csv = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(csv[0].hasSuffix(",trend,status,rank"))
        #expect(csv.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).last.map(String.init) ?? "?" }
                == ["1", "1", "3", "", "1", "", "", ""])
    }
}
