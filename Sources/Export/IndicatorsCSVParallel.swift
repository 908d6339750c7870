import Aggregate
import Foundation
import CSV
import Concurrency
import PWSCore

/// What `IndicatorsCSVParallelWriter` wrote: the data rows (header excluded), and the file's
/// SHA-256 (lower-case hex) and size as `FileDigest.sha256(path:)` reads them.
public struct IndicatorsCSVWritten: Sendable, Equatable {
    public var rows: Int
    public var sha256: String
    public var bytes: Int
}

/// Writes a run's whole `indicators.csv` on threads of its own while the caller does other
/// work: `workers` threads format blocks of rows into memory (`IndicatorRowFormatter`, the same
/// code as `IndicatorsCSVWriter`), one more writes the blocks to the file in row order and
/// hashes them on the way. The bytes are those of `IndicatorsCSVWriter` fed `values.forEach`.
///
/// A block is a run of consecutive (month, area) pairs of the output order with all their
/// indicators, about `rowsPerBlock` rows (~2 MB at the default). At most `2 × workers + 2`
/// blocks are claimed and not yet taken by the writing thread, plus the one it is writing:
/// the memory used does not grow with the file.
///
/// `init` opens the file and writes the header (an unwritable path throws there); `finish()`
/// waits for the rest. After an error — the file cannot be written, or `cancel()` — every
/// thread stops within a block and `finish()` throws; no thread outlives `finish()` or
/// `cancel()`.
///
/// - Complexity: O(rows) work spread over `workers` threads; the writing thread's share is the
///   SHA-256 and `fwrite` of the bytes.
public final class IndicatorsCSVParallelWriter {
    /// Worker threads by default: one per processor, at most 8 (`Parallel.defaultWorkers`).
    public static var defaultWorkers: Int { Parallel.defaultWorkers }
    /// Rows per block by default: a few MB, large enough that hand-overs cost nothing, small
    /// enough that the blocks in flight take little memory.
    public static let defaultRowsPerBlock = 16_384

    public let path: String
    private let job: IndicatorsCSVJob

    /// Opens `path`, writes the header and starts the threads; returns at once.
    ///
    /// - Parameters:
    ///   - workers: formatting threads (at least 1), besides the writing thread.
    ///   - rowsPerBlock: rows per block, rounded to whole (month, area) pairs (at least one).
    /// - Throws: `PWSError(.outputNotWritable)` when the file cannot be created.
    public convenience init(values: IndicatorValues, path: String, format: OutputFormat,
                            workers: Int = defaultWorkers, rowsPerBlock: Int = defaultRowsPerBlock) throws {
        try self.init(values: values, path: path, format: format, workers: workers, rowsPerBlock: rowsPerBlock,
                      afterFormatting: nil)
    }

    /// As the public `init`, with `afterFormatting` called on a worker thread with each block's
    /// number once the block is formatted, before it is handed in (tests use it to finish
    /// blocks out of order, or to count them).
    init(values: IndicatorValues, path: String, format: OutputFormat, workers: Int, rowsPerBlock: Int,
         afterFormatting: (@Sendable (Int) -> Void)?) throws {
        self.path = path
        job = try IndicatorsCSVJob(values: values, path: path, format: format, workers: max(1, workers),
                                   rowsPerBlock: rowsPerBlock, afterFormatting: afterFormatting)
        job.start()
    }

    deinit { cancel() }

    /// Waits until the file is written and closed.
    ///
    /// - Throws: `PWSError(.outputNotWritable)` when a block or the end of the file could not
    ///   be written, or the error of `cancel()`.
    public func finish() throws -> IndicatorsCSVWritten { try job.wait() }

    /// Stops the threads (on an error elsewhere in the run) and waits for them; the file is left
    /// incomplete. Harmless after `finish()`.
    public func cancel() {
        job.blocks.stop(PWSError(.internalFailure, "writing \(path) was cancelled"))
        _ = try? job.wait()
    }

    /// The most blocks that were claimed and not yet taken by the writing thread at once (tests).
    var peakBlocksInFlight: Int { job.blocks.peakInFlight }
    /// The bound on `peakBlocksInFlight`.
    var window: Int { job.blocks.window }
}

/// The state the threads of one `IndicatorsCSVParallelWriter` share. The file (an
/// `IndicatorsCSVWriter`, which writes the header and hashes the bytes) belongs to the writing
/// thread once `start()` has run; everything else is immutable
/// or guarded by `blocks`. The threads are Concurrency's `BackgroundThread`s.
private final class IndicatorsCSVJob: @unchecked Sendable {
    // @unchecked: `file` (not Sendable) is touched by the writing thread only once `start()`
    // has run, and `writer` by the thread that owns the job only.
    let values: IndicatorValues
    let cells: IndicatorCells
    /// The fast path, nil in a dialect where numbers would need quoting.
    let encoder: IndicatorRowEncoder?
    let format: OutputFormat
    let workers: Int
    let plan: IndicatorBlockPlan
    let blocks: OrderedBlockQueue<EncodedRows>
    let afterFormatting: (@Sendable (Int) -> Void)?
    private let file: IndicatorsCSVWriter
    /// The writing thread, whose value is the outcome; it returns after every worker stopped.
    private var writer: BackgroundThread<IndicatorsCSVWritten>?

    init(values: IndicatorValues, path: String, format: OutputFormat, workers: Int, rowsPerBlock: Int,
         afterFormatting: (@Sendable (Int) -> Void)?) throws {
        self.values = values
        self.format = format
        self.workers = workers
        self.afterFormatting = afterFormatting
        cells = IndicatorCells(areas: values.areas, indicators: values.indicators)
        encoder = IndicatorRowEncoder(cells: cells, year: values.year, format: format)
        plan = IndicatorBlockPlan(months: values.asOfMonth, areas: values.order.count,
                                  indicators: values.indicators.count, rowsPerBlock: rowsPerBlock)
        blocks = OrderedBlockQueue(count: plan.count, window: 2 * workers + 2)
        file = try IndicatorsCSVWriter(path: path, format: format)
    }

    func start() {
        // The threads yield to the run's others: the file is ready long before the workbook
        // thread (libxlsxwriter's one thread and zlib) ends, so taking a core from it in the
        // meantime would only lengthen the stage.
        let formatting = (0..<workers).map { _ in BackgroundThread(yielding: true) { [self] in formatBlocks() } }
        let writer = BackgroundThread(yielding: true) { [self] in
            defer { for w in formatting { try? w.wait() } }
            return try writeBlocks()
        }
        self.writer = writer
        // A thread the system would not make: the others must not wait for it — without a
        // writer the formatters wait for room, without any formatter the writer for a block.
        if let failure = writer.startFailure ?? (formatting.allSatisfy { $0.startFailure != nil } ? formatting.first?.startFailure : nil) {
            blocks.stop(failure)
        }
    }

    /// The file's rows and digest once every thread has stopped; a second wait returns at once.
    func wait() throws -> IndicatorsCSVWritten {
        guard let writer else { preconditionFailure("wait() before start()") }
        return try writer.wait()
    }

    /// A worker: formats the blocks it claims until none is left or the queue stops.
    private func formatBlocks() {
        if let encoder { return encodeBlocks(with: encoder) }
        let values = values
        let formatter = IndicatorRowFormatter(cells: cells, year: values.year, format: format)
        var options = format.writeOptions
        options.bom = false  // the file's BOM is written once, before the header
        let memory = CSVWriter(options: options)
        while let b = blocks.claim() {
            do {
                let rows = try plan.format(b, of: values, with: formatter, into: memory)
                afterFormatting?(b)
                blocks.put(EncodedRows(bytes: memory.take(), rows: rows), at: b)
            } catch {
                blocks.stop(error)
            }
        }
    }

    /// A worker on the fast path: encodes the blocks it claims into a buffer of its own.
    private func encodeBlocks(with encoder: IndicatorRowEncoder) {
        var buffer = EncodedBlockBuffer(capacity: plan.areasPerBlock * max(plan.indicators, 1) * 128)
        while let b = blocks.claim() {
            let rows = plan.encode(b, of: values, with: encoder, into: &buffer)
            afterFormatting?(b)
            blocks.put(EncodedRows(bytes: buffer.take(), rows: rows), at: b)
        }
    }

    /// The writing thread: the blocks in order, then the end of the file. On an error it stops
    /// the workers; on a worker's error or `cancel()` it stops at the block it waits for.
    private func writeBlocks() throws -> IndicatorsCSVWritten {
        do {
            for b in 0..<plan.count {
                guard let block = blocks.take(b) else {
                    throw blocks.failure ?? PWSError(.internalFailure, "writing indicators.csv stopped")
                }
                try file.write(encoded: block.bytes, rows: block.rows)
            }
            try file.close()
            let digest = file.digest
            return IndicatorsCSVWritten(rows: file.rows, sha256: digest.hex, bytes: digest.bytes)
        } catch {
            blocks.stop(error)
            try? file.close()  // let go of the file now; what it holds is incomplete anyway
            throw error
        }
    }
}

/// Rows encoded in the file's dialect, ready to be written.
struct EncodedRows: Sendable {
    var bytes: [UInt8]
    var rows: Int
}

/// How `indicators.csv` is cut into blocks: the (month, area) pairs of the output order —
/// pair `k` is month `k / areas + 1` and the area at position `k % areas` of
/// `IndicatorValues.order`, each followed by all its indicators, as `IndicatorValues.forEach`
/// goes — in runs of `areasPerBlock`.
struct IndicatorBlockPlan {
    let months: Int, areas: Int, indicators: Int
    let areasPerBlock: Int
    /// Blocks in the file (0 when it has no rows).
    let count: Int

    init(months: Int, areas: Int, indicators: Int, rowsPerBlock: Int) {
        self.months = max(months, 0)
        self.areas = areas
        self.indicators = indicators
        areasPerBlock = max(1, rowsPerBlock / max(indicators, 1))
        let pairs = indicators > 0 ? self.months * areas : 0
        count = (pairs + areasPerBlock - 1) / areasPerBlock
    }

    /// The (month, area) pairs of block `b`.
    func areaMonths(of b: Int) -> Range<Int> {
        b * areasPerBlock ..< min((b + 1) * areasPerBlock, months * areas)
    }

    /// Encodes the rows of block `b` of `values` into `buffer` (`IndicatorRowEncoder`), in file
    /// order; returns the rows.
    func encode(_ b: Int, of values: IndicatorValues, with encoder: IndicatorRowEncoder,
                into buffer: inout EncodedBlockBuffer) -> Int {
        let pairs = areaMonths(of: b)
        let room = encoder.longestRow
        var rows = 0
        for k in pairs {
            let month = k / areas + 1, area = values.order[k % areas]
            for i in 0..<indicators where values.hasRow(area: area, indicator: i) {
                let out = buffer.reserve(room)
                buffer.count += encoder.encode(values.figures(month: month, area: area, indicator: i), to: out)
                rows += 1
            }
        }
        return rows
    }

    /// Formats the rows of block `b` of `values` into `memory`, in file order; returns the rows.
    func format(_ b: Int, of values: IndicatorValues, with formatter: IndicatorRowFormatter,
                into memory: CSVWriter) throws -> Int {
        let pairs = areaMonths(of: b)
        var rows = 0
        for k in pairs {
            let month = k / areas + 1, area = values.order[k % areas]
            for i in 0..<indicators where values.hasRow(area: area, indicator: i) {
                try formatter.write(values.figures(month: month, area: area, indicator: i), to: memory)
                rows += 1
            }
        }
        return rows
    }
}
