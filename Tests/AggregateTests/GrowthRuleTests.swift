import Growth
import PWSCore
import PWSTestSupport
import Testing
@testable import Aggregate

/// The growth rule kinds (§A4): `growth_change` (T, 2T) and `growth_zscore` (BGM, UNDERWEIGHT,
/// STUNTING, WASTING), rows computed by hand.
///
/// Boys born 2024-01-01 at village v1 (day 427 = 2025-03-03, 444 = 03-20); weights in kg,
/// lengths in cm; z-scores from the WHO rows quoted in `GrowthMonthTests` (wfa day 427: L 0.0484,
/// M 10.1015, S 0.10977; lhfa day 427: L 1, M 78.0817, S 0.03175; wfl boys 72.0: L −0.3521,
/// M 8.8697, S 0.08254):
///
/// | child | Dec 24 | Jan | Feb | Mar |
/// |---|---|---|---|---|
/// | a | | 10.0 | 9.2 | 9.0 (03-03), 9.5 (03-20): two in a month, the last counts |
/// | b | | 10.0 | | 9.0: Feb skipped, no T |
/// | c | | 10.0 | 9.8 | 9.8: T and 2T |
/// | d | 10.0 | | 9.8 | 9.7: T; Jan skipped, no 2T |
/// | e | | | | length 75.0 (03-03, HAZ −1.24), weight 3.0 (03-20, WAZ −8.02 flagged) |
/// | f | | | | 7.2 and 72.0 (03-03): WAZ −3 + (7.2 − 7.2478)/(8.1010 − 7.2478) = −3.056, HAZ −2.453, WHZ −2.622 |
/// | g | | | | 9.0 and 75.0 (03-03): WAZ −1.05, HAZ −1.24, WHZ −0.66 (weight and length) |
///
/// March: D_S 7; T = c, d (2/7); 2T = c (1/7); BGM = f (1/7); UNDERWEIGHT f over a, b, c, d, f, g
/// (e's flagged WAZ out of both: 1/6); STUNTING f over e, f, g (1/3); WASTING f over f, g (e has
/// no date with both: 1/2). February: D_S a, c, d; T = a, c (2/3); 2T none; UNDERWEIGHT 0/3.
/// January: D_S a, b, c; T none (no December weights but d's, and d has no January).
@Suite struct GrowthRuleTests {
    static func indicator(_ id: String, _ rule: IndicatorRule, base: Bool, target: Int) -> IndicatorDefinition {
        IndicatorDefinition(id: id, name: id, subject: .person, scope: .monthly, rule: rule, targetGroup: nil,
                            denominatorIndicator: base ? "D_S" : nil, targetHundredths: target,
                            direction: .lowerIsBetter)
    }

    static let catalogue: [IndicatorDefinition] = [
        TestCatalogue.presence("D_S"),
        indicator("T", .growthChange(base: "D_S", months: 1), base: true, target: 2000),
        indicator("2T", .growthChange(base: "D_S", months: 2), base: true, target: 500),
        indicator("BGM", .growthZScore(.weightForAge, below: -3, measuredDenominator: false), base: true, target: 100),
        indicator("UNDERWEIGHT", .growthZScore(.weightForAge, below: -2), base: false, target: 1000),
        indicator("STUNTING", .growthZScore(.lengthHeightForAge, below: -2), base: false, target: 1400),
        indicator("WASTING", .growthZScore(.weightForLengthHeight, below: -2), base: false, target: 700),
        indicator("OVERWEIGHT", .growthZScore(.weightForLengthHeight, above: 2), base: false, target: 300),
    ]

    static func world(_ catalogue: [IndicatorDefinition] = catalogue) -> World {
        var w = TestCatalogue.world(catalogue)
        func weigh(_ child: String, _ date: String, _ kg: Float) {
            w.add("TIMBANG", child, date, born: "2024-01-01", sex: .male, result: kg)
        }
        func measure(_ child: String, _ date: String, _ cm: Float) {
            w.add("UKUR_TB", child, date, born: "2024-01-01", sex: .male, result: cm)
        }
        weigh("a", "2025-01-15", 10.0); weigh("a", "2025-02-15", 9.2)
        weigh("a", "2025-03-03", 9.0); weigh("a", "2025-03-20", 9.5)
        weigh("b", "2025-01-15", 10.0); weigh("b", "2025-03-03", 9.0)
        weigh("c", "2025-01-15", 10.0); weigh("c", "2025-02-15", 9.8); weigh("c", "2025-03-03", 9.8)
        weigh("d", "2024-12-15", 10.0); weigh("d", "2025-02-15", 9.8); weigh("d", "2025-03-03", 9.7)
        measure("e", "2025-03-03", 75.0); weigh("e", "2025-03-20", 3.0)
        weigh("f", "2025-03-03", 7.2); measure("f", "2025-03-03", 72.0)
        weigh("g", "2025-03-03", 9.0); measure("g", "2025-03-03", 75.0)
        return w
    }

    static func run(standards: GrowthStandards? = WHOTables.standards) -> AggregateResult {
        var input = world().input(asOf: "2025-03")
        input.growthStandards = standards
        return Aggregator.run(input)
    }

    @Test func marchRows() throws {
        let r = Self.run()
        func row(_ id: String) throws -> IndicatorRow { try #require(r.row(3, .desa, World.v1, id)) }
        let ids = ["T", "2T", "BGM", "UNDERWEIGHT", "STUNTING", "WASTING", "OVERWEIGHT"]
        let rows = try ids.map(row)
        #expect(rows.map(\.numeratorMonth) == [2, 1, 1, 1, 1, 1, 0])
        #expect(rows.map(\.denominator) == [7, 7, 7, 6, 3, 2, 2])
        #expect(rows.map(\.denominatorSource) == ["D_S", "D_S", "D_S", "measured", "measured", "measured", "measured"])
        #expect(rows.map { $0.numeratorCumulative } == [nil, nil, nil, nil, nil, nil, nil])
        #expect(rows.map { $0.coverageCumulativePct } == [nil, nil, nil, nil, nil, nil, nil])
        #expect(rows.map { $0.coverageMonthPct?.hundredths } == [2857, 1429, 1429, 1667, 3333, 5000, 0])
        // February: T 2/3, 2T 0/3, BGM 0/3, UNDERWEIGHT 0/3; no length in February (prev empty).
        #expect(rows.map { $0.coveragePrevMonthPct?.hundredths } == [6667, 0, 0, 0, nil, nil, nil])
        #expect(rows.map { $0.targetPct?.hundredths } == [2000, 500, 100, 1000, 1400, 700, 300])
        // 28.5714 − 20, 14.2857 − 5, 14.2857 − 1, 16.6667 − 10, 33.3333 − 14, 50 − 7, 0 − 3
        #expect(rows.map { $0.gapPct?.hundredths } == [857, 929, 1329, 667, 1933, 4300, -300])
        // An undefined previous coverage counts as 0 (as N_D).
        #expect(rows.map(\.trend) == ["turun", "naik", "naik", "naik", "naik", "naik", "tetap"])
        // Lower is better: above the target and falling → cukup; above and rising → jelek;
        // at or below and steady → baik.
        #expect(rows.map(\.status) == ["cukup", "jelek", "jelek", "jelek", "jelek", "jelek", "baik"])
    }

    /// `age_months` narrows a growth_zscore rule's children (audit P, finding 4): every child
    /// here is 14 months old in March, so STUNTING over 12–23 months is STUNTING's 1/3, over
    /// 0–11 months 0/0 — numerator and measured denominator both narrowed.
    @Test func ageMonthsNarrowsTheChildren() throws {
        var input = Self.world([
            Self.indicator("S12", .growthZScore(.lengthHeightForAge, below: -2, ageMonths: 12...23), base: false, target: 1400),
            Self.indicator("S0", .growthZScore(.lengthHeightForAge, below: -2, ageMonths: 0...11), base: false, target: 1400),
        ]).input(asOf: "2025-03")
        input.growthStandards = WHOTables.standards
        let r = Aggregator.run(input)
        let s12 = try #require(r.row(3, .desa, World.v1, "S12")), s0 = try #require(r.row(3, .desa, World.v1, "S0"))
        #expect(s12.numeratorMonth == 1 && s12.denominator == 3)
        #expect(s0.numeratorMonth == 0 && s0.denominator == 0)
    }

    @Test func februaryAndJanuary() throws {
        let r = Self.run()
        let feb = try #require(r.row(2, .desa, World.v1, "T"))
        #expect(feb.numeratorMonth == 2 && feb.denominator == 3 && feb.coverageMonthPct?.hundredths == 6667)
        #expect(feb.coveragePrevMonthPct?.hundredths == 0 && feb.trend == "naik" && feb.status == "jelek")
        let under = try #require(r.row(2, .desa, World.v1, "UNDERWEIGHT"))
        // 0/3 in February and in January: tetap, at or below 10 → baik.
        #expect(under.numeratorMonth == 0 && under.denominator == 3 && under.trend == "tetap" && under.status == "baik")
        #expect(r.row(1, .desa, World.v1, "T")?.numeratorMonth == 0)
        // No length in February: a measured denominator of 0, no coverage, trend or status.
        let stunting = try #require(r.row(2, .desa, World.v1, "STUNTING"))
        #expect(stunting.denominator == 0 && stunting.coverageMonthPct == nil)
        #expect(stunting.trend == "" && stunting.status == "")
    }

    /// The per-person loop asks the growth units only for the months with a `TIMBANG`/`UKUR_TB`
    /// record that counts for growth (`CompiledRule.countsOnlyGrowthMonths`); these months must
    /// count as before. Boys born 2024-01-01 unless said (day 427 = 2025-03-03, as above):
    ///
    /// | child | Feb 15 | Mar |
    /// |---|---|---|
    /// | h | | only a length, 72.0 (03-03): HAZ −2.453, stunted |
    /// | k (born 2019-01-01, 73–74 months) | 20.0 | 19.0: weighed (D_S), but no growth record counts |
    /// | m | 10.0 | a weighing with result 0 (D_S; no valid weight: no T, not in UNDERWEIGHT) |
    /// | n | 9.0 | 9.0 (WAZ −1.05): T |
    /// | p | 10.0 | only a VITA record: a month with records but none for growth |
    ///
    /// March: D_S k, m, n (3); T n (1/3); 2T 0; BGM 0/3; UNDERWEIGHT 0 over n (1); STUNTING h
    /// (1/1); WASTING no date with both (0/0). February: D_S k, m, n, p (4); UNDERWEIGHT 0 over
    /// m, n, p (3); T 0 (nobody weighed in January).
    @Test func onlyMonthsWithGrowthRecordsCount() throws {
        var w = TestCatalogue.world(Self.catalogue)
        w.add("UKUR_TB", "h", "2025-03-03", born: "2024-01-01", sex: .male, result: 72.0)
        w.add("TIMBANG", "k", "2025-02-15", born: "2019-01-01", sex: .male, result: 20.0)
        w.add("TIMBANG", "k", "2025-03-03", born: "2019-01-01", sex: .male, result: 19.0)
        w.add("TIMBANG", "m", "2025-02-15", born: "2024-01-01", sex: .male, result: 10.0)
        w.add("TIMBANG", "m", "2025-03-03", born: "2024-01-01", sex: .male, result: 0)
        w.add("TIMBANG", "n", "2025-02-15", born: "2024-01-01", sex: .male, result: 9.0)
        w.add("TIMBANG", "n", "2025-03-03", born: "2024-01-01", sex: .male, result: 9.0)
        w.add("TIMBANG", "p", "2025-02-15", born: "2024-01-01", sex: .male, result: 10.0)
        w.add("VITA", "p", "2025-03-03", born: "2024-01-01", sex: .male)
        var input = w.input(asOf: "2025-03")
        input.growthStandards = WHOTables.standards
        let r = Aggregator.run(input)
        let ids = ["D_S", "T", "2T", "BGM", "UNDERWEIGHT", "STUNTING", "WASTING"]
        let march = try ids.map { try #require(r.row(3, .desa, World.v1, $0)) }
        #expect(march.map(\.numeratorMonth) == [3, 1, 0, 0, 0, 1, 0])
        #expect(march.dropFirst().map(\.denominator) == [3, 3, 3, 1, 1, 0])
        let february = try ids.map { try #require(r.row(2, .desa, World.v1, $0)) }
        #expect(february.map(\.numeratorMonth) == [4, 0, 0, 0, 0, 0, 0])
        #expect(february.dropFirst().map(\.denominator) == [4, 4, 4, 3, 0, 0])
    }

    /// Without the standards the growth kinds count nothing; D_S is the same.
    @Test func withoutStandardsNothingCounts() {
        let r = Self.run(standards: nil)
        #expect(r.n("T", 3) == 0 && r.n("UNDERWEIGHT", 3) == 0 && r.n("D_S", 3) == 7)
        #expect(r.row(3, .kabkota, "3201", "UNDERWEIGHT")?.denominator == 0)
    }
}
