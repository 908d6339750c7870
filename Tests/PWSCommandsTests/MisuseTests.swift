import Concurrency
import Foundation
import Testing

/// Misuse of the command line that a second hostile-input campaign found ending in a trap, a
/// write at the file system's root, a replaced device node or a silent loss: each now ends
/// with a sentence and the documented exit status, before anything is written.
@Suite struct MisuseTests {
    static let sample = PWSBinary.packageRoot.appendingPathComponent("sample-data").path

    /// Every published file of the run folder `run` as text, named, and last the workbooks'
    /// XML inflated (`xlsx`); expects ten files or more and the workbook's sheet data.
    static func publishedTexts(_ run: String) throws -> [(String, String)] {
        var texts: [(String, String)] = []
        for name in try FileManager.default.subpathsOfDirectory(atPath: run) where !name.hasSuffix(".xlsx") {
            if let text = try? String(contentsOfFile: run + "/" + name, encoding: .utf8) { texts.append((name, text)) }
        }
        // The launcher's shell gets pws's path as $0 and the run folder as $1.
        let inflate = "cd \"$1\" && for f in *.xlsx; do python3 -c 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); [sys.stdout.write(z.read(n).decode()) for n in z.namelist()]' \"$f\"; done"
        let unzip = try PWSBinary.run([run], launcher: ["/bin/sh", "-c", inflate])
        texts.append(("xlsx", unzip.stdout))
        #expect(texts.count >= 10 && unzip.stdout.contains("<sheetData>"), "\(texts.map(\.0)) \(unzip.stderr)")
        return texts
    }

    /// Expects none of `niks` in any of `texts` (name, text), naming where one is.
    static func expectNone(of niks: [String], in texts: [(String, String)]) {
        for (name, text) in texts {
            for nik in niks { #expect(!text.contains(nik), "\(nik) in \(name)") }
        }
    }

    /// A data folder in `tmp` with sample-data's register and targets and an empty layanan/.
    static func registerOnly(_ tmp: TempFolder) throws -> String {
        let data = tmp.path + "/data"
        try FileManager.default.createDirectory(atPath: data + "/layanan", withIntermediateDirectories: true)
        for name in ["wilayah.csv", "sasaran.csv"] {
            try FileManager.default.copyItem(atPath: sample + "/" + name, toPath: data + "/" + name)
        }
        return data
    }

    /// A task index from the scheduler is checked as `--task` is (it trapped on an array index
    /// and left temporary files); a task count near Int.max no longer overflows the share.
    @Test func aSchedulersTaskIndexOutOfRangeIsAUsageError() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let shared = tmp.path + "/shared"
        let map = ["map", "--tasks", "2", "--partitions", "3", "--shared", shared, "--data", Self.sample,
                   "--today", "2026-01-10"]
        for (name, value) in [("SLURM_ARRAY_TASK_ID", "3"), ("JOB_COMPLETION_INDEX", "7")] {
            let r = try PWSBinary.run(map, environment: [name: value])
            #expect(r.status == 64, "\(name)=\(value): \(r.stderr)")
            #expect(r.stderr.contains("$\(name) is \(value), out of range 0…1 for --tasks 2"), "\(r.stderr)")
        }
        // A sign, a blank or a space is no scheduler's index ("+1" and "-0" were read as 1 and 0).
        for value in ["-1", "+1", "-0", "", " 1", "1e0"] {
            let r = try PWSBinary.run(map, environment: ["SLURM_ARRAY_TASK_ID": value])
            #expect(r.status == 64, "\(value): \(r.stderr)")
            #expect(r.stderr.contains("$SLURM_ARRAY_TASK_ID is \"\(value)\", not a task index (a whole number 0…1, digits only)"), "\(r.stderr)")
        }
        // Digits beyond Int are out of range (they were "not … digits only"); a line feed is
        // shown as \x0A, not printed.
        let nines = try PWSBinary.run(map, environment: ["SLURM_ARRAY_TASK_ID": String(repeating: "9", count: 30)])
        #expect(nines.status == 64 && nines.stderr.contains("$SLURM_ARRAY_TASK_ID is 999999999999999999999999999999, out of range 0…1 for --tasks 2"), "\(nines.stderr)")
        let feed = try PWSBinary.run(map, environment: ["SLURM_ARRAY_TASK_ID": "1\n"])
        #expect(feed.status == 64 && feed.stderr.contains("$SLURM_ARRAY_TASK_ID is \"1\\x0A\", not a task index"), "\(feed.stderr)")
        let huge = try PWSBinary.run(["map", "--task", "9223372036854775806", "--tasks", "9223372036854775807",
                                      "--partitions", "3", "--shared", shared, "--data", Self.sample])
        #expect(huge.status == 64, "\(huge.stderr)")
        #expect(huge.stderr.contains("--tasks must be at most 4096"), "\(huge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: shared), "nothing is written")
    }

    /// Partitions and tasks are at most 4096: 100 000 partitions of the sample data took minutes
    /// (200 000 files a map task), 2³² asked for 32 GiB before the first row.
    @Test func partitionsAndTasksHaveALimit() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let run = try PWSBinary.run(["run", "--partitions", "4097", "--data", Self.sample, "--out", tmp.path + "/out"])
        #expect(run.status == 64 && run.stderr.contains("--partitions must be 1…4096"), "\(run.stderr)")
        let map = try PWSBinary.run(["map", "--task", "0", "--tasks", "1", "--partitions", "4294967296",
                                     "--shared", tmp.path + "/shared", "--data", Self.sample])
        #expect(map.status == 64 && map.stderr.contains("--partitions must be 1…4096"), "\(map.stderr)")
        let dedup = try PWSBinary.run(["dedup", "--task", "0", "--tasks", "5000", "--shared", tmp.path + "/shared"])
        #expect(dedup.status == 64 && dedup.stderr.contains("--tasks must be at most 4096"), "\(dedup.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/out"))
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/shared"))
    }

    /// A negative number after a numeric option is that option's value, refused by its own
    /// check: ArgumentParser took `-1` for an option and said "Missing value for '--records'".
    @Test func negativeNumbersAreValuesOfTheirOption() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let cases: [([String], String)] = [
            (["generate", "--out", tmp.path + "/g", "--records", "-1"], "--records must be at least 1"),
            (["run", "--partitions", "-3", "--data", Self.sample, "--out", tmp.path + "/out"], "--partitions must be 1…4096"),
            (["map", "--task", "-1", "--tasks", "2", "--partitions", "2", "--shared", tmp.path + "/shared",
              "--data", Self.sample], "--task -1 is out of range 0…1"),
        ]
        for (arguments, message) in cases {
            let r = try PWSBinary.run(arguments)
            #expect(r.status == 64, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains(message) && !r.stderr.contains("Missing value"), "\(arguments): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/g"))
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/out"))
    }

    /// An empty `--shared` (an unset variable in a job script) is refused rather than taken as
    /// the root folder; a file in the way of the shared folder is an output error naming it.
    @Test func anEmptyOrFileSharedFolderIsRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        for stage in [["map", "--task", "0", "--tasks", "1", "--partitions", "2", "--data", Self.sample],
                      ["dedup", "--task", "0", "--tasks", "2"], ["reduce", "--task", "0", "--tasks", "2"], ["merge"]] {
            let r = try PWSBinary.run(stage + ["--shared", ""], cwd: tmp.path)
            #expect(r.status == 64, "\(stage[0]): \(r.stderr)")
            #expect(r.stderr.contains("--shared is empty"), "\(stage[0]): \(r.stderr)")
        }
        try "x".write(toFile: tmp.path + "/afile", atomically: true, encoding: .utf8)
        let r = try PWSBinary.run(["map", "--task", "0", "--tasks", "1", "--partitions", "2", "--shared", "afile",
                                   "--data", Self.sample, "--today", "2026-01-10"], cwd: tmp.path)
        #expect(r.status == 73, "\(r.stderr)")
        #expect(r.stderr.contains("cannot make the folder afile/pws/map: ./afile is a file, not a folder"), "\(r.stderr)")
        #expect(try String(contentsOfFile: tmp.path + "/afile", encoding: .utf8) == "x")
    }

    /// `export dhis2 --out` writes into a FIFO (it replaced device nodes and FIFOs by a regular
    /// file: it destroyed /dev/full once), writes a symbolic link's target and keeps the link,
    /// and refuses a folder.
    @Test func exportWritesIntoAFIFOAndThroughALink() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let out = tmp.path + "/out"
        let published = try PWSBinary.run(["run", "--data", Self.sample, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(published.status == 0, "\(published.stderr)")
        let mapping = PWSBinary.packageRoot.appendingPathComponent("docs/examples/dhis2-mapping.yaml").path
        let export = ["export", "dhis2", "--run", out + "/2025-12", "--mapping", mapping]
        let expected = try PWSBinary.run(export).stdout
        #expect(expected.hasPrefix("{"))

        let fifo = tmp.path + "/fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        // Nobody reading: refused at once rather than waiting for a reader.
        let unread = try PWSBinary.run(export + ["--out", fifo])
        #expect(unread.status == 73 && unread.stderr.contains("nothing reads the FIFO"), "\(unread.stderr)")
        // A reader waiting in open(2) (it counts as one); it reads to the end.
        let received = Locked((done: false, data: Data()))
        let reader = Thread {
            var data = Data()
            let fd = open(fifo, O_RDONLY)
            if fd >= 0 {
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let n = read(fd, &buffer, buffer.count)
                    if n <= 0 { break }
                    data.append(contentsOf: buffer[..<n])
                }
                close(fd)
            }
            received.withLock { $0 = (true, data) }
        }
        reader.start()
        usleep(300_000)
        let r = try PWSBinary.run(export + ["--out", fifo])
        #expect(r.status == 0, "\(r.stderr)")
        let deadline = Date().addingTimeInterval(20)
        while !received.withLock({ $0.done }) && Date() < deadline { usleep(10_000) }
        #expect(String(decoding: received.withLock { $0.data }, as: UTF8.self) == expected)
        var st = stat()
        #expect(lstat(fifo, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO, "the FIFO is still a FIFO")

        try "old".write(toFile: tmp.path + "/target.json", atomically: true, encoding: .utf8)
        #expect(symlink("target.json", tmp.path + "/link.json") == 0)
        #expect(try PWSBinary.run(export + ["--out", tmp.path + "/link.json"]).status == 0)
        #expect(lstat(tmp.path + "/link.json", &st) == 0 && st.st_mode & S_IFMT == S_IFLNK, "the link is still a link")
        #expect(try String(contentsOfFile: tmp.path + "/target.json", encoding: .utf8) == expected)

        let folder = try PWSBinary.run(export + ["--out", tmp.path])
        #expect(folder.status == 73 && folder.stderr.contains("is a folder; give --out a file name"), "\(folder.stderr)")
    }

    /// Standard output that cannot be written (here /dev/full: "No space left on device") is
    /// exit 73 with a sentence: `export dhis2` and `pipeline show` trapped, `indicators` and
    /// `validate` exited 0 with their output lost.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func standardOutputThatFailsIsAnOutputError() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let out = tmp.path + "/out"
        #expect(try PWSBinary.run(["run", "--data", Self.sample, "--out", out, "--today", "2026-01-15", "--quiet"]).status == 0)
        let mapping = PWSBinary.packageRoot.appendingPathComponent("docs/examples/dhis2-mapping.yaml").path
        let toFull = ["/bin/sh", "-c", "exec \"$0\" \"$@\" > /dev/full"]
        for command in [["export", "dhis2", "--run", out + "/2025-12", "--mapping", mapping], ["pipeline", "show"],
                        ["indicators"], ["validate", "--data", Self.sample, "--today", "2026-01-15"]] {
            let r = try PWSBinary.run(command, launcher: toFull)
            #expect(r.status == 73, "\(command[0]): \(r.status) \(r.stderr.suffix(300))")
            #expect(r.stderr.contains("cannot write to standard output"), "\(command[0]): \(r.stderr.suffix(300))")
        }
        // A standard error that cannot be written loses the message but not the exit status
        // (writing the error trapped: SIGILL, exit 132).
        let errToFull = ["/bin/sh", "-c", "exec \"$0\" \"$@\" 2> /dev/full"]
        let missing = try PWSBinary.run(["validate", "--data", tmp.path + "/nowhere"], launcher: errToFull)
        #expect(missing.status == 66)
    }
}

extension MisuseTests {
    /// A NIK typed into the RW, RT or facility column is masked wherever the area or facility
    /// shows: indicators.csv, report.html, pws.xlsx, tindak-lanjut.csv, completeness.csv (it was
    /// masked in warnings.csv only). The areas are still counted (W-AREA keeps the row).
    @Test func aNIKInTheAreaOrFacilityColumnIsMaskedInEveryOutput() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.registerOnly(tmp)
        try """
        record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,facility_id,service_code,result
        R-1,2025-11-11,3201013005240901,2024-05-30,L,3201012004,3171990100000005,001,posyandu,PSY-3201012004-01,TIMBANG,5
        R-2,2025-11-11,3201013005240902,2024-05-30,L,3201012004,01,3171990100000006,posyandu,PSY-3201012004-01,TIMBANG,5
        R-3,2025-11-11,3201013005240903,2024-05-30,L,3201012004,01,001,posyandu,3171990100000004,TIMBANG,5

        """.write(toFile: data + "/layanan/2025-11_posyandu-x.csv", atomically: true, encoding: .utf8)
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-10", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        // OUT/2025-11 is a link to the run's folder: its real path, to list the files.
        let run = URL(fileURLWithPath: out + "/2025-11").resolvingSymlinksInPath().path
        let indicators = try String(contentsOfFile: run + "/indicators.csv", encoding: .utf8)
        #expect(indicators.contains(",rw,3201012004-3171**********05,RW 3171**********05,3201012004,"))
        #expect(indicators.contains(",rt,3201012004-001-3171**********06,RT 3171**********06,3201012004-001,"))
        #expect(try String(contentsOfFile: run + "/completeness.csv", encoding: .utf8).contains("\n3171**********04,"))
        // Every published file, the workbook's XML inflated, holds none of the three NIKs.
        Self.expectNone(of: ["3171990100000005", "3171990100000006", "3171990100000004"], in: try Self.publishedTexts(run))
    }
}

extension MisuseTests {
    /// `pws run --partitions` stopped by SIGTERM removes its scratch folder (the rows as read,
    /// person ids unmasked) as well as its staging folder; one a killed run left behind is
    /// removed by the next run, which holds OUT's lock.
    @Test func aStoppedPartitionedRunLeavesNoScratch() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated(records: 1500)
        let out = tmp.path + "/out"
        let scratch = { (try? FileManager.default.contentsOfDirectory(atPath: out))?.filter { $0.hasPrefix(".partitions.") } ?? [] }
        let marker = tmp.path + "/paused"
        let (process, err) = try PWSBinary.startPaused(["run", "--partitions", "3", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"],
                                                        at: "staging-partial", marker: marker)
        #expect(FileManager.default.fileExists(atPath: marker), "the run never reached the pause point")
        #expect(scratch().count == 1, "the scratch folder exists while the merge writes")
        #expect(PWSBinary.stop(process, err) == 143)
        #expect(scratch().isEmpty)

        // A killed run's scratch folder (SIGKILL runs no handler) goes with the next run.
        try FileManager.default.createDirectory(atPath: out + "/.partitions.999999/pws/map", withIntermediateDirectories: true)
        try "rows".write(toFile: out + "/.partitions.999999/pws/map/part-0-0.pws", atomically: true, encoding: .utf8)
        let next = try PWSBinary.run(["run", "--partitions", "3", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(scratch().isEmpty)
        // And with a plain `pws run` (it stayed until a partitioned run came).
        try FileManager.default.createDirectory(atPath: out + "/.partitions.999998/pws/map", withIntermediateDirectories: true)
        let plain = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(scratch().isEmpty)
    }

    /// What holds NIKs unmasked outside the published set — the cache's entries, a staged run's
    /// shared folder — is the user's alone: files rw-------, OUT/.cache rwx------ (made so, or
    /// closed when an earlier pws made it open). OUT itself, made by a staged map task, keeps
    /// the usual mode: the published months are read there (it was made rwx------).
    @Test func intermediateFilesAreTheUsersAlone() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated(records: 600)
        let out = tmp.path + "/out"
        try FileManager.default.createDirectory(atPath: out + "/.cache", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let r = try PWSBinary.run(["run", "--partitions", "2", "--incremental", "--data", data, "--out", out,
                                   "--today", "2026-01-15", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let shared = tmp.path + "/shared", fresh = tmp.path + "/fresh"
        let map = try PWSBinary.run(["map", "--task", "0", "--tasks", "1", "--partitions", "2", "--shared", shared,
                                     "--incremental", "--out", fresh, "--data", data, "--today", "2026-01-15", "--quiet"])
        #expect(map.status == 0, "\(map.stderr)")
        func mode(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1 }
        #expect(mode(out + "/.cache") == 0o700)
        #expect(mode(fresh + "/.cache") == 0o700)
        #expect(mode(fresh) & 0o055 == 0o055, "OUT made by the map task is not readable by others")
        for root in [out + "/.cache/map", fresh + "/.cache/map", shared] {
            let items = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
            #expect(!items.isEmpty, "\(root)")
            for item in items {
                var isFolder: ObjCBool = false
                FileManager.default.fileExists(atPath: root + "/" + item, isDirectory: &isFolder)
                if !isFolder.boolValue { #expect(mode(root + "/" + item) == 0o600, "\(root)/\(item)") }
            }
        }
    }
}

extension MisuseTests {
    /// A staged map task stopped by SIGTERM (scancel, a Slurm time limit) removes the
    /// temporaries of its partition files (`part-…pws.tmp.HOST.PID`): they stayed, 128 of them
    /// at P = 64, and a rerun (another PID) did not remove them.
    @Test func aStoppedMapTaskLeavesNoTemporaries() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated(records: 1500)
        let shared = tmp.path + "/shared"
        let temporaries = { () -> [String] in
            (FileManager.default.enumerator(atPath: shared)?.allObjects as? [String] ?? []).filter { $0.contains(".tmp.") }
        }
        let marker = tmp.path + "/paused"
        let (process, err) = try PWSBinary.startPaused(["map", "--task", "0", "--tasks", "1", "--partitions", "8", "--data", data,
                                                         "--shared", shared, "--today", "2026-01-15"],
                                                        at: "map-writing", marker: marker)
        #expect(FileManager.default.fileExists(atPath: marker), "the task never reached the pause point")
        #expect(temporaries().count == 16, "\(temporaries())")  // a part and an ids file per partition
        #expect(PWSBinary.stop(process, err) == 143)
        #expect(temporaries().isEmpty, "\(temporaries())")
    }
}

extension MisuseTests {
    /// `validate --out` and `diff --out` write through temporary names, so a link planted at
    /// rejects.csv or diff.csv is replaced, not written through; `validate --out OUT/2025-12`
    /// (the published run) is refused rather than replacing the run's rejects.csv and run.json.
    @Test func dryRunAndDiffOutputsNeverWriteThroughOrIntoARun() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let fm = FileManager.default
        try "precious\n".write(toFile: tmp.path + "/victim", atomically: true, encoding: .utf8)
        try fm.createDirectory(atPath: tmp.path + "/v", withIntermediateDirectories: true)
        #expect(symlink("../victim", tmp.path + "/v/rejects.csv") == 0)
        let validate = try PWSBinary.run(["validate", "--data", Self.sample, "--out", tmp.path + "/v", "--today", "2026-01-15", "--quiet"])
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(try String(contentsOfFile: tmp.path + "/victim", encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: tmp.path + "/v/rejects.csv", encoding: .utf8).hasPrefix("source,line,record_id"))

        let out = tmp.path + "/out"
        #expect(try PWSBinary.run(["run", "--data", Self.sample, "--out", out, "--today", "2026-01-15", "--quiet"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: out + "/2025-12/run.json"))
        let into = try PWSBinary.run(["validate", "--data", Self.sample, "--out", out + "/2025-12", "--today", "2026-01-15"])
        #expect(into.status == 73 && into.stderr.contains("is a run folder `pws run` published"), "\(into.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/2025-12/run.json")) == before)

        try fm.createDirectory(atPath: tmp.path + "/d", withIntermediateDirectories: true)
        #expect(symlink("../victim", tmp.path + "/d/diff.csv") == 0)
        let diff = try PWSBinary.run(["diff", out + "/2025-12", out + "/2025-12", "--out", tmp.path + "/d", "--quiet"])
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(try String(contentsOfFile: tmp.path + "/victim", encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: tmp.path + "/d/diff.csv", encoding: .utf8).hasPrefix("kind,key,field,before,after"))
    }
}

extension MisuseTests {
    /// An empty `--out` or `--data` is a usage error (64) before anything is made (`--out ""`
    /// was 73, "cannot create the output folder").
    @Test func anEmptyFolderOptionIsAUsageError() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let out = try PWSBinary.run(["run", "--out", "", "--data", Self.sample, "--today", "2026-01-10"], cwd: tmp.path)
        #expect(out.status == 64)
        #expect(out.stderr.contains("--out is empty; give the output folder"), "\(out.stderr)")
        let data = try PWSBinary.run(["validate", "--data", "", "--today", "2026-01-10"], cwd: tmp.path)
        #expect(data.status == 64)
        #expect(data.stderr.contains("--data is empty; give the data folder"), "\(data.stderr)")
        // Every command taking --out (they said 73, "cannot create the output folder").
        for command in [["validate", "--data", Self.sample], ["map", "--task", "0", "--tasks", "1", "--partitions", "2",
                         "--shared", tmp.path + "/s", "--incremental", "--data", Self.sample],
                        ["merge", "--shared", tmp.path + "/s", "--data", Self.sample], ["generate", "--records", "10"],
                        ["diff", "a", "b"], ["export", "dhis2", "--run", "a", "--mapping", "m"]] {
            let r = try PWSBinary.run(command + ["--out", ""], cwd: tmp.path)
            #expect(r.status == 64, "\(command[0]): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("--out is empty"), "\(command[0]): \(r.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
    }

    /// A service file whose name holds a control character — a terminal escape sequence, a line
    /// feed that would forge a console line — is an input that cannot be read (spec §A8): the
    /// run stops with 66 naming it with `\xNN` for the character, or goes on without it under
    /// `--skip-unreadable`; nothing reaches the terminal that recolours it or starts a line.
    @Test func controlCharactersInAFileNameDoNotReachTheConsole() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.registerOnly(tmp)
        let sources = try FileManager.default.contentsOfDirectory(atPath: Self.sample + "/layanan").sorted()
        try FileManager.default.copyItem(atPath: Self.sample + "/layanan/" + sources[0],
                                         toPath: data + "/layanan/2025-11_\u{1B}[31mRED\u{1B}[0m.csv")
        try FileManager.default.copyItem(atPath: Self.sample + "/layanan/" + sources[1],
                                         toPath: data + "/layanan/x\npws: forged.csv")
        try FileManager.default.copyItem(atPath: Self.sample + "/layanan/" + sources[2], toPath: data + "/layanan/" + sources[2])
        let stopped = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/out", "--today", "2026-01-10"])
        #expect(stopped.status == 66, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("layanan/2025-11_\\x1B[31mRED\\x1B[0m.csv: the file name holds a control character"), "\(stopped.stderr)")
        #expect(stopped.stderr.contains("layanan/x\\x0Apws: forged.csv: the file name holds a control character"), "\(stopped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/out/2025-12"))
        let r = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/out", "--today", "2026-01-10", "--verbose",
                                   "--skip-unreadable"])
        #expect(r.status == 0, "\(r.stderr)")
        for output in [r.stdout, r.stderr, stopped.stdout, stopped.stderr] {
            #expect(!output.contains("\u{1B}") && !output.contains("\u{FFFD}"))
            #expect(!output.split(separator: "\n").contains { $0.hasPrefix("pws: forged") }, "\(output)")
        }
        let month = try FileManager.default.contentsOfDirectory(atPath: tmp.path + "/out").filter { !$0.hasPrefix(".") }
        #expect(month.count == 1)
        let manifest = try String(contentsOfFile: tmp.path + "/out/\(month.first ?? "")/run.json", encoding: .utf8)
        #expect(manifest.contains("x\\\\x0Apws: forged.csv"), "the skipped file is listed, escaped")
    }

    /// A file name holding the noncharacter U+FFFE or U+FFFF (valid UTF-8, no control
    /// character, so the file is read) was written as it is into pws.xlsx — not well-formed XML,
    /// a workbook neither openpyxl nor Excel opens — and into report.html (a parse error) and
    /// rejects.csv. Every output now shows U+FFFD for it, and every XML part of the workbook
    /// parses.
    @Test func aNoncharacterInAFileNameLeavesEveryOutputReadable() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.registerOnly(tmp)
        let sources = try FileManager.default.contentsOfDirectory(atPath: Self.sample + "/layanan").sorted()
        for name in sources {
            try FileManager.default.copyItem(atPath: Self.sample + "/layanan/" + name, toPath: data + "/layanan/" + name)
        }
        // A sample file with rejected rows (9 of its 742), under a name with both noncharacters.
        let withRejects = "2025-08_posyandu-kenanga-pasirwangi.csv"
        try FileManager.default.moveItem(atPath: data + "/layanan/" + withRejects,
                                         toPath: data + "/layanan/" + withRejects.replacingOccurrences(of: ".csv", with: "_x\u{FFFE}y\u{FFFF}.csv"))
        let r = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/out", "--today", "2026-01-15", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let month = tmp.path + "/out/2025-12"
        for file in ["report.html", "rejects.csv", "warnings.csv", "completeness.csv", "indicators.csv"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: month + "/" + file))
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.unicodeScalars.contains { $0.value == 0xFFFE || $0.value == 0xFFFF }, "\(file)")
        }
        let shown = withRejects.replacingOccurrences(of: ".csv", with: "_x\u{FFFD}y\u{FFFD}.csv")
        #expect(try String(contentsOfFile: month + "/rejects.csv", encoding: .utf8).contains("layanan/" + shown))
        #expect(try String(contentsOfFile: month + "/report.html", encoding: .utf8).contains("layanan/" + shown))
        // Every part of the workbook is well-formed XML (Python's parser refuses U+FFFE as
        // Excel does), and the Kualitas data sheet names the file with U+FFFD.
        let check = """
        import sys, zipfile, xml.etree.ElementTree as ET
        z = zipfile.ZipFile(sys.argv[1])
        for n in z.namelist():
            if n.endswith('.xml') or n.endswith('.rels'):
                ET.fromstring(z.read(n))
        print(any(sys.argv[2].encode() in z.read(n) for n in z.namelist()))
        """
        let (status, output) = try Tool.run("/usr/bin/env", ["python3", "-c", check, month + "/pws.xlsx", "layanan/" + shown])
        #expect(status == 0 && output == "True\n", "\(output)")
    }
}

extension MisuseTests {
    /// Every option takes one value, so one given twice is refused (64) rather than settled by
    /// the last; nothing is written.
    @Test func aRepeatedOptionIsRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let r = try PWSBinary.run(["run", "--data", Self.sample, "--out", tmp.path + "/a", "--today", "2026-01-15",
                                   "--out", tmp.path + "/b"])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("--out is given more than once (arguments 4 and 8); give it once"), "\(r.stderr)")
        let mixed = try PWSBinary.run(["validate", "--data=" + Self.sample, "--quiet", "--data", tmp.path])
        #expect(mixed.status == 64 && mixed.stderr.contains("--data is given more than once"), "\(mixed.stderr)")
        let flag = try PWSBinary.run(["run", "--data", Self.sample, "--out", tmp.path + "/a", "--quiet", "--quiet"])
        #expect(flag.status == 64 && flag.stderr.contains("--quiet is given more than once"), "\(flag.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
        // Once each is fine.
        #expect(try PWSBinary.run(["run", "--data", Self.sample, "--out", tmp.path + "/a", "--today", "2026-01-15",
                                   "--quiet"]).status == 0)
    }

    /// `--as-of` after the run's today would publish a month of zeros (visits after today are
    /// rejected): refused with 64 before anything is read.
    @Test func anAsOfMonthAfterTodayIsRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let r = try PWSBinary.run(["run", "--data", Self.sample, "--out", tmp.path + "/out", "--as-of", "2026-02",
                                   "--today", "2026-01-15"])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("--as-of 2026-02 is after the run's today (2026-01-15)"), "\(r.stderr)")
        #expect(r.stderr.contains("give a month up to 2026-01"), "\(r.stderr)")
        let far = try PWSBinary.run(["validate", "--data", Self.sample, "--as-of", "9999-12"])
        #expect(far.status == 64 && far.stderr.contains("or set --today"), "\(far.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/out"))
        // The month of today itself is a report (of the days so far).
        let same = try PWSBinary.run(["validate", "--data", Self.sample, "--as-of", "2026-01", "--today", "2026-01-15", "--quiet"])
        #expect(same.status == 0, "\(same.stderr)")
    }

    /// `--data` that is a link looping back on itself, or to nothing, says so (it said "does
    /// not exist"); a FIFO is named as one.
    @Test func aDataFolderThatIsNotAFolderSaysWhatItIs() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: tmp.path + "/loop", withDestinationPath: tmp.path + "/loop")
        try fm.createSymbolicLink(atPath: tmp.path + "/dangling", withDestinationPath: tmp.path + "/nowhere")
        #expect(mkfifo(tmp.path + "/fifo", 0o600) == 0)
        for (name, what) in [("loop", "is a symbolic link that loops back on itself"),
                             ("dangling", "is a symbolic link to something that does not exist"),
                             ("fifo", "is a FIFO (named pipe), not a folder"), ("nowhere", "does not exist")] {
            let r = try PWSBinary.run(["validate", "--data", tmp.path + "/" + name, "--today", "2026-01-15"],
                                      launcher: ["/usr/bin/timeout", "60"])
            #expect(r.status == 66, "\(name): \(r.stderr)")
            #expect(r.stderr.contains("data folder \(tmp.path)/\(name) \(what); pass the folder"), "\(name): \(r.stderr)")
        }
        // `run` (with and without partitions) refuses it before OUT and its lock are made.
        for partitions in [[], ["--partitions", "2"]] {
            let out = tmp.path + "/new-out"
            let r = try PWSBinary.run(["run", "--data", tmp.path + "/nowhere", "--out", out] + partitions)
            #expect(r.status == 66 && r.stderr.contains("does not exist"), "\(r.stderr)")
            #expect(!fm.fileExists(atPath: out), "\(partitions): OUT was made")
        }
    }

    /// A YAML file that is a FIFO is refused without opening it, naming the option that gave
    /// it (a FIFO mapping was said to come from --pipeline); bytes that are not UTF-8 (a file
    /// saved as Windows-1252) are refused at their line rather than read as U+FFFD.
    @Test func aYAMLFileThatIsAFIFOOrNotUTF8IsRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        #expect(mkfifo(tmp.path + "/mapping.yaml", 0o600) == 0)
        let fifo = try PWSBinary.run(["export", "dhis2", "--run", DHIS2ExportTests.run, "--mapping", tmp.path + "/mapping.yaml"],
                                     launcher: ["/usr/bin/timeout", "60"])
        #expect(fifo.status == 64, "\(fifo.stderr)")
        #expect(fifo.stderr.contains("mapping.yaml is a FIFO (named pipe), not a regular file; check the path given with --mapping"),
                "\(fifo.stderr)")
        let example = try Data(contentsOf: URL(fileURLWithPath: DHIS2ExportTests.example))
        var cp1252 = Data("# Kabupaten Cirebon, Puskesmas Caf".utf8) + Data([0xE9]) + Data("\n".utf8)
        cp1252 += example
        try cp1252.write(to: URL(fileURLWithPath: tmp.path + "/cp1252.yaml"))
        let bad = try PWSBinary.run(["export", "dhis2", "--run", DHIS2ExportTests.run, "--mapping", tmp.path + "/cp1252.yaml"])
        #expect(bad.status == 64, "\(bad.stderr)")
        #expect(bad.stderr.contains("cp1252.yaml:1: error: byte 0xE9 is not UTF-8 text; save the file as UTF-8"), "\(bad.stderr)")
        let pipeline = try String(contentsOfFile: PWSBinary.packageRoot.appendingPathComponent("pipelines/default.yaml").path,
                                  encoding: .utf8)
        try (Data(pipeline.utf8) + Data("# catatan: ".utf8) + Data([0x93, 0x94, 0x0A])).write(to: URL(fileURLWithPath: tmp.path + "/p.yaml"))
        let lines = pipeline.split(separator: "\n", omittingEmptySubsequences: false).count
        let p = try PWSBinary.run(["validate", "--pipeline", tmp.path + "/p.yaml", "--data", Self.sample, "--today", "2026-01-15"])
        #expect(p.status == 64, "\(p.stderr)")
        #expect(p.stderr.contains("p.yaml:\(lines): error: byte 0x93 is not UTF-8 text"), "\(p.stderr)")
        // A catalogue the pipeline names that is a FIFO is refused likewise (it held the run).
        let pipelines = PWSBinary.packageRoot.appendingPathComponent("pipelines").path
        #expect(mkfifo(tmp.path + "/services.yaml", 0o600) == 0)
        try pipeline.replacingOccurrences(of: "services: services.yaml", with: "services: \(tmp.path)/services.yaml")
            .replacingOccurrences(of: "indicators: indicators.yaml", with: "indicators: \(pipelines)/indicators.yaml")
            .replacingOccurrences(of: "spm: spm.yaml", with: "spm: \(pipelines)/spm.yaml")
            .write(toFile: tmp.path + "/fifo-services.yaml", atomically: true, encoding: .utf8)
        let services = try PWSBinary.run(["validate", "--pipeline", tmp.path + "/fifo-services.yaml", "--data", Self.sample,
                                          "--today", "2026-01-15"], launcher: ["/usr/bin/timeout", "60"])
        // A pipeline error (64) at the line naming it, as a missing catalogue is (it was 66).
        #expect(services.status == 64, "\(services.stderr)")
        #expect(services.stderr.contains("fifo-services.yaml:7: error: services: \"\(tmp.path)/services.yaml\" is a FIFO (named pipe), not a file; fix the path"),
                "\(services.stderr)")
    }

    /// dedup, reduce and merge read the data folder the map tasks read; another given with
    /// --data was ignored without a word, so a merge seemed to be of it. Refused (64); the same
    /// folder spelt another way is fine.
    @Test func aShardedStageGivenAnotherDataFolderIsRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let shared = tmp.path + "/shared"
        let other = try Self.registerOnly(tmp)
        let day = ["--today", "2026-01-15", "--quiet"]
        #expect(try PWSBinary.run(["map", "--task", "0", "--tasks", "1", "--partitions", "2", "--data", Self.sample,
                                   "--shared", shared] + day).status == 0)
        for task in ["0", "1"] {
            #expect(try PWSBinary.run(["dedup", "--task", task, "--tasks", "2", "--shared", shared] + day).status == 0)
        }
        let wrongReduce = try PWSBinary.run(["reduce", "--task", "0", "--tasks", "2", "--shared", shared, "--data", other] + day)
        #expect(wrongReduce.status == 64, "\(wrongReduce.stderr)")
        #expect(wrongReduce.stderr.contains("--data \(other) is not the folder the map tasks read (\(Self.sample))"), "\(wrongReduce.stderr)")
        for task in ["0", "1"] {
            // sample-data spelt relative to the package, with a trailing slash: the same folder.
            let r = try PWSBinary.run(["reduce", "--task", task, "--tasks", "2", "--shared", shared, "--data", "./sample-data/"] + day,
                                      cwd: PWSBinary.packageRoot.path)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let wrongMerge = try PWSBinary.run(["merge", "--shared", shared, "--out", tmp.path + "/out", "--data", other] + day)
        #expect(wrongMerge.status == 64 && wrongMerge.stderr.contains("leave out --data"), "\(wrongMerge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/out/2025-12"))
        #expect(try PWSBinary.run(["merge", "--shared", shared, "--out", tmp.path + "/out"] + day).status == 0)
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/out/2025-12/indicators.csv"))
    }
}

extension MisuseTests {
    /// `pws run --out OUT/2025-12` (a published run folder) is refused rather than nesting an
    /// output folder inside the published run; `--data` naming a file says so.
    @Test func aRunIntoAPublishedRunFolderAndDataThatIsAFileAreRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let out = tmp.path + "/out"
        #expect(try PWSBinary.run(["run", "--data", Self.sample, "--out", out, "--today", "2026-01-15", "--quiet"]).status == 0)
        let before = TempFolder.snapshot(out + "/2025-12")
        let nested = try PWSBinary.run(["run", "--data", Self.sample, "--out", out + "/2025-12", "--today", "2026-01-15"])
        #expect(nested.status == 73, "\(nested.stderr)")
        #expect(nested.stderr.contains("is a run folder `pws run` published; give --out the output folder OUT"), "\(nested.stderr)")
        #expect(TempFolder.snapshot(out + "/2025-12") == before)
        // pws's own folders in OUT: a run into OUT/.runs nested a second OUT among the run
        // folders (an operator campaign). A folder of that name elsewhere is an OUT like any.
        for own in [".runs", ".cache", "refused"] {
            let r = try PWSBinary.run(["run", "--data", Self.sample, "--out", out + "/" + own, "--today", "2026-01-15"])
            #expect(r.status == 73, "\(own): \(r.stderr)")
            #expect(r.stderr.contains("\(out)/\(own) is a folder pws keeps inside the output folder \(out); give --out the output folder OUT"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/.runs/2025-12"))
        #expect(try PWSBinary.run(["run", "--data", Self.sample, "--out", tmp.path + "/refused", "--today", "2026-01-15", "--quiet"]).status == 0)
        let file = try PWSBinary.run(["validate", "--data", Self.sample + "/wilayah.csv", "--today", "2026-01-15"])
        #expect(file.status == 66 && file.stderr.contains("wilayah.csv is a file, not a folder"), "\(file.stderr)")
    }
}

extension MisuseTests {
    /// A NIK as a sheet's name (a sheet per mother or child) or in a header cell is masked, and
    /// a sheet name's control characters written `\xNN`, wherever the name shows — the rows' positions in rejects.csv and warnings.csv, run.json's
    /// sheets, columns and notes, the report, the console — as it is in the rows' values (the
    /// third hostile-input campaign found both published in full).
    @Test func aNIKInASheetOrColumnNameIsMaskedInEveryOutput() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.registerOnly(tmp)
        let workbook = #"""
        import sys, zipfile
        NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
        R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
        header = ['record_id', 'visit_date', 'person_id', 'birth_date', 'sex', 'village_code', 'rw', 'rt',
                  'facility_type', 'service_code', 'result', 'Catatan 3201019999990001']
        # 40 weighings, then a row with a bad date (a reject rate under the pipeline's 5 %).
        rows = [header] + [['W-%d' % k, '2025-11-10', '32010130052409%02d' % k, '2024-05-30', 'L', '3201012004', '01', '001',
                            'posyandu', 'TIMBANG', '7.5', ''] for k in range(1, 41)]
        rows.append(['W-41', '#BAD', '3201013005240941', '2024-05-30', 'L', '3201012004', '01', '001', 'posyandu', 'TIMBANG', '7.5', ''])
        def row(i, values):
            return '<row r="%d">' % i + ''.join('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (chr(65 + j), i, v)
                                               for j, v in enumerate(values) if v) + '</row>'
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
            z.writestr('_rels/.rels', '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       '<Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>' % R)
            z.writestr('xl/workbook.xml', '<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="3201012345678901" sheetId="1" r:id="rId1"/>'
                       '<sheet name="3201 0123 4567 8902" sheetId="2" r:id="rId2"/>'
                       '<sheet name="E&#10;2026-01-01T00:00:00+0000 error pws: forged" sheetId="3" r:id="rId3"/></sheets></workbook>' % (NS, R))
            z.writestr('xl/_rels/workbook.xml.rels', '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
                       '<Relationship Id="rId2" Type="%s/worksheet" Target="worksheets/sheet2.xml"/>'
                       '<Relationship Id="rId3" Type="%s/worksheet" Target="worksheets/sheet3.xml"/></Relationships>' % (R, R, R))
            z.writestr('xl/worksheets/sheet1.xml', '<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>'
                       % (NS, ''.join(row(i + 1, v) for i, v in enumerate(rows))))
            z.writestr('xl/worksheets/sheet2.xml', '<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (NS, row(1, ['catatan'])))
            z.writestr('xl/worksheets/sheet3.xml', '<worksheet xmlns="%s"><sheetData/></worksheet>' % NS)
        """#
        try workbook.write(toFile: tmp.path + "/make.py", atomically: true, encoding: .utf8)
        let made = try PWSBinary.run([tmp.path + "/make.py", data + "/layanan/2025-11_x.xlsx"],
                                     launcher: ["/bin/sh", "-c", "python3 \"$1\" \"$2\""])
        #expect(made.status == 0, "\(made.stderr)")
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-10", "--verbose"])
        #expect(r.status == 0, "\(r.stderr)")
        let run = URL(fileURLWithPath: out + "/2025-11").resolvingSymlinksInPath().path
        let rejects = try String(contentsOfFile: run + "/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("layanan/2025-11_x.xlsx:3201**********01,42,W-41,E-DATE"), "\(rejects)")
        let manifest = try String(contentsOfFile: run + "/run.json", encoding: .utf8)
        #expect(manifest.contains("Catatan 3201**********01"), "the unknown column is listed, masked")
        #expect(manifest.contains("3201*************02: not read"), "the note on the empty sheet, masked")
        // A line feed in a sheet's name is written \x0A: it starts no line of the log.
        #expect(r.stderr.contains("layanan/2025-11_x.xlsx:E\\x0A2026-01-01T00:00:00+0000 error pws: forged: not read"), "\(r.stderr)")
        #expect(!r.stderr.split(separator: "\n").contains { $0.hasPrefix("2026-01-01T00:00:00+0000 error pws: forged") })
        Self.expectNone(of: ["3201012345678901", "3201 0123 4567 8902", "3201019999990001"],
                        in: try [("stdout", r.stdout), ("stderr", r.stderr)] + Self.publishedTexts(run))
    }
}

extension MisuseTests {
    /// A file named after a mother (`layanan/2025-11_ibu-<NIK>.csv`) had the NIK published in
    /// full — console, run.json, report.html, rejects.csv and warnings.csv (source), pws.xlsx's
    /// data-quality sheet, diff.csv — while a sheet named so was masked. Every output now
    /// shows the name masked; the file is read as before.
    @Test func aNIKInAFileNameIsMaskedInEveryOutput() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.registerOnly(tmp)
        var lines = ["record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code,result"]
        lines += (1...40).map { "W-\($0),2025-11-10,32010130052409\(String(format: "%02d", $0)),2024-05-30,L,3201012004,01,001,posyandu,TIMBANG,7.5" }
        lines.append("W-41,#BAD,3201013005240941,2024-05-30,L,3201012004,01,001,posyandu,TIMBANG,7.5")
        let name = "2025-11_ibu-3201016509120001.csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: data + "/layanan/" + name, atomically: true, encoding: .utf8)
        let out = tmp.path + "/out"
        let first = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-10", "--verbose"])
        #expect(first.status == 0, "\(first.stderr)")
        let before = URL(fileURLWithPath: out + "/2025-11").resolvingSymlinksInPath().path
        let rejects = try String(contentsOfFile: before + "/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("layanan/2025-11_ibu-3201**********01.csv,42,W-41,E-DATE"), "\(rejects)")
        let manifest = try String(contentsOfFile: before + "/run.json", encoding: .utf8)
        #expect(manifest.contains(#""path" : "layanan/2025-11_ibu-3201**********01.csv""#), "\(manifest)")
        #expect(first.stdout.contains("layanan/2025-11_ibu-3201**********01.csv"), "\(first.stdout)")
        // A second mother's file whose NIK ends in the same two digits: shown alike. diff pairs
        // the two runs' files by content, and lists the new one as added, keyed `NAME (2)`
        // (keyed by the shown name alone, the second was lost and nothing was added).
        try (lines.prefix(2).joined(separator: "\n").replacingOccurrences(of: "W-1,", with: "V-1,") + "\n")
            .write(toFile: data + "/layanan/2025-11_ibu-3201017709120001.csv", atomically: true, encoding: .utf8)
        let second = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-10"])
        #expect(second.status == 0, "\(second.stderr)")
        let after = URL(fileURLWithPath: out + "/2025-11").resolvingSymlinksInPath().path
        let diff = try PWSBinary.run(["diff", before, after, "--out", tmp.path + "/d"])
        #expect(diff.status == 0, "\(diff.stderr)")
        let diffCSV = try String(contentsOfFile: tmp.path + "/d/diff.csv", encoding: .utf8)
        let inputRows = diffCSV.split(separator: "\n").filter { $0.hasPrefix("input,") }
        #expect(inputRows.count == 1 && inputRows[0].hasPrefix("input,layanan/2025-11_ibu-3201**********01.csv (2),sha256,,"),
                "\(diffCSV)")
        #expect(diff.stdout.contains("1 added"), "\(diff.stdout)")
        var texts = [("stdout", first.stdout), ("stderr", first.stderr), ("second", second.stdout + second.stderr),
                     ("diff", diff.stdout + diff.stderr), ("diff.csv", diffCSV)]
        texts += try Self.publishedTexts(before) + Self.publishedTexts(after)
        Self.expectNone(of: ["3201016509120001", "3201017709120001"], in: texts)

    }

    /// Odd paths given to diff and `pipeline show --all` (campaign 6): an --out that is a file
    /// was Foundation's raw "Code=516" error; a folder name with a line feed and escapes went
    /// raw to the console; a run folder's indicators.csv that is a device was told to "move it
    /// out of the data folder"; an empty `indicators:` was "<folder> is a directory".
    @Test func oddPathsOfDiffAndPipelineShowAreNamed() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let file = tmp.path + "/afile"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let run = URL(fileURLWithPath: DHIS2ExportTests.run).resolvingSymlinksInPath().path
        for arguments in [["diff", run, run, "--out", file, "--quiet"], ["pipeline", "show", "--all", file]] {
            let r = try PWSBinary.run(arguments)
            #expect(r.status == 73, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains("the output folder \(file) is a file; give the path of a folder"), "\(arguments): \(r.stderr)")
            #expect(!r.stderr.contains("NSCocoaErrorDomain"))
        }
        let odd = tmp.path + "/cfg\n\u{1B}[2JFAKE"
        let shown = try PWSBinary.run(["pipeline", "show", "--all", odd])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("cfg\\x0A\\x1B[2JFAKE/default.yaml") && !shown.stdout.contains("\u{1B}"), "\(shown.stdout)")
        // An empty `indicators:` at its line.
        let yaml = try String(contentsOfFile: odd + "/default.yaml", encoding: .utf8)
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.hasPrefix("indicators:") })
        try yaml.replacingOccurrences(of: String(lines[line]), with: "indicators:").write(toFile: tmp.path + "/p.yaml", atomically: true, encoding: .utf8)
        for name in ["services.yaml"] { try FileManager.default.copyItem(atPath: odd + "/" + name, toPath: tmp.path + "/" + name) }
        let empty = try PWSBinary.run(["indicators", "--pipeline", tmp.path + "/p.yaml"])
        #expect(empty.status == 64, "\(empty.stderr)")
        #expect(empty.stderr.contains("p.yaml:\(line + 1): error: indicators: no file named"), "\(empty.stderr)")
        // A run folder whose indicators.csv is a device.
        let copy = tmp.path + "/run"
        try FileManager.default.copyItem(atPath: run, toPath: copy)
        try FileManager.default.removeItem(atPath: copy + "/indicators.csv")
        try FileManager.default.createSymbolicLink(atPath: copy + "/indicators.csv", withDestinationPath: "/dev/zero")
        let diff = try PWSBinary.run(["diff", run, copy, "--out", tmp.path + "/d", "--quiet"], launcher: ["/usr/bin/timeout", "60"])
        #expect(diff.status == 66, "\(diff.stderr)")
        #expect(diff.stderr.contains("indicators.csv is not a regular file (a folder, FIFO, socket or device); name a folder pws run published"), "\(diff.stderr)")
        #expect(!diff.stderr.contains("data folder"))
    }

    /// Rows that are not records (E-FIELDS, E-FHIR …) are each held until rejects.csv is
    /// written, ~250 B whatever their size in the input, so a file of tens of millions of
    /// one-byte lines ran out of memory. Past `PWS_MAX_READER_REJECTS` (10 million; 1,000 here)
    /// the run stops with 66 naming the file and its first reject, and publishes nothing —
    /// in one process, partitioned, and for FHIR resources; under the limit the rows are
    /// rejects as before.
    @Test func tooManyRowsThatAreNotRecordsStopTheRunWithAMessage() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.registerOnly(tmp)
        let header = "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code\n"
        try (header + String(repeating: "x\n", count: 1_500)).write(toFile: data + "/layanan/2025-03_x.csv", atomically: true, encoding: .utf8)
        let limit = ["PWS_MAX_READER_REJECTS": "1000"]
        for extra in [[String](), ["--partitions", "3"]] {
            let out = tmp.path + "/out\(extra.count)"
            let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"] + extra, environment: limit)
            #expect(r.status == 66, "\(extra): \(r.stderr)")
            #expect(r.stderr.contains("layanan/2025-03_x.csv: 1001 of its rows are not records (the first, layanan/2025-03_x.csv:2: E-FIELDS the record has 1 fields but the header has 10;"),
                    "\(extra): \(r.stderr)")
            #expect(r.stderr.contains("the files read so far hold more than 1000 such rows; the run stops before they fill the memory and publishes nothing"))
            #expect(!FileManager.default.fileExists(atPath: out + "/2025-03"))
        }
        // Under the limit: 1,500 rejects, the run refused by the reject rate with rejects.csv.
        let under = try PWSBinary.run(["validate", "--data", data, "--out", tmp.path + "/dry", "--today", "2026-01-15"],
                                      environment: ["PWS_MAX_READER_REJECTS": "1500"])
        #expect(under.status == 65, "\(under.stderr)")
        let rejects = try String(contentsOfFile: tmp.path + "/dry/rejects.csv", encoding: .utf8)
        #expect(rejects.split(separator: "\n").count == 1 + 1_500)
        // FHIR resources that are not resources count likewise.
        try FileManager.default.removeItem(atPath: data + "/layanan/2025-03_x.csv")
        try FileManager.default.createDirectory(atPath: data + "/fhir", withIntermediateDirectories: true)
        try String(repeating: "{}\n", count: 1_200).write(toFile: data + "/fhir/x.ndjson", atomically: true, encoding: .utf8)
        let fhir = try PWSBinary.run(["validate", "--data", data, "--today", "2026-01-15"], environment: limit)
        #expect(fhir.status == 66, "\(fhir.stderr)")
        #expect(fhir.stderr.contains("fhir/x.ndjson: 1001 of its rows are not records (the first, fhir/x.ndjson:1: E-FHIR a JSON object without resourceType is not a FHIR resource)"),
                "\(fhir.stderr)")
    }

    /// Rows that are records but break several rules each (a workbook of a million one-cell
    /// rows a sheet: nine E-REQUIRED rejects a row, 38 million, aborted at 6.5 GB) are held
    /// too: past `PWS_MAX_HELD_DIAGNOSTICS` (20 million; 1,000 here) the run stops with 66
    /// naming the file, in one process and partitioned.
    @Test func tooManyRejectsAndWarningsHeldStopTheRun() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.registerOnly(tmp)
        let header = "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code\n"
        let rows = (0..<400).map { "r\($0),,,,,,,,,\n" }.joined()
        try (header + rows).write(toFile: data + "/layanan/2025-03_x.csv", atomically: true, encoding: .utf8)
        for extra in [[String](), ["--partitions", "3"]] {
            let out = tmp.path + "/out\(extra.count)"
            let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"] + extra,
                                      environment: ["PWS_MAX_HELD_DIAGNOSTICS": "1000"])
            #expect(r.status == 66, "\(extra): \(r.stderr)")
            #expect(r.stderr.contains("layanan/2025-03_x.csv: the run holds"), "\(extra): \(r.stderr)")
            #expect(r.stderr.contains("rejects and warnings, more than 1000, by the rows read so far; it stops before they fill the memory and publishes nothing"),
                    "\(extra): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out + "/2025-03"))
        }
        // A staged run: each map task under the limit (one file, 1,800 rejects), the merge,
        // which holds both tasks', over it.
        try FileManager.default.removeItem(atPath: data + "/layanan/2025-03_x.csv")
        let some = (0..<200).map { "r\($0),,,,,,,,,\n" }.joined()
        for name in ["2025-03_a.csv", "2025-03_b.csv"] {
            try (header + some.replacingOccurrences(of: "r", with: name.prefix(9).last.map(String.init)!))
                .write(toFile: data + "/layanan/" + name, atomically: true, encoding: .utf8)
        }
        let shared = tmp.path + "/shared", limit = ["PWS_MAX_HELD_DIAGNOSTICS": "3000"]
        let common = ["--data", data, "--shared", shared, "--today", "2026-01-15"]
        for i in 0..<2 {
            let m = try PWSBinary.run(["map", "--task", "\(i)", "--tasks", "2", "--partitions", "2"] + common, environment: limit)
            #expect(m.status == 0, "\(m.stderr)")
        }
        for stage in ["dedup", "reduce"] {
            for j in 0..<2 { #expect(try PWSBinary.run([stage, "--task", "\(j)", "--tasks", "2"] + common, environment: limit).status == 0) }
        }
        let merge = try PWSBinary.run(["merge", "--out", tmp.path + "/staged"] + common, environment: limit)
        #expect(merge.status == 66, "\(merge.stderr)")
        #expect(merge.stderr.contains("summary-1.pws: the run holds 3600 rejects and warnings, more than 3000; the merge stops"), "\(merge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/staged/2025-03"))
    }
}
