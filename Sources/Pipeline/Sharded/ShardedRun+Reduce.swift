import Aggregate
import Concurrency
import Export
import Foundation
import Growth
import PWSCore
import Validate

extension ShardedRun {
    /// A diagnostic with the global key of its row, so the merge orders ties as one process
    /// would (read order): `seq` 0… for the row's warnings in order, then W-DUPLICATE, W-NIFAS,
    /// W-GROWTH.
    struct KeyedDiagnostic {
        var row: Int
        var seq: Int
        var diagnostic: Diagnostic
    }

    /// What a reduce task writes.
    struct ReduceOutput {
        /// file → (accepted, duplicate, out of period).
        var files: [Int: (accepted: Int, duplicate: Int, outOfPeriod: Int)] = [:]
        var warnings: [KeyedDiagnostic] = []
        /// Dense as counted; written sparse, and added into the merge's sums as they are read
        /// (`MergedReduces`), so the merge holds one dense array, never one per partition.
        var counts: [Int32] = []
        var seenRTs: [Bool] = []
        var completeness: [CompletenessRow] = []
        var events = 0
        /// The SPM catalogue's counts (when its outputs are wanted), likewise.
        var spmCounts: [Int32] = []
        var spmSeenRTs: [Bool] = []
        /// The partition's rows of `tindak-lanjut.csv` (the growth pass, §A4), as written:
        /// persons are whole within a partition, so each child's row is exact here.
        var followUp: [FollowUpRow] = []
    }

    /// The SPM definitions the run computes: the catalogue when an SPM output is wanted (as
    /// `pws run` decides), else none.
    static func spmDefinitions(_ pipeline: LoadedPipeline) -> [IndicatorDefinition] {
        pipeline.definition.outputs.isDisjoint(with: RunOutput.spm) ? [] : pipeline.spm
    }

    // MARK: reduce

    /// `pws reduce`: person partition `task`, in read order. Its memory is handed back to the
    /// system when it returns (`ShardedRun.returnFreedMemory`), so the partitions of a
    /// `pws run --partitions` reuse the same pages rather than piling up.
    public func reduce(task: Int, tasks: Int) throws -> RunReport {
        try reduce(task: task, tasks: tasks, repairs: EntryRepairs(stage: "reduce", task: task))
    }

    /// The same, noting the cache entries it rebuilds in `repairs`.
    func reduce(task: Int, tasks: Int, repairs: EntryRepairs) throws -> RunReport {
        defer { ShardedRun.returnFreedMemory() }
        return try reducePartition(task: task, tasks: tasks, repairs: repairs)
    }

    /// What every dedup and reduce task of a run reads alike: the pipeline (with its
    /// catalogues), the run key, the register with the RTs the map tasks found unregistered,
    /// and the sasaran.
    struct StageInputs {
        var pipeline: LoadedPipeline
        var key: ShardRunKey
        var register: AreaRegister
        var sasaran: [SasaranEntry]
    }

    /// The stage inputs, and the candidate rows of the map summaries (rows read less rows
    /// rejected, over every file: what the partitions hold between them). `check` sees the run
    /// key before anything else is read (a task's `--task` / `--tasks` are checked first).
    func loadStageInputs(check: (ShardRunKey) throws -> Void = { _ in }) throws -> (StageInputs, candidateRows: Int) {
        let pipeline = try runner.loadPipeline(indicators: true)
        let key = try expectedKey(pipeline: pipeline)
        try check(key)
        let settings = runner.validationSettings(pipeline)
        let inputs = try Validation.loadRegister(dataDirectory: key.dataDirectory, settings: settings)
        let summaries = try (0..<key.mapTasks).map { try readSummary($0, key: key) }
        let candidates = summaries.reduce(0) { sum, summary in
            summary.accounts.reduce(sum) { $0 + max(0, $1.rowsRead - $1.rowsRejected) }
        }
        return (StageInputs(pipeline: pipeline, key: key, register: globalRegister(inputs.register, summaries: summaries),
                            sasaran: inputs.sasaran), candidates)
    }

    /// glibc's `malloc_trim(0)`: gives the free pages of every malloc arena back to the system.
    /// The map's and the counting phase's worker threads leave freed memory in arenas of their
    /// own, which glibc keeps; without this a one-process partitioned run kept ~45 MiB more at
    /// 1 M records than its stages do alone. Looked up at run time (it is not in Swift's Glibc
    /// module); a no-op where it does not exist.
    static func returnFreedMemory() {
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }

    /// What a reduce's counting threads may hold in dense tallies together (each thread one
    /// tally of planes × RTs × 13 months of `Int32`: 134 MB at 30 M records, 45 MB at 10 M). It
    /// keeps a reduce of 30 M records / P = 8 under 1 GiB on any number of cores (docs/scale.md,
    /// "Memory model"); P does not divide the tallies, so a larger district needs fewer threads.
    public static let tallyBudget = 288 << 20

    /// The counting threads a reduce uses: `available`, fewer when their tallies of `tallyBytes`
    /// each would not fit `tallyBudget`, never fewer than one.
    /// `budget` is the share of `tallyBudget` the task has: all of it, or, for one of several
    /// tasks running at once in one process, its part.
    public static func countingWorkers(tallyBytes: Int, available: Int, budget: Int = tallyBudget) -> Int {
        guard tallyBytes > 0 else { return max(1, available) }
        return max(1, min(available, budget / tallyBytes))
    }

    private func reducePartition(task: Int, tasks: Int, repairs: EntryRepairs) throws -> RunReport {
        func check(_ key: ShardRunKey) throws { try checkTask(task, tasks, expected: key.partitions, stage: "reduce") }
        let stage: StageInputs
        if let stageInputs {
            stage = stageInputs
            try check(stage.key)
        } else {
            stage = try loadStageInputs(check: check).0
        }
        let pipeline = stage.pipeline, key = stage.key, register = stage.register
        let (duplicateIDs, latest, dedupInputs) = try readDedups(key: key)
        let rejected = Set(duplicateIDs.lazy.filter { $0.partition == task }.map { shardRowKey($0.file, $0.ordinal) })
        var output = ReduceOutput()
        // Tasks running at once in this process share the cores and the tally budget.
        let workers = max(1, Parallel.defaultWorkers / tasksAtOnce)

        if let asOf = asOf(latest: latest) {
            let last = asOf.lastDay
            var set = EventSet()
            set.recordIDs = StringArena(blockSize: 4)
            // Per event: its row key and position (label index, line), for W-NIFAS and W-GROWTH;
            // its record id is the event's. 16 bytes an event.
            var eventRows = ContiguousArray<EventRow>()
            var labels = LabelTable()
            // The W-DUPLICATE table and the interners are freed when it returns, before counting.
            _ = try readPartition(task, key: key, rejected: rejected, last: last, register: register, repairs: repairs,
                                  set: &set, eventRows: &eventRows, labels: &labels, output: &output)
            output.events = set.events.count
            try checkStop(done: key.mapTasks)
            func location(_ e: Int) -> SourceLocation {
                SourceLocation(source: labels.names[Int(eventRows[e].label)], line: Int(eventRows[e].line))
            }
            func recordID(_ e: Int) -> String {
                set.recordIDs.withEntry(set.events[e].record) { String(decoding: $0, as: UTF8.self) }
            }
            var input = aggregateInput(events: set, register: register, sasaran: stage.sasaran,
                                       pipeline: pipeline, asOf: asOf, unreadable: [])
            // Each counting thread holds a dense tally of its own (planes × RTs × months): on a
            // many-core machine the threads are bounded so that the tallies fit the budget.
            input.workers = ShardedRun.countingWorkers(tallyBytes: Aggregator.countsSize(input) * MemoryLayout<Int32>.size,
                                                       available: workers, budget: ShardedRun.tallyBudget / tasksAtOnce)
            // One sort by person for the indicators, the growth pass and the SPM services.
            var order: [Int]?
            let counted = Aggregator.countPhase(input, order: &order)
            for e in counted.unattachedNifas {
                output.warnings.append(KeyedDiagnostic(row: eventRows[e].row, seq: 1 << 21, diagnostic: Diagnostic(
                    location: location(e), recordID: recordID(e), rule: .nifas, field: "service_code", value: "",
                    message: Aggregator.unattachedNifasMessage)))
            }
            // The growth pass (§A4) over the partition's events, as `pws run` runs it: W-GROWTH
            // (one row per flagged record; WHZ names its length record by file:line) and the
            // follow-up list's rows. Added whether or not the merge refuses the run: a refused
            // `pws run` lists them too.
            let review = Aggregator.growthReview(events: set, services: GrowthServices(pipeline.services),
                                                 standards: pipeline.growth, asOf: asOf,
                                                 thresholds: Aggregator.followUpThresholds(pipeline.indicators),
                                                 workers: workers, order: order)
            var flagsByRecord: [Int: [GrowthFlag]] = [:]
            for f in review.flags { flagsByRecord[f.record, default: []].append(f) }
            for record in flagsByRecord.keys.sorted() {
                let message = PipelineRunner.growthMessage(flagsByRecord[record] ?? [], event: set.events[record]) {
                    location($0).description
                }
                output.warnings.append(KeyedDiagnostic(row: eventRows[record].row, seq: 1 << 22, diagnostic: Diagnostic(
                    location: location(record), recordID: recordID(record), rule: .growth, field: "result", value: "", message: message)))
            }
            output.followUp = PipelineRunner.followUpRows(review.followUp, events: set, register: register,
                                                          keepIdentifiers: request.keepIdentifiers)
            output.counts = counted.counts
            output.seenRTs = counted.seenRTs
            output.completeness = counted.completeness
            let spm = ShardedRun.spmDefinitions(pipeline)
            if !spm.isEmpty {
                var spmInput = input
                spmInput.indicators = spm
                let spmCounted = Aggregator.countPhase(spmInput, order: &order, completeness: false)
                output.spmCounts = spmCounted.counts
                output.spmSeenRTs = spmCounted.seenRTs
            }
        }
        try ShardFile.write(ShardHeader(kind: "reduce", task: task, key: key, inputs: dedupInputs),
                            payload: encode(output), to: reducePath(task))
        return RunReport(exitStatus: .success, lines: repairs.lines + [
            "reduce \(task) of \(tasks): \(output.events) events counted, \(output.warnings.count) warnings",
        ], folder: nil)
    }

    /// A row's place for the diagnostics that name it: its row key and position.
    struct EventRow {
        var row: Int
        var label: UInt32
        var line: UInt32
    }

    /// The positions' labels (one per input file), each kept once.
    struct LabelTable {
        var names: [String] = []
        var index: [String: UInt32] = [:]
        var lastName = "", lastIndex: UInt32 = 0

        mutating func intern(_ name: String) -> UInt32 {
            if !names.isEmpty && name == lastName { return lastIndex }
            let i: UInt32
            if let known = index[name] {
                i = known
            } else {
                i = UInt32(names.count)
                names.append(name)
                index[name] = i
            }
            lastName = name
            lastIndex = i
            return i
        }
    }

    /// Reads person partition `task` of every map task, a block at a time and in read order:
    /// drops the E-DUPLICATE-ID rejects (`rejected`), decides W-DUPLICATE, counts the rows out
    /// of period (after `last`), and appends the other rows to `set` as events (with their
    /// positions in `eventRows`). Returns the number of rows read. What it needs only while
    /// reading — the W-DUPLICATE table, the interners, the names — is freed when it returns.
    ///
    /// Per row kept in memory: the event (40 bytes, its ids interned), its `EventRow` (16) and
    /// the W-DUPLICATE entry (`CompactDuplicateKey` and a 4-byte reference to the first row:
    /// ~48 bytes with the table's slack); per distinct person its id bytes once.
    func readPartition(_ task: Int, key: ShardRunKey, rejected: Set<Int>, last: Day, register: AreaRegister,
                       repairs: EntryRepairs, set: inout EventSet, eventRows: inout ContiguousArray<EventRow>, labels: inout LabelTable,
                       output: inout ReduceOutput) throws -> Int {
        // Every row's person (rejected, duplicate and out-of-period rows too) → its index here;
        // `eventPerson` maps that to the EventSet's index, given at the person's first event,
        // so the events' person indices are those of reading the events alone.
        var rowPersons = ByteInterner()
        var eventPerson: [UInt32] = []
        func rowPerson(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            let (i, isNew) = bytes.withUnsafeBytes { rowPersons.intern($0) }
            if isNew { eventPerson.append(.max) }
            return i
        }
        var rowFacilities = ByteInterner()
        // The events' pregnancy and facility ids; their arenas become the EventSet's.
        var pregnancies = ByteInterner(), facilities = ByteInterner()
        // The first row of each W-DUPLICATE key: an event index, or (with the top bit set) an
        // index into `outOfPeriod` (rows after the as-of month are no events).
        var firstOfKey = DuplicateTable()
        var outOfPeriod: [(label: UInt32, line: Int, recordID: String)] = []
        // `--keep-identifiers`: each person's name, from its last candidate row with one in
        // read order (rejected, duplicate and out-of-period rows too), as `pws run` keeps it.
        var lastName: [UInt32: [UInt8]] = [:]
        // The per-file counts of the file being read (rows come a file at a time), added to
        // `output.files` when the next file starts; a file none of whose rows is accepted gets
        // no entry, as before.
        var countedFile = -1, counted = (accepted: 0, duplicate: 0, outOfPeriod: 0)
        func flushCounts() {
            guard counted.accepted > 0 else { return }
            output.files[countedFile, default: (0, 0, 0)].accepted += counted.accepted
            output.files[countedFile]!.duplicate += counted.duplicate
            output.files[countedFile]!.outOfPeriod += counted.outOfPeriod
            counted = (0, 0, 0)
        }
        var rows = 0
        try forEachRow(task, key: key, repairs: repairs) { row, path in
            rows += 1
            let rowKey = shardRowKey(row.file, row.ordinal)
            let c = try ShardContent(row.content, path: path)
            let person = rowPerson(c.person)
            if !rejected.isEmpty && rejected.contains(rowKey) { return }  // E-DUPLICATE-ID: its warnings go with it
            // The last accepted row's name (copied: a part of the row's block would hold the
            // whole block); a row rejected above gives none.
            if !row.name.isEmpty { lastName[person] = Array(row.name) }
            if row.file != countedFile {
                flushCounts()
                countedFile = row.file
            }
            counted.accepted += 1
            for (s, w) in row.pending.enumerated() {
                output.warnings.append(KeyedDiagnostic(row: rowKey, seq: s, diagnostic: w))
            }
            let labelIndex = labels.intern(row.label)
            let rowFacility = c.facilityID.withUnsafeBytes { rowFacilities.intern($0).index }
            let dupKey = CompactDuplicateKey(person: person, facility: rowFacility, visit: c.visit.raw, service: c.service,
                                             result: c.result.bitPattern, result2: c.result2.bitPattern,
                                             raw: row.rawResultHash)
            let (found, slot) = firstOfKey.find(dupKey)
            if let first = found {
                let firstLocation: SourceLocation, firstRecord: String
                if first & 0x8000_0000 != 0 {
                    let o = outOfPeriod[Int(first & 0x7FFF_FFFF)]
                    firstLocation = SourceLocation(source: labels.names[Int(o.label)], line: o.line)
                    firstRecord = o.recordID
                } else {
                    let e = eventRows[Int(first)]
                    firstLocation = SourceLocation(source: labels.names[Int(e.label)], line: Int(e.line))
                    firstRecord = set.recordIDs.withEntry(set.events[Int(first)].record) { String(decoding: $0, as: UTF8.self) }
                }
                let recordID = String(decoding: row.recordID, as: UTF8.self)
                counted.duplicate += 1
                output.warnings.append(KeyedDiagnostic(row: rowKey, seq: 1 << 20, diagnostic: Diagnostic(
                    location: SourceLocation(source: row.label, line: row.line), recordID: recordID, rule: .duplicate,
                    field: "record_id", value: recordID,
                    message: Validation.duplicateEventMessage(first: firstLocation, firstRecordID: firstRecord))))
                return
            }
            if c.visit > last {
                firstOfKey.insert(dupKey, 0x8000_0000 | UInt32(outOfPeriod.count), at: slot)
                outOfPeriod.append((labelIndex, row.line, String(decoding: row.recordID, as: UTF8.self)))
                counted.outOfPeriod += 1
                return
            }
            guard set.events.count < 0x8000_0000, row.line <= Int(UInt32.max) else {
                throw PWSError(.data, "intermediate file \(path) holds more rows than one reduce task takes (2^31); use more partitions")
            }
            firstOfKey.insert(dupKey, UInt32(set.events.count), at: slot)
            let rt: UInt32
            if let index = c.rt.index {
                rt = index
            } else if let index = register.rt(village: c.rt.village, rw: c.rt.rw, rt: c.rt.rt) {
                rt = index
            } else {
                throw PWSError(.data, "intermediate file \(path) names an RT (\(c.rt.rw)/\(c.rt.rt)) that no map summary lists; rerun the map tasks")
            }
            if eventPerson[Int(person)] == .max { eventPerson[Int(person)] = c.person.withUnsafeBytes { set.personIDs.append($0) } }
            let pregnancy = c.pregnancyID.isEmpty ? 0 : c.pregnancyID.withUnsafeBytes { pregnancies.intern($0).index } + 1
            let facility = c.facilityID.isEmpty ? 0 : c.facilityID.withUnsafeBytes { facilities.intern($0).index } + 1
            let record = row.recordID.withUnsafeBytes { set.recordIDs.append($0) }
            set.events.append(ServiceEvent(person: eventPerson[Int(person)], record: record, visit: c.visit, birth: c.birth,
                                           lmp: c.lmp, service: c.service, gestationalWeeks: c.weeks, sex: c.sex, rt: rt,
                                           pregnancy: pregnancy, facility: facility, result: c.result,
                                           result2: c.result2, facilityType: c.facilityType, provider: c.provider))
            eventRows.append(EventRow(row: rowKey, label: labelIndex, line: UInt32(row.line)))
        }
        flushCounts()
        set.pregnancyIDs = pregnancies.arena
        set.facilityIDs = facilities.arena
        if !lastName.isEmpty {
            var names = ByteInterner()
            set.nameOfPerson = [UInt32](repeating: 0, count: set.personIDs.count)
            for p in eventPerson.indices where eventPerson[p] != .max {
                guard let name = lastName[UInt32(p)] else { continue }
                set.nameOfPerson[Int(eventPerson[p])] = name.withUnsafeBytes { names.intern($0).index } + 1
            }
            set.personNames = names.arena
        }
        return rows
    }

    /// Person partition `task` of every map task, in read order, with the file it was read
    /// from: a block at a time from its partition file, or, for a map task that used the
    /// cache, section part_task of each entry its manifest names — the partition's rows are
    /// never all in memory.
    /// An entry it cannot use is rebuilt in place (`entrySection`), with a line in `repairs`.
    func forEachRow(_ task: Int, key: ShardRunKey, repairs: EntryRepairs,
                    _ body: (ShardRow, String) throws -> Void) throws {
        for i in 0..<key.mapTasks {
            try checkStop(done: i)
            if let manifest = try readManifest(i, key: key) {
                for (n, layout) in manifest.layouts.enumerated() {
                    try checkStop(done: i)
                    let bytes = try entrySection(layout, section: 1 + 2 * task, task: i, n: n, sha256: manifest.hashes[n],
                                                 key: key, repairs: repairs)
                    var d = ShardDecoder(bytes, path: layout.path)
                    var label = ""
                    while !d.atEnd { try body(try ShardRow.decode(&d, file: manifest.offset + n, previous: &label), layout.path) }
                }
                continue
            }
            let path = partPath(i, task)
            var stream = try ShardRecordStream(path: path, kind: "map-partition", expected: key,
                                               place: ShardPlace(task: i, partition: task))
            var label = ""
            while let row = try stream.next(label: &label, ShardRow.decode) { try body(row, path) }
        }
    }

    /// Counts as (gap, value) pairs of the non-zero entries, and the indices of the RTs seen.
    static func encodeCounts(_ counts: [Int32], _ seenRTs: [Bool], _ e: inout ShardEncoder) {
        let nonZero = counts.indices.filter { counts[$0] != 0 }
        e.uint(UInt64(counts.count))
        e.uint(UInt64(nonZero.count))
        var previous = 0
        for k in nonZero {
            e.uint(UInt64(k - previous))
            e.uint(UInt64(counts[k]))
            previous = k
        }
        let seen = seenRTs.indices.filter { seenRTs[$0] }
        e.uint(UInt64(seenRTs.count))
        e.uint(UInt64(seen.count))
        for k in seen { e.uint(UInt64(k)) }
    }

    func encode(_ o: ReduceOutput) -> [UInt8] {
        var e = ShardEncoder()
        e.uint(UInt64(o.events))
        e.uint(UInt64(o.files.count))
        for (file, n) in o.files.sorted(by: { $0.key < $1.key }) {
            e.uint(UInt64(file))
            e.uint(UInt64(n.accepted))
            e.uint(UInt64(n.duplicate))
            e.uint(UInt64(n.outOfPeriod))
        }
        e.uint(UInt64(o.warnings.count))
        for w in o.warnings {
            e.uint(UInt64(w.row))
            e.uint(UInt64(w.seq))
            e.diagnostic(w.diagnostic)
        }
        // Counts: (gap since the previous non-zero index, value) pairs; most are zero.
        let nonZero = o.counts.indices.filter { o.counts[$0] != 0 }
        e.uint(UInt64(o.counts.count))
        e.uint(UInt64(nonZero.count))
        var previous = 0
        for k in nonZero {
            e.uint(UInt64(k - previous))
            e.uint(UInt64(o.counts[k]))
            previous = k
        }
        let seen = o.seenRTs.indices.filter { o.seenRTs[$0] }
        e.uint(UInt64(o.seenRTs.count))
        e.uint(UInt64(seen.count))
        for k in seen { e.uint(UInt64(k)) }
        e.uint(UInt64(o.completeness.count))
        for r in o.completeness {
            e.string(r.facility)
            e.string(r.facilityType)
            e.uint(UInt64(r.month))
            e.uint(UInt64(r.records))
            e.uint(UInt64(r.persons))
        }
        ShardedRun.encodeCounts(o.spmCounts, o.spmSeenRTs, &e)
        e.uint(UInt64(o.followUp.count))
        for r in o.followUp {
            e.strings([r.facilityID, r.villageCode, r.rw, r.rt, r.person, r.sortKey, r.name, r.reasons,
                       r.weightDate, r.weightKg, r.lengthDate, r.lengthCm, r.waz, r.haz, r.whz])
            e.uint(UInt64(r.ageMonths))
        }
        return e.bytes
    }

    /// What the merge keeps of the reduce outputs: their counts summed as each is read (one
    /// dense array per catalogue, whatever P), and the rows it publishes.
    struct MergedReduces {
        /// [indicator][rt][slot], summed over the partitions; `seen` likewise.
        var counts: [Int32]
        var seen: [Bool]
        /// The SPM catalogue's (empty when its outputs are not wanted).
        var spmCounts: [Int32]
        var spmSeen: [Bool]
        var warnings: [KeyedDiagnostic] = []
        /// Each partition's completeness facility rows (`Completeness.sum` adds them up).
        var completeness: [[CompletenessRow]] = []
        var followUp: [FollowUpRow] = []
        /// file → (accepted, duplicate, out of period), summed.
        var files: [Int: (accepted: Int, duplicate: Int, outOfPeriod: Int)] = [:]
        /// What every reduce output must have been made from (`readDedups`' `inputs`; nil in
        /// tests that write reduce outputs alone).
        var reduceInputs: String?
    }

    /// Reads reduce output `j` a block at a time (`ShardRecordStream`), adding its counts into
    /// `merged` as they come: the merge never holds a partition's counts, dense or sparse.
    func readReduce(_ j: Int, key: ShardRunKey, asOf: YearMonth?, into merged: inout MergedReduces) throws {
        let path = reducePath(j)
        var stream = try ShardRecordStream(path: path, kind: "reduce", expected: key, place: ShardPlace(task: j))
        try ShardedRun.checkInputs(stream.header, path: path, expected: merged.reduceInputs, made: "map or dedup outputs")
        func corrupted() -> PWSError {
            PWSError(.data, "intermediate file \(path) is corrupted (a record runs past its end); rerun the task that wrote it")
        }
        func next<T>(_ decode: (inout ShardDecoder) throws -> T) throws -> T {
            guard let value = try stream.next(decode) else { throw corrupted() }
            return value
        }
        // A list's length: counted by the records that follow, not bounded by a block's bytes.
        func index() throws -> Int { try next { try $0.index() } }
        let misfit = PWSError(.data, "a reduce output in \(folder)/reduce does not fit the register and catalogue of this run; rerun the reduce tasks")
        /// Adds sparse counts (gap, value pairs) into `dense`, and the RTs seen into `seen`.
        /// A count that does not fit an `Int32`, alone or summed, is a corrupted file (the counts
        /// are of persons, far below it), never a wrapped sum.
        func addCounts(into dense: inout [Int32], seen: inout [Bool], misfit: PWSError) throws {
            let size = try index()
            let pairs = try index()
            guard size == 0 || size == dense.count else { throw misfit }
            var at = 0
            for _ in 0..<pairs {
                let (step, value) = try next { d in (try d.index(), try d.uint()) }
                guard step < size - at, value <= UInt64(Int32.max) else { throw corrupted() }
                at += step
                let (sum, overflow) = dense[at].addingReportingOverflow(Int32(value))
                guard !overflow else { throw corrupted() }
                dense[at] = sum
            }
            let rts = try index()
            guard size == 0 || rts == seen.count else { throw misfit }
            for _ in 0..<(try index()) {
                let k = try index()
                guard k < rts else { throw corrupted() }
                if size > 0 { seen[k] = true }
            }
        }
        _ = try index()  // events
        for _ in 0..<(try index()) {
            let (file, accepted, duplicate, outOfPeriod) = try next { d in
                (try d.index(), try d.index(), try d.index(), try d.index())
            }
            var n = merged.files[file] ?? (0, 0, 0)
            n.accepted += accepted
            n.duplicate += duplicate
            n.outOfPeriod += outOfPeriod
            merged.files[file] = n
        }
        for _ in 0..<(try index()) {
            merged.warnings.append(try next { d in
                KeyedDiagnostic(row: try d.index(), seq: try d.index(), diagnostic: try d.diagnostic())
            })
        }
        try addCounts(into: &merged.counts, seen: &merged.seen, misfit: misfit)
        var completeness: [CompletenessRow] = []
        for _ in 0..<(try index()) {
            completeness.append(try next { d in
                let facility = try d.string(), type = try d.string()
                let month = try d.index(), records = try d.index(), persons = try d.index()
                guard (1...12).contains(month) else { throw d.corrupted() }
                return CompletenessRow(facility: facility, facilityType: type, year: asOf?.year ?? 0, month: month,
                                       records: records, persons: persons, reported: records > 0)
            })
        }
        merged.completeness.append(completeness)
        try addCounts(into: &merged.spmCounts, seen: &merged.spmSeen,
                      misfit: PWSError(.data, "a reduce output in \(folder)/reduce does not fit the SPM catalogue of this run; rerun the reduce tasks"))
        for _ in 0..<(try index()) {
            merged.followUp.append(try next { d in
                let f = try d.strings()
                guard f.count == 15 else { throw d.corrupted() }
                var row = FollowUpRow(facilityID: f[0], villageCode: f[1], rw: f[2], rt: f[3], person: f[4], sortKey: f[5],
                                      ageMonths: try d.index(), reasons: f[7], weightDate: f[8], weightKg: f[9],
                                      lengthDate: f[10], lengthCm: f[11], waz: f[12], haz: f[13], whz: f[14])
                row.name = f[6]
                return row
            })
        }
        guard try stream.atEnd() else { throw corrupted() }
    }

    // MARK: merge

    /// `pws merge`: everything the tasks found, summed and published as `pws run` would.
    /// `command` is what run.json says ran: `merge`, or `run` for `pws run --partitions`.
    public func merge(command: String = "merge") throws -> RunReport {
        let started = stages?.started ?? Date()
        let mergeStarted = Date()
        let out = request.outputDirectory ?? "out"
        let lock = holdsRunLock ? nil : try RunLock(outputDirectory: out)
        defer { withExtendedLifetime(lock) {} }
        let pipeline = try runner.loadPipeline(indicators: true)
        let key = try expectedKey(pipeline: pipeline)
        var runner = self.runner
        runner.request.dataDirectory = key.dataDirectory
        let settings = runner.validationSettings(pipeline)
        let inputs = try Validation.loadRegister(dataDirectory: key.dataDirectory, settings: settings)
        // The merge holds every task's rejects and warnings until rejects.csv and warnings.csv
        // are written: past the limit a map task's run has (`Validation.HeldDiagnostics`), the
        // merge stops too, before it reads more.
        var held = 0
        func hold(_ n: Int, _ what: String) throws {
            held += n
            guard held <= settings.maxHeldDiagnostics else {
                throw PWSError(.inputMissing, "\(what): the run holds \(held) rejects and warnings, more than \(settings.maxHeldDiagnostics); the merge stops before they fill the memory and publishes nothing — see the map summaries' files with the most rejects (`pws validate`), fix or remove them (PWS_MAX_HELD_DIAGNOSTICS raises the limit where memory allows, ~250 B each)")
            }
        }
        var summaries: [MapSummary] = []
        for i in 0..<key.mapTasks {
            summaries.append(try readSummary(i, key: key))
            try hold(summaries[i].rejects.count, summaryPath(i))
        }
        let register = globalRegister(inputs.register, summaries: summaries)
        let (duplicateIDs, latest, dedupInputs) = try readDedups(key: key)
        let asOf = asOf(latest: latest)
        // The reduce outputs one at a time, their counts added as they are read.
        let rtCount = register.rts.count
        let spmDefinitions = ShardedRun.spmDefinitions(pipeline)
        func countsSize(_ indicators: [IndicatorDefinition]) -> Int {
            indicators.isEmpty ? 0 : Aggregator.countsSize(indicators: indicators, services: pipeline.services, rtCount: rtCount)
        }
        var merged = MergedReduces(
            counts: [Int32](repeating: 0, count: countsSize(pipeline.indicators)),
            seen: [Bool](repeating: false, count: rtCount),
            spmCounts: [Int32](repeating: 0, count: countsSize(spmDefinitions)),
            spmSeen: [Bool](repeating: false, count: spmDefinitions.isEmpty ? 0 : rtCount),
            reduceInputs: dedupInputs)
        for j in 0..<key.partitions {
            let before = merged.warnings.count
            try readReduce(j, key: key, asOf: asOf, into: &merged)
            try hold(merged.warnings.count - before, reducePath(j))
        }

        // Accounts: the map's reading and per-row rejects, E-DUPLICATE-ID, then the reduces'.
        var files = summaries.flatMap(\.accounts)
        let sources = Validation.serviceListing(in: key.dataDirectory).files
        guard files.map(\.source) == sources else {
            throw PWSError(.data, "the map summaries in \(folder)/map list other files than \(key.dataDirectory) holds; rerun the map tasks")
        }
        for dup in duplicateIDs { files[dup.file].rowsRejected += 1 }
        for (file, n) in merged.files {
            guard file < files.count else {
                throw PWSError(.data, "a reduce output in \(folder)/reduce names file \(file) of \(files.count); rerun the reduce tasks")
            }
            files[file].rowsAccepted += n.accepted
            files[file].rowsDuplicate += n.duplicate
            files[file].rowsOutOfPeriod += n.outOfPeriod
        }
        var total = FileAccount(source: "TOTAL")
        for i in files.indices {
            files[i].rowsUsed = files[i].rowsAccepted - files[i].rowsDuplicate - files[i].rowsOutOfPeriod
            total.add(files[i])
        }
        // Diagnostics in the order one process lists them: read order, then sorted (ties keep
        // read order).
        var rejects: [Diagnostic] = []
        for i in summaries.indices {
            rejects += summaries[i].rejects
            summaries[i].rejects = []  // held once, not twice, for the rest of the merge
        }
        rejects += duplicateIDs.sorted { shardRowKey($0.file, $0.ordinal) < shardRowKey($1.file, $1.ordinal) }.map(\.diagnostic)
        rejects.sort(by: Validation.diagnosticOrder)
        merged.warnings.sort { a, b in
            if Validation.diagnosticOrder(a.diagnostic, b.diagnostic) { return true }
            if Validation.diagnosticOrder(b.diagnostic, a.diagnostic) { return false }
            return (a.row, a.seq) < (b.row, b.seq)
        }
        let warnings = merged.warnings.map(\.diagnostic)
        merged.warnings = []
        var outcome = ValidationOutcome.merged(
            register: register, sasaran: inputs.sasaran, rejects: rejects, warnings: warnings, sources: sources,
            files: files, total: total, registerAccount: inputs.registerAccount, sasaranAccount: inputs.sasaranAccount,
            asOf: asOf, notes: inputs.notes + summaries.flatMap(\.notes), keepIdentifiers: request.keepIdentifiers)
        outcome.unreadable = summaries.first?.unreadable ?? []
        // The files' sha256 as the map tasks hashed them, so that run.json names the bytes the
        // map was of and no input file is read again here; without them (map tasks of an
        // earlier version) `publishRun` hashes the files.
        if let digests = try readDigests(key: key, files: sources.count) { outcome.fileDigests = digests }
        outcome.readingCPUSeconds = summaries.reduce(0) { $0 + $1.readingCPU }
        outcome.checkingCPUSeconds = summaries.reduce(0) { $0 + $1.checkingCPU }
        runner.logValidation(outcome, seconds: Date().timeIntervalSince(mergeStarted))
        guard let asOf else {
            throw PWSError(.data, "no service row was accepted, so there is no month to report; see `pws validate --data \(key.dataDirectory) --out DIR` for the rejects")
        }

        var manifest = Manifest(version: PWSVersion.current, command: command, arguments: request.arguments,
                                dataDirectory: key.dataDirectory, today: request.today.description,
                                keepIdentifiers: request.keepIdentifiers, maxRejectRate: pipeline.definition.maxRejectRate)
        manifest.pipeline = try runner.pipelineEntries(pipeline.definition)
        manifest.sharded = Manifest.Sharded(mapTasks: key.mapTasks, partitions: key.partitions, shared: shared)
        manifest.timingsSeconds["validate_reading_cpu"] = outcome.readingCPUSeconds
        manifest.timingsSeconds["validate_checking_cpu"] = outcome.checkingCPUSeconds
        // The merge's reading of the task outputs (its aggregate and export are timed as in
        // `pws run`), and the other stages' when they ran in this process.
        manifest.timingsSeconds["merge_read"] = Date().timeIntervalSince(mergeStarted)
        if let stages { manifest.timingsSeconds.merge(stages.seconds) { _, stage in stage } }

        // The counts of every partition, summed (persons are in one partition each), handed
        // to the finishing phase, which lets go of them once the areas' counts are built.
        let input = aggregateInput(events: EventSet(), register: register, sasaran: inputs.sasaran, pipeline: pipeline,
                                   asOf: asOf, unreadable: outcome.unreadable.map(\.path))
        let completeness = Completeness.sum(merged.completeness, asOf: asOf)
        merged.completeness = []
        var summed: AggregateCounts? = AggregateCounts(counts: merged.counts, seenRTs: merged.seen, unattachedNifas: [],
                                                       completeness: completeness)
        merged.counts = []
        merged.seen = []
        // The SPM catalogue's counts likewise, when its outputs are wanted.
        var spm: (AggregateResult, seconds: Double)?
        if !spmDefinitions.isEmpty {
            var spmInput = input
            spmInput.indicators = spmDefinitions
            spmInput.unreadableSources = []
            var counts: AggregateCounts? = AggregateCounts(counts: merged.spmCounts, seenRTs: merged.spmSeen,
                                                           unattachedNifas: [], completeness: [])
            merged.spmCounts = []
            merged.spmSeen = []
            spm = (Aggregator.finishPhase(spmInput, counts: &counts), 0)
        }
        let followUp = merged.followUp
        merged.followUp = []
        // W-NIFAS and W-GROWTH came with the reduces' warnings: nothing to add, refused or not;
        // the follow-up rows likewise (FollowUpCSV sorts them as `pws run` writes them).
        var report = try runner.publishRun(outcome: &outcome, asOf: asOf, pipeline: pipeline, manifest: manifest,
                                           started: started, out: out, addRefusedWarnings: { _ in },
                                           aggregate: { _, _ in (Aggregator.finishPhase(input, counts: &summed), spm,
                                                                        followUp, 0) })
        report.lines.insert("merged \(key.mapTasks) map task(s) and \(key.partitions) partition(s) from \(folder)", at: 0)
        // The map tasks' incremental cache (`pws map --incremental`), when they used one.
        finishMapCache(key: key, sources: sources, report: &report, out: out)
        return report
    }
}
