import Foundation
import PWSCore
import PWSTestSupport
import Testing
@testable import Aggregate
@testable import Pipeline

/// `IndicatorCatalogueLoader`: the default catalogue, and broken ones reported at `file:line`.
@Suite struct IndicatorCatalogueLoaderTests {
    /// Spec §5.2's 19 indicators with the §A5 ones (docs/guidance.md) and the §A4 growth ones in their places: 49.
    @Test func defaultCatalogueHoldsSection5_2AndA5InOrder() {
        let defs = DefaultCatalogue.indicators
        #expect(defs.map(\.id) == ["K1", "K1_MURNI", "K2", "K3", "K4", "K5", "K6", "ANEMIA_BUMIL", "KEK_BUMIL", "TTD_BUMIL90", "DETEKSI_RISTI_NAKES", "PF", "PF_NAKES", "KF1", "KF2", "KF3",
                                   "KF4", "KF_LENGKAP", "KN1", "KN2", "KN3", "KN_LENGKAP", "IBL", "IBADUTA", "IDL",
                                   "IMM_DPT1", "IMM_DPT3", "IMM_MR1", "DO_DPT1_MR1", "DO_DPT1_DPT3", "UCI_DESA",
                                   "D_S", "N_D", "T", "2T", "BGM", "UNDERWEIGHT", "STUNTING", "WASTING", "GIZI_BURUK", "OVERWEIGHT", "VITA_BALITA", "SKRINING_REMAJA", "TTD_REMAJA_PUTRI", "SPM_USIA_PRODUKTIF",
                                   "SKRINING_PTM_DEWASA", "SPM_LANSIA", "SKRINING_TB", "HIPERTENSI"])
        #expect(defs.map { $0.targetHundredths.map { $0 / 100 } } ==
                [100, 90, 95, 95, 95, 90, 90, 20, 10, 90, 100, 95, 95, 90, 90, 90, 90, 90, 95, 90, 90, 90, 95, 90, 95,
                 nil, nil, nil, 5, 5, 100, 80, 80, 20, 5, 1, 10, 14, 7, 1, 3, 90, 100, 100, 100, 100, 100, nil, nil])
        #expect(defs.map { $0.targetGroup ?? $0.denominatorIndicator.map { "=" + $0 } } ==
                Array(repeating: "bumil", count: 7) + [nil, nil, "bumil", "bumil"] + Array(repeating: "bulin", count: 7)
                + Array(repeating: "bayi_lahir_hidup", count: 4)
                + ["bayi", "baduta", "bayi", nil, nil, nil, "=IMM_DPT1", "=IMM_DPT1", nil, "balita", "=D_S", "=D_S", "=D_S", "=D_S", nil, nil, nil, nil, nil, "balita", "remaja", "remaja_putri", "usia_produktif", "dewasa",
                   "lansia", nil, nil])
        #expect(defs.map(\.subject.rawValue) == Array(repeating: "pregnancy", count: 11)
                + Array(repeating: "delivery", count: 7) + Array(repeating: "person", count: 31))
        #expect(defs.map(\.scope.rawValue) == Array(repeating: "lifetime", count: 31) + Array(repeating: "monthly", count: 10)
                + Array(repeating: "year", count: 8))
        #expect(defs[2].rule == .visits(minimum: [1, 1, 0], doctor: [0, 0, 0]))   // K2
        #expect(defs[3].rule == .visits(minimum: [1, 2, 0], doctor: [0, 0, 0]))   // K3
        #expect(defs[4].rule == .visits(minimum: [1, 1, 2], doctor: [0, 0, 0]))   // K4
        #expect(defs[5].rule == .visits(minimum: [1, 2, 2], doctor: [0, 0, 0]))   // K5
        #expect(defs[6].rule == .visits(minimum: [1, 2, 3], doctor: [1, 0, 1]))   // K6
        guard let ibl = (defs[22].rule.kind as? EachOfRule)?.items, let idl = (defs[24].rule.kind as? EachOfRule)?.items else {
            Issue.record("IBL and IDL are each_of"); return
        }
        #expect(ibl.count == 17)   // IDL's 11 + PCV1, PCV2, RV1, RV2, RV3, IPV2
        #expect(idl.count == 11)
        #expect((ibl + idl).allSatisfy { $0.age == AgeLimit(unit: .days, min: 0, max: 364) && $0.services.count == 1 })
    }

    static let head = "version: 1\nindicators:\n"
    /// Lines 3–9.
    static let k1 = "  - id: K1\n    subject: pregnancy\n    scope: lifetime\n    rule: first\n    services: [ANC]\n"
        + "    denominator: bumil\n    target: 100\n"

    /// Broken catalogues, the line the problem is reported at and a piece of its message.
    static let broken: [(String, Int, String)] = [
        (head + k1 + "    colour: red\n", 10, "unknown key \"colour\""),
        (head + k1.replacingOccurrences(of: "[ANC]", with: "[ANC, FOO]"), 7, "service \"FOO\" is not in the service catalogue"),
        (head + k1.replacingOccurrences(of: "subject: pregnancy", with: "subject: person")
            .replacingOccurrences(of: "rule: first", with: "rule: visits")
            .replacingOccurrences(of: "    services: [ANC]\n", with: ""), 6, "visits counts are for pregnancy indicators"),
        // A record filter on a kind that would ignore it (an audit's finding: accepted silently).
        (head + k1.replacingOccurrences(of: "rule: first", with: "rule: visits"), 7,
         "K1: rule visits takes no record filter (\"services\" would be ignored)"),
        // first and each_of count a subject once: with scope monthly they counted nobody.
        (head + k1.replacingOccurrences(of: "scope: lifetime", with: "scope: monthly"), 5,
         "K1: first counts a subject once, at its first qualifying date, so it needs scope: year or lifetime"),
        // A misspelt key in a filter of its own (an audit's finding: the condition was dropped).
        (head + k1.replacingOccurrences(of: "denominator: bumil\n    target: 100", with: "denominator: {records: {services: [ANC], age_year: [15, 49]}}\n    target: 100"),
         8, "K1: denominator.records takes record filter keys"),
        (head + k1.replacingOccurrences(of: "[ANC]", with: "[]"), 7, "K1: services is empty"),
        (head + k1.replacingOccurrences(of: "    services: [ANC]\n", with: "    services: [ANC]\n    age_years: [-1, 60]\n"), 8,
         "K1: age_years counts from 0 (birth); -1 is before it"),
        (head + "  - id: D\n    subject: person\n    scope: monthly\n    rule: monthly_presence\n    services: [TIMBANG]\n"
            + "  - id: N\n    subject: person\n    scope: monthly\n    rule: monthly_increase\n    base: D\n"
            + "    measure: {services: [TIMBANG], age_month: [0, 59]}\n", 13, "N: measure takes record filter keys"),
        // A rule with a denominator of its own needs only a target ("give both or neither" was wrong).
        (head + "  - id: S\n    subject: person\n    scope: monthly\n    rule: growth_zscore\n"
            + "    measure: length_height_for_age\n    below: -2\n", 3,
         "S: rule growth_zscore gives its own denominator (docs/indicators.md); give it a target"),
        (head + k1.replacingOccurrences(of: "    target: 100\n", with: ""), 3, "give both a denominator and a target"),
        (head + k1 + k1, 10, "indicator id K1 is used twice (first on line 3)"),
        // A rate over an indicator named `sum` would write denominator_source `sum`, read as
        // the sum of sasaran (the DHIS2 export took its cumulative DPT1 as a year figure).
        (head + k1.replacingOccurrences(of: "id: K1", with: "id: Sum"), 3, "id \"Sum\" is a denominator_source word"),
        (head + k1.replacingOccurrences(of: "id: K1", with: "id: measured"), 3, "is a denominator_source word"),
        // ASCII only: ı1 and I1 fold alike on some systems, not in Swift's lowercased().
        (head + k1.replacingOccurrences(of: "id: K1", with: "id: ı1"), 3, "id \"ı1\" must be letters A–Z, digits and _"),
        // An id names pws/<id>.csv: 300 letters were accepted, and the run failed at publishing
        // (exit 73, "check that the folder is writable"). 64 are kept.
        (head + k1.replacingOccurrences(of: "id: K1", with: "id: " + String(repeating: "K", count: 65)), 3,
         "id \"KKKKKKKKKKKKKKKKKKKK…\" is 65 characters long; at most 64 (it becomes a file name and a sheet name) — shorten it"),
        (head + k1 + k1.replacingOccurrences(of: "id: K1", with: "id: k1"), 10,
         "indicator id k1 is used twice as K1, ignoring case (it names the file pws/k1.csv) (first on line 3)"),
        (head + k1.replacingOccurrences(of: "bumil", with: "ibu"), 8, "denominator \"ibu\" is not a target group"),
        (head + "  - id: N\n    subject: person\n    scope: monthly\n    rule: monthly_increase\n    base: X\n"
            + "    measure: {services: [TIMBANG]}\n", 7, "refers to X, which is not a monthly_presence indicator"),
        (head + k1.replacingOccurrences(of: "scope: lifetime", with: "scope: forever"), 5, "scope must be lifetime, year or monthly"),
        ("indicators: []\n", 1, "no indicators"),
        (head + k1 + "    source: [Juknis, ILP]\n", 10, "source must be text"),
    ] + ["92,5", "95abc", "0x64", "1_0_0", ".nan", ".inf", "1:40", "-5", "1000.01", "", "\"\""].map {
        // A target is read whole (Foundation's Decimal(string:) took a prefix: 92,5 was 92).
        (head + k1.replacingOccurrences(of: "target: 100", with: "target: \($0)"), 9, "must be a percentage from 0 to 1000")
    } + [(head + k1.replacingOccurrences(of: "target: 100", with: "target: 92.125"), 9, "target has more than two decimals")]

    /// Targets as written: a point before the decimals, at most two of them (trailing zeros
    /// aside), an exponent as Swift prints one.
    @Test(arguments: [("92.5", 9250), ("95", 9500), ("0", 0), ("1000", 100_000), ("92.50", 9250), ("92.500", 9250),
                      ("9.25e1", 9250), ("\"90\"", 9000)])
    func targetIsReadInHundredths(_ text: String, _ hundredths: Int) throws {
        try Self.withCatalogue(Self.head + Self.k1.replacingOccurrences(of: "target: 100", with: "target: \(text)")) { path in
            let defs = try IndicatorCatalogueLoader.load(path: path, services: DefaultCatalogue.services)
            #expect(defs.first?.targetHundredths == hundredths)
        }
    }

    @Test(arguments: broken)
    func brokenCatalogueIsRejectedAtItsLine(_ yaml: String, _ line: Int, _ fragment: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pws-indicators-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("indicators.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try IndicatorCatalogueLoader.load(path: path, services: DefaultCatalogue.services)
            Issue.record("expected a pipeline-definition error")
        } catch let error as PWSError {
            #expect(error.code == .pipelineDefinition)
            #expect(error.exitStatus == .usage)
            #expect(error.location == SourceLocation(source: path, line: line), "\(error)")
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    /// Writes `yaml` to a fresh temporary folder and gives its path to `body`.
    static func withCatalogue(_ yaml: String, _ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pws-indicators-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("indicators.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        try body(path)
    }

    /// `source:` is read for `pws indicators` only; an indicator without one is absent.
    @Test func sourcesArePerIndicator() throws {
        let yaml = Self.head + Self.k1 + "    source: \"Juknis ILP, klaster 2\"\n"
            + Self.k1.replacingOccurrences(of: "id: K1", with: "id: K1B")
        try Self.withCatalogue(yaml) { path in
            let ids = try IndicatorCatalogueLoader.load(path: path, services: DefaultCatalogue.services).map(\.id)
            let sources = try IndicatorSources.load(path: path)
            #expect(ids == ["K1", "K1B"])
            #expect(sources == ["K1": "Juknis ILP, klaster 2"])
        }
    }

    /// Any target group is a denominator for any indicator (issue 16: "a district may put K4 on
    /// bulin"). K4 on `bulin` = 4 at Sukamaju; one pregnancy with LMP 2025-01-06 and visits at
    /// 35 d (TM1), 105 d (TM2), 189 d and 217 d (TM3) → K4 on 2025-08-11; cumulative coverage
    /// 1 / 4 = 25.00 %, target 95 × 8 / 12 = 63.33 %.
    @Test func k4CanUseTheBulinDenominator() throws {
        let yaml = Self.head + "  - id: K4\n    subject: pregnancy\n    scope: lifetime\n    rule: visits\n"
            + "    minimum: {tm1: 1, tm2: 1, tm3: 2}\n    denominator: bulin\n    target: 95\n"
        try Self.withCatalogue(yaml) { path in
            let defs = try IndicatorCatalogueLoader.load(path: path, services: DefaultCatalogue.services)
            var w = World(services: DefaultCatalogue.services, indicators: defs, extraKecamatan: false)
            w.target("bulin", World.v1, 4)
            w.add("ANC", "ibu", "2025-02-10", born: "1995-05-01", lmp: "2025-01-06")
            for d in ["2025-04-21", "2025-07-14", "2025-08-11"] { w.add("ANC", "ibu", d, born: "1995-05-01") }
            let row = w.run(asOf: "2025-08").row(8, .desa, World.v1, "K4")
            #expect(row?.numeratorCumulative == 1)
            #expect(row?.denominator == 4)
            #expect(row?.denominatorSource == "sasaran")
            #expect(row?.coverageCumulativePct == Percent(hundredths: 2500))
            #expect(row?.targetPct == Percent(hundredths: 6333))
        }
    }
}
