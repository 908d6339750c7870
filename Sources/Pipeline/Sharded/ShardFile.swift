import CMinizip  // zlib's crc32 (unzip.h includes zlib.h)
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
    static let formatVersion: UInt32 = 2
    static let blockSize = 1 << 20

    static func crc(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return UInt32(crc32(0, nil, 0)) }
        return UInt32(crc32(0, base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
    }

    static func crc(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { crc($0) } }

    /// Writes `header` and `payload` (cut into blocks) to `path` under a temporary name in the
    /// same folder, then renames it, so a reader never sees a half-written file and a retried
    /// task replaces its output whole.
    static func write(_ header: ShardHeader, payload: [UInt8], to path: String) throws {
        let writer = try ShardFileWriter(path: path, header: header)
        try writer.append(payload)
        try writer.finish()
    }

    /// Reads and checks a file: its magic, format version, header, every block's crc32 and the
    /// trailer; then that the header's run key is `expected` and its kind `kind`.
    /// - Returns: the header and the payload stream.
    /// - Throws: `PWSError` `.inputMissing` when the file is absent (the stage before did not
    ///   finish), `.data` when it is truncated, corrupted or of another run.
    static func read(_ path: String, kind: String, expected: ShardRunKey?) throws -> (ShardHeader, [UInt8]) {
        guard var bytes = readWhole(path) else {
            throw PWSError(.inputMissing, "intermediate file \(path) is missing: the stage that writes it has not finished (run it, or resume the run)")
        }
        func broken(_ what: String) -> PWSError {
            PWSError(.data, "intermediate file \(path) is \(what); rerun the task that wrote it (it is rewritten whole)")
        }
        guard bytes.count >= 20, Array(bytes[0..<8]) == magic else {
            throw broken(bytes.count < 20 ? "truncated (\(bytes.count) bytes)" : "not a pws intermediate file (no PWSSHARD magic)")
        }
        let version = readUInt32(bytes, 8)
        guard version == formatVersion else {
            throw PWSError(.data, "intermediate file \(path) has format version \(version); this pws reads version \(formatVersion) only — rerun the whole sharded run with one pws version")
        }
        let headerLength = Int(readUInt32(bytes, 12))
        guard bytes.count >= 20 + headerLength else { throw broken("truncated in its header") }
        let json = Array(bytes[20..<20 + headerLength])
        guard crc(json) == readUInt32(bytes, 16) else { throw broken("corrupted (header checksum differs)") }
        let header: ShardHeader
        do { header = try JSONDecoder().decode(ShardHeader.self, from: Data(json)) } catch {
            throw broken("corrupted (header is not readable)")
        }
        // The payloads are moved down over the block headers in place: one buffer of the file's
        // size, not a copy beside it.
        var payloadEnd = 0
        var at = 20 + headerLength
        var blocks: UInt64 = 0
        while true {
            if bytes.count - at >= 20 && Array(bytes[at..<at + 8]) == trailerMagic {
                let trailer = Array(bytes[at..<at + 16])
                guard crc(trailer) == readUInt32(bytes, at + 16) else { throw broken("corrupted (trailer checksum differs)") }
                var count: UInt64 = 0
                for k in 0..<8 { count |= UInt64(trailer[8 + k]) << (8 * UInt64(k)) }
                guard count == blocks else { throw broken("corrupted (trailer counts \(count) blocks, the file has \(blocks))") }
                guard at + 20 == bytes.count else { throw broken("corrupted (bytes after the trailer)") }
                break
            }
            let left = bytes.count - at
            if left < 20 && Array(bytes[at..<at + min(left, 8)]) == Array(trailerMagic.prefix(min(left, 8))) {
                throw broken("truncated in its trailer")
            }
            guard left >= 8 else { throw broken("truncated after block \(blocks) (no trailer)") }
            let length = Int(readUInt32(bytes, at)), sum = readUInt32(bytes, at + 4)
            guard length <= blockSize, bytes.count - at - 8 >= length else {
                throw broken(length > blockSize ? "corrupted (block \(blocks) claims \(length) bytes)" : "truncated in block \(blocks)")
            }
            let ok = bytes.withUnsafeBytes { crc(UnsafeRawBufferPointer(rebasing: $0[at + 8..<at + 8 + length])) } == sum
            guard ok else { throw broken("corrupted (checksum of block \(blocks) differs)") }
            bytes.withUnsafeMutableBytes { b in
                if length > 0 { memmove(b.baseAddress! + payloadEnd, b.baseAddress! + at + 8, length) }
            }
            payloadEnd += length
            at += 8 + length
            blocks += 1
        }
        guard header.kind == kind else {
            throw PWSError(.data, "intermediate file \(path) holds \(header.kind), expected \(kind)")
        }
        if let expected, let difference = header.key.difference(from: expected) {
            throw PWSError(.data, "intermediate file \(path) was written by a run with other settings (\(difference)); every stage must be given the same data, pipeline and run options — or start a new shared folder")
        }
        bytes.removeLast(bytes.count - payloadEnd)
        return (header, bytes)
    }

    /// The bytes of a file read with read(2) into one array; nil when it cannot be opened.
    static func readWhole(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var at = 0
        while at < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + at, $0.count - at) }
            if n <= 0 { break }
            at += n
        }
        bytes.removeLast(bytes.count - at)
        return bytes
    }

    static func appendUInt32(_ out: inout [UInt8], _ v: UInt32) {
        for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
    }

    static func readUInt32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
}

/// A file written as its records come: the header at once, each `append` as blocks (at most
/// `ShardFile.blockSize` bytes each), the trailer and the rename in `finish`. Until then the
/// file has its temporary name (`PATH.tmp.PID`); nothing stays open between appends, so a
/// task may write many partitions at once without running out of file descriptors.
final class ShardFileWriter {
    let path: String
    let temporary: String
    private var blocks: UInt64 = 0

    init(path: String, header: ShardHeader) throws {
        self.path = path
        temporary = "\(path).tmp.\(getpid())"
        var out = ShardFile.magic
        ShardFile.appendUInt32(&out, ShardFile.formatVersion)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = [UInt8](try encoder.encode(header))
        ShardFile.appendUInt32(&out, UInt32(json.count))
        ShardFile.appendUInt32(&out, ShardFile.crc(json))
        out += json
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: temporary, contents: Data(out)) else {
            throw PWSError(.outputNotWritable, "cannot write \(temporary); check that the shared folder is writable and not full")
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        let fd = open(temporary, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else {
            throw PWSError(.outputNotWritable, "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var at = 0
        while at < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + at, bytes.count - at) }
            guard n > 0 else {
                throw PWSError(.outputNotWritable, "cannot write \(temporary): \(String(cString: strerror(errno))); check that the shared folder is not full")
            }
            at += n
        }
    }

    /// Appends `payload` as one or more blocks.
    func append(_ payload: [UInt8]) throws {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 16)
        var at = 0
        while at < payload.count {
            let end = min(at + ShardFile.blockSize, payload.count)
            let chunk = payload[at..<end]
            ShardFile.appendUInt32(&out, UInt32(chunk.count))
            ShardFile.appendUInt32(&out, chunk.withUnsafeBytes { ShardFile.crc($0) })
            out += chunk
            blocks += 1
            at = end
        }
        if !out.isEmpty { try write(out) }
    }

    /// Removes the temporary file of a task that failed.
    func discard() { unlink(temporary) }

    /// Writes the trailer and gives the file its name.
    func finish() throws {
        var trailer = ShardFile.trailerMagic
        for k in 0..<8 { trailer.append(UInt8(truncatingIfNeeded: blocks >> (8 * UInt64(k)))) }
        ShardFile.appendUInt32(&trailer, ShardFile.crc(trailer))
        try write(trailer)
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
    /// `map-summary`, `map-partition`, `map-ids`, `dedup`, `reduce`.
    var kind: String
    var task: Int
    var key: ShardRunKey
}

/// Everything that changes what the stages compute: a reader refuses a file whose key differs
/// from its own (spec §A7). Hashes are sha256, hex.
struct ShardRunKey: Codable, Equatable {
    /// The pipeline definition, the service catalogue and the indicator catalogue.
    var pipeline: String
    var services: String
    var indicators: String
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
            return "\(a.label ?? "?"): \(a.value) here, \(b.value) expected"
        }
        return nil
    }
}

/// Little-endian varints and length-prefixed bytes: the records inside the payloads.
struct ShardEncoder {
    var bytes: [UInt8] = []

    mutating func uint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
    mutating func int(_ v: Int) { uint(UInt64(bitPattern: Int64(v)) << 1 ^ UInt64(bitPattern: Int64(v) >> 63)) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    mutating func raw(_ v: [UInt8]) {
        uint(UInt64(v.count))
        bytes += v
    }
    mutating func string(_ s: String) { raw(Array(s.utf8)) }
    mutating func fixed32(_ v: UInt32) { ShardFile.appendUInt32(&bytes, v) }
}

/// Reads what `ShardEncoder` wrote; a record that runs past the end is a corrupted file.
struct ShardDecoder {
    let bytes: [UInt8]
    let path: String
    var at = 0

    init(_ bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    var atEnd: Bool { at >= bytes.count }

    func corrupted() -> PWSError {
        PWSError(.data, "intermediate file \(path) is corrupted (a record runs past byte \(at) of \(bytes.count)); rerun the task that wrote it")
    }

    mutating func uint() throws -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard at < bytes.count, shift < 64 else { throw corrupted() }
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
        guard n <= UInt64(bytes.count - at) * 8 + 16 else { throw corrupted() }
        return Int(n)
    }
    mutating func bool() throws -> Bool {
        guard at < bytes.count else { throw corrupted() }
        at += 1
        return bytes[at - 1] != 0
    }
    mutating func raw() throws -> [UInt8] {
        let n = try uint()
        guard n <= UInt64(bytes.count - at) else { throw corrupted() }
        defer { at += Int(n) }
        return Array(bytes[at..<at + Int(n)])
    }
    mutating func string() throws -> String { String(decoding: try raw(), as: UTF8.self) }
    mutating func fixed32() throws -> UInt32 {
        guard bytes.count - at >= 4 else { throw corrupted() }
        defer { at += 4 }
        return ShardFile.readUInt32(bytes, at)
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
}
