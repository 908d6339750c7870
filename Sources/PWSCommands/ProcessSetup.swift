import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the process sets for itself before any command runs.
enum ProcessSetup {
    /// - SIGPIPE is ignored: a reader of the output that went away (`pws run … | logger`,
    ///   a closed pipe) ended the run with exit 141 and no word — mid-run when it was standard
    ///   error, the night's run dropped. A write to it now fails with EPIPE: standard output's
    ///   is the documented exit 73 ("cannot write to standard output"), the log's is dropped.
    /// - The soft limit of open files is raised to the hard one (at most 65 536): at soft
    ///   limits of 5–12 a run failed with exit 73, or an input was said to be unreadable ("check
    ///   its permissions") when the process only ran out of descriptors. (Under 5 the Swift
    ///   runtime's Dispatch cannot start before this runs.) So is the soft limit of address space
    ///   (`ulimit -S -v`), where the hard one allows more: under 500 MB the run crashed in an
    ///   allocation. A hard limit is the operator's bound, and stays.
    static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        raiseSoftLimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), atMost: 65_536)
        raiseSoftLimit(__rlimit_resource_t(RLIMIT_AS.rawValue), atMost: nil)
    }

    /// RLIM_INFINITY, which Glibc's macro gives Swift as an overflowing literal.
    private static let unlimited = rlim_t.max

    private static func raiseSoftLimit(_ resource: __rlimit_resource_t, atMost cap: rlim_t?) {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return }
        var wanted = limit.rlim_max
        if let cap, wanted == unlimited || wanted > cap { wanted = cap }
        guard limit.rlim_cur != unlimited, limit.rlim_cur < wanted else { return }
        limit.rlim_cur = wanted
        _ = setrlimit(resource, &limit)
    }
}
