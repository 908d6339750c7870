import Foundation
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The map cache's bookkeeping, on the `MapCache` itself: which hash index records are trusted
/// and what a prune keeps (docs/scale.md "Hashing", "The cache on a cluster").
@Suite struct MapCacheIndexTests {
    /// sha256("abc"), FIPS 180-2 appendix B.1.
    static let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    /// A record whose device differs (another NFS/Lustre client numbers the mount differently)
    /// but whose size, mtime, ctime and inode are the file's is trusted; one whose inode
    /// differs is not, and the file is hashed (and, seconds old, not recorded).
    @Test func recordOfAnotherDeviceIsTrusted() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try Data("abc".utf8).write(to: URL(fileURLWithPath: data + "/a.csv"))
        let path = data + "/a.csv"
        let stat = try #require(MapCache.FileStat(path))
        var otherDevice = stat
        otherDevice.device &+= 1
        let cache = MapCache(folder: tmp.url.path + "/cache", options: MapCacheOptions())
        cache.saveIndex([path: (otherDevice, "recorded")])
        // The index keeps the device as written (the format is unchanged).
        #expect(try MapCache.readIndex(cache.hashIndexPath).map(\.stat.device) == [stat.device &+ 1])
        #expect(try cache.lookUp(data: data, files: ["a.csv"]).hashes == ["recorded"])

        var otherInode = stat
        otherInode.inode &+= 1
        let second = MapCache(folder: tmp.url.path + "/cache-2", options: MapCacheOptions())
        second.saveIndex([path: (otherInode, "recorded")])
        #expect(try second.lookUp(data: data, files: ["a.csv"]).hashes == [nil])
        // Hashed instead; not recorded, as it was written less than 2 s ago.
        let hashed = try MapCache.hash(path: path, before: stat)
        #expect(hashed.sha256 == MapCacheIndexTests.abc)
        #expect(hashed.bytes == 3)
        #expect(hashed.record == nil)
    }

    /// An index read ahead (`preloadIndex`, while a map task loads its pipeline and register)
    /// is the one the next look-up uses, once: the index is replaced after the read ahead, and
    /// that look-up still trusts the record read before; the look-up after it reads the index
    /// again. With `--rehash` nothing is read ahead and nothing is trusted.
    @Test func indexReadAheadIsUsedByTheNextLookUpOnly() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let path = data + "/a.csv"
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        let stat = try #require(MapCache.FileStat(path))
        let cache = MapCache(folder: tmp.url.path + "/cache", options: MapCacheOptions())
        cache.saveIndex([path: (stat, "before")])
        cache.preloadIndex()
        cache.saveIndex([path: (stat, "after")])
        #expect(try cache.lookUp(data: data, files: ["a.csv"]).hashes == ["before"])
        #expect(try cache.lookUp(data: data, files: ["a.csv"]).hashes == ["after"])

        let rehash = MapCache(folder: tmp.url.path + "/cache", options: MapCacheOptions(rehash: true))
        rehash.preloadIndex()
        #expect(try rehash.lookUp(data: data, files: ["a.csv"]).hashes == [nil])
    }

    /// A prune removes entries no record names only once they are over an hour old, and the
    /// temporary files (a killed task's) over an hour old in entries/, hashes.d/ and the cache
    /// folder itself; hash index parts, younger files and the cache's folders stay.
    @Test func pruneKeepsWhatIsYoungerThanAnHour() throws {
        let tmp = try TemporaryFolder()
        let out = tmp.url.path + "/out"
        let cache = MapCache(outputDirectory: out, options: MapCacheOptions())
        let fm = FileManager.default
        for folder in [out + "/.runs", cache.entriesFolder, cache.indexPartsFolder, cache.runsFolder, cache.inflightFolder] {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let (a, b, c, d) = (Self.key("a"), Self.key("b"), Self.key("c"), Self.key("d"))
        let (r, s) = (String(repeating: "1", count: 16), String(repeating: "2", count: 16))
        let old = ["entries/\(a).pws", "entries/\(b).pws.tmp.node1.7.0", "hashes.d/\(r).0.pws.tmp.node1.7",
                   "hashes.d/\(r).1.pws", "hashes.pws.tmp.node1.7"]
        let young = ["entries/\(c).pws", "entries/\(d).pws.tmp.node1.8.0", "hashes.d/\(s).0.pws.tmp.node2.8",
                     "hashes.pws.tmp.node2.8", "hashes.pws"]
        for name in old + young { #expect(fm.createFile(atPath: cache.folder + "/" + name, contents: Data("x".utf8))) }
        for name in old { MapCacheTests.age(cache.folder + "/" + name, seconds: 3600 + 60) }
        MapCacheTests.age(cache.folder + "/hashes.pws", seconds: 3 * 3600)
        #expect(cache.prune(outputDirectory: out) == 1)
        #expect(try Self.contents(cache.folder).sorted()
                == (young + ["hashes.d/\(r).1.pws", "entries", "hashes.d", "runs", "inflight"]).sorted())
    }

    /// An entry's name: 64 hex digits.
    static func key(_ digit: Character) -> String { String(repeating: digit, count: 64) }

    /// The names in `folder`, and one level below it.
    static func contents(_ folder: String) throws -> [String] {
        var out: [String] = []
        for sub in ["", "entries/", "hashes.d/", "runs/", "inflight/"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + sub)) ?? [] {
                out.append(sub + name)
            }
        }
        return out
    }

    /// The prune removes only what pws names, and files only: a note, a backup folder, a
    /// report someone put in the cache's folders (over an hour old), or that a folder the
    /// entries folder links to holds (the entries moved to a bigger disk), were all removed
    /// — a folder with everything in it. pws's own names there go as before.
    @Test func pruneRemovesOnlyWhatPwsNames() throws {
        let tmp = try TemporaryFolder()
        let out = tmp.url.path + "/out"
        let cache = MapCache(outputDirectory: out, options: MapCacheOptions())
        let fm = FileManager.default
        let disk = tmp.url.path + "/other-disk/entries"
        for folder in [out + "/.runs/2025-12.20260115T010203.004Z", disk, cache.indexPartsFolder, cache.runsFolder,
                       cache.inflightFolder] {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try fm.createSymbolicLink(atPath: cache.entriesFolder, withDestinationPath: disk)
        let (a, b, c) = (Self.key("a"), Self.key("b"), Self.key("c"))
        let inflight = String(repeating: "e", count: 16) + ".0"
        // pws's: a kept run's list naming entry a, a pruned run's list, an in-flight record over
        // a day old, entries b (named by no list) and c (named by the in-flight record).
        let ours = ["runs/2025-12.20260115T010203.004Z": a, "runs/2025-11.20251215T010203.004Z-1": c,
                    "inflight/\(inflight)": c, "entries/\(a).pws": "", "entries/\(b).pws": "", "entries/\(c).pws": ""]
        let foreign = ["entries/README.txt", "entries/laporan-triwulan.xlsx", "entries/\(a.prefix(63)).pws",
                       "entries/\(b.uppercased()).pws", "runs/catatan.txt", "runs/2025-12", "inflight/notes",
                       "hashes.d/readme.pws.tmp.x", "hashes.d/notes.pws", "hashes.d/backup.pws", "cadangan.tmp.zip"]
        for (name, text) in ours { #expect(fm.createFile(atPath: cache.folder + "/" + name, contents: Data(text.utf8))) }
        for name in foreign { #expect(fm.createFile(atPath: cache.folder + "/" + name, contents: Data("x".utf8))) }
        try fm.createDirectory(atPath: disk + "/backup", withIntermediateDirectories: true)
        #expect(fm.createFile(atPath: disk + "/backup/important.csv", contents: Data("x".utf8)))
        // A folder named like an entry: unlink fails on it; nothing in it is touched.
        try fm.createDirectory(atPath: disk + "/\(Self.key("d")).pws", withIntermediateDirectories: true)
        #expect(fm.createFile(atPath: disk + "/\(Self.key("d")).pws/kept", contents: Data("x".utf8)))
        for name in Array(ours.keys) + foreign + ["entries/backup", "entries/backup/important.csv", "entries/\(Self.key("d")).pws"] {
            MapCacheTests.age(cache.folder + "/" + name, seconds: 2 * 24 * 3600)
        }
        // b goes (no list names it); the list of the pruned run and the day-old in-flight record
        // go, so c, named by nothing left, goes too; a stays.
        #expect(cache.prune(outputDirectory: out) == 2)
        #expect(try Self.contents(cache.folder).sorted()
                == (foreign + ["entries/\(a).pws", "runs/2025-12.20260115T010203.004Z", "entries/backup",
                               "entries/\(Self.key("d")).pws", "entries", "hashes.d", "runs", "inflight"]).sorted())
        #expect(fm.fileExists(atPath: disk + "/backup/important.csv"))
        #expect(fm.fileExists(atPath: disk + "/\(Self.key("d")).pws/kept"))
    }

    @Test func cacheNamesAreWhatPwsWrites() {
        #expect(CacheNames.isEntry(Self.key("0") + ".pws") && !CacheNames.isEntry(Self.key("0")))
        #expect(CacheNames.isEntry(Self.key("f") + ".pws") && !CacheNames.isEntry(Self.key("F") + ".pws"))
        #expect(!CacheNames.isEntry(Self.key("g") + ".pws") && !CacheNames.isEntry(Self.key("a") + "0.pws"))
        #expect(CacheNames.isRunList("2025-12.20260115T010203.004Z") && CacheNames.isRunList("2025-12.20260115T010203.004Z-12"))
        #expect(!CacheNames.isRunList("2025-12") && !CacheNames.isRunList("2025-12.20260115T010203.004Z-")
                && !CacheNames.isRunList("2025-12.20260115T010203.004Zx") && !CacheNames.isRunList("2025-1x.20260115T010203.004Z"))
        #expect(CacheNames.isInflight("0123456789abcdef.12") && !CacheNames.isInflight("0123456789abcdef.")
                && !CacheNames.isInflight("0123456789abcdeg.1"))
        #expect(CacheNames.isIndexPart("0123456789abcdef.3.pws") && !CacheNames.isIndexPart("0123456789abcdef.3"))
        #expect(CacheNames.isTemporary(".2025-12.20260115T010203.004Z.tmp.node.7", of: CacheNames.isRunList))
        #expect(CacheNames.isTemporary(Self.key("a") + ".pws.tmp.node.7.0", of: CacheNames.isEntry))
        #expect(!CacheNames.isTemporary("notes.tmp.txt", of: CacheNames.isEntry))
        #expect(!CacheNames.isTemporary("hashes.pws.tmp.bak", of: { $0 == "hashes.pws" }))
        #expect(!CacheNames.isTemporary("hashes.pws.tmp.7", of: { $0 == "hashes.pws" }))
        #expect(CacheNames.isTemporary("hashes.pws.tmp.node-1.cluster.local.4242", of: { $0 == "hashes.pws" }))
    }
}
