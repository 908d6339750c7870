import Foundation
import PWSCore
#if canImport(Glibc)
import Glibc
#endif

/// One run at a time per output folder (spec §7): an exclusive `flock` on `OUT/.pws.lock`.
/// The kernel drops the lock when the process dies, even by `kill -9`, so a killed run never
/// blocks the next one; the file itself may stay and means nothing.
public final class RunLock {
    private let fd: Int32
    public let path: String

    /// Takes the lock or fails at once with `PWSError(.locked)` (exit 75).
    public init(outputDirectory: String) throws {
        try OutputFolder.ensureDirectory(outputDirectory)
        path = outputDirectory + "/.pws.lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PWSError(.outputNotWritable, "cannot create the lock file \(path); check that the output folder is writable",
                           cause: String(cString: strerror(errno)))
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw PWSError(.locked, "another pws run is writing to \(outputDirectory)\(holder.isEmpty ? "" : " (\(holder))"); this run exits without touching it — try again when that one has finished")
        }
        let note = "pid \(getpid()) since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// Small helpers on the output folder.
public enum OutputFolder {
    /// Creates a folder (and parents), mapping failure to exit 73.
    public static func ensureDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw PWSError(.outputNotWritable, "cannot create the output folder \(path); check its path and permissions",
                           cause: "\(error)")
        }
        guard access(path, W_OK) == 0 else {
            throw PWSError(.outputNotWritable, "the output folder \(path) is not writable; check its permissions")
        }
    }
}
