import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A published run's `run.json` as `pws diff`, `pws export dhis2` and the output-folder check
/// read it: whole, through Foundation's JSON, so a file larger than any run.json pws writes
/// (~500 B an input file: 5 MB for a district's year of 10,000 files) is refused before it is
/// read rather than decoded into many times its size in memory — and only a regular file is
/// read (a FIFO there would wait for ever, a link to /dev/zero say it is empty and feed zeros).
public enum PublishedRunJSON {
    /// 1 GiB: the run.json of two million input files.
    public static let maxBytes = 1 << 30

    /// The bytes of `path` (one descriptor: opened without waiting, checked, read); nil when
    /// it cannot be opened.
    /// - Throws: `PWSError` (exit 65) when it is not a regular file or larger than `maxBytes`,
    ///   ending with `whatToDo`.
    public static func contents(atPath path: String, whatToDo: String) throws -> Data? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return nil }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw PWSError(.data, "\(path) is not a regular file; \(whatToDo)")
        }
        guard status.st_size <= maxBytes else {
            throw PWSError(.data, "\(path) is \(status.st_size) bytes, larger than any run.json pws writes (at most \(maxBytes >> 30) GiB is read); \(whatToDo)")
        }
        // Read to the end, never past the limit (a file that grows meanwhile is cut there and
        // then fails to decode).
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while data.count <= maxBytes {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            data.append(buffer, count: n)
        }
        return data
    }
}
