import Foundation
import CSV
import Concurrency
import Ingest
import PWSCore

/// What a validation needs to know beyond the files.
public struct ValidationSettings: Sendable {
    /// The run's today: visits after it are `E-FUTURE`.
    public var today: Day
    /// The as-of month; nil = the month of the latest accepted visit_date.
    public var asOf: YearMonth?
    /// Write person identifiers unmasked into rejects/warnings.
    public var keepIdentifiers: Bool
    /// Fixed input delimiter; nil sniffs.
    public var delimiter: UInt8?
    /// Extra header aliases per file kind (`layanan`, `wilayah`, `sasaran`).
    public var columnAliases: [String: [String: [String]]]
    /// Extra enumeration spellings per kind (`sex`, `facility_type`, `provider`, `service_code`).
    public var valueAliases: [String: [String: String]]
    public var services: ServiceCatalogue
    /// Go on without service files that cannot be read (listing them) instead of refusing the
    /// run with exit 66 (spec §A8, `--skip-unreadable`).
    public var skipUnreadable = false
    /// How workbooks (`.xlsx`) of each file kind (`layanan`, `wilayah`, `sasaran`) are read:
    /// sheets and header row (spec §A2). Absent kinds read every sheet that maps.
    public var workbooks: [String: WorkbookReadOptions] = [:]
    /// `reshape` rules: service files they match are wide registers made into records (§A2).
    public var reshape: [ReshapeRule] = []
    /// How FHIR resources in `fhir/` become service records (the pipeline's `fhir:`, spec §A3).
    public var fhir = FHIRMapping()
    /// `sasaran.decimal_separator` (`.` or `,`) for sasaran counts and RT populations; nil
    /// leaves `1.234`-like values ambiguous, hence errors (spec §A1).
    public var decimalSeparator: UInt8?
    /// `sasaran.group_columns`: more header names of the target groups' columns in a sasaran
    /// table with a column per group (group → names; docs/pipeline.md).
    public var sasaranGroupColumns: [String: [String]] = [:]
    /// Distinct spelling combinations each `FieldComboCache` keeps (0 turns the caches off;
    /// the tests compare both ways).
    var comboCacheLimit = 1 << 16
    /// Threads that read service files and apply the per-row rules while the calling thread
    /// applies the rules across rows in file order (`ParallelRowChecking`); 0 = one reading
    /// thread and every rule on the calling thread (`RowChunkReader.run`, also taken for FHIR
    /// inputs, whose files are read with one context built from all of them). The outputs
    /// are the same either way (the tests compare 0, 1, 2 and 3).
    ///
    /// Default: the workers from 3 cores on; 0 on 1 or 2 cores, where the reading and the
    /// checking thread already keep both cores busy and the workers measured no faster
    /// (bench/RESULTS.md, 2026-12-02) with 8–12 MiB more peak memory.
    var checkingWorkers = Parallel.processorCount >= 3 ? Parallel.defaultWorkers : 0
    /// The rejects and warnings a run may hold before it stops (`Validation.HeldDiagnostics`).
    public var maxHeldDiagnostics = Validation.HeldDiagnostics.defaultLimit
    /// `ParallelRowChecking.unitBytes` (the tests cut files into units of one file and more).
    var checkingUnitBytes = 128 << 10
    /// Hash every CSV input's bytes while reading them (`ValidationOutcome.inputDigests`), for
    /// run.json's input list: each byte is read once instead of again by a separate hashing pass.
    public var hashesInputs = false

    public init(today: Day, asOf: YearMonth? = nil, keepIdentifiers: Bool = false, delimiter: UInt8? = nil,
                columnAliases: [String: [String: [String]]] = [:], valueAliases: [String: [String: String]] = [:],
                services: ServiceCatalogue) {
        self.today = today
        self.asOf = asOf
        self.keepIdentifiers = keepIdentifiers
        self.delimiter = delimiter
        self.columnAliases = columnAliases
        self.valueAliases = valueAliases
        self.services = services
    }

    /// `fhir` with the unit of each service's result from the catalogue, as the FHIR reader
    /// needs it to read a valueQuantity in another unit (`FHIRQuantity`).
    var fhirWithResultUnits: FHIRMapping {
        var m = fhir
        for s in services.services {
            if let unit = s.result.unit, case .number = s.result { m.resultUnits[s.code.uppercased()] = unit }
        }
        return m
    }
}

/// Everything validation hands on: the used events, the register and targets, and the account
/// of every row read.
public struct ValidationOutcome: Sendable {
    /// Accepted, deduplicated events dated up to the end of the as-of month.
    public var events: EventSet
    /// For each event: index into `positions` and physical line, to list later warnings (W-NIFAS).
    /// Kept as runs (files are read in order) and 16-bit line numbers: see `RunCodedIndices`.
    public var eventSources: RunCodedIndices
    public var eventLines: EventLines
    public var register: AreaRegister
    public var sasaran: [SasaranEntry]
    /// Errors, one row per problem, sorted by source, line, rule.
    public var rejects: [Diagnostic]
    /// Warnings, one row per problem, sorted by source, line, rule.
    public var warnings: [Diagnostic]
    /// Service-record files in read order, relative to the data folder.
    public var sources: [String]
    /// What `eventSources` index: the labels rows are positioned by, in read order — a CSV
    /// file's path, a worksheet's `FILE:SHEET` (so for CSV inputs, the same as `sources`).
    public var positions: [String] = []
    /// Service-record inputs that could not be read and were skipped (`skipUnreadable`).
    public var unreadable: [UnreadableInput] = []
    /// Accounting per service-record file (same order as `sources`).
    public var files: [FileAccount]
    public var total: FileAccount
    public var registerAccount: FileAccount
    public var sasaranAccount: FileAccount?
    /// The as-of month; nil when no row was accepted and none was given.
    public var asOf: YearMonth?
    /// Register name disagreements and encoding notices, for the manifest and the log.
    public var notes: [String]
    public var keepIdentifiers: Bool
    /// CPU seconds of the Validate threads: those reading and cleaning service files (Ingest;
    /// with `ParallelRowChecking`, the workers together, which also apply the per-row rules) and
    /// the one applying the rules (with workers: the rules across rows; its figure includes the
    /// closing step: the as-of trimming and sorting the diagnostics).
    public var readingCPUSeconds = 0.0
    public var checkingCPUSeconds = 0.0
    /// With `ValidationSettings.hashesInputs`: the SHA-256 and size of each input read as CSV,
    /// from the bytes the reader read — the register, the targets, and each service file (same
    /// order as `files`). Workbooks, FHIR files and reshaped registers have none: the caller
    /// hashes those itself.
    public var registerDigest: ContentDigest?
    public var sasaranDigest: ContentDigest?
    public var fileDigests: [ContentDigest?] = []

    /// The reader's digest of input `source` (register, targets or a service file), if any.
    public func inputDigest(_ source: String, file index: Int? = nil) -> ContentDigest? {
        if let index {
            return fileDigests.indices.contains(index) && files[index].source == source ? fileDigests[index] : nil
        }
        if source == registerAccount.source { return registerDigest }
        if source == sasaranAccount?.source { return sasaranDigest }
        return nil
    }

    /// Drops the events with their files and lines, keeping accounts, diagnostics, register and
    /// targets. They are most of a run's memory (10 M events ≈ 0.5 GB with their ids), and
    /// nothing after Aggregate reads them.
    public mutating func releaseEvents() {
        events = EventSet()
        eventSources = RunCodedIndices(step: 0)
        eventLines = EventLines()
    }

    /// Where event `index` was read: its file (or `FILE:SHEET`) and physical line.
    public func location(ofEvent index: Int) -> SourceLocation {
        SourceLocation(source: positions[Int(eventSources[index])], line: Int(eventLines[index]))
    }

    /// Adds a warning found by a later stage (W-NIFAS, W-GROWTH) for event `index`, keeping the order.
    public mutating func addWarnings(rule: RuleCode, eventIndices: [Int], field: String, message: (Int) -> String) {
        for i in eventIndices {
            let loc = location(ofEvent: i)
            warnings.append(Diagnostic(location: loc, recordID: events.recordIDs[events.events[i].record],
                                       rule: rule, field: field, value: "", message: message(i)))
        }
        warnings.sort(by: Validation.diagnosticOrder)
    }
}

/// The Validate stage (spec §3): reads the data folder, checks every service row against the
/// rules in table order, and accounts for every row.
public enum Validation {
    /// Readable service-record files of a data folder in read order (spec §2.1), relative
    /// paths; `InputFiles.serviceFiles` also lists the ones that cannot be read.
    public static func serviceFiles(in dataDirectory: String) -> [String] {
        InputFiles.serviceFiles(in: dataDirectory).files
    }

    /// The order of rejects.csv and warnings.csv: source, line, rule.
    @Sendable public static func diagnosticOrder(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        if a.location.source != b.location.source {
            return a.location.source.utf8.lexicographicallyPrecedes(b.location.source.utf8)
        }
        if a.location.line != b.location.line { return a.location.line < b.location.line }
        if a.rule != b.rule { return a.rule < b.rule }
        return a.field < b.field
    }

    /// Validates a data folder.
    /// - Throws: `PWSError` `.inputMissing` (no register, no service files), `.data` (register or
    ///   sasaran problems, all listed).
    public static func run(dataDirectory: String, settings: ValidationSettings,
                           progress: ((String, Int) -> Void)? = nil) throws -> ValidationOutcome {
        try InputFiles.checkDataFolder(dataDirectory)
        let wilayahName = try InputFiles.single(dataDirectory: dataDirectory, base: "wilayah") ?? "wilayah.csv"
        let sasaranName = try InputFiles.single(dataDirectory: dataDirectory, base: "sasaran") ?? "sasaran.csv"
        for name in [wilayahName, sasaranName] {
            if let problem = InputFiles.problem(dataDirectory: dataDirectory, name: name) {
                throw PWSError(.inputMissing, "\(name) cannot be read: \(problem)")
            }
        }
        let listing = InputFiles.serviceFiles(in: dataDirectory)
        if !listing.unreadable.isEmpty && !settings.skipUnreadable {
            let list = listing.unreadable.map { "  \($0.path): \($0.reason)" }.joined(separator: "\n")
            throw PWSError(.inputMissing, "\(listing.unreadable.count) service-record input(s) in \(dataDirectory) cannot be read; nothing was published:\n\(list)\nfix or remove them, or run with --skip-unreadable to go on without them (they are then listed in run.json and marked not reported in completeness.csv)")
        }
        let (register, notes, registerAccount, registerDigest) = try RegisterLoader(
            delimiter: settings.delimiter, aliases: settings.columnAliases["wilayah"] ?? [:],
            decimalSeparator: settings.decimalSeparator, workbook: settings.workbooks["wilayah"] ?? .init(),
            hashesContent: settings.hashesInputs
        ).load(path: dataDirectory + "/" + wilayahName, source: wilayahName)
        let (sasaran, sasaranAccount, sasaranDigest, sasaranNotes) = try SasaranLoader(settings: settings, hashesContent: settings.hashesInputs).load(path: dataDirectory + "/" + sasaranName, source: sasaranName, register: register)
        var digests = [ContentDigest?](repeating: nil, count: settings.hashesInputs ? listing.files.count : 0)

        let sources = listing.files
        guard !sources.isEmpty else {
            throw PWSError(.inputMissing, "no service records in \(dataDirectory): put layanan.csv or layanan/*.csv (or .xlsx), or a FHIR export in fhir/*.ndjson, there (spec §2, §A3)")
        }
        try settings.checkReshapeRules(sources: sources)
        var checker = try ServiceRowChecker(settings: settings, register: register)
        checker.reserve(bytes: zip(sources, listing.sizes).reduce(0) { total, file in
            total + recordBytesEstimate(dataDirectory + "/" + file.0, size: file.1)
        })
        var allNotes = notes + sasaranNotes
        if registerAccount.encoding != "utf-8" { allNotes.append("\(wilayahName) is not UTF-8; read as Windows-1252") }
        allNotes += InputFiles.ignoredFolderNotes(in: dataDirectory)
        let checkingStart = ThreadCPUTime.seconds()
        var chunkReader = checker.chunkReader(directory: dataDirectory, sources: sources)
        chunkReader.sizes = listing.sizes
        let held = HeldDiagnostics(limit: settings.maxHeldDiagnostics)
        chunkReader.stop = held.stop
        func fileDone(_ chunk: RowChunk, _ summary: TableReadSummary?) {
            guard let summary else { return }
            allNotes += summary.notes
            if let digest = summary.contentDigest { digests[chunk.file] = digest }
            if summary.encoding == .windows1252 && !summary.utf16 {
                allNotes.append("\(chunk.source) is not UTF-8; read as Windows-1252 — save it as UTF-8 to be sure names are right")
            }
            progress?(chunk.source, checker.accounts[chunk.file].rowsRead)
        }
        let readingCPU: Double
        if settings.checkingWorkers > 0 && !sources.contains(where: { $0.hasPrefix("fhir/") }) {
            // Workers read and apply the per-row rules; this thread the rules across rows, in
            // read order.
            var parallel = ParallelRowChecking(reader: chunkReader, workers: settings.checkingWorkers)
            parallel.unitBytes = settings.checkingUnitBytes
            readingCPU = try held.checked { try parallel.run(
                makeChecker: { try ServiceRowChecker(settings: settings, register: register) },
                registeredRTs: register.rts.count
            ) { checked in
                fileDone(checked.chunk, checker.merge(checked))
                held.count(checker.rejects.count + checker.warnings.count, in: checked.chunk.source)
            } }
        } else {
            // One thread reads and cleans (Ingest), this one applies the rules in read order,
            // and hashes the files read in one block (the reading thread is the busier one).
            chunkReader.options.defersSingleBlockDigest = true
            readingCPU = try held.checked { try chunkReader.run { chunk in
                fileDone(chunk, checker.consume(chunk))
                held.count(checker.rejects.count + checker.warnings.count, in: chunk.source)
            } }
        }
        var outcome = checker.finish(sources: sources, register: checker.register, sasaran: sasaran,
                                     registerAccount: registerAccount, sasaranAccount: sasaranAccount, notes: allNotes)
        outcome.unreadable = listing.unreadable
        outcome.fileDigests = digests
        outcome.registerDigest = registerDigest
        outcome.sasaranDigest = sasaranDigest
        outcome.readingCPUSeconds = readingCPU
        outcome.checkingCPUSeconds = ThreadCPUTime.seconds() - checkingStart
        return outcome
    }

    /// The rejects and warnings a run holds until rejects.csv and warnings.csv are written:
    /// past `maxHeldDiagnostics` the reading stops and the run with it (`PWSError`, exit 66),
    /// rather than running out of memory — a workbook of a million one-cell rows a sheet gave
    /// nine `E-REQUIRED` rejects a row, 38 million of them, ~250 B each.
    final class HeldDiagnostics: @unchecked Sendable {
        /// 20 million (~5 GB held); `PWS_MAX_HELD_DIAGNOSTICS` sets another (docs/operations.md).
        public static let defaultLimit = ProcessInfo.processInfo.environment["PWS_MAX_HELD_DIAGNOSTICS"]
            .flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 20_000_000
        let limit: Int
        private let over = Locked<(source: String, held: Int)?>(nil)

        init(limit: Int) { self.limit = limit }

        /// For `RowChunkReader.stop`: true once the limit is passed.
        var stop: @Sendable () -> Bool { { [over] in over.withLock { $0 != nil } } }

        /// Notes the rejects and warnings held (`n`) after a chunk of `source`.
        func count(_ n: Int, in source: String) {
            if n > limit { over.withLock { if $0 == nil { $0 = (source, n) } } }
        }

        /// The limit's error once it is passed, else nil.
        var error: PWSError? {
            over.withLock { $0 }.map { source, n in
                PWSError(.inputMissing, "\(source): the run holds \(n) rejects and warnings, more than \(limit), by the rows read so far; it stops before they fill the memory and publishes nothing — look at the file (a sheet of rows that each break several rules?), fix or remove it (PWS_MAX_HELD_DIAGNOSTICS raises the limit where memory allows, ~250 B each)")
            }
        }

        /// `body`'s result; the limit's error when it was passed (the reading stopped, or had
        /// read everything before the checking passed it).
        func checked<T>(_ body: () throws -> T) throws -> T {
            let result: T
            do {
                result = try body()
            } catch let stopped as StopRequested {
                throw error ?? stopped
            }
            if let error { throw error }
            return result
        }
    }

    /// How many bytes of records a file likely holds, to size the tables before reading: its
    /// size, except that a file over 64 MiB counts only as far as its first 64 KiB has line
    /// ends at the same density. A huge file that is one bad line (an 8 GiB run of zeros) then
    /// reserves nothing, so memory does not grow with a file's size; a real big export is
    /// estimated as before.
    /// - Parameter size: the file's size when the listing already knows it (saves a `stat`).
    static func recordBytesEstimate(_ path: String, size known: Int? = nil) -> Int {
        let size = known ?? fileSize(path)
        let sampleSize = 64 << 10
        guard size > 64 << 20 else { return size }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var sample = [UInt8](repeating: 0, count: sampleSize)
        let count = sample.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, sampleSize, 0) }
        guard count > 0 else { return 0 }
        let lineEnds = sample.prefix(count).lazy.filter { $0 == 10 || $0 == 13 }.count
        // Full density (a line end every ≤ 200 bytes) keeps the whole size; none keeps none.
        let perLine = lineEnds == 0 ? Int.max : count / lineEnds
        return perLine <= 200 ? size : (perLine == Int.max ? 0 : size / (perLine / 200 + 1))
    }

    /// The size of a file in bytes (0 when it cannot be read): stat(2), not FileManager, which
    /// also looks up owner names.
    public static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }
}

extension ValidationSettings {
    /// Refuses a service file that two `reshape` rules match: only the first was applied, so
    /// what only the second reads (its dated vaccines, say) was lost without a word.
    /// - Throws: `PWSError` `.pipelineDefinition` (exit 64) naming the file and both patterns.
    public func checkReshapeRules(sources: [String]) throws {
        guard reshape.count > 1 else { return }
        for source in sources {
            let matching = reshape.filter { $0.matches(source) }
            guard matching.count > 1 else { continue }
            let shown = PersonID.maskIdentifiersInName(VisibleText.escapingControls(source))
            throw PWSError(.pipelineDefinition,
                           "\(shown) matches two reshape rules (files: \"\(matching[0].files)\" and \"\(matching[1].files)\"); a register is read by one rule — make the patterns match different files, or read all its columns with one rule")
        }
    }
}
