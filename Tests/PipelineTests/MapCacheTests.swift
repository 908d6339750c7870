import Foundation
import Logging
import Pipeline
import PWSCore
import PWSTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The incremental map cache of `pws run --partitions P --incremental` (spec §A7, docs/scale.md
/// "The incremental cache"): a rerun reads only new or changed files and publishes the bytes a
/// fresh `pws run` publishes; a changed catalogue or register invalidates every entry, a
/// changed `--today` the entries of files with a visit after the old today; an entry that cannot be used is rebuilt; entries no kept run uses are pruned.
@Suite struct MapCacheTests {
    static let today = Day(year: 2026, month: 1, day: 10)!

    static func request(data: String, out: String, pipeline: String? = nil, today: Day = today,
                        asOf: YearMonth? = nil) -> RunRequest {
        var request = ShardedRunTests.request(data: data, out: out, asOf: asOf)
        if let pipeline { request.pipelinePath = pipeline }
        request.today = today
        return request
    }

    /// `pws run --partitions 3 --incremental` (and `--rehash`).
    static func incremental(data: String, out: String, pipeline: String? = nil, today: Day = today,
                            asOf: YearMonth? = nil, rehash: Bool = false, partitions: Int = 3) throws -> RunReport {
        let runner = PipelineRunner(request: request(data: data, out: out, pipeline: pipeline, today: today, asOf: asOf),
                                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        return try ShardedRun.runPartitioned(runner: runner, partitions: partitions,
                                             incremental: MapCacheOptions(rehash: rehash))
    }

    /// The published outputs of a fresh `pws run` (run.json aside).
    static func reference(data: String, out: String, pipeline: String? = nil, today: Day = today,
                          asOf: YearMonth? = nil) throws -> [String: Data] {
        let report = try ShardedRun.runOneProcess(request: request(data: data, out: out, pipeline: pipeline, today: today,
                                                                   asOf: asOf))
        #expect(report.exitStatus == .success)
        return ShardedRunTests.snapshot(out)
    }

    /// The report's first line: `map cache: R of N file(s) read, C from the cache, H of N hashed, map S s (…)`.
    static func counts(_ report: RunReport) -> (read: Int, cached: Int, hashed: Int, rebuilt: Int)? {
        guard let line = report.lines.first(where: { $0.hasPrefix("map cache: ") && $0.contains(" read, ") }) else {
            return nil
        }
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        // read, total, cached, hashed, total[, rebuilt]
        guard numbers.count >= 5 else { return nil }
        return (numbers[0], numbers[2], numbers[3], line.contains("rebuilt") ? numbers.last! : 0)
    }

    static func entries(_ out: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: out + "/.cache/map/entries")) ?? []).sorted()
    }

    /// Sets the access and modification times of `path` to `seconds` ago (a prune keeps every
    /// entry younger than an hour).
    static func age(_ path: String, seconds: Int) {
        var old = [timespec(tv_sec: time(nil) - seconds, tv_nsec: 0), timespec(tv_sec: time(nil) - seconds, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &old, 0) == 0, "\(path)")
    }

    static func makeData(_ tmp: TemporaryFolder, seed: UInt64 = 31) throws -> String {
        let data = tmp.url.path + "/data"
        try ShardedRunTests.randomData(seed: seed, at: data, files: 5, rowsPerFile: 15...30, persons: 12)
        return data
    }

    /// A copy of `pipelines/` to change.
    static func pipelineCopy(_ tmp: TemporaryFolder) throws -> String {
        let folder = tmp.url.path + "/pipelines"
        try FileManager.default.copyItem(atPath: ShardedRunTests.root + "/pipelines", toPath: folder)
        return folder + "/default.yaml"
    }

    static func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    @Test func warmRerunIsColdRunAndPwsRun() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference")
        let out = tmp.url.path + "/out"
        let cold = try MapCacheTests.incremental(data: data, out: out)
        #expect(cold.exitStatus == .success)
        #expect(MapCacheTests.counts(cold)?.read == 5)
        #expect(MapCacheTests.counts(cold)?.cached == 0)
        #expect(ShardedRunTests.snapshot(out) == expected, "cold")
        #expect(MapCacheTests.entries(out).count == 5)
        let warm = try MapCacheTests.incremental(data: data, out: out)
        #expect(MapCacheTests.counts(warm)?.read == 0)
        #expect(MapCacheTests.counts(warm)?.cached == 5)
        #expect(ShardedRunTests.snapshot(out) == expected, "warm")
        // Another partition count has entries of its own (an entry holds its rows split by P):
        // every file is read again, and the outputs are the same.
        let other = try MapCacheTests.incremental(data: data, out: out, partitions: 7)
        #expect(MapCacheTests.counts(other)?.read == 5)
        #expect(MapCacheTests.counts(other)?.cached == 0)
        #expect(MapCacheTests.entries(out).count == 10)
        #expect(ShardedRunTests.snapshot(out) == expected, "warm, 7 partitions")
        #expect(MapCacheTests.counts(try MapCacheTests.incremental(data: data, out: out, partitions: 7))?.cached == 5)
        // --as-of is not in the key: the per-row rules do not read it.
        let asOf = YearMonth(year: 2025, month: 6)
        let expectedAsOf = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference-asof", asOf: asOf)
        let june = try MapCacheTests.incremental(data: data, out: tmp.url.path + "/out", asOf: asOf)
        #expect(MapCacheTests.counts(june)?.cached == 5)
        let published = ShardedRunTests.snapshot(out).filter { $0.key.hasPrefix("2025-06/") }
        #expect(published == expectedAsOf)
    }

    @Test func onlyNewAndChangedFilesAreRead() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out"
        _ = try MapCacheTests.incremental(data: data, out: out)
        // One file changed (its last row dropped), one new file between the others (a new month
        // of the file order): 2 read, 4 from the cache.
        let changed = data + "/layanan/2025-03_f02.csv"
        var lines = try String(contentsOfFile: changed, encoding: .utf8).split(separator: "\n")
        lines.removeLast()
        try (lines.joined(separator: "\n") + "\n").write(toFile: changed, atomically: false, encoding: .utf8)
        try FileManager.default.copyItem(atPath: data + "/layanan/2025-01_f00.csv", toPath: data + "/layanan/2025-02_new.csv")
        let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference")
        let warm = try MapCacheTests.incremental(data: data, out: out)
        #expect(MapCacheTests.counts(warm)?.read == 2)
        #expect(MapCacheTests.counts(warm)?.cached == 4)
        #expect(ShardedRunTests.snapshot(out) == expected)
        // The copy repeats f00's ids and rows in another file: the cross-file rules saw it.
        let rejects = try String(contentsOfFile: out + "/2025-12/warnings.csv", encoding: .utf8)
        #expect(rejects.contains("W-DUPLICATE"))
    }

    @Test func changedCatalogueOrRegisterInvalidatesAllTodayOnlyFilesWithLaterVisits() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out"
        let pipeline = try MapCacheTests.pipelineCopy(tmp)
        #expect(MapCacheTests.counts(try MapCacheTests.incremental(data: data, out: out, pipeline: pipeline))?.read == 5)
        #expect(MapCacheTests.counts(try MapCacheTests.incremental(data: data, out: out, pipeline: pipeline))?.read == 0)
        // The service catalogue (a comment changes its sha256 only).
        try MapCacheTests.append("# changed\n", to: tmp.url.path + "/pipelines/services.yaml")
        #expect(MapCacheTests.counts(try MapCacheTests.incremental(data: data, out: out, pipeline: pipeline))?.read == 5)
        #expect(MapCacheTests.counts(try MapCacheTests.incremental(data: data, out: out, pipeline: pipeline))?.read == 0)
        // The indicator catalogue.
        try MapCacheTests.append("# changed\n", to: tmp.url.path + "/pipelines/indicators.yaml")
        #expect(MapCacheTests.counts(try MapCacheTests.incremental(data: data, out: out, pipeline: pipeline))?.read == 5)
        // --today: E-FUTURE is the one rule that reads today, so only the files with a visit on
        // the new today itself (after the old one, not after the new one) are read again; the
        // others' entries hold, those with visits after both todays with their E-FUTURE
        // messages made to name the new one (checked below against an uncached run).
        let later = Day(year: 2026, month: 1, day: 11)!
        #expect(try MapCacheTests.filesWithVisits(after: later, in: data) > 0)
        let moved = try MapCacheTests.filesWithVisits(after: MapCacheTests.today, through: later, in: data)
        #expect(MapCacheTests.counts(try MapCacheTests.incremental(data: data, out: out, pipeline: pipeline, today: later))?.read == moved)
        #expect(ShardedRunTests.snapshot(out) == (try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference-later",
                                                                               pipeline: pipeline, today: later)))
        #expect(MapCacheTests.counts(try MapCacheTests.incremental(data: data, out: out, pipeline: pipeline, today: later))?.read == 0)
        // The register: a new RT (099, which the random data does not use) in the last village.
        let wilayah = data + "/wilayah.csv"
        let rows = try String(contentsOfFile: wilayah, encoding: .utf8).split(separator: "\n")
        var last = rows.last!.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        last[8] = "099"
        try MapCacheTests.append(last.joined(separator: ",") + "\n", to: wilayah)
        let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference", pipeline: pipeline,
                                                   today: later)
        let report = try MapCacheTests.incremental(data: data, out: out, pipeline: pipeline, today: later)
        #expect(MapCacheTests.counts(report)?.read == 5)
        #expect(ShardedRunTests.snapshot(out) == expected)
    }

    /// The service files of `data` with a visit date (column 2, D/M/YYYY) after `day` (and on or
    /// before `through`): counted here from the text, apart from the checker.
    static func filesWithVisits(after day: Day, through last: Day = Day(raw: .max), in data: String) throws -> Int {
        let folder = data + "/layanan"
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { name in
            let rows = try String(contentsOfFile: folder + "/" + name, encoding: .utf8).split(separator: "\n").dropFirst()
            return rows.contains { row in
                let date = row.split(separator: ",", omittingEmptySubsequences: false)[1].split(separator: "/").compactMap { Int($0) }
                return date.count == 3 && Day(year: date[2], month: date[1], day: date[0]).map { $0 > day && $0 <= last } == true
            }
        }.count
    }

    /// A nightly run's today moves on: a file's first entry holds for every today between the
    /// visits its E-FUTURE rule compared, on either side of the today it was built with (with
    /// its E-FUTURE messages made to name the run's today); a run with a today outside them
    /// reads the file and writes an entry keyed with that today. Each run publishes what an
    /// uncached `pws run` with the same today publishes — the rejects' messages included.
    @Test func todayMovingOnReadsOnlyTheFilesWithAVisitAfterIt() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try ShardedRunTests.randomData(seed: 31, at: data, files: 5, rowsPerFile: 15...30, persons: 12, badShare: 0)
        #expect(try MapCacheTests.filesWithVisits(after: MapCacheTests.today, in: data) == 0)
        // One row of f02 again under a new id, its visit on 12/1/2026.
        let f02 = data + "/layanan/2025-03_f02.csv"
        let lines = try String(contentsOfFile: f02, encoding: .utf8).split(separator: "\n")
        var row = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        row[0] = "FUTURE-1"
        row[1] = "12/1/2026"
        try MapCacheTests.append(row.joined(separator: ",") + "\n", to: f02)
        #expect(try MapCacheTests.filesWithVisits(after: MapCacheTests.today, in: data) == 1)
        let out = tmp.url.path + "/out"
        // (today, files read): f02's first entry (built on the 10th) holds while 12/1 is after
        // today (the 11th: its E-FUTURE message now names the 11th); on the 15th and the 20th
        // it does not, and f02 is read for each; on the 10th again it holds.
        let nights: [(Int, Int)] = [(10, 5), (11, 0), (11, 0), (15, 1), (20, 1), (10, 0)]
        for (n, (day, read)) in nights.enumerated() {
            let today = Day(year: 2026, month: 1, day: day)!
            // As of 2025-12 every night, so the outputs stay in one folder.
            let asOf = YearMonth(year: 2025, month: 12)
            let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference-\(n)", today: today,
                                                       asOf: asOf)
            let report = try MapCacheTests.incremental(data: data, out: out, today: today, asOf: asOf)
            #expect(MapCacheTests.counts(report)?.read == read, "night \(n), today \(today)")
            #expect(report.lines.allSatisfy { !$0.contains("cannot be used") })
            #expect(ShardedRunTests.snapshot(out) == expected, "night \(n), today \(today)")
            let rejects = try String(contentsOfFile: out + "/2025-12/rejects.csv", encoding: .utf8)
            #expect(rejects.contains("FUTURE-1") == (day < 12), "night \(n)")
            #expect(rejects.contains("is after today (\(today))") == (day < 12), "night \(n)")
        }
        // 5 entries keyed without today, and f02's for the 15th and the 20th.
        #expect(MapCacheTests.entries(out).count == 7)
    }

    /// A data folder, OUT after one incremental run, its entries' folder and names.
    static func cached(_ tmp: TemporaryFolder) throws -> (data: String, out: String, folder: String, names: [String]) {
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out"
        _ = try MapCacheTests.incremental(data: data, out: out)
        return (data, out, out + "/.cache/map/entries/", MapCacheTests.entries(out))
    }

    @Test func unusableEntriesAreRebuiltNeverTrusted() throws {
        let tmp = try TemporaryFolder()
        let (data, out, folder, names) = try Self.cached(tmp)
        #expect(names.count == 5)
        // A flipped bit in the middle (in a partition's rows, which only dedup and reduce read),
        // a truncated entry, and another file's entry (another key) under this one's name.
        var flipped = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + names[0])))
        flipped[flipped.count / 2] ^= 0x40
        try Data(flipped).write(to: URL(fileURLWithPath: folder + names[0]))
        let whole = try Data(contentsOf: URL(fileURLWithPath: folder + names[1]))
        try whole.prefix(whole.count - 10).write(to: URL(fileURLWithPath: folder + names[1]))
        try FileManager.default.removeItem(atPath: folder + names[2])
        try FileManager.default.copyItem(atPath: folder + names[3], toPath: folder + names[2])
        // And a new file, last in read order: the unusable entries are met (and their files
        // read again) while the new file is being read.
        try FileManager.default.copyItem(atPath: data + "/layanan/2025-02_f01.csv", toPath: data + "/layanan/2025-12_new.csv")
        let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference")
        let warm = try MapCacheTests.incremental(data: data, out: out)
        // The map rebuilt the truncated and the misnamed entry (and read the new file), and took
        // the flipped one and the 2 others from the cache; the dedup or reduce task that met the
        // flipped bit read that file again and rebuilt its entry in place. 3 entries rebuilt.
        #expect(MapCacheTests.counts(warm)?.read == 3)
        #expect(MapCacheTests.counts(warm)?.cached == 3)
        #expect(MapCacheTests.counts(warm)?.rebuilt == 3)
        let notes = warm.lines.filter { $0.contains("cannot be used") }
        #expect(notes.count == 3)
        #expect(notes.contains {
            $0.contains("(entry \(folder + names[0]) is corrupted (checksum of a block differs)); ")
                && $0.hasSuffix(" read the file again and rebuilt its entry") && ($0.contains("; dedup task ") || $0.contains("; reduce task "))
        })
        #expect(notes.contains { $0.contains("truncated") })
        #expect(notes.contains { $0.contains("other settings") })
        #expect(ShardedRunTests.snapshot(out) == expected)
        // Rebuilt: the next run reads nothing.
        let next = try MapCacheTests.incremental(data: data, out: out)
        #expect(MapCacheTests.counts(next)?.read == 0)
        #expect(ShardedRunTests.snapshot(out) == expected)
    }

    /// A FIFO, a dangling link or a folder in an entry's place is refused at once (never waited
    /// on), with its console line, removed and the file read again; a missing entry is read like
    /// a new file. The next run reads nothing.
    @Test func entriesThatAreNotPlainFilesAreNamedAndRebuilt() throws {
        let tmp = try TemporaryFolder()
        let (data, out, folder, names) = try Self.cached(tmp)
        try FileManager.default.removeItem(atPath: folder + names[0])
        #expect(mkfifo(folder + names[0], 0o644) == 0)
        try FileManager.default.removeItem(atPath: folder + names[1])
        #expect(symlink(folder + "gone", folder + names[1]) == 0)
        try FileManager.default.removeItem(atPath: folder + names[2])
        try FileManager.default.createDirectory(atPath: folder + names[2] + "/inside", withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: folder + names[3])
        let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference")
        let warm = try MapCacheTests.incremental(data: data, out: out)
        #expect(MapCacheTests.counts(warm)?.read == 4)
        #expect(MapCacheTests.counts(warm)?.rebuilt == 3)
        let notes = warm.lines.filter { $0.contains("cannot be used") }
        #expect(notes.count == 3, "\(warm.lines)")
        #expect(notes.contains { $0.contains("(entry \(folder + names[0]) is not a plain file)") }, "\(notes)")
        #expect(notes.contains { $0.contains("(entry \(folder + names[1]) is missing)") }, "\(notes)")
        #expect(notes.contains { $0.contains("(entry \(folder + names[2]) is not a plain file)") }, "\(notes)")
        #expect(ShardedRunTests.snapshot(out) == expected)
        #expect(MapCacheTests.counts(try MapCacheTests.incremental(data: data, out: out))?.read == 0)
    }

    @Test func entriesNoKeptRunUsesArePruned() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out"
        let pipeline = try MapCacheTests.pipelineCopy(tmp)
        let definition = tmp.url.path + "/pipelines/default.yaml"
        let text = try String(contentsOfFile: definition, encoding: .utf8)
        #expect(text.contains("retention: 5"))
        try text.replacingOccurrences(of: "retention: 5", with: "retention: 2")
            .write(toFile: definition, atomically: false, encoding: .utf8)
        _ = try MapCacheTests.incremental(data: data, out: out, pipeline: pipeline)
        let first = Set(MapCacheTests.entries(out))
        #expect(first.count == 5)
        // Run 2: f04 changed — 6 entries, both runs kept.
        try MapCacheTests.append("\n", to: data + "/layanan/2025-05_f04.csv")
        _ = try MapCacheTests.incremental(data: data, out: out, pipeline: pipeline)
        let second = Set(MapCacheTests.entries(out))
        #expect(second.count == 6)
        #expect(second.isSuperset(of: first))
        // Run 3: f04 changed again — run 1 is pruned (retention 2), and with it the entry of
        // f04's first version, which only run 1 used (written over an hour ago); run 2's f04
        // entry stays.
        for name in second { MapCacheTests.age(out + "/.cache/map/entries/" + name, seconds: 2 * 3600) }
        try MapCacheTests.append("\n", to: data + "/layanan/2025-05_f04.csv")
        _ = try MapCacheTests.incremental(data: data, out: out, pipeline: pipeline)
        let third = Set(MapCacheTests.entries(out))
        #expect(third.count == 6)
        #expect(first.subtracting(third).count == 1)
        #expect(third.isSuperset(of: second.subtracting(first)))
        let runs = try FileManager.default.contentsOfDirectory(atPath: out + "/.runs").filter { !$0.hasPrefix(".") }.sorted()
        let records = try FileManager.default.contentsOfDirectory(atPath: out + "/.cache/map/runs").sorted()
        #expect(runs.count == 2)
        #expect(records == runs)
    }

    /// The hash index: a file whose size, mtime, ctime and inode are those recorded is not
    /// hashed again; a file rewritten with its size and mtime restored is (its ctime moved);
    /// `--rehash` hashes every file.
    @Test func hashIndexTrustsOnlyAnUnchangedStat() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out"
        // A file whose mtime or ctime is not more than 2 s older than its hashing is not
        // recorded (a write in the same clock tick as the hashing could go unseen): one with an
        // mtime an hour ahead is hashed on every run.
        let future = data + "/layanan/2025-04_f03.csv"
        var ahead = [timespec(tv_sec: time(nil) + 3600, tv_nsec: 0), timespec(tv_sec: time(nil) + 3600, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, future, &ahead, 0) == 0)
        Thread.sleep(forTimeInterval: 3)
        let first = try MapCacheTests.incremental(data: data, out: out)
        #expect(MapCacheTests.counts(first)?.hashed == 5)
        #expect(MapCacheTests.counts(first)?.read == 5)
        let trusted = try MapCacheTests.incremental(data: data, out: out)
        #expect(MapCacheTests.counts(trusted)?.hashed == 1)
        #expect(MapCacheTests.counts(trusted)?.cached == 5)
        // Same size, same mtime (to the nanosecond), other bytes: the ctime gives it away.
        let path = data + "/layanan/2025-02_f01.csv"
        var st = stat()
        #expect(stat(path, &st) == 0)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let name = Array("Nama ".utf8)
        let at = (0..<bytes.count - name.count).last { Array(bytes[$0..<$0 + name.count]) == name }!
        bytes[at] = UInt8(ascii: "M")  // "Nama 0007" → "Mama 0007": same size, other bytes
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var times = [timespec(tv_sec: st.st_atim.tv_sec, tv_nsec: st.st_atim.tv_nsec),
                     timespec(tv_sec: st.st_mtim.tv_sec, tv_nsec: st.st_mtim.tv_nsec)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        var after = stat()
        #expect(stat(path, &after) == 0)
        #expect(after.st_size == st.st_size && after.st_mtim.tv_nsec == st.st_mtim.tv_nsec)
        let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference")
        let changed = try MapCacheTests.incremental(data: data, out: out)
        #expect(MapCacheTests.counts(changed)?.hashed == 2)
        #expect(MapCacheTests.counts(changed)?.read == 1)
        #expect(ShardedRunTests.snapshot(out) == expected)
        let rehashed = try MapCacheTests.incremental(data: data, out: out, rehash: true)
        #expect(MapCacheTests.counts(rehashed)?.hashed == 5)
        #expect(MapCacheTests.counts(rehashed)?.read == 0)
    }
}
