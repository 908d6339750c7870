import Foundation
@testable import CSV
import PWSCore
import PWSTestSupport
import Testing

/// `CSVReadOptions.hashesContent`: the reader hashes the bytes of its one pass over a file, so
/// run.json's input SHA-256 needs no second read. The expected digests were computed with
/// `sha256sum` (coreutils) on the same bytes.
@Suite struct ContentDigestTests {
    /// Nine ASCII lines of 10 bytes each ("line 0001\n" …).
    static let asciiLines: [UInt8] = (1...9).flatMap { Array("line 000\($0)\n".utf8) }
    static let asciiLinesSHA256 = "16d6fdd58bfe2810d8eb4c342725f38da70d37a1eab265e6a7eebf631e333763"
    /// "José" in UTF-8, the ASCII lines, then "Ren" E9 "e": Windows-1252, decided by reading ahead.
    static let windows1252: [UInt8] = Array("Jos".utf8) + [0xC3, 0xA9] + Array("\n".utf8) + asciiLines
        + Array("Ren".utf8) + [0xE9] + Array("e\n".utf8)
    static let windows1252SHA256 = "754b543a8cdce6e41557aec7b9a344bc9fd842f3271406b8192eed2cbb302f35"
    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// `ContentDigest(hex:bytes:)` reads back what `hex` writes (the sharded merge takes the map
    /// tasks' digests as text), and nothing else.
    @Test func hexReadsBackWhatHexWrites() throws {
        for (text, bytes) in [(ContentDigestTests.asciiLinesSHA256, 90), (ContentDigestTests.emptySHA256, 0),
                              (String(repeating: "f", count: 64), 7), (String(repeating: "0", count: 64), 1)] {
            let digest = try #require(ContentDigest(hex: text, bytes: bytes))
            #expect(digest.hex == text)
            #expect(digest.bytes == bytes)
        }
        // The first byte of the empty file's digest is 0xe3: the most significant of word 0.
        #expect(ContentDigest(hex: ContentDigestTests.emptySHA256, bytes: 0)?.words[0] == 0xe3b0_c442_98fc_1c14)
        #expect(ContentDigest(hex: ContentDigestTests.emptySHA256, bytes: 0)?.words[3] == 0xa495_991b_7852_b855)
        // Upper case, another length, a non-digit: refused.
        #expect(ContentDigest(hex: ContentDigestTests.emptySHA256.uppercased(), bytes: 0) == nil)
        #expect(ContentDigest(hex: String(ContentDigestTests.emptySHA256.dropLast()), bytes: 0) == nil)
        #expect(ContentDigest(hex: ContentDigestTests.emptySHA256 + "0", bytes: 0) == nil)
        #expect(ContentDigest(hex: "g" + ContentDigestTests.emptySHA256.dropFirst(), bytes: 0) == nil)
        #expect(ContentDigest(hex: "", bytes: 0) == nil)
    }

    func hashedRead(_ bytes: [UInt8], blockSize: Int) throws -> (CSVReader, ReadResult) {
        let folder = try TemporaryFolder()
        let path = try folder.write("t.csv", bytes)
        var options = CSVReadOptions(blockSize: blockSize)
        options.hashesContent = true
        let reader = try CSVReader(path: path, source: "t.csv", options: options)
        let result = try reader.collect()
        return (reader, result)
    }

    @Test(arguments: [1, 7, 10, 89, 90, 91, 1 << 20])
    func fileReadInAnyNumberOfBlocksHasItsSHA256(blockSize: Int) throws {
        let (reader, result) = try hashedRead(Self.asciiLines, blockSize: blockSize)
        #expect(reader.contentDigest?.hex == Self.asciiLinesSHA256)
        #expect(reader.contentDigest?.bytes == 90)
        #expect(result.events.count == 9)
    }

    /// The look-ahead of the encoding decision reads the rest of the file a second time; those
    /// bytes must not be hashed twice.
    @Test(arguments: [1, 4, 32, 1 << 20])
    func windows1252FileCheckedAheadIsHashedOnce(blockSize: Int) throws {
        let (reader, result) = try hashedRead(Self.windows1252, blockSize: blockSize)
        #expect(result.encoding == .windows1252)
        // Smaller blocks than the file: the rest was read ahead once more (OnePassEncodingTests).
        #expect((reader.bytesCheckedAhead > 0) == (blockSize < Self.windows1252.count))
        #expect(reader.contentDigest?.hex == Self.windows1252SHA256)
        #expect(reader.contentDigest?.bytes == 102)
    }

    @Test func emptyFileHasTheDigestOfNoBytes() throws {
        let (reader, result) = try hashedRead([], blockSize: 1 << 20)
        #expect(result.events.isEmpty)
        #expect(reader.contentDigest?.hex == Self.emptySHA256)
        #expect(reader.contentDigest?.bytes == 0)
    }

    @Test func noDigestWithoutTheOptionOrForBytesInMemory() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("t.csv", Self.asciiLines)
        let plain = try CSVReader(path: path, source: "t.csv")
        _ = try plain.collect()
        #expect(plain.contentDigest == nil)
        var options = CSVReadOptions()
        options.hashesContent = true
        let memory = CSVReader(bytes: Self.asciiLines, source: "t.csv", options: options)
        _ = try memory.collect()
        #expect(memory.contentDigest == nil)
    }

    /// A read stopped before the end (the callback threw) leaves no digest: a partial hash
    /// must never be taken for the file's.
    @Test func readStoppedEarlyLeavesNoDigest() throws {
        struct Stop: Error {}
        let folder = try TemporaryFolder()
        let path = try folder.write("t.csv", Self.asciiLines)
        var options = CSVReadOptions(blockSize: 16)
        options.hashesContent = true
        let reader = try CSVReader(path: path, source: "t.csv", options: options)
        #expect(throws: Stop.self) { try reader.read { _ in throw Stop() } }
        #expect(reader.contentDigest == nil)
    }

    /// `defersSingleBlockDigest`: a file read in one block keeps its bytes unhashed for the
    /// caller (Validate's checking thread), whose `digest()` is the digest the reader would
    /// have computed; a file of several blocks is hashed while read as before.
    @Test(arguments: [(1 << 20, true), (91, true), (90, false), (16, false), (1, false)])
    func aFileReadInOneBlockKeepsItsBytesForADeferredDigest(blockSize: Int, oneBlock: Bool) throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("t.csv", Self.asciiLines)
        var options = CSVReadOptions(blockSize: blockSize)
        options.hashesContent = true
        options.defersSingleBlockDigest = true
        let reader = try CSVReader(path: path, source: "t.csv", options: options)
        let result = try reader.collect()
        #expect(result.events.count == 9)
        if oneBlock {
            #expect(reader.contentDigest == nil)
            #expect(reader.unhashedContent?.count == 90)
            #expect(reader.unhashedContent?.digest().hex == Self.asciiLinesSHA256)
            #expect(reader.unhashedContent?.digest().bytes == 90)
        } else {
            #expect(reader.unhashedContent == nil)
            #expect(reader.contentDigest?.hex == Self.asciiLinesSHA256)
        }
        // Read again: the state is the last read's.
        _ = try reader.collect()
        #expect((reader.unhashedContent != nil) == oneBlock)
    }

    @Test func deferredDigestOfAnEmptyFileAndAStoppedRead() throws {
        struct Stop: Error {}
        let folder = try TemporaryFolder()
        var options = CSVReadOptions()
        options.hashesContent = true
        options.defersSingleBlockDigest = true
        let empty = try CSVReader(path: try folder.write("e.csv", []), source: "e.csv", options: options)
        _ = try empty.collect()
        // Nothing was read: hashed (nothing) as before, nothing kept.
        #expect(empty.contentDigest?.hex == Self.emptySHA256)
        #expect(empty.unhashedContent == nil)
        let stopped = try CSVReader(path: try folder.write("t.csv", Self.asciiLines), source: "t.csv", options: options)
        #expect(throws: Stop.self) { try stopped.read { _ in throw Stop() } }
        #expect(stopped.contentDigest == nil)
        #expect(stopped.unhashedContent == nil)
        // Without `hashesContent` the option does nothing.
        options.hashesContent = false
        let plain = try CSVReader(path: try folder.write("p.csv", Self.asciiLines), source: "p.csv", options: options)
        _ = try plain.collect()
        #expect(plain.contentDigest == nil && plain.unhashedContent == nil)
    }
}
