import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A test harness for crash safety: when the environment variable `PWS_CRASH_AT` names a point,
/// the process kills itself with SIGKILL there — exactly what `kill -9` does — so tests can stop
/// a run at every step of publishing without relying on timing. `PWS_PAUSE_AT` instead makes
/// the process create the file named by `PWS_PAUSE_FILE` there and wait, so a test can send it
/// a signal at a known step (spec §A8), or remove the file to let it go on. `PWS_STOP_DELAY_MS`
/// makes a signal's stop wait that long after removing the staging folder, so a test can let
/// the run go on into the folder's absence (`Interruption`). Unset in normal use.
public enum CrashPoint {
    static let target = ProcessInfo.processInfo.environment["PWS_CRASH_AT"]
    static let pause = ProcessInfo.processInfo.environment["PWS_PAUSE_AT"]
    static let pauseFile = ProcessInfo.processInfo.environment["PWS_PAUSE_FILE"]
    /// `PWS_FSYNC_FAIL=NAME`: flushing a file or folder of that name fails with EIO (a disk
    /// that fails its writes), for the tests of `Publisher`.
    static let fsyncFailure = ProcessInfo.processInfo.environment["PWS_FSYNC_FAIL"]

    /// The named points, in the order a run passes them (and `map-hashed`: a map task with the
    /// incremental cache has hashed its files and not read any yet; `published`: after the
    /// commit, while the summary is made — not a crash point of publishing, so not listed).
    public static let all = ["validated", "aggregated", "staging-partial", "staged", "run-folder", "switched"]

    public static func hit(_ name: String) {
        if let target, target == name {
            kill(getpid(), SIGKILL)
        }
        if let pause, pause == name, let pauseFile {
            _ = FileManager.default.createFile(atPath: pauseFile, contents: nil)
            // Waits for the test's signal, or for the test to remove the file (the run goes on);
            // bounded so a forgotten test cannot hang forever.
            for _ in 0..<600 where FileManager.default.fileExists(atPath: pauseFile) { usleep(100_000) }
        }
    }
}
