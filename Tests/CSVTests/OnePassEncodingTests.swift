import Foundation
@testable import CSV
import PWSTestSupport
import Testing

/// The encoding decided while reading (each byte read once): every case gives the records of
/// the whole-file rule of spec §2.1 (UTF-8, else Windows-1252 for the whole file), whatever the
/// block size, and reads bytes twice only when non-ASCII text is followed by more blocks.
@Suite struct OnePassEncodingTests {
    /// Nine ASCII lines of 10 bytes each ("line 0001\n" …), so small blocks split them.
    static let asciiLines: [UInt8] = (1...9).flatMap { Array("line 000\($0)\n".utf8) }

    /// Reads `bytes` from memory and from a file with every block size in `sizes`.
    func readAllWays(_ bytes: [UInt8], sizes: [Int]) throws -> [(String, ReadResult, Int)] {
        let folder = try TemporaryFolder()
        let path = try folder.write("t.csv", bytes)
        var results: [(String, ReadResult, Int)] = []
        for size in sizes {
            let options = CSVReadOptions(blockSize: size)
            let memory = CSVReader(bytes: bytes, source: "t.csv", options: options)
            results.append(("bytes, block \(size)", try memory.collect(), memory.bytesCheckedAhead))
            let file = try CSVReader(path: path, source: "t.csv", options: options)
            results.append(("file, block \(size)", try file.collect(), file.bytesCheckedAhead))
        }
        return results
    }

    func fields(_ result: ReadResult) -> [String] {
        result.events.map { event in
            if case .record(_, let fields) = event { return fields.joined(separator: "|") }
            return "E-PARSE"
        }
    }

    @Test func asciiFileThenInvalidByteInTheLastBlockIsWindows1252WithoutReadingTwice() throws {
        // "Ren" E9 "e" at the very end: 0xE9 is é in Windows-1252 and invalid UTF-8.
        let bytes = Self.asciiLines + Array("Ren".utf8) + [0xE9] + Array("e".utf8)
        for (label, result, ahead) in try readAllWays(bytes, sizes: [1, 3, 16, 64, 1 << 20]) {
            #expect(result.encoding == .windows1252, "\(label)")
            #expect(fields(result).last == "Renée", "\(label)")
            #expect(fields(result).count == 10, "\(label)")
            #expect(ahead == 0, "\(label)")
        }
    }

    @Test func invalidByteAsTheLastByteOfTheFile() throws {
        let bytes = Self.asciiLines + [0xE9]
        for (label, result, ahead) in try readAllWays(bytes, sizes: [1, 7, 1 << 20]) {
            #expect(result.encoding == .windows1252, "\(label)")
            #expect(fields(result).last == "é", "\(label)")
            #expect(ahead == 0, "\(label)")
        }
    }

    @Test func utf8TextEarlyAndAnInvalidByteInTheLastBlockMakeTheWholeFileWindows1252() throws {
        // "José" in UTF-8 (C3 A9) in the first block; read as Windows-1252 it is "JosÃ©".
        let bytes = Array("Jos".utf8) + [0xC3, 0xA9] + Array("\n".utf8) + Self.asciiLines
            + Array("Ren".utf8) + [0xE9] + Array("e\n".utf8)
        for (label, result, ahead) in try readAllWays(bytes, sizes: [1, 4, 32]) {
            #expect(result.encoding == .windows1252, "\(label)")
            #expect(fields(result).first == "JosÃ©", "\(label)")
            #expect(fields(result).last == "Renée", "\(label)")
            // The rest was checked ahead before "José" was delivered (the one re-read).
            #expect(ahead > 0, "\(label)")
        }
        // One block holds it all: decided from the block, nothing read twice.
        for (label, result, ahead) in try readAllWays(bytes, sizes: [1 << 20]) {
            #expect(result.encoding == .windows1252, "\(label)")
            #expect(fields(result).first == "JosÃ©", "\(label)")
            #expect(ahead == 0, "\(label)")
        }
    }

    @Test func validUTF8AcrossBlocksStaysUTF8() throws {
        let bytes = Array("Jos".utf8) + [0xC3, 0xA9] + Array("\n".utf8) + Self.asciiLines
            + Array("€ ".utf8) + [0xF0, 0x9F, 0x98, 0x80] + Array("\n".utf8)
        for (label, result, _) in try readAllWays(bytes, sizes: [1, 2, 5, 64, 1 << 20]) {
            #expect(result.encoding == .utf8, "\(label)")
            #expect(fields(result).first == "José", "\(label)")
            #expect(fields(result).last == "€ 😀", "\(label)")
        }
    }

    @Test func sequenceCutOffAtTheEndAfterEarlierUTF8IsWindows1252() throws {
        // E2 82 is the start of "€" with its last byte missing: not UTF-8.
        let bytes = Array("Jos".utf8) + [0xC3, 0xA9] + Array("\n".utf8) + Self.asciiLines + [0xE2, 0x82]
        for (label, result, _) in try readAllWays(bytes, sizes: [1, 6, 1 << 20]) {
            #expect(result.encoding == .windows1252, "\(label)")
            #expect(fields(result).first == "JosÃ©", "\(label)")
            #expect(fields(result).last == "â‚", "\(label)")
        }
    }

    @Test func sequenceCutOffAtTheEndOfAnAsciiFileIsWindows1252WithoutReadingTwice() throws {
        // The open sequence is not text yet at the end of a block; the end of the input decides.
        let bytes = Self.asciiLines + [0xE2, 0x82]
        for (label, result, ahead) in try readAllWays(bytes, sizes: [1, 2, 7, 1 << 20]) {
            #expect(result.encoding == .windows1252, "\(label)")
            #expect(fields(result).last == "â‚", "\(label)")
            #expect(ahead == 0, "\(label)")
        }
    }

    @Test func byteOrderMarkIsNotTextSoAsciiFilesAreReadOnce() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let utf8 = bom + Self.asciiLines
        for (label, result, ahead) in try readAllWays(utf8, sizes: [1, 2, 4, 1 << 20]) {
            #expect(result.encoding == .utf8, "\(label)")
            #expect(fields(result).first == "line 0001", "\(label)")
            #expect(ahead == 0, "\(label)")
        }
        let latin = bom + Self.asciiLines + Array("Ren".utf8) + [0xE9] + Array("e\n".utf8)
        for (label, result, ahead) in try readAllWays(latin, sizes: [1, 2, 4, 1 << 20]) {
            #expect(result.encoding == .windows1252, "\(label)")
            // The BOM is dropped in either encoding; only the last line differs.
            #expect(fields(result).first == "line 0001", "\(label)")
            #expect(fields(result).last == "Renée", "\(label)")
            #expect(ahead == 0, "\(label)")
        }
    }

    @Test func encodingAskedBeforeReadingMatchesTheRead() throws {
        let folder = try TemporaryFolder()
        let bytes = Self.asciiLines + [0xE9, 0x0A]
        let path = try folder.write("t.csv", bytes)
        let reader = try CSVReader(path: path, source: "t.csv", options: CSVReadOptions(blockSize: 8))
        #expect(reader.encoding == .windows1252)
        #expect(try reader.collect().encoding == .windows1252)
    }

    /// Random mixes of ASCII, UTF-8 and Windows-1252 bytes: every block size gives the records
    /// and encoding of one whole-file block.
    @Test func anyBlockSizeGivesTheWholeFileResult() throws {
        var random = SeededRandom(seed: 21)
        let pieces: [[UInt8]] = [Array("ab;c".utf8), Array("\n".utf8), Array("\r\n".utf8), [0xC3, 0xA9],
                                 [0xE9], [0xEF, 0xBB, 0xBF], Array("\"q\"".utf8), [0xE2, 0x82, 0xAC]]
        for _ in 0..<60 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...30, using: &random) {
                bytes += pieces[Int.random(in: 0..<pieces.count, using: &random)]
            }
            var validator = UTF8Validator()
            bytes.withUnsafeBytes { validator.consume($0) }
            let whole = try readCSV(bytes)
            #expect(whole.encoding == (validator.isComplete ? .utf8 : .windows1252))
            for (label, result, _) in try readAllWays(bytes, sizes: [1, 2, 3, 5, 8]) {
                #expect(result == whole, "\(label): \(bytes)")
            }
        }
    }
}
