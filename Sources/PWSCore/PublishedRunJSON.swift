import Foundation

/// A published run's `run.json` as `pws diff` and `pws export dhis2` read it: whole, through
/// Foundation's JSON, so a file larger than any run.json pws writes (~500 B an input file: 5 MB
/// for a district's year of 10,000 files) is refused before it is read rather than decoded into
/// many times its size in memory.
public enum PublishedRunJSON {
    /// 1 GiB: the run.json of two million input files.
    public static let maxBytes = 1 << 30

    /// The bytes of `path`; nil when it cannot be read.
    /// - Throws: `PWSError` (exit 65) when the file is larger than `maxBytes`, ending with
    ///   `whatToDo`.
    public static func contents(atPath path: String, whatToDo: String) throws -> Data? {
        var status = stat()
        if stat(path, &status) == 0, status.st_size > maxBytes {
            throw PWSError(.data, "\(path) is \(status.st_size) bytes, larger than any run.json pws writes (at most \(maxBytes >> 30) GiB is read); \(whatToDo)")
        }
        return FileManager.default.contents(atPath: path)
    }
}
