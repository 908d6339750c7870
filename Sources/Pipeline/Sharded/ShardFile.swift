import CMinizip  // zlib's crc32 (unzip.h includes zlib.h)
import Concurrency
import Export
import Foundation
import PWSCore

/// The intermediate files of a sharded run (docs/scale.md, "Intermediate format"):
///
/// ```
/// "PWSSHARD"                      8 bytes, magic
/// format version                  UInt32 LE (ShardFile.formatVersion)
/// header length, header crc32     UInt32 LE each
/// header                          JSON (ShardHeader): kind, task, the run key
/// blocks                          each: payload length UInt32 LE, crc32 UInt32 LE, payload
/// trailer                         "PWSEND\0\0", block count UInt64 LE, crc32 of those 16 bytes
/// ```
///
/// The payloads, read in order, are one stream of records (`ShardEncoder`); a block holds
/// at most `blockSize` bytes. A file without its trailer (truncated), a block whose crc32
/// differs (corrupted), another format version or another run key is refused, naming the file.
enum ShardFile {
    static let magic = Array("PWSSHARD".utf8)
    static let trailerMagic = Array("PWSEND\0\0".utf8)
    static let formatVersion: UInt32 = 6
    static let blockSize = 1 << 20

    /// The error for an intermediate file that is not there.
    static func missing(_ path: String) -> PWSError {
        PWSError(.inputMissing, "intermediate file \(path) is missing: the stage that writes it has not finished (run it, or resume the run)")
    }

    static func crc(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return UInt32(crc32(0, nil, 0)) }
        return UInt32(crc32(0, base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
    }

    static func crc(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { crc($0) } }

    /// This machine's name, in temporary names (`NAME.tmp.HOST.PID`): tasks on several nodes
    /// of a cluster may have the same PID and write into one shared folder.
    static let host: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "host" }
        let bytes = name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "/", with: "_")
        return text.isEmpty ? "host" : text
    }()

    /// Writes `header` and `payload` (cut into blocks) to `path` under a temporary name in the
    /// same folder, then renames it, so a reader never sees a half-written file and a retried
    /// task replaces its output whole.
    static func write(_ header: ShardHeader, payload: [UInt8], to path: String) throws {
        try write(header, payloads: [payload], to: path)
    }

    /// The same with the payload stream given in pieces, each starting a block of its own.
    static func write(_ header: ShardHeader, payloads: [[UInt8]], to path: String) throws {
        try writeWhole(try image(header, payloads: payloads).bytes, to: path)
    }

    /// Reads and checks a whole file: its magic, format version, header, kind and run key
    /// (`expected`), every block's crc32 and the trailer (`ShardFileReader`, block by block).
    /// - Returns: the header and the payload stream, in one array (for small files: summaries;
    ///   the large ones are read a block at a time with `ShardRecordStream`).
    /// - Throws: `PWSError` `.inputMissing` when the file is absent (the stage before did not
    ///   finish), `.data` when it is truncated, corrupted or of another run.
    static func read(_ path: String, kind: String, expected: ShardRunKey?, place: ShardPlace? = nil) throws -> (ShardHeader, [UInt8]) {
        let reader = try ShardFileReader(path: path, kind: kind, expected: expected, place: place)
        var payload: [UInt8] = []
        while let block = try reader.nextBlock() { payload += block }
        return (reader.header, payload)
    }

    /// The start of a file: magic, format version, the header's length and crc32, the header.
    static func head(_ header: ShardHeader) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = [UInt8](try encoder.encode(header))
        var out = magic
        appendUInt32(&out, formatVersion)
        appendUInt32(&out, UInt32(json.count))
        appendUInt32(&out, crc(json))
        return out + json
    }

    /// Appends `payload` to `out` as blocks of at most `blockSize` bytes, each with its length
    /// and crc32 (none for an empty payload). - Returns: the number of blocks.
    static func appendBlocks(_ out: inout [UInt8], _ payload: [UInt8]) -> UInt64 {
        var blocks: UInt64 = 0
        var at = 0
        while at < payload.count {
            let end = min(at + blockSize, payload.count)
            let chunk = payload[at..<end]
            appendUInt32(&out, UInt32(chunk.count))
            appendUInt32(&out, chunk.withUnsafeBytes { crc($0) })
            out += chunk
            blocks += 1
            at = end
        }
        return blocks
    }

    /// The end of a file of `blocks` blocks: trailer magic, the count, their crc32.
    static func trailer(blocks: UInt64) -> [UInt8] {
        var trailer = trailerMagic
        for k in 0..<8 { trailer.append(UInt8(truncatingIfNeeded: blocks >> (8 * UInt64(k)))) }
        appendUInt32(&trailer, crc(trailer))
        return trailer
    }

    /// The bytes a `ShardFileWriter` leaves for `header` and `payloads` appended in turn (each
    /// starting a block of its own, an empty one none), trailer included, built in memory; and
    /// where the first block starts. For a small file written with one `write` (a cache entry).
    static func image(_ header: ShardHeader, payloads: [[UInt8]]) throws -> (bytes: [UInt8], dataStart: Int) {
        var out = try head(header)
        let dataStart = out.count
        out.reserveCapacity(dataStart + payloads.reduce(0) { $0 + $1.count + 8 * ($1.count / blockSize + 1) } + 20)
        var blocks: UInt64 = 0
        for payload in payloads { blocks += appendBlocks(&out, payload) }
        out += trailer(blocks: blocks)
        return (out, dataStart)
    }

    /// Writes all of `bytes` to `fd` (the file `name`), however many `write` calls it takes.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], name: String) throws {
        var at = 0
        while at < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + at, bytes.count - at) }
            guard n > 0 else {
                throw PWSError(.outputNotWritable, "cannot write \(name): \(String(cString: strerror(errno))); check that the folder is writable and not full")
            }
            at += n
        }
    }

    /// Numbers the temporary names of `writeWhole` within this process: two threads of one
    /// process may write the same file at once (two reduce tasks of `pws run --partitions`
    /// rebuilding one cache entry), and each needs a name of its own.
    private static let written = Locked(0)

    /// Intermediate files hold the rows as read — NIKs unmasked, names with
    /// `--keep-identifiers` — so they are the user's alone, `rw-------` (what `--shared`,
    /// `OUT/.partitions.PID` and `OUT/.cache` hold is never published). Folders are made as
    /// any (`rwxr-xr-x` under the usual umask): a missing OUT is made here too, and must stay
    /// readable for the published months; `OUT/.cache` itself is closed (`MapCache`).
    static let fileMode: mode_t = 0o600

    /// Makes `folder` and the folders above it when missing; a file in the way or a folder that
    /// cannot be made is an output error (exit 73) naming the folder, not Foundation's dump.
    static func makeFolder(_ folder: String) throws {
        // Relative paths from `./`, so the message names the folder as it is met.
        guard let failure = OutputFolder.makeDirectories(folder.hasPrefix("/") ? folder : "./" + folder, mode: 0o755) else { return }
        if failure.code == ENOTDIR {
            // A file in the way: the folder itself, or the one above the folder not made.
            var st = stat()
            let file = stat(failure.path, &st) == 0 ? failure.path : (failure.path as NSString).deletingLastPathComponent
            throw PWSError(.outputNotWritable, "cannot make the folder \(folder): \(file) is a file, not a folder; give --shared a folder")
        }
        throw PWSError(.outputNotWritable, "cannot make the folder \(failure.path) (\(String(cString: strerror(failure.code)))); check that the folder above it is writable and not full")
    }

    /// Writes `bytes` as file `path`: to a temporary name in its folder (made when missing;
    /// `NAME.tmp.HOST.PID.N`), with one `write`, then renamed — a reader never sees a part of it.
    static func writeWhole(_ bytes: [UInt8], to path: String) throws {
        let n = written.withLock { n -> Int in
            n += 1
            return n
        }
        let temporary = "\(path).tmp.\(host).\(getpid()).\(n)"
        // A task stopped by a signal (scancel, a time limit) removes it (it stayed otherwise).
        Interruption.removeOnStop(temporary)
        defer { Interruption.forget(temporary) }
        var fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, fileMode)
        if fd < 0 && errno == ENOENT {
            try makeFolder((path as NSString).deletingLastPathComponent)
            fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, fileMode)
        }
        guard fd >= 0 else {
            throw PWSError(.outputNotWritable, "cannot write \(temporary): \(String(cString: strerror(errno))); check that the folder is writable and not full")
        }
        do {
            try writeAll(fd, bytes, name: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw PWSError(.outputNotWritable, "cannot rename \(temporary) to \(path): \(reason)")
        }
    }

    static func appendUInt32(_ out: inout [UInt8], _ v: UInt32) {
        for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
    }

    static func readUInt32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
}

/// A file read a block at a time, so a reader holds one block (≤ `ShardFile.blockSize`), not
/// the file. `init` reads and checks the magic, format version, header (crc32), kind and run
/// key; `nextBlock` returns each block's payload after checking its crc32, and nil once the
/// trailer is read and checked. A truncated or corrupted block fails when it is reached, with
/// the messages `ShardFile.read` always gave ("truncated after block 3 (no trailer)",
/// "corrupted (checksum of block 1 differs)", …), naming the file.
final class ShardFileReader {
    let path: String
    let header: ShardHeader
    private let fd: Int32
    private let size: Int
    private var at: Int
    private var blocks: UInt64 = 0
    private var finished = false

    init(path: String, kind: String, expected: ShardRunKey?, place: ShardPlace? = nil) throws {
        self.path = path
        // The checks go through locals and the properties are set last: were every stored
        // property set before a throw, `deinit` would run and close `fd` a second time —
        // closing whatever another thread (a partition's task beside this one) had opened
        // under that number meanwhile.
        // O_NONBLOCK: a FIFO in its place must not hold the task (refused below).
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw ShardFile.missing(path)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw PWSError(.inputMissing, "intermediate file \(path) cannot be read: \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw PWSError(.data, "intermediate file \(path) is not a plain file (a FIFO, device or folder); remove it and rerun the stage that writes it")
        }
        let size = Int(st.st_size)
        let header: ShardHeader
        let at: Int
        do {
            let start = try ShardFileReader.pread(fd, path, at: 0, count: min(size, 20))
            guard start.count >= 20, Array(start[0..<8]) == ShardFile.magic else {
                throw ShardFileReader.broken(path, start.count < 20 ? "truncated (\(start.count) bytes)" : "not a pws intermediate file (no PWSSHARD magic)")
            }
            let version = ShardFile.readUInt32(start, 8)
            guard version == ShardFile.formatVersion else {
                throw PWSError(.data, "intermediate file \(path) has format version \(version); this pws reads version \(ShardFile.formatVersion) only — rerun the whole sharded run with one pws version")
            }
            let headerLength = Int(ShardFile.readUInt32(start, 12))
            guard size >= 20 + headerLength else { throw ShardFileReader.broken(path, "truncated in its header") }
            let json = try ShardFileReader.pread(fd, path, at: 20, count: headerLength)
            guard json.count == headerLength else { throw ShardFileReader.broken(path, "truncated in its header") }
            guard ShardFile.crc(json) == ShardFile.readUInt32(start, 16) else {
                throw ShardFileReader.broken(path, "corrupted (header checksum differs)")
            }
            do { header = try JSONDecoder().decode(ShardHeader.self, from: Data(json)) } catch {
                throw ShardFileReader.broken(path, "corrupted (header is not readable)")
            }
            at = 20 + headerLength
            guard header.kind == kind else {
                throw PWSError(.data, "intermediate file \(path) holds \(header.kind), expected \(kind)")
            }
            if let expected, let difference = header.key.difference(from: expected) {
                throw PWSError(.data, "intermediate file \(path) was written by a run with other settings (\(difference)); every stage must be given the same data, pipeline and run options — or start a new shared folder")
            }
            if let place, header.task != place.task || header.partition != place.partition {
                throw PWSError(.data, "intermediate file \(path) is the output of \(ShardPlace(task: header.task, partition: header.partition)), not of \(place) its name says (copied over another?); remove it and rerun the stage that writes it")
            }
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
        self.size = size
        self.header = header
        self.at = at
    }

    deinit { close(fd) }

    static func broken(_ path: String, _ what: String) -> PWSError {
        PWSError(.data, "intermediate file \(path) is \(what); rerun the task that wrote it (it is rewritten whole)")
    }

    /// Up to `count` bytes at `at` (fewer only at the end of the file).
    static func pread(_ fd: Int32, _ path: String, at: Int, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { Foundation.pread(fd, $0.baseAddress! + got, count - got, off_t(at + got)) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw PWSError(.data, "intermediate file \(path) cannot be read: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            got += n
        }
        bytes.removeLast(count - got)
        return bytes
    }

    /// The next block's payload (checked), or nil after the trailer (checked).
    func nextBlock() throws -> [UInt8]? {
        if finished { return nil }
        let left = size - at
        let peek = try ShardFileReader.pread(fd, path, at: at, count: min(left, 20))
        guard peek.count == min(left, 20) else { throw ShardFileReader.broken(path, "truncated after block \(blocks) (no trailer)") }
        if left >= 20 && Array(peek[0..<8]) == ShardFile.trailerMagic {
            let trailer = Array(peek[0..<16])
            guard ShardFile.crc(trailer) == ShardFile.readUInt32(peek, 16) else {
                throw ShardFileReader.broken(path, "corrupted (trailer checksum differs)")
            }
            var count: UInt64 = 0
            for k in 0..<8 { count |= UInt64(trailer[8 + k]) << (8 * UInt64(k)) }
            guard count == blocks else { throw ShardFileReader.broken(path, "corrupted (trailer counts \(count) blocks, the file has \(blocks))") }
            guard at + 20 == size else { throw ShardFileReader.broken(path, "corrupted (bytes after the trailer)") }
            finished = true
            return nil
        }
        if left < 20 && Array(peek[0..<min(left, 8)]) == Array(ShardFile.trailerMagic.prefix(min(left, 8))) {
            throw ShardFileReader.broken(path, "truncated in its trailer")
        }
        guard left >= 8 else { throw ShardFileReader.broken(path, "truncated after block \(blocks) (no trailer)") }
        let length = Int(ShardFile.readUInt32(peek, 0)), sum = ShardFile.readUInt32(peek, 4)
        guard length <= ShardFile.blockSize, left - 8 >= length else {
            throw ShardFileReader.broken(path, length > ShardFile.blockSize ? "corrupted (block \(blocks) claims \(length) bytes)" : "truncated in block \(blocks)")
        }
        let payload = try ShardFileReader.pread(fd, path, at: at + 8, count: length)
        guard payload.count == length else { throw ShardFileReader.broken(path, "truncated in block \(blocks)") }
        guard ShardFile.crc(payload) == sum else { throw ShardFileReader.broken(path, "corrupted (checksum of block \(blocks) differs)") }
        at += 8 + length
        blocks += 1
        return payload
    }
}

/// The records of a file, decoded as they come: the stream holds the current block and the
/// part of a record that runs on into the next one, never the whole payload. A record cut by
/// a block boundary is decoded again from its start once the next block is there; a record
/// that runs past the last block is a corrupted file, as with `ShardDecoder`.
struct ShardRecordStream {
    let reader: ShardFileReader
    private var decoder: ShardDecoder
    private var more = true

    init(path: String, kind: String, expected: ShardRunKey?, place: ShardPlace? = nil) throws {
        reader = try ShardFileReader(path: path, kind: kind, expected: expected, place: place)
        decoder = ShardDecoder([], path: path)
    }

    var header: ShardHeader { reader.header }

    /// Appends the next block to what is left of the current one; false at the end.
    private mutating func refill() throws -> Bool {
        guard more else { return false }
        guard let block = try reader.nextBlock() else {
            more = false
            return false
        }
        decoder = ShardDecoder(decoder.left == 0 ? block : Array(decoder.bytes[decoder.at...]) + block, path: reader.path)
        return true
    }

    /// True when every record has been read (the trailer checked).
    mutating func atEnd() throws -> Bool {
        while decoder.atEnd {
            if try !refill() { return true }
        }
        return false
    }

    /// The next record of a stream whose records carry their position label over (rows and
    /// record-id entries write it only when it changes): `label` is the last one read, and is
    /// updated only by a record that decodes whole (one cut by a block boundary is decoded again).
    mutating func next<T>(label: inout String, _ decode: (inout ShardDecoder, inout String) throws -> T) throws -> T? {
        var last = label
        let value = try next { d in
            var previous = label
            let value = try decode(&d, &previous)
            last = previous
            return value
        }
        label = last
        return value
    }

    /// The next record, decoded by `decode` (which must change nothing outside its decoder
    /// when it throws: it may run again on the same record). Nil at the end.
    mutating func next<T>(_ decode: (inout ShardDecoder) throws -> T) throws -> T? {
        if try atEnd() { return nil }
        while true {
            var d = decoder
            do {
                let value = try decode(&d)
                decoder = d
                return value
            } catch {
                // Cut by a block boundary, or corrupted when there is no block left.
                if try !refill() { throw error }
            }
        }
    }
}

/// A file written as its records come: the header at once, each `append` as blocks (at most
/// `ShardFile.blockSize` bytes each), the trailer and the rename in `finish`. Until then the
/// file has its temporary name (`PATH.tmp.HOST.PID`); nothing stays open between appends, so a
/// task may write many partitions at once without running out of file descriptors.
final class ShardFileWriter {
    let path: String
    let temporary: String
    private var blocks: UInt64 = 0

    init(path: String, header: ShardHeader) throws {
        self.path = path
        temporary = "\(path).tmp.\(ShardFile.host).\(getpid())"
        // Removed if the task is stopped by a signal before `finish` or `discard`.
        Interruption.removeOnStop(temporary)
        let out = try ShardFile.head(header)
        try ShardFile.makeFolder((path as NSString).deletingLastPathComponent)
        guard FileManager.default.createFile(atPath: temporary, contents: Data(out),
                                             attributes: [.posixPermissions: Int(ShardFile.fileMode)]) else {
            throw PWSError(.outputNotWritable, "cannot write \(temporary); check that its folder is writable and not full")
        }
    }

    /// Appends to the temporary file, opening it for this write only (a map task has 2P of
    /// them: holding each open could pass the descriptor limit for a large P).
    private func write(_ bytes: [UInt8]) throws {
        let fd = open(temporary, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else {
            throw PWSError(.outputNotWritable, "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        try ShardFile.writeAll(fd, bytes, name: temporary)
    }

    /// Appends `payload` as one or more blocks.
    func append(_ payload: [UInt8]) throws {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 16)
        blocks += ShardFile.appendBlocks(&out, payload)
        if !out.isEmpty { try write(out) }
    }

    /// Removes the temporary file of a task that failed.
    func discard() {
        unlink(temporary)
        Interruption.forget(temporary)
    }

    /// Writes the trailer and gives the file its name.
    func finish() throws {
        try write(ShardFile.trailer(blocks: blocks))
        defer { Interruption.forget(temporary) }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw PWSError(.outputNotWritable, "cannot rename \(temporary) to \(path): \(reason)")
        }
    }
}

/// What every intermediate file's header says: its kind and task, and the run it belongs to.
struct ShardHeader: Codable, Equatable {
    var format: UInt32 = ShardFile.formatVersion
    /// `map-summary`, `map-partition`, `map-ids`, `map-manifest`, `dedup`, `reduce`; `map-cache`
    /// and `map-cache-hashes` in the incremental cache.
    var kind: String
    var task: Int
    var key: ShardRunKey
    /// What a dedup or reduce task read, so a later stage can tell outputs made from files the
    /// shared folder no longer holds (a map task rerun after them): a dedup output's is the
    /// stamp of the map summaries, a reduce output's that and the dedup outputs' stamp
    /// (`ShardedRun.stamp`). Absent from other kinds (their JSON does not change).
    var inputs: String? = nil
    /// The partition a map task's partition or ids file is of (`part-i-j`, `ids-i-j`: j); absent
    /// from other kinds.
    var partition: Int? = nil
}

/// Which task (and partition) an intermediate file's name says it is of: its reader refuses a
/// file whose header says otherwise — one copied over another's in the shared folder, whose
/// rows would be counted twice and another's not at all.
struct ShardPlace: Equatable, CustomStringConvertible {
    var task: Int
    var partition: Int? = nil

    var description: String { "task \(task)" + (partition.map { ", partition \($0)" } ?? "") }
}

/// Everything that changes what the stages compute: a reader refuses a file whose key differs
/// from its own (spec §A7). Hashes are sha256, hex.
struct ShardRunKey: Codable, Equatable {
    /// The pipeline definition, the service catalogue and the indicator catalogue.
    var pipeline: String
    var services: String
    var indicators: String
    /// The SPM catalogue (`absent` without one) and the six WHO growth tables, which the reduce
    /// reads (SPM counts, z-scores): a catalogue or table edited between two reduce tasks, or
    /// before the merge, made figures of neither version. nil in a map-cache entry's key (the
    /// map reads neither; nil is left out of the key's JSON, so the entries keep their names).
    var spm: String?
    var growth: String?
    /// wilayah and sasaran of the data folder.
    var register: String
    var sasaran: String
    /// The service files in read order (their relative paths), which the map tasks share out.
    var files: String
    var today: String
    var asOf: String?
    var keepIdentifiers: Bool
    var skipUnreadable: Bool
    var mapTasks: Int
    var partitions: Int
    /// The data folder (absolute), where reduce and merge read the register.
    var dataDirectory: String

    /// The first field that differs, as `name: this vs that`, or nil.
    func difference(from other: ShardRunKey) -> String? {
        let mine = Mirror(reflecting: self).children, theirs = Mirror(reflecting: other).children
        for (a, b) in zip(mine, theirs) where "\(a.value)" != "\(b.value)" {
            return "\(a.label ?? "?"): \(ShardRunKey.shown(a.value)) here, \(ShardRunKey.shown(b.value)) expected"
        }
        return nil
    }

    /// A field's value as a user reads it: an optional's value without `Optional(…)`, an
    /// absent one as `none`.
    static func shown(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return "\(value)" }
        return mirror.children.first.map { "\($0.value)" } ?? "none"
    }
}

/// Little-endian varints and length-prefixed bytes: the records inside the payloads.
struct ShardEncoder {
    var bytes: [UInt8] = []

    @inline(__always) mutating func uint(_ v: UInt64) {
        // Most values (ordinals in a file, flags, lengths of ids) take one byte.
        if v < 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v))
        } else {
            longUInt(v)
        }
    }
    private mutating func longUInt(_ v: UInt64) {
        // Into a buffer on the stack first, then one append (a varint takes at most 10 bytes).
        var buffer: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &buffer) { out in
            var w = RecordWriter(out.baseAddress!)
            w.uint(v)
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: out[..<w.at]))
        }
    }
    mutating func int(_ v: Int) { uint(ShardEncoder.zigzag(v)) }
    /// A signed value as the unsigned one written for it (small magnitudes stay small).
    static func zigzag(_ v: Int) -> UInt64 { UInt64(bitPattern: Int64(v)) << 1 ^ UInt64(bitPattern: Int64(v) >> 63) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    mutating func raw(_ v: some Collection<UInt8>) {
        uint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }
    mutating func string(_ s: String) {
        let utf8 = s.utf8
        uint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    mutating func fixed32(_ v: UInt32) { ShardFile.appendUInt32(&bytes, v) }
}

/// Bytes written record by record through a pointer: a record's fields cost a store each, not
/// an array append each (a uniqueness and a capacity check per field). A record is written
/// with `RecordWriter`, whose fields are `ShardEncoder`'s, byte for byte.
struct RecordBuffer {
    /// The records, then the room the next ones are written into (its bytes are stale).
    private var storage: [UInt8] = []
    private(set) var count = 0

    /// Writes one record of at most `bound` bytes (`body` must stay within it: checked).
    mutating func write(bound: Int, _ body: (inout RecordWriter) -> Void) {
        if storage.count - count < bound {
            // Doubles, so the copies of a growing buffer stay linear in its size.
            storage.append(contentsOf: repeatElement(0, count: max(bound, storage.count, 1024)))
        }
        let at = count
        count += storage.withUnsafeMutableBytes { room in
            var w = RecordWriter(room.baseAddress! + at)
            body(&w)
            precondition(w.at <= bound, "a record overran the room it was given")
            return w.at
        }
    }

    /// The records written.
    var bytes: [UInt8] { Array(storage[..<count]) }

    /// The records written, to be written over: the buffer keeps its room.
    mutating func removeAll() { count = 0 }

    /// The records written (for a record made of another buffer's).
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }
}

/// Writes one record into the room `RecordBuffer.write` gives it, as `ShardEncoder` would.
struct RecordWriter {
    /// The room's bound, per field written: a varint takes at most 10 bytes.
    static let varint = 10
    private let base: UnsafeMutableRawPointer
    private(set) var at = 0

    init(_ base: UnsafeMutableRawPointer) { self.base = base }

    @inline(__always) private mutating func byte(_ b: UInt8) {
        base.storeBytes(of: b, toByteOffset: at, as: UInt8.self)
        at += 1
    }
    @inline(__always) mutating func uint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            byte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        byte(UInt8(v))
    }
    mutating func int(_ v: Int) { uint(ShardEncoder.zigzag(v)) }
    mutating func bool(_ v: Bool) { byte(v ? 1 : 0) }
    mutating func fixed32(_ v: UInt32) {
        for k in 0..<4 { byte(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
    }
    /// The bytes as they are (no length).
    mutating func bytes(_ b: UnsafeRawBufferPointer) {
        guard let from = b.baseAddress, b.count > 0 else { return }
        (base + at).copyMemory(from: from, byteCount: b.count)
        at += b.count
    }
    mutating func raw(_ b: UnsafeRawBufferPointer) {
        uint(UInt64(b.count))
        bytes(b)
    }
    mutating func raw(_ a: [UInt8]) { a.withUnsafeBytes { raw($0) } }
    mutating func string(_ s: String) {
        if let done: Void = s.utf8.withContiguousStorageIfAvailable({ raw(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        raw(Array(s.utf8))
    }
}

/// Reads what `ShardEncoder` wrote; a record that runs past the end is a corrupted file.
/// The bytes are an array's or a part of one (a row's content inside its block), indexed as
/// the array is: `rawSlice` hands out parts without copying them.
struct ShardDecoder {
    let bytes: ArraySlice<UInt8>
    let path: String
    var at: Int

    init(_ bytes: [UInt8], path: String) { self.init(bytes[...], path: path) }

    init(_ bytes: ArraySlice<UInt8>, path: String) {
        self.bytes = bytes
        self.path = path
        at = bytes.startIndex
    }

    var atEnd: Bool { at >= bytes.endIndex }
    /// The bytes not read yet.
    var left: Int { bytes.endIndex - at }

    func corrupted() -> PWSError {
        PWSError(.data, "intermediate file \(path) is corrupted (a record runs past byte \(at - bytes.startIndex) of \(bytes.count)); rerun the task that wrote it")
    }

    mutating func uint() throws -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard at < bytes.endIndex, shift < 64 else { throw corrupted() }
            let b = bytes[at]
            at += 1
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }
    mutating func int() throws -> Int {
        let u = try uint()
        return Int(Int64(bitPattern: u >> 1 ^ (0 &- (u & 1))))
    }
    mutating func count() throws -> Int {
        let n = try uint()
        guard n <= UInt64(left) * 8 + 16 else { throw corrupted() }
        return Int(n)
    }
    mutating func bool() throws -> Bool {
        guard at < bytes.endIndex else { throw corrupted() }
        at += 1
        return bytes[at - 1] != 0
    }
    mutating func raw() throws -> [UInt8] { Array(try rawSlice()) }
    /// Length-prefixed bytes as a part of the decoder's own (no copy: the reduce reads every
    /// row's id and content this way).
    mutating func rawSlice() throws -> ArraySlice<UInt8> {
        let n = try uint()
        guard n <= UInt64(left) else { throw corrupted() }
        defer { at += Int(n) }
        return bytes[at..<at + Int(n)]
    }
    mutating func string() throws -> String { String(decoding: try rawSlice(), as: UTF8.self) }
    mutating func fixed32() throws -> UInt32 {
        guard left >= 4 else { throw corrupted() }
        defer { at += 4 }
        return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}

/// The partition hash (docs/scale.md): FNV-1a, 64 bits, over the bytes, seed-free.
enum PartitionHash {
    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    static func partition(_ bytes: some Sequence<UInt8>, of count: Int) -> Int {
        Int(fnv1a(bytes) % UInt64(count))
    }

    /// The same for an array, over its buffer (no bounds check per byte): every candidate row
    /// is partitioned by its person and its record id.
    static func partition(_ bytes: [UInt8], of count: Int) -> Int {
        Int(bytes.withUnsafeBufferPointer { fnv1a($0) } % UInt64(count))
    }
}
