import Concurrency
import Foundation
import PWSCore
import Validate

/// What a map task with the cache hands on: per file in read order its entry's layout (the
/// manifest), and what its summary will hold.
final class MapTaskOutline {
    var layouts: [MapEntryLayout] = []
    var accounts: [FileAccount] = []
    /// The files' per-row rejects as their entries encode them (`ShardEncoder.diagnostic`, as
    /// the summary does too): copied, not decoded into `Diagnostic`s and encoded again.
    var rejects: [UInt8] = []
    var rejectCount = 0
    var notes: [String] = []
    var unregistered: [(village: UInt32, rw: String, rt: String)] = []
    private var seenRT = Set<String>()
    var candidates = 0

    /// Adds the next file: its entry's layout and metadata section (account, rejects, notes,
    /// unregistered RTs, candidate count). All or nothing: a metadata section that does not
    /// decode to the end, or is the map of another file, changes nothing and throws.
    ///
    /// `retoday`: the entry was built with today `from` and is used with today `to` (its file's
    /// visits compared with today lie on the same sides of both): its E-FUTURE messages are
    /// made to name `to`, the only difference between the two maps.
    func add(_ layout: MapEntryLayout, metadata: [UInt8], source: String, retoday: (from: Day, to: Day)? = nil) throws {
        var d = ShardDecoder(metadata, path: layout.path)
        let account = try d.account()
        guard account.source == source else {
            throw PWSError(.data, "entry \(layout.path) is the map of \(account.source), not of \(source)")
        }
        let rejectCount = try d.count()
        let rejectsStart = d.at
        var retodayed: ShardEncoder?
        if let retoday {
            var e = ShardEncoder()
            for _ in 0..<rejectCount {
                var reject = try d.diagnostic()
                if reject.rule == .future {
                    reject.message = Validation.futureMessage(reject.message, from: retoday.from, to: retoday.to)
                }
                e.diagnostic(reject)
            }
            retodayed = e
        } else {
            for _ in 0..<rejectCount { try d.skipDiagnostic() }
        }
        let rejectsEnd = d.at
        let fileNotes = try d.strings()
        let fileUnregistered = try (0..<d.count()).map { _ in
            (village: UInt32(truncatingIfNeeded: try d.uint()), rw: try d.string(), rt: try d.string())
        }
        let count = try d.index()  // the rows are in the part sections, not after it
        guard d.atEnd else { throw d.corrupted() }
        layouts.append(layout)
        candidates += count
        accounts.append(account)
        if let retodayed { rejects += retodayed.bytes } else { rejects += metadata[rejectsStart..<rejectsEnd] }
        self.rejectCount += rejectCount
        notes += fileNotes
        addUnregistered(fileUnregistered)
    }

    /// Adds the files of `next`, which come after this outline's in read order.
    func append(_ next: MapTaskOutline) {
        layouts += next.layouts
        candidates += next.candidates
        accounts += next.accounts
        rejects += next.rejects
        rejectCount += next.rejectCount
        notes += next.notes
        addUnregistered(next.unregistered)
    }

    /// The RTs not seen yet, in order of first use.
    private func addUnregistered(_ rts: [(village: UInt32, rw: String, rt: String)]) {
        for rt in rts where seenRT.insert("\(rt.village)\u{1}\(rt.rw)\u{1}\(rt.rt)").inserted {
            unregistered.append(rt)
        }
    }
}

/// One map task with the cache: the files in read order, each from its entry or, when it has
/// none or its entry cannot be used, read with `Validation.runMap` and its entry written. A
/// cached file costs the map its entry's table and metadata only: its rows stay where they
/// are, and dedup and reduce read them from the entry (`ShardedRun.entrySection`).
///
/// The files are cut into contiguous runs of about equal expected cost (`IncrementalMapRun`);
/// `workers` threads each take the next run not taken yet, and the runs' outlines, console
/// lines and counts are joined in read order — so the manifest and summary are the same for
/// any number of workers. A new file costs about as much as 100 cached ones, and the new
/// month's files come last in read order: cutting by cost, not by count, keeps both cores
/// busy on the night's new files.
final class IncrementalMap {
    let cache: MapCache
    let data: String
    let settings: ValidationSettings
    let register: AreaRegister
    let sources: [String]
    /// The run's key (each entry's key is made from it).
    let runKey: ShardRunKey
    let partitions: Int
    /// Threads reading and checking at once, and how many runs each takes on average (so a
    /// worker that finishes early takes over runs of the other's share).
    let workers: Int
    let runsPerWorker: Int
    /// Each file's stat when the task began.
    let stats: [MapCache.FileStat]
    /// Each file's sha256 (from the hash index when it vouches for the file's stat, else its
    /// bytes hashed) and the name of its entry keyed without today (`MapCache.entryKey`); a
    /// file with a visit after today has an entry keyed with it instead (`todayName`).
    let hashes: [String]
    /// Each file's size as hashed (for a file the index vouches for, its size in that stat).
    let sizes: [Int]
    let names: [String]
    private let todayNamer: MapCache.EntryNamer
    /// The entry name each file's map was taken from or written to (`names[k]` or
    /// `todayName(k)`), once the task has run: what the run's record of the entries it used
    /// lists, so pruning keeps them.
    private(set) var usedNames: [String] = []
    /// The hash index to save: the records used and those of the files hashed (`MapCache.hash`).
    private(set) var indexRecords: [String: (stat: MapCache.FileStat, sha256: String)] = [:]
    let outline = MapTaskOutline()
    /// Where an entry goes when the cache cannot take it (file `k` of the task): a file of the
    /// run's own, in its shared folder.
    let privatePath: (Int) -> String
    var readingCPU = 0.0, checkingCPU = 0.0
    /// The first file of the first run (in read order) that failed: no further run is claimed,
    /// and a run after it still reading stops at its next file.
    let failed = Locked(Int?.none)

    /// The expected cost of a file, in nanoseconds of one core: from its entry (open, check
    /// the table and metadata, decode the metadata) or read with the per-row rules (parse,
    /// check, build and write its entry). Measured on the 3 M-record year of bench/incremental.
    static let cachedCost = 20_000, readCostFixed = 100_000, readCostPerByte = 27

    /// Each file's sha256 and entry name, on `workers` threads: looked up in the hash index
    /// (`MapCache.lookUp`), the others' bytes hashed (`MapCache.hash`, a night's new files).
    /// `listed`: the files' stats as the listing saw them (`ServiceFileListing.stats`), else
    /// each file is stat'ed here.
    /// - Throws: as `lookUp` for a file that cannot be stat'ed, and the first file in read order
    ///   that cannot be hashed — whatever the number of threads.
    init(cache: MapCache, data: String, settings: ValidationSettings, register: AreaRegister, sources: [String],
         listed: [ListedStat]? = nil, run: ShardRunKey, partitions: Int, workers: Int = Parallel.defaultWorkers, runsPerWorker: Int = 8,
         privatePath: @escaping (Int) -> String) throws {
        self.cache = cache
        self.data = data
        self.settings = settings
        self.register = register
        self.sources = sources
        runKey = run
        self.partitions = partitions
        self.workers = max(1, workers)
        self.runsPerWorker = max(1, runsPerWorker)
        self.privatePath = privatePath
        let (stats, known) = try cache.lookUp(data: data, files: sources, listed: listed, workers: self.workers)
        self.stats = stats
        var hashes = known.map { $0 ?? "" }
        var sizes = stats.map { Int(clamping: $0.size) }
        for k in sources.indices where known[k] != nil {
            indexRecords[data + "/" + sources[k]] = (stats[k], known[k]!)
            cache.trusted += 1
        }
        let unknown = sources.indices.filter { known[$0] == nil }
        let runs = Parallel.ranges(weights: unknown.map { Int(clamping: stats[$0].size) }, parts: self.workers * 4)
        let hashed = Parallel.map(runs.count) { r in
            Result { try unknown[runs[r]].map { k in try MapCache.hash(path: data + "/" + sources[k], before: stats[k]) } }
        }
        for (r, result) in hashed.enumerated() {
            for (j, file) in try result.get().enumerated() {
                let k = unknown[runs[r].lowerBound + j]
                hashes[k] = file.sha256
                sizes[k] = file.bytes
                if let record = file.record { indexRecords[data + "/" + sources[k]] = (record, file.sha256) }
                cache.hashed += 1
            }
        }
        let namer = MapCache.EntryNamer(run: run, todaySpecific: false)
        todayNamer = MapCache.EntryNamer(run: run, todaySpecific: true)
        let parts = Parallel.ranges(sources.count, parts: self.workers * 2)
        names = Array(Parallel.map(parts.count) { p in
            parts[p].map { [hashes] k in namer.name(path: sources[k], sha256: hashes[k]) }
        }.joined())
        self.hashes = hashes
        self.sizes = sizes
    }

    /// Refuses file `k` when it is no longer as it was when its hash was taken: read while it
    /// changed (an upload or copy still going), its map is of other bytes than its hash's, and
    /// as an entry under that hash's key every later run would trust it — the truncated half of
    /// a file, say, once the whole file is back.
    /// - Throws: `PWSError` `.inputChanged` (exit 75): nothing published, nothing cached.
    func checkUnchanged(_ k: Int) throws {
        guard let now = MapCache.FileStat(data + "/" + sources[k]), now.matches(stats[k]) else {
            throw PWSError(.inputChanged, "\(sources[k]) changed while this run read it (an upload or copy still going?); nothing was published and nothing of it was cached — run again once it is complete")
        }
    }

    /// The name of file `k`'s entry keyed with today (a file with a visit after today).
    func todayName(_ k: Int) -> String { todayNamer.name(path: sources[k], sha256: hashes[k]) }

    /// File `k`'s entry name and key, keyed with today or not.
    func entry(_ k: Int, todaySpecific: Bool) -> (name: String, key: ShardRunKey) {
        (todaySpecific ? todayName(k) : names[k],
         MapCache.entryKey(run: runKey, path: sources[k], sha256: hashes[k], todaySpecific: todaySpecific))
    }

    /// Works through the task's files; `existing`: the entries in the cache (`entryNames`),
    /// listed now when not given.
    func run(existing: Set<String>? = nil) throws {
        let existing = existing ?? cache.entryNames()
        let costs = sources.indices.map { k -> Int in
            if existing.contains(names[k]) { return Self.cachedCost }
            // Sizes past 1 TiB cost alike (`Parallel.ranges` clamps the weights anyway).
            return Self.readCostFixed + Self.readCostPerByte * Int(min(stats[k].size, 1 << 40))
        }
        let ranges = Parallel.ranges(weights: costs, parts: workers * runsPerWorker)
        let runs = ranges.map { IncrementalMapRun(self, range: $0, existing: existing) }
        _ = Parallel.claiming(runs.count, workers: workers) { next in
            while failed.withLock({ $0 == nil }), let r = next() {
                runs[r].run()
                if let failure = runs[r].failure, !(failure is StopRequested) {
                    failed.withLock { $0 = min($0 ?? .max, runs[r].range.lowerBound) }
                }
            }
        }
        // Runs are claimed in order and stop being claimed after a failure; a run after the
        // failed one still reading then stops at its next file (`StopRequested`, not a failure
        // of its own), one before it runs on: the first failure in read order is the one a single
        // thread would have met first. The rejects (most of the outline's bytes) are joined into
        // one buffer of the right size, not one grown run by run.
        let failures = runs.compactMap(\.failure)
        if let first = failures.first(where: { !($0 is StopRequested) }) { throw first }
        // A run gives way only to a failure before it.
        if !failures.isEmpty { throw PWSError(.internalFailure, "a run of the map stopped with no failure to report") }
        outline.rejects.reserveCapacity(runs.reduce(outline.rejects.count) { $0 + $1.outline.rejects.count })
        for run in runs {
            precondition(run.done, "a run of the map task was not worked through")
            outline.append(run.outline)
            usedNames += run.usedNames
            cache.lines += run.lines
            cache.reused += run.reused
            cache.remapped += run.remapped
            cache.rebuilt += run.rebuilt
            readingCPU += run.readingCPU
            checkingCPU += run.checkingCPU
        }
        guard outline.layouts.count == sources.count, usedNames.count == sources.count else {
            throw PWSError(.internalFailure, "the map task handed on \(outline.layouts.count) of its \(sources.count) files")
        }
    }
}

/// A contiguous run of a map task's files (`range`, indices in `IncrementalMap.sources`),
/// worked through by one thread: the files without an entry read in one pass, the others taken
/// from their entries, all in read order. It touches nothing shared but the
/// files of its own range: its outline, console lines and counts are joined by the task.
final class IncrementalMapRun: @unchecked Sendable {
    private unowned let map: IncrementalMap
    let range: Range<Int>
    /// The entries in the cache when the task began.
    private let existing: Set<String>
    let outline = MapTaskOutline()
    /// The entry name each file of the run was handed on from, in read order.
    private(set) var usedNames: [String] = []
    var lines: [String] = []
    var reused = 0, remapped = 0, rebuilt = 0
    var readingCPU = 0.0, checkingCPU = 0.0
    private(set) var failure: (any Error)?
    private(set) var done = false
    /// The next file (index in `sources`) to hand on.
    private var next: Int

    init(_ map: IncrementalMap, range: Range<Int>, existing: Set<String>) {
        self.map = map
        self.range = range
        self.existing = existing
        next = range.lowerBound
    }

    /// The usable entries of the run's files, opened before any file is read (by index in
    /// `sources`), with the today to rewrite their E-FUTURE messages from: every file without
    /// one — new, changed, its entry unusable, or its entries holding for other todays — is
    /// then read in one pass.
    private var opened: [Int: (layout: MapEntryLayout, metadata: [UInt8], name: String, retoday: (from: Day, to: Day)?)] = [:]
    /// The files whose entry keyed without today holds for other todays only: their new entry
    /// is keyed with today (the first one is left as it is).
    private var otherToday = Set<Int>()

    func run() {
        do {
            var list: [Int] = []
            for k in range {
                if let entry = usableEntry(k) { opened[k] = entry } else { list.append(k) }
            }
            try read(list)
            try useEntries(upTo: range.upperBound)
            done = true
        } catch {
            failure = error
        }
    }

    /// File `k`'s entry, opened: the one keyed without today when it holds for the run's today
    /// (`ComparedVisits.holds`), else the one keyed with today; nil when the file is to be read
    /// — it has neither (a new or changed file, or one whose entries hold for other todays), or
    /// the one it has cannot be used (missing, truncated, corrupted, of another key, not
    /// decodable: never trusted; the entry is removed, with a console line).
    private func usableEntry(_ k: Int) -> (layout: MapEntryLayout, metadata: [UInt8], name: String,
                                           retoday: (from: Day, to: Day)?)? {
        let today = map.settings.today
        let plain = map.names[k]
        var name = plain
        do {
            if existing.contains(plain) {
                let (layout, metadata, compared) = try MapEntry.open(path: map.cache.entryPath(plain), name: plain,
                                                                     partitions: map.partitions, source: map.sources[k])
                guard let compared else { throw MapEntry.problem(map.cache.entryPath(plain), "corrupted (its table does not decode)") }
                if compared.holds(for: today) {
                    // Its E-FUTURE messages name the today it was built with.
                    let retoday = compared.earliestAfter != nil && compared.today != today ? (compared.today, today) : nil
                    return (layout, metadata, plain, retoday)
                }
                otherToday.insert(k)
            }
            name = map.todayName(k)
            if existing.contains(name) {
                let (layout, metadata, _) = try MapEntry.open(path: map.cache.entryPath(name), name: name,
                                                              partitions: map.partitions, source: map.sources[k])
                return (layout, metadata, name, nil)
            }
        } catch {
            unusable(k, name, error)
        }
        return nil
    }

    /// Entry `name` of file `k` cannot be used: removed, with a console line (the file is read).
    private func unusable(_ k: Int, _ name: String, _ error: any Error) {
        lines.append("map cache: the entry of \(map.sources[k]) cannot be used (\(MapCache.reason(error))); the file was read again and its entry rebuilt")
        let path = map.cache.entryPath(name)
        // A folder in its place goes too, or the entry could never be written there again.
        if unlink(path) != 0 && errno == EISDIR { try? FileManager.default.removeItem(atPath: path) }
        rebuilt += 1
    }

    /// Reads `list` (indices in `sources`, ascending) with the per-row rules; at the end of each
    /// file, the files before it come from their entries, then its own new entry is written
    /// and handed on.
    private func read(_ list: [Int]) throws {
        guard !list.isEmpty else { return }
        let builder = MapEntryBuilder(partitions: map.partitions)
        var failure: (any Error)?
        // Set with `failure`, for the reading thread; `failedRun`: the first file of the first run
        // that failed (this one stops when it is an earlier run).
        let failedHere = Locked(false), failedRun = map.failed, first = range.lowerBound
        let outcome: ShardMapOutcome
        do {
            outcome = try Validation.runMap(
                dataDirectory: map.data, settings: map.settings, register: map.register,
                sources: list.map { map.sources[$0] },
                stop: { failedHere.withLock { $0 } || failedRun.withLock { $0.map { $0 < first } ?? false } },
                emit: { c in if failure == nil { builder.add(c) } },
                fileDone: { [self] i, account, rejects, notes, compared in
                    guard failure == nil else { return }
                    let k = list[i]
                    do {
                        try map.checkUnchanged(k)
                        try useEntries(upTo: k)
                        // Keyed without today, unless the file's entry so keyed holds for other todays.
                        let (name, key) = map.entry(k, todaySpecific: otherToday.contains(k))
                        let sections = builder.finish(name: name, account: account, rejects: rejects, notes: notes,
                                                      compared: compared)
                        let header = ShardHeader(kind: MapCache.entryKind, task: 0, key: key)
                        let path = map.cache.entryPath(name)
                        let layout: MapEntryLayout
                        do {
                            layout = try MapEntry.write(sections, header: header, to: path, source: map.sources[k])
                        } catch {
                            lines.append("map cache: cannot write \(path) (\(MapCache.reason(error))); that file will be read again next time")
                            layout = try MapEntry.write(sections, header: header, to: map.privatePath(k),
                                                        source: map.sources[k])
                        }
                        try outline.add(layout, metadata: sections[1], source: map.sources[k])
                        usedNames.append(name)
                        remapped += 1
                        next = max(next, k + 1)
                    } catch {
                        failure = error
                        failedHere.withLock { $0 = true }
                    }
                })
        } catch {
            // This run's failure first: the reader, ahead of the checking, may have met a file
            // it cannot read (or been stopped) after it.
            throw failure ?? error
        }
        if let failure { throw failure }
        readingCPU += outcome.readingCPUSeconds
        checkingCPU += outcome.checkingCPUSeconds
    }

    /// Hands on the files before `end` that are not handed on yet from the entries opened for
    /// them (the files read are handed on by `read`, in read order between them). The rows'
    /// sections are checked by their readers (dedup, reduce); an entry whose metadata does not
    /// decode is not trusted either: its file is read again.
    private func useEntries(upTo end: Int) throws {
        while next < end {
            let k = next
            next += 1
            guard let entry = opened.removeValue(forKey: k) else { continue }  // read, and handed on
            do {
                try outline.add(entry.layout, metadata: entry.metadata, source: map.sources[k], retoday: entry.retoday)
                usedNames.append(entry.name)
                reused += 1
            } catch {
                unusable(k, entry.name, error)
                try read([k])
            }
        }
    }

}
