@testable import Aggregate
import Foundation
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing

/// Rule kinds as the catalogue names them (`Sources/Aggregate/Rules/`): every kind parses and
/// compiles, and the `rate` kind (added after the split, in one file) with `direction:
/// lower_is_better` gives hand-computed rows.
@Suite struct RuleKindTests {
    static let head = "version: 1\nindicators:\n"
    static func counted(_ id: String, _ service: String) -> String {
        "  - id: \(id)\n    subject: person\n    scope: year\n    rule: first\n    services: [\(service)]\n"
            + "    age_days: [0, 364]\n"
    }
    static let rate = "  - id: DO\n    subject: person\n    scope: year\n    rule: rate\n    from: DPT1\n    to: MR1\n"
        + "    target: 5\n    direction: lower_is_better\n"
    static let catalogue = head + counted("DPT1", "DPTHBHIB1") + counted("MR1", "MR1") + rate
    static func areaCount(_ of: String) -> String {
        "  - id: UCI\n    subject: person\n    scope: year\n    rule: area_count\n    of: \(of)\n    threshold: 80\n    target: 100\n"
    }

    static func load(_ yaml: String) throws -> [IndicatorDefinition] {
        var defs: [IndicatorDefinition] = []
        try IndicatorCatalogueLoaderTests.withCatalogue(yaml) { path in
            defs = try IndicatorCatalogueLoader.load(path: path, services: DefaultCatalogue.services)
        }
        return defs
    }

    /// The default catalogue's kinds are all registered, and every registered kind is named once.
    @Test func everyKindIsRegisteredOnce() throws {
        let names = IndicatorRuleKinds.all.map { $0.name }
        #expect(Set(names).count == names.count)
        #expect(names == ["first", "visits", "each_of", "monthly_presence", "monthly_increase", "rate", "area_count", "sum_at_least",
                          "growth_change", "growth_zscore", "counts", "monthly_all"])
        let defs = DefaultCatalogue.indicators
        #expect(Set(defs.map(\.rule.name)).isSubset(of: Set(names)))
        let rate = try Self.load(Self.catalogue)
        #expect(rate.map(\.rule.name) == ["first", "first", "rate"])
        #expect(rate[2].rule == IndicatorRule(RateRule(from: "DPT1", to: "MR1")))
        #expect(rate[2].denominatorIndicator == "DPT1")
        #expect(rate[2].direction == .lowerIsBetter && rate[0].direction == .higherIsBetter)
    }

    /// The built-in catalogue's growth indicators (§A4): kinds, denominators, targets, direction.
    @Test func growthIndicatorsOfTheCatalogue() throws {
        let defs = DefaultCatalogue.indicators
        func def(_ id: String) throws -> IndicatorDefinition { try #require(defs.first { $0.id == id }) }
        #expect(try def("T").rule == .growthChange(base: "D_S", months: 1))
        #expect(try def("2T").rule == .growthChange(base: "D_S", months: 2))
        #expect(try def("BGM").rule == .growthZScore(.weightForAge, below: -3, measuredDenominator: false))
        #expect(try def("UNDERWEIGHT").rule == .growthZScore(.weightForAge, below: -2))
        #expect(try def("STUNTING").rule == .growthZScore(.lengthHeightForAge, below: -2))
        #expect(try def("WASTING").rule == .growthZScore(.weightForLengthHeight, below: -2))
        #expect(try def("GIZI_BURUK").rule == .growthZScore(.weightForLengthHeight, below: -3))
        #expect(try def("OVERWEIGHT").rule == .growthZScore(.weightForLengthHeight, above: 2))
        let ids = ["T", "2T", "BGM", "UNDERWEIGHT", "STUNTING", "WASTING", "GIZI_BURUK", "OVERWEIGHT"]
        let growth = try ids.map(def)
        #expect(growth.map { $0.targetHundredths } == [2000, 500, 100, 1000, 1400, 700, 100, 300])
        #expect(growth.allSatisfy { $0.direction == .lowerIsBetter && $0.scope == .monthly })
        #expect(growth.map { $0.info.denominator } == ["indicator:D_S", "indicator:D_S", "indicator:D_S",
                                                       "measured", "measured", "measured", "measured", "measured"])
    }

    /// A growth_zscore needs exactly one of below/above; growth_change consecutive is 1 or 2 (its own key: `months` is the record filter).
    @Test func brokenGrowthRulesAreRejected() throws {
        let base = "  - id: D_S\n    subject: person\n    scope: monthly\n    rule: monthly_presence\n    services: [TIMBANG]\n"
        let both = "  - id: X\n    subject: person\n    scope: monthly\n    rule: growth_zscore\n    measure: weight_for_age\n"
            + "    below: -2\n    above: 2\n"
        let months = "  - id: X\n    subject: person\n    scope: monthly\n    rule: growth_change\n    base: D_S\n    consecutive: 3\n"
        let measure = "  - id: X\n    subject: person\n    scope: monthly\n    rule: growth_zscore\n    measure: bmi\n    below: -2\n"
        for bad in [both, months, measure] {
            #expect(throws: (any Error).self) { try Self.load(Self.head + base + bad) }
        }
        let good = try Self.load(Self.head + base + months.replacingOccurrences(of: "consecutive: 3", with: "consecutive: 2"))
        #expect(good[1].rule == .growthChange(base: "D_S", months: 2))
    }

    /// Drop-out DPT1 → MR1 at one village, 2025: DPT1 in Jan 4, Feb 2, Mar 0; MR1 in Feb 3,
    /// Mar 1 (children born 2024-12-01, all under one year).
    ///
    /// | m | num (4−0, 2−3, 0−1) | cum | den (cum DPT1) | month % | cum % | target | gap | trend | status |
    /// |---|---|---|---|---|---|---|---|---|---|
    /// | 1 | 4 | 4 | 4 | 4/4 = 100 | 100 | 5 | 95 | naik (Dec: none) | above, naik → jelek |
    /// | 2 | −1 | 3 | 6 | −1/2 = −50 | 50 | 5 | 45 | turun (−50 < 100) | above, turun → cukup |
    /// | 3 | −1 | 2 | 6 | none (no DPT1 in Mar) | 33.33 | 5 | 28.33 | none | none |
    @Test func dropOutRateRows() throws {
        let defs = try Self.load(Self.catalogue)
        var w = World(services: DefaultCatalogue.services, indicators: defs, extraKecamatan: false)
        for k in 0..<4 { w.add("DPTHBHIB1", "b\(k)", "2025-01-1\(k)", born: "2024-12-01") }
        for k in 4..<6 { w.add("DPTHBHIB1", "b\(k)", "2025-02-0\(k)", born: "2024-12-01") }
        for k in 0..<3 { w.add("MR1", "b\(k)", "2025-02-2\(k)", born: "2024-12-01") }
        w.add("MR1", "b3", "2025-03-03", born: "2024-12-01")
        let r = w.run(asOf: "2025-03")
        let rows = (1...3).map { r.row($0, .desa, World.v1, "DO")! }
        #expect(rows.map(\.numeratorMonth) == [4, -1, -1])
        #expect(rows.map(\.numeratorCumulative) == [4, 3, 2])
        #expect(rows.map(\.denominator) == [4, 6, 6])
        #expect(rows.map(\.denominatorSource) == ["DPT1", "DPT1", "DPT1"])
        #expect(rows.map { $0.coverageMonthPct?.hundredths } == [10_000, -5000, nil])
        #expect(rows.map { $0.coverageCumulativePct?.hundredths } == [10_000, 5000, 3333])
        #expect(rows.map { $0.coveragePrevMonthPct?.hundredths } == [nil, 10_000, -5000])
        #expect(rows.map { $0.targetPct?.hundredths } == [500, 500, 500])
        #expect(rows.map { $0.gapPct?.hundredths } == [9500, 4500, 2833])
        #expect(rows.map(\.trend) == ["naik", "turun", ""])
        #expect(rows.map(\.status) == ["jelek", "cukup", ""])
        // A parent is the sum of its children: the kecamatan has the same figures.
        let kec = r.row(2, .kecamatan, "320101", "DO")!
        #expect(kec.numeratorCumulative == 3 && kec.denominator == 6)
        // The counted indicators are unchanged by the rate.
        #expect(r.row(2, .desa, World.v1, "DPT1")?.numeratorCumulative == 6)
        #expect(r.row(3, .desa, World.v1, "MR1")?.numeratorCumulative == 4)
    }

    /// Lower-is-better status (§A4), a monthly indicator over 4 balita with a 50 % maximum:
    /// Jan 1 child (25 %, naik from 0) → kurang; Feb 3 (75 %, naik) → jelek; Mar 3 (75 %, tetap)
    /// → cukup; Apr 1 (25 %, turun) → baik. Higher-is-better, the same months: cukup, baik,
    /// baik, jelek.
    @Test func lowerIsBetterMirrorsTheStatus() throws {
        let presence = "  - id: P\n    subject: person\n    scope: monthly\n    rule: monthly_presence\n"
            + "    services: [TIMBANG]\n    denominator: balita\n    target: 50\n"
        let defs = try Self.load(Self.head + presence + "    direction: lower_is_better\n"
                                 + presence.replacingOccurrences(of: "id: P", with: "id: H"))
        var w = World(services: DefaultCatalogue.services, indicators: defs, extraKecamatan: false)
        w.target("balita", World.v1, 4)
        for (m, n) in [(1, 1), (2, 3), (3, 3), (4, 1)] {
            for k in 0..<n { w.add("TIMBANG", "c\(k)", "2025-0\(m)-15", born: "2023-01-01") }
        }
        let r = w.run(asOf: "2025-04")
        #expect((1...4).map { r.row($0, .desa, World.v1, "P")!.status } == ["kurang", "jelek", "cukup", "baik"])
        #expect((1...4).map { r.row($0, .desa, World.v1, "H")!.status } == ["cukup", "baik", "baik", "jelek"])
        #expect((1...4).map { r.row($0, .desa, World.v1, "P")!.gapPct?.hundredths } == [-2500, 2500, 2500, -2500])
    }

    /// `status.tetap_below_target: jelek` (§A5) changes only "below target and tetap" (above
    /// it, lower-is-better): the months of `lowerIsBetterMirrorsTheStatus` give, for P (lower is
    /// better), kurang, jelek, **jelek** (75 % above 50 %, tetap), baik; for H (higher is
    /// better) cukup, baik, baik, jelek — unchanged, as H is never below target and tetap. A
    /// second indicator L with a 100 % target is below it every month: Jan 25 % naik → cukup,
    /// Feb 75 % naik → cukup, Mar 75 % tetap → jelek (cukup by default), Apr 25 % turun → jelek.
    @Test func tetapBelowTargetSetting() throws {
        let presence = "  - id: P\n    subject: person\n    scope: monthly\n    rule: monthly_presence\n"
            + "    services: [TIMBANG]\n    denominator: balita\n    target: 50\n"
        let defs = try Self.load(Self.head + presence + "    direction: lower_is_better\n"
                                 + presence.replacingOccurrences(of: "id: P", with: "id: H")
                                 + presence.replacingOccurrences(of: "id: P", with: "id: L")
                                    .replacingOccurrences(of: "target: 50", with: "target: 100"))
        var w = World(services: DefaultCatalogue.services, indicators: defs, extraKecamatan: false)
        w.target("balita", World.v1, 4)
        for (m, n) in [(1, 1), (2, 3), (3, 3), (4, 1)] {
            for k in 0..<n { w.add("TIMBANG", "c\(k)", "2025-0\(m)-15", born: "2023-01-01") }
        }
        var input = w.input(asOf: "2025-04")
        let byDefault = Aggregator.run(input)
        input.tetapBelowTarget = .jelek
        let strict = Aggregator.run(input)
        func statuses(_ r: AggregateResult, _ id: String) -> [String] {
            (1...4).map { r.values.row(month: $0, level: .desa, area: World.v1, indicator: id)!.status }
        }
        #expect(statuses(byDefault, "P") == ["kurang", "jelek", "cukup", "baik"])
        #expect(statuses(strict, "P") == ["kurang", "jelek", "jelek", "baik"])
        #expect(statuses(byDefault, "H") == ["cukup", "baik", "baik", "jelek"])
        #expect(statuses(strict, "H") == ["cukup", "baik", "baik", "jelek"])
        #expect(statuses(byDefault, "L") == ["cukup", "cukup", "cukup", "jelek"])
        #expect(statuses(strict, "L") == ["cukup", "cukup", "jelek", "jelek"])
    }

    /// `denominator: {records: …}`, monthly: children weighed under 8 kg among children weighed.
    /// Jan 7, 9, 10 kg → 1 / 3 = 33.33 % (naik from none; above the 10 % maximum → jelek);
    /// Feb 7.5, 7.9 → 2 / 2 = 100 % (naik → jelek); Mar 12 → 0 / 1 = 0 % (turun, at or below →
    /// baik).
    @Test func countedDenominatorMonthly() throws {
        let yaml = Self.head + "  - id: RENDAH\n    subject: person\n    scope: monthly\n    rule: monthly_presence\n"
            + "    services: [TIMBANG]\n    result_any: [{result: \"< 8\"}]\n"
            + "    denominator: {records: {services: [TIMBANG]}}\n    target: 10\n    direction: lower_is_better\n"
        let defs = try Self.load(yaml)
        #expect(defs[0].info.denominator == "measured")
        var w = World(services: DefaultCatalogue.services, indicators: defs, extraKecamatan: false)
        for (k, kg) in [7, 9, 10].enumerated() { w.add("TIMBANG", "c\(k)", "2025-01-10", born: "2024-06-01", result: Float(kg)) }
        w.add("TIMBANG", "c0", "2025-02-10", born: "2024-06-01", result: 7.5)
        w.add("TIMBANG", "c1", "2025-02-10", born: "2024-06-01", result: 7.9)
        w.add("TIMBANG", "c3", "2025-03-10", born: "2024-06-01", result: 12)
        let r = w.run(asOf: "2025-03")
        let rows = (1...3).map { r.row($0, .desa, World.v1, "RENDAH")! }
        #expect(rows.map(\.numeratorMonth) == [1, 2, 0])
        #expect(rows.map(\.denominator) == [3, 2, 1])
        #expect(rows.map(\.denominatorSource) == ["measured", "measured", "measured"])
        #expect(rows.map { $0.coverageMonthPct?.hundredths } == [3333, 10_000, 0])
        #expect(rows.map { $0.coveragePrevMonthPct?.hundredths } == [nil, 3333, 10_000])
        #expect(rows.map { $0.gapPct?.hundredths } == [2333, 9000, -1000])
        #expect(rows.map(\.trend) == ["naik", "naik", "turun"])
        #expect(rows.map(\.status) == ["jelek", "jelek", "baik"])
        #expect(r.row(3, .kabkota, "3201", "RENDAH")?.denominator == 1)
    }

    /// `denominator: {records: …}`, year scope: persons with an HB under 11 among persons with
    /// an HB. p0 10 (Jan), p1 12 (Jan), p2 12 (Feb) then 10.5 (Mar): numerators 1, 0, 1 (p0, p2);
    /// denominators 2, 1, 0 (first HB: p0, p1, p2); cumulative 1/2 = 50 %, 1/3 = 33.33 %,
    /// 2/3 = 66.67 %; the month's 1/2 = 50 %, 0/1 = 0 %, none in March; against 20 % every
    /// month: gaps 30, 13.33, 46.67.
    @Test func countedDenominatorYear() throws {
        let yaml = Self.head + "  - id: ANEMIA\n    subject: person\n    scope: year\n    rule: first\n"
            + "    services: [HB]\n    result_any: [{result: \"< 11\"}]\n"
            + "    denominator: {records: {services: [HB]}}\n    target: 20\n    direction: lower_is_better\n"
        var w = World(services: DefaultCatalogue.services, indicators: try Self.load(yaml), extraKecamatan: false)
        w.add("HB", "p0", "2025-01-05", born: "1990-01-01", result: 10)
        w.add("HB", "p1", "2025-01-06", born: "1990-01-01", result: 12)
        w.add("HB", "p2", "2025-02-06", born: "1990-01-01", result: 12)
        w.add("HB", "p2", "2025-03-06", born: "1990-01-01", result: 10.5)
        let r = w.run(asOf: "2025-03")
        let rows = (1...3).map { r.row($0, .desa, World.v1, "ANEMIA")! }
        #expect(rows.map(\.numeratorMonth) == [1, 0, 1])
        #expect(rows.map(\.numeratorCumulative) == [1, 1, 2])
        #expect(rows.map(\.denominator) == [2, 3, 3])
        #expect(rows.map { $0.coverageCumulativePct?.hundredths } == [5000, 3333, 6667])
        #expect(rows.map { $0.coverageMonthPct?.hundredths } == [5000, 0, nil])
        // A ratio's target is not pro-rated (it is over counted subjects, not a year's sasaran).
        #expect(rows.map { $0.targetPct?.hundredths } == [2000, 2000, 2000])
        #expect(rows.map { $0.gapPct?.hundredths } == [3000, 1333, 4667])
    }

    static let broken: [(String, Int, String)] = [
        (head + counted("DPT1", "DPTHBHIB1") + counted("MR1", "MR1")
            + rate.replacingOccurrences(of: "scope: year", with: "scope: monthly"), 17, "rate needs scope: year or lifetime"),
        // A reference's error is at the line of its key (`to:` here: the rate's line 6).
        (head + counted("DPT1", "DPTHBHIB1") + rate, 14, "DO refers to MR1, which is not an indicator of this catalogue"),
        (head + counted("DPT1", "DPTHBHIB1") + counted("MR1", "MR1") + rate + "    denominator: bayi\n", 23,
         "a rate's denominator is its from indicator"),
        (head + counted("DPT1", "DPTHBHIB1") + counted("MR1", "MR1").replacingOccurrences(of: "scope: year", with: "scope: lifetime")
            + rate, 20, "refers to MR1 of scope lifetime"),
        (catalogue + rate.replacingOccurrences(of: "id: DO", with: "id: DO2").replacingOccurrences(of: "to: MR1", with: "to: DO"),
         28, "refers to DO, which is itself derived"),
        (catalogue + "  - id: K\n    subject: person\n    scope: year\n    rule: first\n    services: [DPTHBHIB1]\n"
            + "    denominator: bayi\n    target: 90\n"
            + "  - id: UCI\n    subject: person\n    scope: year\n    rule: area_count\n    of: K\n    threshold: 80\n"
            + "    target: 100\n"
            + rate.replacingOccurrences(of: "id: DO", with: "id: DO2").replacingOccurrences(of: "from: DPT1", with: "from: UCI"),
         41, "refers to UCI, which is itself derived"),
        (catalogue.replacingOccurrences(of: "lower_is_better", with: "lower"), 22, "direction must be higher_is_better or lower_is_better"),
        (head + counted("DPT1", "DPTHBHIB1") + "    minimum: {tm1: 1}\n", 9, "\"minimum\" is not a key of rule first"),
        // area_count's `of:` (line 5 of its entry) and growth_change's `base:` (line 5); the
        // other area_count references are in IndicatorCatalogueA5Tests.
        (head + counted("K", "DPTHBHIB1") + "    denominator: bayi\n    target: 90\n" + areaCount("K")
            + areaCount("K").replacingOccurrences(of: "id: UCI", with: "id: UCI2").replacingOccurrences(of: "of: K", with: "of: UCI"),
         22, "UCI2 refers to UCI, which is itself an area count"),
        (head + "  - id: K\n    subject: person\n    scope: monthly\n    rule: monthly_presence\n    services: [TIMBANG]\n"
            + "    denominator: balita\n    target: 90\n" + areaCount("K"), 14, "UCI refers to K of scope monthly"),
        (head + "  - id: T\n    subject: person\n    scope: monthly\n    rule: growth_change\n    base: NOPE\n    consecutive: 1\n",
         7, "T refers to NOPE, which is not a monthly_presence indicator"),
        (head + counted("DPT1", "DPTHBHIB1").replacingOccurrences(of: "rule: first", with: "rule: fist"), 6,
         "rule must be first, visits, each_of, monthly_presence, monthly_increase, rate, area_count, sum_at_least"),
    ]

    @Test(arguments: broken)
    func brokenRateIsRejectedAtItsLine(_ yaml: String, _ line: Int, _ fragment: String) throws {
        try IndicatorCatalogueLoaderTests.withCatalogue(yaml) { path in
            do {
                _ = try IndicatorCatalogueLoader.load(path: path, services: DefaultCatalogue.services)
                Issue.record("expected a pipeline-definition error")
            } catch let error as PWSError {
                #expect(error.location == SourceLocation(source: path, line: line), "\(error)")
                #expect(error.message.contains(fragment), "\(error.message)")
            }
        }
    }
}
