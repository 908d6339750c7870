import Foundation
import CSV
import Concurrency
import Ingest
import PWSCore

// The map stage of a sharded run (spec §A7, docs/scale.md): the per-row rules of §3 over a
// share of the service files, without the rules that compare rows across files
// (E-DUPLICATE-ID, W-DUPLICATE) and without the as-of trimming. Each row that passes every
// per-row error rule is handed on as a `ShardCandidate` carrying global keys only (its file's
// index in the run's file order, its position label and line, its ids as bytes, its RT as the
// register's index or as labels when unregistered), so later stages in other processes decide
// the cross-file rules exactly as `Validation.run` decides them in one process.

/// A row that passed every per-row error rule of §3: what the later stages need to decide
/// E-DUPLICATE-ID, W-DUPLICATE and the indicators, with no process-local index in it.
public struct ShardCandidate: Sendable {
    /// Index of the file in the share given to `Validation.runMap` (the caller adds the share's
    /// offset to get the index in the run's file order).
    public var file: Int
    /// What the row is positioned by (a CSV file's path, a worksheet's `FILE:SHEET`) and its line.
    public var label: String
    public var line: Int
    /// The record id as cleaned (§2.1) and the normalised person id (§2.4), as bytes.
    public var recordID: [UInt8]
    public var person: [UInt8]
    /// pregnancy_id and facility_id as cleaned; empty when absent.
    public var pregnancyID: [UInt8]
    public var facilityID: [UInt8]
    /// The event's values. Its `person`, `record`, `pregnancy` and `facility` indices are
    /// meaningless here (0); `rt` is an index into the register as loaded, valid only when
    /// `unregisteredRT` is nil.
    public var event: ServiceEvent
    /// The RT when the register does not list it (W-AREA): village index and labels.
    public var unregisteredRT: RTArea?
    /// Hash of the raw text of a result that did not parse (W-RESULT), 0 otherwise:
    /// W-DUPLICATE compares such results by their text.
    public var rawResultHash: Int
    /// The row's warnings, kept only if it is accepted (passes E-DUPLICATE-ID).
    public var pending: [Diagnostic]
    /// The `name` column as cleaned, only when the run keeps identifiers; empty otherwise.
    public var name: [UInt8] = []
}

/// What a map task found besides its candidates.
public struct ShardMapOutcome: Sendable {
    /// Per file of the share, in order: rows read, blank rows, encoding, delimiter, sheets,
    /// unknown columns, and the rows rejected by the per-row rules (E-DUPLICATE-ID is added
    /// later; accepted, duplicate and out-of-period counts are decided later).
    public var accounts: [FileAccount]
    /// The per-row rejects (reader problems and §3 error rules other than E-DUPLICATE-ID).
    public var rejects: [Diagnostic]
    /// Encoding notices and the readers' notes, in read order.
    public var notes: [String]
    /// RTs the rows used that the register does not list, in order of first use.
    public var unregistered: [RTArea]
    /// With `ValidationSettings.hashesInputs`: per file of the share, the SHA-256 and size of
    /// the bytes read (CSV; nil for a file read otherwise — a workbook, FHIR).
    public var digests: [ContentDigest?] = []
    public var readingCPUSeconds = 0.0
    public var checkingCPUSeconds = 0.0
}

/// The register and targets of a data folder, loaded as `Validation.run` loads them.
public struct RegisterInputs: Sendable {
    public var register: AreaRegister
    public var sasaran: [SasaranEntry]
    /// Register name disagreements and the register's encoding notice.
    public var notes: [String]
    public var registerAccount: FileAccount
    public var sasaranAccount: FileAccount?
}

extension Validation {
    /// Every service file of a data folder, the readable ones in read order and the others
    /// with their reasons (spec §A8).
    public static func serviceListing(in dataDirectory: String) -> ServiceFileListing {
        InputFiles.serviceFiles(in: dataDirectory)
    }

    /// Loads `wilayah` and `sasaran` of a data folder exactly as `run` does.
    /// - Throws: as `run` for a missing folder, register or targets, or their problems.
    public static func loadRegister(dataDirectory: String, settings: ValidationSettings) throws -> RegisterInputs {
        try InputFiles.checkDataFolder(dataDirectory)
        let wilayahName = try InputFiles.single(dataDirectory: dataDirectory, base: "wilayah") ?? "wilayah.csv"
        let sasaranName = try InputFiles.single(dataDirectory: dataDirectory, base: "sasaran") ?? "sasaran.csv"
        for name in [wilayahName, sasaranName] {
            if let problem = InputFiles.problem(dataDirectory: dataDirectory, name: name) {
                throw PWSError(.inputMissing, "\(name) cannot be read: \(problem)")
            }
        }
        let (register, notes, registerAccount, _) = try RegisterLoader(
            delimiter: settings.delimiter, aliases: settings.columnAliases["wilayah"] ?? [:],
            decimalSeparator: settings.decimalSeparator, workbook: settings.workbooks["wilayah"] ?? .init()
        ).load(path: dataDirectory + "/" + wilayahName, source: wilayahName)
        let (sasaran, sasaranAccount, _, sasaranNotes) = try SasaranLoader(settings: settings).load(path: dataDirectory + "/" + sasaranName, source: sasaranName, register: register)
        var allNotes = notes + sasaranNotes
        if registerAccount.encoding != "utf-8" { allNotes.append("\(wilayahName) is not UTF-8; read as Windows-1252") }
        allNotes += InputFiles.ignoredFolderNotes(in: dataDirectory)
        return RegisterInputs(register: register, sasaran: sasaran, notes: allNotes,
                              registerAccount: registerAccount, sasaranAccount: sasaranAccount)
    }

    /// The map stage over `sources` (a share of the run's files, in read order): the same
    /// reading and per-row rules as `run`, each candidate handed to `emit` in read order.
    /// `fileDone`, when given, is called at the end of each file (after all its candidates) with
    /// the file's index in `sources`, its account, its per-row rejects, its notes — the
    /// outcome's lists are these, concatenated (the incremental cache keeps them per file) — and
    /// the visit dates its E-FUTURE rule compared with today (`ComparedVisits`).
    /// `fhirContext`: every `fhir/` file of the run, in read order, when `sources` is a share of
    /// them (the FHIR context is built from all; records are made only from `sources`). The
    /// context pass reports nothing (no notes, no rejects, no accounts): a file's malformed
    /// lines and notes come from its record pass, in the task whose share holds it. Nil: the
    /// `fhir/` files of `sources`.
    /// `stop`, asked before each file and chunk: once it says true, no further chunk is checked
    /// and the map throws `StopRequested` with the number of files checked whole.
    /// - Throws: as `run` when a file cannot be read; `StopRequested` when `stop` said so.
    public static func runMap(dataDirectory: String, settings: ValidationSettings, register: AreaRegister,
                              sources: [String], fhirContext: [String]? = nil,
                              stop: (@Sendable () -> Bool)? = nil,
                              emit: @escaping (ShardCandidate) -> Void,
                              fileDone: ((_ file: Int, _ account: FileAccount, _ rejects: ArraySlice<Diagnostic>,
                                          _ notes: ArraySlice<String>, _ compared: ComparedVisits) -> Void)? = nil) throws -> ShardMapOutcome {
        try settings.checkReshapeRules(sources: sources)
        var checker = try ServiceRowChecker(settings: settings, register: register)
        checker.candidateSink = emit
        var notes: [String] = []
        let checkingStart = ThreadCPUTime.seconds()
        var readingCPU = 0.0
        var rejectsStart = 0, notesStart = 0
        var digests = [ContentDigest?](repeating: nil, count: settings.hashesInputs ? sources.count : 0)
        if !sources.isEmpty {
            var reader = checker.chunkReader(directory: dataDirectory, sources: sources)
            reader.fhirContextSources = fhirContext
            let held = HeldDiagnostics(limit: settings.maxHeldDiagnostics)
            let heldStop = held.stop
            reader.stop = { heldStop() || stop?() == true }
            // Once `stop` says so, the chunks the reader had read ahead are not checked: the
            // files checked whole are those before the first one skipped.
            var stopped = false
            do {
                readingCPU = try reader.run { chunk in
                    if stopped { return }
                    if let stop, stop() {
                        stopped = true
                        return
                    }
                    let summary = checker.consume(chunk)
                    held.count(checker.rejects.count + checker.warnings.count, in: chunk.source)
                    guard let summary else { return }
                    if let digest = summary.contentDigest, chunk.file < digests.count { digests[chunk.file] = digest }
                    notes += summary.notes
                    if summary.encoding == .windows1252 && !summary.utf16 {
                        notes.append("\(chunk.source) is not UTF-8; read as Windows-1252 — save it as UTF-8 to be sure names are right")
                    }
                    if let fileDone, let account = checker.accounts.last {
                        let (latest, after) = checker.compared
                        fileDone(chunk.file, account, checker.rejects[rejectsStart...], notes[notesStart...],
                                 ComparedVisits(latest: latest.raw == .min ? nil : latest,
                                                earliestAfter: after.raw == .max ? nil : after, today: settings.today))
                        rejectsStart = checker.rejects.count
                        notesStart = notes.count
                    }
                    checker.compared = (Day(raw: .min), Day(raw: .max))
                }
            } catch is StopRequested {
                stopped = true
            }
            if let error = held.error { throw error }
            if stopped { throw StopRequested(done: checker.accounts.count) }
        }
        let unregistered = Array(checker.register.rts[register.rts.count...])
        return ShardMapOutcome(accounts: checker.accounts, rejects: checker.rejects, notes: notes,
                               unregistered: unregistered, digests: digests, readingCPUSeconds: readingCPU,
                               checkingCPUSeconds: ThreadCPUTime.seconds() - checkingStart)
    }
}

extension ServiceRowChecker {
    /// Hands a row that passed every per-row error rule to the map stage's sink (see `check`).
    /// The candidate's arrays are the last one's, refilled: a sink that keeps a candidate keeps
    /// its own copy (copy on write), one that does not costs no allocation per row.
    mutating func emitCandidate(_ c: RowCheck, _ event: ServiceEvent, file: Int) {
        if candidateScratch == nil {
            candidateScratch = ShardCandidate(
                file: 0, label: "", line: 0, recordID: [], person: [], pregnancyID: [], facilityID: [], event: event,
                unregisteredRT: nil, rawResultHash: 0, pending: [])
        }
        // Filled where it lies (no copy of the candidate, so no retain and release of its
        // arrays per row); the RT is copied, its labels retained, only when unregistered.
        let rt = Int(c.rtIndex)
        ServiceRowChecker.fill(&candidateScratch!, c, event, file: file, person: personScratch.bytes,
                               keepName: settings.keepIdentifiers,
                               unregisteredRT: register.rts[rt].registered ? nil : register.rts[rt])
        candidateSink?(candidateScratch!)
    }

    private static func fill(_ candidate: inout ShardCandidate, _ c: RowCheck, _ event: ServiceEvent, file: Int,
                             person: UnsafeRawBufferPointer, keepName: Bool, unregisteredRT: RTArea?) {
        let row = c.row
        candidate.file = file
        candidate.label = row.location.source
        candidate.line = row.location.line
        refill(&candidate.recordID, row.cleaned(.recordID))
        refill(&candidate.person, person)
        refill(&candidate.pregnancyID, row.cleaned(.pregnancyID))
        refill(&candidate.facilityID, row.cleaned(.facilityID))
        refill(&candidate.name, keepName ? row.cleaned(.name) : UnsafeRawBufferPointer(start: nil, count: 0))
        candidate.event = event
        candidate.unregisteredRT = unregisteredRT
        candidate.rawResultHash = c.resultHash ?? 0
        candidate.pending = c.pending
    }

    private static func refill(_ bytes: inout [UInt8], _ from: UnsafeRawBufferPointer) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: from)
    }
}

/// The visit dates one file's E-FUTURE rule compared with `today` (the only per-row rule that
/// reads today): the latest on or before it and the earliest after it, nil when none. The file's
/// map is the same under any today in `latest ..< earliestAfter`, but for the today its E-FUTURE
/// messages name (`Validation.futureMessage`): the incremental cache uses one entry for every
/// such today (docs/scale.md, "`--today` and a nightly run").
public struct ComparedVisits: Sendable, Equatable {
    public var latest: Day?
    public var earliestAfter: Day?
    /// The today the file was checked with.
    public var today: Day

    public init(latest: Day?, earliestAfter: Day?, today: Day) {
        self.latest = latest
        self.earliestAfter = earliestAfter
        self.today = today
    }

    /// True when checking the file with `other` as today rejects the same rows.
    public func holds(for other: Day) -> Bool {
        (latest.map { $0 <= other } ?? true) && (earliestAfter.map { other < $0 } ?? true)
    }
}

extension Validation {
    /// The message of E-FUTURE.
    public static func futureMessage(visit: Day, today: Day) -> String {
        "visit_date \(visit) is after today (\(today)); check the date's year (a typo?), or this machine's clock"
    }

    /// `message`, an E-FUTURE message written with today `from`, as written with today `to`.
    public static func futureMessage(_ message: String, from: Day, to: Day) -> String {
        message.replacingOccurrences(of: " is after today (\(from)); ", with: " is after today (\(to)); ")
    }

    /// The message of E-DUPLICATE-ID (one text for `pws run` and the sharded run).
    public static func duplicateIDMessage(_ recordID: String) -> String {
        "record_id \"\(recordID)\" is already used by an earlier row with other content (files are read in name order; the earlier row counts); give each service its own id — to correct a file, replace the old file with it, do not add it beside the old one"
    }

    /// The message of W-DUPLICATE: where the first row with the same key was, and its record id.
    public static func duplicateEventMessage(first: SourceLocation, firstRecordID: String) -> String {
        // The other row's file, named as every output names it (a NIK in the name masked, with
        // or without --keep-identifiers, which keeps values, not names).
        "same person, visit_date, service_code, facility_id and result as \(PersonID.maskIdentifiersInName(first.description)) (record \(firstRecordID)); dropped as a duplicate"
    }
}

extension ValidationOutcome {
    /// An outcome put together by the merge of a sharded run from its tasks' accounts and
    /// diagnostics: no events (Aggregate's counts come with it instead).
    public static func merged(register: AreaRegister, sasaran: [SasaranEntry], rejects: [Diagnostic],
                              warnings: [Diagnostic], sources: [String], files: [FileAccount], total: FileAccount,
                              registerAccount: FileAccount, sasaranAccount: FileAccount?, asOf: YearMonth?,
                              notes: [String], keepIdentifiers: Bool) -> ValidationOutcome {
        ValidationOutcome(events: EventSet(), eventSources: RunCodedIndices(step: 0), eventLines: EventLines(),
                          register: register, sasaran: sasaran, rejects: rejects, warnings: warnings, sources: sources,
                          files: files, total: total, registerAccount: registerAccount, sasaranAccount: sasaranAccount,
                          asOf: asOf, notes: notes, keepIdentifiers: keepIdentifiers)
    }
}
