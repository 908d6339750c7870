import Foundation
import PWSCore
import Testing
@testable import Pipeline

/// The pipeline built into the binary (EmbedPipelines) is `pipelines/` byte for byte, and loads
/// like a file on disk.
@Suite struct BuiltInPipelineTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("pipelines").path

    @Test func builtInFilesAreThePipelinesFolderByteForByte() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(BuiltInPipeline.fileNames == names)
        #expect(names.contains("default.yaml") && names.contains("services.yaml") && names.contains("indicators.yaml"))
        for name in names {
            let disk = FileManager.default.contents(atPath: Self.folder + "/" + name)
            #expect(BuiltInPipeline.contents(ofFile: name) == disk, "\(name) differs from pipelines/\(name)")
        }
    }

    @Test func defaultPipelineIsBuiltInAndNamesBuiltInCatalogues() throws {
        #expect(PipelineDefinition.defaultPath() == "(built-in)/default.yaml")
        let definition = try PipelineDefinition.load(path: PipelineDefinition.defaultPath())
        #expect(definition.path == "(built-in)/default.yaml")
        #expect(definition.servicesPath == "(built-in)/services.yaml")
        #expect(definition.indicatorsPath == "(built-in)/indicators.yaml")
        #expect(definition.name == "default")
        // The same settings as the file on disk.
        let disk = try PipelineDefinition.load(path: Self.folder + "/default.yaml")
        #expect(definition.maxRejectRate == disk.maxRejectRate && definition.retention == disk.retention)
        #expect(definition.estimation == disk.estimation)
        let services = try ServiceCatalogueLoader.load(path: definition.servicesPath)
        let indicators = try IndicatorCatalogueLoader.load(path: definition.indicatorsPath, services: services)
        #expect(indicators.count == 49)   // §5.2 + §A5 (docs/guidance.md) + §A4 growth (8)
    }

    /// A copy written elsewhere resolves its catalogues against its own folder.
    @Test func copiedPipelineResolvesCataloguesBesideItself() throws {
        let dir = NSTemporaryDirectory() + "pws-pipeline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in BuiltInPipeline.fileNames {
            try #require(BuiltInPipeline.contents(ofFile: name)).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        let definition = try PipelineDefinition.load(path: dir + "/default.yaml")
        let real = URL(fileURLWithPath: dir).standardizedFileURL.path
        #expect(definition.servicesPath == real + "/services.yaml")
        #expect(definition.indicatorsPath == real + "/indicators.yaml")
    }

    @Test func missingBuiltInFileIsNotFound() {
        #expect(PipelineFiles.contents(atPath: "(built-in)/nope.yaml") == nil)
        #expect(!PipelineFiles.exists("(built-in)/nope.yaml"))
        #expect(PipelineFiles.exists("(built-in)/services.yaml"))
    }
}
