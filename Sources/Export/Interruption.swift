import Concurrency
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Clean stops on SIGTERM, SIGINT and SIGHUP (spec §A8): the staging folder of the run in
/// progress is removed and the process exits with 128 + the signal number (143, 130, 129).
/// The lock is released by the kernel when the process ends, and the published set is never
/// touched: it is switched by one `rename(2)` only after the new set is complete.
///
/// The signals are set to be ignored and watched by Dispatch signal sources, so they arrive
/// on a queue of their own whatever the threads of the run are doing. Staging folders are
/// registered by `Publisher` while they exist.
public enum Interruption {
    /// The queue the signal sources run on: a queue of its own, which gets a thread even while
    /// the run's concurrent work holds every thread of the global pool (a reduce of 1 024
    /// partitions on the global queue kept a SIGTERM waiting 27 s).
    private static let queue = DispatchQueue(label: "pws.signals", qos: .userInteractive)

    /// Installs the handlers once; later calls do nothing.
    public static func install() {
        state.withLock { state in
            guard state.sources.isEmpty else { return }
            for signalNumber in [SIGTERM, SIGINT, SIGHUP] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
                source.setEventHandler { stop(signalNumber) }
                source.resume()
                state.sources.append(source)
            }
            // The main thread may find the staging folder gone under it (the workbook cannot be
            // written, a file cannot be hashed) and exit with an error of its own before the
            // handler's `_exit`: an exit while a stop is under way waits for the stop's.
            atexit { Interruption.awaitStop() }
        }
    }

    /// Whether a signal's stop is under way: the process is about to end with its status.
    public static var isStopping: Bool { state.withLock { $0.stopping } }

    /// While a stop is under way, waits for it to end the process (with 128 + the signal),
    /// so no other exit status or error message wins the race; returns at once otherwise.
    public static func awaitStop() {
        guard isStopping else { return }
        while true { pause() }
    }

    /// Starts publishing (the renames that move a finished set into place): a signal that
    /// comes before `endCommit` waits for it, so the stop never says "nothing was published"
    /// of a set that was. False when a stop is already under way (the caller then waits for
    /// it with `awaitStop` and publishes nothing).
    public static func beginCommit() -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.committing = true
            return true
        }
    }

    /// Ends what `beginCommit` started. A signal that came meanwhile ends the process now:
    /// `done` (what is in place, "it was published: OUT/2025-12") ends its line; nil (the
    /// move failed) stops as any stop.
    public static func endCommit(done: String?) {
        let deferred = state.withLock { state -> Int32? in
            state.committing = false
            if let done { state.done = done }
            return state.deferred
        }
        guard let signalNumber = deferred else { return }
        if let done {
            let note = "pws: stopped by \(name(signalNumber)) as the run's outputs were being moved into place; \(done)\n"
            _ = note.withCString { write(2, $0, strlen($0)) }
            _exit(exitStatus(signalNumber))
        }
        end(signalNumber, removing: state.withLock { $0.paths })
    }

    /// A test harness (`CrashPoint`): microseconds a stop waits between removing the staging
    /// folder and ending the process, while the run's threads go on without it.
    private static let stopDelay = ProcessInfo.processInfo.environment["PWS_STOP_DELAY_MS"]
        .flatMap(UInt32.init).map { $0.multipliedReportingOverflow(by: 1000).overflow ? UInt32.max : $0 * 1000 }

    /// The exit status for a stop by `signalNumber`: 128 + its number.
    public static func exitStatus(_ signalNumber: Int32) -> Int32 { 128 + signalNumber }

    /// Removes `path` if the process is stopped by a signal before `forget(path)`.
    public static func removeOnStop(_ path: String) {
        state.withLock { $0.paths.insert(path) }
    }

    /// No longer removes `path` on a stop (it was published, kept as refused, or discarded).
    public static func forget(_ path: String) {
        state.withLock { _ = $0.paths.remove(path) }
    }

    private static func name(_ signalNumber: Int32) -> String {
        signalNumber == SIGTERM ? "SIGTERM" : signalNumber == SIGINT ? "SIGINT" : "SIGHUP"
    }

    private static func stop(_ signalNumber: Int32) {
        let paths = state.withLock { state -> Set<String>? in
            // A second signal (SIGINT after SIGTERM) leaves the first's stop to end the run.
            guard !state.stopping else { return nil }
            state.stopping = true
            // While a set is being moved into place, the stop waits for the move (endCommit).
            guard !state.committing else {
                state.deferred = signalNumber
                return nil
            }
            return state.paths
        }
        if let paths { end(signalNumber, removing: paths) }
    }

    private static func end(_ signalNumber: Int32, removing paths: Set<String>) -> Never {
        // From here what the run's other threads say about their folder vanishing (a failed
        // write, libxlsxwriter's own "[ERROR] workbook_close()" line) is not the operator's
        // concern: standard error goes to /dev/null, this stop's line to the saved descriptor.
        let saved = dup(2)
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 { dup2(null, 2) }
        for path in paths { remove(path) }
        if let delay = stopDelay { usleep(delay) }
        // After a commit (the summary being made and printed) the stop says what is in place,
        // not "nothing was published".
        let note = state.withLock { $0.done }.map { "pws: stopped by \(name(signalNumber)) after the run's outputs were in place; \($0)\n" }
            ?? "pws: stopped by \(name(signalNumber)); the run's unfinished output was removed and nothing was published\n"
        _ = note.withCString { write(saved >= 0 ? saved : 2, $0, strlen($0)) }
        _exit(exitStatus(signalNumber))
    }

    /// Removes a staging folder that threads of the run may still be writing into (the
    /// workbook and indicators.csv threads do not stop for a signal). Removing it in place can
    /// fail when a thread creates a file in it between the listing and the `rmdir`; so it is
    /// first renamed out of their way — they open files by path, so nothing new appears in the
    /// renamed folder — and then removed; the path itself is removed again in case a thread
    /// made it anew (a subfolder made with its parents).
    static func remove(_ path: String) {
        let fm = FileManager.default
        let doomed = path + ".stopped"
        let target = rename(path, doomed) == 0 ? doomed : path
        for _ in 0..<3 where fm.fileExists(atPath: target) { try? fm.removeItem(atPath: target) }
        if target != path { try? fm.removeItem(atPath: path) }
    }

    private struct State {
        var sources: [any DispatchSourceSignal] = []
        var paths: Set<String> = []
        var stopping = false
        /// A set is being moved into place (`beginCommit` … `endCommit`).
        var committing = false
        /// The signal that came while `committing`, for `endCommit` to end the run with.
        var deferred: Int32?
        /// What a finished commit put in place ("it was published: OUT/2025-12").
        var done: String?
    }

    // The signal handler runs on a Dispatch queue while the run's threads register folders.
    private static let state = Locked(State())
}
