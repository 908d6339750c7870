#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PWSCore

/// How a CSV file is read; the defaults are the spec's (§2.1).
public struct CSVReadOptions: Sendable {
    /// The field delimiter; `nil` sniffs it on the header line among `,` `;` TAB `|`.
    public var delimiter: UInt8?
    /// Bytes read per block (default 1 MiB). Any size from 1 gives the same records.
    public var blockSize: Int
    /// The longest field allowed (default 64 KiB); a longer one makes its record `E-PARSE`.
    public var maxFieldBytes: Int
    /// The most bytes one record (or one physical line) may span (default 1 MiB); a longer one
    /// is `E-PARSE`. This bounds the memory kept to re-read a bad record. At most 256 MiB.
    public var maxRecordBytes: Int

    /// Options with the spec's defaults unless given.
    public init(delimiter: UInt8? = nil, blockSize: Int = 1 << 20, maxFieldBytes: Int = 64 << 10,
                maxRecordBytes: Int = 1 << 20) {
        self.delimiter = delimiter
        self.blockSize = blockSize
        self.maxFieldBytes = maxFieldBytes
        self.maxRecordBytes = maxRecordBytes
    }
}

/// A streaming, constant-memory CSV reader over libcsv (spec §2.1).
///
/// It reads blocks, splits them into physical lines itself (LF, CRLF, lone CR), and feeds libcsv
/// one line at a time in strict mode, so every record knows the line where it starts and a bad
/// record is rejected without losing the rest of the file. A byte-order mark is skipped, blank
/// rows are counted and skipped, and a file that is not UTF-8 is read as Windows-1252 and
/// converted to UTF-8.
///
/// ```swift
/// let reader = try CSVReader(path: url.path, source: "layanan/2025-03.csv")
/// try reader.read { event in
///     switch event {
///     case .record(let record): print(record.line, record.string(0))
///     case .malformed(let line, let message): print("\(line): \(message)")
///     }
/// }
/// ```
public final class CSVReader {
    /// The path relative to the data folder, as diagnostics name the file.
    public let source: String
    /// The options the reader was made with.
    public let options: CSVReadOptions
    /// The delimiter in use: the option, else the one sniffed on the header line by `read`
    /// (`,` before `read`, or when no candidate occurs).
    public private(set) var delimiter: UInt8
    /// The file's encoding, known from the start (the initializer checks the whole file).
    public let encoding: TextEncoding
    /// Blank lines and all-empty records skipped by the last `read` (spec §2.1 `blank_rows`).
    public private(set) var blankRows = 0

    private enum Input {
        case file(FileInput)
        case bytes([UInt8])
    }

    private let input: Input

    /// Opens a file and checks whether it is UTF-8.
    /// - Throws: `PWSError` `.inputMissing` when the file cannot be opened or read.
    /// - Complexity: reads the whole file once (at several GB/s for ASCII text).
    public init(path: String, source: String, options: CSVReadOptions = .init()) throws {
        let file = try FileInput(path: path, source: source)
        var validator = UTF8Validator()
        try file.scan { validator.consume($0) }
        self.input = .file(file)
        self.source = source
        self.options = options
        self.delimiter = options.delimiter ?? Dialect.delimiterCandidates[0]
        self.encoding = validator.isComplete ? .utf8 : .windows1252
    }

    /// Reads CSV text held in memory (tests, small inputs).
    public init(bytes: [UInt8], source: String, options: CSVReadOptions = .init()) {
        var validator = UTF8Validator()
        bytes.withUnsafeBytes { validator.consume($0) }
        self.input = .bytes(bytes)
        self.source = source
        self.options = options
        self.delimiter = options.delimiter ?? Dialect.delimiterCandidates[0]
        self.encoding = validator.isComplete ? .utf8 : .windows1252
    }

    /// Reads the whole input from the start, calling `body` for every record and every
    /// malformed record, in file order. Blank rows are skipped and counted in `blankRows`.
    ///
    /// The `CSVRecord` passed to `body` is a view into a buffer reused for the next record.
    /// - Throws: what `body` throws, or `PWSError` `.inputMissing` when the file cannot be read.
    /// - Complexity: O(file size) time; memory bounded by the block size and `maxRecordBytes`.
    public func read(_ body: (CSVEvent) throws -> Void) throws {
        let session = ReadSession(options: options, encoding: encoding)
        defer {
            delimiter = session.delimiter
            blankRows = session.assembler.blankRows
        }
        switch input {
        case .bytes(let bytes):
            try bytes.withUnsafeBytes { all in
                let size = Swift.max(1, options.blockSize)
                var offset = 0
                while offset < all.count {
                    let end = Swift.min(all.count, offset + size)
                    try session.consume(UnsafeRawBufferPointer(rebasing: all[offset..<end]), emit: body)
                    offset = end
                }
            }
        case .file(let file):
            try file.rewind()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(1, options.blockSize),
                                                                alignment: 8)
            defer { buffer.deallocate() }
            while true {
                let count = try file.read(into: buffer)
                if count == 0 { break }
                try session.consume(UnsafeRawBufferPointer(rebasing: buffer[..<count]), emit: body)
            }
        }
        try session.finish(emit: body)
    }
}

/// One pass over the input: splits blocks into physical lines and hands them to the assembler.
private final class ReadSession {
    let assembler: RecordAssembler
    private(set) var delimiter: UInt8
    private var delimiterKnown: Bool
    private let encoding: TextEncoding
    private let maxRecordBytes: Int

    private var lineNumber = 1
    /// The start of a line that continues in the next block.
    private var partial = ByteStorage(capacity: 4096)
    private var hasPartial = false
    private var partialOverlong = false
    /// The last block ended in CR: the next byte decides whether it is CRLF.
    private var carriedCR = false
    private var decoded = ByteStorage(capacity: 4096)

    init(options: CSVReadOptions, encoding: TextEncoding) {
        delimiter = options.delimiter ?? Dialect.delimiterCandidates[0]
        delimiterKnown = options.delimiter != nil
        self.encoding = encoding
        // Capped so field offsets fit the 32-bit `FieldBounds`.
        maxRecordBytes = Swift.min(Swift.max(1, options.maxRecordBytes), 256 << 20)
        assembler = RecordAssembler(delimiter: delimiter, maxFieldBytes: options.maxFieldBytes,
                                    maxRecordBytes: maxRecordBytes)
    }

    deinit {
        partial.deallocate()
        decoded.deallocate()
    }

    /// - Complexity: O(block size); two `memchr` scans per line.
    func consume(_ block: UnsafeRawBufferPointer, emit: (CSVEvent) throws -> Void) throws {
        guard let base = block.baseAddress, block.count > 0 else { return }
        let count = block.count
        var position = 0
        if carriedCR {
            carriedCR = false
            if base.load(as: UInt8.self) == Dialect.lineFeed {
                appendPartial(base, 1)
                position = 1
            }
            try deliverPartial(emit: emit)
        }
        var nextLF = -1
        var nextCR = -1
        while position < count {
            if nextLF < position { nextLF = find(Dialect.lineFeed, base, position, count) }
            if nextCR < position { nextCR = find(Dialect.carriageReturn, base, position, count) }
            let terminator = Swift.min(nextLF, nextCR)
            if terminator == count {
                appendPartial(base + position, count - position)
                return
            }
            var end = terminator + 1
            if terminator == nextCR {
                if end == count {
                    // CR at the end of the block: CRLF split across blocks must count once.
                    appendPartial(base + position, count - position)
                    carriedCR = true
                    return
                }
                if base.load(fromByteOffset: end, as: UInt8.self) == Dialect.lineFeed { end += 1 }
            }
            if hasPartial {
                appendPartial(base + position, end - position)
                try deliverPartial(emit: emit)
            } else {
                let length = end - position
                try deliver(UnsafeRawBufferPointer(start: base + position, count: length),
                            overlong: length > maxRecordBytes, emit: emit)
            }
            position = end
        }
    }

    func finish(emit: (CSVEvent) throws -> Void) throws {
        carriedCR = false
        if hasPartial { try deliverPartial(emit: emit) }
        try assembler.finish(emit: emit)
    }

    @inline(__always)
    private func find(_ byte: UInt8, _ base: UnsafeRawPointer, _ from: Int, _ count: Int) -> Int {
        guard let hit = memchr(base + from, Int32(byte), count - from) else { return count }
        return UnsafeRawPointer(hit) - base
    }

    private func appendPartial(_ start: UnsafeRawPointer, _ length: Int) {
        hasPartial = true
        guard !partialOverlong else { return }
        if partial.count + length > maxRecordBytes {
            partialOverlong = true
            partial.removeAll()
        } else {
            partial.append(start, length)
        }
    }

    private func deliverPartial(emit: (CSVEvent) throws -> Void) throws {
        defer {
            partial.removeAll()
            hasPartial = false
            partialOverlong = false
        }
        try deliver(partial.bytes, overlong: partialOverlong, emit: emit)
    }

    @inline(__always)
    private func deliver(_ raw: UnsafeRawBufferPointer, overlong: Bool, emit: (CSVEvent) throws -> Void) throws {
        let number = lineNumber
        lineNumber += 1
        var line = raw
        if number == 1, line.starts(with: Dialect.byteOrderMark) {
            line = UnsafeRawBufferPointer(rebasing: line[3...])
            if line.isEmpty, !overlong { return }
        }
        if !delimiterKnown, !overlong, !Dialect.isBlankLine(line) {
            delimiter = Dialect.sniffDelimiter(line)
            assembler.parser.setDelimiter(delimiter)
            delimiterKnown = true
        }
        if encoding == .windows1252, !overlong, !Windows1252.isASCII(line) {
            decoded.removeAll()
            Windows1252.transcode(line, into: &decoded)
            line = decoded.bytes
        }
        try assembler.feedLine(line, number: number, overlong: overlong, emit: emit)
    }
}

/// A file opened for reading, closed when released.
private final class FileInput {
    private let descriptor: Int32
    private let source: String

    init(path: String, source: String) throws {
        self.source = source
        // Non-blocking, so a FIFO cannot hold the run at open(2); then only regular files are read
        // (a device such as /dev/zero never ends).
        descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw PWSError(.inputMissing, "cannot open \(source) (\(reason)); check that the file exists "
                               + "in the data folder and is readable", cause: "\(path): \(reason)")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw PWSError(.inputMissing, "\(source) is not a regular file but a directory, FIFO, socket or device; "
                               + "only files can be read — move it out of the data folder")
        }
    }

    deinit { close(descriptor) }

    /// Passes the whole file to `body` in pieces: mapped into memory 16 MiB at a time when
    /// possible (no copy, and resident memory stays bounded), else read in 1 MiB blocks.
    func scan(_ body: (UnsafeRawBufferPointer) -> Void) throws {
        var offset = 0
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG {
            let size = Int(status.st_size)
            while offset < size {
                let length = Swift.min(16 << 20, size - offset)
                guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, off_t(offset)),
                      mapped != MAP_FAILED else { break }
                body(UnsafeRawBufferPointer(start: mapped, count: length))
                munmap(mapped, length)
                offset += length
            }
            if offset >= size { return }
        }
        // Not mappable (a pipe, or mmap refused part way): read the rest.
        guard lseek(descriptor, off_t(offset), SEEK_SET) == off_t(offset) else { throw failure() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = try read(into: buffer)
            if count == 0 { break }
            body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    func rewind() throws {
        guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw failure() }
    }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            #if canImport(Glibc)
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            #else
            let count = Darwin.read(descriptor, buffer.baseAddress, buffer.count)
            #endif
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw failure()
        }
    }

    private func failure() -> PWSError {
        let reason = String(cString: strerror(errno))
        return PWSError(.inputMissing, "cannot read \(source) (\(reason)); check that it is a readable file",
                        cause: reason)
    }
}
