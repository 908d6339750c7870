import Crypto
import Foundation
import PWSCore

/// SHA-256 of files for the manifest, streamed in 1 MiB blocks.
public enum FileDigest {
    /// Lower-case hex SHA-256 of the file at `path`, and its size in bytes.
    public static func sha256(path: String) throws -> (hex: String, bytes: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw PWSError(.inputMissing, "cannot read \(path) to hash it")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            size += chunk.count
            hasher.update(data: chunk)
        }
        let hex = hasher.finalize().map { b in String(format: "%02x", b) }.joined()
        return (hex, size)
    }
}
