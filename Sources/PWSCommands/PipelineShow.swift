import ArgumentParser
import Export
import Foundation
import Pipeline
import PWSCore

extension PWS {
    /// `pws pipeline …`: the pipeline built into the binary.
    struct PipelineCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pipeline",
            abstract: "The built-in default pipeline and its catalogues.",
            subcommands: [Show.self]
        )
    }
}

extension PWS.PipelineCommand {
    /// `pws pipeline show [FILE] [--all DIR]`: a built-in file on stdout, or all of them into a
    /// folder to copy and edit.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the built-in pipeline (or one of its catalogues), or write them all to a folder.",
            discussion: """
                `pws pipeline show > my.yaml` writes the default pipeline. It names its catalogues \
                (services.yaml, indicators.yaml, spm.yaml) relative to its own folder, so to change a \
                catalogue write them all with `pws pipeline show --all DIR`, edit them there, and \
                run with `--pipeline DIR/default.yaml`. `--all` also writes the WHO growth tables into \
                DIR/growth/who2006/, which a run uses once default.yaml says `growth_tables: growth/who2006`. \
                See docs/pipeline.md.
                """)

        @Argument(help: "Which built-in file to print: default.yaml, services.yaml, indicators.yaml or spm.yaml.")
        var file: String = "default.yaml"

        @Option(name: .customLong("all"), help: "Write every built-in file into this folder (created), the WHO growth tables into its growth/who2006/, instead of printing one.")
        var folder: String?

        @Flag(help: "With --all: replace files that already exist in the folder.")
        var force = false

        func validate() throws {
            guard BuiltInPipeline.fileNames.contains(file) else {
                throw ValidationError("no built-in file \"\(file)\"; use one of \(BuiltInPipeline.fileNames.joined(separator: ", "))")
            }
        }

        func run() async throws {
            do {
                if let folder {
                    try write(into: folder)
                } else if let data = BuiltInPipeline.contents(ofFile: file) {
                    try writeStandardOutput(data)
                }
                try flushStandardOutput()
            } catch let error as PWSError {
                printError("\(error)")
                throw ExitCode(error.exitStatus.rawValue)
            }
        }

        /// Writes every built-in file into `folder`, the WHO growth tables into its
        /// `growth/who2006/` (the layout of the repository's `pipelines/`); refuses to replace a
        /// file unless `--force`.
        private func write(into folder: String) throws {
            let fm = FileManager.default
            let tables = "growth/who2006"
            let files: [(name: String, data: Data?)] =
                BuiltInPipeline.fileNames.map { ($0, BuiltInPipeline.contents(ofFile: $0)) }
                + BuiltInPipeline.growthTableNames.map { (tables + "/" + $0, BuiltInPipeline.growthTable($0)) }
            try OutputFolder.ensureDirectory(folder)
            let existing = files.map(\.name).filter { fm.fileExists(atPath: folder + "/" + $0) }
            if !existing.isEmpty && !force {
                throw PWSError(.usage, "\(folder) already has \(existing.joined(separator: ", ")); pass --force to replace them, or choose another folder")
            }
            try OutputFolder.ensureDirectory(folder + "/" + tables)
            for (name, data) in files {
                guard let data else { continue }
                do {
                    try data.write(to: URL(fileURLWithPath: folder + "/" + name), options: .atomic)
                } catch {
                    throw PWSError(.outputNotWritable, "cannot write \(folder)/\(name)", cause: ErrorText.describe(error))
                }
            }
            let shown = VisibleText.escapingControls(folder)
            printLine("wrote \(BuiltInPipeline.fileNames.map { shown + "/" + $0 }.joined(separator: ", ")) "
                      + "and the WHO growth tables in \(shown)/\(tables)/ (a run uses them only with "
                      + "`growth_tables: \(tables)` in default.yaml); run with --pipeline \(shown)/default.yaml")
        }
    }
}
