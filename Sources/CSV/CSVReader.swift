#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
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
    /// Also hash the bytes as they are read (`CSVReader.contentDigest`), so a caller that
    /// needs the file's SHA-256 (run.json's inputs) does not read it a second time. Off by
    /// default: a file read for its records only does not pay for the hash.
    public var hashesContent = false
    /// With `hashesContent`: a file read in one block (smaller than `blockSize`, most service
    /// files) is not hashed while read. Its bytes are kept instead (`CSVReader.unhashedContent`)
    /// for the caller to hash on another thread: Validate's reading thread is its busier one, so
    /// the checking thread hashes what the reading thread read.
    public var defersSingleBlockDigest = false

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
    /// (`,` before `read`, or when no candidate occurs). While `read` runs, the one it reads
    /// with (a message about a record names the file's delimiter, not the default).
    public var delimiter: UInt8 { session?.delimiter ?? lastDelimiter }
    private var lastDelimiter: UInt8
    /// The pass `read` is making, while it makes it.
    private var session: ReadSession?
    /// The file's encoding: UTF-8 when the whole file is valid UTF-8, else Windows-1252.
    /// Decided by `read` as it goes (each byte read once); asked before `read`, it is found by
    /// checking the input then, which costs a read of the file.
    public var encoding: TextEncoding {
        if let knownEncoding { return knownEncoding }
        let found = checkEncoding()
        knownEncoding = found
        return found
    }
    private var knownEncoding: TextEncoding?
    /// Bytes the last `read` read twice to decide the encoding (see `read`); 0 in the common case.
    private(set) var bytesCheckedAhead = 0
    /// Blank lines and all-empty records skipped by the last `read` (spec §2.1 `blank_rows`).
    public private(set) var blankRows = 0
    /// With `options.hashesContent`: the SHA-256 and count of the bytes the last `read` read
    /// from the file, set when that `read` reached the end of the file (nil otherwise, and for
    /// text held in memory). Fed the blocks of the one pass over the file, in order; bytes read
    /// ahead for the encoding decision are not fed twice.
    public private(set) var contentDigest: ContentDigest?
    /// With `options.defersSingleBlockDigest`: the bytes of a file the last `read` read in one
    /// block, not hashed (`contentDigest` is then nil); nil otherwise.
    public private(set) var unhashedContent: UnhashedContent?

    private enum Input {
        case file(FileInput)
        case bytes([UInt8])
    }

    private let input: Input

    /// Opens a file (one `open`, one `fstat`; nothing is read yet).
    /// - Throws: `PWSError` `.inputMissing` when the file cannot be opened or is not a regular file.
    public init(path: String, source: String, options: CSVReadOptions = .init()) throws {
        self.input = .file(try FileInput(path: path, source: source))
        self.source = source
        self.options = options
        self.lastDelimiter = options.delimiter ?? Dialect.delimiterCandidates[0]
    }

    /// Reads CSV text held in memory (tests, small inputs).
    public init(bytes: [UInt8], source: String, options: CSVReadOptions = .init()) {
        self.input = .bytes(bytes)
        self.source = source
        self.options = options
        self.lastDelimiter = options.delimiter ?? Dialect.delimiterCandidates[0]
    }

    /// Reads the whole input from the start, calling `body` for every record and every
    /// malformed record, in file order. Blank rows are skipped and counted in `blankRows`.
    ///
    /// Each block is read once: the encoding is decided on the way (`EncodingDecision`); only a
    /// file longer than one block whose first non-ASCII text is followed by more blocks has that
    /// rest checked ahead (read twice) before the text is delivered.
    ///
    /// The `CSVRecord` passed to `body` is a view into a buffer reused for the next record.
    /// - Throws: what `body` throws, or `PWSError` `.inputMissing` when the file cannot be read.
    /// - Complexity: O(file size) time; memory bounded by the block size and `maxRecordBytes`.
    public func read(_ body: (CSVEvent) throws -> Void) throws {
        let session = ReadSession(options: options)
        self.session = session
        var decision = EncodingDecision()
        defer {
            lastDelimiter = session.delimiter
            self.session = nil
            blankRows = session.assembler.blankRows
        }
        let size = Swift.max(1, options.blockSize)
        switch input {
        case .bytes(let bytes):
            try bytes.withUnsafeBytes { all in
                var offset = 0
                while offset < all.count {
                    let end = Swift.min(all.count, offset + size)
                    let block = UnsafeRawBufferPointer(rebasing: all[offset..<end])
                    session.encoding = decision.admit(block, isLast: end == all.count) { validator in
                        validator.consume(UnsafeRawBufferPointer(rebasing: all[end...]))
                        return all.count - end
                    }
                    try session.consume(block, emit: body)
                    offset = end
                }
            }
        case .file(let file):
            // A file smaller than a block is read whole in one call (the buffer holds one byte
            // more, so the short count shows the end without a further read).
            let capacity = Swift.min(size, Swift.max(file.size, 0) + 1)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
            // A deferred digest takes the buffer over, once the whole file was read without error.
            var handedOver = false
            defer { if !handedOver { buffer.deallocate() } }
            var offset = 0
            var hasher = options.hashesContent ? SHA256() : nil
            var deferred = false
            contentDigest = nil
            unhashedContent = nil
            while true {
                let count = try file.read(into: buffer, at: offset)
                if count == 0 { break }
                let atEnd = count < buffer.count && offset + count >= file.size
                if hasher != nil && offset == 0 && atEnd && options.defersSingleBlockDigest {
                    deferred = true
                } else {
                    hasher?.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                }
                offset += count
                let block = UnsafeRawBufferPointer(rebasing: buffer[..<count])
                session.encoding = try decision.admit(block, isLast: atEnd) { validator in
                    try file.check(from: offset, with: &validator)
                }
                try session.consume(block, emit: body)
                if atEnd { break }
            }
            if deferred {
                unhashedContent = UnhashedContent(buffer: buffer, count: offset)
                handedOver = true
            } else if let hasher {
                contentDigest = ContentDigest(digest: hasher.finalize(), bytes: offset)
            }
        }
        // A sequence cut off by the end of the input is decided only now; it can only be in the
        // last line, which `finish` delivers.
        session.encoding = decision.final
        knownEncoding = decision.final
        bytesCheckedAhead = decision.checkedAhead
        try session.finish(emit: body)
    }

    /// The encoding found by checking the whole input, without parsing it.
    private func checkEncoding() -> TextEncoding {
        var validator = UTF8Validator()
        switch input {
        case .bytes(let bytes): bytes.withUnsafeBytes { validator.consume($0) }
        case .file(let file):
            // A file that cannot be read now fails `read` with its message; say UTF-8 meanwhile.
            guard (try? file.check(from: 0, with: &validator)) != nil else { return .utf8 }
        }
        return validator.isComplete ? .utf8 : .windows1252
    }
}

/// One pass over the input: splits blocks into physical lines and hands them to the assembler.
private final class ReadSession {
    let assembler: RecordAssembler
    private(set) var delimiter: UInt8
    private var delimiterKnown: Bool
    /// The encoding the lines of the current block are read in (`EncodingDecision`).
    var encoding = TextEncoding.utf8
    private let maxRecordBytes: Int

    private var lineNumber = 1
    /// The start of a line that continues in the next block.
    private var partial = ByteStorage(capacity: 4096)
    private var hasPartial = false
    private var partialOverlong = false
    /// The last block ended in CR: the next byte decides whether it is CRLF.
    private var carriedCR = false
    private var decoded = ByteStorage(capacity: 4096)

    init(options: CSVReadOptions) {
        delimiter = options.delimiter ?? Dialect.delimiterCandidates[0]
        delimiterKnown = options.delimiter != nil
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

/// A file opened for reading (one `open`, one `fstat`), closed when released. Reads are
/// positioned (`pread`), so reading again or checking ahead needs no seek.
private final class FileInput {
    private let descriptor: Int32
    private let source: String
    /// The size `fstat` gave when the file was opened.
    let size: Int

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
        size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    /// Feeds the file from `offset` to its end to `validator`, 64 KiB at a time, stopping at
    /// the first invalid byte; returns the bytes read.
    @discardableResult
    func check(from offset: Int, with validator: inout UTF8Validator) throws -> Int {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 8)
        defer { buffer.deallocate() }
        var position = offset
        while validator.isValid {
            let count = try read(into: buffer, at: position)
            if count == 0 { break }
            validator.consume(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            position += count
        }
        return position - offset
    }

    /// Reads up to `buffer.count` bytes at `offset`; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        while true {
            let count = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
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

/// The bytes of a file read in one block whose SHA-256 was deferred
/// (`CSVReadOptions.defersSingleBlockDigest`): owned here, freed with it, hashed by `digest()`
/// on whichever thread asks.
public final class UnhashedContent: @unchecked Sendable, Hashable {
    // @unchecked: the buffer is written before init and only read afterwards.
    private let buffer: UnsafeMutableRawBufferPointer
    /// Bytes of the file (the buffer may be one byte longer).
    public let count: Int

    init(buffer: UnsafeMutableRawBufferPointer, count: Int) {
        self.buffer = buffer
        self.count = count
    }

    deinit { buffer.deallocate() }

    /// Equal when the bytes are.
    public static func == (a: UnhashedContent, b: UnhashedContent) -> Bool {
        a === b || (a.count == b.count && (a.count == 0 || memcmp(a.buffer.baseAddress!, b.buffer.baseAddress!, a.count) == 0))
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: buffer[..<Swift.min(count, 64)]))
    }

    /// The SHA-256 and size of the bytes, as `CSVReader.contentDigest` would have given them.
    public func digest() -> ContentDigest {
        var hasher = SHA256()
        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        return ContentDigest(digest: hasher.finalize(), bytes: count)
    }
}
