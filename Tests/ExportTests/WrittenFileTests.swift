@testable import Export
import Foundation
import PWSCore
import PWSTestSupport
import Testing

/// The digests the writers return while writing (run.json's sha256 and bytes of every CSV and
/// of report.html) are those of the files as written, read back by `FileDigest` — also when
/// the file is many write buffers long, holds a cell larger than the buffer, or starts with a BOM.
@Suite struct WrittenFileTests {
    /// A table of ~1.1 MB (more than four 256 KiB buffers), one 300 KB cell among them.
    @Test(arguments: [OutputFormat.standard, .excel])
    func tableWriterDigestEqualsTheFileRead(format: OutputFormat) throws {
        let tmp = try TemporaryFolder()
        let path = tmp.url.path + "/t.csv"
        let table = try TableWriter(path: path, header: ["a", "b", "c"], format: format)
        for i in 0..<20_000 {
            try table.row([String(i), "desa \"\(i)\", rt 00\(i % 7)", i == 777 ? String(repeating: "x;y,", count: 75_000) : "=1+\(i)"])
        }
        let written = try table.close()
        let read = try FileDigest.sha256(path: path)
        #expect(written.rows == 20_000)
        #expect(written.sha256 == read.hex)
        #expect(written.bytes == read.bytes)
        #expect(written.bytes > 4 * 256 * 1024)
        #expect(try table.close() == written)  // closing again changes nothing
    }

    /// A header-only table (no data rows): the digest of the header line (and BOM).
    @Test func emptyTable() throws {
        let tmp = try TemporaryFolder()
        let path = tmp.url.path + "/completeness.csv"
        let written = try CompletenessCSV.write([], to: path, format: .excel)
        let expected = [0xEF, 0xBB, 0xBF] + Array("facility;facility_type;year;month;records;persons;reported\r\n".utf8)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == expected)
        #expect(written == WrittenFile(rows: 0, sha256: FileDigest.sha256(bytes: expected).hex, bytes: expected.count))
    }

    @Test func followUpAndCompletenessDigests() throws {
        let tmp = try TemporaryFolder()
        let f = try FollowUpCSV.write(FollowUpCSVTests.rows, to: tmp.url.path + "/f.csv", format: .standard)
        let fRead = try FileDigest.sha256(path: tmp.url.path + "/f.csv")
        #expect(f == WrittenFile(rows: 7, sha256: fRead.hex, bytes: fRead.bytes))
        let rows = (1...12).map {
            CompletenessRow(facility: "PKM-\($0 % 3)", facilityType: "puskesmas", year: 2025, month: $0, records: $0 * 10,
                            persons: $0, reported: $0 % 2 == 0)
        }
        let c = try CompletenessCSV.write(rows, to: tmp.url.path + "/c.csv", format: .standard)
        let cRead = try FileDigest.sha256(path: tmp.url.path + "/c.csv")
        #expect(c == WrittenFile(rows: 12, sha256: cRead.hex, bytes: cRead.bytes))
    }

    /// report.html: hashed from the bytes in memory; the file holds exactly those bytes.
    @Test func outputFileDigest() throws {
        let tmp = try TemporaryFolder()
        let path = tmp.url.path + "/report.html"
        let html = "<!doctype html><p>Cakupan K1 — 95,5 %</p>\n" + String(repeating: "<tr><td>RT 001</td></tr>\n", count: 50_000)
        let written = try OutputFile.write(Data(html.utf8), to: path)
        let read = try FileDigest.sha256(path: path)
        #expect(written == WrittenFile(rows: nil, sha256: read.hex, bytes: read.bytes))
        #expect(written.bytes == html.utf8.count)
        // sha256 of the empty input is the well-known constant.
        let empty = try OutputFile.write(Data(), to: tmp.url.path + "/empty.html")
        #expect(empty.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" && empty.bytes == 0)
    }

    /// A write that fails says which file and the system's reason (a full disk: /dev/full
    /// fails every write with ENOSPC) — it said "cannot write …/report.html" and nothing more.
    @Test func unwritablePathSaysWhy() {
        func message(_ path: String) -> String {
            do {
                _ = try OutputFile.write(Data("x".utf8), to: path)
                return "written"
            } catch {
                return "\(error)"
            }
        }
        let missing = message("/nonexistent-folder-pws/report.html")
        #expect(missing.contains("cannot write /nonexistent-folder-pws/report.html: No such file or directory; "), "\(missing)")
        let full = message("/dev/full")
        #expect(full.contains("cannot write /dev/full: No space left on device; free space on the output folder's disk"), "\(full)")
    }

    /// pws.xlsx that cannot be written (here a folder holds its name) says the system's reason
    /// too, not only libxlsxwriter's "Zip generic error".
    @Test func unwritableWorkbookSaysWhy() throws {
        let tmp = try TemporaryFolder()
        let path = tmp.url.path + "/pws.xlsx"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let book = try XLSXWriter(path: path, title: "PWS", created: Date(timeIntervalSince1970: 0))
        _ = try book.addSheet("Ringkasan")
        let error = #expect(throws: PWSError.self) { try book.close() }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("cannot write \(path) (writing the file): Is a directory; "), "\(text)")
    }
}
