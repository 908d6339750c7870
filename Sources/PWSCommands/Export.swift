import ArgumentParser
import Foundation
import Pipeline
import PWSCore
import Export

extension PWS {
    /// `pws export`: a published run in the formats other systems import.
    struct ExportGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Export a published run for another system (DHIS2).",
            subcommands: [DHIS2.self])
    }
}

extension PWS.ExportGroup {
    /// `pws export dhis2` (§A6): numerators and denominators as a DHIS2 data value import.
    struct DHIS2: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dhis2",
            abstract: "Write a published run's numerators and denominators as a DHIS2 import (dataValueSets JSON, CSV or ADX).",
            discussion: """
            The mapping file (YAML, docs/dhis2.md) names the data element of each indicator's numerator \
            and denominator and the org unit of each area. Unmapped indicators and areas are listed on \
            stderr and counted; they are never dropped silently. Import with POST /api/dataValueSets \
            (dryRun=true first; docs/dhis2.md). Exit status: 0 written; 64 usage or mapping error \
            (file:line); 65 nothing to export; 66 the run folder has no indicators.csv; 73 --out not writable.
            """)

        @Option(help: "The published run folder, OUT/YYYY-MM.")
        var run: String

        @Option(help: "The mapping file (YAML): data elements, org units, period type.")
        var mapping: String

        @Option(help: "json (dataValueSets), csv (the DHIS2 CSV layout) or adx (ADX XML).")
        var format: DHIS2Format = .json

        @Option(help: "Write the import file here instead of standard output.")
        var out: String?

        func run() async throws {
            do {
                let export = DHIS2Export(runFolder: run, mappingPath: mapping, format: format)
                let outcome = try export.run()
                for line in outcome.lines { FileHandle.standardError.write(Data("pws: \(line)\n".utf8)) }
                if let out {
                    guard FileManager.default.createFile(atPath: out, contents: outcome.data) else {
                        throw PWSError(.outputNotWritable, "cannot write \(out); check the folder and its permissions")
                    }
                    FileHandle.standardError.write(Data("pws: wrote \(out) (Content-Type: \(format.contentType))\n".utf8))
                } else {
                    FileHandle.standardOutput.write(outcome.data)
                }
            } catch let error as PWSError {
                FileHandle.standardError.write(Data("pws: \(error)\n".utf8))
                throw ExitCode(error.exitStatus.rawValue)
            }
        }
    }
}

extension DHIS2Format: ExpressibleByArgument {}
