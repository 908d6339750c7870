import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PWSCore

/// An output made whole in memory (`report.html`): written in one go and hashed from the same
/// bytes, so run.json's digest needs no second read of the file.
public enum OutputFile {
    /// Writes `contents` to `path` (`write(_:path:)`) and returns its digest (`rows` nil).
    /// - Throws: `PWSError(.outputNotWritable)` when the file cannot be written, with the
    ///   system's reason (a full disk, a folder without write permission).
    public static func write(_ contents: Data, to path: String) throws -> WrittenFile {
        try write(contents, path: path)
        var hasher = SHA256()
        contents.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return WrittenFile(rows: nil, sha256: FileDigest.hex(hasher.finalize()), bytes: contents.count)
    }

    /// Writes `contents` to `path`; on failure a `PWSError(.outputNotWritable)` naming the file
    /// and the system's reason — `FileManager.createFile` said only that it failed, so a full
    /// disk read "cannot write …/report.html" and nothing more, and `Data.write` turned an I/O
    /// error into "NSCocoaErrorDomain error 512". Written with POSIX calls, whose errno is the
    /// reason; the publisher flushes every file before the switch (`Publisher.syncTree`).
    static func write(_ contents: Data, path: String) throws {
        func fail(_ code: Int32) -> PWSError {
            PWSError(.outputNotWritable, "cannot write \(path): \(String(cString: strerror(code))); free space on the output folder's disk or make it writable, then rerun")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw fail(errno) }
        var failure = writeAll(contents, to: fd)
        if close(fd) != 0 && failure == nil { failure = errno }
        if let failure { throw fail(failure) }
    }

    /// Writes all of `contents` to the descriptor `fd`, through short writes and EINTR; the
    /// errno of a failed write, else nil. (Also standard output's, in PWSCommands.)
    public static func writeAll(_ contents: Data, to fd: Int32) -> Int32? {
        contents.withUnsafeBytes { buffer -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
    }

    /// Runs `body` with a temporary path beside `path` (`.NAME.tmp.PID`) and renames what it
    /// wrote to `path`: a symbolic link planted at `path` is replaced, never written through,
    /// and a failed write leaves the previous file. The temporary file goes on failure.
    /// - Throws: what `body` throws, or `PWSError(.outputNotWritable)` when the rename fails.
    public static func replacing<T>(_ path: String, _ body: (String) throws -> T) throws -> T {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp.\(getpid())").path
        do {
            let result = try body(temporary)
            guard rename(temporary, path) == 0 else {
                throw PWSError(.outputNotWritable, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            return result
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
