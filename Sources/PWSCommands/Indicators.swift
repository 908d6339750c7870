import ArgumentParser
import Foundation
import Pipeline
import PWSCore

extension PWS {
    /// `pws indicators` (spec §6.1): the indicator catalogue of a pipeline.
    struct Indicators: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the indicator catalogue: id, name, scope, denominator, annual target, source.")

        @Option(help: "Pipeline definition (YAML). Default: the built-in one (`pws pipeline show`).")
        var pipeline: String?

        @Flag(help: "Print CSV instead of an aligned table.")
        var csv = false

        func run() async throws {
            do {
                let path = pipeline ?? PipelineDefinition.defaultPath()
                guard PipelineFiles.exists(path) else {
                    throw PWSError(.usage, "pipeline \(path) not found; pass an existing file with --pipeline")
                }
                let definition = try PipelineDefinition.load(path: path)
                let services = try ServiceCatalogueLoader.load(path: definition.servicesPath)
                let catalogue = try IndicatorCatalogueLoader.load(path: definition.indicatorsPath, services: services)
                let sources = try IndicatorSources.load(path: definition.indicatorsPath)
                let header = ["id", "name", "subject", "scope", "denominator", "target_annual_pct", "source"]
                let rows = catalogue.map { d -> [String] in
                    let info = d.info
                    return [info.id, info.name, info.subject, info.scope, info.denominator.isEmpty ? "-" : info.denominator,
                            info.targetAnnual?.text ?? "-", sources[info.id] ?? "-"]
                }
                if csv {
                    for r in [header] + rows {
                        print(r.map { $0.contains(",") || $0.contains("\"")
                            ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }.joined(separator: ","))
                    }
                } else {
                    let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
                    for r in [header] + rows {
                        print(r.enumerated().map { c, cell in cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                            .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
                    }
                }
            } catch let error as PWSError {
                FileHandle.standardError.write(Data("pws: \(error)\n".utf8))
                throw ExitCode(error.exitStatus.rawValue)
            }
        }
    }
}
