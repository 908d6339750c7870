import Foundation
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The map cache's bookkeeping, on the `MapCache` itself: which hash index records are trusted
/// (docs/scale.md "Hashing").
@Suite struct MapCacheIndexTests {
    /// sha256("abc"), FIPS 180-2 appendix B.1.
    static let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    /// A record whose device differs (another NFS/Lustre client numbers the mount differently)
    /// but whose size, mtime, ctime and inode are the file's is trusted; one whose inode
    /// differs is not, and the file is hashed.
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
        #expect(try cache.contentHashes(data: data, files: ["a.csv"]) == ["recorded"])
        #expect((cache.trusted, cache.hashed) == (1, 0))

        var otherInode = stat
        otherInode.inode &+= 1
        let second = MapCache(folder: tmp.url.path + "/cache-2", options: MapCacheOptions())
        second.saveIndex([path: (otherInode, "recorded")])
        #expect(try second.contentHashes(data: data, files: ["a.csv"]) == [MapCacheIndexTests.abc])
        #expect((second.trusted, second.hashed) == (0, 1))
    }
}
