@testable import Aggregate
import Foundation
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing

/// The §A5 indicators that needed new catalogue features — drop-out rates (`rate`), `UCI_DESA`
/// (`area_count`), `VITA_BALITA` (the `months` record filter) — on hand-made records of 2025;
/// the arithmetic is in the comments.
@Suite struct IndicatorCatalogueA5Tests {
    typealias W = World

    /// Default catalogue. Born 2024-12-01: b0–b3 DPT-HB-Hib1 2025-01-10 (40 days); b0, b1
    /// DPT-HB-Hib3 2025-03-10 (99 days); b0 MR1 2025-09-10 (283 days). b4, born 2023-12-01, gets
    /// DPT-HB-Hib1 2025-01-10 at 406 days: not an infant dose, not counted.
    /// Cumulative at September: DPT1 4, DPT3 2, MR1 1 → DO_DPT1_MR1 (4 − 1) / 4 = 75.00 %,
    /// DO_DPT1_DPT3 (4 − 2) / 4 = 50.00 %; target 5 every month (not pro-rated), gaps 70 and 45.
    /// Months: DO_DPT1_MR1 January 4 − 0 = 4, September 0 − 1 = −1; DO_DPT1_DPT3 March 0 − 2 = −2.
    @Test func dropOutRates() {
        var w = DefaultCatalogue.world()
        for k in 0..<4 { w.add("DPTHBHIB1", "b\(k)", "2025-01-10", born: "2024-12-01") }
        w.add("DPTHBHIB1", "b4", "2025-01-10", born: "2023-12-01")
        for k in 0..<2 { w.add("DPTHBHIB3", "b\(k)", "2025-03-10", born: "2024-12-01") }
        w.add("MR1", "b0", "2025-09-10", born: "2024-12-01")
        let r = w.run(asOf: "2025-09")
        #expect(r.cum("IMM_DPT1", 9) == 4 && r.cum("IMM_DPT3", 9) == 2 && r.cum("IMM_MR1", 9) == 1)
        #expect(r.months("DO_DPT1_MR1") == [4, 0, 0, 0, 0, 0, 0, 0, -1])
        #expect(r.months("DO_DPT1_DPT3") == [4, 0, -2, 0, 0, 0, 0, 0, 0])
        let mr = r.row(9, .desa, W.v1, "DO_DPT1_MR1")!, dpt = r.row(9, .desa, W.v1, "DO_DPT1_DPT3")!
        #expect(mr.numeratorCumulative == 3 && mr.denominator == 4 && mr.denominatorSource == "IMM_DPT1")
        #expect(mr.coverageCumulativePct?.hundredths == 7500 && dpt.coverageCumulativePct?.hundredths == 5000)
        #expect(mr.targetPct?.hundredths == 500 && mr.gapPct?.hundredths == 7000 && dpt.gapPct?.hundredths == 4500)
        // No DPT1 in September: no month's coverage, hence no trend and no status.
        #expect(mr.coverageMonthPct == nil && mr.status == "")
        let info = DefaultCatalogue.indicators.first { $0.id == "DO_DPT1_MR1" }!
        #expect(info.direction == .lowerIsBetter && info.info.denominator == "indicator:IMM_DPT1")
    }

    /// VITA_BALITA (6–59 months, a VITA in February and again in August; balita sasaran 10 at
    /// Sukamaju): A (born 2022-01-01) Feb 15 and Aug 15 → attains in August; B February only →
    /// no; C (born 2024-12-01) VITA in February at 2 months (too young) and in August → no; D March
    /// and August (March is not a round) → no; E (born 2020-01-01, 61 months in February) → no.
    /// Cumulative at September 1 / 10 = 10.00 %.
    @Test func vitaminABothRounds() {
        var w = DefaultCatalogue.world()
        w.target("balita", W.v1, 10)
        w.add("VITA", "A", "2025-02-15", born: "2022-01-01")
        w.add("VITA", "A", "2025-08-15", born: "2022-01-01")
        w.add("VITA", "B", "2025-02-15", born: "2022-01-01")
        w.add("VITA", "C", "2025-02-15", born: "2024-12-01")
        w.add("VITA", "C", "2025-08-15", born: "2024-12-01")
        w.add("VITA", "D", "2025-03-15", born: "2022-01-01")
        w.add("VITA", "D", "2025-08-15", born: "2022-01-01")
        w.add("VITA", "E", "2025-02-15", born: "2020-01-01")
        w.add("VITA", "E", "2025-08-15", born: "2020-01-01")
        let r = w.run(asOf: "2025-09")
        #expect(r.months("VITA_BALITA") == [0, 0, 0, 0, 0, 0, 0, 1, 0])
        let row = r.row(9, .desa, W.v1, "VITA_BALITA")!
        #expect(row.denominator == 10 && row.coverageCumulativePct?.hundredths == 1000)
    }

    static let head = "version: 1\nindicators:\n"
    static let bcg = "  - id: C\n    subject: person\n    scope: lifetime\n    rule: first\n    services: [BCG]\n"
        + "    age_days: [0, 364]\n    denominator: bayi\n    target: 95\n"
    static let uci = "  - id: UCI\n    subject: person\n    scope: lifetime\n    rule: area_count\n    of: C\n"
        + "    threshold: 80\n    target: 100\n"

    /// Villages whose cumulative coverage of C (BCG, bayi sasaran) is at least 80 %: Sukamaju
    /// (bayi 2) BCG in January and March → 50 %, 50 %, 100 % → UCI from March; Sukajadi (bayi 5)
    /// four in February → exactly 80 % → UCI from February; Cibening has no denominator
    /// (estimation off) → never, though it has a BCG.
    ///
    /// | area | villages | cumulative Jan…Apr | month Jan…Apr |
    /// |---|---|---|---|
    /// | Sukamaju | 1 | 0 0 1 1 | 0 0 1 0 |
    /// | Sukajadi | 1 | 0 1 1 1 | 0 1 0 0 |
    /// | Cibening | 1 | 0 0 0 0 | 0 0 0 0 |
    /// | PKM01, kecamatan, kab/kota | 2, 3, 3 | 0 1 2 2 | 0 1 1 0 |
    ///
    /// Kab/kota: March 2 / 3 = 66.67 %, target 100 (not pro-rated), gap −33.33; trend of the
    /// month's count: Feb naik (1 > 0) → cukup, Mar tetap (1 = 1) → cukup, Apr turun → jelek.
    @Test func uciVillages() throws {
        let defs = try RuleKindTests.load(Self.head + Self.bcg + Self.uci)
        #expect(defs[1].info.denominator == "villages")
        var w = World(services: DefaultCatalogue.services, indicators: defs, extraKecamatan: false)
        w.target("bayi", W.v1, 2)
        w.target("bayi", W.v2, 5)
        w.add("BCG", "a", "2025-01-10", born: "2024-12-20")
        w.add("BCG", "b", "2025-03-10", born: "2025-02-20")
        for k in 0..<4 { w.add("BCG", "c\(k)", "2025-02-10", born: "2025-01-20", rt: W.rt4) }
        w.add("BCG", "d", "2025-01-10", born: "2024-12-20", rt: W.rt5)
        let r = w.run(asOf: "2025-04")
        func cum(_ level: AreaLevel, _ code: String) -> [Int?] { (1...4).map { r.row($0, level, code, "UCI")?.numeratorCumulative } }
        func month(_ level: AreaLevel, _ code: String) -> [Int?] { (1...4).map { r.row($0, level, code, "UCI")?.numeratorMonth } }
        #expect(cum(.desa, W.v1) == [0, 0, 1, 1] && month(.desa, W.v1) == [0, 0, 1, 0])
        #expect(cum(.desa, W.v2) == [0, 1, 1, 1] && month(.desa, W.v2) == [0, 1, 0, 0])
        #expect(cum(.desa, W.v3) == [0, 0, 0, 0])
        #expect(cum(.puskesmas, "PKM01") == [0, 1, 2, 2] && month(.puskesmas, "PKM01") == [0, 1, 1, 0])
        #expect(cum(.kabkota, "3201") == [0, 1, 2, 2])
        #expect(r.row(3, .desa, W.v3, "UCI")?.denominator == 1)
        #expect(r.row(3, .puskesmas, "PKM01", "UCI")?.denominator == 2)
        #expect(r.row(3, .puskesmas, "PKM02", "UCI")?.denominator == 1)
        let kab = (1...4).map { r.row($0, .kabkota, "3201", "UCI")! }
        #expect(kab.map(\.denominator) == [3, 3, 3, 3])
        #expect(kab.map(\.denominatorSource) == ["villages", "villages", "villages", "villages"])
        #expect(kab.map { $0.coverageCumulativePct?.hundredths } == [0, 3333, 6667, 6667])
        #expect(kab.map { $0.targetPct?.hundredths } == [10_000, 10_000, 10_000, 10_000])
        #expect(kab[2].gapPct?.hundredths == -3333)
        #expect(kab.map(\.trend) == ["tetap", "naik", "tetap", "turun"])
        #expect(kab.map(\.status) == ["cukup", "cukup", "cukup", "jelek"])
        // RW and RT have no villages: no rows at all (the tested indicator has them).
        #expect(r.row(3, .rt, W.rt1, "UCI") == nil && r.row(3, .rw, "3201012001-001", "UCI") == nil)
        #expect(r.row(3, .rt, W.rt1, "C") != nil && r.row(3, .rw, "3201012001-001", "C") != nil)
        var uciLevels: Set<AreaLevel> = [], rows = 0
        r.values.forEach { f in
            rows += 1
            if f.indicator == 1 { uciLevels.insert(r.values.areas[f.area].level) }
        }
        #expect(uciLevels == [.kabkota, .kecamatan, .puskesmas, .desa])
        // 4 months × (areas × 2 indicators − the RW and RT areas, which have C only).
        let below = r.values.areas.filter { $0.level == .rw || $0.level == .rt }.count
        #expect(below == 10 && rows == r.values.rowCount && rows == 4 * (r.values.areas.count * 2 - below))
        // The tested indicator is unchanged.
        #expect(r.row(2, .desa, W.v2, "C")?.coverageCumulativePct?.hundredths == 8000)
    }

    /// `denominator: {group: bumil, percent: 20}` (DETEKSI_RISTI_NAKES's form): bumil 27 at
    /// Sukamaju → 20 % = 5.4, exact. Two women with a record in January: 2 / 5.4 = 37.04 %;
    /// target 100 pro-rated to 8.33 in January (a share of a year's sasaran); gap
    /// (2·10⁴·12 − 10⁴·5.4) / (12·5.4) = 2870.37 → 28.70.
    @Test func shareOfATargetGroup() throws {
        let yaml = Self.head + "  - id: R\n    subject: person\n    scope: year\n    rule: first\n    services: [ANC]\n"
            + "    denominator: {group: bumil, percent: 20}\n    target: 100\n"
        let defs = try RuleKindTests.load(yaml)
        #expect(defs[0].targetGroup == "bumil" && defs[0].info.denominator == "bumil × 20%")
        var w = World(services: DefaultCatalogue.services, indicators: defs, extraKecamatan: false)
        w.target("bumil", W.v1, 27)
        w.add("ANC", "p", "2025-01-10", born: "1995-01-01")
        w.add("ANC", "q", "2025-01-12", born: "1996-01-01")
        let row = w.run(asOf: "2025-01").row(1, .desa, W.v1, "R")!
        #expect(row.denominator == ExactDecimal("5.4")! && row.denominatorSource == "sasaran")
        #expect(row.coverageCumulativePct?.hundredths == 3704)
        #expect(row.targetPct?.hundredths == 833 && row.gapPct?.hundredths == 2870)
    }

    /// `rule: sum_at_least` (TTD_BUMIL90's form, here per person and year): p gets 30 tablets
    /// in January, a record without a count in February (adds 0), 30 in March, 29 in April
    /// (89) and 1 in May → reaches 90 in May; q 60 in February and 30 in June → June; r 60 then
    /// 20 → 80, never. Sasaran bumil 4: cumulative June 2 / 4 = 50 %.
    @Test func sumOfResultsReachesTheMinimum() throws {
        let yaml = Self.head + "  - id: TTD90\n    subject: person\n    scope: year\n    rule: sum_at_least\n"
            + "    services: [TTD_BUMIL]\n    minimum: 90\n    denominator: bumil\n    target: 95\n"
        var w = World(services: DefaultCatalogue.services, indicators: try RuleKindTests.load(yaml), extraKecamatan: false)
        w.target("bumil", W.v1, 4)
        for (d, n) in [("2025-01-10", 30), ("2025-02-10", nil), ("2025-03-10", 30), ("2025-04-10", 29), ("2025-05-10", 1)] as [(String, Int?)] {
            w.add("TTD_BUMIL", "p", d, born: "1995-01-01", result: n.map(Float.init))
        }
        w.add("TTD_BUMIL", "q", "2025-02-10", born: "1995-01-01", result: 60)
        w.add("TTD_BUMIL", "q", "2025-06-10", born: "1995-01-01", result: 30)
        w.add("TTD_BUMIL", "r", "2025-02-10", born: "1995-01-01", result: 60)
        w.add("TTD_BUMIL", "r", "2025-03-10", born: "1995-01-01", result: 20)
        let r = w.run(asOf: "2025-06")
        #expect(r.months("TTD90", .desa, W.v1) == [0, 0, 0, 0, 1, 1])
        #expect(r.row(6, .desa, W.v1, "TTD90")?.coverageCumulativePct?.hundredths == 5000)
    }

    /// Maternal records other than ANC join the episode whose span holds them (docs/guidance.md
    /// item 5), so ANEMIA_BUMIL's form works per pregnancy. A: ANC 02-10, LMP 01-06 (span to
    /// 10-28), HB 10.2 on 02-10 → anaemic in February. B: ANC 03-03, LMP 01-20, HB 12 → tested
    /// in March, not anaemic. C: HB 9 with no ANC → no pregnancy, counts nowhere. D: ANC 01-10
    /// without a gestation (span 01-10 … 02-07): HB 12.5 on 02-05 joins (tested in February), HB
    /// 9 on 02-20 is outside → not anaemic.
    /// Numerators Jan 0, Feb 1, Mar 0; pregnancies with an HB 0, 2 (A, D), 1 (B), cumulative 0, 2, 3:
    /// cumulative 1 / 3 = 33.33 %, February's 1 / 2 = 50 %, March's 0 / 1 = 0 %.
    @Test func maternalRecordsJoinTheirPregnancy() throws {
        let yaml = Self.head + "  - id: ANEMIA\n    subject: pregnancy\n    scope: lifetime\n    rule: first\n"
            + "    services: [HB]\n    result_any: [{result: \"< 11\"}]\n    denominator: {records: {services: [HB]}}\n"
            + "    target: 20\n    direction: lower_is_better\n"
            + "  - id: K1\n    subject: pregnancy\n    scope: lifetime\n    rule: first\n    services: [ANC]\n"
        var w = World(services: DefaultCatalogue.services, indicators: try RuleKindTests.load(yaml), extraKecamatan: false)
        w.add("ANC", "A", "2025-02-10", born: "1995-01-01", lmp: "2025-01-06")
        w.add("HB", "A", "2025-02-10", born: "1995-01-01", result: 10.2)
        w.add("ANC", "B", "2025-03-03", born: "1995-01-01", lmp: "2025-01-20")
        w.add("HB", "B", "2025-03-03", born: "1995-01-01", result: 12)
        w.add("HB", "C", "2025-03-05", born: "1995-01-01", result: 9)
        w.add("ANC", "D", "2025-01-10", born: "1995-01-01")
        w.add("HB", "D", "2025-02-05", born: "1995-01-01", result: 12.5)
        w.add("HB", "D", "2025-02-20", born: "1995-01-01", result: 9)
        let r = w.run(asOf: "2025-03")
        let rows = (1...3).map { r.row($0, .desa, W.v1, "ANEMIA")! }
        #expect(rows.map(\.numeratorMonth) == [0, 1, 0])
        #expect(rows.map(\.denominator) == [0, 2, 3])
        #expect(rows.map { $0.coverageMonthPct?.hundredths } == [nil, 5000, 0])
        #expect(rows[2].coverageCumulativePct?.hundredths == 3333)
        // The ANC visits are unchanged: K1 counts A, B, D by their ANC records.
        #expect(r.months("K1", .desa, W.v1) == [1, 1, 1])
    }

    /// `denominator: {indicator: ID}` over a counted lifetime indicator: ANEMIA over HBT (the
    /// pregnancies with an HB, count only) gives the figures the `{records: {services: [HB]}}`
    /// form gives on the same records (`maternalRecordsJoinTheirPregnancy`): numerators 0, 1, 0;
    /// HBT's months 0, 2 (A, D), 1 (B) → cumulative 0, 2, 3; cumulative 1 / 3 = 33.33 %, the
    /// month's over HBT's month: February 1 / 2 = 50 %, March 0 / 1 = 0 %; source HBT; the
    /// target is a ratio (20 every month, not pro-rated).
    @Test func denominatorIndicatorOfLifetimeScope() throws {
        let yaml = Self.head + "  - id: HBT\n    subject: pregnancy\n    scope: lifetime\n    rule: first\n    services: [HB]\n"
            + "  - id: ANEMIA\n    subject: pregnancy\n    scope: lifetime\n    rule: first\n"
            + "    services: [HB]\n    result_any: [{result: \"< 11\"}]\n    denominator: {indicator: HBT}\n"
            + "    target: 20\n    direction: lower_is_better\n"
        let defs = try RuleKindTests.load(yaml)
        #expect(defs[1].info.denominator == "indicator:HBT")
        var w = World(services: DefaultCatalogue.services, indicators: defs, extraKecamatan: false)
        w.add("ANC", "A", "2025-02-10", born: "1995-01-01", lmp: "2025-01-06")
        w.add("HB", "A", "2025-02-10", born: "1995-01-01", result: 10.2)
        w.add("ANC", "B", "2025-03-03", born: "1995-01-01", lmp: "2025-01-20")
        w.add("HB", "B", "2025-03-03", born: "1995-01-01", result: 12)
        w.add("HB", "C", "2025-03-05", born: "1995-01-01", result: 9)
        w.add("ANC", "D", "2025-01-10", born: "1995-01-01")
        w.add("HB", "D", "2025-02-05", born: "1995-01-01", result: 12.5)
        w.add("HB", "D", "2025-02-20", born: "1995-01-01", result: 9)
        let r = w.run(asOf: "2025-03")
        #expect(r.months("HBT", .desa, W.v1) == [0, 2, 1])
        let rows = (1...3).map { r.row($0, .desa, W.v1, "ANEMIA")! }
        #expect(rows.map(\.numeratorMonth) == [0, 1, 0])
        #expect(rows.map(\.denominator) == [0, 2, 3])
        #expect(rows.map(\.denominatorSource) == ["HBT", "HBT", "HBT"])
        #expect(rows.map { $0.coverageMonthPct?.hundredths } == [nil, 5000, 0])
        #expect(rows[2].coverageCumulativePct?.hundredths == 3333)
        #expect(rows[2].targetPct?.hundredths == 2000 && rows[2].gapPct?.hundredths == 1333)
    }

    /// A year-scope person indicator over another year-scope one of a different subject kind
    /// works too: TB examined (PEMERIKSAAN_TB) over TB screened (SKRINING_TB). Screened: p, q, r
    /// in January, s in March; examined: p in February, q in March → cumulative March 2 / 4 =
    /// 50 %, March's month 1 / 1 = 100 %, February's 1 / 0 → none.
    @Test func denominatorIndicatorOfYearScope() throws {
        let yaml = Self.head + "  - id: SCR\n    subject: person\n    scope: year\n    rule: first\n    services: [SKRINING_TB]\n"
            + "  - id: EXAM\n    subject: person\n    scope: year\n    rule: first\n    services: [PEMERIKSAAN_TB]\n"
            + "    denominator: {indicator: SCR}\n    target: 100\n"
        var w = World(services: DefaultCatalogue.services, indicators: try RuleKindTests.load(yaml), extraKecamatan: false)
        for p in ["p", "q", "r"] { w.add("SKRINING_TB", p, "2025-01-10", born: "1980-01-01") }
        w.add("SKRINING_TB", "s", "2025-03-10", born: "1980-01-01")
        w.add("PEMERIKSAAN_TB", "p", "2025-02-10", born: "1980-01-01")
        w.add("PEMERIKSAAN_TB", "q", "2025-03-10", born: "1980-01-01")
        let r = w.run(asOf: "2025-03")
        let rows = (1...3).map { r.row($0, .desa, W.v1, "EXAM")! }
        #expect(rows.map(\.denominator) == [3, 3, 4])
        #expect(rows.map { $0.coverageMonthPct?.hundredths } == [0, nil, 10_000])
        #expect(rows[2].coverageCumulativePct?.hundredths == 5000 && rows[2].targetPct?.hundredths == 10_000)
    }

    static let scr = "  - id: SCR\n    subject: person\n    scope: year\n    rule: first\n    services: [SKRINING_TB]\n"
    static let exam = "  - id: EXAM\n    subject: person\n    scope: year\n    rule: first\n    services: [PEMERIKSAAN_TB]\n"
        + "    denominator: {indicator: SCR}\n    target: 100\n"

    /// `{indicator: ID}` names a counted indicator defined earlier, of a fitting scope.
    static let brokenDenominatorIndicators: [(String, Int, String)] = [
        // Each at the line of its `denominator:` (EXAM's first line + 5). Defined after it
        // (EXAM at line 3, SCR at line 10).
        (head + exam + scr, 8, "EXAM refers to SCR, which is defined after it"),
        (head + scr + exam.replacingOccurrences(of: "{indicator: SCR}", with: "{indicator: EXAM}"), 13,
         "EXAM names itself as its denominator indicator"),
        (head + scr + exam.replacingOccurrences(of: "{indicator: SCR}", with: "{indicator: NOPE}"), 13,
         "EXAM refers to NOPE, which is not an indicator of this catalogue"),
        // A monthly indicator as the denominator of a year one.
        (head + "  - id: SCR\n    subject: person\n    scope: monthly\n    rule: monthly_presence\n    services: [SKRINING_TB]\n"
            + exam, 13, "EXAM refers to SCR of scope monthly; a year indicator's denominator indicator has scope year or lifetime"),
        // A rate is derived, not counted.
        (head + scr + scr.replacingOccurrences(of: "id: SCR", with: "id: SCR2")
            + "  - id: DO\n    subject: person\n    scope: year\n    rule: rate\n    from: SCR\n    to: SCR2\n    target: 5\n"
            + exam.replacingOccurrences(of: "{indicator: SCR}", with: "{indicator: DO}"), 25,
         "EXAM refers to DO, which is derived (a rate or an area count)"),
    ]

    @Test(arguments: brokenDenominatorIndicators)
    func brokenDenominatorIndicatorsAreRejectedAtTheirLine(_ yaml: String, _ line: Int, _ fragment: String) throws {
        try brokenEntriesAreRejectedAtTheirLine(yaml, line, fragment)
    }

    /// The default catalogue's ANEMIA_BUMIL is that form: A anaemic (HB 10.2 in February), B
    /// not (HB 12 in March) → 1 / 2 = 50.00 % cumulative in March, against a 20 % ceiling
    /// (not pro-rated) → gap 30.00. C's only HB record has no (valid) result — an empty one, or
    /// one `W-RESULT` dropped: the service counts, the value does not — so C is not among the
    /// "pregnancies with an HB result" (§A5) and the denominator stays 2 (it was 3 while the
    /// catalogue counted any HB record: C could never be anaemic, yet lowered the prevalence).
    @Test func anemiaBumilInTheDefaultCatalogue() {
        var w = DefaultCatalogue.world()
        w.add("ANC", "A", "2025-02-10", born: "1995-01-01", lmp: "2025-01-06")
        w.add("HB", "A", "2025-02-10", born: "1995-01-01", result: 10.2)
        w.add("ANC", "B", "2025-03-03", born: "1995-01-01", lmp: "2025-01-20")
        w.add("HB", "B", "2025-03-03", born: "1995-01-01", result: 12)
        w.add("ANC", "C", "2025-03-05", born: "1995-01-01", lmp: "2025-01-20")
        w.add("HB", "C", "2025-03-05", born: "1995-01-01")
        let row = w.run(asOf: "2025-03").row(3, .desa, W.v1, "ANEMIA_BUMIL")!
        #expect(row.numeratorCumulative == 1 && row.denominator == 2 && row.denominatorSource == "measured")
        #expect(row.coverageCumulativePct?.hundredths == 5000 && row.targetPct?.hundredths == 2000)
        #expect(row.gapPct?.hundredths == 3000)
    }

    static let broken: [(String, Int, String)] = [
        (head + "  - id: T\n    subject: person\n    scope: year\n    rule: sum_at_least\n    services: [TTD_BUMIL]\n"
            + "    minimum: 0\n", 8, "minimum must be above 0"),
        (head + bcg.replacingOccurrences(of: "denominator: bayi", with: "denominator: {group: bayi, percent: 150}"), 9,
         "denominator.percent must be a percentage above 0 and at most 100"),
        (head + bcg.replacingOccurrences(of: "denominator: bayi", with: "denominator: {group: bayi, percent: 0}"), 9,
         "denominator.percent must be"),
        (head + bcg.replacingOccurrences(of: "denominator: bayi", with: "denominator: {group: bayu, percent: 20}"), 9,
         "denominator \"bayu\" is not a target group"),
        (head + bcg + uci.replacingOccurrences(of: "of: C", with: "of: X"), 15, "UCI refers to X, which is not an indicator"),
        (head + bcg.replacingOccurrences(of: "    denominator: bayi\n    target: 95\n", with: "") + uci, 13,
         "UCI refers to C, which has no denominator"),
        (head + bcg + uci + "    denominator: bayi\n", 18, "an area count's denominator is the number of villages"),
        (head + bcg + uci.replacingOccurrences(of: "threshold: 80", with: "threshold: 0"), 16, "threshold is a whole percentage 1-100"),
        (head + bcg + "  - id: V\n    subject: person\n    scope: year\n    rule: first\n    services: [VITA]\n"
            + "    months: [2, 13]\n", 16, "months lists calendar months 1-12"),
    ]

    @Test(arguments: broken)
    func brokenEntriesAreRejectedAtTheirLine(_ yaml: String, _ line: Int, _ fragment: String) throws {
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
