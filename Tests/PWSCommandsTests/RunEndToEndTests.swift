import Foundation
import Testing

/// `pws run` end to end, through the real binary.
@Suite struct RunEndToEndTests {
    static let indicatorIDs = ["K1", "K1_MURNI", "K2", "K3", "K4", "K5", "K6", "ANEMIA_BUMIL", "KEK_BUMIL", "TTD_BUMIL90", "DETEKSI_RISTI_NAKES", "PF", "PF_NAKES", "KF1", "KF2", "KF3",
                               "KF4", "KF_LENGKAP", "KN1", "KN2", "KN3", "KN_LENGKAP", "IBL", "IBADUTA", "IDL",
                               "IMM_DPT1", "IMM_DPT3", "IMM_MR1", "DO_DPT1_MR1", "DO_DPT1_DPT3", "UCI_DESA", "D_S",
                               "N_D", "T", "2T", "BGM", "UNDERWEIGHT", "STUNTING", "WASTING", "GIZI_BURUK", "OVERWEIGHT", "VITA_BALITA", "SKRINING_REMAJA", "TTD_REMAJA_PUTRI", "SPM_USIA_PRODUKTIF",
                               "SKRINING_PTM_DEWASA", "SPM_LANSIA", "SKRINING_TB", "HIPERTENSI"]

    @Test func runPublishesTheFullOutputSet() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(r.status == 0, "\(r.stderr)")
        let month = out + "/2025-12"
        let fm = FileManager.default
        for name in ["indicators.csv", "rejects.csv", "warnings.csv", "completeness.csv", "tindak-lanjut.csv",
                     "report.html", "run.json"] {
            #expect(fm.fileExists(atPath: month + "/" + name), "\(name) missing")
        }
        for id in RunEndToEndTests.indicatorIDs {
            #expect(fm.fileExists(atPath: month + "/pws/\(id).csv"), "pws/\(id).csv missing")
        }
        let indicators = try String(contentsOfFile: month + "/indicators.csv", encoding: .utf8)
        #expect(indicators.hasPrefix("year,month,level,area_code,area_name,parent_code,indicator,scope,numerator_month,numerator_cumulative,denominator,denominator_source,coverage_month_pct,coverage_cumulative_pct,coverage_prev_month_pct,target_annual_pct,target_pct,gap_pct,trend,status\n"))
        let rejects = try String(contentsOfFile: month + "/rejects.csv", encoding: .utf8)
        #expect(rejects.hasPrefix("source,line,record_id,rule,severity,field,value,message\n"))
        // UCI_DESA counts villages: rows per desa and above only; K1 has rows at every level.
        // (Columns 3 and 7 are level and indicator; names hold no comma in generated data.)
        var levels: [String: Set<String>] = [:]
        for line in indicators.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            if cells[6] == "UCI_DESA" || cells[6] == "K1" { levels[String(cells[6]), default: []].insert(String(cells[2])) }
        }
        #expect(levels["UCI_DESA"] == ["kabkota", "kecamatan", "puskesmas", "desa"])
        #expect(levels["K1"] == ["kabkota", "kecamatan", "puskesmas", "desa", "rw", "rt"])

        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: month + "/run.json"))) as! [String: Any]
        #expect(manifest["status"] as? String == "published")
        #expect(manifest["exit_status"] as? Int == 0)
        let counts = manifest["counts"] as! [String: Any]
        let read = counts["rows_read"] as! Int, rejected = counts["rows_rejected"] as! Int
        let accepted = counts["rows_accepted"] as! Int, used = counts["rows_used"] as! Int
        let duplicate = counts["rows_duplicate"] as! Int, outOfPeriod = counts["rows_out_of_period"] as! Int
        #expect(read == rejected + accepted && accepted == used + duplicate + outOfPeriod)
        #expect(rejected > 0)  // the generator plants problems
        // rejects.csv has one row per problem; every rejected row has at least one.
        #expect(rejects.split(separator: "\n").count - 1 >= rejected)
        // The outputs in a fixed order, whichever thread finished its file first, each with the
        // size and sha256 of the file (indicators.csv's taken while its threads wrote it).
        let outputs = manifest["outputs"] as! [[String: Any]]
        #expect(outputs.map { $0["path"] as! String } == ["rejects.csv", "warnings.csv", "indicators.csv"]
            + RunEndToEndTests.indicatorIDs.map { "pws/\($0).csv" }
            + ["completeness.csv", "tindak-lanjut.csv", "report.html", "pws.xlsx", "spm.csv", "spm.xlsx"])
        let sums = try RunEndToEndTests.sha256sum(outputs.map { month + "/" + ($0["path"] as! String) })
        for o in outputs {
            let path = o["path"] as! String
            #expect(o["sha256"] as? String == sums[month + "/" + path], "\(path): sha256")
            #expect(o["bytes"] as? Int == (try fm.attributesOfItem(atPath: month + "/" + path)[.size] as? Int), "\(path): bytes")
        }
        let inputs = manifest["inputs"] as! [[String: Any]]
        #expect(inputs.contains { $0["kind"] as? String == "wilayah" })
        #expect(r.stdout.contains("published"))
    }

    /// File → lower-case hex SHA-256, from coreutils' `sha256sum` (a check independent of pws).
    static func sha256sum(_ paths: [String]) throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = paths
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var sums: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            sums[String(parts[1].drop { $0 == " " || $0 == "*" })] = String(parts[0])
        }
        return sums
    }

    @Test func twoRunsGiveByteIdenticalFilesButTheManifest() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        for out in ["a", "b"] {
            let r = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/" + out, "--today", "2026-01-15"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        var a = TempFolder.snapshot(tmp.path + "/a/2025-12"), b = TempFolder.snapshot(tmp.path + "/b/2025-12")
        #expect(a.count >= 25)
        a["run.json"] = nil
        b["run.json"] = nil
        #expect(a.keys.sorted() == b.keys.sorted())
        for (name, bytes) in a { #expect(bytes == b[name], "\(name) differs") }
    }

    @Test func asOfRerunsAPastMonth() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--as-of", "2025-06", "--today", "2026-01-15"])
        #expect(r.status == 0, "\(r.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/2025-06/run.json"))) as! [String: Any]
        #expect(manifest["as_of"] as? String == "2025-06")
        #expect(((manifest["counts"] as! [String: Any])["rows_out_of_period"] as! Int) > 0)
        let indicators = try String(contentsOfFile: out + "/2025-06/indicators.csv", encoding: .utf8)
        let months = Set(indicators.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] })
        #expect(months == Set(["1", "2", "3", "4", "5", "6"]))
    }

    @Test func excelOptionWritesSemicolonsDecimalCommaAndBOM() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--excel"])
        #expect(r.status == 0, "\(r.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out + "/2025-12/indicators.csv"))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("year;month;level;area_code;"))
        #expect(text.contains("\r\n"))
        // A percentage like 100,00 with a decimal comma, and no "12.34"-style decimals.
        #expect(text.range(of: #";\d+,\d\d;"#, options: .regularExpression) != nil)
        #expect(text.range(of: #";\d+\.\d\d;"#, options: .regularExpression) == nil)
    }

    @Test func formulaLikeVillageNameIsNeutralised() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        // Rename the first village in the register to a formula.
        let path = data + "/wilayah.csv"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let delimiter: Character = lines[0].contains(";") ? ";" : ","
        let header = lines[0].split(separator: delimiter).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let nameColumn = try #require(header.firstIndex { ["village_name", "nama_desa", "desa", "kelurahan"].contains($0) })
        let firstCode = lines[1].split(separator: delimiter, omittingEmptySubsequences: false)[header.firstIndex { ["village_code", "kode_desa"].contains($0) }!]
        text = lines.enumerated().map { i, line in
            guard i > 0, line.split(separator: delimiter, omittingEmptySubsequences: false).first == firstCode || line.contains(String(firstCode)) else { return line }
            var f = line.split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
            if f.count > nameColumn { f[nameColumn] = "=HYPERLINK(\"http://x\")" }
            return f.map { $0.contains(String(delimiter)) || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }
                .joined(separator: String(delimiter))
        }.joined(separator: "\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(r.status == 0, "\(r.stderr)")
        let indicators = try String(contentsOfFile: out + "/2025-12/indicators.csv", encoding: .utf8)
        #expect(indicators.contains("\"'=HYPERLINK(\"\"http://x\"\")\""))
        #expect(!indicators.contains(",=HYPERLINK"))
        let html = try String(contentsOfFile: out + "/2025-12/report.html", encoding: .utf8)
        #expect(!html.contains("=HYPERLINK(\"http"))  // escaped in HTML
    }
}
