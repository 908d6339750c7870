import Foundation
import Testing

/// .xlsx inputs through the real binary (spec §A2): the same records as CSV give the same
/// indicators; rows are positioned FILE:SHEET:ROW; workbooks that cannot be read are listed
/// like other unreadable inputs.
@Suite struct XLSXInputEndToEndTests {
    static let fixtures = PWSBinary.packageRoot.appendingPathComponent("Tests/IngestTests/Fixtures/xlsx").path

    /// `pws generate --format xlsx` writes the records of the CSV folder of the same seed as
    /// workbooks (dates as date cells); both runs publish byte-identical indicators.csv.
    @Test func csvAndXlsxOfOnePopulationGiveTheSameIndicators() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let csv = try tmp.generated(records: 3000, seed: 5, name: "csv")
        let xlsx = tmp.path + "/xlsx"
        let g = try PWSBinary.run(["generate", "--out", xlsx, "--seed", "5", "--records", "3000", "--year", "2025",
                                   "--format", "xlsx", "--quiet"])
        #expect(g.status == 0, "\(g.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: xlsx + "/layanan")
        #expect(!names.isEmpty && names.allSatisfy { $0.hasSuffix(".xlsx") })
        for (data, out) in [(csv, tmp.path + "/out-csv"), (xlsx, tmp.path + "/out-xlsx")] {
            let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out-csv/2025-12/indicators.csv"))
        let b = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out-xlsx/2025-12/indicators.csv"))
        #expect(a.count > 1000)
        #expect(a == b)
        // run.json names each workbook's sheets and gives no delimiter for it.
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out-xlsx/2025-12/run.json"))) as? [String: Any]
        let inputs = try #require(manifest?["inputs"] as? [[String: Any]])
        let layanan = inputs.filter { $0["kind"] as? String == "layanan" }
        #expect(!layanan.isEmpty)
        #expect(layanan.allSatisfy { ($0["sheets"] as? [String]) == ["Layanan"] && $0["delimiter"] == nil })
    }

    /// Rejects name the sheet and row; the cell is in the message; accounting adds up.
    @Test func rejectsArePositionedBySheetAndRow() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try HardeningTests.dataFolder(tmp, files: [:])
        try FileManager.default.copyItem(atPath: Self.fixtures + "/openpyxl-cells.xlsx",
                                         toPath: data + "/layanan/2025-03.xlsx")
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["validate", "--data", data, "--out", out, "--today", "2026-01-15"])
        // 3 of 5 rows rejected: over the 5 % limit, so 65, with the files written.
        #expect(r.status == 65)
        let rejects = try String(contentsOfFile: out + "/rejects.csv", encoding: .utf8)
        let lines = rejects.split(separator: "\n").dropFirst().map { $0.split(separator: ",").prefix(4).joined(separator: ",") }
        #expect(lines == ["layanan/2025-03.xlsx:Kunjungan,3,A-2,E-PERSON",
                          "layanan/2025-03.xlsx:Kunjungan,4,A-3,E-CELL",
                          "layanan/2025-03.xlsx:Kunjungan,5,A-4,E-CELL"])
        #expect(rejects.contains("layanan/2025-03.xlsx:Kunjungan:L4 (result) holds the error value #N/A"))
        #expect(!rejects.contains("3201010304210002"))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/run.json")))
            as? [String: Any]
        let counts = try #require(manifest?["counts"] as? [String: Any])
        // 5 read = 3 rejected + 2 accepted.
        #expect(counts["rows_read"] as? Int == 5)
        #expect(counts["rows_rejected"] as? Int == 3)
        #expect(counts["rows_accepted"] as? Int == 2)
    }

    /// A cell over 1 MiB of text (Excel keeps 32,767 characters) is not kept — a 100 MiB cell
    /// took 2 GB — and rejects its row where pws reads the column (`result`), and nothing where
    /// it does not (`catatan`); an error value in the name column, which pws never checks,
    /// rejected a valid row. openpyxl-cells.xlsx (rows 2–6, A-1 … A-5) with L2 of 1 MiB + 1
    /// digits, and its row 6 replaced by A-1's cells as A-5 with 1.5 MiB in `catatan` and
    /// `#REF!` in `nama`.
    @Test func anOversizedCellAndAnErrorInTheNameAreJudgedByColumn() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try HardeningTests.dataFolder(tmp, files: [:])
        let script = """
        import random, re, sys, zipfile
        random.seed(7)
        big = lambda n: ''.join(random.choice('0123456789') for _ in range(n))
        src = zipfile.ZipFile(sys.argv[1])
        with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as dst:
            for name in src.namelist():
                data = src.read(name).decode()
                if name == 'xl/worksheets/sheet1.xml':
                    data = data.replace('<c r="L1" t="inlineStr"><is><t>result</t></is></c>',
                        '<c r="L1" t="inlineStr"><is><t>result</t></is></c><c r="M1" t="inlineStr"><is><t>catatan</t></is></c>'
                        '<c r="N1" t="inlineStr"><is><t>nama</t></is></c>')
                    data = data.replace('<c r="L2" t="n"><v>15.4</v></c>', '<c r="L2" t="inlineStr"><is><t>' + big((1 << 20) + 1) + '</t></is></c>')
                    row2 = re.search(r'<row r="2">.*?</row>', data).group(0)
                    row6 = row2.replace('r="2"', 'r="6"').replace('2"', '6"').replace('A-1', 'A-5').replace('0001<', '0005<')
                    row6 = re.sub(r'<c r="L6".*?</c>', '<c r="L6" t="n"><v>15.4</v></c><c r="M6" t="inlineStr"><is><t>'
                                  + big(3 << 19) + '</t></is></c><c r="N6" t="e"><v>#REF!</v></c>', row6)
                    data = re.sub(r'<row r="6">.*?</row>', '', data).replace('</sheetData>', row6 + '</sheetData>')
                    data = data.replace('<c r="L4" t="e"><v>#N/A</v></c>', '<c r="L4" t="s"><v>0</v></c>')
                elif name == '[Content_Types].xml':
                    data = data.replace('</Types>', '<Override PartName="/xl/sharedStrings.xml" ContentType='
                        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
                elif name == 'xl/_rels/workbook.xml.rels':
                    data = data.replace('</Relationships>', '<Relationship Type="http://schemas.openxmlformats.org/'
                        'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9" /></Relationships>')
                dst.writestr(name, data)
            dst.writestr('xl/sharedStrings.xml', '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                         'count="1" uniqueCount="1"><si><t>' + big((1 << 20) + 1) + '</t></si></sst>')
        """
        let (status, output) = try Tool.run("/usr/bin/env", ["python3", "-c", script, Self.fixtures + "/openpyxl-cells.xlsx",
                                                             data + "/layanan/2025-03.xlsx"])
        #expect(status == 0, "\(output)")
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["validate", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(r.status == 65, "\(r.stderr)")   // 4 of 5 rejected
        let rejects = try String(contentsOfFile: out + "/rejects.csv", encoding: .utf8)
        let lines = rejects.split(separator: "\n").dropFirst().map { $0.split(separator: ",").prefix(4).joined(separator: ",") }
        #expect(lines == ["layanan/2025-03.xlsx:Kunjungan,2,A-1,E-CELL",
                          "layanan/2025-03.xlsx:Kunjungan,3,A-2,E-PERSON",
                          "layanan/2025-03.xlsx:Kunjungan,4,A-3,E-CELL",
                          "layanan/2025-03.xlsx:Kunjungan,5,A-4,E-CELL"], "\(rejects)")
        #expect(rejects.contains("layanan/2025-03.xlsx:Kunjungan:L2 (result) holds more than 1 MiB of text, or its row more than 16 MiB, far more than Excel keeps (32,767 characters a cell)"))
        // The same for a shared string (how Excel stores text), which was copied in whole.
        #expect(rejects.contains("layanan/2025-03.xlsx:Kunjungan:L4 (result) holds more than 1 MiB of text"), "\(rejects.prefix(3000))")
        #expect(rejects.count < 10_000, "no cell's text is copied into rejects")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/run.json")))
            as? [String: Any]
        let counts = try #require(manifest?["counts"] as? [String: Any])
        #expect(counts["rows_read"] as? Int == 5)
        #expect(counts["rows_accepted"] as? Int == 1, "A-5 with its #REF! name and its long note")
        let inputs = try #require(manifest?["inputs"] as? [[String: Any]])
        #expect(inputs.contains { ($0["unknown_columns"] as? [String]) == ["catatan"] })
    }

    /// Merged ranges' values are bounded per sheet (16 MiB): ranges staggered over rows, each
    /// under the cell bound, held their values while they lasted — a 13 KB workbook took 850 MB.
    /// openpyxl-cells.xlsx with 9 ranges of 1 MiB merged down from row 2 and 9 more from row 3
    /// in unnamed columns (18 MiB), then L4 (13 instead of #N/A) merged over L5 (emptied of its
    /// formula): past the bound, row 5's `result` from L4 is E-CELL at L4 — without the bound it
    /// read "13" and A-4 was accepted.
    @Test func mergedValuesPastTheirBoundAreECell() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try HardeningTests.dataFolder(tmp, files: [:])
        let script = """
        import random, sys, zipfile
        random.seed(11)
        big = lambda: ''.join(random.choices('0123456789', k=1 << 20))
        src = zipfile.ZipFile(sys.argv[1])
        with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as dst:
            for name in src.namelist():
                data = src.read(name).decode()
                if name == 'xl/worksheets/sheet1.xml':
                    first, second = ['M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U'], ['V', 'W', 'X', 'Y', 'Z', 'AA', 'AB', 'AC', 'AD']
                    for row, cols, last in [(2, first, '<c r="L2" t="n"><v>15.4</v></c>'), (3, second, '<c r="L3" t="n"><v>12</v></c>')]:
                        cells = ''.join('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (c, row, big()) for c in cols)
                        assert last + '</row>' in data
                        data = data.replace(last + '</row>', last + cells + '</row>')
                    data = data.replace('<c r="L4" t="e"><v>#N/A</v></c>', '<c r="L4" t="n"><v>13</v></c>')
                    data = data.replace('<c r="L5"><f>1+1</f><v /></c>', '')
                    merges = (''.join('<mergeCell ref="%s2:%s3" />' % (c, c) for c in first)
                              + ''.join('<mergeCell ref="%s3:%s4" />' % (c, c) for c in second) + '<mergeCell ref="L4:L5" />')
                    data = data.replace('</sheetData>', '</sheetData><mergeCells count="19">%s</mergeCells>' % merges)
                dst.writestr(name, data)
        """
        let (status, output) = try Tool.run("/usr/bin/env", ["python3", "-c", script, Self.fixtures + "/openpyxl-cells.xlsx",
                                                             data + "/layanan/2025-03.xlsx"])
        #expect(status == 0, "\(output)")
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["validate", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(r.status == 65, "\(r.stderr)")
        let rejects = try String(contentsOfFile: out + "/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("layanan/2025-03.xlsx:Kunjungan,5,A-4,E-CELL,error,result,,\"layanan/2025-03.xlsx:Kunjungan:L4 (result) holds more than 1 MiB of text"), "\(rejects.prefix(2000))")
        #expect(!rejects.contains("Kunjungan,4,A-3,"), "row 4 holds 13 of its own")
    }

    /// A row keeps at most 16 MiB of text: a read cell past it is E-CELL (1 500 cells of 1 MiB in
    /// a row took 2.2 GB), a row of exactly 16 MiB is kept (its leading byte was counted).
    /// openpyxl-cells.xlsx (row 2: 79 bytes of text) with 15 cells of 1 MiB and one of
    /// 1 MiB − 80 in unnamed columns, then `provider` "perawat" (7 bytes): 16 MiB + 6, E-CELL.
    /// The same with 1 MiB − 86: exactly 16 MiB, kept (a duplicate of the first file's A-1).
    @Test func aRowPastSixteenMiBIsECellAndOneOfExactlySixteenIsKept() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try HardeningTests.dataFolder(tmp, files: [:])
        let script = """
        import random, sys, zipfile
        random.seed(13)
        text = lambda n: ''.join(random.choices('0123456789', k=n))
        src = zipfile.ZipFile(sys.argv[1])
        for target, last in [(sys.argv[2], (1 << 20) - 80), (sys.argv[3], (1 << 20) - 86)]:
            with zipfile.ZipFile(target, 'w', zipfile.ZIP_DEFLATED) as dst:
                for name in src.namelist():
                    data = src.read(name).decode()
                    if name == 'xl/worksheets/sheet1.xml':
                        cols = ['M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'AA', 'AB']
                        sizes = [1 << 20] * 15 + [last]
                        cells = ''.join('<c r="%s2" t="inlineStr"><is><t>%s</t></is></c>' % (c, text(n)) for c, n in zip(cols, sizes))
                        cells += '<c r="AC2" t="inlineStr"><is><t>perawat</t></is></c>'
                        data = data.replace('<c r="L2" t="n"><v>15.4</v></c></row>', '<c r="L2" t="n"><v>15.4</v></c>' + cells + '</row>')
                        data = data.replace('<c r="L1" t="inlineStr"><is><t>result</t></is></c></row>',
                                            '<c r="L1" t="inlineStr"><is><t>result</t></is></c><c r="AC1" t="inlineStr"><is><t>provider</t></is></c></row>')
                    dst.writestr(name, data)
        """
        let (status, output) = try Tool.run("/usr/bin/env", ["python3", "-c", script, Self.fixtures + "/openpyxl-cells.xlsx",
                                                             data + "/layanan/2025-03.xlsx", data + "/layanan/2025-04.xlsx"])
        #expect(status == 0, "\(output)")
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["validate", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(r.status == 65, "\(r.stderr)")
        let rejects = try String(contentsOfFile: out + "/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("layanan/2025-03.xlsx:Kunjungan,2,A-1,E-CELL,error,provider,,\"layanan/2025-03.xlsx:Kunjungan:AC2 (provider) holds more than 1 MiB of text, or its row more than 16 MiB"), "\(rejects.prefix(3000))")
        #expect(!rejects.contains("2025-04.xlsx:Kunjungan,2,"), "\(rejects.prefix(3000))")
    }

    /// A workbook whose entries are bzip2-compressed is named as such (it was said to be
    /// damaged XML); a text node over libxml2's limit is pws's one message, with nothing of
    /// libxml2's own on stderr.
    @Test func oddWorkbookPartsAreOneClearMessage() throws {
        for (fixture, message) in [
            ("bzip2.xlsx", "layanan/2025-03.xlsx: _rels/.rels uses a compression method that cannot be read; save the workbook again as .xlsx"),
            ("huge-text-node.xlsx", "layanan/2025-03.xlsx: xl/workbook.xml is not well-formed XML (near its line 1)"),
        ] {
            let tmp = try TempFolder()
            defer { tmp.remove() }
            let data = try HardeningTests.dataFolder(tmp, files: [:])
            try FileManager.default.copyItem(atPath: Self.fixtures + "/" + fixture, toPath: data + "/layanan/2025-03.xlsx")
            let r = try PWSBinary.run(["validate", "--data", data, "--today", "2026-01-15"])
            #expect(r.status == 66, "\(fixture): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(fixture): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("pws: ") }, "\(fixture): \(r.stderr)")
        }
    }

    /// The sample register and targets as workbooks (numbers as number cells) give the same
    /// indicators as the CSV files; a folder with both forms of one file is refused.
    @Test func registerAndTargetsAsWorkbooks() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let fm = FileManager.default
        let sample = PWSBinary.packageRoot.appendingPathComponent("sample-data").path
        let data = tmp.path + "/data"
        try fm.createDirectory(atPath: data, withIntermediateDirectories: true)
        try fm.copyItem(atPath: sample + "/layanan", toPath: data + "/layanan")
        try fm.copyItem(atPath: Self.fixtures + "/sample-wilayah.xlsx", toPath: data + "/wilayah.xlsx")
        try fm.copyItem(atPath: Self.fixtures + "/sample-sasaran.xlsx", toPath: data + "/sasaran.xlsx")
        for (dir, out) in [(sample, tmp.path + "/out-csv"), (data, tmp.path + "/out-xlsx")] {
            let r = try PWSBinary.run(["run", "--data", dir, "--out", out, "--today", "2026-01-15", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out-csv/2025-12/indicators.csv"))
        let b = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out-xlsx/2025-12/indicators.csv"))
        #expect(a == b)
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out-xlsx/2025-12/run.json"))) as? [String: Any]
        let inputs = try #require(manifest?["inputs"] as? [[String: Any]])
        let register = try #require(inputs.first { $0["kind"] as? String == "wilayah" })
        #expect(register["path"] as? String == "wilayah.xlsx")
        #expect(register["sheets"] as? [String] == ["Wilayah"])
        try fm.copyItem(atPath: sample + "/wilayah.csv", toPath: data + "/wilayah.csv")
        let both = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/out-both", "--today", "2026-01-15"])
        #expect(both.status == 66)
        #expect(both.stderr.contains("holds both wilayah.csv and wilayah.xlsx"))
    }

    /// An RT repeated on another sheet of the register is named with the first one's sheet
    /// ("first on line 2" named a row of another sheet).
    @Test func aRepeatedRTOnAnotherSheetIsNamedBySheet() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let fm = FileManager.default
        let data = tmp.path + "/data"
        try fm.copyItem(atPath: PWSBinary.packageRoot.appendingPathComponent("sample-data").path, toPath: data)
        try fm.removeItem(atPath: data + "/wilayah.csv")
        try fm.copyItem(atPath: Self.fixtures + "/wilayah-two-sheets.xlsx", toPath: data + "/wilayah.xlsx")
        let r = try PWSBinary.run(["validate", "--data", data, "--today", "2026-01-15"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("wilayah.xlsx:Salinan:2: RW 001 RT 001 of village 3201012001 is listed twice (first on wilayah.xlsx:Wilayah:2); keep one row per RT"),
                "\(r.stderr)")
    }

    /// Two data folders of sample-data: `csv` whose sasaran.csv gives Jatiwangi's bumil and
    /// bulin as `bumil` and `bulin`, and `xlsx` whose sasaran is the fixture `workbook`.
    static func sasaranForms(_ tmp: TempFolder, bumil: String, bulin: String, workbook: String) throws -> (csv: String, xlsx: String) {
        let fm = FileManager.default
        let csvData = tmp.path + "/csv", xlsxData = tmp.path + "/xlsx"
        try PWSBinary.sampleData(at: csvData, bumil: bumil, bulin: bulin)
        try fm.copyItem(atPath: PWSBinary.packageRoot.appendingPathComponent("sample-data").path, toPath: xlsxData)
        try fm.removeItem(atPath: xlsxData + "/sasaran.csv")
        try fm.copyItem(atPath: fixtures + "/" + workbook, toPath: xlsxData + "/sasaran.xlsx")
        return (csvData, xlsxData)
    }

    /// Counts as Excel stores decimals typed in a cell (a sasaran of §A1): Jatiwangi's bumil
    /// 28.1 as `28.100000000000001` and its bulin 30.25 as `3.025E1` are the numbers 28.1 and
    /// 30.25 — the run gives the indicators of a sasaran.csv holding `28,1` and `30,25`, byte
    /// for byte, where the 15 decimals had stopped it (exit 65, "more than 4 decimals").
    @Test func decimalsAsExcelStoresThemAreTheirNumbers() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let (csvData, xlsxData) = try Self.sasaranForms(tmp, bumil: "28,1", bulin: "30,25", workbook: "excel-numbers-sasaran.xlsx")
        for (data, out) in [(csvData, tmp.path + "/out-csv"), (xlsxData, tmp.path + "/out-xlsx")] {
            let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out-csv/2025-12/indicators.csv"))
        let b = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out-xlsx/2025-12/indicators.csv"))
        #expect(a == b)
        let k1 = try String(contentsOfFile: tmp.path + "/out-xlsx/2025-12/pws/K1.csv", encoding: .utf8)
        #expect(k1.contains(",3201012001,Tegalmanik,28.1,"), "\(k1)")
    }

    /// A count of three decimals in a number cell (Jatiwangi's bumil 28.125) is that number: a
    /// cell holds no thousands group, so §A1's "ambiguous" (for the text `1.234`) does not apply
    /// — the run gives the indicators of a sasaran.csv holding the unambiguous `28,1250`. With
    /// `sasaran.decimal_separator: ","` the number cells are read alike (their point was "a
    /// decimal separator the pipeline does not" use: every decimal cell stopped the run).
    @Test func aCountOfThreeDecimalsInANumberCellIsThatNumber() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let (csvData, xlsxData) = try Self.sasaranForms(tmp, bumil: "28,1250", bulin: "30,25",
                                                        workbook: "excel-three-decimals-sasaran.xlsx")
        let comma = try String(contentsOfFile: try tmp.pipeline(maxRejectRate: "0.05", name: "comma"), encoding: .utf8)
            .replacingOccurrences(of: "decimal_separator: auto", with: "decimal_separator: \",\"")
        try comma.write(toFile: tmp.path + "/comma.yaml", atomically: true, encoding: .utf8)
        var outs: [String] = []
        for (data, name, pipeline) in [(csvData, "csv", nil), (xlsxData, "xlsx", nil), (xlsxData, "xlsx-comma", tmp.path + "/comma.yaml")] {
            let out = tmp.path + "/out-" + name
            let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"]
                                      + (pipeline.map { ["--pipeline", $0] } ?? []))
            #expect(r.status == 0, "\(name): \(r.stderr)")
            outs.append(out + "/2025-12/indicators.csv")
        }
        let csv = try Data(contentsOf: URL(fileURLWithPath: outs[0]))
        #expect(try Data(contentsOf: URL(fileURLWithPath: outs[1])) == csv)
        #expect(try Data(contentsOf: URL(fileURLWithPath: outs[2])) == csv)
        let k1 = try String(contentsOfFile: tmp.path + "/out-xlsx/2025-12/pws/K1.csv", encoding: .utf8)
        #expect(k1.contains(",3201012001,Tegalmanik,28.13,"), "\(k1)")
    }

    static let workbookReasons = [
        "layanan/lama.xls": "Excel 97–2003 workbook (.xls)",
        "layanan/rahasia.xlsx": "password-protected (encrypted)",
        "layanan/rusak.xlsx": "not an Excel workbook (not a zip archive",
        "layanan/terkunci.xlsx": "password-protected (encrypted) zip archive",
        // Cut short (a copy that did not finish): it failed only when read, exit 66 even with
        // --skip-unreadable.
        "layanan/terpotong.xlsx": "its zip archive cannot be opened (cut short",
    ]

    static func plantWorkbooks(in layanan: String) throws {
        let fm = FileManager.default
        try fm.copyItem(atPath: fixtures + "/legacy.xls", toPath: layanan + "/lama.xls")
        try fm.copyItem(atPath: fixtures + "/encrypted.xlsx", toPath: layanan + "/rahasia.xlsx")
        try "bukan workbook".write(toFile: layanan + "/rusak.xlsx", atomically: true, encoding: .utf8)
        // A password on the zip itself (`zip -P`): bit 0 of the first entry's flags.
        var zipped = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/openpyxl-cells.xlsx"))
        zipped[6] |= 1
        try zipped.write(to: URL(fileURLWithPath: layanan + "/terkunci.xlsx"))
        try fm.copyItem(atPath: fixtures + "/truncated.xlsx", toPath: layanan + "/terpotong.xlsx")
        try Data([0x0B, 0x00]).write(to: URL(fileURLWithPath: layanan + "/~$2025-03.xlsx"))
    }

    /// .xls, encrypted, non-zip and cut-short files are unreadable inputs: exit 66 listing each with what
    /// to do; with --skip-unreadable they are listed and the rest is read. Excel's lock file
    /// beside them is no input: never listed, named in a note.
    @Test func workbooksThatCannotBeReadAreUnreadableInputs() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try HardeningTests.dataFolder(tmp, files: ["a.csv": HardeningTests.header + HardeningTests.goodRow])
        try Self.plantWorkbooks(in: data + "/layanan")
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(r.status == 66)
        #expect(r.stderr.contains("5 service-record input(s)"), "\(r.stderr)")
        #expect(!r.stderr.contains("~$2025-03.xlsx: "))
        for (path, reason) in Self.workbookReasons {
            #expect(r.stderr.contains("  \(path): "), "\(path) not listed")
            #expect(r.stderr.contains(reason), "\(path): no \"\(reason)\"")
        }
        #expect(r.stderr.contains("save it as .xlsx"))
        let skipped = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--skip-unreadable", "--quiet"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        // --quiet names what it skipped: data left out of the month.
        #expect(skipped.stdout.hasPrefix("skipped 5 input(s) that cannot be read (--skip-unreadable):\n  layanan/lama.xls: "), "\(skipped.stdout)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/2025-03/run.json")))
            as? [String: Any]
        let entries = try #require(manifest?["unreadable_inputs"] as? [[String: String]])
        #expect(Set(entries.compactMap { $0["path"] }) == Set(Self.workbookReasons.keys))
        let counts = try #require(manifest?["counts"] as? [String: Any])
        #expect(counts["rows_read"] as? Int == 1)
        let notes = manifest?["notes"] as? [String] ?? []
        #expect(notes.contains("layanan/~$2025-03.xlsx is the lock file Excel keeps while 2025-03.xlsx is open: not an input, not read (the workbook is read as it was last saved)"), "\(notes)")
    }

    /// A workbook of another template (here the register's) is named by --quiet with its rule,
    /// though its rejects are filed at `FILE:SHEET`.
    @Test func aWorkbookOfAnotherTemplateIsNamedByQuiet() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try HardeningTests.dataFolder(tmp, files: ["a.csv": HardeningTests.header + HardeningTests.goodRow])
        try FileManager.default.copyItem(atPath: Self.fixtures + "/sample-wilayah.xlsx", toPath: data + "/layanan/salah.xlsx")
        let r = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/out", "--today", "2026-01-15", "--quiet",
                                   "--pipeline", tmp.pipeline(maxRejectRate: "1", name: "lenient")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "no row accepted from 1 file (each facility-month counts as not reported; rejects.csv says why — fix and resend):\n  layanan/salah.xlsx: 72 of 72 rows rejected (E-COLUMNS)\n", "\(r.stdout)")
    }

    /// Excel's lock file alone does not stop a night: the run publishes, says so in its note,
    /// and --quiet prints the note — also when this process may not open it. A file named
    /// `~$….xlsx` that is a workbook (a zip) is read, one of more than 512 bytes that is not
    /// stays an unreadable input, and a small CSV named `~$…` is read as any CSV.
    @Test func excelLockFileIsLeftOutWithANote() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try HardeningTests.dataFolder(tmp, files: ["a.csv": HardeningTests.header + HardeningTests.goodRow])
        // What Excel writes: a length byte, the user's name padded with spaces, then UTF-16.
        var owner = [UInt8(5)] + Array("bidan".utf8) + [UInt8](repeating: 0x20, count: 49)
        owner += [UInt8](repeating: 0, count: 165 - owner.count)
        try Data(owner).write(to: URL(fileURLWithPath: data + "/layanan/~$register.xlsx"))
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "layanan/~$register.xlsx is the lock file Excel keeps while register.xlsx is open: not an input, not read (the workbook is read as it was last saved)\n", "\(r.stdout)")
        // The summary without --quiet has the line too (review 9, finding 3).
        let loud = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(loud.stdout.contains("\nlayanan/~$register.xlsx is the lock file Excel keeps while register.xlsx is open: not an input"), "\(loud.stdout)")
        // With a subfolder too: --quiet names both, the summary one and counts the other on
        // its line (it stays within its 40 lines, review 10).
        try FileManager.default.createDirectory(atPath: data + "/layanan/2025-12", withIntermediateDirectories: false)
        try (HardeningTests.header + HardeningTests.goodRow).write(toFile: data + "/layanan/2025-12/a.csv", atomically: true, encoding: .utf8)
        let two = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(two.stdout.split(separator: "\n").count == 2, "\(two.stdout)")
        let twoLoud = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(twoLoud.stdout.split(separator: "\n").filter { $0.contains("not read") || $0.contains("lock file") }.count == 1, "\(twoLoud.stdout)")
        #expect(twoLoud.stdout.contains("; … and 1 more inputs not read (run.json notes)\n"), "\(twoLoud.stdout)")
        try FileManager.default.removeItem(atPath: data + "/layanan/2025-12")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/2025-03/run.json")))
            as? [String: Any]
        let inputs = try #require(manifest?["inputs"] as? [[String: Any]])
        #expect(!inputs.contains { ($0["path"] as? String)?.contains("~$") == true })

        // Unreadable for the account pws runs as (a share's permissions): still a lock file,
        // not exit 66. Root reads any file, so pws runs as nobody for this (setpriv).
        let asNobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        // (Only where nobody may run this build: not from a clone under a private home.)
        if getuid() == 0, FileManager.default.isExecutableFile(atPath: asNobody[0]),
           (try? PWSBinary.run(["--version"], launcher: asNobody))?.status == 0 {
            #expect(chmod(data + "/layanan/~$register.xlsx", 0o600) == 0)
            let shared = tmp.path + "/out-nobody"
            try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o777])
            let closed = try PWSBinary.run(["run", "--data", data, "--out", shared, "--today", "2026-01-15", "--quiet"],
                                           launcher: asNobody)
            #expect(closed.status == 0, "\(closed.stderr)")
            #expect(closed.stdout.hasPrefix("layanan/~$register.xlsx is the lock file Excel keeps while register.xlsx is open"), "\(closed.stdout)")
            #expect(chmod(data + "/layanan/~$register.xlsx", 0o644) == 0)
        }

        // 513 bytes, not a zip: not Excel's owner file, so an unreadable input as before.
        try Data(owner + [UInt8](repeating: 0x20, count: 513 - owner.count)).write(to: URL(fileURLWithPath: data + "/layanan/~$register.xlsx"))
        let big = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(big.status == 66, "\(big.stderr)")
        #expect(big.stderr.contains("layanan/~$register.xlsx: it is named .xlsx but is not an Excel workbook (not a zip archive"), "\(big.stderr)")

        // A workbook and a small CSV named `~$…`: inputs like any other.
        try FileManager.default.removeItem(atPath: data + "/layanan/~$register.xlsx")
        try FileManager.default.copyItem(atPath: Self.fixtures + "/openpyxl-cells.xlsx", toPath: data + "/layanan/~$register.xlsx")
        try (HardeningTests.header + HardeningTests.goodRow.replacingOccurrences(of: "R1,", with: "R2,"))
            .write(toFile: data + "/layanan/~$kecil.csv", atomically: true, encoding: .utf8)
        let read = try PWSBinary.run(["validate", "--data", data, "--today", "2026-01-15", "--out", tmp.path + "/check",
                                      "--pipeline", tmp.pipeline(maxRejectRate: "1", name: "lenient")])
        #expect(read.status == 0, "\(read.stderr)")
        let checked = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tmp.path + "/check/run.json")))
            as? [String: Any]
        let paths = (checked?["inputs"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(paths.contains("layanan/~$register.xlsx") && paths.contains("layanan/~$kecil.csv"), "\(paths)")
    }
}
