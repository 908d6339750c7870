import Foundation
import CSV
import Ingest
import PWSCore
import PWSTestSupport
import Testing

/// Header mapping (§2.1–§2.4) and the table-level rejects E-PARSE, E-FIELDS, E-COLUMNS (§3).
@Suite struct TableReaderTests {
    struct Outcome {
        var rows: [(line: Int, index: Int, values: [String])] = []
        var problems: [Diagnostic] = []
        var summary: TableReadSummary?
    }

    /// Reads `text` as `schema`, collecting the string of every schema field per row.
    private func read(_ text: String, schema: TableSchema = .layanan, extraAliases: [String: [String]] = [:],
                      blockSize: Int = 1 << 20) throws -> Outcome {
        let reader = try TableReader(bytes: Array(text.utf8), source: "layanan/2025-03.csv", schema: schema,
                                     extraAliases: extraAliases, options: .init(blockSize: blockSize))
        var outcome = Outcome()
        outcome.summary = try reader.read(row: { row in
            #expect(row.location.source == "layanan/2025-03.csv")
            outcome.rows.append((row.location.line, row.recordIndex,
                                 schema.fields.indices.map { row.string($0) }))
        }, problem: { outcome.problems.append($0) })
        return outcome
    }

    private static let header =
        "record_id;visit_date;person_id;birth_date;sex;village_code;rw;rt;facility_type;service_code"

    /// A UTF-16 file (with or without its byte-order mark, little- or big-endian, LF or CRLF)
    /// read as one-byte text has a NUL after every letter of its header: E-COLUMNS says it is
    /// UTF-16 and how to save it, rather than listing every required column as missing, and
    /// counts the file's records — not the lines of NULs its line ends leave.
    @Test(arguments: [([UInt8]([0xFF, 0xFE]), false, "\n"), ([], false, "\n"), ([0xFF, 0xFE], false, "\r\n"),
                      ([0xFE, 0xFF], true, "\n"), ([0xFE, 0xFF], true, "\r\n")])
    func aUTF16FileIsNamedAsSuch(bom: [UInt8], bigEndian: Bool, lineEnd: String) throws {
        let row = "r1,2025-03-04,3201014506900001,1990-06-05,P,3201010001,1,1,posyandu,TENSI"
        // Three records, a blank line between the second and third.
        let text = [Self.header, row, row, "", row].joined(separator: lineEnd) + lineEnd
        let utf16 = bom + text.utf16.flatMap {
            bigEndian ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0 & 0xFF), UInt8($0 >> 8)]
        }
        let reader = try TableReader(bytes: utf16, source: "layanan/2025-03.csv", schema: .layanan, extraAliases: [:],
                                     options: .init())
        var problems: [Diagnostic] = []
        let summary = try reader.read(row: { _ in Issue.record("no row is read") }, problem: { problems.append($0) })
        #expect(problems.map(\.rule) == [.columns])
        #expect(summary.rowsRead == 3)
        #expect(summary.rowsRejected == 3)
        #expect(problems.first?.message.hasSuffix("all 3 record(s) of this file are rejected") == true)
        // run.json calls it UTF-16 (it said windows-1252 or utf-8, as it was read, with a note
        // to save it as UTF-8 "to be sure names are right").
        #expect(summary.utf16)
        #expect(problems.first?.message.hasPrefix("the header has NUL bytes between its letters, so the file is UTF-16") == true,
                "\(problems.first?.message ?? "")")
        #expect(problems.first?.message.contains("CSV UTF-8") == true)
    }

    /// A UTF-8 file with one NUL in a header name it does not know and a column really
    /// missing (`rt`) is not UTF-16 — no NUL between the header's letters — so E-COLUMNS names
    /// the missing column, not "save it as UTF-8" (which it already is: an audit's finding).
    @Test func oneNULInAUTF8HeaderIsNotUTF16() throws {
        let o = try read("record_id;visit_date;person_id;birth_date;sex;village_code;rw;catatan\u{0};facility_type;service_code\n"
            + "r1;2025-03-04;3201014506900001;1990-06-05;P;3201010001;1;x;posyandu;TENSI\n")
        #expect(o.problems.map(\.rule) == [.columns])
        #expect(o.summary?.utf16 == false)
        let message = o.problems.first?.message ?? ""
        #expect(!message.contains("UTF-16") && message.contains("rt"), "\(message)")
    }

    /// E-COLUMNS names the header's columns that matched nothing — usually the missing ones
    /// spelt another way — so the alias to declare is plain; a file without a header row has a
    /// record there, whose NIK is masked.
    @Test func missingColumnsNameTheHeadersNotRecognised() throws {
        let named = try read("record_id;Tgl. Kunjungan;No. KTP;birth_date;sex;village_code;rw;rt;facility_type;service_code\n"
            + "r1;2025-03-04;3201014506900001;1990-06-05;P;3201010001;1;1;posyandu;TENSI\n")
        #expect(named.problems.map(\.rule) == [.columns])
        #expect(named.problems.first?.message.contains(#"(columns not recognised: "Tgl. Kunjungan", "No. KTP"); rename the column"#) == true,
                "\(named.problems.first?.message ?? "")")
        let headless = try read("r1;2025-03-04;3201014506900001;1990-06-05;P;3201010001;1;1;posyandu;TENSI\n")
        let message = headless.problems.first?.message ?? ""
        #expect(!message.contains("3201014506900001"), "\(message)")
        #expect(message.contains(#"(columns not recognised: "r1", "2025-03-04", "3201**********01", "1990-06-05", "P", "3201010001", "1", "1" and 2 more)"#),
                "\(message)")
    }

    @Test func aliasesMatchCaseInsensitivelyWithSpacesAndDashes() throws {
        // A line break inside a quoted header cell (Alt+Enter in Excel) and two spaces are spaces too.
        let text = " ID_Kunjungan ;\"Tanggal\nKunjungan\";NIK;tgl-lahir;JK;Kode  Desa;RW;rt;Tempat-Layanan;LAYANAN;Hasil\n"
            + "K1;2025-03-04;3271000000000001;2000-01-01;P;8272012001;1;2;posyandu;ANC;12,5\n"
        let outcome = try read(text)
        let values = try #require(outcome.rows.first?.values)
        #expect(values[LayananField.recordID.rawValue] == "K1")
        #expect(values[LayananField.visitDate.rawValue] == "2025-03-04")
        #expect(values[LayananField.personID.rawValue] == "3271000000000001")
        #expect(values[LayananField.birthDate.rawValue] == "2000-01-01")
        #expect(values[LayananField.villageCode.rawValue] == "8272012001")
        #expect(values[LayananField.facilityType.rawValue] == "posyandu")
        #expect(values[LayananField.serviceCode.rawValue] == "ANC")
        #expect(values[LayananField.result.rawValue] == "12,5")
        #expect(outcome.problems.isEmpty)
        #expect(outcome.summary?.unknownColumns == [])
        #expect(outcome.summary?.missingColumns == [])
    }

    @Test func canonicalNameWinsOverAliasThenLeftmost() throws {
        // `id` (alias) is left of `record_id` (canonical): record_id wins. `nik` and `id_pasien`
        // are both aliases: the leftmost, nik, wins.
        let text = "id;record_id;visit_date;nik;id_pasien;birth_date;sex;village_code;rw;rt;facility_type;"
            + "service_code\n"
            + "A;B;2025-03-04;111;222;2000-01-01;L;8272012001;1;1;pustu;BCG\n"
        let outcome = try read(text)
        let values = try #require(outcome.rows.first?.values)
        #expect(values[LayananField.recordID.rawValue] == "B")
        #expect(values[LayananField.personID.rawValue] == "111")
        #expect(outcome.summary?.duplicateColumns == ["id", "id_pasien"])
    }

    @Test func unknownColumnsAreListedInHeaderOrderAndBlankNamesLeftOut() throws {
        let text = "Catatan;" + Self.header + ";Keterangan Lain;\n"
            + "c;K1;2025-03-04;3271000000000001;2000-01-01;P;8272012001;1;2;posyandu;ANC;k;\n"
        let outcome = try read(text)
        #expect(outcome.summary?.unknownColumns == ["Catatan", "Keterangan Lain"])
        #expect(outcome.rows.first?.values[LayananField.recordID.rawValue] == "K1")
    }

    @Test func absentOptionalColumnReadsEmpty() throws {
        let reader = try TableReader(bytes: Array((Self.header + "\nK1;2025-03-04;x;2000-01-01;P;1;1;1;rumah;ANC\n").utf8),
                                     source: "l.csv", schema: .layanan)
        var checked = false
        _ = try reader.read(row: { row in
            #expect(!row.has(LayananField.result))
            #expect(row.isEmpty(LayananField.result))
            #expect(row.cleaned(LayananField.result).isEmpty)
            #expect(row.has(LayananField.recordID))
            #expect(!row.isEmpty(LayananField.recordID))
            checked = true
        }, problem: { Issue.record("unexpected \($0)") })
        #expect(checked)
    }

    @Test func extraAliasesFromThePipelineAreUsed() throws {
        let text = "record_id;visit_date;no_ktp;birth_date;sex;village_code;rw;rt;facility_type;service_code\n"
            + "K1;2025-03-04;123;2000-01-01;P;8272012001;1;2;posyandu;ANC\n"
        let outcome = try read(text, extraAliases: ["person_id": ["No KTP"]])
        #expect(outcome.rows.first?.values[LayananField.personID.rawValue] == "123")
        #expect(outcome.problems.isEmpty)
    }

    @Test func extraAliasForUnknownFieldIsPipelineError() {
        let error = #expect(throws: PWSError.self) {
            try TableReader(bytes: [], source: "l.csv", schema: .layanan, extraAliases: ["nope": ["x"]])
        }
        #expect(error?.code == .pipelineDefinition)
    }

    @Test func extraAliasNamingAnotherFieldIsPipelineError() {
        let error = #expect(throws: PWSError.self) {
            try TableReader(bytes: [], source: "l.csv", schema: .layanan, extraAliases: ["person_id": ["tanggal"]])
        }
        #expect(error?.code == .pipelineDefinition)
    }

    @Test func wrongFieldCountIsFieldsErrorWithRecordIDAndNextRowIsRead() throws {
        let text = Self.header + "\n"
            + "K1;2025-03-04;3271000000000001;2000-01-01;P;8272012001;1;2;posyandu\n"
            + "K2;2025-03-04;3271000000000001;2000-01-01;P;8272012001;1;2;posyandu;ANC\n"
        let outcome = try read(text)
        #expect(outcome.problems.count == 1)
        let problem = try #require(outcome.problems.first)
        #expect(problem.rule == .fields)
        #expect(problem.location == SourceLocation(source: "layanan/2025-03.csv", line: 2))
        #expect(problem.recordID == "K1")
        #expect(problem.value == "9")
        #expect(problem.message.contains("9 fields but the header has 10"))
        // The file's delimiter, sniffed on its header (the message named the default ',').
        #expect(problem.message.contains("quote any value that contains the delimiter ';'"), "\(problem.message)")
        #expect(outcome.rows.map(\.line) == [3])
        #expect(outcome.rows.map(\.index) == [1])
        #expect(outcome.summary?.rowsRead == 2)
        #expect(outcome.summary?.rowsRejected == 1)
    }

    /// Rows with the same wrong count share one message's storage (each is held until
    /// rejects.csv is written: a file of one-character rows held ~170 B more a row); rows of
    /// another count get their own words.
    @Test func rowsOfOneWrongCountShareTheirMessage() throws {
        let text = Self.header + "\nx\ny;z\nw\n" + "a;b;c;d;e;f;g;h;i;j;k\nv\n"
        let outcome = try read(text)
        #expect(outcome.problems.map(\.value) == ["1", "2", "1", "11", "1"])
        #expect(outcome.problems.map(\.location.line) == [2, 3, 4, 5, 6])
        #expect(outcome.problems.map { $0.message.prefix(44) } == [
            "the record has 1 fields but the header has 1", "the record has 2 fields but the header has 1",
            "the record has 1 fields but the header has 1", "the record has 11 fields but the header has ",
            "the record has 1 fields but the header has 1"])
        #expect(outcome.problems.allSatisfy { $0.message.hasSuffix("quote any value that contains the delimiter ';' and give every row as many fields as the header") },
                "\(outcome.problems.map(\.message))")
        func storage(_ s: String) -> UnsafeRawPointer? {
            var s = s
            return s.withUTF8 { UnsafeRawPointer($0.baseAddress) }
        }
        let ones = [0, 2, 4].map { storage(outcome.problems[$0].message) }
        #expect(ones[0] != nil && ones[0] == ones[1] && ones[1] == ones[2])
        #expect(storage(outcome.problems[1].message) != ones[0])
    }

    @Test func parseErrorIsReportedAtItsFirstLineAndReadingGoesOn() throws {
        let good = ";2025-03-04;3271000000000001;2000-01-01;P;8272012001;1;2;posyandu;ANC\n"
        let text = Self.header + "\n" + "K1" + good + "K2;\"2025\"x" + good.dropFirst(11) + "\n" + "K3" + good
        let outcome = try read(text)
        #expect(outcome.problems.map(\.rule) == [.parse])
        #expect(outcome.problems.first?.location.line == 3)
        #expect(outcome.problems.first?.recordID == "")
        #expect(outcome.rows.map(\.line) == [2, 5])
        #expect(outcome.rows.map(\.index) == [0, 2])
        #expect(outcome.summary?.rowsRead == 3)
        #expect(outcome.summary?.rowsRejected == 1)
        #expect(outcome.summary?.blankRows == 1)
    }

    @Test func missingRequiredColumnsRejectTheWholeFileOnce() throws {
        // No visit_date, no rt. Three data records (one of them malformed, one short), one blank.
        let text = "record_id;person_id;birth_date;sex;village_code;rw;facility_type;service_code\n"
            + "K1;1;2000-01-01;P;8272012001;1;posyandu;ANC\n"
            + "\n"
            + "K2;\"1\"x;2000-01-01;P;8272012001;1;posyandu;ANC\n"
            + "K3;1\n"
        let outcome = try read(text)
        #expect(outcome.rows.isEmpty)
        #expect(outcome.problems.count == 1)
        let problem = try #require(outcome.problems.first)
        #expect(problem.rule == .columns)
        #expect(problem.location.line == 1)
        #expect(problem.field == "visit_date,rt")
        #expect(problem.value == "3")
        #expect(problem.message.contains("visit_date (or tanggal_kunjungan, tanggal, tgl_kunjungan)"))
        let summary = try #require(outcome.summary)
        #expect(summary.rowsRead == 3)
        #expect(summary.rowsRejected == 3)
        #expect(summary.blankRows == 1)
        #expect(summary.missingColumns == ["visit_date", "rt"])
    }

    @Test func emptyFileIsColumnsErrorWithNoRecords() throws {
        let outcome = try read("\n\n")
        #expect(outcome.problems.map(\.rule) == [.columns])
        #expect(outcome.problems.first?.value == "0")
        #expect(outcome.summary?.rowsRead == 0)
        #expect(outcome.summary?.blankRows == 2)
    }

    @Test func unreadableHeaderIsColumnsError() throws {
        let text = "record_id;\"visit\"date\n" + "K1;2025-03-04\n"
        let outcome = try read(text)
        #expect(outcome.problems.map(\.rule) == [.columns])
        #expect(outcome.problems.first?.message.contains("header row (line 1) cannot be read") == true)
        #expect(outcome.summary?.rowsRead == 1)
        #expect(outcome.summary?.rowsRejected == 1)
    }

    @Test func sasaranWithoutAreaColumnsIsComplete() throws {
        let outcome = try read("Tahun,Kode_Desa,Kelompok,Jumlah\n2025,8272012001,bumil,120\n", schema: .sasaran)
        #expect(outcome.problems.isEmpty)
        #expect(outcome.rows.first?.values == ["2025", "8272012001", "", "", "bumil", "120"])
        #expect(outcome.summary?.delimiter == UInt8(ascii: ","))
    }

    @Test func wilayahRequiresAllButHamletAndPopulation() throws {
        let outcome = try read("kode_desa;desa;kecamatan;kabupaten;kode_puskesmas;puskesmas\n", schema: .wilayah)
        #expect(outcome.problems.first?.field == "rw,rt")
    }

    @Test func sameRowsInEveryBlockSize() throws {
        let good = ";2025-03-04;3271000000000001;2000-01-01;P;8272012001;1;2;posyandu;ANC\r\n"
        let text = Self.header + "\r\n" + "K1" + good + "\"K\r\n2\"" + good + "K3;x\r\n" + "K4" + good
        let whole = try read(text)
        for size in [1, 2, 3, 7, 64, 4096] {
            let chunked = try read(text, blockSize: size)
            #expect(chunked.rows.map(\.values) == whole.rows.map(\.values), "block size \(size)")
            #expect(chunked.rows.map(\.line) == [2, 3, 6], "block size \(size)")
            #expect(chunked.problems == whole.problems, "block size \(size)")
        }
        #expect(whole.problems.map(\.location.line) == [5])
    }

    @Test func fieldConstantsFollowTheSchemaOrder() {
        func snake(_ name: String) -> String {
            name.replacingOccurrences(of: "ID", with: "Id").reduce(into: "") { text, character in
                if character.isUppercase { text += "_" + character.lowercased() } else { text.append(character) }
            }
        }
        #expect(WilayahField.allCases.map { snake("\($0)") } == TableSchema.wilayah.fields.map(\.name))
        #expect(SasaranField.allCases.map { snake("\($0)") } == TableSchema.sasaran.fields.map(\.name))
        #expect(LayananField.allCases.map { snake("\($0)") } == TableSchema.layanan.fields.map(\.name))
        #expect(TableSchema.layanan.index(of: "service_code") == LayananField.serviceCode.rawValue)
        #expect(TableSchema.layanan.index(of: "nope") == nil)
    }

    @Test func windows1252FileFromDiskIsReportedAndRowsAreUTF8() throws {
        let folder = try TemporaryFolder()
        let bytes = Array("kode_desa;desa;kecamatan;kabupaten;kode_puskesmas;puskesmas;rw;rt\r\n".utf8)
            + Array("8272012001;Soasio;Tidore;Kota Tidore Kepulauan;P01;Pusk".utf8) + [0xE9]
            + Array("smas;1;2\r\n".utf8)
        let path = try folder.write("wilayah.csv", bytes)
        let reader = try TableReader(path: path, source: "wilayah.csv", schema: .wilayah)
        #expect(reader.encoding == .windows1252)
        var names: [String] = []
        let summary = try reader.read(row: { names.append($0.string(WilayahField.puskesmasName)) },
                                      problem: { Issue.record("unexpected \($0)") })
        #expect(names == ["Puskésmas"])
        #expect(summary.encoding == .windows1252)
        #expect(summary.rowsRead == 1)
        #expect(summary.rowsRejected == 0)
        #expect(summary.delimiter == UInt8(ascii: ";"))
        #expect(summary.columns.count == 8)
    }

    @Test func missingTableFileIsInputMissing() throws {
        let error = #expect(throws: PWSError.self) {
            try TableReader(path: "/nonexistent/pws/wilayah.csv", source: "wilayah.csv", schema: .wilayah)
        }
        #expect(error?.code == .inputMissing)
        #expect(error?.exitStatus == .noInput)
    }
}
