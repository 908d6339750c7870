import Foundation
import Ingest
import PWSCore

/// Checks service rows one by one (spec §3) and keeps the accepted ones as compact events.
struct ServiceRowChecker {
    let settings: ValidationSettings
    var register: AreaRegister
    let decoders: Decoders

    // Field indices in TableSchema.layanan.
    let fID, fVisit, fPerson, fBirth, fSex, fVillage, fRW, fRT, fFacType, fFacID, fService, fResult,
        fProvider, fPregnancy, fLMP, fGest: Int

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
    static let sideFlag: UInt32 = 1 << 31
    var pregnancies = ByteInterner(capacity: 1024)
    var facilities = ByteInterner(capacity: 1024)
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
    let required: [(Int, Failed)]
    /// Raw-text hashes of results that did not parse, by event index (W-DUPLICATE compares them).
    var invalidResultHash: [UInt32: Int] = [:]

    /// The layanan column names with the pipeline's aliases, shared by every file.
    let columnNames: TableColumnNames

    init(settings: ValidationSettings, register: AreaRegister) throws {
        columnNames = try TableColumnNames(schema: .layanan, extraAliases: settings.columnAliases["layanan"] ?? [:])
        self.settings = settings
        self.register = register
        decoders = Decoders(valueAliases: settings.valueAliases, services: settings.services)
        limits = settings.services.services.map(\.limits)
        codeCache = FieldComboCache(limit: settings.comboCacheLimit)
        areaCache = FieldComboCache(limit: settings.comboCacheLimit)
        resultKinds = settings.services.services.map(\.result)
        let s = TableSchema.layanan
        func idx(_ name: String) -> Int { s.index(of: name)! }
        fID = idx("record_id"); fVisit = idx("visit_date"); fPerson = idx("person_id"); fBirth = idx("birth_date")
        fSex = idx("sex"); fVillage = idx("village_code"); fRW = idx("rw"); fRT = idx("rt")
        fFacType = idx("facility_type"); fFacID = idx("facility_id"); fService = idx("service_code")
        fResult = idx("result"); fProvider = idx("provider"); fPregnancy = idx("pregnancy_id")
        fLMP = idx("lmp_date"); fGest = idx("gestational_weeks")
        required = [(fID, .id), (fVisit, .visit), (fPerson, .person), (fBirth, .birth), (fSex, .sex),
                    (fVillage, .village), (fRW, .rw), (fRT, .rt), (fFacType, .facType), (fService, .service)]
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

    private func mask(_ id: String) -> String {
        settings.keepIdentifiers ? id : Decode.mask(id)
    }

    /// The account of the file whose chunks are being consumed.
    var current: FileAccount?

    /// How service files are read: the dialect options and the shared column names.
    func chunkReader(directory: String, sources: [String]) -> RowChunkReader {
        var options = CSVReadOptions()
        options.delimiter = settings.delimiter
        return RowChunkReader(directory: directory, sources: sources, names: columnNames, options: options,
                              workbook: settings.workbooks["layanan"] ?? .init(), reshape: settings.reshape,
                              fhir: settings.fhir)
    }

    /// Checks the rows of one chunk; on a file's last chunk, closes its account.
    /// - Returns: the file's reading summary when this was its last chunk.
    mutating func consume(_ chunk: RowChunk) -> TableReadSummary? {
        if current == nil {
            current = FileAccount(source: chunk.source)
            monthCounts.append([:])
            runCount = 0
        }
        var account = current!
        current = nil  // keeps the account uniquely referenced while rows are added
        rejects.append(contentsOf: chunk.problems)
        if positions.last != chunk.label { positions.append(chunk.label) }
        let position = positions.count - 1
        chunk.forEachRow { row in check(row, file: chunk.file, position: position, account: &account) }
        guard let summary = chunk.summary else {
            current = account
            return nil
        }
        flushMonthRun(file: chunk.file)
        account.rowsRead = summary.rowsRead
        account.rowsRejected += summary.rowsRejected
        account.blankRows = summary.blankRows
        account.encoding = summary.encoding == .utf8 ? "utf-8" : "windows-1252"
        account.delimiter = summary.sheets != nil ? "" : summary.delimiter == 0x09 ? "tab" : String(UnicodeScalar(summary.delimiter))
        account.sheets = summary.sheets
        account.unknownColumns = summary.unknownColumns
        accounts.append(account)
        return summary
    }

    private mutating func flushMonthRun(file: Int) {
        if runCount > 0 { monthCounts[file][runMonth, default: 0] += runCount }
        runCount = 0
    }

    // Bits of fields that already failed a rule in this row.
    struct Failed: OptionSet {
        let rawValue: UInt32
        static let id = Failed(rawValue: 1), visit = Failed(rawValue: 2), person = Failed(rawValue: 4),
            birth = Failed(rawValue: 8), sex = Failed(rawValue: 16), village = Failed(rawValue: 32),
            rw = Failed(rawValue: 64), rt = Failed(rawValue: 128), facType = Failed(rawValue: 256),
            service = Failed(rawValue: 512)
    }

    // swiftlint:disable:next function_body_length
    private mutating func check(_ row: BatchRow, file: Int, position: Int, account: inout FileAccount) {
        var failed: Failed = []
        var rejected = false
        let loc = row.location
        func recordID() -> String { row.isEmpty(fID) ? "" : row.string(fID) }
        // The record id and person tables are large and read at random: start loading their
        // slots now, so the misses overlap with the checks below.
        let idHash = ByteInterner.hash64(row.cleaned(fID))
        recordIDs.prefetch(hash: idHash)
        var personHash: UInt64 = 0

        func reject(_ rule: RuleCode, _ field: Int, _ value: String, _ message: String) {
            rejects.append(Diagnostic(location: loc, recordID: recordID(), rule: rule,
                                      field: TableSchema.layanan.fields[field].name, value: value, message: message))
            rejected = true
        }
        func value(_ field: Int) -> String {
            field == fPerson ? mask(row.string(field)) : row.string(field)
        }

        // E-REQUIRED
        for (f, bit) in required where row.isEmpty(f) {
            reject(.required, f, "", "\(TableSchema.layanan.fields[f].name) is empty; every service row needs it")
            failed.insert(bit)
        }
        // A combination of spellings seen in an earlier accepted row passes its rules again.
        let area = FieldComboCache<CachedArea>.key(row.cleaned(fVillage), row.cleaned(fRW), row.cleaned(fRT),
                                                   into: &keyScratch) ? areaCache.find(keyScratch) : nil
        var rwLabel = "", rtLabel = ""
        if area == nil {
            if !failed.contains(.rw) {
                if let l = Decode.label(row.cleaned(fRW)) { rwLabel = l } else {
                    reject(.required, fRW, row.string(fRW), "rw \"\(row.string(fRW))\" has no label left after dropping \"RW\" and punctuation; write the RW number")
                    failed.insert(.rw)
                }
            }
            if !failed.contains(.rt) {
                if let l = Decode.label(row.cleaned(fRT)) { rtLabel = l } else {
                    reject(.required, fRT, row.string(fRT), "rt \"\(row.string(fRT))\" has no label left after dropping \"RT\" and punctuation; write the RT number")
                    failed.insert(.rt)
                }
            }
        }

        // E-DATE
        var visit = Day.unknown, birth = Day.unknown
        if !failed.contains(.visit) {
            if let d = Decode.date(row.cleaned(fVisit)) { visit = d } else {
                reject(.date, fVisit, row.string(fVisit), "visit_date \"\(row.string(fVisit))\" is not a date; use DD/MM/YYYY or YYYY-MM-DD")
                failed.insert(.visit)
            }
        }
        if !failed.contains(.birth) {
            if let d = Decode.date(row.cleaned(fBirth)) { birth = d } else {
                reject(.date, fBirth, row.string(fBirth), "birth_date \"\(row.string(fBirth))\" is not a date; use DD/MM/YYYY or YYYY-MM-DD")
                failed.insert(.birth)
            }
        }
        // E-FUTURE
        if !failed.contains(.visit) && visit > settings.today {
            reject(.future, fVisit, row.string(fVisit), "visit_date \(visit) is after today (\(settings.today)); check the year, or pass --today")
            failed.insert(.visit)
        }
        // E-BEFORE-BIRTH
        if !failed.contains(.visit) && !failed.contains(.birth) && visit < birth {
            reject(.beforeBirth, fVisit, row.string(fVisit), "visit_date \(visit) is before birth_date \(birth); one of the two dates is wrong")
            failed.insert(.visit)
        }
        // E-SEX
        let codes = FieldComboCache<CachedCodes>.key(row.cleaned(fSex), row.cleaned(fFacType), row.cleaned(fService),
                                                     row.cleaned(fProvider), into: &keyScratch)
            ? codeCache.find(keyScratch) : nil
        var sex = Sex.female
        if let codes { sex = codes.sex } else if !failed.contains(.sex) {
            if let s = decoders.sex(row.cleaned(fSex)) { sex = s } else {
                reject(.sex, fSex, row.string(fSex), "sex \"\(row.string(fSex))\" is not recognised; use L or P")
                failed.insert(.sex)
            }
        }
        // E-PERSON
        if !failed.contains(.person) {
            let raw = row.cleaned(fPerson)
            personScratch.reserve(raw.count)
            let normalised = PersonID.normalise(raw, into: personScratch.base, written: &personScratch.count)
            if case .failure(let problem) = normalised {
                reject(.person, fPerson, value(fPerson), "person_id \(problem.reason)")
                failed.insert(.person)
            } else {
                personHash = ByteInterner.hash64(personScratch.bytes)
                persons.prefetch(hash: personHash)
            }
        }
        // E-AREA
        var village: UInt32 = 0
        if let area { village = area.village } else if !failed.contains(.village) {
            if let code = Decode.villageCode(row.cleaned(fVillage)) {
                if let v = register.village(code: code) { village = v } else {
                    reject(.area, fVillage, row.string(fVillage), "village_code \(code) is not in wilayah.csv; check the code or add the village to the register")
                    failed.insert(.village)
                }
            } else {
                reject(.area, fVillage, row.string(fVillage), "village_code \"\(row.string(fVillage))\" is not a 10-digit Kemendagri code (PPKKCCDDDD)")
                failed.insert(.village)
            }
        }
        // E-FACILITY
        var facilityType = FacilityType.lainnya
        if let codes { facilityType = codes.facilityType } else if !failed.contains(.facType) {
            if let t = decoders.facility(row.cleaned(fFacType)) { facilityType = t } else {
                reject(.facility, fFacType, row.string(fFacType), "facility_type \"\(row.string(fFacType))\" is not recognised; use posyandu, pustu, puskesmas, rumah_sakit, klinik, rumah or lainnya")
                failed.insert(.facType)
            }
        }
        // E-SERVICE
        var service: UInt16 = 0
        if let codes { service = codes.service } else if !failed.contains(.service) {
            if let s = decoders.service(row.cleaned(fService)) { service = s } else {
                reject(.service, fService, row.string(fService), "service_code \"\(row.string(fService))\" is not in the service catalogue; see `pipelines/services.yaml`")
                failed.insert(.service)
            }
        }
        let provider: Provider
        if let codes { provider = codes.provider } else {
            provider = decoders.provider(row.cleaned(fProvider))
            if failed.isDisjoint(with: [.sex, .facType, .service]),
               FieldComboCache<CachedCodes>.key(row.cleaned(fSex), row.cleaned(fFacType), row.cleaned(fService),
                                                row.cleaned(fProvider), into: &keyScratch) {
                codeCache.store(CachedCodes(sex: sex, facilityType: facilityType, service: service, provider: provider),
                                keyScratch)
            }
        }
        // E-ELIGIBILITY
        if failed.isDisjoint(with: [.sex, .service, .visit, .birth]),
           let violation = limits[Int(service)].violation(sex: sex, birth: birth, visit: visit) {
            let code = settings.services.services[Int(service)].code
            reject(.eligibility, fService, row.string(fService), violation.message(service: code))
        }
        if rejected {
            account.rowsRejected += 1
            return
        }

        // Every other error rule passed: build the content.
        let rtIndex: UInt32
        let areaWarning: Bool
        if let area {
            rtIndex = area.rtIndex
            areaWarning = area.unregistered
        } else {
            rtIndex = register.rt(village: village, rw: rwLabel, rt: rtLabel)
                ?? register.rtAddingUnregistered(village: village, rw: rwLabel, rt: rtLabel)
            areaWarning = !register.rts[Int(rtIndex)].registered
            if FieldComboCache<CachedArea>.key(row.cleaned(fVillage), row.cleaned(fRW), row.cleaned(fRT),
                                               into: &keyScratch) {
                areaCache.store(CachedArea(village: village, rtIndex: rtIndex, unregistered: areaWarning),
                                keyScratch)
            }
        }
        let person = persons.intern(personScratch.bytes, hash: personHash).index
        var event = ServiceEvent(person: person, record: 0, visit: visit, birth: birth, service: service,
                                 sex: sex, rt: rtIndex, facilityType: facilityType, provider: provider)
        if !row.isEmpty(fPregnancy) { event.pregnancy = pregnancies.intern(row.cleaned(fPregnancy)).index + 1 }
        if !row.isEmpty(fFacID) { event.facility = facilities.intern(row.cleaned(fFacID)).index + 1 }

        var pending: [Diagnostic] = []
        func warn(_ rule: RuleCode, _ field: Int, _ value: String, _ message: String) {
            pending.append(Diagnostic(location: loc, recordID: recordID(), rule: rule,
                                      field: TableSchema.layanan.fields[field].name, value: value, message: message))
        }
        // W-RESULT
        var resultHash: Int?
        if !row.isEmpty(fResult) {
            switch Decode.result(row.cleaned(fResult), kind: resultKinds[Int(service)]) {
            case .value(let a, let b):
                event.result = a
                event.result2 = b
            case .invalid(let reason):
                resultHash = ByteInterner.hash(row.cleaned(fResult))
                warn(.result, fResult, row.string(fResult), "result \"\(row.string(fResult))\" of \(settings.services.services[Int(service)].code): \(reason); the value is dropped, the service still counts")
            case .ignored:
                break
            }
        }
        let keyHash = EventKeyTable.hash(event, resultHash ?? 0)
        duplicateKeys.prefetch(hash: keyHash)
        // W-GESTATION
        if !row.isEmpty(fLMP) {
            if let lmp = Decode.date(row.cleaned(fLMP)) {
                let weeks = lmp.days(to: visit) / 7
                if lmp <= visit && (0...45).contains(weeks) { event.lmp = lmp } else {
                    warn(.gestation, fLMP, row.string(fLMP), "lmp_date \(lmp) gives \(lmp <= visit ? "\(weeks) weeks" : "a date after the visit"), outside 0–45 weeks; it is dropped")
                }
            } else {
                warn(.gestation, fLMP, row.string(fLMP), "lmp_date \"\(row.string(fLMP))\" is not a date; it is dropped (use DD/MM/YYYY)")
            }
        }
        if !row.isEmpty(fGest) {
            if let w = Decode.int(row.cleaned(fGest)), (0...45).contains(w) {
                if event.lmp.isUnknown { event.gestationalWeeks = Int8(w) }
            } else {
                warn(.gestation, fGest, row.string(fGest), "gestational_weeks \"\(row.string(fGest))\" is not a whole number of weeks 0–45; it is dropped")
            }
        }
        // W-AREA
        if areaWarning {
            let rw = register.rts[Int(rtIndex)].rw, rt = register.rts[Int(rtIndex)].rt
            warn(.areaWarning, fRT, "\(rw)/\(rt)", "RW \(rw) RT \(rt) is not in wilayah.csv for village \(register.villages[Int(village)].code); the row is counted there — add the RT to the register if it is real")
        }
        // W-NIK
        if let problem = Decode.nikDisagreement(personScratch.bytes, birth: birth, sex: sex, detailed: settings.keepIdentifiers) {
            warn(.nik, fPerson, value(fPerson), problem)
        }

        // E-DUPLICATE-ID / W-DUPLICATE
        let (recordIndex, isNewRecord) = recordIDs.intern(row.cleaned(fID), hash: idHash)
        event.record = recordIndex
        if !isNewRecord {
            let ref = recordContent[Int(recordIndex)]
            var first = ref & ServiceRowChecker.sideFlag != 0 ? sideContent[Int(ref & ~ServiceRowChecker.sideFlag)] : events.events[Int(ref)]
            first.record = recordIndex
            if !first.sameContent(as: event) {
                // Not accepted after all: the earlier row with this id had other content.
                let recordID = recordID()
                reject(.duplicateID, fID, recordID, "record_id \"\(recordID)\" is already used by an earlier row with other content; give each service its own id")
                account.rowsRejected += 1
                return
            }
        }
        if !pending.isEmpty { warnings.append(contentsOf: pending) }
        account.rowsAccepted += 1
        if latestAccepted.map({ visit > $0 }) ?? true { latestAccepted = visit }

        let candidate = UInt32(events.events.count)
        events.events.append(event)
        if let h = resultHash { invalidResultHash[candidate] = h }
        if let earlier = duplicateKeys.insert(candidate, in: events.events, invalidResultHash: invalidResultHash,
                                              raw: resultHash ?? 0, hash: keyHash) {
            // A duplicate: drop it again, remember its content for its record id.
            events.events.removeLast()
            invalidResultHash[candidate] = nil
            if isNewRecord {
                recordContent.append(ServiceRowChecker.sideFlag | UInt32(sideContent.count))
                sideContent.append(event)
            }
            let e = Int(earlier)
            let firstLoc = SourceLocation(source: positions[Int(eventSources[e])], line: Int(eventLines[e]))
            let recordID = recordID()
            warnings.append(Diagnostic(location: loc, recordID: recordID, rule: .duplicate, field: "record_id",
                                       value: recordID, message: "same person, visit_date, service_code, facility_id and result as \(firstLoc) (record \(recordIDs.arena[events.events[e].record])); dropped as a duplicate"))
            account.rowsDuplicate += 1
            return
        }
        if isNewRecord { recordContent.append(candidate) }
        eventSources.append(UInt32(position))
        // A line past 2³² (a file of over 4 G lines) is kept as the largest line number rather
        // than trap; only a later W-NIFAS warning would show it.
        eventLines.append(UInt32(clamping: loc.line))
        let month = YearMonth(visit)
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
        persons = ByteInterner(capacity: 0)
        recordIDs = ByteInterner(capacity: 0)
        pregnancies = ByteInterner(capacity: 0)
        facilities = ByteInterner(capacity: 0)
        duplicateKeys = EventKeyTable(capacity: 0)
        recordContent = RunCodedIndices(step: 1)
        sideContent = []
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
