import Foundation
import PWSCore
#if canImport(Glibc)
import Glibc
#endif

/// One run at a time per output folder (spec §7): an exclusive `flock` on `OUT/.pws.lock`,
/// opened without following symbolic links (spec §A8).
/// The kernel drops the lock when the process dies, even by `kill -9`, so a killed run never
/// blocks the next one; the file itself may stay and means nothing.
public final class RunLock {
    private let fd: Int32
    public let path: String

    /// Takes the lock or fails at once with `PWSError(.locked)` (exit 75).
    public init(outputDirectory: String) throws {
        try OutputFolder.refusePublishedRun(outputDirectory, as: "the output folder OUT (runs land in OUT/YYYY-MM)")
        try OutputFolder.ensureDirectory(outputDirectory)
        path = outputDirectory + "/.pws.lock"
        // Never through a symbolic link, and only a plain file with one name: a planted link or
        // hard link must not make pws truncate and write another file (spec §A8).
        // Checked through a local descriptor, `fd` set last: were `fd` set before a throw, every
        // stored property would be set, so `deinit` would run and close it a second time —
        // closing whatever another thread had opened under that number meanwhile.
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP {
                throw PWSError(.outputNotWritable, "the lock file \(path) is a symbolic link; pws never writes through one — remove it (rm \(path)) and run again")
            }
            // Something else sits there (a folder, a socket) or cannot be opened (an immutable
            // file): said as what it is, not as an output folder that is not writable.
            // (A plain file that cannot be opened for writing on a read-only disk or without
            // permission is the folder's matter, as below.)
            var there = stat()
            if lstat(path, &there) == 0, (there.st_mode & S_IFMT) != S_IFREG || (code != EROFS && code != EACCES) {
                let kind = (there.st_mode & S_IFMT) == S_IFREG ? "a file pws cannot open" : "not a plain file (a directory, socket or device)"
                throw PWSError(.outputNotWritable, "the lock file \(path) is \(kind); remove it and run again",
                               cause: String(cString: strerror(code)))
            }
            throw PWSError(.outputNotWritable, "cannot create the lock file \(path); check that the output folder is writable",
                           cause: String(cString: strerror(code)))
        }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, status.st_nlink == 1 else {
            close(fd)
            throw PWSError(.outputNotWritable, "the lock file \(path) is not a plain file of its own (a directory, device, FIFO or a hard link to another file); remove it and run again")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            // Who holds it, read through the descriptor already checked (not the path again).
            var note = [UInt8](repeating: 0, count: 200)
            let count = note.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            let holder = String(decoding: note.prefix(max(0, count)), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw PWSError(.locked, "another pws run is writing to \(outputDirectory)\(holder.isEmpty ? "" : " (\(holder))"); this run exits without touching it — try again when that one has finished")
        }
        let note = "pid \(getpid()) since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { write(fd, $0, strlen($0)) }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// Small helpers on the output folder.
public enum OutputFolder {
    /// Refuses `out` when it is a run folder `pws run` or `pws merge` published (its run.json
    /// says so): a run into it would nest an output folder inside the published run, and a dry
    /// run's files would replace the run's own rejects.csv and run.json. `wanted` says what
    /// `--out` takes instead.
    public static func refusePublishedRun(_ out: String, as wanted: String) throws {
        // pws's own folders inside an OUT (its lock file beside them): a run there nested a
        // second OUT among the run folders, or the cache.
        let name = (out as NSString).lastPathComponent, parent = (out as NSString).deletingLastPathComponent
        if [".runs", ".cache", "refused"].contains(name),
           FileManager.default.fileExists(atPath: (parent.isEmpty ? "." : parent) + "/.pws.lock") {
            throw PWSError(.outputNotWritable, "\(out) is a folder pws keeps inside the output folder \(parent.isEmpty ? "." : parent); give --out \(wanted)")
        }
        guard let data = try? PublishedRunJSON.contents(atPath: out + "/run.json", whatToDo: ""),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let command = json["command"] as? String, command != "validate" else { return }
        throw PWSError(.outputNotWritable, "\(out) is a run folder `pws \(command)` published; give --out \(wanted)")
    }

    /// Why `makeDirectories` could not make a folder: the path it stopped at and the system's
    /// error (`ENOTDIR` for a file in the way, at the folder below it or at the folder itself).
    public struct MakeFailure: Error, Sendable {
        public var path: String
        public var code: Int32
        /// `out/file/x: Not a directory`.
        public var reason: String { "\(path): \(String(cString: strerror(code)))" }
    }

    /// `mkdir -p`: creates `path` and the folders above it that are missing (`mode` before the
    /// umask). Returns nil, or where and why not — what FileManager's error does not always carry.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o777) -> MakeFailure? {
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { return nil }
        var made = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            made += (made.isEmpty || made.hasSuffix("/") ? "" : "/") + part
            if mkdir(made, mode) != 0 && errno != EEXIST { return MakeFailure(path: made, code: errno) }
        }
        guard stat(path, &st) == 0 else { return MakeFailure(path: path, code: errno) }
        guard st.st_mode & S_IFMT == S_IFDIR else { return MakeFailure(path: path, code: ENOTDIR) }
        return nil
    }

    /// Creates a folder (and parents), mapping failure to exit 73.
    public static func ensureDirectory(_ path: String) throws {
        // Something else in its place is named, not left to Foundation's "file exists" error.
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & S_IFMT != S_IFDIR {
            let kind = switch st.st_mode & S_IFMT {
            case S_IFREG: "a file"
            case S_IFIFO: "a FIFO (named pipe)"
            case S_IFCHR, S_IFBLK: "a device"
            default: "not a folder"
            }
            throw PWSError(.outputNotWritable, "the output folder \(VisibleText.escapingControls(path)) is \(kind); give the path of a folder (it is made when missing)")
        }
        if let failure = makeDirectories(path) {
            throw PWSError(.outputNotWritable, "cannot create the output folder \(path); check its path and permissions",
                           cause: failure.reason)
        }
        guard access(path, W_OK) == 0 else {
            throw PWSError(.outputNotWritable, "the output folder \(path) is not writable; check its permissions")
        }
    }
}
