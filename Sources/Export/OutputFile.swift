import Crypto
import Foundation
import PWSCore

/// An output made whole in memory (`report.html`): written in one go and hashed from the same
/// bytes, so run.json's digest needs no second read of the file.
public enum OutputFile {
    /// Writes `contents` to `path` (as `FileManager.createFile` does) and returns its digest
    /// (`rows` nil).
    /// - Throws: `PWSError(.outputNotWritable)` when the file cannot be written.
    public static func write(_ contents: Data, to path: String) throws -> WrittenFile {
        guard FileManager.default.createFile(atPath: path, contents: contents) else {
            throw PWSError(.outputNotWritable, "cannot write \(path)")
        }
        var hasher = SHA256()
        contents.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return WrittenFile(rows: nil, sha256: FileDigest.hex(hasher.finalize()), bytes: contents.count)
    }
}
