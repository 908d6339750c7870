import ArgumentParser
import Export
import Foundation
import PWSCore
import RunDiff

extension PWS {
    /// `pws diff A B` (amendments §A8): what changed between two published runs, and why.
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two published runs (OUT/YYYY-MM folders): inputs, row counts, indicator rows.",
            discussion: """
                Writes diff.csv (kind, key, field, before, after) into --out and prints a short \
                summary: input files added, removed or changed (by sha256), the §3 row counts of \
                each file that changed, and the indicator rows whose numerator, denominator or \
                status changed, largest change first. Exit status 0 whether or not anything \
                changed; 66 when a folder, its run.json or indicators.csv is missing; 65 when \
                one is not what pws writes; 73 when diff.csv cannot be written. See \
                docs/operations.md.
                """)

        @Argument(help: "The earlier run's folder (e.g. OUT/.runs/2025-12.<time> or a copy of OUT/2025-12).")
        var before: String

        @Argument(help: "The later run's folder (e.g. OUT/2025-12).")
        var after: String

        @Option(help: "Folder for diff.csv (created).")
        var out: String = "."

        @Option(parsing: .unconditional, help: "Largest indicator changes listed in the summary.")
        var top: Int = 10

        @Flag(help: "Print nothing but errors.")
        var quiet = false

        func validate() throws {
            if out.isEmpty { throw ValidationError("--out is empty; give the folder for diff.csv") }
            guard top >= 0 else { throw ValidationError("--top must be 0 or more") }
        }

        func run() async throws {
            do {
                let diff = try RunDiff.compare(before: before, after: after)
                try OutputFolder.ensureDirectory(out)
                let path = out + "/diff.csv"
                // Through a temporary name: a link planted at diff.csv is replaced, not written through.
                let count = try OutputFile.replacing(path) { try diff.write(to: $0) }
                guard !quiet else { return }
                for line in diff.summaryLines(top: top) { printLine(line) }
                printLine("wrote \(VisibleText.escapingControls(path)) (\(count) rows)")
                try flushStandardOutput()
            } catch let error as PWSError {
                printError("\(error)")
                throw ExitCode(error.exitStatus.rawValue)
            }
        }
    }
}
