import Foundation
import Testing

/// FHIR R4 inputs through the real binary (spec §A3): resources are rows, E-FHIR rejects are
/// positioned FILE:LINE or FILE#ENTRY (line = entry index) with the resource id, NIKs masked.
@Suite struct FHIRInputEndToEndTests {
    static let fixtures = PWSBinary.packageRoot.appendingPathComponent("Tests/IngestTests/Fixtures/fhir").path

    @Test func fhirExportIsValidatedWithTheSameAccounting() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try HardeningTests.dataFolder(tmp, files: [:])
        try FileManager.default.removeItem(atPath: data + "/layanan")
        try FileManager.default.copyItem(atPath: Self.fixtures, toPath: data + "/fhir")
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["validate", "--data", data, "--out", out, "--today", "2026-01-15"])
        // 3 of 10 rows rejected: over the 5 % limit, so 65, with the files written.
        #expect(r.status == 65, "\(r.stderr)")
        let rejects = try String(contentsOfFile: out + "/rejects.csv", encoding: .utf8)
        let lines = rejects.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(4).joined(separator: ",") }
        #expect(lines == ["fhir/visits.ndjson,11,,E-PARSE",
                          "fhir/visits.ndjson,13,Observation/w2,E-FHIR",
                          "fhir/visits.ndjson,15,Immunization/i2,E-FHIR"])
        let warnings = try String(contentsOfFile: out + "/warnings.csv", encoding: .utf8)
        for nik in ["3201015504900001", "3201011503250001"] {
            #expect(!rejects.contains(nik) && !warnings.contains(nik) && !r.stdout.contains(nik))
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/run.json")))
            as? [String: Any]
        let counts = try #require(manifest?["counts"] as? [String: Any])
        // bundle.json: 1 read (entry 2); visits.ndjson: 9 read, 3 rejected. 10 = 3 + 7.
        #expect(counts["rows_read"] as? Int == 10)
        #expect(counts["rows_rejected"] as? Int == 3)
        #expect(counts["rows_accepted"] as? Int == 7)
        // visits.ndjson's Condition is not mapped; bundle.json's not-done Immunization and DELETE
        // entry record no service given.
        #expect(r.stdout.contains("FHIR: resources not mapped to a service were ignored in 1 file(s); resources recorded as "
                                  + "not done, entered in error or cancelled in 1 file(s); run.json notes count them per type"), "\(r.stdout)")
        let notes = (manifest?["notes"] as? [String]) ?? []
        #expect(notes.contains { $0.hasPrefix("fhir/visits.ndjson: ignored") && $0.contains("1 Condition") })
        // A FHIR file has no sheets (it had `"sheets": [""]`) and no delimiter.
        let inputs = try #require(manifest?["inputs"] as? [[String: Any]])
        let fhir = inputs.filter { ($0["path"] as? String)?.hasPrefix("fhir/") == true }
        #expect(fhir.count == 2 && fhir.allSatisfy { $0["sheets"] == nil && $0["delimiter"] == nil })
    }

    /// `pws generate --format fhir` writes the records of the CSV folder of the same seed as
    /// a FHIR export; both runs publish byte-identical indicators.csv.
    @Test(arguments: [(5, 3000), (11, 6000)])
    func csvAndFHIROfOnePopulationGiveTheSameIndicators(seed: Int, records: Int) throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let csv = try tmp.generated(records: records, seed: seed, name: "csv")
        let fhir = tmp.path + "/fhir"
        let g = try PWSBinary.run(["generate", "--out", fhir, "--seed", "\(seed)", "--records", "\(records)",
                                   "--year", "2025", "--format", "fhir", "--quiet"])
        #expect(g.status == 0, "\(g.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: fhir + "/fhir")
        #expect(names.count > 3 && names.allSatisfy { $0.hasSuffix(".ndjson") })
        #expect(!FileManager.default.fileExists(atPath: fhir + "/layanan"))
        for (data, out) in [(csv, tmp.path + "/out-csv"), (fhir, tmp.path + "/out-fhir")] {
            let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out-csv/2025-12/indicators.csv"))
        let b = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/out-fhir/2025-12/indicators.csv"))
        #expect(a.count > 1000)
        #expect(a == b)
    }

    static let requireChecker = ProcessInfo.processInfo.environment["PWS_REQUIRE_FHIR_RESOURCES"] == "1"
    static let checkerAvailable: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import fhir.resources"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    /// Every resource of the committed fixtures and of a generated export is valid FHIR R4 for
    /// a real implementation (the `fhir.resources` models, Tests/Scripts/check_fhir.py); the
    /// fixtures' one deliberate malformed line is listed in their `.invalid` file.
    @Test(.enabled(if: checkerAvailable || requireChecker, "python3 with fhir.resources is not installed (pip install fhir.resources)"))
    func fixturesAndGeneratedExportAreValidFHIR() throws {
        #expect(Self.checkerAvailable, "python3 with fhir.resources is required here (PWS_REQUIRE_FHIR_RESOURCES=1)")
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let g = try PWSBinary.run(["generate", "--out", tmp.path + "/gen", "--seed", "7", "--records", "2000",
                                   "--year", "2025", "--format", "fhir", "--quiet"])
        #expect(g.status == 0, "\(g.stderr)")
        let (status, output) = try Tool.script("check_fhir.py", [Self.fixtures, tmp.path + "/gen/fhir"])
        #expect(status == 0, "\(output)")
        #expect(output.contains(" 0 unexpected"), "\(output)")
    }
}
