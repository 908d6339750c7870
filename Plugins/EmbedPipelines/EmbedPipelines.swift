import Foundation
import PackagePlugin

/// Builds `pipelines/*.yaml` and the WHO growth tables `pipelines/growth/who2006/*.csv` into the
/// target it is applied to (Pipeline) as generated Swift sources, so the installed `pws` carries
/// its default pipeline, catalogues and growth standards and needs no files beside it. Rebuilt
/// whenever one of the files changes: the binary and `pipelines/` cannot drift apart.
@main
struct EmbedPipelines: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appendingPathComponent("pipelines")
        // A shell script (embed.sh beside this file), not a Swift tool of the package: see there why.
        let script = context.package.directoryURL.appendingPathComponent("Plugins/EmbedPipelines/embed.sh")
        func files(in folder: URL, ext: String) throws -> [URL] {
            try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == ext }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
        func embed(_ inputs: [URL], as name: String, what: String) -> Command {
            let output = context.pluginWorkDirectoryURL.appendingPathComponent(name + ".swift")
            return .buildCommand(
                displayName: "Embedding \(what) into \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [script.path, output.path, name] + inputs.map(\.path),
                inputFiles: inputs + [script],
                outputFiles: [output])
        }
        let tables = folder.appendingPathComponent("growth/who2006")
        return [
            embed(try files(in: folder, ext: "yaml"), as: "BuiltInPipelineFiles", what: "pipelines/*.yaml"),
            embed(try files(in: tables, ext: "csv"), as: "BuiltInGrowthTableFiles", what: "pipelines/growth/who2006/*.csv"),
        ]
    }
}
