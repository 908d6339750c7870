import ArgumentParser
import Foundation
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
            abstract: "Time the Ingest stage over CSV files (every field of every row cleaned)."
        )

        @Argument(help: "CSV files to read.")
        var files: [String]

        @Option(help: "Schema to map the header onto: layanan, wilayah or sasaran.")
        var schema: String = "layanan"

        @Option(help: "Bytes read per block.")
        var blockSize: Int = 1 << 20

        @Flag(help: "Print only 'bytes records seconds' (totals) for scripts.")
        var machine = false

        func validate() throws {
            guard ["layanan", "wilayah", "sasaran"].contains(schema) else {
                throw ValidationError("--schema must be layanan, wilayah or sasaran, not '\(schema)'")
            }
            guard blockSize >= 1 else { throw ValidationError("--block-size must be at least 1") }
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
            for file in files {
                let clock = ContinuousClock()
                let start = clock.now
                let reader = try TableReader(path: file, source: file, schema: table,
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
                    print("\(file): \(bytes) bytes, \(summary.rowsRead) records (\(problems) problems, "
                          + "\(summary.blankRows) blank), \(format(seconds)) s, "
                          + "\(format(Double(bytes) / 1e6 / seconds)) MB/s, "
                          + "\(Int(Double(summary.rowsRead) / seconds)) records/s, "
                          + "\(summary.encoding.rawValue), checksum \(checksum)")
                }
            }
            if machine { print("\(totalBytes) \(totalRecords) \(totalSeconds)") }
        }

        private func fileSize(_ path: String) throws -> Int {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            return (attributes[.size] as? NSNumber)?.intValue ?? 0
        }

        private func format(_ value: Double) -> String {
            let scaled = (value * 1000).rounded() / 1000
            return String(scaled)
        }
    }
}
