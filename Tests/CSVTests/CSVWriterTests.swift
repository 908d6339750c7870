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
}

extension Array where Element == UInt8 {
    /// These bytes `n` times over.
    fileprivate func repeated(_ n: Int) -> [UInt8] { Array([[UInt8]](repeating: self, count: n).joined()) }
}
