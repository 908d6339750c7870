@testable import Pipeline
import Testing

/// `MapCache.EntryNamer` gives every file the name `MapCache.entryName` gives its key — the
/// names of existing cache entries do not change — whatever the path holds.
struct EntryNamerTests {
    static let run = ShardRunKey(pipeline: "p1", services: "s1", indicators: "i1", register: "r1", sasaran: "t1",
                                 files: "f", today: "2026-01-15", asOf: "2025-12", keepIdentifiers: true,
                                 skipUnreadable: true, mapTasks: 3, partitions: 8, dataDirectory: "/data/pws")

    @Test func namesAreThoseOfTheEncodedKey() {
        for todaySpecific in [false, true] {
            check(MapCache.EntryNamer(run: Self.run, todaySpecific: todaySpecific))
        }
        // Keyed with today or not: other names for the same file.
        let sha = String(repeating: "0f", count: 32)
        #expect(MapCache.EntryNamer(run: Self.run, todaySpecific: false).name(path: "a.csv", sha256: sha)
                    != MapCache.EntryNamer(run: Self.run, todaySpecific: true).name(path: "a.csv", sha256: sha))
        // Without today, another --today gives the same names; with it, other names.
        var later = Self.run
        later.today = "2026-01-16"
        for todaySpecific in [false, true] {
            let a = MapCache.EntryNamer(run: Self.run, todaySpecific: todaySpecific).name(path: "a.csv", sha256: sha)
            let b = MapCache.EntryNamer(run: later, todaySpecific: todaySpecific).name(path: "a.csv", sha256: sha)
            #expect((a == b) == !todaySpecific)
        }
    }

    func check(_ namer: MapCache.EntryNamer) {
        let sha = String(repeating: "0f", count: 32)
        let paths = [
            "layanan/2025-01/posyandu-3201010001-01.csv", "layanan.csv", "a b/c-d_e.f.CSV", "fhir/x.ndjson",
            // Bytes the encoder may escape: these take its path.
            "layanan/\"quoted\".csv", "layanan/back\\slash.csv", "layanan/tab\there.csv", "layanan/ñandú.csv",
            "layanan/line\nbreak.csv", "",
        ]
        for path in paths {
            let expected = MapCache.entryName(MapCache.entryKey(run: Self.run, path: path, sha256: sha,
                                                                todaySpecific: namer.todaySpecific))
            #expect(namer.name(path: path, sha256: sha) == expected, "\(path)")
        }
        // Different files, different names.
        #expect(namer.name(path: "a.csv", sha256: sha) != namer.name(path: "b.csv", sha256: sha))
        #expect(namer.name(path: "a.csv", sha256: sha) != namer.name(path: "a.csv", sha256: String(repeating: "f0", count: 32)))
    }
}
