import Foundation
import Testing

/// A sasaran table with a column per target group (`KODE DESA`, `IBU HAMIL`, `BAYI` …), as the
/// provinces' tables are kept, read as sasaran.csv's long rows (docs/input-format.md).
@Suite struct WideSasaranEndToEndTests {
    static let sampleData = PWSBinary.packageRoot.appendingPathComponent("sample-data").path

    /// The table's column of each group, in the names such tables use.
    static let columns: [(group: String, name: String)] = [
        ("bumil", "IBU HAMIL"), ("bulin", "IBU BERSALIN/NIFAS"), ("bayi_lahir_hidup", "LAHIR HIDUP"), ("bayi", "BAYI"),
        ("baduta", "BADUTA"), ("balita", "BALITA"), ("remaja", "REMAJA"), ("remaja_putri", "REMAJA PUTRI"),
        ("usia_produktif", "USIA PRODUKTIF"), ("dewasa", "DEWASA"), ("lansia", "USIA LANJUT"),
        ("penduduk", "JUMLAH PENDUDUK"), ("usia_pendidikan_dasar", "USIA PENDIDIKAN DASAR"),
        ("penderita_hipertensi", "PENDERITA HIPERTENSI"), ("penderita_dm", "PENDERITA DM"), ("odgj_berat", "ODGJ BERAT"),
        ("terduga_tb", "TERDUGA TB"), ("risiko_hiv", "RISIKO HIV"),
    ]

    /// sample-data's sasaran.csv (long: `tahun;kode_desa;rw;rt;kelompok_sasaran;jumlah`) as a
    /// wide table: a title, the header, one row per area in the order the areas first appear,
    /// and a JUMLAH row, as `;`-separated text; `edit` changes a cell (area key `village|rw|rt`,
    /// group) first.
    static func wideTable(edit: ((String, String), String)? = nil) throws -> String {
        let long = try String(contentsOfFile: sampleData + "/sasaran.csv", encoding: .utf8)
        var areas: [String] = []
        var values: [String: [String: String]] = [:]
        for line in long.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).dropFirst() {
            let c = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            #expect(c[0] == "2025")
            let key = "\(c[1])|\(c[2])|\(c[3])"
            if values[key] == nil { areas.append(key) }
            values[key, default: [:]][c[4]] = c[5]
        }
        #expect(Set(values.values.flatMap(\.keys)).isSubset(of: Set(columns.map(\.group))))
        if let ((area, group), value) = edit { values[area]?[group] = value }
        // As Excel saves a sheet as CSV: every row has every column (the delimiter is sniffed
        // on the first line).
        let empty = String(repeating: ";", count: 3 + columns.count)
        var out = "SASARAN PROGRAM KESEHATAN TAHUN 2025\(empty)\n\(empty)\nTAHUN;KODE DESA;RW;RT;" + columns.map(\.name).joined(separator: ";") + "\n"
        for area in areas {
            let parts = area.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            out += "2025;" + parts.joined(separator: ";") + ";" + columns.map { values[area]?[$0.group] ?? "" }.joined(separator: ";") + "\n"
        }
        out += ";JUMLAH;;;" + columns.map { _ in "1" }.joined(separator: ";") + "\n"
        return out
    }

    static func run(_ sasaran: String, _ tmp: TempFolder, _ name: String) throws -> (PWSBinary.Outcome, String) {
        let data = tmp.path + "/\(name)"
        try FileManager.default.copyItem(atPath: sampleData, toPath: data)
        try sasaran.write(toFile: data + "/sasaran.csv", atomically: true, encoding: .utf8)
        let out = tmp.path + "/out-\(name)"
        return (try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"]), out)
    }

    /// The same targets as a wide table give byte-identical indicators and PWS tables; the
    /// JUMLAH row makes no target and is noted.
    @Test func aWideTableGivesTheSameTargets() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let (wide, out) = try Self.run(try Self.wideTable(), tmp, "wide")
        #expect(wide.status == 0, "\(wide.stderr)")
        let plainOut = tmp.path + "/out-plain"
        let plain = try PWSBinary.run(["run", "--data", Self.sampleData, "--out", plainOut, "--today", "2026-01-15", "--quiet"])
        #expect(plain.status == 0)
        for file in ["indicators.csv", "pws/K1.csv", "pws/D_S.csv", "spm.csv"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: out + "/2025-12/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: plainOut + "/2025-12/" + file))
            #expect(a == b, "\(file) differs")
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/2025-12/run.json")))
        let notes = (manifest as? [String: Any])?["notes"] as? [String] ?? []
        // Title row 1, an empty row 2, header 3, the 19 areas of the 147 long rows on lines
        // 4–22, JUMLAH (in the code column) on 23.
        #expect(notes.contains("sasaran.csv: 1 row(s) without a village code (a second header row, totals, signatures) made no target (sasaran.csv:23)"), "\(notes)")
        let inputs = (manifest as? [String: Any])?["inputs"] as? [[String: Any]] ?? []
        let account = inputs.first { $0["path"] as? String == "sasaran.csv" }
        #expect(account?["rows_read"] as? Int == 147)
        #expect((account?["sha256"] as? String)?.count == 64)
    }

    /// A bad cell is named with its group and row; a village not in the register is said once
    /// for its row, not once per group.
    @Test func aBadCellNamesItsGroup() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        var table = try Self.wideTable(edit: (("3201012001||", "bumil"), "1.234"))
        table = table.replacingOccurrences(of: "2025;3201012002;;;", with: "2025;3201019999;;;")
        let (r, _) = try Self.run(table, tmp, "bad")
        #expect(r.status == 65)
        #expect(r.stderr.contains("sasaran.csv:4: count of bumil \"1.234\" is ambiguous"), "\(r.stderr)")
        let unknown = r.stderr.components(separatedBy: "\n").filter { $0.contains("village_code \"3201019999\" is not in wilayah.csv") }
        #expect(unknown.count == 1, "\(r.stderr)")
    }

    /// A group's column named otherwise (`SASARAN BUMIL`) is read through the pipeline's
    /// `sasaran.group_columns`, giving the same indicators as the long file; with the bundled
    /// pipeline the column is noted as not read and K1 (bumil) loses its sasaran denominator.
    @Test func thePipelineNamesOtherColumns() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let table = try Self.wideTable().replacingOccurrences(of: ";IBU HAMIL;", with: ";SASARAN BUMIL;")
        let pipeline = try String(contentsOfFile: PWSBinary.packageRoot.appendingPathComponent("pipelines/default.yaml").path, encoding: .utf8)
        let edited = pipeline.replacingOccurrences(of: "  group_columns: {}\n", with: "  group_columns:\n    bumil: [Sasaran Bumil]\n")
        #expect(edited != pipeline)
        let pipelines = tmp.path + "/pipelines"
        try FileManager.default.copyItem(atPath: PWSBinary.packageRoot.appendingPathComponent("pipelines").path, toPath: pipelines)
        try edited.write(toFile: pipelines + "/default.yaml", atomically: true, encoding: .utf8)

        let data = tmp.path + "/named"
        try FileManager.default.copyItem(atPath: Self.sampleData, toPath: data)
        try table.write(toFile: data + "/sasaran.csv", atomically: true, encoding: .utf8)
        let named = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/out-named", "--pipeline", pipelines + "/default.yaml",
                                       "--today", "2026-01-15", "--quiet"])
        #expect(named.status == 0, "\(named.stderr)")
        let plain = try PWSBinary.run(["run", "--data", Self.sampleData, "--out", tmp.path + "/out-plain", "--today", "2026-01-15", "--quiet"])
        #expect(plain.status == 0)
        for file in ["indicators.csv", "pws/K1.csv"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out-named/2025-12/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out-plain/2025-12/" + file))
            #expect(a == b, "\(file) differs")
        }
        // The bundled pipeline does not know the name: the column is noted as not read, and
        // K1's denominator is no longer the sasaran's.
        let (unnamed, out) = try Self.run(table, tmp, "unnamed")
        #expect(unnamed.status == 0, "\(unnamed.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/2025-12/run.json")))
        let notes = (manifest as? [String: Any])?["notes"] as? [String] ?? []
        #expect(notes.contains { $0.hasPrefix("sasaran.csv: columns not read") && $0.contains("\"SASARAN BUMIL\"") }, "\(notes)")
        let k1 = try String(contentsOfFile: out + "/2025-12/pws/K1.csv", encoding: .utf8)
        let plainK1 = try String(contentsOfFile: tmp.path + "/out-plain/2025-12/pws/K1.csv", encoding: .utf8)
        #expect(k1 != plainK1)
    }

    /// Review 16: a long file whose count column is misnamed stays E-COLUMNS (it was read as a
    /// wide table, its bumil figures as `penduduk`); a wide CSV whose title line has no
    /// delimiter is read (the delimiter was sniffed on the title); a table without a village
    /// code column says so.
    @Test func longFilesStayLongAndTitlesWithoutDelimiters() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let (misnamed, _) = try Self.run("tahun;kode_desa;kelompok_sasaran;jumlah_penduduk\n2025;3201012001;bumil;28\n", tmp, "misnamed")
        #expect(misnamed.status == 65)
        #expect(misnamed.stderr.contains("E-COLUMNS required column(s) missing: count (or jumlah)"), "\(misnamed.stderr)")
        let table = try Self.wideTable()
        let bare = table.replacingOccurrences(of: "SASARAN PROGRAM KESEHATAN TAHUN 2025" + String(repeating: ";", count: 3 + Self.columns.count),
                                              with: "SASARAN PROGRAM KESEHATAN TAHUN 2025")
        #expect(bare != table)
        let (titled, out) = try Self.run(bare, tmp, "titled")
        #expect(titled.status == 0, "\(titled.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/2025-12/indicators.csv"))
        let (noCode, _) = try Self.run(table.replacingOccurrences(of: "KODE DESA", with: "DESA"), tmp, "nocode")
        #expect(noCode.status == 65)
        #expect(noCode.stderr.contains("sasaran.csv:3: the table has target group columns (bumil, bulin, bayi_lahir_hidup, bayi, baduta …) but no village code column"), "\(noCode.stderr)")
    }
}
