import Foundation
import Growth
import PWSCore
import Testing
@testable import Pipeline

/// The WHO growth tables a run uses: built into the binary by default, or the folder named by
/// `growth_tables:` (relative to the pipeline file).
@Suite struct GrowthTablesTests {
    static let pipelines = PipelineDefinitionTests.pipelines
    static let tables = pipelines + "/growth/who2006"

    @Test func builtInTablesAreTheRepositoryFilesByteForByte() throws {
        for name in GrowthTableName.allCases.map(\.fileName) {
            let disk = try #require(FileManager.default.contents(atPath: Self.tables + "/" + name))
            #expect(BuiltInPipeline.growthTable(name) == disk, "\(name) differs from pipelines/growth/who2006/\(name)")
            #expect(PipelineFiles.contents(atPath: BuiltInPipeline.growthTablesDirectory + "/" + name) == disk)
        }
        #expect(BuiltInPipeline.growthTable("README.md") == nil)
        // The built-in pipeline's files stay its YAML files (`pws pipeline show`): no tables.
        #expect(BuiltInPipeline.fileNames == ["default.yaml", "indicators.yaml", "services.yaml", "spm.yaml"])
    }

    /// Without `growth_tables:` any pipeline, built-in or on disk, uses the built-in tables, and
    /// they score like the files: wfa boys day 444 (L 0.0443, M 10.2224, S 0.10994) → WAZ of
    /// 9.5 kg = −0.66555.
    @Test func pipelinesUseTheBuiltInTablesByDefault() throws {
        #expect(try PipelineDefinition.load(path: PipelineDefinition.defaultPath()).growthTablesPath
                == "(built-in)/growth/who2006")
        #expect(try PipelineDefinitionTests.load("").growthTablesPath == "(built-in)/growth/who2006")
        let builtIn = try LoadedPipeline.growthStandards(folder: BuiltInPipeline.growthTablesDirectory)
        let disk = try GrowthStandards.load(folder: Self.tables)
        let z = try #require(builtIn.weightForAgeZ(weightKg: 9.5, ageDays: 444, sex: .male))
        #expect(abs(z - -0.66555) < 1e-4)
        #expect(z == disk.weightForAgeZ(weightKg: 9.5, ageDays: 444, sex: .male))
    }

    /// `growth_tables:` relative to the pipeline file; a folder without the six files is an
    /// error at the key's line (line 4 here) naming what is missing.
    @Test func growthTablesKeyNamesAFolder() throws {
        let d = try PipelineDefinitionTests.load("growth_tables: \(Self.tables)/\n")
        #expect(d.growthTablesPath == Self.tables)
        let relative = try PipelineDefinition.load(path: Self.pipelines + "/default.yaml")
        #expect(relative.growthTablesPath == "(built-in)/growth/who2006")

        let empty = NSTemporaryDirectory() + "pws-growth-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        try FileManager.default.copyItem(atPath: Self.tables + "/wfa.csv", toPath: empty + "/wfa.csv")
        #expect {
            _ = try PipelineDefinitionTests.load("growth_tables: \(empty)\n")
        } throws: { error in
            guard let e = error as? PWSError else { return false }
            return e.location?.line == 4
                && e.message.hasPrefix("growth_tables: the folder \"\(empty)\" has no lhfa.csv, bfa.csv, acfa.csv, wfl.csv, wfh.csv;")
        }
    }

    /// A damaged table in the named folder stops the command at that file and line (exit 64).
    @Test func damagedTableIsADefinitionError() throws {
        let folder = NSTemporaryDirectory() + "pws-growth-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in GrowthTableName.allCases.map(\.fileName) {
            try FileManager.default.copyItem(atPath: Self.tables + "/" + name, toPath: folder + "/" + name)
        }
        var lines = try String(contentsOfFile: folder + "/wfh.csv", encoding: .utf8).split(separator: "\n")
        lines.remove(at: 5)
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/wfh.csv", atomically: true, encoding: .utf8)
        #expect {
            _ = try LoadedPipeline.growthStandards(folder: folder)
        } throws: { error in
            guard let e = error as? PWSError else { return false }
            return e.location == SourceLocation(source: folder + "/wfh.csv", line: 6) && e.exitStatus == .usage
        }
    }
}
