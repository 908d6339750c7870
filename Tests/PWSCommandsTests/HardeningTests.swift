import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Hostile inputs and operation (spec §3, §7, §A8), through the real binary: nothing hangs,
/// traps, leaks a NIK or is skipped silently.
@Suite struct HardeningTests {
    static let header = "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code,result\n"

    /// A data folder with the sample register and the given service files.
    static func dataFolder(_ tmp: TempFolder, files: [String: String]) throws -> String {
        let data = tmp.path + "/data"
        try FileManager.default.createDirectory(atPath: data + "/layanan", withIntermediateDirectories: true)
        let sample = PWSBinary.packageRoot.appendingPathComponent("sample-data").path
        try FileManager.default.copyItem(atPath: sample + "/wilayah.csv", toPath: data + "/wilayah.csv")
        for (name, text) in files { try text.write(toFile: data + "/layanan/" + name, atomically: true, encoding: .utf8) }
        return data
    }

    /// A village code and RT of the sample register, for rows that pass.
    static let area = "3201012004,001,001"
    static let goodRow = "R1,2025-03-04,3201010304210001,2021-04-03,L,\(area),posyandu,TIMBANG,12.5\n"

    /// Every kind of input that is not a regular readable file, named `*.csv` in `layanan/`.
    static func plantNonRegular(in layanan: String) throws {
        #expect(mkfifo(layanan + "/fifo.csv", 0o644) == 0)
        try FileManager.default.createDirectory(atPath: layanan + "/folder.csv", withIntermediateDirectories: false)
        #expect(symlink("/dev/zero", layanan + "/zero.csv") == 0)
        #expect(symlink(layanan + "/missing", layanan + "/dangling.csv") == 0)
        #expect(symlink(layanan + "/loop.csv", layanan + "/loop.csv") == 0)
        // A name that is not UTF-8: "bad\xFF.csv".
        let badName = Array((layanan + "/bad").utf8) + [0xFF] + Array(".csv".utf8) + [0]
        let fd = badName.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { open($0, O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(fd >= 0)
        close(fd)
        // A socket.
        let sock = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array((layanan + "/sock.csv").utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.prefix(raw.count - 1).enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(sock)
    }

    static let plantedReasons = [
        "layanan/bad\\xFF.csv": "not valid UTF-8",
        "layanan/dangling.csv": "does not exist",
        "layanan/fifo.csv": "a FIFO (named pipe), not a regular file",
        "layanan/folder.csv": "a directory, not a regular file",
        "layanan/loop.csv": "loops back on itself",
        "layanan/sock.csv": "a socket, not a regular file",
        "layanan/zero.csv": "a character device, not a regular file",
    ]

    /// A FIFO would block open(2) and /dev/zero never ends: each is refused at once, listed with
    /// its reason, and the run exits 66 publishing nothing (spec §A8).
    @Test func inputsThatAreNotRegularFilesStopTheRunWith66() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.dataFolder(tmp, files: ["a.csv": Self.header + Self.goodRow])
        try Self.plantNonRegular(in: data + "/layanan")
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(r.status == 66)
        #expect(r.stderr.contains("7 service-record input(s)"))
        for (path, reason) in Self.plantedReasons {
            #expect(r.stderr.contains("  \(path): "), "\(path) not listed")
            #expect(r.stderr.contains(reason), "\(path): no \"\(reason)\"")
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/2026-01"))
        #expect(!FileManager.default.fileExists(atPath: out + "/2025-03"))
    }

    /// With `--skip-unreadable` the run goes on: each input is listed in the console and
    /// run.json, and completeness.csv marks it not reported.
    @Test func skipUnreadableListsEachInputAndGoesOn() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.dataFolder(tmp, files: ["a.csv": Self.header + Self.goodRow])
        try Self.plantNonRegular(in: data + "/layanan")
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--skip-unreadable"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("skipped 7 input(s) that cannot be read"))
        for (path, reason) in Self.plantedReasons {
            #expect(r.stdout.contains("  \(path): "), "\(path) not listed")
            #expect(r.stdout.contains(reason), "\(path): no \"\(reason)\"")
        }
        #expect(!r.stdout.contains("more (run.json lists all)"))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/2025-03/run.json")))
        let entries = try #require((manifest as? [String: Any])?["unreadable_inputs"] as? [[String: String]])
        #expect(Set(entries.compactMap { $0["path"] }) == Set(Self.plantedReasons.keys))
        // The one readable file was read: 1 row.
        let counts = try #require((manifest as? [String: Any])?["counts"] as? [String: Any])
        #expect(counts["rows_read"] as? Int == 1)
        let completeness = try String(contentsOfFile: out + "/2025-03/completeness.csv", encoding: .utf8)
        #expect(completeness.contains("(tidak terbaca) layanan/fifo.csv,,2025,3,0,0,tidak"))
        #expect(completeness.contains("(tidak terbaca) layanan/bad\\xFF.csv,,2025,3,0,0,tidak"))
    }

    /// A `layanan/` that is there but cannot be listed — a link to a share that is not mounted,
    /// a link that loops — is an input that cannot be read, with `layanan.csv` beside it too: its
    /// files were left out without a word and the month published from `layanan.csv` alone.
    @Test(arguments: [("/nonexistent/layanan", "the folder is a symbolic link to something that does not exist"),
                      ("layanan", "the folder is a symbolic link that loops back on itself")])
    func aServiceFolderThatCannotBeListedIsAnUnreadableInput(_ target: String, _ reason: String) throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.dataFolder(tmp, files: [:])
        try (Self.header + Self.goodRow).write(toFile: data + "/layanan.csv", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: data + "/layanan")
        #expect(symlink(target, data + "/layanan") == 0)
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(r.status == 66)
        #expect(r.stderr.contains("1 service-record input(s)"))
        #expect(r.stderr.contains("  layanan: \(reason)"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/2025-03"))
        let skipped = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--skip-unreadable"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("  layanan: \(reason)"))
    }

    /// A data folder that is there but cannot be entered says so, not "wilayah.csv is missing".
    @Test func aDataFolderThatCannotBeEnteredIsNamed() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.dataFolder(tmp, files: ["a.csv": Self.header + Self.goodRow])
        #expect(chmod(data, 0o600) == 0)
        defer { chmod(data, 0o755) }
        // Root enters any folder: as root, run pws as `nobody` (util-linux's runuser).
        let launcher = geteuid() == 0 ? ["/usr/sbin/runuser", "-u", "nobody", "--"] : []
        let r = try PWSBinary.run(["validate", "--data", data, "--today", "2026-01-15"], launcher: launcher)
        #expect(r.status == 66)
        #expect(r.stderr.contains("data folder \(data) cannot be read (Permission denied)"), "\(r.stderr)")
    }

    /// A register that is a FIFO is refused at once too (it cannot be skipped).
    @Test func registerThatIsAFIFOExits66AtOnce() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.dataFolder(tmp, files: ["a.csv": Self.header + Self.goodRow])
        try FileManager.default.removeItem(atPath: data + "/wilayah.csv")
        #expect(mkfifo(data + "/wilayah.csv", 0o644) == 0)
        let r = try PWSBinary.run(["validate", "--data", data, "--today", "2026-01-15", "--skip-unreadable"])
        #expect(r.status == 66)
        #expect(r.stderr.contains("wilayah.csv cannot be read: it is a FIFO (named pipe), not a regular file"))
    }

    /// A file that opens but cannot be read (an I/O error) stops the run with 66, naming it.
    @Test func fileThatFailsToReadExits66() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.dataFolder(tmp, files: ["a.csv": Self.header + Self.goodRow])
        if geteuid() == 0 {
            // Root reads any file; /proc/self/mem opens but fails to read at offset 0 (EIO).
            #expect(symlink("/proc/self/mem", data + "/layanan/mem.csv") == 0)
        } else {
            try "x".write(toFile: data + "/layanan/mem.csv", atomically: true, encoding: .utf8)
            #expect(chmod(data + "/layanan/mem.csv", 0) == 0)
        }
        let r = try PWSBinary.run(["validate", "--data", data, "--today", "2026-01-15"])
        #expect(r.status == 66)
        #expect(r.stderr.contains("layanan/mem.csv"))
    }

    /// A planted `OUT/.pws.lock` — a symbolic link, or a hard link to another file — makes the
    /// run stop with 73 naming it; the file it leads to is untouched (spec §A8), where pws used
    /// to truncate it and write its pid there.
    @Test(arguments: [true, false])
    func plantedLockFileIsRefusedWith73(symbolic: Bool) throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.dataFolder(tmp, files: ["a.csv": Self.header + Self.goodRow])
        let out = tmp.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let victim = tmp.path + "/victim.txt"
        try "keep me\n".write(toFile: victim, atomically: true, encoding: .utf8)
        #expect((symbolic ? symlink(victim, out + "/.pws.lock") : link(victim, out + "/.pws.lock")) == 0)
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(r.status == 73)
        #expect(r.stderr.contains(symbolic ? "\(out)/.pws.lock is a symbolic link" : "a hard link to another file"))
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me\n")
        #expect(!FileManager.default.fileExists(atPath: out + "/2025-03"))
    }

    /// A published run of 1,500 generated records in `tmp`, then a second run of the same
    /// paused at `point` (`PWS_PAUSE_AT`; `extra` its further arguments, `environment` its
    /// own): what the signal tests start from.
    struct PausedRerun {
        let data: String, out: String, marker: String
        /// The first run's published files and the run folder its link names.
        let before: [String: Data], link: String
        let process: Process, err: Pipe

        init(_ tmp: TempFolder, at point: String, extra: [String] = [], environment: [String: String] = [:]) throws {
            data = try tmp.generated(records: 1500)
            out = tmp.path + "/out"
            #expect(try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"]).status == 0)
            before = TempFolder.snapshot(out + "/2025-12")
            link = try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12")
            marker = tmp.path + "/paused"
            (process, err) = try PWSBinary.startPaused(["run", "--data", data, "--out", out, "--today", "2026-01-15"] + extra,
                                                        at: point, marker: marker, environment: environment)
            #expect(FileManager.default.fileExists(atPath: marker), "the run never reached the pause point")
        }

        /// The staging folders under OUT/.runs now.
        var staging: [String] {
            (try? FileManager.default.contentsOfDirectory(atPath: out + "/.runs"))?.filter { $0.hasPrefix(".staging") } ?? []
        }
    }

    /// SIGTERM, SIGINT and SIGHUP in the middle of writing outputs: exit 143/130/129, the
    /// staging folder removed, the published set byte-identical, and the next run not blocked.
    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130)), (SIGHUP, Int32(129))])
    func signalsStopTheRunCleanly(signalNumber: Int32, status: Int32) throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let paused = try PausedRerun(tmp, at: "staging-partial", extra: ["--quiet"])
        let (data, out, before, link, process, err) = (paused.data, paused.out, paused.before, paused.link, paused.process, paused.err)
        // A staging folder exists while the run is paused in the middle of writing.
        let staging = { paused.staging }
        #expect(staging().count == 1)
        kill(process.processIdentifier, signalNumber)
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == status)
        #expect(String(decoding: message, as: UTF8.self).contains("stopped by SIG"))
        #expect(staging().isEmpty)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12") == link)
        #expect(TempFolder.snapshot(out + "/2025-12") == before)
        #expect(try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"]).status == 0)
    }

    /// A signal whose stop removed the staging folder while the run went on writing: the run
    /// failed on the missing folder first (exit 66 "cannot read …/pws.xlsx to hash it", or 73
    /// with libxlsxwriter's own "[ERROR] workbook_close()" line) — or, having made the folder
    /// anew, could publish part of a set. Here the stop waits 1.5 s after removing the folder
    /// (`PWS_STOP_DELAY_MS`) and the run is let go on meanwhile: it exits 143 with the stop's
    /// line only, and the published set is untouched.
    @Test func aRunGoingOnAfterItsStagingWasRemovedEndsAsTheStopSays() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let paused = try PausedRerun(tmp, at: "staging-partial", environment: ["PWS_STOP_DELAY_MS": "1500"])
        let (data, out, marker, before, link, process, err) =
            (paused.data, paused.out, paused.marker, paused.before, paused.link, paused.process, paused.err)
        let staging = { paused.staging }
        #expect(staging().count == 1)
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where !staging().isEmpty { usleep(20_000) }
        #expect(staging().isEmpty, "the stop removed the staging folder")
        try FileManager.default.removeItem(atPath: marker)   // the run goes on
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143, "\(message)")
        #expect(message.contains("pws: stopped by SIGTERM"), "\(message)")
        #expect(!message.contains("error") && !message.contains("ERROR"), "\(message)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12") == link)
        #expect(TempFolder.snapshot(out + "/2025-12") == before)
        // A folder the run made anew is removed by the next run.
        #expect(try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"]).status == 0)
        #expect(staging().isEmpty)
    }

    /// A signal while the finished set is moved into place (after the run folder's rename,
    /// before the link is switched) waits for the move: the stop said "nothing was published"
    /// and left the new run folder unlinked. Now the set is published and the line says so;
    /// the exit status is still the signal's. A second signal meanwhile changes nothing.
    @Test func aSignalWhileTheSetIsMovedIntoPlaceWaitsForIt() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let paused = try PausedRerun(tmp, at: "run-folder")
        let (out, marker, link, process, err) = (paused.out, paused.marker, paused.link, paused.process, paused.err)
        kill(process.processIdentifier, SIGTERM)
        usleep(200_000)
        kill(process.processIdentifier, SIGINT)
        usleep(200_000)
        #expect(process.isRunning, "the stop waits for the set to be in place")
        try FileManager.default.removeItem(atPath: marker)   // the move goes on
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143, "\(message)")
        #expect(message.contains("pws: stopped by SIGTERM as the run's outputs were being moved into place; it was published: \(out)/2025-12"),
                "\(message)")
        #expect(!message.contains("nothing was published"), "\(message)")
        let now = try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12")
        #expect(now != link)
        let published = TempFolder.snapshot(out + "/2025-12")
        #expect(published["run.json"] != nil && published["indicators.csv"] != nil && published["pws.xlsx"] != nil)
    }

    /// A service file that changes between its hash and its reading (an upload still going
    /// when cron starts the run): the map of the truncated bytes went into the cache under the
    /// whole file's hash, and once the file was whole again the next run trusted it and left
    /// half of the file's rows out. The run now stops (75) and caches nothing of it; the next
    /// run, the file whole, publishes what a plain `pws run` does.
    @Test func aFileChangedWhileAnIncrementalRunReadsItIsNotCached() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated(records: 3000)
        let out = tmp.path + "/out"
        let files = try FileManager.default.contentsOfDirectory(atPath: data + "/layanan").sorted()
        let file = data + "/layanan/" + files[files.count / 2]
        let whole = try Data(contentsOf: URL(fileURLWithPath: file))
        let marker = tmp.path + "/paused"
        let (process, err) = try PWSBinary.startPaused(
            ["run", "--data", data, "--out", out, "--today", "2026-01-15", "--partitions", "2", "--incremental"],
            at: "map-hashed", marker: marker)
        #expect(FileManager.default.fileExists(atPath: marker), "the run never reached the pause point")
        #expect(truncate(file, off_t(whole.count / 2)) == 0)
        try FileManager.default.removeItem(atPath: marker)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 75, "\(message)")
        #expect(message.contains("\(files[files.count / 2]) changed while this run read it"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: out + "/2025-12"))
        // The upload completes: the same bytes as when the run hashed the file.
        try whole.write(to: URL(fileURLWithPath: file))
        let rerun = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--partitions", "2",
                                       "--incremental"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/plain", "--today", "2026-01-15"]).status == 0)
        var cached = TempFolder.snapshot(out + "/2025-12"), plain = TempFolder.snapshot(tmp.path + "/plain/2025-12")
        cached["run.json"] = nil
        plain["run.json"] = nil
        #expect(cached == plain)
    }

    /// A NIK can reach rejects.csv in cells Validate does not know hold one: a `;` row in a
    /// `,` file is one long record id (E-FIELDS); a stray quote merges two rows into one field.
    /// Masked unless `--keep-identifiers` (spec §3, §A8).
    @Test func noNIKInRejectsFromRawLines() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let semicolonRow = "R2;2025-03-04;3201010304210002;2021-04-03;L;3201012004;001;001;posyandu;TIMBANG;12\n"
        // The quote opened in R3's result closes at the end of the next line: R4 becomes part
        // of R3's result, which W-RESULT then quotes.
        let mergedRows = "R3,2025-03-04,3201010304210003,2021-04-03,L,\(Self.area),posyandu,TIMBANG,\"12\n"
            + "R4,2025-03-04,3201 0103 0421 0004,2021-04-03,L,\(Self.area),posyandu,TIMBANG,12\"\n"
        let data = try Self.dataFolder(tmp, files: ["a.csv": Self.header + Self.goodRow + semicolonRow + mergedRows])
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["validate", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(r.status == 0 || r.status == 65, "\(r.stderr)")
        let rejects = try String(contentsOfFile: out + "/rejects.csv", encoding: .utf8)
        let warnings = try String(contentsOfFile: out + "/warnings.csv", encoding: .utf8)
        #expect(rejects.contains("E-FIELDS"))
        #expect(warnings.contains("W-RESULT"))
        for nik in ["3201010304210002", "0304210002", "3201 0103 0421 0004", "0103 0421"] {
            #expect(!rejects.contains(nik) && !warnings.contains(nik), "\(nik) leaked")
        }
        // The masked forms: first 4 and last 2 digits kept.
        #expect(rejects.contains("R2;2025-03-04;3201**********02;2021-04-03"))
        #expect(warnings.contains("R4,2025-03-04,3201*************04,2021-04-03"))

        let kept = try PWSBinary.run(["validate", "--data", data, "--out", out, "--today", "2026-01-15",
                                      "--keep-identifiers"])
        #expect(kept.status == 0 || kept.status == 65)
        #expect(try String(contentsOfFile: out + "/rejects.csv", encoding: .utf8).contains("3201010304210002"))
        #expect(try String(contentsOfFile: out + "/warnings.csv", encoding: .utf8).contains("3201 0103 0421 0004"))
    }

    /// More than 65,535 service files: the file index no longer fits 16 bits (it trapped at
    /// 65,537). The last file holds the one row that is not a duplicate of the first's.
    @Test func moreThan65535FilesAreRead() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.dataFolder(tmp, files: [:])
        let count = 65_537
        for i in 0..<count {
            let result = i == count - 1 ? "13.5" : "12.5"
            let row = "R\(i),2025-03-04,3201010304210001,2021-04-03,L,\(Self.area),posyandu,TIMBANG,\(result)\n"
            let name = String(format: "layanan/f%06d.csv", i)
            #expect(FileManager.default.createFile(atPath: data + "/" + name, contents: Data((Self.header + row).utf8)))
        }
        let out = tmp.path + "/out"
        let v = try PWSBinary.run(["validate", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(v.status == 0, "\(v.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/run.json")))
        let counts = try #require((manifest as? [String: Any])?["counts"] as? [String: Any])
        // 65,537 read; all but the first and the last are duplicates of the first.
        #expect(counts["rows_read"] as? Int == count)
        #expect(counts["rows_used"] as? Int == 2)
        #expect(counts["rows_duplicate"] as? Int == count - 2)
    }

    /// A 2 GiB file that is one bad line (a sparse run of zeros) is rejected in bounded memory:
    /// the tables are no longer sized by the file's bytes (8 GiB cost 2.7 GB before). The run's
    /// own peak is ~47 MiB (debug build); the 206–344 MiB earlier sessions saw here were the
    /// test runner's memory, which `ru_maxrss` carried into the spawned pws (see
    /// `peakRSSIsTheRunsOwnNotItsParents`). The limit guards against growth with the file's
    /// size (gigabytes).
    @Test func hugeRejectedLineUsesBoundedMemory() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.dataFolder(tmp, files: ["a.csv": Self.header + Self.goodRow])
        let huge = data + "/layanan/huge.csv"
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        #expect(truncate(huge, 2 << 30) == 0)
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["validate", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/run.json")))
        let peak = try #require((manifest as? [String: Any])?["peak_rss_mib"] as? Double)
        #expect(peak < 200, "peak RSS \(peak) MiB")
        let rejects = try String(contentsOfFile: out + "/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("layanan/huge.csv,1,,E-COLUMNS"))
    }

    /// run.json's `peak_rss_mib` is the run's own memory, whatever started it: this test holds
    /// 768 MiB, touched, while it starts a `pws validate` of one row (Foundation's `Process`
    /// spawns with `posix_spawn`, whose child shares this process's memory until its `exec`).
    /// With `getrusage`'s `ru_maxrss` the run reported this process's peak (≥ 768 MiB) as its
    /// own; its own is a few tens of MiB.
    @Test func peakRSSIsTheRunsOwnNotItsParents() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.dataFolder(tmp, files: ["a.csv": Self.header + Self.goodRow])
        let held = [UInt8](repeating: 1, count: 768 << 20)
        let out = tmp.path + "/out"
        // Held (and its pages touched) until the child has run, whatever the optimiser does.
        let r = try withExtendedLifetime(held) {
            try PWSBinary.run(["validate", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        }
        #expect(held.count == 768 << 20 && held[0] == 1 && held[held.count - 1] == 1)
        #expect(r.status == 0, "\(r.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/run.json")))
        let peak = try #require((manifest as? [String: Any])?["peak_rss_mib"] as? Double)
        #expect(peak > 1 && peak < 200, "peak RSS \(peak) MiB")
    }

    /// A dedup output replaced by a FIFO or a link to /dev/zero held reduce and merge for ever:
    /// they hash every dedup output to check what a stage was made from, and the hashing
    /// opened and read whatever was there. Now refused at once (65), naming the file.
    @Test func aDedupOutputThatIsNoFileIsRefusedNotWaitedOn() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated(records: 1500)
        let shared = tmp.path + "/shared"
        let common = ["--shared", shared, "--data", data, "--today", "2026-01-15"]
        #expect(try PWSBinary.run(["map", "--task", "0", "--tasks", "1", "--partitions", "2"] + common).status == 0)
        for j in 0..<2 { #expect(try PWSBinary.run(["dedup", "--task", "\(j)", "--tasks", "2"] + common).status == 0) }
        let dedup = shared + "/pws/dedup/dedup-1.pws"
        for (make, kind) in [("fifo", "a FIFO (named pipe)"), ("zero", "a character device")] {
            try FileManager.default.removeItem(atPath: dedup)
            if make == "fifo" {
                #expect(mkfifo(dedup, 0o600) == 0)
            } else {
                try FileManager.default.createSymbolicLink(atPath: dedup, withDestinationPath: "/dev/zero")
            }
            for stage in [["reduce", "--task", "0", "--tasks", "2"], ["merge", "--out", tmp.path + "/out"]] {
                let r = try PWSBinary.run(stage + common, launcher: ["/usr/bin/timeout", "60"])
                #expect(r.status == 65, "\(make) \(stage[0]): \(r.stderr)")
                #expect(r.stderr.contains("intermediate file \(dedup) is \(kind), not a plain file"), "\(make) \(stage[0]): \(r.stderr)")
            }
        }
    }

    /// An intermediate file copied over another partition's (a botched recovery by hand) was
    /// taken for it: its rows counted twice, the other's not at all, and the merge published
    /// wrong numbers with exit 0. Each reader now checks the task and partition a file's
    /// header says it is of against those its name says.
    @Test func anIntermediateFileOfAnotherPartitionIsRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let clean = tmp.path + "/clean"
        let common = ["--data", MisuseTests.sample, "--today", "2026-01-15"]
        for i in 0..<2 {
            #expect(try PWSBinary.run(["map", "--task", "\(i)", "--tasks", "2", "--partitions", "2", "--shared", clean] + common).status == 0)
        }
        for stage in ["dedup", "reduce"] {
            for j in 0..<2 { #expect(try PWSBinary.run([stage, "--task", "\(j)", "--tasks", "2", "--shared", clean] + common).status == 0) }
        }
        let cases: [(from: String, to: String, stage: [String], says: String)] = [
            ("map/part-0-1.pws", "map/part-0-0.pws", ["reduce", "--task", "0", "--tasks", "2"], "task 0, partition 1, not of task 0, partition 0"),
            ("map/ids-0-1.pws", "map/ids-0-0.pws", ["dedup", "--task", "0", "--tasks", "2"], "task 0, partition 1, not of task 0, partition 0"),
            ("dedup/dedup-0.pws", "dedup/dedup-1.pws", ["reduce", "--task", "1", "--tasks", "2"], "task 0, not of task 1"),
            ("reduce/reduce-0.pws", "reduce/reduce-1.pws", ["merge", "--out", tmp.path + "/out"], "task 0, not of task 1"),
        ]
        for (n, c) in cases.enumerated() {
            let shared = tmp.path + "/shared-\(n)"
            try FileManager.default.copyItem(atPath: clean, toPath: shared)
            try FileManager.default.removeItem(atPath: shared + "/pws/" + c.to)
            try FileManager.default.copyItem(atPath: shared + "/pws/" + c.from, toPath: shared + "/pws/" + c.to)
            let r = try PWSBinary.run(c.stage + ["--shared", shared] + common)
            #expect(r.status == 65, "\(c.to): \(r.stderr)")
            #expect(r.stderr.contains("intermediate file \(shared)/pws/\(c.to) is the output of \(c.says) its name says"), "\(c.to): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/out/2025-12"))
    }

    /// A map task whose write fails (here a file-size limit: `ulimit -f`, SIGXFSZ ignored, so
    /// write(2) fails with EFBIG as it would with ENOSPC) stops at once: exit 73 naming the
    /// file it could not write and the input file whose rows it was writing — its first flush
    /// of a partition (64 KiB) passes the 16 KiB limit within the first files of 150 — and no
    /// temporary file left. It used to read (and hold in memory) the rest of its share before
    /// saying so.
    @Test func aMapWhoseWriteFailsStopsAtOnce() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated(records: 20000)
        let shared = tmp.path + "/shared"
        let r = try PWSBinary.run(["map", "--task", "0", "--tasks", "1", "--partitions", "2", "--data", data, "--shared", shared],
                                  launcher: ["/bin/bash", "-c", "trap '' XFSZ; ulimit -f 16; exec \"$0\" \"$@\""])
        let stderr = r.stderr
        #expect(r.status == 73, "\(stderr)")
        #expect(stderr.contains("cannot write \(shared)/pws/map/"), "\(stderr)")
        #expect(stderr.contains("File too large"), "\(stderr)")
        let pattern = /map task 0 of 1 stopped at the rows of (layanan\/[^,]+\.csv), file (\d+) of its (\d+)\)/
        let match = try #require(stderr.firstMatch(of: pattern), "\(stderr)")
        #expect(Int(match.3) == 150)
        let file = Int(match.2)!
        #expect(file < 30, "\(stderr)")
        // The file named is the share's file at that position (the sorted listing of layanan/).
        let listing = try FileManager.default.contentsOfDirectory(atPath: data + "/layanan").sorted()
        #expect(String(match.1) == "layanan/" + listing[file - 1], "\(stderr)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: shared + "/pws/map")) ?? []
        #expect(left.isEmpty, "\(left)")
    }
}
