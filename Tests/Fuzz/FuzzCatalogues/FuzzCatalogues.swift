// libFuzzer target: the YAML loaders of the Pipeline module — the service catalogue, the
// indicator catalogue and the pipeline definition — over arbitrary text. Built and run by
// scripts/fuzz.sh (docs/fuzzing.md); libFuzzer supplies `main`.
//
// Every input is given to all three loaders. A loader may refuse it (a `PWSError` naming
// `file:line`) but must not crash, hang or leak.
import Foundation
import PWSCore
import Pipeline

/// The folder inputs are written to, and the default service catalogue the indicator
/// catalogue is checked against.
struct Fixture: Sendable {
    let folder: String
    let services: ServiceCatalogue

    init() {
        // Tests/Fuzz/FuzzCatalogues/FuzzCatalogues.swift → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folder = NSTemporaryDirectory() + "/pws-fuzz-yaml-\(getpid())"
        do {
            services = try ServiceCatalogueLoader.load(path: root.appendingPathComponent("pipelines/services.yaml").path)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            // A pipeline names its catalogues beside it; these let `services: services.yaml`
            // and `indicators: indicators.yaml` resolve, so the keys after them are reached.
            for name in ["services.yaml", "indicators.yaml"] {
                _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: Data())
            }
        } catch {
            fatalError("cannot set up the fuzz folder \(folder) from \(root.path): \(error)")
        }
        self.folder = folder
    }
}

let fixture = Fixture()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCatalogues(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    _ = try? ServiceCatalogueLoader.load(yaml: String(decoding: bytes, as: UTF8.self), source: "fuzz.yaml")

    let path = fixture.folder + "/fuzz.yaml"
    guard FileManager.default.createFile(atPath: path, contents: bytes) else { fatalError("cannot write \(path)") }
    _ = try? IndicatorCatalogueLoader.load(path: path, services: fixture.services)
    _ = try? PipelineDefinition.load(path: path)
    return 0
}
