import Aggregate
import Concurrency
import Export
import Foundation
import Growth
import Logging
import PWSCore
import Validate

/// The stages of a sharded run (spec §A7, docs/scale.md):
///
/// 1. **map** (task i of M): the per-row rules over its share of the files (a contiguous range
///    in read order); each candidate row goes to person partition `fnv1a(person) mod P` and its
///    id entry to record-id partition `fnv1a(record_id) mod P`.
/// 2. **dedup** (task j of P): E-DUPLICATE-ID over record-id partition j, in read order; the
///    latest accepted visit of its rows (for the default as-of).
/// 3. **reduce** (task j of P): person partition j without the E-DUPLICATE-ID rejects, in
///    read order: W-DUPLICATE, the as-of trimming, Aggregate's counting phase and W-NIFAS.
/// 4. **merge**: accounts, diagnostics, the summed counts, Aggregate's finishing phase, the
///    refusal decision and the outputs, published as `pws run` publishes them.
///
/// Every file is written under a temporary name and renamed (`ShardFile.write`).
public struct ShardedRun {
    public var runner: PipelineRunner
    /// The shared folder every task reads and writes.
    public var shared: String
    /// The incremental map cache (`pws run --partitions P --incremental`), or nil.
    var mapCache: MapCache?
    /// The cache of a staged run's map tasks (`pws map --incremental`): its folder and options;
    /// each `map` call uses a `MapCache` of its own (see `useMapCache`).
    var stagedCache: (folder: String, options: MapCacheOptions)?
    /// True when the caller holds OUT's run lock for the whole run (`pws run --partitions`):
    /// the merge then does not take it again.
    var holdsRunLock = false
    /// When every stage runs in this process (`runStages`): when the run began and the wall
    /// seconds of the map, dedup and reduce stages, which the merge's run.json records (its
    /// `total` then covers the whole run, not the merge alone).
    var stages: (started: Date, seconds: [String: Double])?
    /// How many dedup or reduce tasks run at once in this process (`runStages`); each then
    /// counts on its share of the cores.
    var tasksAtOnce = 1
    /// What every dedup and reduce task of `runStages` reads alike, loaded once after the map;
    /// nil for a task run alone (`pws dedup`, `pws reduce`), which loads its own.
    var stageInputs: StageInputs?
    /// A dedup or reduce task of `runStages` run at once with others: asked before each map
    /// task's part of the partition and each cache entry's section it reads (and, in a
    /// reduce, before counting); once true the task stops there, throwing `StopRequested`
    /// with the map tasks' parts read whole, and writes nothing (a task before it has failed:
    /// `eachTask`). Nil for a task run alone.
    var stop: (@Sendable () -> Bool)?

    /// Throws `StopRequested` (`done` units finished) when `stop` says so.
    func checkStop(done: Int) throws {
        if let stop, stop() { throw StopRequested(done: done) }
    }

    public init(runner: PipelineRunner, shared: String) {
        self.runner = runner
        self.shared = shared
    }

    var request: RunRequest { runner.request }
    var folder: String { shared + "/pws" }

    func summaryPath(_ i: Int) -> String { "\(folder)/map/summary-\(i).pws" }
    func partPath(_ i: Int, _ j: Int) -> String { "\(folder)/map/part-\(i)-\(j).pws" }
    func idsPath(_ i: Int, _ j: Int) -> String { "\(folder)/map/ids-\(i)-\(j).pws" }
    func dedupPath(_ j: Int) -> String { "\(folder)/dedup/dedup-\(j).pws" }
    func reducePath(_ j: Int) -> String { "\(folder)/reduce/reduce-\(j).pws" }
    /// What map task `i` did with the incremental cache (`pws map --incremental`), for the merge.
    func cacheUsePath(_ i: Int) -> String { "\(folder)/map/cache-\(i).pws" }

    /// `pws map --incremental --out OUT`: each input file's map is kept in `OUT/.cache/map/` (the
    /// cache of `pws run --partitions P --incremental`; spec §A7: it lives under OUT, as its
    /// entries hold row contents) and reused while
    /// the file and the settings are unchanged. Several map tasks of a run may use the folder
    /// at once: each writes its own part of the hash index and an in-flight record of the
    /// entries it uses; the run's `pws merge` records the run, folds the index parts in and
    /// prunes (`finishMapCache`).
    public mutating func useMapCache(out: String, rehash: Bool = false) {
        stagedCache = (ShardedRun.absolute(out) + "/.cache/map", MapCacheOptions(rehash: rehash))
    }

    /// The name of this run in the cache's in-flight records and index parts: a digest of its
    /// shared folder, the same for every task (on every node) of the run.
    var cacheRunName: String {
        String(FileDigest.sha256(bytes: Array(ShardedRun.absolute(shared).utf8)).hex.prefix(16))
    }

    /// The most map tasks or partitions a run may have. A partition of a billion-record year at
    /// this many holds ~250 000 records; more only multiplies the files (a map task writes two
    /// per partition) — 100 000 partitions of the sample data took minutes to map — and a
    /// partition count near 2³² asked for gigabytes of buffers before the first row.
    public static let maxTasks = 4096

    /// Refuses a task index, task count or partition count no run can have (a scheduler's index
    /// out of range, a typo), before anything is read or written.
    public static func checkShape(task: Int?, tasks: Int, partitions: Int?) throws {
        guard (1...maxTasks).contains(tasks) else {
            throw PWSError(.usage, "--tasks \(tasks) is out of range 1…\(maxTasks)")
        }
        if let task, !(0..<tasks).contains(task) {
            throw PWSError(.usage, "task \(task) is out of range 0…\(tasks - 1) (--task, $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX)")
        }
        if let partitions, !(1...maxTasks).contains(partitions) {
            throw PWSError(.usage, "--partitions \(partitions) is out of range 1…\(maxTasks)")
        }
    }

    /// The files of map task `task` of `tasks`: a contiguous range in read order, so the read
    /// order of the run is map task 0's rows, then task 1's, …
    static func share(files: Int, task: Int, tasks: Int) -> Range<Int> {
        (files * task / tasks)..<(files * (task + 1) / tasks)
    }

    // MARK: the run key

    /// The key of this run: the hashes of the pipeline, catalogues, register and file list, and
    /// the options that change the result (spec §A7).
    func runKey(dataDirectory: String, mapTasks: Int, partitions: Int, pipeline: LoadedPipeline,
                files: [String]) throws -> ShardRunKey {
        let entries = try runner.pipelineEntries(pipeline.definition)
        func digest(_ base: String) throws -> String {
            let name = try InputFiles.single(dataDirectory: dataDirectory, base: base) ?? "\(base).csv"
            let path = dataDirectory + "/" + name
            return FileManager.default.fileExists(atPath: path) ? try FileDigest.sha256(path: path).hex : "absent"
        }
        // The growth tables as the run reads them (built in, or the pipeline's folder).
        var tables: [UInt8] = []
        for name in GrowthTableName.allCases.map(\.fileName) {
            tables += Array((name + "\n").utf8)
            tables += PipelineFiles.contents(atPath: pipeline.definition.growthTablesPath + "/" + name).map { [UInt8]($0) } ?? []
        }
        return ShardRunKey(
            pipeline: entries[0].sha256, services: entries[1].sha256, indicators: entries[2].sha256,
            spm: entries.count > 3 ? entries[3].sha256 : "absent", growth: FileDigest.sha256(bytes: tables).hex,
            register: try digest("wilayah"), sasaran: try digest("sasaran"),
            files: FileDigest.sha256(bytes: Array(files.joined(separator: "\n").utf8)).hex,
            today: request.today.description, asOf: request.asOf?.description,
            keepIdentifiers: request.keepIdentifiers, skipUnreadable: request.skipUnreadable,
            mapTasks: mapTasks, partitions: partitions, dataDirectory: dataDirectory)
    }

    /// The key the later stages expect: the data folder and task counts from map task 0's
    /// summary, everything else from this process's own options and files.
    func expectedKey(pipeline: LoadedPipeline) throws -> ShardRunKey {
        // The header only: the summary's blocks are read (and checked) by readSummary.
        let header = try ShardFileReader(path: summaryPath(0), kind: "map-summary", expected: nil).header
        let data = header.key.dataDirectory
        if request.dataDirectoryGiven && Self.resolved(request.dataDirectory) != Self.resolved(data) {
            throw PWSError(.usage, "--data \(request.dataDirectory) is not the folder the map tasks read (\(data)); dedup, reduce and merge read the map's data folder: leave out --data, or rerun the map tasks on \(request.dataDirectory)")
        }
        return try runKey(dataDirectory: data, mapTasks: header.key.mapTasks, partitions: header.key.partitions,
                          pipeline: pipeline, files: Validation.serviceListing(in: data).files)
    }

    /// `path` absolute, with its links resolved: two spellings of one folder compare equal.
    static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: absolute(path)).resolvingSymlinksInPath().standardizedFileURL.path
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    // MARK: map

    /// `pws map`: task `task` of `tasks`, writing `partitions` person partitions.
    /// `stop` (map tasks run at once in one process, `eachTask`): once it says true — a task
    /// before this one has failed — the task stops at its next file or chunk and throws `StopRequested`,
    /// its files discarded. A write that fails stops the task likewise, at once, rather than
    /// after the rest of its share: the error thrown is the write's, saying where it stopped.
    public func map(task: Int, tasks: Int, partitions: Int, stop: (@Sendable () -> Bool)? = nil) throws -> RunReport {
        try ShardedRun.checkShape(task: task, tasks: tasks, partitions: partitions)
        let data = ShardedRun.absolute(request.dataDirectory)
        let mapCache = self.mapCache ?? stagedCache.map {
            let cache = MapCache(folder: $0.folder, options: $0.options)
            cache.staged = (cacheRunName, task)
            return cache
        }
        // The pipeline and register are loaded while the data folder is listed and, for a run
        // with the cache, its hash index read (nothing of one is needed by the other; the
        // cache's console lines keep their order, as only the index's can come before the map's).
        let (loaded, (listing, fhirFiles)) = Parallel.pair({
            Result { () throws -> (LoadedPipeline, ValidationSettings, RegisterInputs) in
                let pipeline = try runner.loadPipeline(indicators: false)
                let settings = runner.validationSettings(pipeline)
                return (pipeline, settings, try Validation.loadRegister(dataDirectory: data, settings: settings))
            }
        }, { () -> (ServiceFileListing, [String]) in
            let listing = Validation.serviceListing(in: data)
            // FHIR resources refer to each other across the files of fhir/: every task builds
            // the context from all of them (in read order, as `pws run` does) and makes records
            // only from the fhir/ files of its share; the cache is not used then (below).
            let fhirFiles = listing.files.filter { $0.hasPrefix("fhir/") }
            if let mapCache, fhirFiles.isEmpty { mapCache.preloadIndex() }
            return (listing, fhirFiles)
        })
        let (pipeline, settings, inputs) = try loaded.get()
        if !listing.unreadable.isEmpty && !request.skipUnreadable {
            let list = listing.unreadable.map { "  \($0.path): \($0.reason)" }.joined(separator: "\n")
            throw PWSError(.inputMissing, "\(listing.unreadable.count) service-record input(s) in \(data) cannot be read; nothing was published:\n\(list)\nfix or remove them, or run with --skip-unreadable to go on without them (they are then listed in run.json and marked not reported in completeness.csv)")
        }
        guard !listing.files.isEmpty else {
            throw PWSError(.inputMissing, "no service records in \(data): put layanan.csv or layanan/*.csv (or .xlsx), or a FHIR export in fhir/*.ndjson, there (spec §2, §A3)")
        }
        let key = try runKey(dataDirectory: data, mapTasks: tasks, partitions: partitions, pipeline: pipeline,
                             files: listing.files)
        let range = ShardedRun.share(files: listing.files.count, task: task, tasks: tasks)
        // A record of an earlier attempt of this task with the cache goes: the merge reads the
        // records of this attempt only.
        unlink(cacheUsePath(task))
        // Likewise its manifest: dedup and reduce read the partition files when there is none;
        // and its files' digests: the merge hashes the files itself when there are none.
        unlink(manifestPath(task))
        unlink(digestsPath(task))
        if let mapCache {
            // Not for FHIR: an entry keys on one file's bytes, but a FHIR file's records depend
            // on the context from every fhir/ file.
            if fhirFiles.isEmpty {
                var report = try mapIncremental(cache: mapCache, task: task, tasks: tasks, partitions: partitions,
                                                data: data, settings: settings, register: inputs.register,
                                                listing: listing, key: key, range: range, pipeline: pipeline)
                if mapCache.staged != nil { report.lines.insert(contentsOf: mapCache.consoleLines(), at: 0) }
                return report
            }
            mapCache.lines.append("map cache not used: the FHIR export (fhir/) is read as one whole, so every file was read")
        }
        // Each partition's records are written out in blocks of about 64 KiB as they come, so
        // the task holds 2 × P such buffers, not its share of the rows.
        var parts = [ShardEncoder](repeating: ShardEncoder(), count: partitions)
        var lastLabel = [String](repeating: "", count: partitions)
        var ids = [ShardEncoder](repeating: ShardEncoder(), count: partitions)
        var lastIDLabel = [String](repeating: "", count: partitions)
        let partWriters = try (0..<partitions).map {
            try ShardFileWriter(path: partPath(task, $0), header: ShardHeader(kind: "map-partition", task: task, key: key, partition: $0))
        }
        let idWriters = try (0..<partitions).map {
            try ShardFileWriter(path: idsPath(task, $0), header: ShardHeader(kind: "map-ids", task: task, key: key, partition: $0))
        }
        CrashPoint.hit("map-writing")
        let flushAt = 64 << 10
        // A failed write, with the file (of the share) whose row it was writing.
        var failure: (error: any Error, file: Int)?
        // Set with `failure`, for the reading thread: the reader stops at its next file or chunk.
        let writeFailed = Locked(false)
        var finished = false
        defer { if !finished { for w in partWriters + idWriters { w.discard() } } }
        var ordinals = [Int](repeating: 0, count: range.count)
        var candidates = 0
        func stoppedAtWrite(_ f: (error: any Error, file: Int)) -> any Error {
            ShardedRun.stopped(by: f.error, task: task, tasks: tasks, source: listing.files[range.lowerBound + f.file],
                               file: f.file, of: range.count)
        }
        // The files are hashed as they are read: run.json names the bytes the numbers are of,
        // even when a file changes before the merge (an upload still going, a correction made
        // between a staged run's map and its merge — the merge hashed the file as it was then).
        var readSettings = settings
        readSettings.hashesInputs = true
        let outcome: ShardMapOutcome
        do {
            outcome = try Validation.runMap(dataDirectory: data, settings: readSettings, register: inputs.register,
                                            sources: Array(listing.files[range]), fhirContext: fhirFiles,
                                            stop: { writeFailed.withLock { $0 } || stop?() == true }) { c in
                // After a failed write nothing more is encoded: the buffers would grow with the rest
                // of the share.
                guard failure == nil else { return }
                let file = range.lowerBound + c.file
                let ordinal = ordinals[c.file]
                ordinals[c.file] += 1
                candidates += 1
                let content = ShardRow.content(c)
                let partition = PartitionHash.partition(c.person, of: partitions)
                ShardRow(file: file, ordinal: ordinal, label: c.label, line: c.line, recordID: c.recordID[...], content: content[...],
                         rawResultHash: c.rawResultHash, pending: c.pending, name: c.name[...]).encode(&parts[partition], previous: &lastLabel[partition])
                let idPartition = PartitionHash.partition(c.recordID, of: partitions)
                ShardIDEntry(recordID: c.recordID[...], file: file, ordinal: ordinal, label: c.label, line: c.line,
                             partition: partition, content: content[...], rawResultHash: c.rawResultHash, visit: c.event.visit)
                    .encode(&ids[idPartition], previous: &lastIDLabel[idPartition])
                do {
                    if parts[partition].bytes.count >= flushAt {
                        try partWriters[partition].append(parts[partition].bytes)
                        parts[partition].bytes.removeAll(keepingCapacity: true)
                    }
                    if ids[idPartition].bytes.count >= flushAt {
                        try idWriters[idPartition].append(ids[idPartition].bytes)
                        ids[idPartition].bytes.removeAll(keepingCapacity: true)
                    }
                } catch {
                    failure = (error, c.file)
                    writeFailed.withLock { $0 = true }
                }
            }
        } catch {
            // The write's failure first: the reader, ahead of the checking, may have met a file
            // it cannot read (or been stopped) after it.
            guard let failure else { throw error }
            throw stoppedAtWrite(failure)
        }
        if let failure { throw stoppedAtWrite(failure) }  // in the share's last chunk
        for j in 0..<partitions {
            try partWriters[j].append(parts[j].bytes)
            try partWriters[j].finish()
            try idWriters[j].append(ids[j].bytes)
            try idWriters[j].finish()
        }
        finished = true
        // A file read otherwise than as CSV (a workbook, FHIR) is hashed now, as `pws run` does.
        var hashes: [String] = [], sizes: [Int] = []
        for (j, digest) in outcome.digests.enumerated() {
            let d = try digest.map { ($0.hex, $0.bytes) } ?? FileDigest.sha256(path: data + "/" + listing.files[range.lowerBound + j])
            hashes.append(d.0)
            sizes.append(d.1)
        }
        try writeDigests(task, key: key, hashes: hashes, sizes: sizes)
        let summary = ShardedRun.encodeSummary(
            offset: range.lowerBound, accounts: outcome.accounts, rejects: outcome.rejects, notes: outcome.notes,
            unregistered: outcome.unregistered.map { ($0.village, $0.rw, $0.rt) }, unreadable: listing.unreadable,
            readingCPU: outcome.readingCPUSeconds, checkingCPU: outcome.checkingCPUSeconds)
        if let mapCache, mapCache.staged != nil { try writeCacheUse(mapCache, task: task, key: key, seconds: 0) }
        // Written last: a summary means the task's partitions are all there.
        try ShardFile.write(ShardHeader(kind: "map-summary", task: task, key: key), payloads: summary,
                            to: summaryPath(task))
        return RunReport(exitStatus: .success, lines: (mapCache?.staged != nil ? mapCache!.consoleLines() : []) + [
            "map \(task) of \(tasks): \(range.count) file(s), \(outcome.accounts.reduce(0) { $0 + $1.rowsRead }) rows, \(candidates) passed the per-row rules, \(outcome.rejects.count) rejected; \(partitions) partitions in \(folder)/map/",
        ], folder: nil)
    }

    /// A map task's failed write, saying where the task stopped: at the rows of `source`, file
    /// `file` (from 0) of the `count` files of its share; no later file was checked.
    static func stopped(by failure: any Error, task: Int, tasks: Int, source: String, file: Int, of count: Int) -> any Error {
        guard var error = failure as? PWSError else { return failure }
        error.message += " (map task \(task) of \(tasks) stopped at the rows of \(source), file \(file + 1) of its \(count))"
        return error
    }

    /// A map task's summary (`summary-i.pws`): the accounts, per-row rejects, notes and
    /// unregistered RTs of its files in read order, the unreadable inputs, the CPU times.
    static func encodeSummary(offset: Int, accounts: [FileAccount], rejects: [Diagnostic], notes: [String],
                              unregistered: [(village: UInt32, rw: String, rt: String)],
                              unreadable: [UnreadableInput], readingCPU: Double, checkingCPU: Double) -> [[UInt8]] {
        var encoded = ShardEncoder()
        for d in rejects { encoded.diagnostic(d) }
        return encodeSummary(offset: offset, accounts: accounts, rejectCount: rejects.count, rejects: encoded.bytes,
                             notes: notes, unregistered: unregistered, unreadable: unreadable, readingCPU: readingCPU,
                             checkingCPU: checkingCPU)
    }

    /// The same with the rejects already encoded (`rejectCount` diagnostics, one after another).
    ///
    /// The summary is three payloads, one record stream when read (`ShardFile.read`): what
    /// comes before the rejects, the rejects as given, and what comes after. The rejects —
    /// most of a summary's bytes, ~7 MB at 3 M records — are thus not copied into a growing
    /// buffer first (on this VM, fresh pages cost the warm map ~0.08 s of its serial end).
    static func encodeSummary(offset: Int, accounts: [FileAccount], rejectCount: Int, rejects: [UInt8], notes: [String],
                              unregistered: [(village: UInt32, rw: String, rt: String)],
                              unreadable: [UnreadableInput], readingCPU: Double, checkingCPU: Double) -> [[UInt8]] {
        var head = ShardEncoder()
        head.uint(UInt64(offset))
        head.uint(UInt64(accounts.count))
        for a in accounts {
            head.string(a.source)
            head.uint(UInt64(a.rowsRead))
            head.uint(UInt64(a.rowsRejected))
            head.uint(UInt64(a.blankRows))
            head.string(a.encoding)
            head.string(a.delimiter)
            head.bool(a.sheets != nil)
            if let sheets = a.sheets { head.strings(sheets) }
            head.strings(a.unknownColumns)
        }
        head.uint(UInt64(rejectCount))
        var tail = ShardEncoder()
        tail.strings(notes)
        tail.uint(UInt64(unregistered.count))
        for rt in unregistered {
            tail.uint(UInt64(rt.village))
            tail.string(rt.rw)
            tail.string(rt.rt)
        }
        tail.uint(UInt64(unreadable.count))
        for u in unreadable {
            tail.string(u.path)
            tail.string(u.reason)
        }
        tail.double(readingCPU)
        tail.double(checkingCPU)
        return [head.bytes, rejects, tail.bytes]
    }

    /// A map task's summary, decoded.
    struct MapSummary {
        var offset: Int
        var accounts: [FileAccount]
        var rejects: [Diagnostic]
        var notes: [String]
        var unregistered: [(village: UInt32, rw: String, rt: String)]
        var unreadable: [UnreadableInput]
        var readingCPU: Double
        var checkingCPU: Double
    }

    func readSummary(_ i: Int, key: ShardRunKey) throws -> MapSummary {
        let path = summaryPath(i)
        let (_, payload) = try ShardFile.read(path, kind: "map-summary", expected: key, place: ShardPlace(task: i))
        var d = ShardDecoder(payload, path: path)
        let offset = try d.index()
        let accounts: [FileAccount] = try (0..<d.count()).map { _ in
            var a = FileAccount(source: try d.string())
            a.rowsRead = try d.index()
            a.rowsRejected = try d.index()
            a.blankRows = try d.index()
            a.encoding = try d.string()
            a.delimiter = try d.string()
            if try d.bool() { a.sheets = try d.strings() }
            a.unknownColumns = try d.strings()
            return a
        }
        let rejects = try (0..<d.count()).map { _ in try d.diagnostic() }
        let notes = try d.strings()
        let unregistered = try (0..<d.count()).map { _ in
            (UInt32(truncatingIfNeeded: try d.uint()), try d.string(), try d.string())
        }
        let unreadable = try (0..<d.count()).map { _ in UnreadableInput(path: try d.string(), reason: try d.string()) }
        return MapSummary(offset: offset, accounts: accounts, rejects: rejects, notes: notes, unregistered: unregistered,
                          unreadable: unreadable, readingCPU: try d.double(), checkingCPU: try d.double())
    }

    /// The register with every unregistered RT the rows used, added in read order (map task
    /// order, then each task's order of first use): the RT indices `pws run` gives them.
    func globalRegister(_ register: AreaRegister, summaries: [MapSummary]) -> AreaRegister {
        var register = register
        for s in summaries {
            for rt in s.unregistered { _ = register.rtAddingUnregistered(village: rt.village, rw: rt.rw, rt: rt.rt) }
        }
        return register
    }

    func checkTask(_ task: Int, _ tasks: Int, expected: Int, stage: String) throws {
        try ShardedRun.checkShape(task: nil, tasks: tasks, partitions: nil)
        guard tasks == expected else {
            throw PWSError(.usage, "\(stage) --tasks \(tasks) but the map tasks wrote \(expected) partitions; give \(stage) --tasks \(expected)")
        }
        guard (0..<tasks).contains(task) else {
            throw PWSError(.usage, "\(stage) --task \(task) is out of range 0…\(tasks - 1)")
        }
    }

    // MARK: dedup

    /// `pws dedup`: E-DUPLICATE-ID over record-id partition `task`, in read order.
    public func dedup(task: Int, tasks: Int) throws -> RunReport {
        try dedup(task: task, tasks: tasks, repairs: EntryRepairs(stage: "dedup", task: task))
    }

    /// The same, noting the cache entries it rebuilds in `repairs`.
    func dedup(task: Int, tasks: Int, repairs: EntryRepairs) throws -> RunReport {
        defer { ShardedRun.returnFreedMemory() }
        return try dedupPartition(task: task, tasks: tasks, repairs: repairs)
    }

    private func dedupPartition(task: Int, tasks: Int, repairs: EntryRepairs) throws -> RunReport {
        let key = try stageInputs?.key ?? expectedKey(pipeline: runner.loadPipeline(indicators: false))
        try checkTask(task, tasks, expected: key.partitions, stage: "dedup")
        // Entries of every map task, in task order: the run's read order. The first content of
        // each record id, kept in two arenas (no array or dictionary entry per id): record id
        // k of `ids` has content k of `contents`.
        var ids = ByteInterner(capacity: 1 << 16)
        ids.reserve(0, bytes: 0, blockSize: 4)  // record ids share prefixes; most are met once
        var contents = StringArena()
        var latest: Day?
        var rejected: [ShardDuplicateID] = []
        // The map summaries are not used here, but their stamp goes into this task's output:
        // a truncated one, or one copied over another's, fails this task, not a later one.
        for i in 0..<key.mapTasks {
            let summary = try ShardFileReader(path: summaryPath(i), kind: "map-summary", expected: key, place: ShardPlace(task: i))
            while try summary.nextBlock() != nil {}
        }
        // The content compared: a row's, with the hash of its raw result when that did not parse
        // (`pws run` compares it too), in a buffer reused for those rows.
        var keyed: [UInt8] = []
        func compared<R>(_ entry: ShardIDEntry, _ body: (UnsafeRawBufferPointer) -> R) -> R {
            guard entry.rawResultHash != 0 else { return entry.content.withUnsafeBytes(body) }
            keyed.removeAll(keepingCapacity: true)
            keyed.append(contentsOf: entry.content)
            withUnsafeBytes(of: Int64(entry.rawResultHash).littleEndian) { keyed.append(contentsOf: $0) }
            return keyed.withUnsafeBytes(body)
        }
        try forEachIDEntry(task, key: key, repairs: repairs) { entry in
            let (index, isNew) = entry.recordID.withUnsafeBytes { ids.intern($0) }
            if isNew {
                compared(entry) { _ = contents.append($0) }
            } else if !compared(entry, { contents.equals(index, $0) }) {
                rejected.append(ShardDuplicateID(file: entry.file, ordinal: entry.ordinal, partition: entry.partition,
                                                 label: entry.label, line: entry.line,
                                                 recordID: String(decoding: entry.recordID, as: UTF8.self)))
                return
            }
            if latest.map({ entry.visit > $0 }) ?? true { latest = entry.visit }
        }
        var e = ShardEncoder()
        e.bool(latest != nil)
        if let latest { e.int(Int(latest.raw)) }
        e.uint(UInt64(rejected.count))
        for r in rejected {
            e.uint(UInt64(r.file))
            e.uint(UInt64(r.ordinal))
            e.uint(UInt64(r.partition))
            e.string(r.label)
            e.uint(UInt64(r.line))
            e.string(r.recordID)
        }
        try ShardFile.write(ShardHeader(kind: "dedup", task: task, key: key, inputs: try mapStamp(key)), payload: e.bytes,
                            to: dedupPath(task))
        return RunReport(exitStatus: .success, lines: repairs.lines + [
            "dedup \(task) of \(tasks): \(ids.count) record ids, \(rejected.count) E-DUPLICATE-ID",
        ], folder: nil)
    }

    /// Record-id partition `task` of every map task, in read order: from its partition file,
    /// or, for a map task that used the cache, section ids_task of each entry its manifest names.
    /// An entry it cannot use is rebuilt in place (`entrySection`), with a line in `repairs`.
    func forEachIDEntry(_ task: Int, key: ShardRunKey, repairs: EntryRepairs,
                        _ body: (ShardIDEntry) throws -> Void) throws {
        for i in 0..<key.mapTasks {
            try checkStop(done: i)
            if let manifest = try readManifest(i, key: key) {
                for (n, layout) in manifest.layouts.enumerated() {
                    try checkStop(done: i)
                    let bytes = try entrySection(layout, section: 2 + 2 * task, task: i, n: n, sha256: manifest.hashes[n],
                                                 key: key, repairs: repairs)
                    var d = ShardDecoder(bytes, path: layout.path)
                    var label = ""
                    while !d.atEnd { try body(try ShardIDEntry.decode(&d, file: manifest.offset + n, previous: &label)) }
                }
                continue
            }
            var stream = try ShardRecordStream(path: idsPath(i, task), kind: "map-ids", expected: key,
                                               place: ShardPlace(task: i, partition: task))
            var label = ""
            while let entry = try stream.next(label: &label, ShardIDEntry.decode) { try body(entry) }
        }
    }

    /// The stamp of intermediate files: the sha256 of their sha256s, in order. A stage records
    /// the stamp of the files it read (`ShardHeader.inputs`); the next compares it with the
    /// files there now.
    static func stamp(of paths: [String]) throws -> String {
        var digests: [UInt8] = []
        for path in paths {
            if let kind = InputFiles.nonRegularKind(atPath: path) {
                throw PWSError(.data, "intermediate file \(path) is \(kind), not a plain file; remove it and rerun the stage that writes it")
            }
            do {
                digests += Array(try FileDigest.sha256(path: path).hex.utf8)
            } catch {
                throw ShardFile.missing(path)
            }
        }
        return FileDigest.sha256(bytes: digests).hex
    }

    /// The stamp of the map tasks' summaries (each written last by its task, and different
    /// whenever the task read other data).
    func mapStamp(_ key: ShardRunKey) throws -> String {
        try ShardedRun.stamp(of: (0..<key.mapTasks).map(summaryPath))
    }

    /// Refuses an output made from other files than the shared folder holds now.
    static func checkInputs(_ header: ShardHeader, path: String, expected: String?, made: String) throws {
        guard header.inputs == expected else {
            throw PWSError(.data, "intermediate file \(path) was made from other \(made) than the shared folder holds now (one was written again after it — a map task rerun after its input changed?); rerun dedup and reduce for every partition, then merge")
        }
    }

    /// Every dedup task's output: the E-DUPLICATE-ID rejects and the latest accepted visit.
    /// Each must have been made from the map summaries there now. `inputs` is what a reduce
    /// output made from them records: the map summaries' stamp and the dedup outputs'.
    func readDedups(key: ShardRunKey) throws -> (rejects: [ShardDuplicateID], latest: Day?, inputs: String) {
        var rejects: [ShardDuplicateID] = []
        var latest: Day?
        let stamp = try mapStamp(key)
        let inputs = try stamp + "+" + ShardedRun.stamp(of: (0..<key.partitions).map(dedupPath))
        for j in 0..<key.partitions {
            let path = dedupPath(j)
            let (header, payload) = try ShardFile.read(path, kind: "dedup", expected: key, place: ShardPlace(task: j))
            try ShardedRun.checkInputs(header, path: path, expected: stamp, made: "map outputs")
            var d = ShardDecoder(payload, path: path)
            if try d.bool() {
                let day = Day(raw: Int32(truncatingIfNeeded: try d.int()))
                if latest.map({ day > $0 }) ?? true { latest = day }
            }
            for _ in 0..<(try d.count()) {
                rejects.append(ShardDuplicateID(file: try d.index(), ordinal: try d.index(),
                                                partition: try d.index(), label: try d.string(),
                                                line: try d.index(), recordID: try d.string()))
            }
        }
        return (rejects, latest, inputs)
    }

    /// The as-of month: the option, or the month of the latest accepted visit over all files.
    func asOf(latest: Day?) -> YearMonth? { request.asOf ?? latest.map { YearMonth($0) } }

    func aggregateInput(events: EventSet, register: AreaRegister, sasaran: [SasaranEntry], pipeline: LoadedPipeline,
                        asOf: YearMonth, unreadable: [String]) -> AggregateInput {
        AggregateInput(events: events, register: register, sasaran: sasaran, services: pipeline.services,
                       indicators: pipeline.indicators, asOf: asOf, estimation: pipeline.estimation,
                       unreadableSources: unreadable, tetapBelowTarget: pipeline.definition.tetapBelowTarget,
                       growthStandards: pipeline.growth)
    }
}

extension ShardedRun {
    /// Every stage in this process — map tasks, dedup, reduce, merge — as a scheduler would run
    /// them (the tests compare it with `run`); the partitions' tasks as `runStages` runs them.
    /// Logs nothing.
    public static func runAll(request: RunRequest, shared: String, mapTasks: Int, partitions: Int,
                              cores: Int = Parallel.defaultWorkers) throws -> RunReport {
        let quiet = Logger(label: "pws") { _ in SwiftLogNoOpLogHandler() }
        return try ShardedRun(runner: PipelineRunner(request: request, logger: quiet), shared: shared)
            .runStages(mapTasks: mapTasks, partitions: partitions, cores: cores)
    }

    /// The map tasks, one per core at a time (each reads on one thread and checks on another),
    /// then the partitions' dedup tasks and their reduce tasks, up to `tasksAtOnce` partitions at
    /// a time on `cores` cores, then the merge.
    func runStages(mapTasks: Int, partitions: Int, command: String = "merge",
                   cores: Int = Parallel.defaultWorkers) throws -> RunReport {
        let started = Date()
        var seconds: [String: Double] = [:]
        func timed(_ stage: String, _ body: () throws -> Void) rethrows {
            let start = Date()
            try body()
            seconds[stage] = Date().timeIntervalSince(start)
        }
        try timed("map") {
            // With the cache the tasks go in turn: MapCache keeps the run's console lines, counts
            // and hash index unlocked, for one map task at a time in a process.
            // Once one fails, those above it stop at their next file (`map`'s `stop`).
            try ShardedRun.eachTask(mapTasks, atOnce: mapCache == nil ? cores : 1) { j, stopRequested in
                _ = try map(task: j, tasks: mapTasks, partitions: partitions, stop: stopRequested)
            }
            // What the map tasks' threads freed stays in their malloc arenas otherwise.
            ShardedRun.returnFreedMemory()
        }
        // In a function of its own, so that what the tasks shared is freed before the merge,
        // the run's peak (docs/scale.md, "Memory model").
        func dedupAndReduce() throws {
            var tasks = self
            let (inputs, candidates) = try loadStageInputs()
            tasks.stageInputs = inputs
            tasks.tasksAtOnce = ShardedRun.tasksAtOnce(candidateRows: candidates, partitions: partitions, cores: cores,
                                                       tallyBytes: ShardedRun.tallyBytes(inputs))
            // Each task notes the cache entries it rebuilds in repairs of its own; the cache's
            // console lines take them in task order, as a run in turn would print them.
            // Once one task fails, those above it running at once stop at their next part
            // (`stop`), as the map tasks do.
            let run = tasks
            func stage(_ name: String, _ body: (Int, EntryRepairs, ShardedRun) throws -> Void) throws {
                let repairs = (0..<partitions).map { EntryRepairs(stage: name, task: $0) }
                defer { for r in repairs { mapCache?.noteRebuilt(r.lines) } }
                try timed(name) {
                    try run.eachStopping(partitions, atOnce: tasks.tasksAtOnce) { j, task in try body(j, repairs[j], task) }
                }
            }
            try stage("dedup") { j, repairs, task in _ = try task.dedup(task: j, tasks: partitions, repairs: repairs) }
            try stage("reduce") { j, repairs, task in _ = try task.reduce(task: j, tasks: partitions, repairs: repairs) }
        }
        try dedupAndReduce()
        var run = self
        run.stages = (started, seconds)
        return try run.merge(command: command)
    }

    /// The rows the dedup or reduce tasks of one process may hold at once: `runStages` runs
    /// several partitions at once (one per core) only while their candidate rows together stay
    /// within it, about 240 MB of a reduce's row state (~160 bytes a row; docs/scale.md, "Memory
    /// model"). Larger partitions go in turn, so `--partitions P` bounds memory as before.
    public static let rowsAtOnce = 1_500_000

    /// The bytes of one counting thread's dense tallies in a reduce: the catalogue's and, when
    /// its outputs are wanted, the SPM catalogue's (counted after it, while it is held).
    static func tallyBytes(_ inputs: StageInputs) -> Int {
        let rts = inputs.register.rts.count
        let services = inputs.pipeline.services
        let spm = spmDefinitions(inputs.pipeline)
        return MemoryLayout<Int32>.size * (Aggregator.countsSize(indicators: inputs.pipeline.indicators, services: services, rtCount: rts)
            + (spm.isEmpty ? 0 : Aggregator.countsSize(indicators: spm, services: services, rtCount: rts)))
    }

    /// How many partitions `runStages` works on at once: one per core, as many as hold
    /// `rowsAtOnce` candidate rows together (the rows spread evenly over the partitions, as
    /// persons hash) and as many as have a counting thread's tallies (`tallyBytes` each) within
    /// `tallyBudget` together — each task counts on at least one thread, so it holds at least
    /// one tally — and at least one.
    public static func tasksAtOnce(candidateRows: Int, partitions: Int, cores: Int, tallyBytes: Int) -> Int {
        let each = max(1, (candidateRows + partitions - 1) / max(1, partitions))
        let tallies = tallyBytes > 0 ? tallyBudget / tallyBytes : Int.max
        return max(1, min(cores, partitions, rowsAtOnce / each, tallies))
    }

    /// The map tasks of `pws run --partitions`: with `incremental`, one (the cache's map reads
    /// the files it must read on every core already); with a FHIR export, one (each map task
    /// builds the context from every `fhir/` file, so k tasks would hold k contexts);
    /// otherwise one per core, at most `mapTasksAtMost`, run at once — one map task reads on
    /// one thread and checks on another, and its reading thread alone was the map's pace
    /// (docs/scale.md, "Map tasks at once"). The outputs are the same for any number of map
    /// tasks (spec §A7).
    public static func mapTasks(cores: Int, incremental: Bool, fhir: Bool = false) -> Int {
        incremental || fhir ? 1 : max(1, min(cores, mapTasksAtMost))
    }

    /// The most map tasks `pws run --partitions` runs at once: each holds the register, the
    /// checker's tables and 2 × P write buffers (docs/scale.md, "Map tasks at once").
    public static let mapTasksAtMost = 4

    /// `body(j)` for every task j of `count` (a map task, or a partition's dedup or reduce task),
    /// up to `atOnce` at a time, claimed in order.
    /// Once a task has failed no further one is claimed; the error thrown is that of the
    /// lowest task that failed, the one a run in turn would have stopped at (every
    /// task below it was claimed before it, so has run).
    static func eachTask(_ count: Int, atOnce: Int, _ body: (Int) throws -> Void) throws {
        try eachTask(count, atOnce: atOnce) { j, _ in try body(j) }
    }

    /// The same, `body(j, stopRequested)`: `stopRequested()` turns true for task j once a task
    /// below j has failed, and task j may then give up, throwing `StopRequested` (the map
    /// tasks: at their next file). Such a task has not failed, and a run in turn would not have
    /// reached it; the tasks below the failure run on, so the error thrown is still the lowest
    /// failing task's.
    static func eachTask(_ count: Int, atOnce: Int,
                         _ body: (Int, _ stopRequested: @escaping @Sendable () -> Bool) throws -> Void) throws {
        // The next task and the lowest that failed, under one lock: a claim sees every failure
        // recorded before it.
        let state = Locked((next: 0, failed: Int?.none))
        func claim() -> Int? {
            state.withLock { s -> Int? in
                guard s.failed == nil, s.next < count else { return nil }
                s.next += 1
                return s.next - 1
            }
        }
        let errors = Parallel.map(max(1, min(atOnce, count))) { _ -> [(Int, any Error)] in
            var errors: [(Int, any Error)] = []
            while let j = claim() {
                do {
                    try body(j) { state.withLock { $0.failed.map { $0 < j } ?? false } }
                } catch {
                    errors.append((j, error))
                    if !(error is StopRequested) { state.withLock { $0.failed = min($0.failed ?? j, j) } }
                }
            }
            return errors
        }
        let all = errors.joined()
        if let first = all.filter({ !($0.1 is StopRequested) }).min(by: { $0.0 < $1.0 }) { throw first.1 }
        // A task gives way only to a failure below it, so this is a body that stopped unasked.
        if !all.isEmpty { throw PWSError(.internalFailure, "a task stopped with no failure to report") }
    }

    /// Removes the `.partitions.PID` scratch folders in `out` (left by a run that was killed);
    /// called with OUT's run lock held, so none belongs to a run in progress.
    static func removeLeftScratch(out: String) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: out)) ?? [] where name.hasPrefix(".partitions.") {
            try? fm.removeItem(atPath: out + "/" + name)
        }
    }

    /// `eachTask` over this run's dedup or reduce tasks: `body(j, task)` gets a copy of the run
    /// whose `stop` is task j's `stopRequested`, so a task run at once with others stops at its
    /// next part once a task below it has failed.
    func eachStopping(_ count: Int, atOnce: Int, _ body: (Int, ShardedRun) throws -> Void) throws {
        try ShardedRun.eachTask(count, atOnce: atOnce) { j, stopRequested in
            var task = self
            task.stop = stopRequested
            try body(j, task)
        }
    }

    /// `pws run --partitions P`: the sharded run in this process, its map tasks one per core
    /// (`mapTasks`), then a partition at a time (or one per core while they are small:
    /// `tasksAtOnce`), so memory holds a partition's rows rather than all of them. The intermediate files go to a
    /// folder of their own under OUT (`.partitions.PID`), removed at the end, failed or not.
    /// With `incremental` (`--incremental`), the map of each input file is kept in
    /// `OUT/.cache/map/` and reused while the file and the settings are unchanged (MapCache);
    /// after a published run, the entries no kept run uses are removed.
    /// `cores`: the cores the partitions' tasks may use (the machine's; tests set it).
    public static func runPartitioned(runner: PipelineRunner, partitions: Int,
                                      incremental: MapCacheOptions? = nil,
                                      cores: Int = Parallel.defaultWorkers) throws -> RunReport {
        try checkShape(task: nil, tasks: 1, partitions: partitions)
        try InputFiles.checkDataFolder(runner.request.dataDirectory)
        let out = runner.request.outputDirectory ?? "out"
        // The whole run holds OUT's lock, as `pws run` does: a second run into OUT fails at once
        // (exit 75) rather than after its map, dedup and reduce, and the scratch folder under
        // OUT is this run's alone while it exists.
        let lock = try RunLock(outputDirectory: out)
        defer { withExtendedLifetime(lock) {} }
        // The scratch folder holds the rows as read (person ids unmasked): it goes at the end,
        // failed or not, on SIGTERM/SIGINT/SIGHUP too, and a scratch folder a killed run left
        // behind goes now — under OUT's lock no other run is using one.
        ShardedRun.removeLeftScratch(out: out)
        let shared = out + "/.partitions.\(getpid())"
        Interruption.removeOnStop(shared)
        defer {
            try? FileManager.default.removeItem(atPath: shared)
            Interruption.forget(shared)
        }
        var run = ShardedRun(runner: runner, shared: shared)
        run.holdsRunLock = true
        let cache = incremental.map { MapCache(outputDirectory: out, options: $0) }
        run.mapCache = cache
        // A dedup or reduce task that meets an entry it cannot read rebuilds it in place
        // (`entrySection`, a console line): the stages run once.
        // A FHIR export is a `fhir/` folder in the data folder (spec §A3).
        var isFolder: ObjCBool = false
        let fhir = FileManager.default.fileExists(atPath: runner.request.dataDirectory + "/fhir", isDirectory: &isFolder)
            && isFolder.boolValue
        var report = try run.runStages(mapTasks: mapTasks(cores: cores, incremental: incremental != nil, fhir: fhir),
                                       partitions: partitions, command: "run", cores: cores)
        if let cache {
            report.lines.insert(contentsOf: cache.consoleLines(), at: 0)
            if report.exitStatus == .success, let link = report.folder {
                cache.recordRun(published: link)
                cache.prune(outputDirectory: out)
            }
        }
        return report
    }

    /// `pws run` with the same request, logging nothing (for the tests' reference).
    public static func runOneProcess(request: RunRequest) throws -> RunReport {
        try PipelineRunner(request: request, logger: Logger(label: "pws") { _ in SwiftLogNoOpLogHandler() }).run()
    }
}
