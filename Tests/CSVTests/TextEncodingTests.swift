import Foundation
@testable import CSV
import PWSTestSupport
import Testing

/// UTF-8 detection (per file) and the Windows-1252 fallback.
@Suite struct TextEncodingTests {
    @Test(arguments: [
        ([0x61, 0x62], true),
        ([0xC3, 0xA9], true),                    // é
        ([0xE2, 0x82, 0xAC], true),              // €
        ([0xF0, 0x9F, 0x98, 0x80], true),        // 😀
        ([0xEF, 0xBB, 0xBF, 0x61], true),        // BOM
        ([0xE9], false),                         // Windows-1252 é
        ([0xC0, 0x80], false),                   // overlong NUL
        ([0xE0, 0x80, 0x80], false),             // overlong
        ([0xED, 0xA0, 0x80], false),             // surrogate
        ([0xF4, 0x90, 0x80, 0x80], false),       // above U+10FFFF
        ([0xE2, 0x82], false),                   // cut off at the end
        ([0x80], false),                         // lone continuation
        ([0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0xE9, 0x61], false), // past the fast path
    ] as [([UInt8], Bool)])
    func validatorAcceptsExactlyWellFormedUTF8(bytes: [UInt8], valid: Bool) {
        var validator = UTF8Validator()
        bytes.withUnsafeBytes { validator.consume($0) }
        #expect(validator.isComplete == valid)
        #expect(CSVReader(bytes: bytes, source: "t.csv").encoding == (valid ? .utf8 : .windows1252))
    }

    @Test func sequenceSplitAcrossBlocksIsValid() {
        let bytes: [UInt8] = Array("abcdefghij".utf8) + [0xF0, 0x9F, 0x98, 0x80] + Array("z".utf8)
        for split in 0...bytes.count {
            var validator = UTF8Validator()
            bytes.withUnsafeBytes { all in
                validator.consume(UnsafeRawBufferPointer(rebasing: all[..<split]))
                validator.consume(UnsafeRawBufferPointer(rebasing: all[split...]))
            }
            #expect(validator.isComplete, "split at \(split)")
        }
    }

    @Test func windows1252HighBytesBecomeTheirCharacters() {
        let bytes: [UInt8] = [0x41, 0x80, 0x8A, 0x92, 0x9F, 0xA0, 0xE9, 0xFF, 0x81]
        var output = ByteStorage(capacity: 4)
        defer { output.deallocate() }
        bytes.withUnsafeBytes { Windows1252.transcode($0, into: &output) }
        #expect(String(decoding: output.bytes, as: UTF8.self) == "A€Š’Ÿ\u{00A0}éÿ\u{0081}")
    }

    @Test func fileCheckSeesACharacterAcrossItsWindowBoundaryAndAByteAtTheEnd() throws {
        // The check maps the file 16 MiB at a time: put "é" (C3 A9) across the boundary.
        let folder = try TemporaryFolder()
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: (16 << 20) - 1) + [0xC3, 0xA9] + Array("\n".utf8)
        let good = try folder.write("good.csv", bytes)
        #expect(try CSVReader(path: good, source: "good.csv").encoding == .utf8)
        bytes += [0xE9]
        let bad = try folder.write("bad.csv", bytes)
        #expect(try CSVReader(path: bad, source: "bad.csv").encoding == .windows1252)
    }
}
