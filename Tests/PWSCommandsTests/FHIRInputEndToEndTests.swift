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
        let notes = (manifest?["notes"] as? [String]) ?? []
        #expect(notes.contains { $0.hasPrefix("fhir/visits.ndjson: ignored") && $0.contains("1 Condition") })
    }
}
