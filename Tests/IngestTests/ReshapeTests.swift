import Foundation
import Ingest
import PWSCore
import CSV
import Testing

/// Wide registers made into service records by a `ReshapeRule` (spec §A2).
@Suite struct ReshapeTests {
    static let rule = ReshapeRule(
        files: "layanan/register-*.csv",
        columns: ["person_id": "NIK", "birth_date": "TGL LAHIR", "sex": "JK", "village_code": "KODE DESA",
                  "rw": "RW", "rt": "RT"],
        values: ["facility_type": "posyandu", "facility_id": "PSY-1"],
        year: .fileName,
        months: ["JAN", "FEB", "MAR", "APR", "MEI", "JUN", "JUL", "AGS", "SEP", "OKT", "NOV", "DES"],
        monthService: "TIMBANG", day: 31,
        dated: [("HB0", "HB0"), ("BCG", "BCG")])

    private func read(_ text: String, source: String = "layanan/register-mawar-2025.csv",
                      rule: ReshapeRule = rule) throws -> (rows: [[String: String]], positions: [String],
                                                           problems: [Diagnostic], summary: TableReadSummary) {
        let csv = CSVReader(bytes: Array(text.utf8), source: source)
        let reader = TableReader(records: ReshapeSource(inner: CSVRecordSource(reader: csv), rule: rule, source: source),
                                 source: source, names: try TableColumnNames(schema: .layanan))
        var rows: [[String: String]] = []
        var positions: [String] = []
        var problems: [Diagnostic] = []
        let summary = try reader.read(row: { row in
            var values: [String: String] = [:]
            for (i, field) in TableSchema.layanan.fields.enumerated() where !row.isEmpty(i) { values[field.name] = row.string(i) }
            rows.append(values)
            positions.append("\(row.location)")
        }, problem: { problems.append($0) })
        return (rows, positions, problems, summary)
    }

    static let header = "NO,NAMA,NIK,TGL LAHIR,JK,KODE DESA,RW,RT,JAN,FEB,MAR,APR,MEI,JUN,JUL,AGS,SEP,OKT,NOV,DES,HB0,BCG\n"

    @Test func monthSeriesAndDatedServicesBecomeRecords() throws {
        let text = "REGISTER POSYANDU MAWAR\n\n" + Self.header
            // Row 4: weighed in January and February (February has 28 days in 2025: day 31 → 28), HB0 given.
            + "1,Adi,3201011503250001,15/03/2024,L,3201012001,01,001,7.5,\"7,9\",,,,,,,,,,,2024-03-15,\n"
            // Row 5: no month and no date cell: no record.
            + "2,Budi,3201011503250002,15/03/2024,L,3201012001,01,001,,,,,,,,,,,,,,\n"
            // Row 6: weighed in December only, BCG given.
            + "3,Citra,3201015504240003,15/04/2024,P,3201012001,01,002,,,,,,,,,,,,9.1,,2024-05-01\n"
        let o = try read(text)
        // 2 + 1 records from row 4, 2 from row 6; row 5 makes none: 5 records read, none rejected.
        #expect(o.summary.rowsRead == 5)
        #expect(o.summary.rowsRejected == 0)
        #expect(o.problems.isEmpty)
        #expect(o.rows.map { $0["record_id"] ?? "" } == [
            "layanan/register-mawar-2025.csv:I4", "layanan/register-mawar-2025.csv:J4",
            "layanan/register-mawar-2025.csv:U4",
            "layanan/register-mawar-2025.csv:T6", "layanan/register-mawar-2025.csv:V6",
        ])
        #expect(o.positions == ["layanan/register-mawar-2025.csv:4", "layanan/register-mawar-2025.csv:4",
                                "layanan/register-mawar-2025.csv:4", "layanan/register-mawar-2025.csv:6",
                                "layanan/register-mawar-2025.csv:6"])
        #expect(o.rows.map { $0["visit_date"] ?? "" } == ["2025-01-31", "2025-02-28", "2024-03-15", "2025-12-31", "2024-05-01"])
        #expect(o.rows.map { $0["service_code"] ?? "" } == ["TIMBANG", "TIMBANG", "HB0", "TIMBANG", "BCG"])
        #expect(o.rows.map { $0["result"] ?? "" } == ["7.5", "7,9", "", "9.1", ""])
        let first = o.rows[0]
        #expect(first["person_id"] == "3201011503250001")
        #expect(first["birth_date"] == "15/03/2024")
        #expect(first["sex"] == "L")
        #expect(first["village_code"] == "3201012001")
        #expect(first["facility_type"] == "posyandu")
        #expect(first["facility_id"] == "PSY-1")
    }

    /// Header cells as people type them (audit X): a line break in a cell (Alt+Enter), two
    /// spaces, `_` or `-` between words match the rule's names, as every header does.
    @Test func headerNamesWithLineBreaksAndDoubleSpacesMatch() throws {
        let header = Self.header.replacingOccurrences(of: "TGL LAHIR", with: "\"TGL\nLAHIR\"")
            .replacingOccurrences(of: "KODE DESA", with: "KODE  DESA").replacingOccurrences(of: "JK", with: " jk ")
        let o = try read(header + "1,Adi,3201011503250001,15/03/2024,L,3201012001,01,001,7.5,,,,,,,,,,,,,\n")
        #expect(o.problems.isEmpty)
        #expect(o.rows.map { "\($0["birth_date"] ?? "") \($0["village_code"] ?? "") \($0["sex"] ?? "")" } == ["15/03/2024 3201012001 L"])
    }

    /// Audit X: month cells marked as not given (`x`, `A`, `0`, a dash) make no record and are
    /// counted in the notes; a weight with the growth code written after it is the weight; a
    /// rule's own marks replace the defaults.
    @Test func absentMarksAndGrowthCodes() throws {
        let row = "1,Adi,3201011503250001,15/03/2024,L,3201012001,01,001,x,A,0,—,7.5 N,\"7,9 t\",8 B,,,,,,,\n"
        let o = try read(Self.header + row)
        #expect(o.rows.map { "\($0["visit_date"] ?? "") \($0["result"] ?? "")" } == ["2025-05-31 7.5", "2025-06-30 7,9", "2025-07-31 8"])
        #expect(o.summary.rowsRead == 3)
        #expect(o.summary.notes.contains("layanan/register-mawar-2025.csv: 4 month cell(s) marked as not given (x, a, 0, –, —) made no record"))
        var rule = Self.rule
        rule.absent = ["tidak"]
        let own = try read(Self.header + "1,Adi,3201011503250001,15/03/2024,L,3201012001,01,001,TIDAK,x,,,,,,,,,,,,\n", rule: rule)
        #expect(own.rows.map { $0["result"] ?? "" } == ["x"])
        #expect(ReshapeSource.withoutGrowthCode("N 7") == "N 7")
        #expect(ReshapeSource.withoutGrowthCode("7.5 kg") == "7.5 kg")
    }

    /// A workbook with a sheet per year: `from_sheet_name` dates each sheet's months in its own
    /// year; with the file's year, a sheet named as another year is noted.
    @Test func yearsFromSheetNames() throws {
        let source = "layanan/register-mawar-2025.xlsx"
        let row = "1,Adi,3201011503250001,15/03/2023,L,3201012001,01,001,7.5,,,,,,,,,,,,,\n"
        func read(_ year: ReshapeRule.Year) throws -> (dates: [String], notes: [String]) {
            var rule = Self.rule
            rule.year = year
            let records = ReshapeSource(inner: Sheets([("2024", Self.header + row), ("Mawar", Self.header + row)], source: source),
                                        rule: rule, source: source)
            let reader = TableReader(records: records, source: source, names: try TableColumnNames(schema: .layanan))
            var dates: [String] = []
            let summary = try reader.read(row: { dates.append($0.string(LayananField.visitDate)) }, problem: { _ in })
            return (dates, summary.notes)
        }
        let bySheet = try read(.sheetName)
        #expect(bySheet.dates == ["2024-01-31", "2025-01-31"])
        #expect(!bySheet.notes.contains { $0.contains("named as the year") })
        // Review 14: a sheet's year other than the file's is said (a sheet "RW 2001" would be 2001).
        #expect(bySheet.notes == ["\(source):2024: the sheet's months are read as 2024, the year in its name, though the file's name says 2025 — check that the sheet holds that year"])
        let byFile = try read(.fileName)
        #expect(byFile.dates == ["2025-01-31", "2025-01-31"])
        #expect(byFile.notes.contains("\(source):2024: the sheet is named as the year 2024, but its months are read as 2025 (the reshape rule's year); give the rule year: {from_sheet_name: true} if each sheet holds its own year"))
    }

    /// Audit X: a sheet that is a register with a column misnamed, beside a sheet that is
    /// read, is E-COLUMNS for its rows (counted, naming its best row and what it lacks); a
    /// recap sheet with only the month columns is a note, not rejected rows.
    @Test func aRegisterSheetWithAColumnMisnamedIsRejectedNotDropped() throws {
        let source = "layanan/register-2025.xlsx"
        let rows = (1...3).map { "\($0),Anak,320101150325000\($0),15/03/2024,L,3201012001,01,001,7.5,,,,,,,,,,,,,\n" }.joined()
        let title = "REGISTER POSYANDU\n"
        let misnamed = Self.header.replacingOccurrences(of: "TGL LAHIR", with: "TANGGAL LAHIR")
        // Review 14: a recap of months by area lacks the three person columns — a recap, noted.
        let recap = "KODE DESA,RW,RT,JAN,FEB,MAR,APR,MEI,JUN,JUL,AGS,SEP,OKT,NOV,DES\n3201012001,01,001,1,2,3,4,5,6,7,8,9,10,11,12\n"
        let records = ReshapeSource(inner: Sheets([("Mawar", title + Self.header + rows), ("Melati", title + misnamed + rows),
                                                   ("Rekap", recap)], source: source), rule: Self.rule, source: source)
        let reader = TableReader(records: records, source: source, names: try TableColumnNames(schema: .layanan))
        var problems: [Diagnostic] = []
        var read = 0
        let summary = try reader.read(row: { _ in read += 1 }, problem: { problems.append($0) })
        #expect(read == 3)
        // Melati: its 3 rows after its header row 2 (the title above it is not a record),
        // rejected at that row naming the column.
        #expect(summary.rowsRead == 3 + 3)
        #expect(summary.rowsRejected == 3)
        #expect(problems.map { "\($0.location) \($0.rule.rawValue) \($0.field) \($0.value)" } == ["\(source):Melati:2 E-COLUMNS TGL LAHIR 3"])
        #expect(problems.first?.message == "\(source):Melati is not read: its row 2 has all the columns but \"TGL LAHIR\", while the file's other sheets have them all; name the columns as the other sheets do; all 3 row(s) of this sheet are rejected")
        #expect(summary.notes.contains { $0.hasPrefix("\(source):Rekap: not read") })
    }

    /// The same for a long-form workbook: a service sheet whose visit date column is misnamed
    /// is E-COLUMNS for its rows; a notes sheet is a note.
    @Test func aServiceSheetWithAColumnMisnamedIsRejectedNotDropped() throws {
        let source = "layanan/kunjungan.xlsx"
        let header = "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,facility_id,service_code,result\n"
        let rows = "K1,2025-03-04,3201011503250001,2024-03-15,L,3201012001,01,001,posyandu,PSY-1,TIMBANG,7.5\n"
            + "K2,2025-03-04,3201011503250002,2024-03-15,L,3201012001,01,001,posyandu,PSY-1,TIMBANG,7.6\n"
        let misnamed = header.replacingOccurrences(of: "visit_date", with: "tgl_periksa")
        // Review 14: a child master list (person and area columns, no visit or service) is noted.
        let master = "NIK,TGL LAHIR,JK,KODE DESA,RW,RT,NAMA IBU\n3201011503250001,2024-03-15,L,3201012001,01,001,Siti\n"
        let records = Sheets([("Maret", "KUNJUNGAN MARET\n" + header + rows), ("April", "KUNJUNGAN APRIL\n" + misnamed + rows),
                              ("Data Balita", master), ("Catatan", "dikirim oleh bidan desa\n")], source: source)
        let reader = TableReader(records: records, source: source, names: try TableColumnNames(schema: .layanan))
        var problems: [Diagnostic] = []
        let summary = try reader.read(row: { _ in }, problem: { problems.append($0) })
        #expect(summary.rowsRead == 2 + 2)
        #expect(summary.rowsRejected == 2)
        #expect(problems.map { "\($0.location) \($0.rule.rawValue) \($0.field) \($0.value)" } == ["\(source):April:2 E-COLUMNS visit_date 2"])
        #expect(summary.notes.contains { $0.hasPrefix("\(source):Catatan: not read") })
        #expect(summary.notes.contains { $0.hasPrefix("\(source):Data Balita: not read") })
    }

    /// Audit X: the register's layout rows — the row numbering the columns under the header,
    /// a JUMLAH row of totals, a signature — make no record (a note lists them); a child's row
    /// with a NIK but no birth date is read and rejected as usual.
    @Test func layoutRowsMakeNoRecord() throws {
        let numbers = (1...22).map(String.init).joined(separator: ",") + "\n"
        let child = "1,Adi,3201011503250001,15/03/2024,L,3201012001,01,001,7.5,,,,,,,,,,,,,\n"
        let noBirth = "2,Budi,3201011503250002,,L,3201012001,01,001,8.1,,,,,,,,,,,,,\n"
        let total = ",JUMLAH (D),,,,,,,2,0,0,0,0,0,0,0,0,0,0,0,,\n"
        let signature = ",,,,,,,,,,,,,,Mengetahui,,,,,,,\n"
        // Review 14: a totals row of one village, its label in the name column; and a child
        // whose person cells are empty but whose area is given — read, and rejected as usual.
        let villageTotal = ",Jumlah,,,,3201012001,01,001,5,,,,,,,,,,,,,\n"
        let anonymous = "3,Citra,,,,3201012001,01,002,6.2,,,,,,,,,,,,,\n"
        let o = try read(Self.header + numbers + child + noBirth + total + signature + villageTotal + anonymous)
        #expect(o.rows.map { $0["person_id"] ?? "" } == ["3201011503250001", "3201011503250002", ""])
        #expect(o.summary.rowsRead == 3)
        let source = "layanan/register-mawar-2025.csv"
        #expect(o.summary.notes.contains("\(source): 1 row(s) numbering the columns (1, 2, 3 …) made no record (\(source):2)"))
        #expect(o.summary.notes.contains("\(source): 2 row(s) without a person or an area (totals, signatures) made no record (\(source):5, \(source):6)"))
        #expect(o.summary.notes.contains("\(source): 1 row(s) of totals (JUMLAH, TOTAL) made no record (\(source):7)"))
        // Hostile: the largest Int before a small NIK cell is no numbering row, and no trap.
        let huge = "9223372036854775807,x,1,2,3,4,5,6,7,8,,,,,,,,,,,,\n"
        #expect(try read(Self.header + huge).summary.notes.allSatisfy { !$0.contains("numbering") })
    }

    /// SIP format 2 prints its header over two rows: the group `HASIL PENIMBANGAN` merged over
    /// the twelve months and `IMUNISASI` over the vaccines in the upper row, the months and
    /// vaccines in the lower, and NIK, TGL LAHIR … merged down both rows (their names in the
    /// upper row only). The two rows are read as one header; the column-numbering row under it
    /// is layout; the rows after it are the children's.
    @Test func aTwoRowHeaderIsReadAsOne() throws {
        let upper = "NO,NAMA,NIK,TGL LAHIR,JK,KODE DESA,RW,RT,HASIL PENIMBANGAN,,,,,,,,,,,,IMUNISASI,\n"
        let lower = ",,,,,,,,JAN,FEB,MAR,APR,MEI,JUN,JUL,AGS,SEP,OKT,NOV,DES,HB0,BCG\n"
        let numbers = (1...22).map(String.init).joined(separator: ",") + "\n"
        let child = "1,Adi,3201011503250001,15/03/2024,L,3201012001,01,001,7.5,,8.1,,,,,,,,,,,2024-05-01\n"
        let source = "layanan/register-mawar-2025.csv"
        let o = try read("REGISTER POSYANDU MAWAR\n" + upper + lower + numbers + child)
        #expect(o.problems.isEmpty)
        #expect(o.rows.map { "\($0["record_id"] ?? "") \($0["service_code"] ?? "") \($0["visit_date"] ?? "") \($0["result"] ?? "") \($0["person_id"] ?? "")" } == [
            "\(source):I5 TIMBANG 2025-01-31 7.5 3201011503250001",
            "\(source):K5 TIMBANG 2025-03-31 8.1 3201011503250001",
            "\(source):V5 BCG 2024-05-01  3201011503250001",
        ])
        #expect(o.positions == Array(repeating: "\(source):5", count: 3))
        #expect(o.summary.rowsRead == 3)
        #expect(o.summary.notes.contains("\(source): the header is read from rows 2 and 3 together (a two-row header: each column's name in row 3, else the one above it in row 2); the rows after 3 are read"))
        #expect(o.summary.notes.contains("\(source): 1 row(s) numbering the columns (1, 2, 3 …) made no record (\(source):4)"))

        // Rows apart are not one header: a blank line between them leaves the register unread,
        // E-COLUMNS at its best row (the lower, which has the months but not the person columns).
        let apart = try read(upper + "\n" + lower + child)
        #expect(apart.rows.isEmpty)
        #expect(apart.problems.map { "\($0.location) \($0.rule.rawValue)" } == ["\(source):3 E-COLUMNS"])
        #expect(apart.summary.notes.allSatisfy { !$0.contains("two-row header") })

        // A near miss over two rows is named at its lower row with what the two rows lack together.
        let misnamed = try read(upper.replacingOccurrences(of: "TGL LAHIR", with: "TANGGAL LAHIR") + lower + child)
        #expect(misnamed.rows.isEmpty)
        #expect(misnamed.problems.map { "\($0.location) \($0.rule.rawValue) \($0.field)" } == ["\(source):2 E-COLUMNS TGL LAHIR"])
        // The message names both rows (review 15: row 2 alone lacks NIK, JK …).
        #expect(misnamed.problems.first?.message.contains("(\(source), rows 1 and 2 together, lack \"TGL LAHIR\")") == true)
        // Beside a sheet that is read, the same register is a near miss named by both rows.
        let sheets = ReshapeSource(inner: Sheets([("Mawar", upper + lower + child),
                                                  ("Melati", upper.replacingOccurrences(of: "TGL LAHIR", with: "TANGGAL LAHIR") + lower + child)],
                                                 source: "layanan/register-2025.xlsx"), rule: Self.rule, source: "layanan/register-2025.xlsx")
        var near: [Diagnostic] = []
        _ = try TableReader(records: sheets, source: "layanan/register-2025.xlsx", names: try TableColumnNames(schema: .layanan))
            .read(row: { _ in }, problem: { near.append($0) })
        #expect(near.map(\.message) == ["layanan/register-2025.xlsx:Melati is not read: its rows 1 and 2 together have all the columns but \"TGL LAHIR\", while the file's other sheets have them all; name the columns as the other sheets do; all 1 row(s) of this sheet are rejected"])
    }

    /// The same as a workbook written by openpyxl with its merged cells (Fixtures/xlsx,
    /// `sip-format2.xlsx`): merged cells keep their text in the first cell only; those spanning
    /// rows are read as their value in every row with values of its own.
    @Test func aSIPFormat2WorkbookWithMergedHeaderCells() throws {
        let source = "layanan/register-sip2-2025.xlsx"
        var rule = Self.rule
        rule.files = "layanan/register-*.xlsx"
        let inner = try WorkbookRecordSource(path: WorkbookReaderTests.path("sip-format2.xlsx"), source: source)
        let reader = TableReader(records: ReshapeSource(inner: inner, rule: rule, source: source), source: source,
                                 names: try TableColumnNames(schema: .layanan))
        var rows: [String] = []
        var problems: [Diagnostic] = []
        let summary = try reader.read(row: { row in
            rows.append("\(row.location) \(row.string(LayananField.recordID)) \(row.string(LayananField.serviceCode)) \(row.string(LayananField.visitDate)) \(row.string(LayananField.result)) \(row.string(LayananField.birthDate)) \(row.string(LayananField.villageCode)) \(row.string(LayananField.rw))")
        }, problem: { problems.append($0) })
        #expect(problems.isEmpty)
        let at = "\(source):Register"
        // Row 9's village code and RW are merged with row 8's (F8:F10, G8:G10). Row 10, a
        // signature under the merge, and row 12, Dewi's lengths under her merged NIK … RT, are
        // layout rows judged on their own cells: no record (review 15).
        #expect(rows == [
            "\(at):8 \(at):I8 TIMBANG 2025-01-31 7.5 2024-03-15 3201012002 01",
            "\(at):8 \(at):K8 TIMBANG 2025-03-31 8.1 2024-03-15 3201012002 01",
            "\(at):8 \(at):V8 BCG 2024-05-01  2024-03-15 3201012002 01",
            "\(at):9 \(at):T9 TIMBANG 2025-12-31 9.1 2024-04-15 3201012002 01",
            "\(at):11 \(at):I11 TIMBANG 2025-01-31 6.1 2024-06-25 3201012002 02",
            "\(at):11 \(at):J11 TIMBANG 2025-02-28 6.5 2024-06-25 3201012002 02",
        ])
        #expect(summary.rowsRead == 6)
        #expect(summary.notes.contains("\(source): 2 row(s) without a person or an area (totals, signatures) made no record (\(at):10, \(at):12)"))
        // NO … RT are merged down rows 5–6, so row 6 holds every name once they are read as
        // merged: the header is row 6 (without merged cells it is rows 5 and 6 together, as
        // aTwoRowHeaderIsReadAsOne shows). 8 header cells, 2 + 2 in rows 9 and 10, 8 in row 12.
        #expect(summary.notes.contains("\(at): 20 cell(s) under merged cells spanning rows (A5:A6, B5:B6, C5:C6, D5:D6, E5:E6 …) are read as the merged cell's value, which the file keeps in its first cell"))
        #expect(summary.notes.contains("\(source): 1 row(s) numbering the columns (1, 2, 3 …) made no record (\(at):7)"))
    }

    /// A long-form sheet's header over two rows (an area register with `WILAYAH` merged over
    /// RW and RT, the other names merged down both rows) is read as one; a header whose upper
    /// row already maps is that row alone.
    @Test func aTwoRowHeaderInALongFormSheet() throws {
        let source = "wilayah.xlsx"
        let upper = "KODE DESA,NAMA DESA,KECAMATAN,KABUPATEN,KODE PUSKESMAS,PUSKESMAS,WILAYAH,,PENDUDUK\n"
        let lower = ",,,,,,RW,RT,\n"
        let row = "3201012001,Sumbermurni,Jatiwangi,Majalengka,P3201010,Jatiwangi,01,002,350\n"
        let records = Sheets([("Wilayah", "DAFTAR WILAYAH\n" + upper + lower + row + row.replacingOccurrences(of: ",002,", with: ",003,"))],
                             source: source)
        let reader = TableReader(records: records, source: source, names: try TableColumnNames(schema: .wilayah))
        var rows: [String] = []
        var problems: [Diagnostic] = []
        let summary = try reader.read(row: { row in
            rows.append("\(row.location) \(row.string(WilayahField.villageCode)) \(row.string(WilayahField.rw)) \(row.string(WilayahField.rt)) \(row.string(WilayahField.population))")
        }, problem: { problems.append($0) })
        #expect(problems.isEmpty)
        #expect(rows == ["\(source):Wilayah:4 3201012001 01 002 350", "\(source):Wilayah:5 3201012001 01 003 350"])
        #expect(summary.rowsRead == 2)
        #expect(summary.notes.contains(TwoRowHeader.note(label: "\(source):Wilayah", upper: 2, lower: 3)))
        // The upper row's own name stays where the lower row has none; the lower's wins.
        #expect(TwoRowHeader.combine(upper: ["NIK", "HASIL", "", "X"], lower: ["", "JAN", "FEB"]) == ["NIK", "JAN", "FEB", "X"])
    }

    /// A child born in a month after the rule's day, weighed that month: the weighing is dated
    /// the birth date (audit X: it was E-BEFORE-BIRTH for the register's made-up day).
    @Test func aWeighingInTheBirthMonthIsNotBeforeBirth() throws {
        // Rule day 15. Born 2025-03-20: March's weighing is dated the 20th, April's the 15th.
        // Born 2025-03-10: March's weighing keeps the 15th (after birth already).
        var rule = Self.rule
        rule.day = 15
        let o = try read(Self.header + "1,Adi,3201011503250001,20/03/2025,L,3201012001,01,001,,,3.4,4.1,,,,,,,,,,\n"
                         + "2,Budi,3201011503250002,2025-03-10,L,3201012001,01,001,,,3.1,,,,,,,,,,,\n", rule: rule)
        #expect(o.rows.map { $0["visit_date"] ?? "" } == ["2025-03-20", "2025-04-15", "2025-03-15"])
    }

    @Test func yearFromAColumnOrMissing() throws {
        var rule = Self.rule
        rule.year = .column("TAHUN")
        let text = "TAHUN," + Self.header + "2024,1,Adi,3201011503250001,15/03/2024,L,3201012001,01,001,,,7.5,,,,,,,,,,,\n"
            + ",2,Budi,3201011503250002,15/03/2024,L,3201012001,01,001,,,7.6,,,,,,,,,,,\n"
            + "99999,3,Cici,3201011503250003,15/03/2024,L,3201012001,01,001,,,7.7,,,,,,,,,,,\n"
            + "2025.5,4,Dedi,3201011503250004,15/03/2024,L,3201012001,01,001,,,7.8,,,,,,,,,,,\n"
            + "2025.0,5,Eka,3201011503250005,15/03/2024,L,3201012001,01,001,,,7.9,,,,,,,,,,,2025-01-02\n"
        let o = try read(text, rule: rule)
        // A year cell that is not a year (empty, 99999, 2025.5) makes each month record of its
        // row E-DATE at that cell (it said "visit_date is empty", or read 2025.5 as 2025);
        // 2025.0, a number cell, is 2025. The dated HB0 of row 6 needs no year.
        #expect(o.rows.map { $0["visit_date"] ?? "" } == ["2024-03-31", "2025-03-31", "2025-01-02"])
        #expect(o.problems.map { "\($0.location) \($0.rule.rawValue) \($0.value)" }
                == ["layanan/register-mawar-2025.csv:3 E-DATE ", "layanan/register-mawar-2025.csv:4 E-DATE 99999",
                    "layanan/register-mawar-2025.csv:5 E-DATE 2025.5"])
        #expect(o.problems[1].message == "layanan/register-mawar-2025.csv:A4, the register's year column, holds \"99999\" where a year 1900–2999 should be, so the row's monthly visits cannot be dated; correct the year")
        #expect(o.problems[0].message.contains(":A3, the register's year column, holds no year"))
        #expect(o.summary.rowsRead == 6)
        let none = try read(Self.header + "1,Adi,3201011503250001,15/03/2024,L,3201012001,01,001,7.5,,,,,,,,,,,,,\n",
                            source: "layanan/register-mawar.csv")
        #expect(none.rows.first?.keys.contains("visit_date") == false)
    }

    /// A register without the rule's columns is E-COLUMNS counting its rows (spec §3: "every
    /// one of its records as read and rejected") and naming the columns the rule wants that
    /// its first row lacks; it counted no row ("the workbook has no rows", value 0, for a CSV
    /// of rows) and said both "no row has the register columns" and "the sheet is empty".
    @Test func registerWithoutTheColumnsIsEColumnsCountingItsRows() throws {
        let o = try read("NO,NAMA,NIK\n1,Adi,3201011503250001\n2,Budi,3201011503250002\n\n3,Citra,3201015504240003\n")
        #expect(o.summary.rowsRead == 3 && o.summary.rowsRejected == 3)
        #expect(o.problems.map { "\($0.location) \($0.rule.rawValue) \($0.value)" } == ["layanan/register-mawar-2025.csv:1 E-COLUMNS 3"])
        #expect(o.problems.first?.field == "TGL LAHIR,JK,KODE DESA,RW,RT,JAN,FEB,MAR,APR,MEI,JUN,JUL,AGS,SEP,OKT,NOV,DES,HB0,BCG",
                "\(o.problems.first?.field ?? "")")
        #expect(o.problems.first?.message.hasPrefix("no header row has the columns of the reshape rule for layanan/register-*.csv (layanan/register-mawar-2025.csv:1 lacks \"TGL LAHIR\", \"JK\"") == true,
                "\(o.problems.first?.message ?? "")")
        #expect(o.problems.first?.message.hasSuffix("; all 3 record(s) of this file are rejected") == true)
        #expect(o.summary.notes.count == 1)
        #expect(o.summary.notes.first?.hasPrefix("layanan/register-mawar-2025.csv: not read — no row has the register columns of the reshape rule for layanan/register-*.csv (row 1 lacks \"TGL LAHIR\"") == true)
    }

    /// A column the rule reads that the header has twice: the first is read and a note names
    /// both cells (the second JAN's weights were left out without a word).
    @Test func aRepeatedColumnIsNoted() throws {
        let header = Self.header.replacingOccurrences(of: ",HB0,BCG\n", with: ",HB0,BCG,JAN\n")
        let o = try read(header + "1,Adi,3201011503250001,15/03/2024,L,3201012001,01,001,4.6,,,,,,,,,,,,,,5.0\n")
        #expect(o.rows.map { $0["result"] ?? "" } == ["4.6"])
        #expect(o.summary.notes == ["layanan/register-mawar-2025.csv: the header has JAN twice (I1 and W1); the reshape rule reads the first, the other's cells are not read — rename or remove one"],
                "\(o.summary.notes)")
    }

    /// A column repeated thousands of times is one note (10 000 notes, 2 MB of run.json, from
    /// a header of JAN 10 001 times): the first cell, five of the others and how many more.
    @Test func aColumnRepeatedManyTimesIsOneNote() throws {
        let header = Self.header.replacingOccurrences(of: ",HB0,BCG\n", with: ",HB0,BCG" + String(repeating: ",JAN", count: 10_000) + "\n")
        let o = try read(header + "1,Adi,3201011503250001,15/03/2024,L,3201012001,01,001,4.6,,,,,,,,,,,,,," + Array(repeating: "5.0", count: 10_000).joined(separator: ",") + "\n")
        #expect(o.rows.map { $0["result"] ?? "" } == ["4.6"])
        #expect(o.summary.notes == ["layanan/register-mawar-2025.csv: the header has JAN 10001 times (I1, then W1, X1, Y1, Z1, AA1 and 9995 more); the reshape rule reads the first, the others' cells are not read — rename or remove them"],
                "\(o.summary.notes.prefix(3))")
    }

    /// A CSV register row of another field count than the header — an unquoted decimal comma
    /// (`5,1`) adds a field and shifts every month after it — is E-FIELDS, as in a long-format
    /// file; its cells made records under the wrong months. The other rows are read.
    @Test func aRowOfAnotherFieldCountIsEFields() throws {
        let text = Self.header
            + "1,Adi,3201011503250001,15/03/2024,L,3201012001,01,001,4.6,5,1,,,,,,,,,,,,\n"
            + "2,Budi,3201011503250002,15/03/2024,L,3201012001,01,001,4.6\n"
            + "3,Citra,3201015504240003,15/04/2024,P,3201012001,01,002,4.1,\"5,1\",,,,,,,,,,,,\n"
        let o = try read(text)
        #expect(o.problems.map { "\($0.location) \($0.rule.rawValue) \($0.value)" }
                == ["layanan/register-mawar-2025.csv:2 E-FIELDS 23", "layanan/register-mawar-2025.csv:3 E-FIELDS 9"])
        #expect(o.problems.first?.message.hasPrefix("the row has 23 fields but the header has 22, so its cells would be read under the wrong months") == true)
        #expect(o.rows.map { $0["result"] ?? "" } == ["4.1", "5,1"])
        #expect(o.summary.rowsRead == 4 && o.summary.rowsRejected == 2)
    }

    static func rule(files: String) -> ReshapeRule {
        var rule = Self.rule
        rule.files = files
        return rule
    }

    @Test func filePatterns() {
        #expect(Self.rule.matches("layanan/register-mawar-2025.csv"))
        #expect(Self.rule.matches("layanan/REGISTER-x.CSV"))
        #expect(!Self.rule.matches("layanan/sub/register-x.csv"))
        #expect(!Self.rule.matches("layanan/2025-03.csv"))
        // `*` and `?` never take a `/`; several stars; `?` one character; letters in either case.
        for (pattern, path, expected) in [
            ("layanan/*.csv", "layanan/a.csv", true), ("layanan/*.csv", "layanan/.csv", true),
            ("layanan/*.csv", "layanan/sub/a.csv", false), ("*/*.csv", "layanan/a.csv", true),
            ("layanan/*-*-*.xlsx", "layanan/register-mawar-2025.xlsx", true),
            ("layanan/*-*-*.xlsx", "layanan/register-mawar.xlsx", false),
            ("layanan/reg??.csv", "layanan/REGab.csv", true), ("layanan/reg??.csv", "layanan/rega.csv", false),
            ("layanan/reg?csv", "layanan/reg/csv", false), ("layanan/*a*b", "layanan/aaab", true),
            ("layanan/*a*b", "layanan/aaaba", false), ("layanan/a*", "layanan/a", true),
            ("layanan/**", "layanan/x", true), ("layanan/*", "layanan/", true), ("layanan/?", "layanan/", false),
            ("layanan/[ab].csv", "layanan/a.csv", false), ("layanan/[ab].csv", "layanan/[AB].csv", true),
        ] {
            #expect(Self.rule(files: pattern).matches(path) == expected, "\(pattern) \(path)")
        }
        // Many stars against a long name that almost matches: it took exponential time
        // (six stars and 120 a's ran for minutes); it is now the pattern's length times the name's.
        let name = "layanan/" + String(repeating: "a", count: 120) + ".csv"
        #expect(!Self.rule(files: "layanan/" + String(repeating: "*a", count: 6) + "b.csv").matches(name))
        #expect(Self.rule(files: "layanan/" + String(repeating: "*a", count: 6) + "*.csv").matches(name))
    }

    /// `columns: {name: NAMA}` carries the child's name to every record of the row; a register
    /// without the name column is still read (the name is optional), with the records' name empty.
    @Test func nameColumnIsOptional() throws {
        var rule = Self.rule
        rule.columns["name"] = "NAMA"
        let row = "1,Adi Saputra,3201011503250001,15/03/2024,L,3201012001,01,001,7.5,7.9,,,,,,,,,,,,\n"
        let named = try read("\(Self.header)\(row)", rule: rule)
        #expect(named.rows.count == 2)
        #expect(named.rows.map { $0["name"] ?? "" } == ["Adi Saputra", "Adi Saputra"])
        let noName = Self.header.replacingOccurrences(of: "NO,NAMA,", with: "NO,PANGGILAN,")
        let unnamed = try read("\(noName)\(row)", rule: rule)
        #expect(unnamed.rows.count == 2)
        #expect(unnamed.problems.isEmpty)
        #expect(unnamed.rows.allSatisfy { $0["name"] == nil })
        // A required column missing still stops the register (as registerWithoutTheColumnsIsNotRead).
        let noNIK = Self.header.replacingOccurrences(of: ",NIK,", with: ",NOMOR,")
        #expect(try read("\(noNIK)\(row)", rule: rule).rows.isEmpty)
    }

    @Test func sampleRegisterWorkbook() throws {
        let path = PWSPaths.root + "/sample-data/layanan/register-posyandu-mawar-sumbermurni-2025.xlsx"
        let source = "layanan/register-posyandu-mawar-sumbermurni-2025.xlsx"
        var rule = Self.rule
        rule.files = "layanan/register-*.xlsx"
        rule.dated = [("HB0", "HB0"), ("BCG", "BCG"), ("POLIO1", "POLIO1")]
        let inner = try WorkbookRecordSource(path: path, source: source)
        let reader = TableReader(records: ReshapeSource(inner: inner, rule: rule, source: source), source: source,
                                 names: try TableColumnNames(schema: .layanan))
        var first: (String, String, String)?
        let summary = try reader.read(row: { row in
            if first == nil { first = ("\(row.location)", row.string(LayananField.recordID), row.string(LayananField.visitDate)) }
        }, problem: { _ in })
        #expect(summary.sheets == ["Register"])
        #expect(summary.rowsRead > 50)
        // The header is on row 5 under three title rows; the first child's row is 6.
        #expect(first?.0 == "\(source):Register:6")
        #expect(first?.1.hasPrefix("\(source):Register:") == true)
        #expect(first?.2.hasPrefix("2025-") == true)
    }
}

/// A workbook's sheets as CSV text: one section per sheet, labelled `SOURCE:SHEET`.
final class Sheets: RecordSource {
    let sheets: [(String, String)], source: String
    var blankRows = 0, notes: [String] = [], minimumFieldCount = 0
    var headerLine: Int? { nil }
    init(_ sheets: [(String, String)], source: String) { self.sheets = sheets; self.source = source }
    func note(_ text: String) { notes.append(text) }
    func read(_ body: (RecordSourceEvent) throws -> Void) throws {
        for (name, text) in sheets {
            try body(.section(label: source + ":" + name))
            try CSVReader(bytes: Array(text.utf8), source: source).read { event in
                if case .record(let r) = event { try body(.record(r, issues: [])) }
            }
        }
    }
}

enum PWSPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
}

/// A sasaran table with a column per target group (`WideSasaranSource`), as a workbook.
@Suite struct WideSasaranSourceTests {
    @Test func aWorkbookWithAColumnPerGroup() throws {
        let source = "sasaran.xlsx"
        var options = WorkbookReadOptions()
        options.numberCells = .counts(decimalSeparator: nil)
        let inner = try WorkbookRecordSource(path: WorkbookReaderTests.path("sasaran-wide.xlsx"), source: source, options: options)
        let names = try TableColumnNames(schema: .sasaran)
        let table = WideSasaranSource(inner: inner, names: names, groups: try SasaranGroupNames(columns: names), source: source)
        var rows: [String] = []
        var problems: [Diagnostic] = []
        let summary = try TableReader(records: table, source: source, names: names).read(row: { row in
            rows.append("\(row.location) " + (0..<6).map { row.string($0) }.joined(separator: ","))
        }, problem: { problems.append($0) })
        #expect(table.foundHeader)
        #expect(problems.isEmpty)
        // The year from the sheet's name; no record for Sumbermurni's empty balita; the
        // JUMLAH row (row 6) is layout.
        #expect(rows == [
            "sasaran.xlsx:2025:4 2025,3201012001,,,bumil,101.2", "sasaran.xlsx:2025:4 2025,3201012001,,,bulin,96.6",
            "sasaran.xlsx:2025:4 2025,3201012001,,,bayi,88",
            "sasaran.xlsx:2025:5 2025,3201012002,,,bumil,45", "sasaran.xlsx:2025:5 2025,3201012002,,,bulin,43",
            "sasaran.xlsx:2025:5 2025,3201012002,,,bayi,40", "sasaran.xlsx:2025:5 2025,3201012002,,,balita,180",
        ])
        #expect(summary.rowsRead == 7)
        #expect(summary.notes.contains("sasaran.xlsx: 1 row(s) without a village code (a second header row, totals, signatures) made no target (sasaran.xlsx:2025:6)"))
    }

    /// A header over two rows (`SASARAN` over the groups, `KODE DESA` in the upper row only).
    @Test func aTwoRowHeader() throws {
        let text = "TABEL SASARAN;;;\nKODE DESA;SASARAN;;\n;IBU HAMIL;BAYI;BALITA\n3201012001;5;;9\n"
        let csv = CSVReader(bytes: Array(text.utf8), source: "sasaran.csv")
        let names = try TableColumnNames(schema: .sasaran)
        let table = WideSasaranSource(inner: CSVRecordSource(reader: csv), names: names, groups: try SasaranGroupNames(columns: names), source: "sasaran.csv")
        var rows: [String] = []
        let summary = try TableReader(records: table, source: "sasaran.csv", names: names).read(row: { row in
            rows.append("\(row.location) \(row.string(SasaranField.villageCode)) \(row.string(SasaranField.targetGroup)) \(row.string(SasaranField.count))")
        }, problem: { _ in })
        #expect(rows == ["sasaran.csv:4 3201012001 bumil 5", "sasaran.csv:4 3201012001 balita 9"])
        #expect(summary.notes.contains(TwoRowHeader.note(label: "sasaran.csv", upper: 2, lower: 3)))
    }

    /// Reads `text` (`;`-separated) as a wide table; `issues` are given with the records of
    /// their rows (as a workbook gives them).
    private func wide(_ sheets: [(String, String)], issues: [Int: [CellIssue]] = [:]) throws
        -> (rows: [String], problems: [String], notes: [String], table: WideSasaranSource) {
        let names = try TableColumnNames(schema: .sasaran)
        let table = WideSasaranSource(inner: IssuedSheets(sheets, issues: issues), names: names, groups: try SasaranGroupNames(columns: names), source: "sasaran.xlsx")
        var rows: [String] = []
        var problems: [String] = []
        let summary = try TableReader(records: table, source: "sasaran.xlsx", names: names).read(row: { row in
            rows.append("\(row.location.line) " + (0..<6).map { row.string($0) }.joined(separator: ","))
        }, problem: { problems.append("\($0.location) \($0.rule.rawValue) \($0.message)") })
        return (rows, problems, summary.notes, table)
    }

    /// Review 16: a group over L / P / JUMLAH reads its JUMLAH column (it read L, the men); one
    /// without a total is a problem; a remark in brackets still names the group; other columns
    /// are noted.
    @Test func aGroupOverSeveralColumnsReadsItsTotal() throws {
        let o = try wide([("2025", "KODE DESA;NAMA DESA;BAYI;;;BALITA (0-59 BLN);IBU HAMIL;\n;;L;P;JUMLAH;;L;P\n3201012001;Sumbermurni;6;7;13;40;9;1\n")])
        #expect(o.rows == ["3 2025,3201012001,,,bayi,13", "3 2025,3201012001,,,balita,40"])
        #expect(o.problems == ["sasaran.xlsx:2025:2 E-COLUMNS sasaran.xlsx:2025: the bumil column (G1) stands over 2 columns (G2 \"L\", H2 \"P\") and none is its total (JUMLAH, L+P); give the group one column, or a JUMLAH column under it"])
        #expect(o.notes.contains("sasaran.xlsx:2025: columns not read (neither the area, the year nor a target group pws knows — docs/input-format.md lists the names): \"NAMA DESA\""))
        #expect(o.notes.contains("sasaran.xlsx:2025: no TAHUN column; the targets are read as 2025, the year in the sheet's name"))
        #expect(o.notes.contains("sasaran.xlsx: 1 row(s) without a village code (a second header row, totals, signatures) made no target (sasaran.xlsx:2025:2)"))
    }

    /// Review 16: a figure merged down over a village's RW rows is a problem in each row under
    /// it (it was counted once per RW); a sheet with groups but no village code beside a sheet
    /// that is read is a problem (it was dropped as "empty"); a sheet named with two years has
    /// no year.
    @Test func mergedFiguresSheetsWithoutCodesAndTwoYears() throws {
        let merged = CellIssue(column: 3, reference: "D2", kind: .merged)
        let code = CellIssue(column: 0, reference: "A2", kind: .merged)
        let o = try wide([("2025", "KODE DESA;RW;BAYI;IBU HAMIL\n3201012001;01;5;28\n3201012001;02;6;28\n"),
                          ("Lain", "KODE;BAYI\n3201012002;4\n"),
                          ("Proyeksi 2020-2025", "KODE DESA;BAYI\n3201012003;4\n")],
                         issues: [3: [code, merged]])
        #expect(o.rows == ["2 2025,3201012001,01,,bayi,5", "2 2025,3201012001,01,,bumil,28", "3 2025,3201012001,02,,bayi,6",
                           "2 ,3201012003,,,bayi,4"])
        #expect(o.problems == [
            "sasaran.xlsx:2025:3 E-CELL sasaran.xlsx:2025:D3 (bumil) lies under the merged cell D2, which spans rows: a target stands in one row — unmerge it and give the figure once, in the row of the area it is for (a village's in a row without RW and RT)",
            "sasaran.xlsx:Lain:1 E-COLUMNS sasaran.xlsx:Lain:1 has target group columns (bayi) but no village code column (kode_desa); name the column of the village codes KODE DESA, or remove the sheet",
        ])
        #expect(!o.notes.contains { $0.contains("empty") })

        // A notes sheet between two sheets that are read: noted, not "empty", and nothing else.
        let notes = try wide([("2025", "KODE DESA;BAYI\n3201012001;5\n"), ("Catatan", "sumber: Pusdatin\nx\n"),
                              ("2026", "KODE DESA;BAYI\n3201012001;6\n")])
        #expect(notes.rows == ["2 2025,3201012001,,,bayi,5", "2 2026,3201012001,,,bayi,6"])
        #expect(notes.problems.isEmpty)
        #expect(notes.notes.filter { $0.contains("Catatan") } == ["sasaran.xlsx:Catatan: not read — no row among its first 20 has a village code column and a target group column"])
        #expect(WideSasaranSource.years(in: "Proyeksi 2020-2025") == [2020, 2025])
    }

    /// A group's second column is named in the notes; its cells are not read.
    @Test func aSecondColumnOfAGroupIsNoted() throws {
        let text = "KODE DESA;IBU HAMIL;BUMIL;BAYI\n3201012001;5;7;3\n"
        let csv = CSVReader(bytes: Array(text.utf8), source: "sasaran.csv")
        let names = try TableColumnNames(schema: .sasaran)
        let table = WideSasaranSource(inner: CSVRecordSource(reader: csv), names: names, groups: try SasaranGroupNames(columns: names), source: "sasaran.csv")
        var groups: [String] = []
        let summary = try TableReader(records: table, source: "sasaran.csv", names: names).read(row: { row in
            groups.append(row.string(SasaranField.targetGroup) + " " + row.string(SasaranField.count))
        }, problem: { _ in })
        #expect(groups == ["bumil 5", "bayi 3"])
        #expect(summary.notes.contains("sasaran.csv: a target group has a second column, whose cells are not read: BUMIL at C1 (bumil, first at B1) — remove or rename it"))
    }

    /// The pipeline's `sasaran.group_columns` names more columns (and wins over a built-in
    /// name); what it cannot mean is refused: an unknown group, one name for two groups, a
    /// name that is a sasaran column's, an empty name.
    @Test func thePipelineNamesMoreGroupColumns() throws {
        let text = "KODE DESA;SASARAN BUMIL;BAYI;LANSIA 60+\n3201012001;5;7;3\n"
        let names = try TableColumnNames(schema: .sasaran, extraAliases: ["year": ["periode"]])
        let groups = try SasaranGroupNames(extra: ["bumil": ["Sasaran  Bumil"], "bayi_lahir_hidup": ["BAYI"], "lansia": ["lansia 60+"]],
                                           columns: names)
        let table = WideSasaranSource(inner: CSVRecordSource(reader: CSVReader(bytes: Array(text.utf8), source: "sasaran.csv")),
                                      names: names, groups: groups, source: "sasaran.csv")
        var read: [String] = []
        _ = try TableReader(records: table, source: "sasaran.csv", names: names).read(row: { row in
            read.append(row.string(SasaranField.targetGroup) + " " + row.string(SasaranField.count))
        }, problem: { _ in })
        #expect(read == ["bumil 5", "bayi_lahir_hidup 7", "lansia 3"])
        // Without them, only BAYI is a group (the built-in name).
        let plain = try SasaranGroupNames(columns: names)
        #expect(plain.group(of: "SASARAN BUMIL") == nil && plain.group(of: "BAYI") == "bayi" && plain.group(of: "IBU HAMIL (BUMIL)") == "bumil")
        #expect(groups.group(of: "sasaran_bumil (2025)") == "bumil")

        func refused(_ extra: [String: [String]]) -> String {
            do { _ = try SasaranGroupNames(extra: extra, columns: names); return "accepted" } catch { return "\(error)" }
        }
        #expect(refused(["ibu_hamil": ["BUMIL"]]).contains("unknown target group \"ibu_hamil\"; use one of bumil, bulin"))
        #expect(refused(["bumil": ["SASARAN"], "bulin": ["sasaran"]]).contains("\"SASARAN\" is given to bumil and to bulin (as \"sasaran\"); a column holds one group"))
        #expect(refused(["bumil": ["Kode Desa"]]).contains("bumil: \"Kode Desa\" is the name of the sasaran column village_code"))
        #expect(refused(["bumil": ["PERIODE"]]).contains("bumil: \"PERIODE\" is the name of the sasaran column year"))
        #expect(refused(["bumil": [" "]]).contains("bumil: a name is empty"))
    }
}

/// Sheets as `;`-separated text, each row given with the issues of its line (`issues[line]`).
final class IssuedSheets: RecordSource {
    let sheets: [(String, String)], issues: [Int: [CellIssue]]
    var blankRows = 0, notes: [String] = [], minimumFieldCount = 0
    var headerLine: Int? { nil }
    init(_ sheets: [(String, String)], issues: [Int: [CellIssue]]) { self.sheets = sheets; self.issues = issues }
    func note(_ text: String) { notes.append(text) }
    func read(_ body: (RecordSourceEvent) throws -> Void) throws {
        var options = CSVReadOptions()
        options.delimiter = UInt8(ascii: ";")
        for (name, text) in sheets {
            try body(.section(label: "sasaran.xlsx:" + name))
            try CSVReader(bytes: Array(text.utf8), source: "sasaran.xlsx", options: options).read { event in
                if case .record(let r) = event { try body(.record(r, issues: name == "2025" ? issues[r.line] ?? [] : [])) }
            }
        }
    }
}
