import ArgumentParser
import Foundation
import CSV
import Ingest
import PWSCore

extension PWS {
    /// `pws bench …`: hidden stage timings used by the scripts in `bench/`.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Benchmark helpers used by bench/ (not for daily use).",
            shouldDisplay: false,
            subcommands: [IngestBench.self]
        )
    }
}

extension PWS.Bench {
    /// `pws bench ingest FILE…`: the full Ingest stage (reader, header mapping, every field
    /// cleaned) over files, timed; `bench/ingest/run.sh` compares it with bare libcsv.
    struct IngestBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ingest",
            abstract: "Time the Ingest stage over CSV or .xlsx files (every field of every row cleaned)."
        )

        @Argument(help: "CSV files to read.")
        var files: [String] = []

        /// Thousands of positional arguments cost swift-argument-parser ~2 s of CPU (5 585 files),
        /// more than reading them: bench/run.sh passes the list in a file instead.
        @Option(name: .customLong("files-from"), help: "A file naming the CSV files to read, one path a line.")
        var filesFrom: String?

        @Option(help: "Schema to map the header onto: layanan, wilayah or sasaran.")
        var schema: String = "layanan"

        @Option(parsing: .unconditional, help: "Bytes read per block.")
        var blockSize: Int = 1 << 20

        @Flag(help: "Print only 'bytes records seconds' (totals) for scripts.")
        var machine = false

        func validate() throws {
            guard ["layanan", "wilayah", "sasaran"].contains(schema) else {
                throw ValidationError("--schema must be layanan, wilayah or sasaran, not '\(schema)'")
            }
            guard blockSize >= 1 else { throw ValidationError("--block-size must be at least 1") }
            guard !files.isEmpty || filesFrom != nil else { throw ValidationError("name the CSV files to read") }
        }

        func run() throws {
            let table: TableSchema = switch schema {
            case "wilayah": .wilayah
            case "sasaran": .sasaran
            default: .layanan
            }
            var totalBytes = 0
            var totalRecords = 0
            var totalSeconds = 0.0
            var paths = files
            if let filesFrom {
                let list = try String(contentsOfFile: filesFrom, encoding: .utf8)
                paths += list.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            }
            for file in paths {
                let clock = ContinuousClock()
                let start = clock.now
                // An .xlsx goes through the workbook reader (bench/xlsx compares the two).
                let reader = try TableReader.open(path: file, source: file, names: TableColumnNames(schema: table),
                                                  options: CSVReadOptions(blockSize: blockSize))
                var checksum = 0
                var problems = 0
                let fieldCount = table.fields.count
                let summary = try reader.read(row: { row in
                    for field in 0..<fieldCount { checksum &+= row.cleaned(field).count }
                }, problem: { _ in problems += 1 })
                let elapsed = clock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let bytes = try fileSize(file)
                totalBytes += bytes
                totalRecords += summary.rowsRead
                totalSeconds += seconds
                if !machine {
                    printLine("\(file): \(bytes) bytes, \(summary.rowsRead) records (\(problems) problems, "
                          + "\(summary.blankRows) blank), \(format(seconds)) s, "
                          + "\(format(Double(bytes) / 1e6 / seconds)) MB/s, "
                          + "\(Int(Double(summary.rowsRead) / seconds)) records/s, "
                          + "\(summary.encoding.rawValue), checksum \(checksum)")
                }
            }
            if machine { print("\(totalBytes) \(totalRecords) \(totalSeconds)") }
        }

        /// The file's size from stat(2): FileManager.attributesOfItem also looks up the owner's
        /// and group's names, which cost ~0.4 ms a file (2.2 s over 5 585 files), more than reading
        /// most of these files.
        private func fileSize(_ path: String) throws -> Int {
            var info = stat()
            guard stat(path, &info) == 0 else { throw ValidationError("cannot stat \(path)") }
            return Int(info.st_size)
        }

        private func format(_ value: Double) -> String {
            let scaled = (value * 1000).rounded() / 1000
            return String(scaled)
        }
    }
}
