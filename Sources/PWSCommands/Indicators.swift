import ArgumentParser
import Foundation
import Pipeline
import PWSCore

extension PWS {
    /// `pws indicators` (spec §6.1): the indicator catalogue of a pipeline and, when it names
    /// one, its SPM catalogue (`spm:`, docs/spm.md), each entry with its source.
    struct Indicators: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the indicator catalogue and the SPM catalogue: id, name, scope, denominator, annual target, source.")

        @Option(help: "Pipeline definition (YAML). Default: the built-in one (`pws pipeline show`).")
        var pipeline: String?

        @Flag(help: "Print CSV (a first column `catalogue`: indicators or spm) instead of aligned tables.")
        var csv = false

        static let header = ["id", "name", "subject", "scope", "denominator", "target_annual_pct", "source"]

        func run() async throws {
            do {
                let path = pipeline ?? PipelineDefinition.defaultPath()
                guard PipelineFiles.exists(path) else {
                    throw PWSError(.usage, "pipeline \(path) not found; pass an existing file with --pipeline")
                }
                let definition = try PipelineDefinition.load(path: path)
                let services = try ServiceCatalogueLoader.load(path: definition.servicesPath)
                let catalogue = try IndicatorCatalogueLoader.load(path: definition.indicatorsPath, services: services)
                var sections = [("indicators", definition.indicatorsPath,
                                 Self.rows(catalogue.map(\.info), sources: try IndicatorSources.load(path: definition.indicatorsPath)))]
                if let spmPath = definition.spmPath {
                    let spm = try SPMCatalogue.load(path: spmPath, services: services)
                    sections.append(("spm", spmPath, Self.rows(spm.map(\.info), sources: try IndicatorSources.load(path: spmPath))))
                }
                if csv {
                    for r in [["catalogue"] + Self.header] + sections.flatMap({ s in s.2.map { [s.0] + $0 } }) {
                        print(r.map { $0.contains(",") || $0.contains("\"")
                            ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }.joined(separator: ","))
                    }
                } else {
                    for (k, (name, file, rows)) in sections.enumerated() {
                        if k > 0 { print("") }
                        let what = name == "spm" ? "SPM services" : "indicators"
                        print("\(rows.count) \(what) (\(file)):")
                        let table = [Self.header] + rows
                        let widths = Self.header.indices.map { c in table.map { $0[c].count }.max()! }
                        for r in table {
                            print(r.enumerated().map { c, cell in cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
                        }
                    }
                }
                try flushStandardOutput()
            } catch let error as PWSError {
                printError("\(error)")
                throw ExitCode(error.exitStatus.rawValue)
            }
        }

        /// One row per entry: id, name, subject, scope, denominator, annual target, source
        /// (`-` for none).
        static func rows(_ catalogue: [IndicatorInfo], sources: [String: String]) -> [[String]] {
            catalogue.map { info in
                [info.id, info.name, info.subject, info.scope, info.denominator.isEmpty ? "-" : info.denominator,
                        info.targetAnnual?.text ?? "-", sources[info.id] ?? "-"]
            }
        }
    }
}
