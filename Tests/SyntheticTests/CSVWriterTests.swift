import Foundation
import CSV
import PWSCore
import Testing

@Suite struct CSVWriterTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func plainFieldsAreWrittenUnquoted() {
        #expect(text(CSVWriter.encodeRow(["a", "b c", "12.5", ""])) == "a,b c,12.5,\n")
    }

    @Test(arguments: [
        ("x,y", "\"x,y\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("line\nbreak", "\"line\nbreak\""),
        ("cr\rhere", "\"cr\rhere\""),
        ("\"", "\"\"\"\""),
    ])
    func specialFieldsAreQuotedWithDoubledQuotes(field: String, expected: String) {
        #expect(text(CSVWriter.encodeRow([field, "z"])) == expected + ",z\n")
    }

    @Test func semicolonIsQuotedOnlyWhenItIsTheDelimiter() {
        let semi = CSVWriteOptions(delimiter: 0x3B)
        #expect(text(CSVWriter.encodeRow(["a;b", "12,5"], options: semi)) == "\"a;b\";12,5\n")
        #expect(text(CSVWriter.encodeRow(["a;b", "12,5"])) == "a;b,\"12,5\"\n")
    }

    @Test func loneEmptyFieldIsWrittenAsQuotesSoItIsNotABlankLine() {
        #expect(text(CSVWriter.encodeRow([""])) == "\"\"\n")
    }

    @Test func excelOptionsWriteBOMAndCRLF() throws {
        let w = CSVWriter(options: .excelIndonesia)
        try w.writeRow(["a", "b"])
        try w.writeRow(["1", "2"])
        #expect(w.bytes == [0xEF, 0xBB, 0xBF] + Array("a;b\r\n1;2\r\n".utf8))
        #expect(w.rowsWritten == 2)
    }

    @Test(arguments: [UInt8(0x2C), 0x3B, 0x09, 0x7C])
    func rowsRoundTripThroughAnRFC4180Reader(delimiter: UInt8) throws {
        let rows: [[String]] = [
            ["plain", "with,comma", "with;semi", "tab\there", "pipe|here"],
            ["\"quoted\"", "a \"b\" c", "", "multi\nline", "cr\r\nlf"],
            ["Ésta ünïcode", "'3201", "-", " spaced ", "x"],
        ]
        let w = CSVWriter(options: CSVWriteOptions(delimiter: delimiter, lineEnding: [0x0D, 0x0A]))
        for r in rows { try w.writeRow(r) }
        let back = TestCSV.parse(w.bytes, delimiter: delimiter)
        #expect(back == rows)
    }

    @Test func fieldByFieldMatchesWholeRows() throws {
        let a = CSVWriter()
        try a.writeField("x,1")
        try a.writeField(Array("y".utf8))
        try a.endRow()
        #expect(a.bytes == CSVWriter.encodeRow(["x,1", "y"]))
    }

    @Test func fileWriterHandlesFieldsLargerThanItsBuffer() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        let path = folder.path + "/big.csv"
        let big = String(repeating: "ab\"c,", count: 3_000)  // 15 000 bytes, quotes to double
        let w = try CSVWriter(path: path, bufferSize: 4_096)
        for i in 0..<100 { try w.writeRow([String(i), big]) }
        try w.close()
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let back = TestCSV.parse(data, delimiter: 0x2C)
        #expect(back.count == 100)
        #expect(back[99] == ["99", big])
        #expect(w.rowsWritten == 100)
        #expect(w.bytesWritten == data.count)
    }

    @Test func unwritablePathIsAnOutputError() {
        do {
            _ = try CSVWriter(path: "/nonexistent-folder-\(UUID().uuidString)/x.csv")
            Issue.record("expected an error")
        } catch let error as PWSError {
            #expect(error.code == .outputNotWritable)
            #expect(error.exitStatus == .cannotCreate)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
