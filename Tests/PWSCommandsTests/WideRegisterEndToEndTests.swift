import Foundation
import Testing

/// `pws generate --format wide` (issue #13 point 4, spec §A2): the posyandu weighings of a
/// generated population as wide registers read by the default pipeline's `reshape` rule, the
/// other records as long CSV; the long form of the same population (`--posyandu-day 15`) gives
/// byte-identical indicators and PWS tables, and the same accounting.
@Suite struct WideRegisterEndToEndTests {
    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    static func published(_ out: String) -> String { out + "/2025-12" }

    /// The PWS tables and indicators.csv of a published run, by path.
    static func tables(_ out: String) -> [String: Data] {
        TempFolder.snapshot(published(out)).filter { $0.key == "indicators.csv" || $0.key.hasPrefix("pws/") }
    }

    /// A file's lines (LF-terminated; generated files have no line breaks inside fields).
    static func lines(_ path: String) throws -> [ArraySlice<UInt8>] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))).split(separator: 0x0A)
    }

    /// Rule codes of a rejects.csv or warnings.csv, counted (positions differ between the forms).
    static func rules(_ path: String) throws -> [String: Int] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var out: [String: Int] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if fields.count > 3 { out[String(fields[3]), default: 0] += 1 }
        }
        return out
    }

    /// sample-data's posyandu register matched by the built-in rule and by a second one reading
    /// its dated vaccines: only the first rule was applied, its 15 vaccine records lost without a
    /// word (a hostile-input campaign's find). Now the run stops before reading (exit 64) naming
    /// the file and both patterns — in one process and in a partitioned run (map tasks).
    @Test func aFileMatchedByTwoReshapeRulesStopsTheRun() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let dir = tmp.path + "/p"
        #expect(try PWSBinary.run(["pipeline", "show", "--all", dir]).status == 0)
        let yaml = try String(contentsOfFile: dir + "/default.yaml", encoding: .utf8)
        let second = """
            reshape:
              - files: "layanan/register-posyandu-*.xlsx"
                columns: {person_id: NIK, birth_date: TGL LAHIR, sex: JK, village_code: KODE DESA, rw: RW, rt: RT}
                values: {facility_type: posyandu, provider: kader}
                dated: {HB0: HB0}
              - files: "layanan/register-*.xlsx"
            """
        try yaml.replacingOccurrences(of: "reshape:\n  - files: \"layanan/register-*.xlsx\"", with: second)
            .write(toFile: dir + "/default.yaml", atomically: true, encoding: .utf8)
        let sample = PWSBinary.packageRoot.appendingPathComponent("sample-data").path
        for extra in [[], ["--partitions", "2"]] {
            let r = try PWSBinary.run(["run", "--pipeline", dir + "/default.yaml", "--data", sample, "--out", tmp.path + "/out",
                                       "--today", "2026-01-15", "--quiet"] + extra)
            #expect(r.status == 64, "\(extra): \(r.stderr)")
            #expect(r.stderr.contains("layanan/register-posyandu-mawar-sumbermurni-2025.xlsx matches two reshape rules (files: \"layanan/register-posyandu-*.xlsx\" and \"layanan/register-*.xlsx\")"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: tmp.path + "/out/2025-12"))
        }
    }

    @Test func longAndWideFormsOfOnePopulationGiveTheSameIndicators() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let fm = FileManager.default
        let long = tmp.path + "/long", wide = tmp.path + "/wide"
        // A higher problem rate than the default, so some planted problems are register cells.
        let common = ["--seed", "7", "--records", "3000", "--year", "2025", "--problem-rate", "0.05", "--quiet"]
        let g1 = try PWSBinary.run(["generate", "--out", long, "--posyandu-day", "15"] + common)
        #expect(g1.status == 0, "\(g1.stderr)")
        let g2 = try PWSBinary.run(["generate", "--out", wide, "--format", "wide"] + common)
        #expect(g2.status == 0, "\(g2.stderr)")

        // Registers (2024 for the history months, 2025), and no long file the long form lacks.
        let longNames = Set(try fm.contentsOfDirectory(atPath: long + "/layanan"))
        let wideNames = Set(try fm.contentsOfDirectory(atPath: wide + "/layanan"))
        let registers = wideNames.filter { $0.hasPrefix("register-") }
        #expect(registers.contains { $0.hasSuffix("-2024.xlsx") } && registers.contains { $0.hasSuffix("-2025.xlsx") })
        #expect(registers.allSatisfy { $0.hasPrefix("register-posyandu-") && $0.hasSuffix(".xlsx") })
        #expect(wideNames.subtracting(registers).isSubset(of: longNames))
        // Every long file of the wide form is its long-form file with some lines left out, and
        // only posyandu files lose lines.
        var linesMoved = 0
        for name in wideNames.subtracting(registers) {
            let a = try Self.lines(long + "/layanan/" + name), b = try Self.lines(wide + "/layanan/" + name)
            var i = 0
            for line in a where i < b.count && line == b[i] { i += 1 }
            #expect(i == b.count, "\(name) is not the long file with lines left out")
            if a.count != b.count { #expect(name.contains("_posyandu-")) }
            linesMoved += a.count - b.count
        }
        for name in longNames.subtracting(wideNames) {
            #expect(name.contains("_posyandu-"), "\(name) removed")
            linesMoved += try Self.lines(long + "/layanan/" + name).count - 1
        }
        #expect(linesMoved > 500)

        for (data, out) in [(long, tmp.path + "/out-long"), (wide, tmp.path + "/out-wide")] {
            let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let a = Self.tables(tmp.path + "/out-long"), b = Self.tables(tmp.path + "/out-wide")
        #expect((a["indicators.csv"]?.count ?? 0) > 1000)
        #expect(a.keys.filter { $0.hasPrefix("pws/") }.count > 10)
        #expect(a.keys.sorted() == b.keys.sorted())
        for (path, bytes) in a { #expect(bytes == b[path], "\(path) differs") }

        // The same accounting, and it adds up: read = rejected + accepted, accepted = used +
        // duplicate + out of period; the registers' rows read are the weighings moved.
        let ca = try #require(try Self.json(Self.published(tmp.path + "/out-long") + "/run.json")["counts"] as? [String: Any])
        let manifest = try Self.json(Self.published(tmp.path + "/out-wide") + "/run.json")
        let cb = try #require(manifest["counts"] as? [String: Any])
        for key in ["rows_read", "rows_rejected", "rows_accepted", "rows_used", "rows_duplicate", "rows_out_of_period"] {
            #expect(ca[key] as? Int == cb[key] as? Int, "\(key)")
        }
        #expect(ca["rejects_by_rule"] as? [String: Int] == cb["rejects_by_rule"] as? [String: Int])
        #expect(ca["warnings_by_rule"] as? [String: Int] == cb["warnings_by_rule"] as? [String: Int])
        let n = { (k: String) in cb[k] as? Int ?? -1 }
        #expect(n("rows_read") == n("rows_rejected") + n("rows_accepted"))
        #expect(n("rows_accepted") == n("rows_used") + n("rows_duplicate") + n("rows_out_of_period"))
        #expect(n("rows_rejected") > 0)
        let inputs = try #require(manifest["inputs"] as? [[String: Any]])
        let registerInputs = inputs.filter { ($0["path"] as? String ?? "").hasPrefix("layanan/register-") }
        #expect(registerInputs.count == registers.count)
        #expect(registerInputs.allSatisfy { $0["sheets"] as? [String] == ["Register"] })
        #expect(registerInputs.reduce(0) { $0 + ($1["rows_read"] as? Int ?? 0) } == linesMoved)
        let layanan = inputs.filter { $0["kind"] as? String == "layanan" }
        #expect(layanan.reduce(0) { $0 + ($1["rows_read"] as? Int ?? 0) } == n("rows_read"))
        // Rejected and warned rows by rule are the same; some are register cells.
        let outA = Self.published(tmp.path + "/out-long"), outB = Self.published(tmp.path + "/out-wide")
        #expect(try Self.rules(outA + "/rejects.csv") == Self.rules(outB + "/rejects.csv"))
        #expect(try Self.rules(outA + "/warnings.csv") == Self.rules(outB + "/warnings.csv"))
        let rejects = try String(contentsOfFile: outB + "/rejects.csv", encoding: .utf8)
        + String(contentsOfFile: outB + "/warnings.csv", encoding: .utf8)
        #expect(rejects.contains(".xlsx:Register,"))

        // The default rule leaves the register's KODE POSYANDU unread, so completeness.csv counts
        // the weighings under "posyandu without a code"; a rule that maps it gives the long
        // form's completeness.csv too.
        #expect(try Data(contentsOf: URL(fileURLWithPath: outA + "/completeness.csv"))
                != Data(contentsOf: URL(fileURLWithPath: outB + "/completeness.csv")))
        let pipelines = PWSBinary.packageRoot.appendingPathComponent("pipelines").path
        let pipeline = tmp.path + "/pipeline.yaml"
        let yaml = try String(contentsOfFile: pipelines + "/default.yaml", encoding: .utf8)
            .replacingOccurrences(of: "services: services.yaml", with: "services: \(pipelines)/services.yaml")
            .replacingOccurrences(of: "indicators: indicators.yaml", with: "indicators: \(pipelines)/indicators.yaml")
            .replacingOccurrences(of: "spm: spm.yaml", with: "spm: \(pipelines)/spm.yaml")
            .replacingOccurrences(of: "      rt: RT\n", with: "      rt: RT\n      facility_id: KODE POSYANDU\n")
        #expect(yaml.contains("facility_id: KODE POSYANDU"))
        try yaml.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let mapped = tmp.path + "/out-mapped"
        let r = try PWSBinary.run(["run", "--data", wide, "--out", mapped, "--today", "2026-01-15", "--quiet",
                                   "--pipeline", pipeline])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: outA + "/completeness.csv"))
                == Data(contentsOf: URL(fileURLWithPath: Self.published(mapped) + "/completeness.csv")))
        #expect(Self.tables(mapped) == a)
    }
}
