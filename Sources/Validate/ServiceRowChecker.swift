import Foundation
import CSV
import Ingest
import PWSCore

/// Checks service rows one by one (spec §3) and keeps the accepted ones as compact events.
struct ServiceRowChecker {
    let settings: ValidationSettings
    var register: AreaRegister
    let decoders: Decoders

    var events = EventSet()
    var eventSources = RunCodedIndices(step: 0)
    var eventLines = EventLines()
    var rejects: [Diagnostic] = []
    var warnings: [Diagnostic] = []
    var accounts: [FileAccount] = []
    /// Row position labels in read order (a CSV file's path, a worksheet's `FILE:SHEET`);
    /// events keep an index into it.
    var positions: [String] = []
    /// Per file: accepted, non-duplicate rows per visit month (for rows_out_of_period).
    var monthCounts: [[YearMonth: Int]] = []
    var latestAccepted: Day?

    var persons = ByteInterner(capacity: 1 << 16)
    var recordIDs = ByteInterner(capacity: 1 << 16)
    /// For each interned record id: the content of its first row that passed every other error
    /// rule — an event index, or `sideFlag | index` into `sideContent` when that row was a duplicate.
    var recordContent = RunCodedIndices(step: 1)
    var sideContent: [ServiceEvent] = []
    /// Raw-text hashes of results that did not parse, by `sideContent` index.
    var sideResultHash: [UInt32: Int] = [:]
    static let sideFlag: UInt32 = 1 << 31
    var pregnancies = ByteInterner(capacity: 1024)
    var facilities = ByteInterner(capacity: 1024)
    /// Names (`--keep-identifiers` only) and, by person index, 1 + the name's index (0 = none).
    var names = ByteInterner(capacity: 1024)
    var nameOfPerson: [UInt32] = []
    var duplicateKeys = EventKeyTable()
    /// Normalised person id of the row being checked (reused, so no allocation per row).
    var personScratch = ByteScratch()
    /// The key of the row's code or area combination (`FieldComboCache`).
    var keyScratch = ByteScratch()
    /// sex, facility_type, service_code, provider spellings seen before → their values.
    var codeCache: FieldComboCache<CachedCodes>
    /// village_code, rw, rt spellings seen before → village and RT (rows that passed).
    var areaCache: FieldComboCache<CachedArea>
    /// Per service: its sex and age limits, and how its result is read (plain copies of the
    /// catalogue's, so a row does not copy a `ServiceDefinition` with its strings).
    let limits: [EligibilityLimits]
    let resultKinds: [ResultKind]
    /// Run-length count of accepted rows per visit month, flushed into `monthCounts`.
    var runMonth = YearMonth(year: 0, month: 1)
    var runCount = 0
    /// Raw-text hashes of results that did not parse, by event index (W-DUPLICATE compares them).
    var invalidResultHash: [UInt32: Int] = [:]

    /// The layanan column names with the pipeline's aliases, shared by every file.
    let columnNames: TableColumnNames
    /// Set by the map stage of a sharded run (`Validation.runMap`): rows that pass every
    /// per-row error rule go here, and the cross-file rules are left to later stages.
    var candidateSink: ((ShardCandidate) -> Void)?
    /// The candidate handed to `candidateSink` last, kept so the next one reuses its arrays.
    var candidateScratch: ShardCandidate?
    /// The visit dates E-FUTURE compared with today since the last reset, the latest on or
    /// before today and the earliest after it (`Day(raw: .min)`, `Day(raw: .max)` when none):
    /// `Validation.runMap` reports them per file as `ComparedVisits`.
    var compared = (latest: Day(raw: .min), earliestAfter: Day(raw: .max))

    init(settings: ValidationSettings, register: AreaRegister) throws {
        columnNames = try TableColumnNames(schema: .layanan, extraAliases: settings.columnAliases["layanan"] ?? [:])
        self.settings = settings
        self.register = register
        decoders = Decoders(valueAliases: settings.valueAliases, services: settings.services)
        limits = settings.services.services.map(\.limits)
        codeCache = FieldComboCache(limit: settings.comboCacheLimit)
        areaCache = FieldComboCache(limit: settings.comboCacheLimit)
        resultKinds = settings.services.services.map(\.result)
    }

    /// Sizes the arrays and tables for service files of `bytes` bytes in all, so arrays do not
    /// double (a copy at twice the size) and tables rehash at most once while reading. Array
    /// capacity is generous (a row is ~110–140 bytes in the exports seen; capacity never used
    /// costs address space, not memory); hash tables, touched in full, are sized for the likely
    /// row count.
    mutating func reserve(bytes: Int) {
        let rows = min(max(bytes / 90, 1024), 1 << 27)
        let likely = min(max(bytes / 150, 1024), 1 << 27)
        recordIDs.reserve(likely, bytes: rows * 16, blockSize: 4)
        persons.reserve(likely / 8, bytes: rows * 2)
        duplicateKeys.reserve(likely)
        events.events.reserveCapacity(rows)
        eventLines.reserveCapacity(rows)
    }

    /// The account of the file whose chunks are being consumed.
    var current: FileAccount?

    /// How service files are read: the dialect options and the shared column names.
    func chunkReader(directory: String, sources: [String]) -> RowChunkReader {
        var options = CSVReadOptions()
        options.delimiter = settings.delimiter
        options.hashesContent = settings.hashesInputs
        return RowChunkReader(directory: directory, sources: sources, names: columnNames, options: options,
                              workbook: settings.workbooks["layanan"] ?? .init(), reshape: settings.reshape,
                              fhir: settings.fhirWithResultUnits)
    }

    /// Checks the rows of one chunk; on a file's last chunk, closes its account.
    /// - Returns: the file's reading summary when this was its last chunk.
    mutating func consume(_ chunk: RowChunk) -> TableReadSummary? {
        var account = openAccount(chunk)
        let position = positions.count - 1
        chunk.forEachRow { row in check(row, file: chunk.file, position: position, account: &account) }
        return closeAccount(chunk, account)
    }

    /// The account of `chunk`'s file (a new one at its first chunk), taken out of `current` so
    /// it stays uniquely referenced while rows are added; the chunk's reader problems are added
    /// to the rejects and its label to the positions.
    mutating func openAccount(_ chunk: RowChunk) -> FileAccount {
        if current == nil {
            current = FileAccount(source: chunk.source)
            monthCounts.append([:])
            runCount = 0
        }
        let account = current!
        current = nil
        rejects.append(contentsOf: chunk.problems)
        if positions.last != chunk.label { positions.append(chunk.label) }
        return account
    }

    /// Puts the account back, or on the file's last chunk closes it with the reading summary.
    /// - Returns: the file's reading summary when this was its last chunk.
    mutating func closeAccount(_ chunk: RowChunk, _ account: FileAccount) -> TableReadSummary? {
        var account = account
        guard let summary = chunk.summary else {
            current = account
            return nil
        }
        flushMonthRun(file: chunk.file)
        account.rowsRead = summary.rowsRead
        account.rowsRejected += summary.rowsRejected
        account.blankRows = summary.blankRows
        account.encoding = summary.utf16 ? "utf-16" : summary.encoding == .utf8 ? "utf-8" : "windows-1252"
        account.delimiter = summary.sheets != nil ? "" : summary.delimiter == 0x09 ? "tab" : String(UnicodeScalar(summary.delimiter))
        account.sheets = summary.sheets
        account.unknownColumns = summary.unknownColumns
        accounts.append(account)
        return summary
    }

    mutating func flushMonthRun(file: Int) {
        if runCount > 0 { monthCounts[file][runMonth, default: 0] += runCount }
        runCount = 0
    }

    /// Checks one row: the §3 rules as named steps (`Rules/`), in the table order of §3, in one
    /// pass; a step skips a field that already failed. The cache look-ups and prefetches sit
    /// between the steps, where they let memory loads overlap with the checks.
    /// - Complexity: O(1) expected per row; no allocation unless a rule fails.
    private mutating func check(_ row: BatchRow, file: Int, position: Int, account: inout FileAccount) {
        var c = RowCheck(row: row)
        // The record id and person tables are large and read at random: start loading their
        // slots now, so the misses overlap with the checks below.
        recordIDs.prefetch(hash: c.idHash)
        checkErrorRules(&c)
        if c.rejected {
            account.rowsRejected += 1
            return
        }

        // The result first (it adds no warning before W-RESULT's and needs no interned id), so
        // the W-DUPLICATE slot is known and prefetched before the ids are interned: its miss
        // then overlaps with the person table's.
        var event = ServiceEvent(person: 0, record: 0, visit: c.visit, birth: c.birth, service: c.service,
                                 sex: c.sex, rt: 0, facilityType: c.facilityType, provider: c.provider)
        checkResult(&c, &event)    // W-RESULT
        // The map stage (ShardMap.swift) hands the row on with its ids as bytes: it needs no
        // W-DUPLICATE slot and no interned ids.
        let mapStage = candidateSink != nil
        var keyHash: UInt64 = 0, facilityHash: UInt64 = 0
        if !mapStage {
            facilityHash = c.row.isEmpty(.facilityID) ? 0 : ByteInterner.hash64(c.row.cleaned(.facilityID))
            keyHash = EventKeyTable.hash(event, personHash: c.personHash, facilityHash: facilityHash,
                                         raw: c.resultHash ?? 0)
            duplicateKeys.prefetch(hash: keyHash)
        }
        resolveRT(&c)
        event.rt = c.rtIndex
        if !mapStage {
            event = internIDs(c, personBytes: personScratch.bytes, personHash: c.personHash,
                              facilityHash: facilityHash, event: event)
        }
        checkGestation(&c, &event) // W-GESTATION
        checkAreaWarning(&c)       // W-AREA
        checkNIK(&c)               // W-NIK
        if mapStage { return emitCandidate(c, event, file: file) }
        checkAcrossRows(&c, &event, keyHash: keyHash, file: file, position: position, account: &account)
    }

    /// The rules that compare a row with the rows before it, for a row that passed every
    /// per-row rule (its warnings in `c.pending`): E-DUPLICATE-ID, then W-DUPLICATE; keeps the
    /// accepted event. Rows must come here in read order.
    @inline(__always)
    mutating func checkAcrossRows(_ c: inout RowCheck, _ event: inout ServiceEvent, keyHash: UInt64, file: Int,
                                  position: Int, account: inout FileAccount) {
        guard let record = checkDuplicateID(&c, &event) else {  // E-DUPLICATE-ID
            account.rowsRejected += 1
            return
        }
        keepName(c, person: event.person)
        let isNewRecord = record.isNew
        if !c.pending.isEmpty { warnings.append(contentsOf: c.pending) }
        account.rowsAccepted += 1
        if latestAccepted.map({ c.visit > $0 }) ?? true { latestAccepted = c.visit }
        if dropDuplicateEvent(c, event, isNewRecord: isNewRecord, source: account.source, keyHash: keyHash) {
            account.rowsDuplicate += 1  // W-DUPLICATE
            return
        }
        accept(c, isNewRecord: isNewRecord, file: file, position: position)
    }

    /// The per-row error rules of §3 in their table order (everything but E-DUPLICATE-ID); a
    /// rule that fails sets `c.rejected`. Shared by `check` and the workers' `precheck`.
    @inline(__always)
    mutating func checkErrorRules(_ c: inout RowCheck) {
        checkRequired(&c)          // E-REQUIRED
        lookUpArea(&c)
        checkAreaLabels(&c)        // E-REQUIRED (rw, rt)
        checkDates(&c)             // E-DATE
        checkFuture(&c)            // E-FUTURE
        checkBeforeBirth(&c)       // E-BEFORE-BIRTH
        lookUpCodes(&c)
        checkSex(&c)               // E-SEX
        checkPerson(&c)            // E-PERSON
        checkArea(&c)              // E-AREA
        checkFacility(&c)          // E-FACILITY
        checkService(&c)           // E-SERVICE
        decodeProvider(&c)
        checkEligibility(&c)       // E-ELIGIBILITY
    }

    /// The area combination as decided by an earlier accepted row, if any.
    @inline(__always)
    private mutating func lookUpArea(_ c: inout RowCheck) {
        let row = c.row
        if FieldComboCache<CachedArea>.key(row.cleaned(.villageCode), row.cleaned(.rw), row.cleaned(.rt),
                                           into: &keyScratch) {
            c.area = areaCache.find(keyScratch)
        }
    }

    /// The code combination (sex, facility type, service, provider) as decided by an earlier
    /// accepted row, if any.
    @inline(__always)
    private mutating func lookUpCodes(_ c: inout RowCheck) {
        let row = c.row
        if FieldComboCache<CachedCodes>.key(row.cleaned(.sex), row.cleaned(.facilityType), row.cleaned(.serviceCode),
                                            row.cleaned(.provider), into: &keyScratch) {
            c.codes = codeCache.find(keyScratch)
        }
    }

    /// Caches the row's code combination, which passed E-SEX, E-FACILITY and E-SERVICE.
    mutating func storeCodes(_ c: RowCheck) {
        let row = c.row
        if FieldComboCache<CachedCodes>.key(row.cleaned(.sex), row.cleaned(.facilityType), row.cleaned(.serviceCode),
                                            row.cleaned(.provider), into: &keyScratch) {
            codeCache.store(CachedCodes(sex: c.sex, facilityType: c.facilityType, service: c.service,
                                        provider: c.provider), keyScratch)
        }
    }

    /// The RT of a row that passed every error rule (added as unregistered when the register
    /// lacks it; the combination is cached) and whether it is unregistered (W-AREA).
    @inline(__always)
    mutating func resolveRT(_ c: inout RowCheck) {
        let row = c.row
        if let area = c.area {
            c.rtIndex = area.rtIndex
            c.areaWarning = area.unregistered
        } else {
            c.rtIndex = register.rt(village: c.village, rw: c.rwLabel, rt: c.rtLabel)
                ?? register.rtAddingUnregistered(village: c.village, rw: c.rwLabel, rt: c.rtLabel)
            c.areaWarning = !register.rts[Int(c.rtIndex)].registered
            if FieldComboCache<CachedArea>.key(row.cleaned(.villageCode), row.cleaned(.rw), row.cleaned(.rt),
                                               into: &keyScratch) {
                areaCache.store(CachedArea(village: c.village, rtIndex: c.rtIndex, unregistered: c.areaWarning),
                                keyScratch)
            }
        }
    }

    /// `event` with its interned person, pregnancy, facility (and, with `--keep-identifiers`,
    /// name): the indices that depend on the order rows are met in.
    /// - Parameter facilityHash: `ByteInterner.hash64` of the facility_id (unused when it is empty).
    @inline(__always)
    mutating func internIDs(_ c: RowCheck, personBytes: UnsafeRawBufferPointer, personHash: UInt64,
                            facilityHash: UInt64, event: ServiceEvent) -> ServiceEvent {
        let row = c.row
        var event = event
        let person = persons.intern(personBytes, hash: personHash).index
        event.person = person
        if !row.isEmpty(.pregnancyID) { event.pregnancy = pregnancies.intern(row.cleaned(.pregnancyID)).index + 1 }
        if !row.isEmpty(.facilityID) {
            event.facility = facilities.intern(row.cleaned(.facilityID), hash: facilityHash).index + 1
        }
        return event
    }

    /// With `--keep-identifiers`, the row's name as its person's: the last accepted row's that
    /// has one (called once E-DUPLICATE-ID has passed the row — a rejected row's name went onto
    /// the follow-up list).
    @inline(__always)
    mutating func keepName(_ c: RowCheck, person: UInt32) {
        guard settings.keepIdentifiers && !c.row.isEmpty(.name) else { return }
        let name = names.intern(c.row.cleaned(.name)).index + 1
        if nameOfPerson.count <= Int(person) {
            nameOfPerson.append(contentsOf: repeatElement(0, count: Int(person) + 1 - nameOfPerson.count))
        }
        nameOfPerson[Int(person)] = name
    }

    /// Keeps an accepted, non-duplicate event's file, line and record content, and counts its
    /// visit month.
    mutating func accept(_ c: RowCheck, isNewRecord: Bool, file: Int, position: Int) {
        let candidate = UInt32(events.events.count - 1)
        if isNewRecord { recordContent.append(candidate) }
        eventSources.append(UInt32(position))
        // A line past 2³² (a file of over 4 G lines) is kept as the largest line number rather
        // than trap; only a later W-NIFAS warning would show it.
        eventLines.append(UInt32(clamping: c.row.location.line))
        let month = YearMonth(c.visit)
        if month != runMonth || runCount == 0 {
            flushMonthRun(file: file)
            runMonth = month
        }
        runCount += 1
    }

    /// Decides the as-of month, drops events after it, closes the accounts.
    ///
    /// The lookup tables (record ids, persons, event keys, caches) are released first: the
    /// events and the id arenas are all that is handed on, and the sorts below then run with
    /// the hash tables' 256 MB (at 10 M rows) already given back.
    mutating func finish(sources: [String], register: AreaRegister, sasaran: [SasaranEntry],
                         registerAccount: FileAccount, sasaranAccount: FileAccount?, notes: [String]) -> ValidationOutcome {
        let asOf = settings.asOf ?? latestAccepted.map { YearMonth($0) }
        events.personIDs = persons.arena
        events.recordIDs = recordIDs.arena
        events.pregnancyIDs = pregnancies.arena
        events.facilityIDs = facilities.arena
        events.personNames = names.arena
        events.nameOfPerson = nameOfPerson
        names = ByteInterner(capacity: 0)
        nameOfPerson = []
        persons = ByteInterner(capacity: 0)
        recordIDs = ByteInterner(capacity: 0)
        pregnancies = ByteInterner(capacity: 0)
        facilities = ByteInterner(capacity: 0)
        duplicateKeys = EventKeyTable(capacity: 0)
        recordContent = RunCodedIndices(step: 1)
        sideContent = []
        sideResultHash = [:]
        invalidResultHash = [:]
        if let asOf {
            let last = asOf.lastDay
            if events.events.contains(where: { $0.visit > last }) {
                events.events.withUnsafeBufferPointer { all in
                    eventSources.keep { all[$0].visit <= last }
                    eventLines.keep { all[$0].visit <= last }
                }
                var kept = 0
                for i in events.events.indices where events.events[i].visit <= last {
                    events.events[kept] = events.events[i]
                    kept += 1
                }
                events.events.removeLast(events.events.count - kept)
            }
        }
        var total = FileAccount(source: "TOTAL")
        for i in accounts.indices {
            let outOfPeriod = asOf.map { a in monthCounts[i].filter { $0.key > a }.values.reduce(0, +) } ?? 0
            accounts[i].rowsOutOfPeriod = outOfPeriod
            accounts[i].rowsUsed = accounts[i].rowsAccepted - accounts[i].rowsDuplicate - outOfPeriod
            total.add(accounts[i])
        }
        rejects.sort(by: Validation.diagnosticOrder)
        warnings.sort(by: Validation.diagnosticOrder)
        return ValidationOutcome(events: events, eventSources: eventSources, eventLines: eventLines,
                                 register: register, sasaran: sasaran, rejects: rejects, warnings: warnings,
                                 sources: sources, positions: positions, files: accounts, total: total, registerAccount: registerAccount,
                                 sasaranAccount: sasaranAccount, asOf: asOf, notes: notes,
                                 keepIdentifiers: settings.keepIdentifiers)
    }
}
