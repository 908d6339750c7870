import Foundation
import Ingest
import PWSCore
import PWSTestSupport
import Testing

/// Reading .xlsx workbooks (spec §A2) through `TableReader`: cell kinds, dates, positions,
/// sheets, and bad workbooks. The fixtures were written by openpyxl, XlsxWriter and LibreOffice
/// (Fixtures/xlsx/README.md); no writer is needed here.
@Suite struct WorkbookReaderTests {
    struct Outcome {
        /// Per row: `label:line` and the schema fields by name.
        var rows: [(position: String, values: [String: String])] = []
        var problems: [Diagnostic] = []
        var summary: TableReadSummary?
    }

    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
            .appendingPathComponent("xlsx/\(name)").path
    }

    private func read(_ name: String, schema: TableSchema = .layanan,
                      options: WorkbookReadOptions = .init()) throws -> Outcome {
        let names = try TableColumnNames(schema: schema)
        let reader = try TableReader.open(path: Self.path(name), source: "layanan/\(name)", names: names,
                                          workbook: options)
        var outcome = Outcome()
        outcome.summary = try reader.read(row: { row in
            var values: [String: String] = [:]
            for (i, field) in schema.fields.enumerated() { values[field.name] = row.string(i) }
            outcome.rows.append(("\(row.location)", values))
        }, problem: { outcome.problems.append($0) })
        return outcome
    }

    @Test func openpyxlCellsInlineStringsNumbersBooleansDatesAndBadCells() throws {
        let o = try read("openpyxl-cells.xlsx")
        // Rows 2–6 are records; 3 (NIK as a number), 4 (#N/A), 5 (formula, no value) are rejected.
        #expect(o.summary?.rowsRead == 5)
        #expect(o.summary?.rowsRejected == 3)
        #expect(o.summary?.sheets == ["Kunjungan"])
        #expect(o.rows.map(\.position) == ["layanan/openpyxl-cells.xlsx:Kunjungan:2",
                                           "layanan/openpyxl-cells.xlsx:Kunjungan:6"])
        let first = o.rows[0].values
        #expect(first["visit_date"] == "2025-03-14")  // a date cell, dd/mm/yyyy
        #expect(first["birth_date"] == "2021-04-03")
        #expect(first["person_id"] == "3201010304210001")  // a string cell keeps all 16 digits
        #expect(first["result"] == "15.4")
        let last = o.rows[1].values
        #expect(last["facility_id"] == "TRUE")  // a boolean cell
        #expect(last["result"] == "7,5")  // cleaned as §2.1: spaces trimmed
        let rules = o.problems.map { "\($0.location) \($0.rule.rawValue) \($0.field) \($0.value)" }
        #expect(rules == ["layanan/openpyxl-cells.xlsx:Kunjungan:3 E-PERSON person_id ",
                          "layanan/openpyxl-cells.xlsx:Kunjungan:4 E-CELL result #N/A",
                          "layanan/openpyxl-cells.xlsx:Kunjungan:5 E-CELL result "])
        #expect(o.problems[0].message.contains("layanan/openpyxl-cells.xlsx:Kunjungan:C3"))
        #expect(o.problems[0].message.contains("format the column as Text"))
        #expect(!o.problems[0].message.contains("3201010304210002"))
        #expect(o.problems[1].message.contains("Kunjungan:L4"))
        #expect(o.problems[2].message.contains("Kunjungan:L5"))
        #expect(o.problems[2].message.contains("formula saved without its result"))
    }

    /// A string formula (`t="str"`) saved without its result was read as an empty cell — a
    /// sheet of them became blank rows, a result column of them lost its results without a
    /// word; it is `E-CELL` like an untyped one. One whose result is the empty text (`<v></v>`)
    /// is an empty cell.
    @Test func aStringFormulaWithoutItsResultIsACellProblem() throws {
        let o = try read("string-formulas.xlsx")
        let rules = o.problems.map { "\($0.location) \($0.rule.rawValue) \($0.field)" }
        #expect(rules == ["layanan/string-formulas.xlsx:Kunjungan:2 E-CELL result",
                          "layanan/string-formulas.xlsx:Kunjungan:3 E-PERSON person_id",
                          "layanan/string-formulas.xlsx:Kunjungan:4 E-CELL result",
                          "layanan/string-formulas.xlsx:Kunjungan:5 E-CELL result"])
        #expect(o.problems[0].message.contains("Kunjungan:L2") && o.problems[0].message.contains("formula saved without its result"))
        #expect(o.rows.map(\.position) == ["layanan/string-formulas.xlsx:Kunjungan:6"])
    }

    /// A sheet with a DOCTYPE declaring entities (doctype.xlsx: openpyxl-cells.xlsx with one)
    /// reads as without it. libxml2 keeps such declarations in a document of its own that
    /// freeing the parser leaves behind; SheetSAX frees it (the leak was found by FuzzWorkbook;
    /// its input is in Tests/Fuzz/corpus/FuzzWorkbook, replayed under LeakSanitizer by
    /// scripts/fuzz.sh, which is what can see a leak).
    @Test func aDoctypeWithEntitiesReadsAsWithout() throws {
        let plain = try read("openpyxl-cells.xlsx"), doctype = try read("doctype.xlsx")
        #expect(doctype.summary?.rowsRead == 5)
        #expect(doctype.summary?.rowsRejected == 3)
        #expect(doctype.rows.map { $0.position.replacingOccurrences(of: "doctype", with: "openpyxl-cells") }
                == plain.rows.map(\.position))
        #expect(doctype.rows.map(\.values) == plain.rows.map(\.values))
        #expect(doctype.problems.map { "\($0.rule.rawValue) \($0.field) \($0.value)" }
                == plain.problems.map { "\($0.rule.rawValue) \($0.field) \($0.value)" })
    }

    @Test func date1904System() throws {
        let o = try read("openpyxl-1904.xlsx")
        // In the 1904 system 2025-03-14 is serial 44268 (= 45730 − 1462); read back as the same day.
        #expect(o.rows.first?.values["visit_date"] == "2025-03-14")
        #expect(o.rows.first?.values["birth_date"] == "2021-04-03")
    }

    @Test func xlsxwriterInlineStringsFormulasAnd1900Quirk() throws {
        let o = try read("xlsxwriter-cells.xlsx")
        let visits = o.rows.map { $0.values["visit_date"] ?? "" }
        // 45730 → 2025-03-14; 59 → 1900-02-28; 60 → Excel's 1900-02-29 (left for E-DATE);
        // 61.75 → 1900-03-01 (the time dropped); the formula's cached 45730; the last row.
        // (Row 6, rejected below, is not among the rows.)
        #expect(visits == ["2025-03-14", "1900-02-28", "1900-02-29", "1900-03-01", "2025-03-14"])
        #expect(o.rows.map { $0.values["birth_date"] ?? "" }.prefix(2) == ["2021-04-03", "1900-01-01"])
        #expect(o.rows.map { $0.values["facility_id"] ?? "" }.prefix(2) == ["FALSE", "TRUE"])
        // Row 6 holds =1/0 with the cached error #DIV/0!: E-CELL; its other formulas were fine.
        #expect(o.problems.map { "\($0.location) \($0.rule.rawValue) \($0.value)" }
                == ["layanan/xlsxwriter-cells.xlsx:Layanan:6 E-CELL #DIV/0!"])
        // The sheet's last row, 1,048,576, is read and positioned.
        #expect(o.rows.last?.position == "layanan/xlsxwriter-cells.xlsx:Layanan:1048576")
        #expect(o.rows.last?.values["record_id"] == "X-LAST")
        #expect(o.summary?.rowsRead == 6)
    }

    @Test func libreofficeSharedStringsAndTypedColumns() throws {
        let o = try read("libreoffice-typed.xlsx")
        #expect(o.problems.isEmpty)
        #expect(o.rows.count == 2)
        let first = o.rows[0].values
        #expect(first["record_id"] == "L-1")
        #expect(first["visit_date"] == "2025-03-14")  // ISO text became a date cell (yyyy-mm-dd)
        #expect(first["person_id"] == "3201010304210001")
        #expect(first["rw"] == "01")
        #expect(first["result"] == "15.4")
        #expect(o.rows[1].values["result"] == "12")
    }

    @Test func libreofficeDefaultImportStoresTheNIKAsANumber() throws {
        let o = try read("libreoffice-default.xlsx")
        // Both rows' person_id became numbers: E-PERSON, each with its cell.
        #expect(o.problems.map(\.rule) == [.person, .person])
        #expect(o.problems.map(\.location.line) == [2, 3])
        #expect(o.summary?.rowsRejected == 2)
    }

    @Test func titleRowsHiddenSheetsNotesAndMergedHeader() throws {
        let o = try read("openpyxl-sheets.xlsx")
        #expect(o.summary?.sheets == ["Maret", "Arsip"])
        #expect(o.rows.map(\.position) == ["layanan/openpyxl-sheets.xlsx:Maret:5",
                                           "layanan/openpyxl-sheets.xlsx:Arsip:2"])
        #expect(o.rows[0].values["result"] == "15.4")
        #expect(o.summary?.unknownColumns == ["catatan"])
        let notes = o.summary?.notes ?? []
        #expect(notes.contains { $0.hasPrefix("layanan/openpyxl-sheets.xlsx:Maret: column M has values (first at M5)") })
        #expect(notes.contains("layanan/openpyxl-sheets.xlsx:Arsip: the sheet is hidden in the workbook; it is read like the others"))
        #expect(notes.contains { $0.hasPrefix("layanan/openpyxl-sheets.xlsx:Catatan: not read") })
    }

    /// Cells merged down rows (Fixtures/xlsx `merged-cells.xlsx`) read as the merged cell's
    /// value in each row with values of its own; a merged error value rejects every such row,
    /// named at its own cell; a range within one row is read as stored.
    @Test func cellsMergedDownRowsReadAsTheirValue() throws {
        let o = try read("merged-cells.xlsx")
        let at = "layanan/merged-cells.xlsx:Kunjungan"
        #expect(o.rows.map { "\($0.position) \($0.values["record_id"]!) \($0.values["visit_date"]!) \($0.values["village_code"]!) \($0.values["result"]!)" } == [
            "\(at):2 M-1 2025-03-14 3201012001 15.4",
            "\(at):3 M-2 2025-03-14 3201012001 12",
            "\(at):4 M-3 2025-03-14 3201012001 13",
        ])
        // Row 5 lies under F2:F5 but holds nothing else, and row 8 (under F6:F8, written
        // empty by openpyxl) neither: blank rows, not records.
        #expect(o.summary?.blankRows == 2)
        #expect(o.problems.map { "\($0.location) \($0.rule.rawValue) \($0.recordID)" } == ["\(at):6 E-CELL M-4", "\(at):7 E-CELL M-5"])
        #expect(o.problems.last?.message == "\(at):F6 (village_code) holds the error value #N/A; correct the formula or type the value in the workbook")
        #expect(o.summary?.rowsRead == 5)
        #expect(o.summary?.notes.contains("\(at): 5 cell(s) under merged cells spanning rows (B2:B4, F2:F5, F6:F8) are read as the merged cell's value, which the file keeps in its first cell") == true, "\(o.summary?.notes ?? [])")
    }

    @Test func namedSheetAndHeaderRow() throws {
        let o = try read("openpyxl-sheets.xlsx", options: WorkbookReadOptions(sheets: ["Maret"], headerRow: 4))
        #expect(o.summary?.sheets == ["Maret"])
        #expect(o.rows.map(\.position) == ["layanan/openpyxl-sheets.xlsx:Maret:5"])
        #expect(throws: PWSError.self) {
            _ = try read("openpyxl-sheets.xlsx", options: WorkbookReadOptions(sheets: ["April"]))
        }
        // A name that differs by case only is that sheet (Excel holds no two such sheets).
        let lower = try read("openpyxl-sheets.xlsx", options: WorkbookReadOptions(sheets: ["MARET"], headerRow: 4))
        #expect(lower.summary?.sheets == ["Maret"])
        #expect(lower.rows.map(\.values) == o.rows.map(\.values))
    }

    @Test func sheetWithoutHeaderIsEColumnsAndAccounted() throws {
        let o = try read("openpyxl-no-header.xlsx")
        // Two rows, the first taken as the would-be header: 1 record read and rejected.
        #expect(o.summary?.rowsRead == 1)
        #expect(o.summary?.rowsRejected == 1)
        #expect(o.problems.map(\.rule) == [.columns])
        #expect(o.problems.first?.location.description == "layanan/openpyxl-no-header.xlsx:Data:1")
    }

    @Test func truncatedZipIsAClearError() throws {
        let error = try #require(throws: PWSError.self) { _ = try read("truncated.xlsx") }
        #expect(error.message.contains("not a readable .xlsx workbook"))
        #expect(error.message.contains("save it again"))
    }

    @Test func damagedSheetIsAClearErrorNamingTheSheet() throws {
        // The sheet's compressed bytes were changed: inflating fails, the checksum fails, or the
        // XML is broken; whichever comes first, the message names the sheet and says what to do.
        let error = try #require(throws: PWSError.self) { _ = try read("corrupt-sheet.xlsx") }
        #expect(error.message.hasPrefix("layanan/corrupt-sheet.xlsx:Kunjungan: "))
        #expect(error.message.contains("save"))
    }

    /// A part whose bytes do not match its CRC-32 — here one digit of a date in a stored sheet,
    /// the XML still well-formed — stops the workbook: the part is read to its end, past
    /// `</sheetData>`, so the checksum is always checked (the rows were read as written).
    @Test func aSheetFailingItsChecksumIsAClearError() throws {
        let error = try #require(throws: PWSError.self) { _ = try read("checksum-sheet.xlsx") }
        #expect(error.message == "layanan/checksum-sheet.xlsx:Kunjungan: layanan/checksum-sheet.xlsx: xl/worksheets/sheet1.xml fails its checksum (the file is damaged); save the workbook again",
                "\(error.message)")
    }

    /// A worksheet has one `<sheetData>`; the rows of a second one were left out without a word.
    @Test func aSecondSheetDataIsAClearError() throws {
        let error = try #require(throws: PWSError.self) { _ = try read("two-sheetdata.xlsx") }
        #expect(error.message.contains("layanan/two-sheetdata.xlsx:Kunjungan: layanan/two-sheetdata.xlsx: xl/worksheets/sheet1.xml has a second sheetData"),
                "\(error.message)")
    }

    /// A text cell naming a shared string the workbook lacks is E-CELL for its row, saying the
    /// workbook is damaged (it said "the error value shared string 99999 missing; correct the
    /// formula"); the other rows are read.
    @Test func aMissingSharedStringIsADamagedWorkbookForItsRow() throws {
        let plain = try read("libreoffice-typed.xlsx")
        let o = try read("missing-shared-string.xlsx")
        #expect(o.rows.map(\.values) == Array(plain.rows.map(\.values).dropFirst()))
        #expect(o.problems.map { "\($0.location) \($0.rule.rawValue) \($0.field)" } == ["layanan/missing-shared-string.xlsx:libreoffice-typed:2 E-CELL sex"])
        #expect(o.problems.first?.message == "layanan/missing-shared-string.xlsx:libreoffice-typed:E2 (sex) names shared string 99999, which the workbook does not hold (its shared strings are missing or cut short): the workbook is damaged — open it in Excel or LibreOffice and save it again",
                "\(o.problems.first?.message ?? "")")
    }

    /// A cell out of order rejects its row (E-PARSE) naming the cell as written; the others are read.
    @Test func aCellOutOfOrderIsNamed() throws {
        let plain = try read("openpyxl-cells.xlsx")
        let o = try read("cell-out-of-order.xlsx")
        #expect(o.rows.map(\.values) == Array(plain.rows.map(\.values).dropFirst()))
        // Row 2's E-PARSE, then the fixture's own problems of the other rows.
        #expect(o.problems.map { "\($0.location.line) \($0.rule.rawValue)" }
                == ["2 E-PARSE"] + plain.problems.map { "\($0.location.line) \($0.rule.rawValue)" })
        #expect(o.problems.first?.message == "cell \"A2\" names a column already given in the row, or comes after a cell right of it (cells out of order); save the workbook again",
                "\(o.problems.first?.message ?? "")")
    }

    @Test func encryptedWorkbookIsAClearError() throws {
        let error = try #require(throws: PWSError.self) { _ = try read("encrypted.xlsx") }
        #expect(error.message.contains("layanan/encrypted.xlsx"))
    }

    @Test func zipBombStopsAtTheInflateLimit() throws {
        // The sheet inflates to 200 MiB from 204 KB: at 250 × 204 KB ≈ 50 MiB the ratio stops it.
        let error = try #require(throws: PWSError.self) { _ = try read("bomb.xlsx") }
        #expect(error.message.contains("inflates more than 250 times"))
        // And with a lower absolute limit, at that limit.
        var limits = WorkbookLimits()
        limits.maxPartBytes = 1 << 20
        let small = try #require(throws: PWSError.self) {
            _ = try read("bomb.xlsx", options: WorkbookReadOptions(limits: limits))
        }
        #expect(small.message.contains("inflates to more than 1 MiB"))
    }

    /// The shared-string table's limit counts its strings as well as their text: hundreds of
    /// millions of empty strings (`<si/>`, 20 MB zipped) asked for gigabytes and aborted. Here
    /// 300,000 of them (4 bytes each, 1.2 MB) read as the workbook without them does, and are
    /// refused under a 1 MiB limit at the string that passes it: the workbook's own 25 strings
    /// hold 180 bytes of text, and 180 + 4 × 262,100 is the first total over 1,048,576.
    @Test func emptySharedStringsCountAgainstTheTableLimit() throws {
        let plain = try read("libreoffice-typed.xlsx")
        let padded = try read("many-strings.xlsx")
        #expect(padded.rows.map(\.values) == plain.rows.map(\.values))
        #expect(padded.rows.count == 2)
        var limits = WorkbookLimits()
        limits.maxSharedStringBytes = 1 << 20
        let error = try #require(throws: PWSError.self) {
            _ = try read("many-strings.xlsx", options: WorkbookReadOptions(limits: limits))
        }
        #expect(error.message.contains("layanan/many-strings.xlsx: its shared strings hold more than 1 MiB (262100 strings so far); split the workbook"),
                "\(error.message)")
    }

    /// A workbook of 2,000 sheets, each on its own part, the records on the last: every part is
    /// found (by name, in the index read once from the zip's directory), the empty sheets each
    /// noted, and the records read as from the workbook alone. (Each part looked up from the
    /// start of the directory made 16,000 sheets take minutes.)
    @Test func aWorkbookOfManySheetsFindsEveryPart() throws {
        let alone = try read("openpyxl-cells.xlsx")
        let o = try read("many-sheets.xlsx")
        #expect(o.rows.map(\.values) == alone.rows.map(\.values))
        #expect(o.rows.map(\.position) == ["layanan/many-sheets.xlsx:Kunjungan:2", "layanan/many-sheets.xlsx:Kunjungan:6"])
        #expect(o.problems.map(\.rule) == alone.problems.map(\.rule))
        let notes = o.summary?.notes ?? []
        #expect(notes.filter { $0.hasSuffix(": not read — the sheet is empty") }.count == 1999)
        #expect(notes.contains("layanan/many-sheets.xlsx:Kosong1998: not read — the sheet is empty"))
        #expect(o.summary?.sheets == ["Kunjungan"])
    }

    /// A row numbered out of order, or with a number that is not one, stops the sheet with a
    /// message naming the number written and the row before it (it named the row before + 1,
    /// a row that does not exist).
    @Test func aRowOutOfOrderIsNamedByItsNumber() throws {
        let order = try #require(throws: PWSError.self) { _ = try read("rows-out-of-order.xlsx") }
        #expect(order.message.contains("layanan/rows-out-of-order.xlsx:Kunjungan: row 3 of the sheet comes after row 4: rows must be in order, each once"),
                "\(order.message)")
        let bad = try #require(throws: PWSError.self) { _ = try read("row-number-bad.xlsx") }
        #expect(bad.message.contains("layanan/row-number-bad.xlsx:Kunjungan: the row after row 3 of the sheet is numbered \"4x\", which is not a row number (1…1048576)"),
                "\(bad.message)")
    }

    /// Sheets that share one part (through one relationship or two) are refused before any is
    /// read: each would read the part again, and thousands on one large part ran for minutes.
    @Test func sheetsSharingAPartAreRefused() throws {
        let error = try #require(throws: PWSError.self) { _ = try read("shared-part.xlsx") }
        #expect(error.message.contains("layanan/shared-part.xlsx lists sheets \"Kunjungan\" and \"Salinan\" on the same part xl/worksheets/sheet1.xml"), "\(error.message)")
        #expect(error.message.contains("save it again as .xlsx"))
    }

    /// Parts each too small for their own ratio check (10 MiB of spaces, ~11 KB stored) are
    /// refused once together they pass 16 MiB at more than 250 times their stored size.
    @Test func manySmallBombsTogetherStopAtTheInflateLimit() throws {
        let error = try #require(throws: PWSError.self) { _ = try read("many-parts.xlsx") }
        #expect(error.message.contains("layanan/many-parts.xlsx: its parts together inflate more than 250 times their stored size (at xl/worksheets/sheet2.xml)"), "\(error.message)")
    }

    /// One stored part read again and again (here the styles, named by five relationships) counts
    /// its stored bytes once, and the parts together never more than the file: each read
    /// deflates ~70 times, five of them ~350 times. (Counting each read's stored bytes, it passed.)
    @Test func onePartReadManyTimesCountsItsStoredBytesOnce() throws {
        let error = try #require(throws: PWSError.self) { _ = try read("repeated-styles.xlsx") }
        #expect(error.message.contains("layanan/repeated-styles.xlsx: its parts together inflate more than 250 times their stored size (at xl/styles.xml)"), "\(error.message)")
    }

    @Test func deepNestingIsRefused() throws {
        let error = try #require(throws: PWSError.self) { _ = try read("deep.xlsx") }
        #expect(error.message.contains("nests elements more than 64 deep"))
        #expect(error.message.contains("layanan/deep.xlsx:Kunjungan"))
    }

    /// The rows reach the caller from inside the XML parser's callbacks: an error thrown for a
    /// row stops the sheet there and reaches the caller as it was thrown.
    @Test func anErrorThrownForARowStopsTheSheet() throws {
        struct Stop: Error, Equatable { let line: Int }
        let source = try WorkbookRecordSource(path: Self.path("openpyxl-cells.xlsx"), source: "layanan/a.xlsx")
        var lines: [Int] = []
        let thrown = try #require(throws: Stop.self) {
            try source.read { event in
                guard case .record(let record, _) = event else { return }
                lines.append(record.line)
                if lines.count == 3 { throw Stop(line: record.line) }
            }
        }
        #expect(lines == [1, 2, 3])
        #expect(thrown == Stop(line: 3))
    }

    @Test func dateFormats() {
        #expect(WorkbookFormats.isDate(id: 14, code: nil))
        #expect(WorkbookFormats.isDate(id: 164, code: "dd/mm/yyyy"))
        #expect(WorkbookFormats.isDate(id: 165, code: "[$-421]d mmmm yyyy"))
        #expect(WorkbookFormats.isDate(id: 165, code: #"yyyy\-mm\-dd"#))
        #expect(!WorkbookFormats.isDate(id: 164, code: "General"))
        #expect(!WorkbookFormats.isDate(id: 164, code: "h:mm"))
        #expect(!WorkbookFormats.isDate(id: 164, code: #"0.0" days""#))
        #expect(!WorkbookFormats.isDate(id: 2, code: nil))
    }

    @Test func dateSerials() {
        // 1900: 1 = 1900-01-01, 59 = 1900-02-28, 60 = the 29th Excel invented, 61 = 1900-03-01.
        #expect(WorkbookFormats.dateText("1", date1904: false) == "1900-01-01")
        #expect(WorkbookFormats.dateText("59", date1904: false) == "1900-02-28")
        #expect(WorkbookFormats.dateText("60", date1904: false) == "1900-02-29")
        #expect(WorkbookFormats.dateText("61", date1904: false) == "1900-03-01")
        #expect(WorkbookFormats.dateText("45730.99", date1904: false) == "2025-03-14")
        // 1904: 0 = 1904-01-01; 44268 = 2025-03-14 (45730 − 1462).
        #expect(WorkbookFormats.dateText("0", date1904: true) == "1904-01-01")
        #expect(WorkbookFormats.dateText("44268", date1904: true) == "2025-03-14")
        #expect(WorkbookFormats.dateText("-1", date1904: false) == nil)
        #expect(WorkbookFormats.dateText("abc", date1904: false) == nil)
        // Only decimal digits are a serial: Double("0x10") is 16, and "inf" and "nan" read too.
        for text in ["0x10", "0x1p4", "inf", "nan", " 45730", ""] {
            #expect(WorkbookFormats.dateText(text, date1904: false) == nil, "\(text)")
            #expect(WorkbookFormats.numberText(text) == text, "\(text)")
        }
    }

    /// Any finite double as Excel writes it (17 significant digits, `%.17G`: an exponent for the
    /// small and the large) reads back as the same double from plain decimal digits, and whole
    /// numbers as integers — 20 000 seeded doubles of every magnitude, from bit patterns and
    /// from typed-looking decimals.
    @Test func numberTextIsTheSameNumberWithoutAnExponent() {
        var random = SeededRandom(seed: 44)
        for k in 0..<20_000 {
            let d: Double
            var typed: String?
            if k % 2 == 0 {
                d = Double(bitPattern: random.next())
            } else {
                // A decimal as people type it: up to 6 digits after the point, 1e-6 … 1e9; it
                // is read back as typed (trailing zeros aside).
                let places = Int(random.next() % 7), n = Int64(random.next() % 1_000_000_000)
                d = Double(n) / pow(10, Double(places))
                var digits = String(n)
                if places > 0 {
                    digits = String(repeating: "0", count: max(0, places + 1 - digits.count)) + digits
                    digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -places))
                    while digits.hasSuffix("0") { digits.removeLast() }
                    if digits.hasSuffix(".") { digits.removeLast() }
                }
                typed = digits
            }
            guard d.isFinite else { continue }
            let excel = String(format: "%.17G", d)
            let text = WorkbookFormats.numberText(excel)
            if let typed { #expect(text == typed, "\(excel) → \(text), typed \(typed)") }
            if d == d.rounded() && abs(d) >= 9.2e18 {
                #expect(text == excel)
                continue
            }
            #expect(Double(text) == d, "\(excel) → \(text)")
            #expect(!text.contains("E") && !text.contains("e"), "\(excel) → \(text)")
            if d == d.rounded() { #expect(!text.contains("."), "\(excel) → \(text)") }
        }
    }

    /// A count's number cell (`NumberCells.counts`) as §A1's rules read it back exactly.
    @Test func countText() {
        #expect(WorkbookFormats.countText("1.234", decimalSeparator: nil) == "1.2340")
        #expect(WorkbookFormats.countText("0.004", decimalSeparator: nil) == "0.0040")
        #expect(WorkbookFormats.countText("68.4", decimalSeparator: nil) == "68.4")
        #expect(WorkbookFormats.countText("1234", decimalSeparator: nil) == "1234")
        #expect(WorkbookFormats.countText("1.234", decimalSeparator: UInt8(ascii: ",")) == "1,234")
        #expect(WorkbookFormats.countText("68.4", decimalSeparator: UInt8(ascii: ".")) == "68.4")
        // Not a plain decimal (an exponent `numberText` kept, text): as it is, for the rules to refuse.
        #expect(WorkbookFormats.countText("1e400", decimalSeparator: nil) == "1e400")
        #expect(WorkbookFormats.countText("12.5 orang", decimalSeparator: nil) == "12.5 orang")
    }

    @Test func numberText() {
        #expect(WorkbookFormats.numberText("15.4") == "15.4")
        #expect(WorkbookFormats.numberText("3.2710123456789E+15") == "3271012345678900")
        // What Excel stores for 68.4, 158.3, 0.0324 and 1.5E-7 typed (17 significant digits,
        // small ones with an exponent): each is the number typed.
        #expect(WorkbookFormats.numberText("68.400000000000006") == "68.4")
        #expect(WorkbookFormats.numberText("158.30000000000001") == "158.3")
        #expect(WorkbookFormats.numberText("3.2399999999999998E-2") == "0.0324")
        #expect(WorkbookFormats.numberText("1.4999999999999999E-7") == "0.00000015")
        #expect(WorkbookFormats.numberText("-2.5E-3") == "-0.0025")
        #expect(WorkbookFormats.numberText("1.25E1") == "12.5")
        #expect(WorkbookFormats.numberText("12.0") == "12" && WorkbookFormats.numberText("-0") == "-0")
        // Digits alone are kept, whatever their length: a 17-digit id stored as a number by
        // openpyxl or pandas (a double would make 20240615000000001 and …002 one id).
        #expect(WorkbookFormats.numberText("20240615000000001") == "20240615000000001")
        #expect(WorkbookFormats.numberText("-9999999999999999") == "-9999999999999999")
        #expect(WorkbookFormats.numberText("00012") == "00012")
        #expect(WorkbookFormats.numberText("123456789012345.5") == "123456789012345.5")
        // Not a plain decimal, or a whole number past Int64: as written.
        #expect(WorkbookFormats.numberText("0x1p3") == "0x1p3" && WorkbookFormats.numberText("nan") == "nan")
        #expect(WorkbookFormats.numberText("1E400") == "1E400" && WorkbookFormats.numberText("abc") == "abc")
        #expect(WorkbookFormats.numberText("12345678901234567890") == "12345678901234567890")
        #expect(WorkbookFormats.numberText("1E-5") == "0.00001" && WorkbookFormats.numberText("-1.5E+20") == "-1.5E+20")
        #expect(WorkbookFormats.numberDigits("3271012345678900") == 16)
        #expect(WorkbookFormats.numberDigits("123456789012345.5") == 15)
        #expect(WorkbookFormats.numberDigits("3201012001") == 10)
    }
}
