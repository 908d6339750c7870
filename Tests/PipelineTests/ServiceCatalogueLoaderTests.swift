import Foundation
import Testing
import PWSCore
@testable import Pipeline

@Suite struct ServiceCatalogueLoaderTests {
    /// `pipelines/services.yaml` in this checkout.
    static let defaultPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pipelines/services.yaml").path

    static let immunisations = ["HB0", "BCG", "POLIO1", "POLIO2", "POLIO3", "POLIO4",
                                "DPTHBHIB1", "DPTHBHIB2", "DPTHBHIB3", "DPTHBHIB4", "IPV1", "IPV2",
                                "PCV1", "PCV2", "PCV3", "RV1", "RV2", "RV3", "MR1", "MR2"]

    @Test func defaultCatalogueHoldsTheSection2_6Table() throws {
        let catalogue = try ServiceCatalogueLoader.load(path: Self.defaultPath)
        // 5 maternal/neonatal + 20 immunisations + 19 others + 6 for the SPM + RISTI_NAKES (§A5)
        // = 51 codes.
        #expect(catalogue.services.count == 51)
        #expect(catalogue.services.first?.code == "ANC")
        #expect(catalogue.services.last?.code == "RISTI_NAKES")
        for code in Self.immunisations {
            let service = catalogue.service(code)
            #expect(service?.age == AgeLimit(unit: .years, min: 0, max: 6), "\(code)")
            #expect(service?.sex == nil)
            #expect(service?.result == ResultKind.none)
        }
        #expect(catalogue.service("ANC")?.sex == .female)
        #expect(catalogue.service("ANC")?.age == AgeLimit(unit: .years, min: 10, max: 55))
        #expect(catalogue.service("KN")?.age == AgeLimit(unit: .days, min: 0, max: 28))
        #expect(catalogue.service("VITA")?.age == AgeLimit(unit: .months, min: 6, max: 59))
        #expect(catalogue.service("IMT")?.age == AgeLimit(unit: .years, min: 5, max: nil))
        #expect(catalogue.service("TIMBANG")?.age == nil)
        #expect(catalogue.service("TIMBANG")?.result == .number(unit: "kg", range: 0.5...250))
        #expect(catalogue.service("IMT")?.result == .number(unit: "kg/m2", range: 8...80))
        #expect(catalogue.service("HB")?.result == .number(unit: "g/dL", range: 2...25))
        #expect(catalogue.service("GDS")?.result == .number(unit: "mg/dL", range: 20...800))
        #expect(catalogue.service("TENSI")?.result == .bloodPressure(sys: 50...300, dia: 30...200))
        #expect(catalogue.service("SRQ20")?.result == .score(range: 0...20))
        #expect(catalogue.service("PUMA")?.result == .score(range: 0...9))
        #expect(catalogue.service("TTD_REMAJA")?.sex == .female)
        #expect(catalogue.service("IVA")?.age == AgeLimit(unit: .years, min: 30, max: 69))
        #expect(catalogue.service("skrining tb")?.code == "SKRINING_TB")
    }

    static let header = "services:\n"
    static let anc = "  - code: ANC\n    name: antenatal visit\n    cluster: ibu_anak\n"

    /// Broken catalogues, the line the first problem is reported at and a piece of its message.
    static let broken: [(String, Int, String)] = [
        (header + anc + "    sexx: P\n", 5, "unknown key \"sexx\" in a service entry"),
        (header + anc + "    sex: X\n", 5, "`sex:` of service ANC is \"X\"; write P, L or any"),
        (header + anc + "    age: {unit: years, min: 55, max: 10}\n", 5, "age min 55 of service ANC is above its max 10"),
        (header + anc + "    age: {unit: weeks, min: 1}\n", 5, "age unit of service ANC is \"weeks\""),
        (header + anc + "    age: {unit: years, min: -1}\n", 5, "age min of service ANC must be at least 0"),
        (header + anc + "    result: {kind: percent, min: 0, max: 1}\n", 5, "needs `kind:` number, score or blood_pressure, not \"percent\""),
        (header + anc + "    result: {kind: number, min: 0, max: 1}\n", 5, "missing `unit:` of the result of service ANC"),
        (header + anc + "    result: {kind: number, unit: kg, min: 0, max: lots}\n", 5, "result max of service ANC must be a number"),
        (header + anc + "    result: {kind: score, min: 0, max: 2.5}\n", 5, "score of service ANC max must be a whole number"),
        (header + anc + "    result: {kind: blood_pressure, sys: {min: 50, max: 300}}\n", 5, "needs `dia: {min: …, max: …}`"),
        (header + anc + anc, 5, "service code ANC is already defined at line 2"),
        (header + anc + "  - code: anc\n    name: x\n    cluster: y\n", 5, "already defined at line 2"),
        (header + "  - code: KN\n    cluster: ibu_anak\n", 2, "missing `name:` of service KN"),
        (header + "  - code: A B?\n    name: x\n    cluster: y\n", 2, "may hold only letters, digits"),
        (header + "  - name: x\n    cluster: y\n", 2, "missing `code:`"),
        (header + anc + "    age: {unit: years, min: 10\n", 6,
         "not valid YAML: while parsing a flow mapping that starts at line 5: did not find expected ',' or '}'"),
        (header + "  - code: ANC\n    code: KN\n", 2, "key code given twice in one mapping"),
        ("services: []\n", 1, "must be a non-empty list"),
        ("version: 2\nservices:\n" + anc, 1, "unsupported catalogue version \"2\""),
        ("codes:\n" + anc, 1, "unknown key \"codes\" in the catalogue"),
        ("- just a list\n", 1, "a service catalogue is a mapping"),
    ]

    @Test(arguments: broken)
    func brokenCatalogueIsRejectedAtItsLine(_ yaml: String, _ line: Int, _ fragment: String) {
        do {
            _ = try ServiceCatalogueLoader.load(yaml: yaml, source: "pipelines/services.yaml")
            Issue.record("expected a pipeline-definition error")
        } catch let error as PWSError {
            #expect(error.code == .pipelineDefinition)
            #expect(error.exitStatus == .usage)
            #expect(error.location == SourceLocation(source: "pipelines/services.yaml", line: line),
                    "\(error)")
            #expect(error.message.contains(fragment), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func everyProblemIsListedCompilerStyle() throws {
        let yaml = Self.header + Self.anc + "    sex: X\n" + "  - code: KN\n    name: neonatal visit\n    cluster: ibu_anak\n"
            + "    age: {unit: days, min: 28, max: 0}\n"
        let error = #expect(throws: PWSError.self) {
            try ServiceCatalogueLoader.load(yaml: yaml, source: "services.yaml")
        }
        #expect(error?.description == """
            services.yaml:5: error: `sex:` of service ANC is "X"; write P, L or any
            services.yaml:9: error: age min 28 of service KN is above its max 0
            """)
    }

    /// A catalogue is part of the pipeline's definition: one that cannot be read is a
    /// pipeline error (exit 64), as the indicator catalogue's and the pipeline's are.
    @Test func missingFileIsAPipelineError() {
        let error = #expect(throws: PWSError.self) {
            try ServiceCatalogueLoader.load(path: "/nonexistent/services.yaml")
        }
        #expect(error?.code == .pipelineDefinition)
        #expect(error?.message.hasPrefix("the service catalogue: cannot read /nonexistent/services.yaml") == true)
    }

    @Test func anyAndNoneAreSpelledOut() throws {
        let yaml = Self.header + "  - code: X1\n    name: x\n    cluster: y\n    sex: any\n    age: any\n    result: none\n"
        let catalogue = try ServiceCatalogueLoader.load(yaml: yaml, source: "s.yaml")
        #expect(catalogue.services == [ServiceDefinition(code: "X1", name: "x", cluster: "y", sex: nil,
                                                         age: nil, result: .none)])
    }
}
