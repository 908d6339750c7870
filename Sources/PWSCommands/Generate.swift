import ArgumentParser
import Foundation
import PWSCore
import Synthetic

extension PWS {
    /// `pws generate` (spec §6.1): a synthetic, reproducible data folder in the §2 format.
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a synthetic data folder (wilayah.csv, sasaran.csv, layanan/) for trying and testing the pipeline.",
            discussion: """
                Life-cycle records (pregnancy, delivery, postpartum, newborn, immunisation, \
                growth, adolescents, adults, elderly) for a fictional kabupaten, one file per \
                facility and month in several CSV dialects, with a small rate of every §3 data \
                problem. The same options always give the same bytes. See docs/generator.md.
                """
        )

        @Option(name: .long, help: "Folder to write (created; must be empty unless --force).")
        var out: String

        @Option(name: .long, parsing: .unconditional, help: "Seed of every random choice; the same seed gives the same bytes.")
        var seed: UInt64 = 1

        @Option(name: .long, parsing: .unconditional, help: "Approximate number of service records; the population is scaled to it.")
        var records: Int = 50_000

        @Option(name: .long, parsing: .unconditional, help: "Reporting year (default: the year before today).")
        var year: Int?

        @Option(name: .long, parsing: .unconditional, help: "Number of villages (default: one per ~6000 records, 4…120).")
        var villages: Int?

        @Option(name: .long, parsing: .unconditional, help: "Months of the previous year also written, 0…12.")
        var historyMonths: Int = 3

        @Option(name: .long, parsing: .unconditional, help: "Share of records with a planted §3 problem, 0…0.5.")
        var problemRate: Double = 0.015

        @Option(name: .long, help: "Kabupaten/kota code (4 digits) of every village.")
        var regencyCode: String = "3201"

        @Flag(name: .long, help: "Also write one small file missing a required column (E-COLUMNS; rejects all its rows).")
        var columnsProblem = false

        @Flag(name: .long, help: "Replace wilayah.csv, sasaran.csv and layanan/*.csv (and *.xlsx) in a non-empty --out folder.")
        var force = false

        @Flag(name: .long, help: "Print nothing on success.")
        var quiet = false

        @Option(name: .long, help: "Service-file format: csv, xlsx (the same records as workbooks, one sheet each), fhir (a FHIR R4 NDJSON export in fhir/), or wide (the posyandu weighings as wide registers, layanan/register-<posyandu>-<year>.xlsx, the other records as csv; implies --posyandu-day 15).")
        var format = "csv"

        @Option(name: .long, parsing: .unconditional, help: "Hold every posyandu session on this day of the month (1…31, the last day in shorter months); default: each posyandu its own day. --format csv --posyandu-day 15 writes the records of --format wide as long files.")
        var posyanduDay: Int?

        func validate() throws {
            if out.isEmpty { throw ValidationError("--out is empty; give the folder to write the data to") }
            guard ["csv", "xlsx", "fhir", "wide"].contains(format) else {
                throw ValidationError("--format must be csv, xlsx, fhir or wide, got \"\(format)\"")
            }
            do {
                try options.validate()
            } catch let error as PWSError {
                throw ValidationError(error.message)
            }
        }

        var options: GeneratorOptions {
            let defaultYear = Calendar.current.component(.year, from: Date()) - 1
            var options = GeneratorOptions(seed: seed, records: records, year: year ?? defaultYear,
                                           villages: villages, historyMonths: historyMonths,
                                           problemRate: problemRate, columnsProblemFile: columnsProblem,
                                           regencyCode: regencyCode)
            options.workbooks = format == "xlsx"
            options.fhir = format == "fhir"
            options.wideRegisters = format == "wide"
            options.posyanduDay = posyanduDay ?? (format == "wide" ? 15 : nil)
            return options
        }

        func run() async throws {
            let started = Date()
            let summary: GenerationSummary
            do {
                summary = try SyntheticGenerator(options: options).generate(into: out, overwrite: force)
            } catch let error as PWSError {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(error.exitStatus.rawValue)
            }
            guard !quiet else { return }
            let seconds = max(Date().timeIntervalSince(started), 1e-6)
            let perSecond = Int(Double(summary.records) / seconds)
            let mb = Double(summary.bytes) / 1_048_576
            let problems = summary.injected.sorted { $0.key < $1.key }
                .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " ")
            print("""
                wrote \(out): \(summary.records) records in \(summary.files) files, \
                \(summary.villages) villages, \(summary.rts) RTs, \(summary.persons) persons, \
                \(String(format: "%.1f", mb)) MB in \(String(format: "%.2f", seconds)) s \
                (\(perSecond) records/s)
                planted problems (\(summary.injectedTotal), \(summary.injectedErrors) rejecting): \(problems)
                """)
            if options.wideRegisters {
                let registers = summary.paths.filter { $0.hasPrefix("layanan/register-") }.count
                print("wide registers: \(summary.registerRecords) weighings in \(registers) registers (posyandu day \(options.posyanduDay ?? 15)); the other records in csv")
            }
        }
    }
}
