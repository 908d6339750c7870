import Aggregate
import Foundation
import PWSCore
import Testing
@testable import Export

/// openpyxl (PyPI), the independent reader the workbook tests read pws.xlsx back with. `.ci/test`
/// installs it and sets `PWS_REQUIRE_OPENPYXL=1`, so there a missing reader fails the tests
/// instead of skipping them.
enum OpenPyXL {
    static let required = ProcessInfo.processInfo.environment["PWS_REQUIRE_OPENPYXL"] == "1"
    static let available: Bool = (try? python(["-c", "import openpyxl"]).status) == 0

    /// Runs python3 with `arguments`; stdout and the exit status.
    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite struct PWSWorkbookTests {
    static let values = IndicatorsCSVParallelTests.small

    static func write(rowsPerSheet: Int = PWSWorkbook.maxDataRows) throws -> String {
        let path = NSTemporaryDirectory() + "pws-workbook-\(UUID().uuidString).xlsx"
        let monthRows = values.rows(months: 5...5) { level, _ in [.desa, .puskesmas, .kabkota].contains(level) }
        let quality = WorkbookQuality(
            // A reject rate of 2/15 = 13.333… %: its cell holds 13.33 (it held the whole double).
            files: [.init(source: "layanan/a.csv", read: 15, rejected: 2, accepted: 13, used: 12, duplicate: 1,
                          outOfPeriod: 0, blank: 1)],
            total: .init(source: "TOTAL", read: 15, rejected: 2, accepted: 13, used: 12, duplicate: 1, outOfPeriod: 0,
                         blank: 1),
            rejectRate: 2.0 / 15, rejectsByRule: ["E-DATE": 2], warningsByRule: [:])
        try PWSWorkbook.write(values: values, monthRows: monthRows, villagePuskesmas: [:], quality: quality,
                              created: Date(timeIntervalSince1970: 1_767_225_600), to: path,
                              rowsPerSheet: rowsPerSheet)
        return path
    }

    @Test(.enabled(if: OpenPyXL.available || OpenPyXL.required, "python3 with openpyxl is not installed (pip install openpyxl)"))
    func longTableContinuesOnFurtherSheetsWithTheirOwnHeader() throws {
        #expect(OpenPyXL.available, "python3 with openpyxl is required here (PWS_REQUIRE_OPENPYXL=1)")
        let path = try Self.write(rowsPerSheet: 7)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Rows at desa level and above: 5 months × (kabkota 3201, kecamatan 320101 and 320103,
        // puskesmas P01 and PKM;03, villages v1 v2 v3 and 3201032001 = 9 areas) × 4 indicators
        // = 180 → 26 sheets of 7 rows (25 × 7 = 175) and one of 5.
        var wanted = 0
        Self.values.forEach(include: { level, _ in [.kabkota, .kecamatan, .puskesmas, .desa].contains(level) }) { _ in wanted += 1 }
        let sheets = (wanted + 6) / 7
        let script = """
        import openpyxl, sys
        b = openpyxl.load_workbook(sys.argv[1])
        for n in b.sheetnames:
            s = b[n]
            print(n, s.max_row, repr(s.cell(1, 1).value), repr(s.cell(2, 5).value))
        names = [r[4].value for n in b.sheetnames if n.startswith("Indikator") for r in b[n].iter_rows(min_row=2)]
        print("odd name kept:", 'Suka;maju, "Kidul"\\nBaru' in names)
        """
        let r = try OpenPyXL.python(["-c", script, path])
        #expect(r.status == 0, "\(r.output)")
        let lines = r.output.split(separator: "\n").map(String.init)
        let long = lines.filter { $0.hasPrefix("Indikator") }
        #expect(long.count == sheets)
        #expect(long.first?.hasPrefix("Indikator 8 'Tahun'") == true, "\(long.first ?? "")")
        #expect(long.dropFirst().first?.hasPrefix("Indikator (2) 8 'Tahun'") == true)
        #expect(long.last?.hasPrefix("Indikator (\(sheets)) \(wanted - (sheets - 1) * 7 + 1) 'Tahun'") == true,
                "\(long.last ?? "")")
        // The area name with `;`, `,`, quotes and a newline is the same text in the cell.
        #expect(r.output.contains("odd name kept: True"))
        #expect(lines.first?.hasPrefix("Ringkasan") == true)
        #expect(lines.filter { !$0.hasPrefix("odd name") }.last?.hasPrefix("Kualitas data") == true)
    }

    /// A percentage cell holds the number nearest its two-decimal value — the one Excel keeps
    /// when 75.51 is typed — though libxlsxwriter writes it with 16 significant digits
    /// (`75.51000000000001` in the XML reads back as that same number). A hundredths count
    /// times 0.01 would hold another number (75.51000000000001 itself), which a formula's `=`
    /// with 75.51 tells apart.
    @Test(.enabled(if: OpenPyXL.available || OpenPyXL.required, "python3 with openpyxl is not installed (pip install openpyxl)"))
    func percentagesHoldTheirTwoDecimalValue() throws {
        #expect(OpenPyXL.available, "python3 with openpyxl is required here (PWS_REQUIRE_OPENPYXL=1)")
        let path = try Self.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = """
        import openpyxl, sys
        b = openpyxl.load_workbook(sys.argv[1])
        n = bad = 0
        for s in b.worksheets:
            for row in s.iter_rows():
                for c in row:
                    if isinstance(c.value, float) and c.number_format == '0.00':
                        n += 1
                        if c.value != float('%.2f' % c.value): bad += 1; print('off', s.title, c.coordinate, repr(c.value))
        print('percentages', n, 'off', bad)
        """
        let r = try OpenPyXL.python(["-c", script, path])
        #expect(r.status == 0, "\(r.output)")
        let counts = r.output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(counts.hasPrefix("percentages ") && counts.hasSuffix(" off 0") && counts != "percentages 0 off 0", "\(r.output)")
    }

    @Test func sameContentSameBytes() throws {
        let a = try Self.write(), b = try Self.write()
        defer { for p in [a, b] { try? FileManager.default.removeItem(atPath: p) } }
        #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b))
    }

    @Test(arguments: [
        ("K1", "K1"), ("A/B:C", "A_B_C"), ("'quoted'", "quoted"),
        ("Ringkasan", "Ringkasan (2)"), ("ringkasan", "ringkasan (2)"), ("HISTORY", "HISTORY (2)"), ("History", "History (2)"),
        (String(repeating: "x", count: 40), String(repeating: "x", count: 31)),
    ])
    func sheetNamesAreValidAndUnique(wanted: String, expected: String) {
        #expect(XLSXWriter.sheetName(wanted, taken: ["Ringkasan", "Kualitas data", "Indikator"]) == expected)
    }
}
