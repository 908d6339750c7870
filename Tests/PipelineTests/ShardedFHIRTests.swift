import Foundation
import Logging
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing

/// A FHIR export split over the map tasks of a sharded run (docs/scale.md): every task builds
/// the FHIR context from all of `fhir/` and makes records from the `fhir/` files of its share
/// only, so the published outputs are the bytes `pws run` publishes.
@Suite struct ShardedFHIRTests {
    static let fixtures = ShardedRunTests.root + "/Tests/IngestTests/Fixtures/fhir"

    /// Random CSV files in `layanan/` and the Ingest fixtures' export cut into four files in
    /// `fhir/`, whose resources refer across files: the Encounter (file a) names an
    /// EpisodeOfCare and a Patient of file c; the Observations (file b, before the Patients'
    /// file c) name the Encounter of file a and the Patients and Organization of file c. File
    /// b also holds a malformed line (E-PARSE), a blank line, a reference to a missing Patient
    /// and an unmapped vaccine code (E-FHIR); file a an unmapped Condition (a note).
    static func data(at dir: String, seed: UInt64) throws {
        try ShardedRunTests.randomData(seed: seed, at: dir, files: 3, rowsPerFile: 60...80, persons: 14, badShare: 0)
        let lines = try String(contentsOfFile: fixtures + "/visits.ndjson", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func id(_ line: String) -> String {
            guard let r = line.range(of: "\"id\":\"") else { return "" }
            return String(line[r.upperBound...].prefix { $0 != "\"" })
        }
        let byID = Dictionary(lines.map { (id($0), $0) }, uniquingKeysWith: { a, _ in a })
        let bad = try #require(lines.first { $0.contains("\"id\":\"bad\"") })
        let files: [(String, [String])] = [
            ("fhir/a-encounters.ndjson", [byID["e1"]!, byID["c1"]!]),
            ("fhir/b-observations.ndjson", [byID["lmp1"]!, byID["bp1"]!, byID["hb1"]!, byID["w1"]!, bad, "   ",
                                            byID["w2"]!, byID["i1"]!, byID["i2"]!, byID["pr1"]!]),
            ("fhir/c-patients.ndjson", [byID["p1"]!, byID["p2"]!, byID["o1"]!, byID["l1"]!, byID["preg-1"]!]),
        ]
        try FileManager.default.createDirectory(atPath: dir + "/fhir", withIntermediateDirectories: true)
        for (name, content) in files {
            try (content.joined(separator: "\n") + "\n").write(toFile: dir + "/" + name, atomically: false, encoding: .utf8)
        }
        try FileManager.default.copyItem(atPath: fixtures + "/bundle.json", toPath: dir + "/fhir/d-bundle.json")
    }

    /// run.json's counts and notes (run.json itself differs: times, paths).
    static func manifestFacts(_ out: String) throws -> (counts: NSDictionary, notes: [String]) {
        let link = try FileManager.default.contentsOfDirectory(atPath: out).first { !$0.hasPrefix(".") && $0 != "refused" }
        let path = out + "/" + (try #require(link)) + "/run.json"
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        return (try #require(manifest["counts"] as? NSDictionary), try #require(manifest["notes"] as? [String]))
    }

    @Test func fhirExportSplitOverMapTasksIsExact() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try Self.data(at: data, seed: 31)
        // 7 files (4 fhir/, 3 layanan/): one task, the export cut in two and in three, a task
        // per file, more tasks than files.
        let shapes = [(1, 1), (2, 3), (3, 2), (4, 1), (7, 5), (11, 2)]
        let status = try ShardedRunTests.compare(data: data, in: tmp.url.path, shapes: shapes)
        #expect(status == .success, "the reference run published (so the indicators were compared)")
        let month = try #require(try FileManager.default.contentsOfDirectory(atPath: tmp.url.path + "/reference")
            .first { !$0.hasPrefix(".") })
        let rejects = try String(contentsOfFile: tmp.url.path + "/reference/\(month)/rejects.csv", encoding: .utf8)
            .split(separator: "\n").filter { $0.hasPrefix("fhir/") }
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(4).joined(separator: ",") }
        // Hand-counted from the files written above: line 5 is the malformed one, line 7 the
        // missing Patient, line 9 the unmapped vaccine code.
        #expect(rejects == ["fhir/b-observations.ndjson,5,,E-PARSE",
                            "fhir/b-observations.ndjson,7,Observation/w2,E-FHIR",
                            "fhir/b-observations.ndjson,9,Immunization/i2,E-FHIR"])
        // The records completed across files reached the indicators: the ANC visit (its
        // EpisodeOfCare and Patient in file c) is accepted, not rejected.
        let reference = try Self.manifestFacts(tmp.url.path + "/reference")
        for (m, p) in shapes {
            let got = try Self.manifestFacts(tmp.url.path + "/out-\(m)x\(p)")
            #expect(got.counts == reference.counts, "\(m) x \(p): run.json counts")
            #expect(got.notes == reference.notes, "\(m) x \(p): run.json notes")
        }
        // Each file's notes once: the context pass of every task reads file a, the record
        // pass of one task only notes its Condition.
        #expect(reference.notes.filter { $0.hasPrefix("fhir/a-encounters.ndjson: ignored") }.count == 1)
        #expect(reference.notes.contains { $0.hasPrefix("fhir/c-patients.ndjson: used to complete other records") })
    }

    /// SATUSEHAT's shapes (contained Patients, UTC instants, grams, a diastolic recorded in error,
    /// a transaction Bundle without ids referring to file c's Patient) split over map tasks:
    /// the same bytes as one run.
    @Test func satusehatShapesSplitOverMapTasksAreExact() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try Self.data(at: data, seed: 33)
        let weight = #""code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]}"#
        let lines = [
            #"{"resourceType":"Observation","id":"u1","status":"final",\#(weight),"subject":{"reference":"Patient/p2"},"effectiveDateTime":"2025-03-31T18:30:00Z","valueQuantity":{"value":9800,"code":"g"}}"#,
            #"{"resourceType":"Observation","id":"u2","status":"final",\#(weight),"subject":{"reference":"Patient/p2"},"effectiveDateTime":"2025-04-02","valueQuantity":{"value":21.6,"code":"[lb_av]"}}"#,
            ##"{"resourceType":"Observation","id":"u3","status":"final",\##(weight),"subject":{"reference":"#b"},"effectiveDateTime":"2025-04-03","valueQuantity":{"value":8.1},"contained":[{"resourceType":"Patient","id":"b","birthDate":"2024-09-01","gender":"female"}]}"##,
            #"{"resourceType":"Observation","id":"d9","status":"entered-in-error","code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"subject":{"reference":"Patient/p1"},"encounter":{"reference":"Encounter/e1"},"valueQuantity":{"value":150}}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: data + "/fhir/e-satusehat.ndjson", atomically: false, encoding: .utf8)
        let tx = #"{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:v","resource":{"resourceType":"Encounter","status":"finished","subject":{"reference":"Patient/p2"},"period":{"start":"2025-04-04T23:00:00Z"}}},{"fullUrl":"urn:uuid:w","resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"encounter":{"reference":"urn:uuid:v"},"valueQuantity":{"value":9.9}}}]}"#
        try tx.write(toFile: data + "/fhir/f-tx.json", atomically: false, encoding: .utf8)
        let shapes = [(1, 1), (3, 2), (9, 3)]
        #expect(try ShardedRunTests.compare(data: data, in: tmp.url.path, shapes: shapes) == .success)
        let reference = try Self.manifestFacts(tmp.url.path + "/reference")
        for (m, p) in shapes {
            let got = try Self.manifestFacts(tmp.url.path + "/out-\(m)x\(p)")
            #expect(got.counts == reference.counts && got.notes == reference.notes, "\(m) x \(p): run.json counts and notes")
        }
        let month = try #require(try FileManager.default.contentsOfDirectory(atPath: tmp.url.path + "/reference").first { !$0.hasPrefix(".") })
        let warnings = try String(contentsOfFile: tmp.url.path + "/reference/\(month)/warnings.csv", encoding: .utf8)
        #expect(warnings.contains("fhir/e-satusehat.ndjson,2,Observation/u2,W-RESULT,warning,result,21.6 [lb_av]"))
    }

    @Test func fhirExportSplitWithIdentifiersIsExact() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try Self.data(at: data, seed: 32)
        try ShardedRunTests.compare(data: data, in: tmp.url.path, shapes: [(3, 4), (5, 2)], keepIdentifiers: true)
    }

    /// `pws map` no longer refuses a split export: each task of 4 reads its share, and its
    /// summary holds the accounts, rejects and notes of its own files only.
    @Test func mapTasksSplittingTheExportRunAndReportTheirOwnFilesOnly() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try Self.data(at: data, seed: 33)
        let request = ShardedRunTests.request(data: data, out: tmp.url.path + "/out")
        let run = ShardedRun(runner: PipelineRunner(request: request, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }),
                             shared: tmp.url.path + "/shared")
        var parses = 0
        for task in 0..<4 {
            let report = try run.map(task: task, tasks: 4, partitions: 2)
            #expect(report.exitStatus == .success)
            let pipeline = try run.runner.loadPipeline(indicators: false)
            let key = try run.expectedKey(pipeline: pipeline)
            let summary = try run.readSummary(task, key: key)
            // 7 files over 4 tasks: shares of 1, 2, 2, 2 files (0..<1, 1..<3, 3..<5, 5..<7).
            let share = ShardedRun.share(files: 7, task: task, tasks: 4)
            #expect(summary.accounts.count == share.count)
            let own = Set(summary.accounts.map(\.source))
            #expect(summary.rejects.allSatisfy { own.contains($0.location.source) }, "task \(task): rejects of its own files")
            #expect(summary.notes.allSatisfy { note in own.contains { note.hasPrefix($0 + ":") } }, "task \(task): \(summary.notes)")
            parses += summary.rejects.filter { $0.rule == .parse }.count
        }
        // Task 0 has file a only; task 1 files b and c: the one E-PARSE (file b) once.
        #expect(parses == 1)
    }

    /// The incremental map cache stays off for FHIR (an entry keys on one file's bytes; a FHIR
    /// file's records depend on every fhir/ file): the run says so, reads every file twice in a
    /// row alike, and publishes `pws run`'s bytes both times. Without the cache, on four cores,
    /// `pws run --partitions` maps a FHIR export on one task (each map task would build the
    /// context from every `fhir/` file) and publishes the same bytes.
    @Test func incrementalRunReadsAFHIRExportWhole() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try Self.data(at: data, seed: 34)
        let reference = try ShardedRun.runOneProcess(request: ShardedRunTests.request(data: data, out: tmp.url.path + "/reference"))
        #expect(reference.exitStatus == .success)
        let expected = ShardedRunTests.snapshot(tmp.url.path + "/reference")
        let out = tmp.url.path + "/out"
        for attempt in 0..<2 {
            let runner = PipelineRunner(request: ShardedRunTests.request(data: data, out: out),
                                        logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
            let report = try ShardedRun.runPartitioned(runner: runner, partitions: 3, incremental: MapCacheOptions())
            #expect(report.exitStatus == .success)
            #expect(report.lines.contains("map cache not used: the FHIR export (fhir/) is read as one whole, so every file was read"),
                    "attempt \(attempt): \(report.lines.prefix(3))")
            #expect(ShardedRunTests.snapshot(out) == expected, "attempt \(attempt)")
        }
        let plain = tmp.url.path + "/plain"
        let runner = PipelineRunner(request: ShardedRunTests.request(data: data, out: plain),
                                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let report = try ShardedRun.runPartitioned(runner: runner, partitions: 3, cores: 4)
        #expect(ShardedRunTests.snapshot(plain) == expected)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: try #require(report.folder) + "/run.json")))
        #expect(((manifest as? [String: Any])?["sharded"] as? [String: Any])?["map_tasks"] as? Int == 1)
        #expect(ShardedRun.mapTasks(cores: 4, incremental: false, fhir: true) == 1)
    }
}
