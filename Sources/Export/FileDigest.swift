import Crypto
import PWSCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SHA-256 of files for the manifest, streamed with `read(2)` in 64 KiB blocks.
///
/// The block is small on purpose: a run hashes thousands of files of a few dozen KB, and a
/// buffer under malloc's mmap threshold is reused from the heap instead of being mapped and
/// zero-filled anew for every file (a 1 MiB `FileHandle.readData` per file cost 0.75 s at
/// 5 585 files).
public enum FileDigest {
    static let blockSize = 64 * 1024

    /// Lower-case hex SHA-256 of the file at `path`, and its size in bytes. Only a regular
    /// file is read: a FIFO or a device in its place (an intermediate file of a shared folder
    /// replaced, a link to /dev/zero) would hold the hashing for ever.
    /// - Throws: `PWSError` `.inputMissing` when it cannot be read or is not a regular file.
    public static func sha256(path: String) throws -> (hex: String, bytes: Int) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw PWSError(.inputMissing, "cannot read \(path) to hash it", cause: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw PWSError(.inputMissing, "cannot read \(path) to hash it: it is not a regular file (a FIFO, device or folder)")
        }
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { block.deallocate() }
        var hasher = SHA256()
        var size = 0
        while true {
            let n = read(fd, block.baseAddress, blockSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw PWSError(.inputMissing, "cannot read \(path) to hash it", cause: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            size += n
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: block[0..<n]))
        }
        return (hex(hasher.finalize()), size)
    }

    /// Lower-case hex SHA-256 of bytes in memory (the built-in pipeline files), and their count.
    public static func sha256(bytes: [UInt8]) -> (hex: String, bytes: Int) {
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return (hex(hasher.finalize()), bytes.count)
    }

    /// Lower-case hex of `bytes`.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A SHA-256 fed block by block while a file is written (`CSVWriter`'s `onWrite`).
final class RunningDigest {
    private var hasher = SHA256()
    private var size = 0
    private var finished: (hex: String, bytes: Int)?

    func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(finished == nil, "bytes written after the digest was read")
        hasher.update(bufferPointer: bytes)
        size += bytes.count
    }

    /// The digest of everything fed so far; feeding more afterwards is a programming error.
    var result: (hex: String, bytes: Int) {
        if let finished { return finished }
        let r = (FileDigest.hex(hasher.finalize()), size)
        finished = r
        return r
    }
}
