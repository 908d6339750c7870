import Foundation
import Testing

/// `tindak-lanjut.csv` and `W-GROWTH` through the real binary, on sample-data (as-of 2025-12).
@Suite struct FollowUpEndToEndTests {
    static let sampleData = PWSBinary.packageRoot.appendingPathComponent("sample-data").path

    static func lines(_ path: String) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    }

    /// Masked like rejects by default, without names; the full id and the `nama` column with
    /// --keep-identifiers, in the same order (the sort uses the full id either way).
    @Test func identifiersMaskedUnlessKept() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        for (out, keep) in [("masked", false), ("kept", true)] {
            let r = try PWSBinary.run(["run", "--data", Self.sampleData, "--out", tmp.path + "/" + out,
                                       "--today", "2026-01-15", "--quiet"] + (keep ? ["--keep-identifiers"] : []))
            #expect(r.status == 0, "\(r.stderr)")
        }
        let masked = try Self.lines(tmp.path + "/masked/2025-12/tindak-lanjut.csv")
        let kept = try Self.lines(tmp.path + "/kept/2025-12/tindak-lanjut.csv")
        #expect(masked.first == "facility_id,village_code,rw,rt,person,age_months,reasons,weight_date,weight_kg,length_date,length_cm,waz,haz,whz")
        #expect(kept.first == "facility_id,village_code,rw,rt,person,name,age_months,reasons,weight_date,weight_kg,length_date,length_cm,waz,haz,whz")
        #expect(masked.count == kept.count && masked.count > 1)
        for (m, k) in zip(masked.dropFirst(), kept.dropFirst()) {
            let mf = m.split(separator: ",", omittingEmptySubsequences: false)
            let kf = k.split(separator: ",", omittingEmptySubsequences: false)
            // A NIK (16 digits) or another id (`KIA-…`), masked as in rejects: first 4, last 2.
            #expect(kf[4].count >= 7 && !kf[4].contains("*"), "\(k)")
            #expect(mf[4] == kf[4].prefix(4) + String(repeating: "*", count: kf[4].count - 6) + kf[4].suffix(2))
            #expect(Array(mf[0..<4]) == Array(kf[0..<4]) && Array(mf[5...]) == Array(kf[6...]))
            let reasons = kf[7].split(separator: " ")
            #expect(!reasons.isEmpty && reasons.allSatisfy {
                ["BGM", "2T", "STUNTING", "WASTING", "TIDAK_DITIMBANG_2_BULAN"].contains($0)
            })
        }
        // Most of sample-data's files have a `nama` column (the English-headed ones have none):
        // the children's names are in the kept file only.
        let names = kept.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[5] }
            .filter { !$0.isEmpty }
        #expect(names.count > kept.count / 2)
        let maskedText = try String(contentsOfFile: tmp.path + "/masked/2025-12/tindak-lanjut.csv", encoding: .utf8)
        #expect(!names.contains { maskedText.contains($0) })
        // Sorted by facility, village, RW, RT, person.
        let keys = kept.dropFirst().map { line -> [String] in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return [f[0], f[1], f[2], f[3], f[4]]
        }
        #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) { $0.utf8.lexicographicallyPrecedes($1.utf8) } })
        // run.json lists it among the outputs with its rows.
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: tmp.path + "/kept/2025-12/run.json"))) as! [String: Any]
        let outputs = manifest["outputs"] as! [[String: Any]]
        #expect(outputs.first { $0["path"] as? String == "tindak-lanjut.csv" }?["rows"] as? Int == kept.count - 1)
        let counts = manifest["counts"] as! [String: Any]
        let warnings = counts["warnings_by_rule"] as! [String: Int]
        let growthRows = try Self.lines(tmp.path + "/kept/2025-12/warnings.csv").filter { $0.contains(",W-GROWTH,") }
        #expect(warnings["W-GROWTH"] == growthRows.count && !growthRows.isEmpty)
        for row in growthRows {
            #expect(row.contains(" is implausible (WHO flag: ") && row.contains("check the "), "\(row)")
        }
    }

    /// `outputs:` without tindak-lanjut.csv leaves it out (the W-GROWTH warnings stay).
    @Test func outputsCanLeaveItOut() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let root = PWSBinary.packageRoot.appendingPathComponent("pipelines").path
        let pipeline = tmp.path + "/p.yaml"
        // The default pipeline (its reshape rule reads sample-data's register) writing warnings.csv only.
        let text = try String(contentsOfFile: root + "/default.yaml", encoding: .utf8)
            .replacingOccurrences(of: "services: services.yaml", with: "services: \(root)/services.yaml")
            .replacingOccurrences(of: "indicators: indicators.yaml", with: "indicators: \(root)/indicators.yaml")
            .replacingOccurrences(of: "spm: spm.yaml", with: "spm: \(root)/spm.yaml")
        try (text + "\noutputs: [warnings.csv]\n").write(toFile: pipeline, atomically: true, encoding: .utf8)
        let r = try PWSBinary.run(["run", "--data", Self.sampleData, "--out", tmp.path + "/out", "--pipeline", pipeline,
                                   "--today", "2026-01-15", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/out/2025-12/tindak-lanjut.csv"))
        let warnings = try String(contentsOfFile: tmp.path + "/out/2025-12/warnings.csv", encoding: .utf8)
        #expect(warnings.contains(",W-GROWTH,"))
    }
}
