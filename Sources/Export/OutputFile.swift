import Crypto
import Foundation
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
    /// disk read "cannot write …/report.html" and nothing more.
    static func write(_ contents: Data, path: String) throws {
        do {
            try contents.write(to: URL(fileURLWithPath: path))
        } catch {
            throw PWSError(.outputNotWritable, "cannot write \(ErrorText.describe(error, path: path)); free space on the output folder's disk or make it writable, then rerun")
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
