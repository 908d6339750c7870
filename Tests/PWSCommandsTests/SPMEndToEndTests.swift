import Foundation
import Testing

/// spm.csv and spm.xlsx end to end on a generated district (the generator plants every
/// service the 12 SPM services count): published with the run and listed in run.json, one row
/// per quarter and YTD × kabupaten and puskesmas × service, quarters adding up to the year and
/// puskesmas to the kabupaten, the workbook byte-identical on a rerun and equal to the CSV when
/// read back with openpyxl (Tests/Scripts/check_spm_workbook.py).
@Suite struct SPMEndToEndTests {
    static func run(_ tmp: TempFolder, data: String, name: String, extra: [String] = []) throws -> String {
        let out = tmp.path + "/" + name
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        return out + "/2025-12"
    }

    static func rows(_ month: String) throws -> [[String]] {
        let text = try String(contentsOfFile: month + "/spm.csv", encoding: .utf8)
        return text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func spmTablesArePublishedWithTheRun() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated(records: 20_000, seed: 11)
        let month = try Self.run(tmp, data: data, name: "a")
        let all = try Self.rows(month)
        #expect(all.first == ["year", "quarter", "level", "area_code", "area_name", "service", "sasaran",
                              "served_to_standard", "not_served", "capaian_pct"])
        let rows = Array(all.dropFirst())
        let puskesmas = Set(rows.filter { $0[2] == "puskesmas" }.map { $0[3] })
        #expect(!puskesmas.isEmpty)
        // As-of December: quarters 1–4 and YTD.
        #expect(rows.count == 5 * (1 + puskesmas.count) * 12)
        var periods: [String] = []
        for r in rows where periods.last != r[1] { periods.append(r[1]) }
        #expect(periods == ["1", "2", "3", "4", "YTD"])
        var quarters: [String: Int] = [:], byPuskesmas: [String: Int] = [:]
        for r in rows {
            let served = Int(r[7])!
            if r[1] != "YTD" { quarters["\(r[3])|\(r[5])", default: 0] += served }
            if r[2] == "puskesmas" { byPuskesmas["\(r[1])|\(r[5])", default: 0] += served }
        }
        let ytdKabupaten = rows.filter { $0[1] == "YTD" && $0[2] == "kabkota" }
        #expect(ytdKabupaten.count == 12)
        for r in rows where r[1] == "YTD" { #expect(quarters["\(r[3])|\(r[5])"] == Int(r[7]), "\(r)") }
        for r in rows where r[2] == "kabkota" { #expect(byPuskesmas["\(r[1])|\(r[5])"] == Int(r[7]), "\(r)") }
        // Every service is served somewhere and has a sasaran (sasaran.csv or an estimate).
        for r in ytdKabupaten {
            #expect(Int(r[7])! > 0, "\(r[5]) has no one served")
            #expect(!r[6].isEmpty && !r[9].isEmpty, "\(r[5]) has no sasaran")
        }

        // run.json lists both after pws.xlsx, with their hashes; the SPM stage is timed.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: month + "/run.json"))) as! [String: Any]
        let outputs = (manifest["outputs"] as! [[String: Any]]).map { $0["path"] as! String }
        #expect(outputs.suffix(3) == ["pws.xlsx", "spm.csv", "spm.xlsx"])
        let spmCSV = (manifest["outputs"] as! [[String: Any]]).first { $0["path"] as? String == "spm.csv" }
        #expect(spmCSV?["rows"] as? Int == rows.count)
        let sums = try RunEndToEndTests.sha256sum([month + "/spm.csv", month + "/spm.xlsx"])
        #expect(spmCSV?["sha256"] as? String == sums[month + "/spm.csv"])
        #expect((manifest["timings_seconds"] as? [String: Any])?["aggregate_spm"] != nil)
        let pipeline = (manifest["pipeline"] as! [[String: Any]]).map { $0["path"] as! String }
        #expect(pipeline.last == "(built-in)/spm.yaml")

        // Same inputs and --today: the same bytes.
        let again = try Self.run(tmp, data: data, name: "b")
        for name in ["spm.csv", "spm.xlsx"] {
            #expect(FileManager.default.contents(atPath: month + "/" + name)
                    == FileManager.default.contents(atPath: again + "/" + name), "\(name)")
        }
    }

    @Test(.enabled(if: WorkbookEndToEndTests.readerAvailable || WorkbookEndToEndTests.requireReader,
                   "python3 with openpyxl is not installed (pip install openpyxl)"))
    func spmWorkbookEqualsTheCSV() throws {
        #expect(WorkbookEndToEndTests.readerAvailable, "python3 with openpyxl is required here (PWS_REQUIRE_OPENPYXL=1)")
        let tmp = try TempFolder()
        defer { tmp.remove() }
        for excel in [false, true] {
            let month = try Self.run(tmp, data: try tmp.generated(records: 3000, seed: 5, name: "d\(excel)"),
                                     name: "out\(excel)", extra: excel ? ["--excel"] : [])
            let (status, output) = try Tool.script("check_spm_workbook.py", [month])
            #expect(status == 0, "\(output)")
            #expect(output.contains("spm.xlsx matches spm.csv (5 sheets"), "\(output)")
        }
    }

    /// A pipeline without `spm:` writes no SPM tables.
    @Test func noSPMCatalogueNoSPMTables() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let pipelines = PWSBinary.packageRoot.appendingPathComponent("pipelines").path
        let pipeline = tmp.path + "/no-spm.yaml"
        try "services: \(pipelines)/services.yaml\nindicators: \(pipelines)/indicators.yaml\n"
            .write(toFile: pipeline, atomically: true, encoding: .utf8)
        let month = try Self.run(tmp, data: try tmp.generated(), name: "out", extra: ["--pipeline", pipeline])
        let files = TempFolder.snapshot(month).keys
        #expect(files.contains("pws.xlsx"))
        #expect(!files.contains("spm.csv") && !files.contains("spm.xlsx"))
    }
}
