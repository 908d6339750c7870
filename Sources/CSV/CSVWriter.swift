import CLibCSV
import CPrefetch
import PWSCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a CSV file is written: the dialect choices of spec §2.1 that a writer makes.
///
/// The defaults are RFC 4180 with LF line ends and no BOM. `excelIndonesia` is what an
/// Indonesian-locale Excel "CSV (UTF-8)" export looks like: `;`, CRLF and a UTF-8 BOM.
public struct CSVWriteOptions: Sendable, Hashable {
    /// Field separator byte (`,` by default).
    public var delimiter: UInt8
    /// Quote byte; a quote inside a quoted field is doubled.
    public var quote: UInt8
    /// Bytes written after every row (`[0x0A]` = LF, `[0x0D, 0x0A]` = CRLF).
    public var lineEnding: [UInt8]
    /// Whether the file starts with the UTF-8 byte-order mark `EF BB BF`.
    public var bom: Bool

    /// Creates write options; every argument defaults to plain RFC 4180 with LF.
    public init(delimiter: UInt8 = 0x2C, lineEnding: [UInt8] = [0x0A], bom: Bool = false,
                quote: UInt8 = 0x22) {
        self.delimiter = delimiter
        self.lineEnding = lineEnding
        self.bom = bom
        self.quote = quote
    }

    /// `,` + LF, no BOM.
    public static let standard = CSVWriteOptions()
    /// `;` + CRLF + BOM, as Indonesian Excel writes.
    public static let excelIndonesia = CSVWriteOptions(delimiter: 0x3B, lineEnding: [0x0D, 0x0A],
                                                       bom: true)
}

/// Writes CSV rows through libcsv's quoting, buffered, to a file or to memory.
///
/// A field is written as is when it holds no delimiter, quote, CR or LF, and otherwise quoted
/// with `csv_write2` (which always quotes and doubles inner quotes). Rows can be written whole
/// (`writeRow`) or a field at a time (`writeField` … `endRow`), the latter for hot loops that
/// format straight into bytes without a `String` per field.
///
/// Not thread-safe: one writer belongs to one task.
///
/// - Complexity: O(bytes written); one `fwrite` per `bufferSize` bytes.
public final class CSVWriter {
    /// The dialect this writer writes.
    public let options: CSVWriteOptions
    /// Rows completed so far (the BOM and raw bytes are not rows).
    public private(set) var rowsWritten: Int = 0
    /// Bytes produced so far, including the BOM and what is still buffered.
    public private(set) var bytesWritten: Int = 0

    private enum Sink {
        case file(UnsafeMutablePointer<FILE>, path: String)
        case memory
        case closed
    }

    private var sink: Sink
    /// See `init(path:options:bufferSize:onWrite:)`.
    private let onWrite: ((UnsafeRawBufferPointer) -> Void)?
    private var memory: [UInt8] = []
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var count = 0
    private var fieldsInRow = 0
    private var lastFieldEmpty = false
    private let delimiter: UInt8
    private let quote: UInt8
    private let lineEnding: [UInt8]
    /// Where the next write-behind request starts: the bytes before it were requested.
    private(set) var writeBehindStart = 0
    /// Writing back is started for every `writeBehindStep` bytes written.
    static let writeBehindStep = 16 << 20

    /// Opens (creating or truncating) `path` for writing.
    ///
    /// - Parameters:
    ///   - bufferSize: bytes buffered before each write to the file; keep it small when many
    ///     writers are open at once.
    ///   - onWrite: called with every block of bytes just before it goes to the file, in file
    ///     order (the BOM and header included): a checksum of the file as it is written, so it
    ///     need not be read back.
    /// - Throws: `PWSError` with code `.outputNotWritable` when the file cannot be created.
    public init(path: String, options: CSVWriteOptions = .init(), bufferSize: Int = 256 * 1024,
                onWrite: ((UnsafeRawBufferPointer) -> Void)? = nil) throws {
        guard let file = fopen(path, "wb") else {
            let reason = String(cString: strerror(errno))
            throw PWSError(.outputNotWritable,
                           "cannot create \(path): check that the folder exists and is writable",
                           cause: reason)
        }
        self.options = options
        self.sink = .file(file, path: path)
        self.onWrite = onWrite
        self.capacity = max(bufferSize, 4096)
        self.buffer = .allocate(capacity: self.capacity)
        self.delimiter = options.delimiter
        self.quote = options.quote
        self.lineEnding = options.lineEnding
        if options.bom { try writeRaw([0xEF, 0xBB, 0xBF]) }
    }

    /// An in-memory writer; read the result with `bytes` or `take()`.
    public init(options: CSVWriteOptions = .init()) {
        self.options = options
        self.sink = .memory
        self.onWrite = nil
        self.capacity = 16 * 1024
        self.buffer = .allocate(capacity: self.capacity)
        self.delimiter = options.delimiter
        self.quote = options.quote
        self.lineEnding = options.lineEnding
        if options.bom { try? writeRaw([0xEF, 0xBB, 0xBF]) }
    }

    deinit {
        if case .file(let file, _) = sink {
            // Best effort: an unclosed writer still gets its data out; errors surface via close().
            _ = fwrite(buffer, 1, count, file)
            fclose(file)
        }
        buffer.deallocate()
    }

    /// Everything written so far (in-memory writers only; empty for file writers).
    public var bytes: [UInt8] {
        guard case .memory = sink else { return [] }
        return memory + UnsafeBufferPointer(start: buffer, count: count)
    }

    /// Returns what an in-memory writer holds and empties it.
    ///
    /// The bytes are handed over, not copied: the writer goes on in fresh storage of the same
    /// capacity, so a writer reused for blocks of similar size does not grow its storage again.
    public func take() -> [UInt8] {
        guard case .memory = sink else { return [] }
        memory.append(contentsOf: UnsafeBufferPointer(start: buffer, count: count))
        count = 0
        let result = memory
        memory.removeAll(keepingCapacity: true)
        return result
    }

    /// Encodes one row (with its line ending) in the given dialect.
    public static func encodeRow(_ fields: [String], options: CSVWriteOptions = .init()) -> [UInt8] {
        let writer = CSVWriter(options: CSVWriteOptions(delimiter: options.delimiter,
                                                        lineEnding: options.lineEnding,
                                                        bom: false, quote: options.quote))
        try? writer.writeRow(fields)
        return writer.bytes
    }

    /// Writes a whole row of strings.
    public func writeRow(_ fields: [String]) throws {
        for field in fields {
            var field = field
            try field.withUTF8 { try writeField(UnsafeRawBufferPointer($0)) }
        }
        try endRow()
    }

    /// Writes a whole row of byte fields.
    public func writeRow(bytes fields: [[UInt8]]) throws {
        for field in fields {
            try field.withUnsafeBytes { try writeField($0) }
        }
        try endRow()
    }

    /// Appends one field of the current row, quoting it when it needs quoting.
    public func writeField(_ field: String) throws {
        var field = field
        try field.withUTF8 { try writeField(UnsafeRawBufferPointer($0)) }
    }

    /// Appends one field (UTF-8 bytes) of the current row, quoting it when it needs quoting.
    public func writeField(_ field: [UInt8]) throws {
        try field.withUnsafeBytes { try writeField($0) }
    }

    /// Appends one field given as raw bytes, quoting it when it needs quoting.
    ///
    /// - Complexity: O(field length).
    public func writeField(_ field: UnsafeRawBufferPointer) throws {
        try beginField()
        var needsQuote = false
        for b in field where b == delimiter || b == quote || b == 0x0A || b == 0x0D {
            needsQuote = true
            break
        }
        lastFieldEmpty = field.isEmpty
        if !needsQuote {
            try append(field)
            return
        }
        let worst = field.count * 2 + 2
        if worst > capacity {
            // A field larger than the buffer: quote into a scratch allocation.
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: worst, alignment: 1)
            defer { scratch.deallocate() }
            let n = csv_write2(scratch.baseAddress, worst, field.baseAddress, field.count, quote)
            try append(UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
            return
        }
        if capacity - count < worst { try flush() }
        let n = csv_write2(buffer + count, capacity - count, field.baseAddress, field.count, quote)
        count += n
        bytesWritten += n
    }

    /// Writes one row whose fields lie back to back in `bytes`, field `i` ending at `ends[i]`
    /// (so it starts at `ends[i - 1]`, or 0). The hot-path API: one call per row, no allocation.
    ///
    /// - Complexity: O(row length).
    public func writeRow(packed bytes: UnsafeRawBufferPointer, ends: UnsafeBufferPointer<Int>) throws {
        let fields = ends.count
        let worst = bytes.count * 2 + fields * 3 + lineEnding.count + 2
        if fieldsInRow > 0 || worst > capacity {
            var start = 0
            for end in ends {
                try writeField(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                start = end
            }
            try endRow()
            return
        }
        if case .closed = sink { throw PWSError(.internalFailure, "write after close") }
        if capacity - count < worst { try flush() }
        let out = buffer
        let cap = capacity
        let delimiter = self.delimiter, quote = self.quote
        var c = count
        var start = 0
        if let base = bytes.baseAddress {
            let src = base.assumingMemoryBound(to: UInt8.self)
            for i in 0..<fields {
                if i > 0 {
                    out[c] = delimiter
                    c += 1
                }
                let end = ends[i]
                var needsQuote = false
                var k = start
                while k < end {
                    let b = src[k]
                    if b == delimiter || b == quote || b == 0x0A || b == 0x0D {
                        needsQuote = true
                        break
                    }
                    k += 1
                }
                if needsQuote {
                    c += csv_write2(out + c, cap - c, src + start, end - start, quote)
                } else if end > start {
                    (out + c).update(from: src + start, count: end - start)
                    c += end - start
                }
                start = end
            }
        } else if fields > 1 {
            for _ in 1..<fields {
                out[c] = delimiter
                c += 1
            }
        }
        if fields == 1 && ends[0] == 0 {
            out[c] = quote
            out[c + 1] = quote
            c += 2
        }
        for b in lineEnding {
            out[c] = b
            c += 1
        }
        bytesWritten += c - count
        count = c
        rowsWritten += 1
    }

    /// Appends one field exactly as given, never quoted: for deliberately malformed test data
    /// (the synthetic generator's `E-PARSE` rows). The caller vouches for the bytes.
    public func writeRawField(_ field: [UInt8]) throws {
        try beginField()
        lastFieldEmpty = field.isEmpty
        try field.withUnsafeBytes { try append($0) }
    }

    /// Ends the current row: writes the line ending and counts the row.
    public func endRow() throws {
        // One empty field alone would be a blank line, which readers skip: write `""`.
        if fieldsInRow == 1 && lastFieldEmpty { try writeRaw([quote, quote]) }
        try writeRaw(lineEnding)
        fieldsInRow = 0
        rowsWritten += 1
    }

    /// Appends `count` whole rows already encoded in this writer's dialect — by an in-memory
    /// writer on another thread, say — verbatim, and counts them.
    ///
    /// - Complexity: O(bytes); a block larger than the buffer goes to the file in one `fwrite`.
    public func writeRows(encoded bytes: [UInt8], count rows: Int) throws {
        precondition(fieldsInRow == 0, "encoded rows written inside a row")
        if case .closed = sink { throw PWSError(.internalFailure, "write after close") }
        try writeRaw(bytes)
        rowsWritten += rows
    }

    /// Appends bytes verbatim, outside the row/field structure (a BOM, a broken line).
    public func writeRaw(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// Writes out what is buffered.
    public func flush() throws {
        guard count > 0 else { return }
        switch sink {
        case .file(let file, let path):
            onWrite?(UnsafeRawBufferPointer(start: buffer, count: count))
            let written = fwrite(buffer, 1, count, file)
            if written != count {
                let reason = String(cString: strerror(errno))
                count = 0
                throw PWSError(.outputNotWritable, "cannot write \(path): is the disk full?",
                               cause: reason)
            }
            startWriteBehind(file, handed: bytesWritten)  // the buffer's bytes are counted in it
        case .memory:
            memory.append(contentsOf: UnsafeBufferPointer(start: buffer, count: count))
        case .closed:
            break
        }
        count = 0
    }

    /// Once another `writeBehindStep` of the `handed` bytes given to `fwrite` so far is there
    /// (`bytesWritten` less what is still in this writer's buffer), asks the kernel to start
    /// writing that step to the disk without waiting (`pws_write_behind`): a large output (indicators.csv, ~490 MB at 3 M records) is then
    /// mostly on the disk by the time publishing fsyncs it, instead of all of it being written
    /// in that fsync at the end of the run, with the cores idle. The last 64 KiB handed over
    /// are left out, mostly still in stdio's buffer (a file system with a larger block size
    /// buffers more: those pages are simply not dirty yet, and the fsync writes them), and a
    /// request ends on a page boundary. The call is advisory and its failure ignored. Small
    /// files never reach a step.
    @inline(__always)
    private func startWriteBehind(_ file: UnsafeMutablePointer<FILE>, handed: Int) {
        let end = (handed - 64 * 1024) & ~4095
        guard end - writeBehindStart >= CSVWriter.writeBehindStep else { return }
        _ = pws_write_behind(fileno(file), Int64(writeBehindStart), Int64(end - writeBehindStart))
        writeBehindStart = end
    }

    /// Flushes and closes the file; further writes throw. Closing twice is harmless.
    public func close() throws {
        try flush()
        if case .file(let file, let path) = sink {
            sink = .closed
            if fclose(file) != 0 {
                let reason = String(cString: strerror(errno))
                throw PWSError(.outputNotWritable, "cannot finish writing \(path)", cause: reason)
            }
        }
    }

    @inline(__always)
    private func beginField() throws {
        if case .closed = sink {
            throw PWSError(.internalFailure, "write after close")
        }
        if fieldsInRow > 0 {
            if count == capacity { try flush() }
            buffer[count] = delimiter
            count += 1
            bytesWritten += 1
        }
        fieldsInRow += 1
    }

    @inline(__always)
    private func append(_ bytes: UnsafeRawBufferPointer) throws {
        let n = bytes.count
        if n == 0 { return }
        if capacity - count < n {
            try flush()
            if n > capacity {
                // Bigger than the whole buffer: hand it straight to the sink.
                switch sink {
                case .file(let file, let path):
                    onWrite?(bytes)
                    if fwrite(bytes.baseAddress, 1, n, file) != n {
                        throw PWSError(.outputNotWritable, "cannot write \(path): is the disk full?",
                                       cause: String(cString: strerror(errno)))
                    }
                    startWriteBehind(file, handed: bytesWritten + n)  // counted just below
                case .memory:
                    memory.append(contentsOf: bytes)
                case .closed:
                    throw PWSError(.internalFailure, "write after close")
                }
                bytesWritten += n
                return
            }
        }
        (buffer + count).initialize(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                    count: n)
        count += n
        bytesWritten += n
    }
}
