import Foundation
import PWSCore
#if canImport(Glibc)
import Glibc
#endif

/// Atomic publishing of one run's output set (spec §7).
///
/// Layout under the output folder `OUT`:
/// - `OUT/.runs/<YYYY-MM>.<stamp>/` — immutable run folders, written in a staging folder
///   `OUT/.runs/.staging-…` first, flushed to disk, then renamed into place;
/// - `OUT/YYYY-MM` — a symbolic link to the published run folder, switched with one `rename(2)`,
///   so a reader sees the old set or the new set, never a mix;
/// - `OUT/refused/YYYY-MM/` — the rejects, warnings and manifest of the latest refused run.
///
/// A failed or killed run leaves only a staging folder, which the next run removes; the link
/// and the folder it points to are never touched before the switch. A run killed between
/// moving its folder into `.runs/` and the switch leaves that folder unpublished (newer than
/// the month's link) and its temporary link `OUT/.link-PID`: the next run removes both.
public struct Publisher {
    public let outputDirectory: String
    public let month: YearMonth
    /// Published run folders kept per month (older ones are removed after a switch).
    public let retention: Int

    public init(outputDirectory: String, month: YearMonth, retention: Int) {
        self.outputDirectory = outputDirectory
        self.month = month
        self.retention = max(1, retention)
    }

    var runsDirectory: String { outputDirectory + "/.runs" }
    /// The path readers use: `OUT/YYYY-MM`.
    public var publishedPath: String { outputDirectory + "/" + month.description }

    /// Makes a fresh staging folder (removing ones left by killed runs).
    public func makeStaging() throws -> String {
        try OutputFolder.ensureDirectory(runsDirectory)
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: runsDirectory)) ?? [] where name.hasPrefix(".staging-") {
            try? fm.removeItem(atPath: runsDirectory + "/" + name)
        }
        removeUnpublished()
        let staging = runsDirectory + "/.staging-\(getpid())-\(UInt64(Date().timeIntervalSince1970 * 1000))"
        Interruption.removeOnStop(staging)
        try OutputFolder.ensureDirectory(staging)
        return staging
    }

    /// What a run killed while publishing left (the caller holds OUT's lock, so no other run is
    /// publishing): its temporary link `OUT/.link-PID`, and its run folder, moved into `.runs/`
    /// but never linked — newer than the folder its month's `OUT/YYYY-MM` names. Such a folder
    /// says "published" in its run.json, was listed with the kept runs for `pws diff` and took a
    /// place of the retention. A month without a link keeps its folders (nothing says which).
    func removeUnpublished() {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: outputDirectory)) ?? [] where name.hasPrefix(".link-") {
            unlink(outputDirectory + "/" + name)
        }
        var linked: [String: String] = [:]
        for name in (try? fm.contentsOfDirectory(atPath: runsDirectory)) ?? [] where !name.hasPrefix(".") {
            guard let dot = name.firstIndex(of: ".") else { continue }
            let month = String(name[..<dot])
            if linked[month] == nil {
                guard YearMonth(month) != nil,
                      let target = try? fm.destinationOfSymbolicLink(atPath: outputDirectory + "/" + month),
                      target.hasPrefix(".runs/") else { continue }
                linked[month] = String(target.dropFirst(".runs/".count))
            }
            if let current = linked[month], name > current {
                try? fm.removeItem(atPath: runsDirectory + "/" + name)
            }
        }
    }

    /// Flushes a finished staging folder, moves it to an immutable run folder and switches
    /// `OUT/YYYY-MM` to it atomically. Returns the run folder.
    @discardableResult
    public func publish(staging: String) throws -> String {
        let fm = FileManager.default
        try syncTree(staging)
        // A signal's stop under way has removed (or is removing) the staging folder, which the
        // run's threads may have made anew with part of the outputs: it ends the process, and
        // nothing is published. A signal from here on waits for the two renames.
        if !Interruption.beginCommit() { Interruption.awaitStop() }
        var committed = false
        defer { if !committed { Interruption.endCommit(done: nil) } }
        let stamp = Publisher.stamp()
        var name = "\(month).\(stamp)"
        var n = 1
        while fm.fileExists(atPath: runsDirectory + "/" + name) { name = "\(month).\(stamp)-\(n)"; n += 1 }
        let runFolder = runsDirectory + "/" + name
        // An existing real folder at OUT/YYYY-MM (not made by pws) is never overwritten: said
        // before the run folder is moved into .runs/, where it would stay unpublished.
        var st = stat()
        if lstat(publishedPath, &st) == 0 && (st.st_mode & S_IFMT) != S_IFLNK {
            throw PWSError(.outputNotWritable, "\(publishedPath) exists and is not a pws link; move it away and run again")
        }
        guard rename(staging, runFolder) == 0 else {
            throw PWSError(.outputNotWritable, "cannot move the finished run into \(runFolder)", cause: String(cString: strerror(errno)))
        }
        Interruption.forget(staging)
        do {
            try fsyncPath(runsDirectory)
        } catch {
            try? fm.removeItem(atPath: runFolder)
            throw error
        }
        CrashPoint.hit("run-folder")

        // Not switched: the run folder is not left in .runs/ as if published.
        let link = outputDirectory + "/.link-\(getpid())"
        unlink(link)
        guard symlink(".runs/" + name, link) == 0 else {
            let cause = String(cString: strerror(errno))
            try? fm.removeItem(atPath: runFolder)
            throw PWSError(.outputNotWritable, "cannot create a link in \(outputDirectory)", cause: cause)
        }
        CrashPoint.hit("link-made")
        guard rename(link, publishedPath) == 0 else {
            let cause = String(cString: strerror(errno))
            unlink(link)
            try? fm.removeItem(atPath: runFolder)
            throw PWSError(.outputNotWritable, "cannot switch \(publishedPath) to the new run", cause: cause)
        }
        // Switched: the run is published whatever follows (a failed flush of OUT itself leaves
        // the rename where the disk puts it; nothing in the run folder depends on it).
        try? fsyncPath(outputDirectory)
        committed = true
        // Retention and the refused clean-up are still part of the commit: a signal during them
        // said "nothing was published" of a published run, and skipped them.
        defer { Interruption.endCommit(done: "it was published: \(publishedPath)") }
        CrashPoint.hit("switched")
        prune(keeping: name)
        // The month's last refusal is out of date once the month is published. Only inside a
        // real OUT/refused folder: through a link there it would remove a folder elsewhere (a
        // link at refused/<month> itself is removed as a link).
        var refused = stat()
        if lstat(outputDirectory + "/refused", &refused) == 0, (refused.st_mode & S_IFMT) == S_IFDIR {
            try? fm.removeItem(atPath: outputDirectory + "/refused/" + month.description)
        }
        return runFolder
    }

    /// Copies a refused run's diagnostics to `OUT/refused/YYYY-MM/` (replacing the last refused
    /// set of that month) and removes the staging folder. Returns the folder.
    @discardableResult
    public func keepRefused(staging: String) throws -> String {
        let fm = FileManager.default
        let base = outputDirectory + "/refused"
        var link = stat()
        if lstat(base, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK {
            // Kept runs are replaced (removed) there: never through a link to another folder.
            throw PWSError(.outputNotWritable, "\(base) is a symbolic link; the refused run's diagnostics are kept only in a real folder there — remove the link")
        }
        try OutputFolder.ensureDirectory(base)
        let target = base + "/" + month.description
        let temp = base + "/.\(month).\(getpid())"
        try? fm.removeItem(atPath: temp)
        try syncTree(staging)
        if !Interruption.beginCommit() { Interruption.awaitStop() }
        var kept: String?
        defer { Interruption.endCommit(done: kept.map { "the refused run's diagnostics were kept in \($0)" }) }
        guard rename(staging, temp) == 0 else {
            throw PWSError(.outputNotWritable, "cannot keep the refused run in \(base)", cause: String(cString: strerror(errno)))
        }
        Interruption.forget(staging)
        Interruption.removeOnStop(temp)
        defer { Interruption.forget(temp) }
        try? fm.removeItem(atPath: target)
        guard rename(temp, target) == 0 else {
            throw PWSError(.outputNotWritable, "cannot keep the refused run in \(target)", cause: String(cString: strerror(errno)))
        }
        kept = target
        return target
    }

    /// Removes a staging folder after a failure.
    public func discard(staging: String) {
        try? FileManager.default.removeItem(atPath: staging)
        Interruption.forget(staging)
    }

    /// Removes the oldest run folders of this month beyond the retention, never the published one.
    func prune(keeping current: String) {
        let fm = FileManager.default
        let prefix = "\(month)."
        let names = ((try? fm.contentsOfDirectory(atPath: runsDirectory)) ?? [])
            .filter { $0.hasPrefix(prefix) }
            .sorted()
        let excess = names.count - retention
        guard excess > 0 else { return }
        for name in names.prefix(excess) where name != current {
            try? fm.removeItem(atPath: runsDirectory + "/" + name)
        }
    }

    /// One reading of the clock: the seconds and the milliseconds from the same instant (two
    /// readings put a run a second early when a second began between them, so its name sorted
    /// before an earlier run's and retention removed the wrong one).
    static func stamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var t = now.tv_sec
        var tmv = tm()
        gmtime_r(&t, &tmv)
        let ms = Int(now.tv_nsec / 1_000_000)
        return String(format: "%04d%02d%02dT%02d%02d%02d.%03dZ", Int(tmv.tm_year) + 1900, Int(tmv.tm_mon) + 1,
                      Int(tmv.tm_mday), Int(tmv.tm_hour), Int(tmv.tm_min), Int(tmv.tm_sec), ms)
    }

    private func syncTree(_ path: String) throws {
        let fm = FileManager.default
        if let e = fm.enumerator(atPath: path) {
            for case let rel as String in e { try fsyncPath(path + "/" + rel) }
        }
        try fsyncPath(path)
    }

    /// Flushes `path` (a file or a folder) to disk. A failure is exit 73 before anything is
    /// switched: an EIO here was ignored and the run published with exit 0, its files perhaps
    /// never on the disk. EINVAL (a file system that cannot flush a folder) is not a failure.
    private func fsyncPath(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw PWSError(.outputNotWritable, "cannot open \(path) to flush it to disk; check the output folder's disk",
                           cause: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let failed = CrashPoint.fsyncFailure == (path as NSString).lastPathComponent ? EIO
            : fsync(fd) != 0 && errno != EINVAL ? errno : 0
        if failed != 0 {
            throw PWSError(.outputNotWritable, "cannot flush \(path) to disk; check the output folder's disk (its free space and its health), then run again",
                           cause: String(cString: strerror(failed)))
        }
    }
}
