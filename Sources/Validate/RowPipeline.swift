import Foundation
import CSV
import Concurrency
import Ingest
import PWSCore

/// Rows of one service file, copied out of the reader's buffers: each row's bytes from its
/// first to its last schema field in one copy, with where each cleaned field lies in them.
/// The reading thread fills chunks; the checking thread consumes them in order, so the
/// Validate stage uses both cores while the rules still see rows in read order.
/// A struct, not a class: its arrays are appended to per row, and stored properties of a
/// class would pay a dynamic exclusivity check on every access.
struct RowChunk: Sendable {
    /// Index of the file in the run's file order, and its path relative to the data folder.
    let file: Int
    let source: String
    /// What the rows are positioned by: `source` for a CSV file, `FILE:SHEET` for a worksheet.
    let label: String
    let fieldCount: Int
    /// The bytes of every row (each row's span of the record buffer, columns not in the
    /// schema included when they lie between schema columns).
    private(set) var bytes: [UInt8] = []
    /// Per row, `2 × fieldCount` offsets into `bytes`: each cleaned field's start and end
    /// (equal when the field is empty or its column absent).
    private(set) var offsets: [UInt32] = []
    /// Physical line where each row starts.
    private(set) var lines: [Int] = []
    /// What the reader rejected (E-PARSE, E-FIELDS, E-COLUMNS) in this part of the file.
    var problems: [Diagnostic] = []
    /// Set on the file's last chunk.
    var summary: TableReadSummary?

    static let rowsPerChunk = 4096
    /// Rows handed over at once when files are small (several files' chunks together); with
    /// a queue of 2 batches the rows waiting stay about what 8 single chunks held before
    /// batching, and so does peak memory (Validate README).
    static let rowsPerBatch = 1024
    /// Bytes of files not yet hashed (`CSVReadOptions.defersSingleBlockDigest`) that close a
    /// batch: with the queue's 2 batches, at most a few of these wait for the checking thread.
    static let unhashedPerBatch = 256 << 10

    /// - Parameter expectedBytes: the file's size when known: a small file's chunk reserves
    ///   room for its likely rows (~1 per 128 bytes), not for a full chunk (~1 MiB), so reading
    ///   many small files does not allocate and touch a megabyte each.
    init(file: Int, source: String, label: String? = nil, fieldCount: Int, expectedBytes: Int? = nil) {
        self.file = file
        self.source = source
        self.label = label ?? source
        self.fieldCount = fieldCount
        var rows = RowChunk.rowsPerChunk
        if let expectedBytes { rows = Swift.min(rows, expectedBytes / 128 + 16) }
        bytes.reserveCapacity(rows * 128)
        offsets.reserveCapacity(rows * 2 * fieldCount)
        lines.reserveCapacity(rows)
    }

    var count: Int { lines.count }

    /// Copies `row`: one copy of the span of the record buffer that holds its schema fields
    /// (fields of a record lie in one buffer), and two offsets per field. Three appends per row
    /// instead of two per field, and each field looked up once: this runs for every row on the
    /// reading thread, the one that bounds the Validate stage.
    mutating func append(_ row: TableRow) {
        let n = fieldCount
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 2 * n) { bounds in
            // Each field's start and end address, low 32 bits, while finding the span; then
            // moved to where the span lands in `bytes` (a row spans far less than 4 GiB, so the
            // wrapping differences are exact). An empty field stays (0, 0): a field with bytes
            // has its end past its start.
            var lo = UInt.max, hi: UInt = 0
            for f in 0..<n {
                let field = row.cleaned(f)
                guard let start = field.baseAddress, !field.isEmpty else {
                    bounds[2 * f] = 0
                    bounds[2 * f + 1] = 0
                    continue
                }
                let a = UInt(bitPattern: start), b = a + UInt(field.count)
                lo = Swift.min(lo, a)
                hi = Swift.max(hi, b)
                bounds[2 * f] = UInt32(truncatingIfNeeded: a)
                bounds[2 * f + 1] = UInt32(truncatingIfNeeded: b)
            }
            let base = bytes.count
            if lo < hi {
                bytes.append(contentsOf: UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: lo),
                                                                count: Int(hi - lo)))
                let shift = UInt32(truncatingIfNeeded: base) &- UInt32(truncatingIfNeeded: lo)
                for f in 0..<n where bounds[2 * f] != bounds[2 * f + 1] {
                    bounds[2 * f] &+= shift
                    bounds[2 * f + 1] &+= shift
                }
            }
            offsets.append(contentsOf: UnsafeBufferPointer(bounds))
        }
        lines.append(row.location.line)
    }

    /// Calls `body` with each row in order.
    func forEachRow(_ body: (BatchRow) -> Void) {
        bytes.withUnsafeBytes { all in
            offsets.withUnsafeBufferPointer { offsets in
                for r in 0..<lines.count {
                    body(BatchRow(location: SourceLocation(source: label, line: lines[r]), base: all.baseAddress,
                                  offsets: offsets.baseAddress! + r * 2 * fieldCount))
                }
            }
        }
    }
}

/// One row of a `RowChunk`, read the way `TableRow` is: by schema field index.
struct BatchRow {
    let location: SourceLocation
    let base: UnsafeRawPointer?
    let offsets: UnsafePointer<UInt32>

    /// Schema field `field`, cleaned (§2.1); empty when the file has no such column.
    @inline(__always)
    func cleaned(_ field: Int) -> UnsafeRawBufferPointer {
        let start = Int(offsets[2 * field]), end = Int(offsets[2 * field + 1])
        guard let base, end > start else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + start, count: end - start)
    }

    @inline(__always) func isEmpty(_ field: Int) -> Bool { offsets[2 * field + 1] == offsets[2 * field] }

    /// Schema field `field`, cleaned, as a `String` (allocates: for messages).
    func string(_ field: Int) -> String { String(decoding: cleaned(field), as: UTF8.self) }

    /// Field `field` of `TableSchema.layanan`, cleaned.
    @inline(__always) func cleaned(_ field: LayananField) -> UnsafeRawBufferPointer { cleaned(field.rawValue) }
    @inline(__always) func isEmpty(_ field: LayananField) -> Bool { isEmpty(field.rawValue) }
    func string(_ field: LayananField) -> String { string(field.rawValue) }
}

/// What the reading thread hands over: chunks in read order, several small ones at a time
/// (a file of a few hundred rows is one small chunk; one hand-off per file would cost a lock
/// round and a thread wake-up each).
enum RowPipelineItem: Sendable {
    case chunks([RowChunk])
    case failed(any Error)
    case done
}

/// Reads service files into `RowChunk`s, in file order.
struct RowChunkReader: Sendable {
    let directory: String
    let sources: [String]
    let names: TableColumnNames
    var options: CSVReadOptions
    /// The size of each source when the listing knew it (sizes the first chunk of small files).
    var sizes: [Int]? = nil
    var workbook = WorkbookReadOptions()
    var reshape: [ReshapeRule] = []
    var fhir = FHIRMapping()
    /// The `fhir/` files the FHIR context is built from, in read order; nil: those of
    /// `sources`. A map task of a sharded run reads a share of the files but gives all of the
    /// run's `fhir/` files here, so its records are completed as `pws run` completes them.
    var fhirContextSources: [String]? = nil
    /// Asked before each file and whenever a chunk fills (`RowChunk.rowsPerChunk` rows): once
    /// it says true, the reader stops there and emits `.failed(StopRequested)` (a map task
    /// whose own write, or a task before it, has failed: `Validation.runMap`).
    var stop: (@Sendable () -> Bool)? = nil
    /// Filled before the first FHIR file is read: what every `fhir/` file tells the others.
    private let fhirContext = FHIRContextBox()
    /// The rows this run's readers have rejected so far as not records (E-PARSE, E-FHIR,
    /// E-CELL …), shared by the copies the workers read with. Each is held until rejects.csv
    /// is written — ~250 B at the peak, whatever its size in the input (a line of one byte) —
    /// so past `maxReaderRejects` the run stops with a message instead of running out of memory.
    private let readerRejects = Locked(0)
    /// 10 million (~2.5 GB held); `PWS_MAX_READER_REJECTS` sets another (docs/operations.md).
    static let maxReaderRejects = ProcessInfo.processInfo.environment["PWS_MAX_READER_REJECTS"].flatMap(Int.init) ?? 10_000_000

    /// The reader of one service file: a wide register through its reshape rule, a workbook,
    /// or CSV (directly, the hot path).
    func reader(_ source: String) throws -> (TableReader, sectioned: Bool) {
        let path = directory + "/" + source
        if let rule = reshape.first(where: { $0.matches(source) }) {
            let inner: RecordSource = TableReader.isWorkbookName(source)
                ? try WorkbookRecordSource(path: path, source: source, options: workbook)
                : CSVRecordSource(reader: try CSVReader(path: path, source: source, options: options),
                                  headerLine: workbook.headerRow)
            return (TableReader(records: ReshapeSource(inner: inner, rule: rule, source: source), source: source,
                                names: names), true)
        }
        if source.hasPrefix("fhir/") {
            let context = try fhirContext.context
                ?? FHIRContext.collect(directory: directory,
                                       sources: fhirContextSources ?? sources.filter { $0.hasPrefix("fhir/") },
                                       mapping: fhir)
            fhirContext.context = context
            return (TableReader(records: FHIRRecordSource(path: path, source: source, context: context),
                                source: source, names: names), true)
        }
        if TableReader.isWorkbookName(source) {
            return (try TableReader.open(path: path, source: source, names: names, options: options, workbook: workbook),
                    true)
        }
        return (try TableReader(path: path, source: source, names: names, options: options), false)
    }

    /// Reads every file (or the files at `files`, indices into `sources`), handing chunks to
    /// `emit` in batches of at least `RowChunk.rowsPerBatch` rows (or 64 chunks); stops at the
    /// first file that cannot be read. A workbook's rows are positioned by sheet: a chunk holds
    /// rows of one sheet only.
    func read(files: Range<Int>? = nil, _ emit: (RowPipelineItem) -> Void) {
        let fieldCount = names.schema.fields.count
        var batch: [RowChunk] = []
        var batchRows = 0, batchUnhashed = 0
        func add(_ chunk: RowChunk) {
            batch.append(chunk)
            batchRows += chunk.count
            // Files whose bytes wait for the checking thread's hash (`defersSingleBlockDigest`)
            // close a batch sooner, so the bytes held between the threads stay small.
            batchUnhashed += chunk.summary?.unhashedContent?.count ?? 0
            if batchRows >= RowChunk.rowsPerBatch || batch.count >= 64 || batchUnhashed >= RowChunk.unhashedPerBatch {
                emit(.chunks(batch))
                batch = []
                batchRows = 0
                batchUnhashed = 0
            }
        }
        let indices = files ?? sources.indices
        for i in indices {
            let source = sources[i]
            do {
                if let stop, stop() { throw StopRequested(done: i - indices.lowerBound) }
                let (reader, sectioned) = try self.reader(source)
                var chunk = RowChunk(file: i, source: source, fieldCount: fieldCount, expectedBytes: sizes?[i])
                var fileRejects = 0
                var firstReject: Diagnostic?
                let summary = try reader.read(row: { row in
                    if sectioned && row.location.source != chunk.label {
                        if chunk.count > 0 || !chunk.problems.isEmpty { add(chunk) }
                        chunk = RowChunk(file: i, source: source, label: row.location.source, fieldCount: fieldCount)
                    }
                    chunk.append(row)
                    if chunk.count >= RowChunk.rowsPerChunk {
                        if let stop, stop() { throw StopRequested(done: i - indices.lowerBound) }
                        add(chunk)
                        chunk = RowChunk(file: i, source: source, label: chunk.label, fieldCount: fieldCount)
                    }
                }, problem: { diagnostic in
                    chunk.problems.append(diagnostic)
                    fileRejects += 1
                    if firstReject == nil { firstReject = diagnostic }
                    let total = readerRejects.withLock { (n: inout Int) -> Int in
                        n += 1
                        return n
                    }
                    if total > Self.maxReaderRejects, let first = firstReject {
                        throw PWSError(.inputMissing, Self.tooManyRejects(source: source, rows: fileRejects, first: first))
                    }
                })
                chunk.summary = summary
                add(chunk)
            } catch {
                if !batch.isEmpty { emit(.chunks(batch)) }
                batch = []
                emit(.failed(error))
                return
            }
        }
        if !batch.isEmpty { emit(.chunks(batch)) }
        batch = []
        emit(.done)
    }

    /// Why the run stopped at `maxReaderRejects`: the file, how many of its rows, its first
    /// reject (masked and made visible as rejects.csv would show it) and what to do.
    static func tooManyRejects(source: String, rows: Int, first: Diagnostic) -> String {
        let shown = VisibleText.quoting(first.message, limit: 200)
        return "\(source): \(rows) of its rows are not records (the first, \(first.location): \(first.rule.rawValue) \(shown)), "
            + "and the files read so far hold more than \(maxReaderRejects) such rows; the run stops before they fill the memory "
            + "and publishes nothing — fix or remove the file (PWS_MAX_READER_REJECTS raises the limit where memory allows, ~250 B a row)"
    }

    /// Reads on a second thread, calling `consume` on this one for each chunk in order.
    /// - Throws: the reading error of the first file that cannot be read (after the chunks of
    ///   the files before it were consumed).
    /// - Returns: the CPU seconds the reading thread used (for the run's timings).
    @discardableResult
    func run(_ consume: (RowChunk) -> Void) throws -> Double {
        let queue = BoundedQueue<RowPipelineItem>(limit: 2)
        let reader = self
        let thread = BackgroundThread(stackSize: 4 << 20) {
            reader.read { queue.put($0) }
            return ThreadCPUTime.seconds()
        }
        if let failure = thread.startFailure { throw failure }  // no reader: no chunk will come
        // The reader emits `.failed` or `.done` last, then records its CPU time and finishes.
        while true {
            switch queue.take() {
            case .chunks(let chunks): for chunk in chunks { consume(chunk) }
            case .failed(let error):
                _ = try thread.wait()
                throw error
            case .done:
                return try thread.wait()
            }
        }
    }
}

/// The FHIR context, built on the reading thread when it meets the first `fhir/` file and
/// used only there.
final class FHIRContextBox: @unchecked Sendable {
    var context: FHIRContext?
}

