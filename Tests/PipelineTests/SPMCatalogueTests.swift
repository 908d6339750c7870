import Aggregate
import Foundation
import PWSCore
import Testing
@testable import Pipeline

/// The SPM catalogue (`pipelines/spm.yaml`, docs/spm.md) and the pipeline's `spm:` setting.
@Suite struct SPMCatalogueTests {
    static let pipelines = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("pipelines").path

    static func temporary(_ text: String, name: String = "spm.yaml") throws -> (dir: String, path: String) {
        let dir = NSTemporaryDirectory() + "pws-spm-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        return (dir, dir + "/" + name)
    }

    /// The built-in catalogue: the 12 services of Permenkes 4/2019 in their order, each with
    /// its target population as denominator and a target of 100 %.
    @Test func builtInCatalogueHasTheTwelveServices() throws {
        let services = try ServiceCatalogueLoader.load(path: Self.pipelines + "/services.yaml")
        let spm = try SPMCatalogue.load(path: Self.pipelines + "/spm.yaml", services: services)
        #expect(spm.map(\.id) == ["SPM01_IBU_HAMIL", "SPM02_IBU_BERSALIN", "SPM03_BAYI_BARU_LAHIR", "SPM04_BALITA",
                                  "SPM05_USIA_PENDIDIKAN_DASAR", "SPM06_USIA_PRODUKTIF", "SPM07_USIA_LANJUT",
                                  "SPM08_HIPERTENSI", "SPM09_DIABETES_MELITUS", "SPM10_ODGJ_BERAT",
                                  "SPM11_TERDUGA_TB", "SPM12_RISIKO_HIV"])
        #expect(spm.map { $0.targetGroup ?? "" } == ["bumil", "bulin", "bayi_lahir_hidup", "balita",
                                                     "usia_pendidikan_dasar", "usia_produktif", "lansia",
                                                     "penderita_hipertensi", "penderita_dm", "odgj_berat",
                                                     "terduga_tb", "risiko_hiv"])
        #expect(spm.allSatisfy { $0.targetHundredths == 10_000 && $0.scope != .monthly })
        // Every new target group is a group sasaran.csv and the estimation shares accept.
        #expect(spm.allSatisfy { TargetGroup.all.contains($0.targetGroup!) })
    }

    /// The default pipeline names it; the SPM outputs are then among the defaults.
    @Test func defaultPipelineHasAnSPMCatalogue() throws {
        let d = try PipelineDefinition.load(path: Self.pipelines + "/default.yaml")
        #expect(d.spmPath == URL(fileURLWithPath: Self.pipelines + "/spm.yaml").standardizedFileURL.path)
        #expect(d.outputs.contains(.spmCSV) && d.outputs.contains(.spmWorkbook))
        let builtIn = try LoadedPipeline.load(path: PipelineDefinition.defaultPath(), indicators: true)
        #expect(builtIn.spm.count == 12)
        #expect(try LoadedPipeline.load(path: PipelineDefinition.defaultPath(), indicators: false).spm.isEmpty)
    }

    /// Without `spm:` there are no SPM outputs, and asking for one is an error at its line.
    @Test func spmOutputsNeedAnSPMCatalogue() throws {
        let head = "services: \(Self.pipelines)/services.yaml\nindicators: \(Self.pipelines)/indicators.yaml\n"
        let (dir, path) = try Self.temporary(head, name: "p.yaml")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let d = try PipelineDefinition.load(path: path)
        #expect(d.spmPath == nil)
        #expect(d.outputs.isDisjoint(with: [.spmCSV, .spmWorkbook]))
        #expect(d.outputs.contains(.workbook))
        try (head + "outputs: [indicators.csv, spm.csv]\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try PipelineDefinition.load(path: path)
        } throws: { error in
            guard let e = error as? PWSError else { return false }
            return e.location?.line == 3 && e.message.hasPrefix("outputs: \"spm.csv\" needs an SPM catalogue")
        }
        try (head + "spm: nope.yaml\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try PipelineDefinition.load(path: path)
        } throws: { error in
            guard let e = error as? PWSError else { return false }
            return e.location?.line == 3 && e.message.contains("spm: file \"nope.yaml\" not found")
        }
    }

    /// A service without a target group, or with `scope: monthly`, stops the run at its line.
    @Test func everyServiceNeedsASasaranAndAYearOrLifetimeScope() throws {
        let services = try ServiceCatalogueLoader.load(path: Self.pipelines + "/services.yaml")
        let noGroup = """
            version: 1
            indicators:
              - id: A
                subject: person
                scope: year
                rule: first
                services: [SKILAS]
            """
        let (dir, path) = try Self.temporary(noGroup)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect {
            _ = try SPMCatalogue.load(path: path, services: services)
        } throws: { error in
            guard let e = error as? PWSError else { return false }
            return e.location?.line == 3 && e.message.hasPrefix("SPM service A needs a target group as denominator")
        }
        let monthly = """
            indicators:
              - id: ODGJ
                subject: person
                scope: year
                rule: first
                services: [LAYANAN_ODGJ]
                denominator: odgj_berat
                target: 100
              - id: DS
                subject: person
                scope: monthly
                rule: monthly_presence
                services: [TIMBANG]
                denominator: balita
                target: 80
            """
        try monthly.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try SPMCatalogue.load(path: path, services: services)
        } throws: { error in
            guard let e = error as? PWSError else { return false }
            return e.location?.line == 9 && e.message.hasPrefix("SPM service DS: scope monthly")
        }
    }
}
