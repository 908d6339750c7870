import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A test harness for crash safety: when the environment variable `PWS_CRASH_AT` names a point,
/// the process kills itself with SIGKILL there — exactly what `kill -9` does — so tests can stop
/// a run at every step of publishing without relying on timing. Unset in normal use.
public enum CrashPoint {
    static let target = ProcessInfo.processInfo.environment["PWS_CRASH_AT"]

    /// The named points, in the order a run passes them.
    public static let all = ["validated", "aggregated", "staging-partial", "staged", "run-folder", "switched"]

    public static func hit(_ name: String) {
        if let target, target == name {
            kill(getpid(), SIGKILL)
        }
    }
}
