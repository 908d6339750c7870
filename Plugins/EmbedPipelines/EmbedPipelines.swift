import Foundation
import PackagePlugin

/// Builds `pipelines/*.yaml` into the target it is applied to (Pipeline) as a generated Swift
/// source, so the installed `pws` carries its default pipeline and catalogues and needs no
/// files beside it. Rebuilt whenever one of the YAML files changes: the binary and
/// `pipelines/` cannot drift apart.
@main
struct EmbedPipelines: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appendingPathComponent("pipelines")
        let inputs = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("BuiltInPipelineFiles.swift")
        // A shell script (embed.sh beside this file), not a Swift tool of the package: see there why.
        let script = context.package.directoryURL.appendingPathComponent("Plugins/EmbedPipelines/embed.sh")
        return [
            .buildCommand(
                displayName: "Embedding pipelines/*.yaml into \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [script.path, output.path] + inputs.map(\.path),
                inputFiles: inputs + [script],
                outputFiles: [output]),
        ]
    }
}
