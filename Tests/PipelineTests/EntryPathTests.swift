@testable import Pipeline
import Testing

/// Where a map manifest may point (`ShardedRun.isEntryPath`): a cache entry named by 64
/// lower-case hex digits under `.cache/map/entries/`, or the task's own `map/entry-<task>-<n>.pws`.
struct EntryPathTests {
    static let hex = String(repeating: "0123456789abcdef", count: 4)

    @Test func cacheEntriesAndTheTasksOwnEntriesAreAccepted() {
        #expect(ShardedRun.isEntryPath("/srv/out/.cache/map/entries/\(Self.hex).pws", task: 0, n: 0))
        #expect(ShardedRun.isEntryPath("/srv/shared/map/entry-2-17.pws", task: 2, n: 17))
        #expect(ShardedRun.isEntryPath("out/.cache/map/entries/\(Self.hex).pws", task: 5, n: 9))
    }

    @Test func everythingElseIsRefused() {
        let hex = Self.hex
        let refused: [(String, Int, Int)] = [
            ("/srv/shared/map/entry-2-17.pws", 2, 16),                       // another entry of the task
            ("/srv/shared/map/entry-2-17.pws", 3, 17),                       // another task's entry
            ("/srv/shared/other/entry-2-17.pws", 2, 17),                     // not in map/
            ("map/entry-2-17.pws", 2, 17),                                   // too short to be in a folder
            ("/srv/out/.cache/map/entries/\(hex.uppercased()).pws", 0, 0),   // upper-case digits
            ("/srv/out/.cache/map/entries/\(hex.dropLast()).pws", 0, 0),     // 63 digits
            ("/srv/out/.cache/map/entries/\(hex)0.pws", 0, 0),               // 65 digits
            ("/srv/out/.cache/map/entries/\(hex).csv", 0, 0),                // not .pws
            ("/srv/out/.cache/map/other/\(hex).pws", 0, 0),                  // not entries/
            ("/srv/out/cache/map/entries/\(hex).pws", 0, 0),                 // not .cache/
            ("/srv/out/.cache/map/entries/../../../etc/\(hex).pws", 0, 0),   // a traversal
            ("/srv/out/.cache/map/entries/./\(hex).pws", 0, 0),              // a "." component
            ("/srv/out/.cache/map/../map/entries/\(hex).pws", 0, 0),         // ".." before the folders
            ("/etc/passwd", 0, 0),
            ("", 0, 0),
        ]
        for (path, task, n) in refused {
            #expect(!ShardedRun.isEntryPath(path, task: task, n: n), "\(path) task \(task) n \(n)")
        }
    }
}
