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
        let old = ["entries/old.pws", "entries/x.pws.tmp.node1.7", "hashes.d/r.0.pws.tmp.node1.7", "hashes.d/r.1.pws",
                   "hashes.pws.tmp.node1.7"]
        let young = ["entries/new.pws", "entries/y.pws.tmp.node1.8", "hashes.d/s.0.pws.tmp.node2.8", "hashes.pws.tmp.node2.8",
                     "hashes.pws"]
        for name in old + young { #expect(fm.createFile(atPath: cache.folder + "/" + name, contents: Data("x".utf8))) }
        for name in old { MapCacheTests.age(cache.folder + "/" + name, seconds: 3600 + 60) }
        MapCacheTests.age(cache.folder + "/hashes.pws", seconds: 3 * 3600)
        #expect(cache.prune(outputDirectory: out) == 1)
        var left: [String] = []
        for folder in ["", "entries/", "hashes.d/"] {
            for name in try fm.contentsOfDirectory(atPath: cache.folder + "/" + folder) { left.append(folder + name) }
        }
        #expect(left.sorted() == (young + ["hashes.d/r.1.pws", "entries", "hashes.d", "runs", "inflight"]).sorted())
    }
}
