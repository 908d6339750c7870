import Foundation
import Concurrency
import Ingest
import PWSCore

// Both cores on reading *and* checking (issue 21, item 3). The §3 rules split in two:
// - per-row rules, which look at one row only (E-REQUIRED … E-ELIGIBILITY, W-RESULT,
//   W-GESTATION, W-AREA, W-NIK): they run on worker threads, each reading a run of files and
//   checking its rows (`precheck`), with caches and a register copy of its own;
// - the rules and indices that depend on the rows before (E-DUPLICATE-ID, W-DUPLICATE, the
//   interned person/record/pregnancy/facility ids, unregistered RTs' indices, the accounts):
//   the calling thread applies them to the workers' results in file order (`merge`), exactly
//   as `check` does row by row, so every output is the same whatever the number of workers.

/// What a worker decided about one row with the per-row rules.
struct CheckedRow: Sendable {
    /// The event's per-row values. `person`, `record`, `pregnancy` and `facility` are set by the
    /// merge; `rt` indexes the register, or the chunk's `newRTs` when `newRT` is set.
    var event: ServiceEvent
    var idHash: UInt64
    var personHash: UInt64 = 0
    /// Raw-text hash of a result that did not parse (W-RESULT), when `hasResultHash`.
    var resultHash = 0
    /// Where this row's share of the chunk's `personBytes`, `rejects` and `pending` ends; it
    /// starts where the previous row's ends.
    var personEnd: UInt32 = 0
    var rejectsEnd: UInt32 = 0
    var pendingEnd: UInt32 = 0
    /// Passed every per-row error rule (otherwise its rejects are in `rejects`).
    var passed = false
    var hasResultHash = false
    var newRT = false
}

/// A `RowChunk` with what a worker decided about each of its rows.
struct CheckedChunk: Sendable {
    var chunk: RowChunk
    var rows: [CheckedRow] = []
    /// The normalised person ids of the rows that passed, back to back.
    var personBytes: [UInt8] = []
    /// The per-row rejects and the pending warnings (kept only if the row is accepted), in row order.
    var rejects: [Diagnostic] = []
    var pending: [Diagnostic] = []
    /// RTs the register does not list, one per row that uses one (W-AREA rows, rare).
    var newRTs: [RTArea] = []
}

enum CheckedPipelineItem: Sendable {
    case chunks([CheckedChunk])
    case failed(any Error)
    case done
}

extension ServiceRowChecker {
    /// The per-row rules over `chunk` (a worker's part): the same steps `check` runs before
    /// E-DUPLICATE-ID, with this checker's own caches and register copy. RTs past the first
    /// `registeredRTs` of the register (unregistered ones this worker added) are handed on by
    /// their labels, since their index depends on the order of all files.
    mutating func precheck(_ chunk: RowChunk, registeredRTs: Int) -> CheckedChunk {
        var out = CheckedChunk(chunk: chunk)
        out.rows.reserveCapacity(chunk.count)
        out.personBytes.reserveCapacity(chunk.count * 16)
        // The closure only calls a mutating method: a non-mutating call on the captured `self`
        // copied the whole checker (some 30 references) per row.
        chunk.forEachRow { row in precheckRow(row, registeredRTs: registeredRTs, into: &out) }
        out.rejects = rejects
        rejects = []
        return out
    }

    /// One row of `precheck` (not inlined into the closure: see there).
    @inline(never)
    private mutating func precheckRow(_ row: BatchRow, registeredRTs: Int, into out: inout CheckedChunk) {
        var c = RowCheck(row: row)
        checkErrorRules(&c)
        var r = CheckedRow(event: ServiceEvent(person: 0, record: 0, visit: c.visit, birth: c.birth,
                                               service: c.service, sex: c.sex, rt: 0,
                                               facilityType: c.facilityType, provider: c.provider),
                           idHash: c.idHash)
        if !c.rejected {
            resolveRT(&c)
            var event = ServiceEvent(person: 0, record: 0, visit: c.visit, birth: c.birth, service: c.service,
                                     sex: c.sex, rt: c.rtIndex, facilityType: c.facilityType,
                                     provider: c.provider)
            checkResult(&c, &event)    // W-RESULT
            checkGestation(&c, &event) // W-GESTATION
            checkAreaWarning(&c)       // W-AREA
            checkNIK(&c)               // W-NIK
            if Int(c.rtIndex) >= registeredRTs {
                out.newRTs.append(register.rts[Int(c.rtIndex)])
                event.rt = UInt32(out.newRTs.count - 1)
                r.newRT = true
            }
            r.event = event
            r.passed = true
            r.personHash = c.personHash
            if let h = c.resultHash {
                r.resultHash = h
                r.hasResultHash = true
            }
            out.personBytes.append(contentsOf: personScratch.bytes)
            if !c.pending.isEmpty { out.pending.append(contentsOf: c.pending) }
        }
        r.personEnd = UInt32(out.personBytes.count)
        r.rejectsEnd = UInt32(rejects.count)
        r.pendingEnd = UInt32(out.pending.count)
        out.rows.append(r)
    }

    /// The rules across rows over a worker's `checked` chunk (the calling thread's part), in
    /// read order: what `consume` does for the rows, starting where the worker stopped.
    /// - Returns: the file's reading summary when this was its last chunk.
    mutating func merge(_ checked: CheckedChunk) -> TableReadSummary? {
        let chunk = checked.chunk
        var account = openAccount(chunk)
        var at = MergePosition(position: positions.count - 1, file: chunk.file)
        // As in `precheck`, the closure only calls a mutating method (no copy of the checker).
        chunk.forEachRow { row in mergeRow(row, checked, &at, account: &account) }
        return closeAccount(chunk, account)
    }

    /// One row of `merge` (not inlined into the closure).
    @inline(never)
    private mutating func mergeRow(_ row: BatchRow, _ checked: CheckedChunk, _ at: inout MergePosition,
                                   account: inout FileAccount) {
        let r = at.row
        let cr = checked.rows[r]
        // How far ahead the record id and person slots are prefetched: the workers did the
        // checks that hid these misses in `check`, so the merge loads them a few rows early.
        let ahead = 8
        if r + ahead < checked.rows.count {
            let next = checked.rows[r + ahead]
            recordIDs.prefetch(hash: next.idHash)
            if next.passed { persons.prefetch(hash: next.personHash) }
        }
        defer {
            at.row += 1
            at.rejectStart = Int(cr.rejectsEnd)
            at.pendingStart = Int(cr.pendingEnd)
            at.personStart = Int(cr.personEnd)
        }
        guard cr.passed else {
            rejects.append(contentsOf: checked.rejects[at.rejectStart..<Int(cr.rejectsEnd)])
            account.rowsRejected += 1
            return
        }
        var c = RowCheck(row: row, idHash: cr.idHash)
        c.visit = cr.event.visit
        c.birth = cr.event.birth
        if cr.hasResultHash { c.resultHash = cr.resultHash }
        if Int(cr.pendingEnd) > at.pendingStart {
            c.pending = Array(checked.pending[at.pendingStart..<Int(cr.pendingEnd)])
        }
        var event = cr.event
        if cr.newRT {
            let a = checked.newRTs[Int(event.rt)]
            event.rt = register.rt(village: a.village, rw: a.rw, rt: a.rt)
                ?? register.rtAddingUnregistered(village: a.village, rw: a.rw, rt: a.rt)
        }
        let facilityHash = row.isEmpty(.facilityID) ? 0 : ByteInterner.hash64(row.cleaned(.facilityID))
        let keyHash = EventKeyTable.hash(event, personHash: cr.personHash, facilityHash: facilityHash,
                                         raw: c.resultHash ?? 0)
        duplicateKeys.prefetch(hash: keyHash)
        event = checked.personBytes.withUnsafeBytes { bytes in
            internIDs(c, personBytes: UnsafeRawBufferPointer(rebasing: bytes[at.personStart..<Int(cr.personEnd)]),
                      personHash: cr.personHash, facilityHash: facilityHash, event: event)
        }
        checkAcrossRows(&c, &event, keyHash: keyHash, file: at.file, position: at.position, account: &account)
    }
}

/// Where `merge` is in a checked chunk: the row, and where its shares of the chunk's arrays start.
struct MergePosition {
    let position: Int
    let file: Int
    var row = 0, rejectStart = 0, pendingStart = 0, personStart = 0
}

/// Reading and the per-row rules on `workers` threads, the rules across rows on the calling
/// thread, in file order.
///
/// The files are cut into units of consecutive files (`units`); a worker claims the next unit,
/// reads it and prechecks its chunks into the unit's own queue. The calling thread takes the
/// units in order and merges each queue's chunks until the unit is done. At most `workers`
/// units are claimed ahead of the one being merged, and a unit's queue holds at most 4 batches,
/// so memory stays bounded whatever the number and size of files (a large file is one unit
/// whose worker waits while its queue is full).
struct ParallelRowChecking {
    let reader: RowChunkReader
    let workers: Int
    /// Bytes of files a unit gathers before it is closed (a larger file is a unit alone): about
    /// a batch of rows (`RowChunk.rowsPerBatch`, ~128 bytes each), so a unit's output fits its
    /// queue and a worker seldom waits for the merge.
    var unitBytes = 128 << 10
    static let batchesPerUnitQueue = 4

    /// Consecutive runs of files of at least `unitBytes` bytes each (by the listing's sizes;
    /// without them, one file per unit).
    static func units(sizes: [Int]?, count: Int, unitBytes: Int) -> [Range<Int>] {
        guard let sizes, sizes.count == count else { return (0..<count).map { $0..<($0 + 1) } }
        var units: [Range<Int>] = []
        var start = 0, bytes = 0
        for i in 0..<count {
            bytes += sizes[i]
            if bytes >= unitBytes || i == count - 1 {
                units.append(start..<(i + 1))
                start = i + 1
                bytes = 0
            }
        }
        return units
    }

    /// Runs the stage: `makeChecker` builds each worker's checker (on its thread), `merge` is
    /// called on this thread with every checked chunk in read order.
    /// - Throws: the reading error of the first file that cannot be read, after every chunk of
    ///   the files before it was merged (as `RowChunkReader.run`).
    /// - Returns: the CPU seconds the workers used, together.
    func run(makeChecker: @escaping @Sendable () throws -> ServiceRowChecker,
             registeredRTs: Int, merge: (CheckedChunk) -> Void) throws -> Double {
        let units = Self.units(sizes: reader.sizes, count: reader.sources.count, unitBytes: unitBytes)
        let queues = units.map { _ in BoundedQueue<CheckedPipelineItem>(limit: Self.batchesPerUnitQueue) }
        let order = OrderedBlockQueue<Bool>(count: units.count, window: workers)
        let reader = self.reader
        let threads = (0..<workers).map { _ in
            BackgroundThread(stackSize: 4 << 20) { () -> Double in
                var checker: ServiceRowChecker
                do { checker = try makeChecker() } catch {
                    order.stop(error)
                    return ThreadCPUTime.seconds()
                }
                // The worker's own column names: their header cache is for one thread at a time.
                var unitReader = checker.chunkReader(directory: reader.directory, sources: reader.sources)
                unitReader.sizes = reader.sizes
                unitReader.stop = reader.stop
                while let u = order.claim() {
                    let out = queues[u]
                    order.put(true, at: u)
                    unitReader.read(files: units[u]) { item in
                        switch item {
                        case .chunks(let chunks):
                            out.put(.chunks(chunks.map { checker.precheck($0, registeredRTs: registeredRTs) }))
                        case .failed(let error): out.put(.failed(error))
                        case .done: out.put(.done)
                        }
                    }
                }
                return ThreadCPUTime.seconds()
            }
        }
        // No worker the system would make: no unit will be claimed (one that runs claims them all).
        if threads.allSatisfy({ $0.startFailure != nil }), let refused = threads.first?.startFailure { order.stop(refused) }
        var failure: (any Error)?
        units: for u in units.indices {
            guard order.take(u) != nil else {
                failure = order.failure
                break
            }
            while true {
                switch queues[u].take() {
                case .chunks(let chunks): for chunk in chunks { merge(chunk) }
                case .failed(let error):
                    failure = error
                    break units
                case .done: continue units
                }
            }
        }
        if let failure {
            order.stop(failure)
            for queue in queues { queue.close() }
        }
        var cpu = 0.0
        for thread in threads { cpu += try thread.wait() }
        if let failure { throw failure }
        return cpu
    }
}
