import Export
import Foundation
import Logging
import Pipeline
import PWSCore
import PWSTestSupport
import Synthetic
import Testing

/// The sharded run (spec §A7): for every (map tasks, partitions) tried, the published outputs
/// are the bytes `pws run` publishes (run.json aside), on random data built to hit the
/// cross-file rules (E-DUPLICATE-ID, W-DUPLICATE, unregistered RTs in several files, the
/// default as-of, the reject-rate refusal) and on the generator's data.
@Suite struct ShardedRunTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Every file under `dir` but run.json and hidden entries, following the published link.
    static func snapshot(_ dir: String) -> [String: Data] {
        var result: [String: Data] = [:]
        let fm = FileManager.default
        func walk(_ path: String, _ rel: String) {
            for name in (try? fm.contentsOfDirectory(atPath: path)) ?? [] where !name.hasPrefix(".") {
                let full = path + "/" + name, key = rel.isEmpty ? name : rel + "/" + name
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: full, isDirectory: &isDir) else { continue }
                if isDir.boolValue { walk(full, key) } else if name != "run.json" { result[key] = fm.contents(atPath: full) }
            }
        }
        walk(dir, "")
        return result
    }

    static func request(data: String, out: String, asOf: YearMonth? = nil, keepIdentifiers: Bool = false) -> RunRequest {
        RunRequest(command: "run", arguments: [], pipelinePath: PipelineDefinition.defaultPath(), dataDirectory: data,
                   outputDirectory: out, asOf: asOf, today: Day(year: 2026, month: 1, day: 10)!,
                   keepIdentifiers: keepIdentifiers, excel: false)
    }

    /// Runs `pws run` and the sharded run for each shape; every output must be equal.
    /// - Returns: the exit status of `pws run`.
    @discardableResult
    static func compare(data: String, in folder: String, shapes: [(Int, Int)], asOf: YearMonth? = nil,
                        keepIdentifiers: Bool = false) throws -> PWSCore.ExitStatus {
        let reference = try ShardedRun.runOneProcess(request: request(data: data, out: folder + "/reference", asOf: asOf,
                                                                      keepIdentifiers: keepIdentifiers))
        let expected = snapshot(folder + "/reference")
        #expect(!expected.isEmpty)
        for (m, p) in shapes {
            let out = folder + "/out-\(m)x\(p)"
            let report = try ShardedRun.runAll(request: request(data: data, out: out, asOf: asOf, keepIdentifiers: keepIdentifiers),
                                               shared: folder + "/shared-\(m)x\(p)", mapTasks: m, partitions: p)
            #expect(report.exitStatus == reference.exitStatus, "\(m) x \(p): exit status")
            let got = snapshot(out)
            #expect(got.keys.sorted() == expected.keys.sorted(), "\(m) x \(p): the same files")
            for (name, bytes) in expected where got[name] != bytes {
                Issue.record("\(m) x \(p): \(name) differs from pws run's")
            }
        }
        return reference.exitStatus
    }

    static func runOneProcess(data: String, out: String, asOf: YearMonth?) throws -> RunReport {
        try ShardedRun.runOneProcess(request: request(data: data, out: out, asOf: asOf))
    }

    // MARK: random data

    /// A data folder with the sample register and targets and `files` random service files:
    /// persons living in registered and unregistered RTs, record ids drawn from a pool smaller
    /// than the rows (a reused id with other content: E-DUPLICATE-ID), rows copied exactly or
    /// under a new id into other files (W-DUPLICATE), unparsable results, future dates.
    /// `badShare` percent of the new rows are rejected: half reuse an earlier row's id with
    /// other content (E-DUPLICATE-ID), half are dated after today (E-FUTURE).
    static func randomData(seed: UInt64, at dir: String, files: Int, rowsPerFile: ClosedRange<Int>,
                           persons personCount: Int, badShare: Int = 4) throws {
        var rng = SeededRandom(seed: seed)
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/layanan", withIntermediateDirectories: true)
        for name in ["wilayah.csv", "sasaran.csv"] {
            try fm.copyItem(atPath: root + "/sample-data/" + name, toPath: dir + "/" + name)
        }
        let wilayah = try String(contentsOfFile: dir + "/wilayah.csv", encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        struct Person { var nik: String; var birth: String; var female: Bool; var child: Bool; var village: String; var rw: String; var rt: String }
        let persons: [Person] = (0..<personCount).map { k in
            let place = wilayah[Int.random(in: 0..<wilayah.count, using: &rng)]
            let child = k % 2 == 0
            let female = !child || Bool.random(using: &rng)
            let year = child ? Int.random(in: 2022...2024, using: &rng) : Int.random(in: 1988...2002, using: &rng)
            let month = Int.random(in: 1...12, using: &rng), day = Int.random(in: 1...28, using: &rng)
            let nik = "320101" + String(format: "%02d%02d%02d", day + (female ? 40 : 0), month, year % 100)
                + String(format: "%04d", k + 1)
            let unregistered = Int.random(in: 0..<8, using: &rng) == 0
            return Person(nik: nik, birth: "\(day)/\(month)/\(year)", female: female, child: child,
                          village: String(place[0]), rw: String(place[7]),
                          rt: unregistered ? "0\(90 + k % 9)" : String(place[8]))
        }
        let header = "id,tanggal,no_identitas,nama,tgl_lahir,jk,kode_kelurahan,rw,rt,jenis_fasilitas,kode_fasilitas,layanan,nilai,pemberi_layanan,hpht"
        var emitted: [[String]] = []
        for f in 0..<files {
            var lines = [header]
            for _ in 0..<Int.random(in: rowsPerFile, using: &rng) {
                let roll = Int.random(in: 0..<100, using: &rng)
                if roll < 12, let copy = emitted.randomElement(using: &rng) {
                    lines.append(copy.joined(separator: ","))  // the same row again: W-DUPLICATE
                    continue
                }
                if roll < 17, var copy = emitted.randomElement(using: &rng) {
                    copy[0] = "N\(f)-\(lines.count)"  // same event under a new id: W-DUPLICATE
                    lines.append(copy.joined(separator: ","))
                    continue
                }
                let p = persons[Int.random(in: 0..<persons.count, using: &rng)]
                let month = Int.random(in: 1...12, using: &rng), day = Int.random(in: 1...28, using: &rng)
                let bad = Int.random(in: 0..<200, using: &rng) < badShare * 2
                let year = bad && roll % 2 == 0 ? 2026 : (roll < 30 ? 2024 : 2025)
                let date = "\(day)/\(month)/\(year)"
                let service: String, value: String, hpht: String
                if p.child {
                    service = ["TIMBANG", "TIMBANG", "HB0", "BCG", "POLIO1"].randomElement(using: &rng)!
                    value = service == "TIMBANG" ? (roll % 19 == 0 ? "abc" : "\(Int.random(in: 4...16, using: &rng)).\(roll % 10)") : ""
                    hpht = ""
                } else {
                    service = ["ANC", "ANC", "PERSALINAN", "NIFAS", "TIMBANG"].randomElement(using: &rng)!
                    value = service == "TIMBANG" ? "\(Int.random(in: 40...80, using: &rng))" : ""
                    hpht = service == "ANC" ? "\(Int.random(in: 1...28, using: &rng))/\(max(1, month - Int.random(in: 1...6, using: &rng)))/\(year)" : ""
                }
                let facility = ["PKM-1", "PSY-2", "PSY-3", ""].randomElement(using: &rng)!
                let type = facility.hasPrefix("PKM") ? "Puskesmas" : "Posyandu"
                let id = bad && roll % 2 == 1 && !emitted.isEmpty ? emitted.randomElement(using: &rng)![0] : "R\(emitted.count)"
                let row = [id, date, p.nik, "Nama \(p.nik.suffix(4))", p.birth, p.female ? "Perempuan" : "Laki-laki",
                           p.village, p.rw, p.rt, type, facility, service, value,
                           ["Bidan", "Kader", "Dokter"].randomElement(using: &rng)!, hpht]
                emitted.append(row)
                lines.append(row.joined(separator: ","))
            }
            let name = String(format: "layanan/2025-%02d_f%02d.csv", f % 12 + 1, f)
            try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/" + name, atomically: false, encoding: .utf8)
        }
    }

    @Test(arguments: [UInt64(1), 2])
    func randomDataIsExact(seed: UInt64) throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try ShardedRunTests.randomData(seed: seed, at: data, files: 5, rowsPerFile: 10...40, persons: 14)
        // 1, primes, more map tasks than files, more partitions than persons.
        let status = try ShardedRunTests.compare(data: data, in: tmp.url.path,
                                                 shapes: [(1, 1), (3, 7), (8, 2), (2, 31)])
        #expect(status == .success, "the reference run published (so the indicators were compared)")
        // The cross-file rules were met (checked over the reference's outputs).
        let month = try FileManager.default.contentsOfDirectory(atPath: tmp.url.path + "/reference")
            .first { !$0.hasPrefix(".") && $0 != "refused" } ?? "refused"
        let base = month == "refused" ? tmp.url.path + "/reference/refused/" + (try FileManager.default
            .contentsOfDirectory(atPath: tmp.url.path + "/reference/refused").first ?? "") : tmp.url.path + "/reference/" + month
        let rejects = try String(contentsOfFile: base + "/rejects.csv", encoding: .utf8)
        let warnings = try String(contentsOfFile: base + "/warnings.csv", encoding: .utf8)
        #expect(rejects.contains("E-DUPLICATE-ID"))
        #expect(warnings.contains("W-DUPLICATE"))
        #expect(warnings.contains("W-AREA"))
    }

    /// A record id reused with another unreadable result (`abc` then `xyz`: W-RESULT, both
    /// without a value) is E-DUPLICATE-ID in the sharded run as in `pws run` — the dedup
    /// compares the raw result's hash with the content — and `abc` twice, or an implausible `0`
    /// and `0.0`, is W-DUPLICATE there too.
    @Test func aReusedIDWithAnotherUnreadableResultIsExact() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try ShardedRunTests.randomData(seed: 5, at: data, files: 3, rowsPerFile: 10...20, persons: 8, badShare: 0)
        let first = try String(contentsOfFile: data + "/layanan/2025-01_f00.csv", encoding: .utf8).split(separator: "\n")
        var fields = first[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[1] = "3/12/2025"
        fields[11] = "TIMBANG"
        func row(_ id: String, _ result: String) -> String {
            fields[0] = id
            fields[12] = result
            return fields.joined(separator: ",")
        }
        let rows = [first[0]] + [row("ZZ1", "abc"), row("ZZ1", "xyz"), row("ZZ2", "abc"), row("ZZ2", "abc"),
                                 row("ZZ3", "0"), row("ZZ3", "0.0")].map { Substring($0) }
        try (rows.joined(separator: "\n") + "\n").write(toFile: data + "/layanan/2025-12_zz.csv", atomically: false, encoding: .utf8)
        let status = try ShardedRunTests.compare(data: data, in: tmp.url.path, shapes: [(1, 1), (2, 3)])
        #expect(status == .success)
        let month = try #require(try FileManager.default.contentsOfDirectory(atPath: tmp.url.path + "/reference")
            .first { !$0.hasPrefix(".") })
        let rejects = try String(contentsOfFile: tmp.url.path + "/reference/" + month + "/rejects.csv", encoding: .utf8)
        let warnings = try String(contentsOfFile: tmp.url.path + "/reference/" + month + "/warnings.csv", encoding: .utf8)
        #expect(rejects.contains("layanan/2025-12_zz.csv,3,ZZ1,E-DUPLICATE-ID"), "\(rejects)")
        #expect(warnings.contains("layanan/2025-12_zz.csv,5,ZZ2,W-DUPLICATE"), "\(warnings)")
        // An implausible 0 and 0.0 parse to one value: the same result (§3 "as parsed").
        #expect(warnings.contains("layanan/2025-12_zz.csv,7,ZZ3,W-DUPLICATE"), "\(warnings)")
    }

    @Test func randomDataWithAnAsOfIsExact() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try ShardedRunTests.randomData(seed: 9, at: data, files: 4, rowsPerFile: 20...30, persons: 10)
        // Rows after June are out of period.
        let status = try ShardedRunTests.compare(data: data, in: tmp.url.path, shapes: [(2, 5), (4, 1)],
                                                 asOf: YearMonth(year: 2025, month: 6))
        #expect(status == .success)
    }

    @Test func refusedRunIsExact() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        // A reject rate over the pipeline's 5 %, counted over all files: refused alike.
        try ShardedRunTests.randomData(seed: 4, at: data, files: 4, rowsPerFile: 20...30, persons: 10, badShare: 30)
        let status = try ShardedRunTests.compare(data: data, in: tmp.url.path, shapes: [(3, 2)])
        #expect(status == .dataError)
    }

    @Test func generatorDataIsExact() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        var options = GeneratorOptions(seed: 7, records: 1200, year: 2025)
        options.problemRate = 0.05
        _ = try SyntheticGenerator(options: options).generate(into: data)
        try ShardedRunTests.compare(data: data, in: tmp.url.path, shapes: [(1, 1), (3, 5), (13, 2)])
        // The growth pass ran: W-GROWTH rows and a follow-up list, compared above.
        let base = tmp.url.path + "/reference/2025-12"
        #expect(try String(contentsOfFile: base + "/warnings.csv", encoding: .utf8).contains("W-GROWTH"))
        let followUp = try String(contentsOfFile: base + "/tindak-lanjut.csv", encoding: .utf8).split(separator: "\n")
        #expect(followUp.count > 1)
    }

    /// With `--keep-identifiers`: full ids, and the `name` column of `tindak-lanjut.csv`, whose
    /// names the map carries to the reduce of their person.
    @Test func generatorDataWithIdentifiersIsExact() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        var options = GeneratorOptions(seed: 11, records: 1200, year: 2025)
        options.problemRate = 0.05
        _ = try SyntheticGenerator(options: options).generate(into: data)
        try ShardedRunTests.compare(data: data, in: tmp.url.path, shapes: [(2, 3)], keepIdentifiers: true)
        let followUp = try String(contentsOfFile: tmp.url.path + "/reference/2025-12/tindak-lanjut.csv", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(followUp.first?[5] == "name")
        #expect(followUp.dropFirst().contains { !$0[5].isEmpty }, "some child has a name")
    }
}

/// `pws run --partitions P`: the same bytes as `pws run`, and nothing left of its partitions.
@Suite struct PartitionedRunTests {
    @Test func partitionedRunIsExact() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try ShardedRunTests.randomData(seed: 21, at: data, files: 4, rowsPerFile: 15...30, persons: 12)
        let reference = try ShardedRun.runOneProcess(request: ShardedRunTests.request(data: data, out: tmp.url.path + "/reference"))
        #expect(reference.exitStatus == .success)
        let expected = ShardedRunTests.snapshot(tmp.url.path + "/reference")
        // In turn (one core) and several partitions at once (three); a map task per core, at
        // most four (six cores: four map tasks over the four files).
        for (p, cores) in [(1, 2), (5, 1), (5, 3), (40, 3), (3, 6)] {
            let out = tmp.url.path + "/out-\(p)-\(cores)"
            let request = ShardedRunTests.request(data: data, out: out)
            let runner = PipelineRunner(request: request, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
            let report = try ShardedRun.runPartitioned(runner: runner, partitions: p, cores: cores)
            #expect(report.exitStatus == .success)
            #expect(ShardedRunTests.snapshot(out) == expected, "--partitions \(p), \(cores) cores")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".partitions") }.isEmpty)
            // run.json times every stage of the run, and its total covers them all.
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: try #require(report.folder) + "/run.json")))
            let timings = try #require((manifest as? [String: Any])?["timings_seconds"] as? [String: Double])
            let sharded = try #require((manifest as? [String: Any])?["sharded"] as? [String: Any])
            #expect(sharded["map_tasks"] as? Int == min(cores, 4), "--partitions \(p), \(cores) cores")
            #expect(sharded["partitions"] as? Int == p)
            let stages = ["map", "dedup", "reduce", "merge_read", "aggregate", "export"]
            #expect(stages.allSatisfy { timings[$0] != nil }, "timings: \(timings.keys.sorted())")
            #expect((timings["total"] ?? 0) >= stages.compactMap { timings[$0] }.reduce(0, +))
        }
    }

    /// The whole partitioned run holds OUT's run lock, as `pws run` does: while another run
    /// holds it, `--partitions` fails at once with exit 75 — before reading the data folder
    /// (here one without service records, which the map would refuse) and without a scratch
    /// folder under OUT. Once the lock is free it runs.
    @Test func partitionedRunHoldsTheLockFromTheStart() throws {
        let tmp = try TemporaryFolder()
        let out = tmp.url.path + "/out"
        let empty = tmp.url.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let runner = PipelineRunner(request: ShardedRunTests.request(data: empty, out: out),
                                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        var other: RunLock? = try RunLock(outputDirectory: out)
        var status: PWSError.Code?
        do { _ = try ShardedRun.runPartitioned(runner: runner, partitions: 3) } catch let error as PWSError { status = error.code }
        #expect(status == .locked)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".partitions") }.isEmpty)
        withExtendedLifetime(other) {}
        other = nil
        status = nil
        do { _ = try ShardedRun.runPartitioned(runner: runner, partitions: 3) } catch let error as PWSError { status = error.code }
        #expect(status == .inputMissing, "the lock is free: the map reads the folder and finds no service records")
    }
}

/// A reduce bounds its counting threads by their dense tallies (one each), so that its memory
/// does not grow with the machine's cores (the budget is 288 MiB).
@Suite struct ReduceCountingWorkersTests {
    @Test func tallyBudgetBoundsTheThreads() {
        // 30 M records: 134 MB a tally; 288 MiB = 301 989 888 bytes holds 2 of them.
        #expect(ShardedRun.countingWorkers(tallyBytes: 134_000_000, available: 8) == 2)
        #expect(ShardedRun.countingWorkers(tallyBytes: 134_000_000, available: 1) == 1)
        // 10 M records: 45 MB a tally, 6 fit.
        #expect(ShardedRun.countingWorkers(tallyBytes: 45_000_000, available: 8) == 6)
        #expect(ShardedRun.countingWorkers(tallyBytes: 45_000_000, available: 2) == 2)
        // A tally above the whole budget: one thread, never none.
        #expect(ShardedRun.countingWorkers(tallyBytes: 500_000_000, available: 8) == 1)
        // Exactly at the budget: one; nothing to count: all threads.
        #expect(ShardedRun.countingWorkers(tallyBytes: 288 << 20, available: 4) == 1)
        #expect(ShardedRun.countingWorkers(tallyBytes: 0, available: 4) == 4)
        #expect(ShardedRun.tallyBudget == 301_989_888)
    }
}
