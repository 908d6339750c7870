#if canImport(Glibc)
import Glibc
#endif

/// One record of a folder as `readdir(3)` returns it, read in place.
///
/// A record is only as long as its name (`d_reclen`), while Swift imports `dirent.d_name` as a
/// 256-byte tuple: `entry.pointee.d_name` copies all 256 bytes, reading past a short record.
/// When that record is the last of glibc's buffer and the buffer ends a mapping (a thread's
/// malloc arena), the copy reads an unmapped page and the process dies (SIGSEGV): this type
/// reads the name up to its terminating NUL and nothing beyond.
public struct DirectoryEntry: Equatable, Sendable {
    /// The name's bytes, without the NUL (not necessarily UTF-8).
    public let name: [UInt8]
    /// `d_type`: `DT_REG`, `DT_DIR`, `DT_LNK`, … or `DT_UNKNOWN` when the file system does not say.
    public let type: UInt8

    public init(name: [UInt8], type: UInt8) {
        self.name = name
        self.type = type
    }

    /// The record `record` points to, read in place.
    public init(_ record: UnsafePointer<dirent>) {
        let raw = UnsafeRawPointer(record)
        type = raw.load(fromByteOffset: DirectoryEntry.typeOffset, as: UInt8.self)
        let start = raw.advanced(by: DirectoryEntry.nameOffset).assumingMemoryBound(to: CChar.self)
        name = Array(UnsafeRawBufferPointer(start: start, count: strlen(start)))
    }

    /// Every entry of the folder `dir` (from `opendir`) not read yet, in `readdir`'s order,
    /// "." and ".." included.
    public static func all(_ dir: OpaquePointer) -> [DirectoryEntry] {
        var entries: [DirectoryEntry] = []
        while let record = readdir(dir) { entries.append(DirectoryEntry(record)) }
        return entries
    }

    static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
    static let typeOffset = MemoryLayout<dirent>.offset(of: \dirent.d_type)!
}
