import CSV
import Foundation
import Ingest
import PWSCore
import Testing
@testable import Validate

/// Both cores on reading and checking (`ParallelRowChecking`): workers apply the per-row rules
/// to runs of files, the calling thread the rules across rows in file order. Whatever the
/// number of workers and however the files are cut into units, the outcome must be the one
/// of the single reading thread (`checkingWorkers = 0`).
@Suite struct ParallelCheckingTests {
    static let header = ChunkedReadingTests.header

    /// Everything a run hands on that order could change, as text.
    static func summary(_ o: ValidationOutcome) -> [String] {
        func lines(_ d: [Diagnostic]) -> [String] {
            d.map { "\($0.location)|\($0.recordID)|\($0.rule.rawValue)|\($0.field)|\($0.value)|\($0.message)" }
        }
        var out = lines(o.rejects) + ["--"] + lines(o.warnings) + ["--"]
        for (i, e) in o.events.events.enumerated() {
            out.append("\(o.location(ofEvent: i))|p\(e.person)|r\(e.record)|\(o.events.recordIDs[e.record])|\(e.visit)|\(e.birth)|s\(e.service)|rt\(e.rt)|g\(e.pregnancy)|f\(e.facility)|\(e.result.bitPattern)|\(e.result2.bitPattern)|\(e.lmp)|\(e.gestationalWeeks)|\(e.sex)|\(e.facilityType)|\(e.provider)")
        }
        out.append("--")
        out += o.files.map { "\($0)" } + ["\(o.total)"]
        out += o.register.rts.map { "\($0.village)/\($0.rw)/\($0.rt)/\($0.registered)" }
        out += o.notes + o.positions + o.sources + ["\(String(describing: o.asOf))"]
        out += (0..<UInt32(o.events.personIDs.count)).map { o.events.personIDs[$0] }
        return out
    }

    static func run(_ folder: DataFolder, workers: Int, unitBytes: Int = 128 << 10,
                    settings base: ValidationSettings = DataFolder.settings()) throws -> ValidationOutcome {
        var settings = base
        settings.checkingWorkers = workers
        settings.checkingUnitBytes = unitBytes
        return try Validation.run(dataDirectory: folder.path, settings: settings)
    }

    /// Rejects and warnings are held until their files are written: past
    /// `maxHeldDiagnostics` the reading stops and the run throws (exit 66) naming the file it
    /// had reached — with one reading thread and with two workers. Rows with no date, person,
    /// birth date or sex break four rules each: 300 rows hold 1,200 rejects.
    @Test(arguments: [0, 2])
    func tooManyHeldRejectsStopTheRun(workers: Int) throws {
        let rows = (0..<300).map { "r\($0),,,,,3201010001,1,2,posyandu,TIMBANG,50" }
        let text = ([Self.header] + rows).joined(separator: "\n") + "\n"
        let folder = try DataFolder(layanan: ["layanan/a.csv": text, "layanan/b.csv": text])
        defer { folder.remove() }
        var settings = DataFolder.settings()
        settings.maxHeldDiagnostics = 1_000
        #expect {
            _ = try Self.run(folder, workers: workers, unitBytes: 1, settings: settings)
        } throws: { error in
            guard let e = error as? PWSError, e.exitStatus == .noInput else { return false }
            return e.message.hasPrefix("layanan/a.csv: the run holds ") && e.message.contains("rejects and warnings, more than 1000")
        }
        settings.maxHeldDiagnostics = 2_400
        let whole = try Self.run(folder, workers: workers, unitBytes: 1, settings: settings)
        #expect(whole.rejects.count == 2_400)
    }

    /// A hand-made case over three files, each its own unit (unit size 1 byte), two workers:
    /// b.csv reuses a.csv's id with other content (E-DUPLICATE-ID across the file boundary) and
    /// repeats a.csv's first event under a new id (W-DUPLICATE naming a.csv's line); c.csv,
    /// likely read by the other worker, repeats the same event again (W-DUPLICATE naming a.csv) and
    /// has a bad date; every file has a bad row.
    @Test func duplicatesAcrossFilesAreDecidedInFileOrder() throws {
        let rows = PropertyTests.validRows(4)
        let a = [rows[0], rows[1], rows[2].replacingOccurrences(of: "TIMBANG", with: "XRAY")]
        let b = [rows[1].replacingOccurrences(of: ",51", with: ",52"),  // id1 again, other result
                 "dupB," + rows[0].split(separator: ",", maxSplits: 1)[1],
                 rows[3].replacingOccurrences(of: "05/06/1990", with: "31/02/1990")]
        let c = ["dupC," + rows[0].split(separator: ",", maxSplits: 1)[1],
                 "id9,2025-13-01,3201014506900003,05/06/1990,P,3201010001,1,2,posyandu,TIMBANG,50"]
        func text(_ r: [String]) -> String { ([Self.header] + r).joined(separator: "\n") + "\n" }
        let folder = try DataFolder(layanan: ["layanan/a.csv": text(a), "layanan/b.csv": text(b),
                                              "layanan/c.csv": text(c)])
        defer { folder.remove() }
        let o = try Self.run(folder, workers: 2, unitBytes: 1)
        #expect(o.rejects.map { "\($0.location):\($0.rule.rawValue):\($0.recordID)" } == [
            "layanan/a.csv:4:E-SERVICE:id2", "layanan/b.csv:2:E-DUPLICATE-ID:id1", "layanan/b.csv:4:E-DATE:id3",
            "layanan/c.csv:3:E-DATE:id9",
        ])
        #expect(o.warnings.map { "\($0.location):\($0.rule.rawValue):\($0.recordID)" } ==
            ["layanan/b.csv:3:W-DUPLICATE:dupB", "layanan/c.csv:2:W-DUPLICATE:dupC"])
        #expect(o.warnings.allSatisfy { $0.message.contains("as layanan/a.csv:2 (record id0)") })
        #expect(o.files.map { "\($0.rowsRead)/\($0.rowsRejected)/\($0.rowsDuplicate)/\($0.rowsUsed)" } ==
            ["3/1/0/2", "3/2/1/0", "2/1/1/0"])
        #expect(o.events.events.count == 2)
        #expect(Self.summary(o) == Self.summary(try Self.run(folder, workers: 0)))
    }

    /// 40 small files of a noisy mix (every rule, ids reused within and across files, repeated
    /// events, unregistered RTs), every third file in Windows-1252 with a result that does not
    /// parse, one bad date in every file: 0, 1, 2 and 3 workers, files cut into units of one
    /// file, of a few files and of all files, give the same outcome.
    @Test func workerCountsAndUnitSizesGiveTheSameOutcome() throws {
        let all = CacheDifferentialTests.rows(40 * 60)
        let folder = try DataFolder(layanan: [:])
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.path + "/layanan", withIntermediateDirectories: true)
        for k in 0..<40 {
            var rows = Array(all[(k * 60)..<(k * 60 + 60)])
            if k > 0 {
                rows[10] = all[(k - 1) * 60 + 10]  // the previous file's row: same id, same event
                rows[11] = all[(k - 1) * 60 + 11].replacingOccurrences(of: "2025-", with: "2024-")
            }
            rows[30] = "bad\(k),31/02/2025,3201014506900001,05/06/1990,P,3201010001,001,001,posyandu,ANC,"
            var bytes = Array(([Self.header] + rows).joined(separator: "\n").utf8) + [10]
            if k % 3 == 0 {
                // A result "ab\u{E9}" in Windows-1252 (0xE9 is not UTF-8): W-RESULT shows it as "abé".
                bytes += Array("win\(k),2025-02-02,3201014506900001,05/06/1990,P,3201010001,001,001,posyandu,TIMBANG,ab".utf8)
                bytes += [0xE9, 10]
            }
            try Data(bytes).write(to: URL(fileURLWithPath: folder.path + "/layanan/f\(100 + k).csv"))
        }
        var settings = DataFolder.settings()
        settings.valueAliases = ["sex": ["wanita": "P"], "facility_type": ["rumah sakit": "rumah_sakit"]]
        let sequential = Self.summary(try Self.run(folder, workers: 0, settings: settings))
        for (workers, unit) in [(1, 1), (2, 1), (2, 5000), (3, 1), (2, 1 << 30), (1, 128 << 10)] {
            let parallel = Self.summary(try Self.run(folder, workers: workers, unitBytes: unit, settings: settings))
            #expect(parallel == sequential, "workers \(workers), unit \(unit) B")
        }
        // The mix exercises what it should.
        let o = try Self.run(folder, workers: 2, unitBytes: 1, settings: settings)
        #expect(Set(o.rejects.map(\.rule)).isSuperset(of: [.required, .date, .future, .sex, .area, .facility,
                                                             .service, .eligibility, .person, .duplicateID]))
        #expect(Set(o.warnings.map(\.rule)).isSuperset(of: [.areaWarning, .result, .duplicate]))
        #expect(o.rejects.filter { $0.recordID.hasPrefix("bad") }.count == 40)
        #expect(o.warnings.filter { $0.rule == .result && $0.value == "ab\u{E9}" }.count == 14)
        #expect(o.files.filter { $0.encoding == "windows-1252" }.count == 14)
        #expect(o.warnings.contains { $0.rule == .duplicate && $0.location.source == "layanan/f101.csv" &&
            $0.message.contains("layanan/f100.csv") })
        #expect(o.rejects.contains { $0.rule == .duplicateID && $0.location.source == "layanan/f101.csv" })
        #expect(o.register.rts.contains { !$0.registered })
        #expect(o.total.rowsRead == 40 * 60 + 14 && o.total.balances)
        #expect(o.total.rowsUsed > 400 && o.total.rowsDuplicate > 100, "\(o.total)")
    }

    /// With `--keep-identifiers`, names are interned in the merge as in the sequential pass:
    /// the last accepted row's name per person, across files read by different workers.
    @Test func namesAreKeptPerPersonInFileOrder() throws {
        var files: [String: String] = [:]
        for k in 0..<6 {
            let rows = PropertyTests.validRows(20).enumerated().map { i, row in
                row.replacingOccurrences(of: "id\(i),", with: "f\(k)-\(i),") + ",Nama \(k)-\(i % 3)"
            }
            files["layanan/f\(k).csv"] = ([Self.header + ",nama"] + rows).joined(separator: "\n") + "\n"
        }
        let folder = try DataFolder(layanan: files)
        defer { folder.remove() }
        let settings = DataFolder.settings(keep: true)
        let sequential = try Self.run(folder, workers: 0, settings: settings)
        let parallel = try Self.run(folder, workers: 2, unitBytes: 1, settings: settings)
        func names(_ o: ValidationOutcome) -> [String] {
            o.events.nameOfPerson.map { $0 == 0 ? "-" : o.events.personNames[$0 - 1] }
        }
        #expect(Self.summary(parallel) == Self.summary(sequential))
        #expect(names(parallel) == names(sequential))
        // 20 persons (ids …000–…019), each met in every file: the last file's name is kept.
        #expect(names(parallel) == (0..<20).map { "Nama 5-\($0 % 3)" })

        // A last row of person 0 that reuses a record id with other content (E-DUPLICATE-ID)
        // gives no name: it is rejected (its name went onto the follow-up list).
        let reused = PropertyTests.validRows(1)[0].replacingOccurrences(of: "id0,", with: "f0-1,") + ",Nama Ditolak"
        let withReject = try DataFolder(layanan: files.merging(
            ["layanan/f9.csv": ([Self.header + ",nama", reused].joined(separator: "\n")) + "\n"]) { $1 })
        defer { withReject.remove() }
        for workers in [0, 2] {
            let o = try Self.run(withReject, workers: workers, unitBytes: 1, settings: settings)
            #expect(o.rejects.map { "\($0.location) \($0.rule.rawValue)" } == ["layanan/f9.csv:2 E-DUPLICATE-ID"])
            #expect(names(o) == (0..<20).map { "Nama 5-\($0 % 3)" }, "workers \(workers)")
        }
    }

    /// A file that cannot be read stops the run with its error after the files before it, and
    /// no worker is left waiting (the run returns).
    @Test func anUnreadableFileStopsTheWorkers() throws {
        let text = "\(Self.header)\n" + PropertyTests.validRows(3).joined(separator: "\n") + "\n"
        let folder = try DataFolder(layanan: ["layanan/a.csv": text])
        defer { folder.remove() }
        let sources = ["layanan/a.csv"] + (0..<30).map { _ in "layanan/a.csv" } + ["layanan/gone.csv"] +
            (0..<30).map { _ in "layanan/a.csv" }
        let reader = RowChunkReader(directory: folder.path, sources: sources,
                                    names: try TableColumnNames(schema: .layanan), options: CSVReadOptions())
        let settings = DataFolder.settings()
        let register = try Validation.loadRegister(dataDirectory: folder.path, settings: settings).register
        var merged: [Int] = []
        var parallel = ParallelRowChecking(reader: reader, workers: 2)
        parallel.unitBytes = 1
        #expect(throws: PWSError.self) {
            _ = try parallel.run(makeChecker: { try ServiceRowChecker(settings: settings, register: register) },
                                 registeredRTs: register.rts.count) { merged.append($0.chunk.file) }
        }
        #expect(merged == Array(0..<31))
    }
}
