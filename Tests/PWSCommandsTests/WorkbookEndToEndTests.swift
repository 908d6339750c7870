import Foundation
import Testing

/// `pws.xlsx` end to end: written by `pws run` into the published set, listed in run.json,
/// byte-identical on a rerun, read back by openpyxl and compared with the CSVs
/// (Tests/Scripts/check_workbook.py), and left out when the pipeline's `outputs:` says so.
@Suite struct WorkbookEndToEndTests {
    static let requireReader = ProcessInfo.processInfo.environment["PWS_REQUIRE_OPENPYXL"] == "1"
    static let readerAvailable: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import openpyxl"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    static func publish(_ tmp: TempFolder, name: String, extra: [String] = []) throws -> String {
        let out = tmp.path + "/" + name
        let r = try PWSBinary.run(["run", "--data", PWSBinary.packageRoot.appendingPathComponent("sample-data").path,
                                   "--out", out, "--today", "2026-01-15", "--quiet"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        return out + "/2025-12"
    }

    @Test func workbookIsPublishedListedAndReproducible() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let a = try Self.publish(tmp, name: "a"), b = try Self.publish(tmp, name: "b")
        let bytes = FileManager.default.contents(atPath: a + "/pws.xlsx")
        #expect(bytes != nil && bytes!.starts(with: [0x50, 0x4B]))  // a zip: "PK"
        // Reruns (same inputs, same --today) write the same bytes: the creation time is --today.
        #expect(bytes == FileManager.default.contents(atPath: b + "/pws.xlsx"))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: a + "/run.json"))) as! [String: Any]
        let entry = (manifest["outputs"] as! [[String: Any]]).first { $0["path"] as? String == "pws.xlsx" }
        let sums = try RunEndToEndTests.sha256sum([a + "/pws.xlsx"])
        #expect(entry?["sha256"] as? String == sums[a + "/pws.xlsx"])
        #expect(entry?["bytes"] as? Int == bytes?.count)
    }

    @Test(.enabled(if: readerAvailable || requireReader, "python3 with openpyxl is not installed (pip install openpyxl)"))
    func everyNumberOfTheWorkbookEqualsTheCSVs() throws {
        #expect(Self.readerAvailable, "python3 with openpyxl is required here (PWS_REQUIRE_OPENPYXL=1)")
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let month = try Self.publish(tmp, name: "out")
        let (status, output) = try Tool.script("check_workbook.py", [month])
        #expect(status == 0, "\(output)")
        #expect(output.contains("matches its CSVs (49 indicator sheets"), "\(output)")
    }

    /// Decimal sasaran (§A1) in both workbooks: Jatiwangi's bumil 28,0001 prints `28` in the CSVs
    /// (two decimals at most) and its cell, keeping 28.0001, shows `28` (`#,##0`; `#,##0.##`
    /// would show `28.`), as do the sums above it (the puskesmas, the kab/kota: x.0001); its
    /// bulin 30,25 keeps `#,##0.##`. The checkers compare every sasaran and denominator cell's
    /// value, its two-decimal print and its format with the CSVs.
    @Test(.enabled(if: readerAvailable || requireReader, "python3 with openpyxl is not installed (pip install openpyxl)"))
    func aSasaranThatPrintsWholeShowsWholeInTheWorkbooks() throws {
        #expect(Self.readerAvailable, "python3 with openpyxl is required here (PWS_REQUIRE_OPENPYXL=1)")
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = tmp.path + "/data"
        try PWSBinary.sampleData(at: data, bumil: "28,0001", bulin: "30,25")
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let k1 = try String(contentsOfFile: out + "/2025-12/pws/K1.csv", encoding: .utf8)
        #expect(k1.contains(",3201012001,Tegalmanik,28,"), "\(k1)")
        let pws = try Tool.script("check_workbook.py", [out + "/2025-12"])
        #expect(pws.status == 0 && pws.output.contains("matches its CSVs"), "\(pws.output)")
        let spm = try Tool.script("check_spm_workbook.py", [out + "/2025-12"])
        #expect(spm.status == 0 && spm.output.contains("spm.xlsx matches spm.csv"), "\(spm.output)")
    }

    @Test func outputsListDecidesWhatIsPublished() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let pipelines = PWSBinary.packageRoot.appendingPathComponent("pipelines").path
        let pipeline = tmp.path + "/only.yaml"
        try """
        version: 1
        services: \(pipelines)/services.yaml
        indicators: \(pipelines)/indicators.yaml
        outputs: [pws.xlsx, rejects.csv]
        """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let month = try Self.publish(tmp, name: "out", extra: ["--pipeline", pipeline])
        let files = TempFolder.snapshot(month).keys.sorted()
        #expect(files == ["pws.xlsx", "rejects.csv", "run.json"])
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: month + "/run.json"))) as! [String: Any]
        #expect((manifest["outputs"] as! [[String: Any]]).map { $0["path"] as! String } == ["rejects.csv", "pws.xlsx"])
    }

    @Test(arguments: [
        ("outputs: [pws.xlsx, report.pdf]", 4, "outputs: unknown output \"report.pdf\""),
        ("outputs:\n  - pws.xlsx\n  - pws.xlsx", 6, "\"pws.xlsx\" is listed twice"),
    ])
    func badOutputsListIsAUsageErrorAtItsLine(yaml: String, line: Int, message: String) throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let pipelines = PWSBinary.packageRoot.appendingPathComponent("pipelines").path
        let pipeline = tmp.path + "/bad.yaml"
        try "version: 1\nservices: \(pipelines)/services.yaml\nindicators: \(pipelines)/indicators.yaml\n\(yaml)\n"
            .write(toFile: pipeline, atomically: true, encoding: .utf8)
        let r = try PWSBinary.run(["run", "--data", PWSBinary.packageRoot.appendingPathComponent("sample-data").path,
                                   "--out", tmp.path + "/out", "--pipeline", pipeline, "--quiet"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("bad.yaml:\(line):"), "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }
}
