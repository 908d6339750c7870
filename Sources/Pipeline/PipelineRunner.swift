import Aggregate
import Concurrency
import Export
import Foundation
import Logging
import PWSCore
import Validate

/// Wires the stages: Ingest+Validate → Aggregate → Export, and publishes atomically.
public struct PipelineRunner {
    public var request: RunRequest
    public var logger: Logger
    /// Progress lines (stage, records, MB/s) for a terminal; nil when not on one.
    public var progress: (@Sendable (String) -> Void)?

    public init(request: RunRequest, logger: Logger, progress: (@Sendable (String) -> Void)? = nil) {
        self.request = request
        self.logger = logger
        self.progress = progress
    }

    /// Loads the pipeline once (exit 64 on a definition error); `indicators` also loads the
    /// indicator catalogue, which only `run` needs.
    func loadPipeline(indicators: Bool) throws -> LoadedPipeline {
        try LoadedPipeline.load(path: request.pipelinePath, indicators: indicators)
    }

    func validationSettings(_ pipeline: LoadedPipeline) -> ValidationSettings {
        let definition = pipeline.definition
        var settings = ValidationSettings(
            today: request.today, asOf: request.asOf, keepIdentifiers: request.keepIdentifiers,
            delimiter: definition.delimiter, columnAliases: definition.columnAliases,
            valueAliases: definition.valueAliases, services: pipeline.services)
        settings.decimalSeparator = definition.decimalSeparator
        settings.sasaranGroupColumns = definition.sasaranGroupColumns
        settings.workbooks = definition.workbooks
        settings.reshape = definition.reshape
        settings.fhir = definition.fhir
        settings.skipUnreadable = request.skipUnreadable
        return settings
    }

    /// Ingest and validate with progress, timing the stage.
    func validate(_ settings: ValidationSettings) throws -> (ValidationOutcome, seconds: Double) {
        let start = Date()
        // Only the progress line uses the sizes, so they are not read for a quiet or
        // non-terminal run.
        var meter: ProgressMeter?
        var sizes: [String: Int] = [:]
        if progress != nil {
            for rel in Validation.serviceFiles(in: request.dataDirectory) {
                sizes[rel] = Validation.fileSize(request.dataDirectory + "/" + rel)
            }
            meter = ProgressMeter(filesTotal: sizes.count, bytesTotal: sizes.values.reduce(0, +))
        }
        let progress = self.progress
        let outcome = try Validation.run(dataDirectory: request.dataDirectory, settings: settings) { source, read in
            if let line = meter?.fileDone(bytes: sizes[source] ?? 0, rows: read, elapsed: Date().timeIntervalSince(start)) {
                progress?(line)
            }
        }
        let seconds = Date().timeIntervalSince(start)
        logValidation(outcome, seconds: seconds)
        return (outcome, seconds)
    }

    /// The log's account of the validation: rows and files, then the notes (the register's, the
    /// left-out files', …) and the inputs `--skip-unreadable` skipped — the same lines whether
    /// one process read the files or the map tasks of a sharded run did (`seconds`: the
    /// validation's, or the merge's reading of the map summaries).
    func logValidation(_ outcome: ValidationOutcome, seconds: Double) {
        logger.info("validated \(outcome.total.rowsRead) rows in \(outcome.sources.count) files",
                    metadata: ["seconds": "\(String(format: "%.2f", seconds))",
                               "rejected": "\(outcome.total.rowsRejected)"])
        for note in outcome.notes { logger.warning("\(note)") }
        for input in outcome.unreadable { logger.warning("skipped \(input.path): \(input.reason)") }
    }

    /// Manifest inputs: every input file with its sha256 and counts. The hash of a file read as
    /// CSV comes from the reader (`ValidationOutcome.inputDigest`); `digests` (from
    /// `InputDigests`) holds the others' computed earlier, by path relative to the data folder;
    /// any other file is hashed here.
    func inputEntries(_ outcome: ValidationOutcome,
                      digests: [String: (hex: String, bytes: Int)] = [:]) throws -> [Manifest.InputEntry] {
        func entry(_ a: FileAccount, kind: String, counts: Bool, file: Int? = nil) throws -> Manifest.InputEntry {
            let digest = try outcome.inputDigest(a.source, file: file).map { (hex: $0.hex, bytes: $0.bytes) }
                ?? digests[a.source] ?? FileDigest.sha256(path: request.dataDirectory + "/" + a.source)
            var entry = Manifest.InputEntry(
                path: a.source, kind: kind, sha256: digest.hex, bytes: digest.bytes,
                encoding: a.encoding, delimiter: counts && a.sheets == nil ? a.delimiter : nil, rowsRead: a.rowsRead,
                rowsRejected: counts ? a.rowsRejected : nil, rowsAccepted: counts ? a.rowsAccepted : nil,
                rowsUsed: counts ? a.rowsUsed : nil, rowsDuplicate: counts ? a.rowsDuplicate : nil,
                rowsOutOfPeriod: counts ? a.rowsOutOfPeriod : nil, blankRows: a.blankRows,
                unknownColumns: a.unknownColumns)
            entry.sheets = a.sheets?.isEmpty == false ? a.sheets : nil
            return entry
        }
        var entries = [try entry(outcome.registerAccount, kind: "wilayah", counts: false)]
        if let s = outcome.sasaranAccount { entries.append(try entry(s, kind: "sasaran", counts: false)) }
        for (i, a) in outcome.files.enumerated() { entries.append(try entry(a, kind: "layanan", counts: true, file: i)) }
        return entries
    }

    /// Manifest entries for the inputs that could not be read, nil when there were none.
    static func unreadableEntries(_ outcome: ValidationOutcome) -> [Manifest.UnreadableEntry]? {
        outcome.unreadable.isEmpty ? nil : outcome.unreadable.map { Manifest.UnreadableEntry(path: $0.path, reason: $0.reason) }
    }

    static func counts(_ outcome: ValidationOutcome) -> Manifest.Counts {
        let t = outcome.total
        var rejects: [String: Int] = [:], warnings: [String: Int] = [:]
        for d in outcome.rejects { rejects[d.rule.rawValue, default: 0] += 1 }
        for d in outcome.warnings { warnings[d.rule.rawValue, default: 0] += 1 }
        return Manifest.Counts(rowsRead: t.rowsRead, rowsRejected: t.rowsRejected, rowsAccepted: t.rowsAccepted,
                               rowsUsed: t.rowsUsed, rowsDuplicate: t.rowsDuplicate, rowsOutOfPeriod: t.rowsOutOfPeriod,
                               blankRows: t.blankRows, rejectRate: t.rejectRate, rejectsByRule: rejects,
                               warningsByRule: warnings)
    }

    func pipelineEntries(_ definition: PipelineDefinition) throws -> [Manifest.FileEntry] {
        try ([definition.path, definition.servicesPath, definition.indicatorsPath] + [definition.spmPath].compactMap { $0 }).map { path in
            let d: (hex: String, bytes: Int)
            if BuiltInPipeline.isBuiltIn(path), let data = PipelineFiles.contents(atPath: path) {
                d = FileDigest.sha256(bytes: [UInt8](data))
            } else {
                d = try FileDigest.sha256(path: path)
            }
            return Manifest.FileEntry(path: path, sha256: d.hex, bytes: d.bytes)
        }
    }

    /// The manifest entry of an output written by a library that does not hand its bytes over
    /// (the workbooks): the file is read back to be hashed. Every other writer returns its
    /// `WrittenFile`, hashed as it wrote.
    static func outputEntry(folder: String, name: String, rows: Int?) throws -> Manifest.OutputEntry {
        let d = try FileDigest.sha256(path: folder + "/" + name)
        return Manifest.OutputEntry(path: name, sha256: d.hex, bytes: d.bytes, rows: rows)
    }

    var format: OutputFormat { request.excel ? .excel : .standard }

    /// `pws validate`: a dry run. Prints the accounting; with `--out` writes rejects.csv,
    /// warnings.csv and run.json there. Publishes nothing.
    public func validateOnly() throws -> RunReport {
        let pipeline = try loadPipeline(indicators: false)
        let definition = pipeline.definition
        var manifest = Manifest(version: PWSVersion.current, command: "validate", arguments: request.arguments,
                                dataDirectory: request.dataDirectory, today: request.today.description,
                                keepIdentifiers: request.keepIdentifiers, maxRejectRate: definition.maxRejectRate)
        var settings = validationSettings(pipeline)
        settings.hashesInputs = request.outputDirectory != nil  // run.json lists the inputs' hashes
        var (outcome, seconds) = try validate(settings)
        if let asOf = outcome.asOf {
            // The warnings `pws run` adds after validation (W-NIFAS, W-GROWTH), so a dry run
            // lists them too.
            addLaterWarnings(&outcome, pipeline: pipeline, asOf: asOf)
        }
        let lost = ConsoleSummary.lostFiles(outcome)
        var lines = ConsoleSummary.lines(outcome, maxRejectRate: definition.maxRejectRate, lost: lost)
        let over = outcome.total.rejectRate > definition.maxRejectRate
        if over {
            lines.append(String(format: "the reject rate is over the pipeline's limit of %.2f %%: `pws run` would refuse to publish", definition.maxRejectRate * 100))
        }
        if let out = request.outputDirectory {
            try OutputFolder.ensureDirectory(out)
            // Not a published run's folder: the dry run's files would replace the run's own.
            try OutputFolder.refusePublishedRun(out, as: "a folder of its own (e.g. \(out)-validate)")
            manifest.pipeline = try pipelineEntries(definition)
            manifest.asOf = outcome.asOf?.description
            manifest.inputs = try inputEntries(outcome)
            manifest.unreadableInputs = PipelineRunner.unreadableEntries(outcome)
            manifest.counts = PipelineRunner.counts(outcome)
            manifest.notes = outcome.notes
            manifest.timingsSeconds = ["ingest_validate": seconds, "validate_reading_cpu": outcome.readingCPUSeconds,
                                       "validate_checking_cpu": outcome.checkingCPUSeconds]
            // Through temporary names: a link planted at rejects.csv is replaced, not written through.
            let r = try OutputFile.replacing(out + "/rejects.csv") {
                try DiagnosticsTable.write(outcome.rejects, to: $0, format: format, keepIdentifiers: request.keepIdentifiers)
            }
            let w = try OutputFile.replacing(out + "/warnings.csv") {
                try DiagnosticsTable.write(outcome.warnings, to: $0, format: format, keepIdentifiers: request.keepIdentifiers)
            }
            manifest.outputs = [Manifest.OutputEntry(path: "rejects.csv", r), Manifest.OutputEntry(path: "warnings.csv", w)]
            manifest.status = "dry-run"
            manifest.exitStatus = over ? ExitStatus.dataError.rawValue : 0
            manifest.finishedAt = ISO8601DateFormatter().string(from: Date())
            try manifest.write(to: out + "/run.json")
            lines.append("wrote \(out)/rejects.csv (\(r.rows ?? 0) rows), \(out)/warnings.csv (\(w.rows ?? 0) rows), \(out)/run.json")
        }
        return RunReport(exitStatus: over ? .dataError : .success, lines: lines, folder: request.outputDirectory,
                         fileAccounts: outcome.files + [outcome.total], attention: ConsoleSummary.attention(outcome, lost: lost))
    }
}

/// The sha256 of the input files the reader did not hash (workbooks, FHIR files, reshaped
/// registers; every input of a sharded run's merge), computed on a thread of its own while
/// Aggregate runs on the calling one (hashing the 1.4 GB of a 10 M-record district takes
/// ~1.5 s of one core).
struct InputDigests {
    private let thread: BackgroundThread<[String: (hex: String, bytes: Int)]>

    /// Starts hashing `sources` (relative to `directory`).
    init(directory: String, sources: [String]) {
        thread = BackgroundThread {
            var digests: [String: (hex: String, bytes: Int)] = [:]
            for source in sources {
                digests[source] = try FileDigest.sha256(path: directory + "/" + source)
            }
            return digests
        }
    }

    /// Waits for the hashes.
    /// - Throws: the first file that could not be read.
    func wait() throws -> [String: (hex: String, bytes: Int)] { try thread.wait() }

    /// Every input of an outcome (register, targets, service files) whose hash the reader did
    /// not compute (`ValidationOutcome.inputDigest`).
    static func sources(of outcome: ValidationOutcome) -> [String] {
        var sources: [String] = []
        if outcome.registerDigest == nil { sources.append(outcome.registerAccount.source) }
        if let s = outcome.sasaranAccount, outcome.sasaranDigest == nil { sources.append(s.source) }
        for (i, a) in outcome.files.enumerated() where outcome.inputDigest(a.source, file: i) == nil {
            sources.append(a.source)
        }
        return sources
    }
}
