import CPrefetch
import Foundation
import PWSCore
import Testing
@testable import CSV

/// `CSVWriter`'s hand-over of rows encoded elsewhere: `take()` of an in-memory writer and
/// `writeRows(encoded:count:)` of a file writer.
@Suite struct CSVWriterTests {
    static let rows = [["a", "b;c", "d\"e"], ["", "x\ny", "42"], ["ü", "", ""]]

    /// `take()` empties the writer each time: the pieces, in turn, are the whole output; the
    /// second piece starts after the first (also past the 16 KiB buffer).
    @Test(arguments: [CSVWriteOptions.standard, .excelIndonesia], [1, 3_000])
    func takeHandsOverEachPieceOnce(options: CSVWriteOptions, repeats: Int) throws {
        var noBOM = options
        noBOM.bom = false
        let pieces = CSVWriter(options: noBOM), whole = CSVWriter(options: noBOM)
        var taken: [[UInt8]] = []
        for row in Self.rows {
            for _ in 0..<repeats {
                try pieces.writeRow(row)
                try whole.writeRow(row)
            }
            taken.append(pieces.take())
        }
        #expect(pieces.take().isEmpty)
        #expect(taken.allSatisfy { !$0.isEmpty })
        #expect(Array(taken.joined()) == whole.bytes)
        #expect(taken[0] == CSVWriter.encodeRow(Self.rows[0], options: options).repeated(repeats))
    }

    /// Rows encoded by in-memory writers and appended to a file writer give the file the file
    /// writer would write itself, and its row count; the digest callback sees every byte.
    @Test(arguments: [CSVWriteOptions.standard, .excelIndonesia])
    func encodedRowsWriteTheSameFile(options: CSVWriteOptions) throws {
        let dir = NSTemporaryDirectory() + "pws-csvwriter-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var seen = 0
        let direct = try CSVWriter(path: dir + "/direct.csv", options: options, bufferSize: 4096)
        let handed = try CSVWriter(path: dir + "/handed.csv", options: options, bufferSize: 4096,
                                   onWrite: { seen += $0.count })
        var noBOM = options
        noBOM.bom = false
        try direct.writeRow(["h1", "h2", "h3"])
        try handed.writeRow(["h1", "h2", "h3"])
        for n in [1, 200, 0, 2] {  // blocks smaller and larger than the 4 KiB buffer, and empty
            let memory = CSVWriter(options: noBOM)
            for k in 0..<n {
                try direct.writeRow(Self.rows[k % 3])
                try memory.writeRow(Self.rows[k % 3])
            }
            try handed.writeRows(encoded: memory.take(), count: n)
        }
        try direct.close()
        try handed.close()
        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/direct.csv"))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/handed.csv"))
        #expect(a == b)
        #expect(handed.rowsWritten == direct.rowsWritten)
        #expect(handed.rowsWritten == 1 + 203)
        #expect(seen == b.count)
        #expect { try handed.writeRows(encoded: [0x41, 0x0A], count: 1) } throws: {
            ($0 as? PWSError)?.code == .internalFailure
        }
    }

    /// A file written past several write-behind steps (`CSVWriter.writeBehindStep`, where the
    /// writer asks the kernel to start writing what is behind it) holds exactly the bytes
    /// handed over, through both ways in: buffered rows, and blocks larger than the buffer
    /// that go straight to the file. The step is a whole number of neither, so the requests
    /// fall in the middle of rows and blocks. The requests made cover, from the start, two
    /// whole steps and no more than was handed over less the 64 KiB left out, and end on a
    /// page; a writer that never made one, or asked past what it wrote, fails here.
    @Test func aFileWrittenPastTheWriteBehindStepsKeepsItsBytes() throws {
        let dir = NSTemporaryDirectory() + "pws-csvwriter-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let step = CSVWriter.writeBehindStep
        let writer = try CSVWriter(path: dir + "/big.csv", bufferSize: 64 * 1024)
        var expected: [UInt8] = []
        let memory = CSVWriter()
        let long = String(repeating: "x", count: 200)
        var k = 0
        while expected.count < 2 * step + step / 2 {
            // A block of 3 001 rows (~700 KiB: past the 64 KiB buffer), then one row buffered.
            for _ in 0..<3_001 {
                try memory.writeRow(["\(k)", "visit \(k % 97)", long, "x\ny"])
                k += 1
            }
            let block = memory.take()
            try writer.writeRows(encoded: block, count: 3_001)
            expected += block
            let row = CSVWriter.encodeRow(["\(k)", "tail"], options: .standard)
            try writer.writeRow(["\(k)", "tail"])
            expected += row
            k += 1
        }
        let requested = writer.writeBehindStart
        #expect(requested >= 2 * step)
        #expect(requested <= expected.count - 64 * 1024)
        #expect(requested % 4096 == 0)
        try writer.close()
        let written = try Data(contentsOf: URL(fileURLWithPath: dir + "/big.csv"))
        #expect(written.count == expected.count)
        #expect(written == Data(expected))
    }

    /// The write-behind request itself: accepted on a regular file (0; on a file system that
    /// does nothing with it, such as tmpfs, too), refused on a pipe (-1, ESPIPE) — and a
    /// refusal, which the writer ignores, changes nothing in what the pipe carries.
    @Test func writeBehindIsAcceptedOnAFileAndRefusedOnAPipe() throws {
        let dir = NSTemporaryDirectory() + "pws-csvwriter-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fd = open(dir + "/f", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        defer { close(fd) }
        let bytes = [UInt8](repeating: 0x41, count: 1 << 20)
        #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
        #expect(pws_write_behind(fd, 0, Int64(bytes.count)) == 0)

        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]) }
        #expect(write(ends[1], "ab", 2) == 2)
        errno = 0
        let refused = pws_write_behind(ends[1], 0, 2)
        let reason = errno
        #expect(refused == -1)
        #expect(reason == ESPIPE)
        close(ends[1])
        var got = [UInt8](repeating: 0, count: 4)
        #expect(read(ends[0], &got, 4) == 2)
        #expect(Array(got.prefix(2)) == [0x61, 0x62])
    }
}

extension Array where Element == UInt8 {
    /// These bytes `n` times over.
    fileprivate func repeated(_ n: Int) -> [UInt8] { Array([[UInt8]](repeating: self, count: n).joined()) }
}
