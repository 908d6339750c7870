import Foundation
import PWSCore
import Testing
@testable import Aggregate
@testable import Pipeline

/// `IndicatorCatalogueLoader`: the default catalogue, and broken ones reported at `file:line`.
@Suite struct IndicatorCatalogueLoaderTests {
    /// Spec §5.2's 19 indicators with the §A5 ones (docs/guidance.md) in their places: 30.
    @Test func defaultCatalogueHoldsSection5_2AndA5InOrder() {
        let defs = DefaultCatalogue.indicators
        #expect(defs.map(\.id) == ["K1", "K1_MURNI", "K2", "K3", "K4", "K5", "K6", "PF", "PF_NAKES", "KF1", "KF2", "KF3",
                                   "KF4", "KF_LENGKAP", "KN1", "KN2", "KN3", "KN_LENGKAP", "IBL", "IBADUTA", "IDL",
                                   "D_S", "N_D", "SKRINING_REMAJA", "TTD_REMAJA_PUTRI", "SPM_USIA_PRODUKTIF",
                                   "SKRINING_PTM_DEWASA", "SPM_LANSIA", "SKRINING_TB", "HIPERTENSI"])
        #expect(defs.map { $0.targetHundredths.map { $0 / 100 } } ==
                [100, 90, 95, 95, 95, 90, 90, 95, 95, 90, 90, 90, 90, 90, 95, 90, 90, 90, 95, 90, 95,
                 80, 80, 100, 100, 100, 100, 100, nil, nil])
        #expect(defs.map { $0.targetGroup ?? $0.denominatorIndicator.map { "=" + $0 } } ==
                Array(repeating: "bumil", count: 7) + Array(repeating: "bulin", count: 7)
                + Array(repeating: "bayi_lahir_hidup", count: 4)
                + ["bayi", "baduta", "bayi", "balita", "=D_S", "remaja", "remaja_putri", "usia_produktif", "dewasa",
                   "lansia", nil, nil])
        #expect(defs.map(\.subject.rawValue) == Array(repeating: "pregnancy", count: 7)
                + Array(repeating: "delivery", count: 7) + Array(repeating: "person", count: 16))
        #expect(defs.map(\.scope.rawValue) == Array(repeating: "lifetime", count: 21) + ["monthly", "monthly"]
                + Array(repeating: "year", count: 7))
        #expect(defs[2].rule == .visits(minimum: [1, 1, 0], doctor: [0, 0, 0]))   // K2
        #expect(defs[3].rule == .visits(minimum: [1, 2, 0], doctor: [0, 0, 0]))   // K3
        #expect(defs[4].rule == .visits(minimum: [1, 1, 2], doctor: [0, 0, 0]))   // K4
        #expect(defs[5].rule == .visits(minimum: [1, 2, 2], doctor: [0, 0, 0]))   // K5
        #expect(defs[6].rule == .visits(minimum: [1, 2, 3], doctor: [1, 0, 1]))   // K6
        guard case let .eachOf(ibl) = defs[18].rule, case let .eachOf(idl) = defs[20].rule else {
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
            .replacingOccurrences(of: "rule: first", with: "rule: visits"), 6, "visits counts are for pregnancy indicators"),
        (head + k1.replacingOccurrences(of: "    target: 100\n", with: ""), 3, "give both a denominator and a target"),
        (head + k1 + k1, 10, "indicator id K1 is used twice (first on line 3)"),
        (head + k1.replacingOccurrences(of: "bumil", with: "ibu"), 8, "denominator \"ibu\" is not a target group"),
        (head + "  - id: N\n    subject: person\n    scope: monthly\n    rule: monthly_increase\n    base: X\n"
            + "    measure: {services: [TIMBANG]}\n", 3, "refers to X, which is not a monthly_presence indicator"),
        (head + k1.replacingOccurrences(of: "scope: lifetime", with: "scope: forever"), 5, "scope must be lifetime, year or monthly"),
        ("indicators: []\n", 1, "no indicators"),
    ]

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
}
