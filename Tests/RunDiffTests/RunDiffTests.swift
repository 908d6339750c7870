import Foundation
import PWSCore
import RunDiff
import Testing

/// `pws diff`'s comparison of two published run folders, on hand-written run.json and
/// indicators.csv files.
@Suite struct RunDiffTests {
    typealias Row = RunDiff.Row

    static let runA = """
        {"as_of": "2025-11", "today": "2026-01-15", "status": "published",
         "pipeline": [{"path": "/a/default.yaml", "sha256": "p1", "bytes": 1}],
         "inputs": [
          {"path": "wilayah.csv", "kind": "wilayah", "sha256": "w1", "bytes": 1, "rows_read": 10, "blank_rows": 0, "unknown_columns": []},
          {"path": "layanan/a.csv", "kind": "layanan", "sha256": "a1", "bytes": 1, "rows_read": 100, "rows_rejected": 5,
           "rows_accepted": 95, "rows_used": 90, "rows_duplicate": 5, "rows_out_of_period": 0, "blank_rows": 0, "unknown_columns": []},
          {"path": "layanan/b.csv", "kind": "layanan", "sha256": "b1", "bytes": 1, "rows_read": 50, "rows_rejected": 0,
           "rows_accepted": 50, "rows_used": 50, "rows_duplicate": 0, "rows_out_of_period": 0, "blank_rows": 0, "unknown_columns": []}]}
        """
    /// as_of moves on; the same pipeline bytes in another folder; a.csv corrected, b.csv
    /// removed, c.csv added.
    static let runB = """
        {"as_of": "2025-12", "today": "2026-01-15", "status": "published", "some_later_field": [1, 2],
         "pipeline": [{"path": "/b/default.yaml", "sha256": "p1", "bytes": 1}],
         "inputs": [
          {"path": "wilayah.csv", "kind": "wilayah", "sha256": "w1", "bytes": 1, "rows_read": 10, "blank_rows": 0, "unknown_columns": []},
          {"path": "layanan/a.csv", "kind": "layanan", "sha256": "a2", "bytes": 1, "rows_read": 100, "rows_rejected": 2,
           "rows_accepted": 98, "rows_used": 93, "rows_duplicate": 5, "rows_out_of_period": 0, "blank_rows": 0, "unknown_columns": []},
          {"path": "layanan/c.csv", "kind": "layanan", "sha256": "c1", "bytes": 1, "rows_read": 20, "rows_rejected": 0,
           "rows_accepted": 20, "rows_used": 20, "rows_duplicate": 0, "rows_out_of_period": 0, "blank_rows": 0, "unknown_columns": []}]}
        """
    static let header = "year,month,level,area_code,area_name,indicator,numerator_month,numerator_cumulative,denominator,status\n"
    static let indicatorsA = header + """
        2025,11,desa,3201010001,"Desa, Satu",K1,4,40,100,baik
        2025,11,desa,3201010002,Desa Dua,K1,2,20,100,cukup
        2025,11,puskesmas,P1,PKM,K1,6,60,200,baik

        """
    static let indicatorsB = header + """
        2025,11,desa,3201010001,"Desa, Satu",K1,4,40,100,baik
        2025,11,desa,3201010002,Desa Dua,K1,5,23,100,baik
        2025,11,puskesmas,P1,PKM,K1,9,63,210.5,baik
        2025,12,desa,3201010001,"Desa, Satu",K1,1,41,100,baik

        """

    static func folder(_ root: String, _ name: String, run: String, indicators: String) throws -> String {
        let dir = root + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(run.utf8).write(to: URL(fileURLWithPath: dir + "/run.json"))
        try Data(indicators.utf8).write(to: URL(fileURLWithPath: dir + "/indicators.csv"))
        return dir
    }

    static func fixture() throws -> (root: String, a: String, b: String) {
        let root = NSTemporaryDirectory() + "pws-diff-\(UUID().uuidString)"
        return (root, try folder(root, "A", run: runA, indicators: indicatorsA),
                try folder(root, "B", run: runB, indicators: indicatorsB))
    }

    @Test func listsSettingsInputsRowCountsAndIndicatorChangesLargestFirst() throws {
        let (root, a, b) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let diff = try RunDiff.compare(before: a, after: b)
        #expect(diff.rows == [
            Row(kind: "run", key: "as_of", field: "value", before: "2025-11", after: "2025-12"),
            // Inputs by path; wilayah.csv is unchanged; the pipeline has the same bytes.
            Row(kind: "input", key: "layanan/a.csv", field: "sha256", before: "a1", after: "a2"),
            Row(kind: "input", key: "layanan/b.csv", field: "sha256", before: "b1", after: ""),
            Row(kind: "input", key: "layanan/c.csv", field: "sha256", before: "", after: "c1"),
            // Row counts, the file with the largest change first: b.csv 50 (gone), c.csv 20
            // (new), a.csv 3 (5 → 2 rejected, 95 → 98 accepted, 90 → 93 used).
            Row(kind: "rows", key: "layanan/b.csv", field: "rows_read", before: "50", after: ""),
            Row(kind: "rows", key: "layanan/b.csv", field: "rows_rejected", before: "0", after: ""),
            Row(kind: "rows", key: "layanan/b.csv", field: "rows_accepted", before: "50", after: ""),
            Row(kind: "rows", key: "layanan/b.csv", field: "rows_used", before: "50", after: ""),
            Row(kind: "rows", key: "layanan/b.csv", field: "rows_duplicate", before: "0", after: ""),
            Row(kind: "rows", key: "layanan/b.csv", field: "rows_out_of_period", before: "0", after: ""),
            Row(kind: "rows", key: "layanan/c.csv", field: "rows_read", before: "", after: "20"),
            Row(kind: "rows", key: "layanan/c.csv", field: "rows_rejected", before: "", after: "0"),
            Row(kind: "rows", key: "layanan/c.csv", field: "rows_accepted", before: "", after: "20"),
            Row(kind: "rows", key: "layanan/c.csv", field: "rows_used", before: "", after: "20"),
            Row(kind: "rows", key: "layanan/c.csv", field: "rows_duplicate", before: "", after: "0"),
            Row(kind: "rows", key: "layanan/c.csv", field: "rows_out_of_period", before: "", after: "0"),
            Row(kind: "rows", key: "layanan/a.csv", field: "rows_rejected", before: "5", after: "2"),
            Row(kind: "rows", key: "layanan/a.csv", field: "rows_accepted", before: "95", after: "98"),
            Row(kind: "rows", key: "layanan/a.csv", field: "rows_used", before: "90", after: "93"),
            // P1: denominator 200 → 210.5 (10.5) is the largest change; desa 002: 3.
            Row(kind: "indicator", key: "2025-11/puskesmas/P1/K1", field: "numerator_month", before: "6", after: "9"),
            Row(kind: "indicator", key: "2025-11/puskesmas/P1/K1", field: "numerator_cumulative", before: "60", after: "63"),
            Row(kind: "indicator", key: "2025-11/puskesmas/P1/K1", field: "denominator", before: "200", after: "210.5"),
            Row(kind: "indicator", key: "2025-11/desa/3201010002/K1", field: "numerator_month", before: "2", after: "5"),
            Row(kind: "indicator", key: "2025-11/desa/3201010002/K1", field: "numerator_cumulative", before: "20", after: "23"),
            Row(kind: "indicator", key: "2025-11/desa/3201010002/K1", field: "status", before: "cukup", after: "baik"),
            // December is only in the later run: counted, not listed.
            Row(kind: "indicator_rows", key: "2025-12", field: "only_in_one_run", before: "0", after: "1"),
        ])
        let s = diff.summary
        #expect((s.inputsAdded, s.inputsRemoved, s.inputsChanged, s.inputsUnchanged) == (1, 1, 1, 1))
        // Service files only: 100 + 50 read, 5 + 0 rejected, 90 + 50 used; after 100 + 20, 2, 93 + 20.
        #expect(s.rowsBefore == (150, 5, 140) && s.rowsAfter == (120, 2, 113))
        #expect((s.indicatorRowsCompared, s.indicatorRowsChanged) == (3, 2))
        #expect((s.numeratorChanges, s.denominatorChanges, s.statusChanges) == (4, 1, 1))
        #expect((s.indicatorRowsOnlyBefore, s.indicatorRowsOnlyAfter) == (0, 1))
    }

    /// Swapping the runs swaps before and after, whichever file is held in memory.
    @Test func swappedRunsGiveMirroredIndicatorRows() throws {
        let (root, a, b) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let forward = try RunDiff.compare(before: a, after: b).rows.filter { $0.kind.hasPrefix("indicator") }
        let backward = try RunDiff.compare(before: b, after: a).rows.filter { $0.kind.hasPrefix("indicator") }
        #expect(backward == forward.map { Row(kind: $0.kind, key: $0.key, field: $0.field, before: $0.after, after: $0.before) })
    }

    @Test func writesDiffCSVWithTheA8Header() throws {
        let (root, a, b) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let diff = try RunDiff.compare(before: a, after: b)
        let n = try diff.write(to: root + "/diff.csv")
        let text = try String(contentsOfFile: root + "/diff.csv", encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(n == diff.rows.count && lines.count == n + 1)
        #expect(lines[0] == "kind,key,field,before,after")
        #expect(lines[1] == "run,as_of,value,2025-11,2025-12")
        let summary = diff.summaryLines(top: 1)
        #expect(summary.contains("input files: 1 added, 1 removed, 1 changed, 1 unchanged"))
        #expect(summary.contains("service rows: read 150 -> 120 (-30), rejected 5 -> 2 (-3), used 140 -> 113 (-27)"))
        #expect(summary.last == "  2025-11/puskesmas/P1/K1: numerator_month 6 -> 9, numerator_cumulative 60 -> 63, denominator 200 -> 210.5")
    }

    /// The same rows written plain and with `--excel` (`;`, decimal comma, BOM, CRLF) differ
    /// in nothing but the run's csv_format; a real change is still found, with a decimal point.
    @Test func aPlainAndAnExcelRunDifferOnlyInTheirFormat() throws {
        let (root, a, _) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let excelRun = Self.runA.replacingOccurrences(of: "\"status\": \"published\",",
                                                     with: "\"status\": \"published\", \"arguments\": [\"run\", \"--excel\"],")
        let excelRows = "\u{FEFF}year;month;level;area_code;area_name;indicator;numerator_month;numerator_cumulative;denominator;status\r\n"
            + "2025;11;desa;3201010001;Desa, Satu;K1;4;40;100;baik\r\n"
            + "2025;11;desa;3201010002;Desa Dua;K1;2;20;100;cukup\r\n"
            + "2025;11;puskesmas;P1;PKM;K1;6;60;200,5;baik\r\n"
        let plain = try Self.folder(root, "plain", run: Self.runA, indicators: Self.indicatorsA.replacingOccurrences(of: ",6,60,200,", with: ",6,60,200.5,"))
        let excel = try Self.folder(root, "excel", run: excelRun, indicators: excelRows)
        let same = try RunDiff.compare(before: plain, after: excel)
        #expect(same.rows == [Row(kind: "run", key: "csv_format", field: "value", before: "plain", after: "excel")])
        #expect(same.summary.indicatorRowsChanged == 0 && same.summary.indicatorRowsCompared == 3)
        #expect(same.summaryLines().contains("CSV format: plain -> excel (numbers are compared with a decimal point)"))
        // Against A (denominator 200): one change, written 200 -> 200.5.
        let changed = try RunDiff.compare(before: a, after: excel).rows.filter { $0.kind == "indicator" }
        #expect(changed == [Row(kind: "indicator", key: "2025-11/puskesmas/P1/K1", field: "denominator", before: "200", after: "200.5")])
    }

    @Test func missingRunJSONIsAnInputError() throws {
        let root = NSTemporaryDirectory() + "pws-diff-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let error = #expect(throws: PWSError.self) { try RunDiff.compare(before: root + "/empty", after: root + "/empty") }
        #expect(error?.code == .inputMissing)
        #expect(error?.message.contains("run.json not found") == true)
    }

    /// A row count no run writes (a hand-edited 9223372036854775807) is a data error: summing
    /// the files' counts overflowed into a trap (SIGILL).
    @Test func aRowCountNoRunWritesIsADataError() throws {
        let (root, a, _) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Beyond Int, or not whole, Foundation's Int decoding said only "not valid JSON".
        // A value of 16 digits or more is described, not printed (the console masks such a run
        // of digits as a NIK: rows_read 9223*************07).
        for (value, shown) in [("9223372036854775807", "out of range (a number of 19 digits)"), ("-1", "-1"),
                               ("18446744073709551616", "out of range (a number of 20 digits)"), ("1.5", "1.5"),
                               ("9223372036854775808", "out of range (a number of 19 digits)"),
                               ("281474976710657", "281474976710657")] {
            let run = Self.runB.replacingOccurrences(of: "\"rows_read\": 20,", with: "\"rows_read\": \(value),")
            let b = try Self.folder(root, "C\(value)", run: run, indicators: Self.indicatorsB)
            let error = #expect(throws: PWSError.self) { try RunDiff.compare(before: a, after: b) }
            #expect(error?.code == .data)
            #expect(error?.message.hasSuffix("run.json: layanan/c.csv has rows_read \(shown), which no run of pws writes (a whole number, 0 to 281474976710656); name a folder pws run published, unedited") == true,
                    "\(error?.message ?? "")")
        }
    }

    @Test func indicatorsWithoutAKeyColumnIsADataError() throws {
        let (root, a, _) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let b = try Self.folder(root, "C", run: Self.runB, indicators: "year,month,level\n2025,11,desa\n")
        let error = #expect(throws: PWSError.self) { try RunDiff.compare(before: a, after: b) }
        #expect(error?.code == .data)
        #expect(error?.message.contains("has no column \"area_code\"") == true)
    }

    /// An empty indicators.csv (a cut or failed copy) is a data error, not a run without rows
    /// (it was compared as one: "only in the first 3").
    @Test func anEmptyIndicatorsFileIsADataError() throws {
        let (root, a, _) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let b = try Self.folder(root, "C", run: Self.runB, indicators: "")
        let error = #expect(throws: PWSError.self) { try RunDiff.compare(before: a, after: b) }
        #expect(error?.code == .data)
        #expect(error?.message.contains("C/indicators.csv is empty (no header row)") == true, "\(error?.message ?? "")")
    }
}
