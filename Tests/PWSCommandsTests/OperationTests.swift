import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Exit codes, locking, crash safety and refusal (spec §7), through the real binary.
@Suite struct OperationTests {
    @Test func overlappingRunExits75AtOnce() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let out = tmp.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // Another process holds the lock (flock is per open file description).
        let fd = open(out + "/.pws.lock", O_RDWR | O_CREAT, 0o644)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        flock(fd, LOCK_UN)
        close(fd)
        #expect(r.status == 75)
        #expect(r.stderr.contains("another pws run is writing to"))
        #expect(!FileManager.default.fileExists(atPath: out + "/2025-12"))
    }

    /// A run killed (SIGKILL) at each step leaves the published set byte-identical, and no lock
    /// blocks the next run.
    @Test(arguments: ["validated", "aggregated", "staging-partial", "staged", "run-folder", "link-made"])
    func killedRunLeavesThePublishedSetIntact(point: String) throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let out = tmp.path + "/out"
        let first = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(first.status == 0)
        let before = TempFolder.snapshot(out + "/2025-12")
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12")

        // Change the data so a finished second run would publish different files.
        let extra = data + "/layanan/zz-extra.csv"
        try "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code\n".write(toFile: extra, atomically: true, encoding: .utf8)
        let killed = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"],
                                       environment: ["PWS_CRASH_AT": point])
        #expect(killed.status == 9 || killed.status == 137, "not killed at \(point): \(killed.status)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12") == link)
        let after = TempFolder.snapshot(out + "/2025-12")
        #expect(after == before, "published set changed after a kill at \(point)")

        let next = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(next.status == 0, "next run blocked after a kill at \(point): \(next.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12") != link)
        let staging = try FileManager.default.contentsOfDirectory(atPath: out + "/.runs").filter { $0.hasPrefix(".staging") }
        #expect(staging.isEmpty)
        // Killed after its folder was moved into .runs/ ("run-folder", "link-made"), the run left
        // a folder saying "published" that never was, and its temporary link: the next run
        // removes both, so .runs/ holds the two runs that were published.
        let runs = try FileManager.default.contentsOfDirectory(atPath: out + "/.runs").filter { !$0.hasPrefix(".") }.sorted()
        #expect(runs.count == 2, "\(runs)")
        #expect(runs.first.map { ".runs/" + $0 } == link)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".link-") }.isEmpty)
    }

    /// A real folder at OUT/YYYY-MM (not pws's link) stops the publish with 73 before the run's
    /// folder is moved into .runs/: none is left there saying "published".
    @Test func aFolderInPlaceOfTheLinkLeavesNoRunFolderBehind() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let out = tmp.path + "/out"
        #expect(try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"]).status == 0)
        let fm = FileManager.default
        let runs = try fm.contentsOfDirectory(atPath: out + "/.runs")
        try fm.removeItem(atPath: out + "/2025-12")
        try fm.createDirectory(atPath: out + "/2025-12", withIntermediateDirectories: false)
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(r.status == 73)
        #expect(r.stderr.contains("2025-12 exists and is not a pws link; move it away and run again"))
        #expect(try fm.contentsOfDirectory(atPath: out + "/.runs").sorted() == runs.sorted())
    }

    @Test func killAfterTheSwitchLeavesTheNewSetComplete() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"],
                                  environment: ["PWS_CRASH_AT": "switched"])
        #expect(r.status == 9 || r.status == 137)
        let files = TempFolder.snapshot(out + "/2025-12")
        #expect(files["run.json"] != nil && files["report.html"] != nil && files["indicators.csv"] != nil)
    }

    @Test func refusedRunPublishesNothingAndKeepsItsRejects() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let out = tmp.path + "/out"
        #expect(try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"]).status == 0)
        let before = TempFolder.snapshot(out + "/2025-12")
        // A pipeline that tolerates no rejects at all.
        let pipeline = try tmp.pipeline(maxRejectRate: "0", name: "strict")
        let r = try PWSBinary.run(["run", "--pipeline", pipeline, "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(r.status == 65)
        #expect(r.stdout.contains("nothing was published"))
        #expect(TempFolder.snapshot(out + "/2025-12") == before)
        let refused = try String(contentsOfFile: out + "/refused/2025-12/rejects.csv", encoding: .utf8)
        #expect(refused.split(separator: "\n").count > 1)
        let manifest = try String(contentsOfFile: out + "/refused/2025-12/run.json", encoding: .utf8)
        #expect(manifest.contains("\"status\" : \"refused\""))
        // Once the month is published again, its refusal is out of date and goes.
        #expect(try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: out + "/refused/2025-12"))

        // OUT/refused a link to another folder: a publish removes nothing through it, and a
        // refusal is not kept through it (exit 73).
        let elsewhere = tmp.path + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere + "/2025-12", withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: out + "/refused")
        #expect(symlink(elsewhere, out + "/refused") == 0)
        #expect(try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/2025-12"))
        let linked = try PWSBinary.run(["run", "--pipeline", pipeline, "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(linked.status == 73, "\(linked.stderr)")
        #expect(linked.stderr.contains("\(out)/refused is a symbolic link"), "\(linked.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere) == ["2025-12"])
    }

    /// `--quiet` on a published run still names the files of which no row was accepted (an
    /// empty upload, another template, a broken column) — a header alone is a month without
    /// services, not named — and the summary without `--quiet` has the same lines.
    @Test func quietRunNamesTheFilesOfWhichNoRowWasAccepted() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let h = HardeningTests.header, area = HardeningTests.area
        let good = (1...60).map { "R\($0),2025-03-04,3201010304210001,2021-04-03,L,\(area),posyandu,TIMBANG,12.5\n" }.joined()
        let data = try HardeningTests.dataFolder(tmp, files: [
            "a.csv": h + good,
            "b-empty.csv": "",
            "c-template.csv": "tanggal,nama\n2025-03-04,Siti\n",
            "d-header.csv": h,
            "e-broken.csv": h + "X1,2025-13-04,3201010304210001,2021-04-03,L,\(area),posyandu,TIMBANG,12.5\n"
                + "X2,2025-03-44,3201010304210001,2021-04-03,L,\(area),posyandu,TIMBANG,12.5\n",
        ])
        let expected = """
            no row accepted from 3 files (each facility-month counts as not reported; rejects.csv says why — fix and resend):
              layanan/b-empty.csv: no rows (E-COLUMNS)
              layanan/c-template.csv: 1 of 1 rows rejected (E-COLUMNS)
              layanan/e-broken.csv: 2 of 2 rows rejected (E-DATE)

            """
        let quiet = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/out", "--today", "2026-01-15", "--quiet"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stdout == expected, "\(quiet.stdout)")
        let loud = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/out", "--today", "2026-01-15"])
        #expect(loud.stdout.contains(expected), "\(loud.stdout)")
        let rejects = try String(contentsOfFile: tmp.path + "/out/2025-03/rejects.csv", encoding: .utf8)
        #expect(rejects.contains("layanan/b-empty.csv,1,,E-COLUMNS,error,\"record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code\",0,\"the file is empty (no header row, no records); ask the facility to send it again\"\n"), "\(rejects)")
    }

    /// The year's targets, which `denominator_source` cannot show (a village of RT estimates is
    /// a `sum`, as one of real targets is): villages without a row for the year are named in a
    /// note; a sasaran.csv without the year at all (January before the projections) is said by
    /// --quiet too.
    @Test func missingTargetsOfTheYearAreSaid() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = tmp.path + "/data"
        try FileManager.default.copyItem(atPath: PWSBinary.packageRoot.appendingPathComponent("sample-data").path, toPath: data)
        let out = tmp.path + "/out"
        func notes() throws -> [String] {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/2025-12/run.json")))
            return (json as? [String: Any])?["notes"] as? [String] ?? []
        }
        // sample-data: Pasirwangi alone has no sasaran row (docs/sample-data).
        let some = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(some.status == 0 && some.stdout.isEmpty, "\(some.stdout)")
        let estimated = "those denominators are estimated from the register's population (the pipeline's estimation shares; denominator_source `estimate` at the RTs, `sum` at the village and above)"
        // And the villages whose own targets the RTs' estimates do not add up to: Tegalmanik's
        // bumil 28 against RW 01 4 + 2 + 4, RW 02 3 + 2 + 4 + 3 + 2 + 2 and RW 03 4 = 30 (its RTs'
        // 233, 107, 208 | 195, 98, 214, 177, 122, 139 | 206 people × 0.0176, rounded half up).
        func own(_ groups: String) -> String {
            "sasaran.csv: 7 villages have targets of 2025 of their own for groups whose RW and RT denominators are estimated "
                + "from the register's population and add up to another figure — \(groups); e.g. bumil in Tegalmanik "
                + "(3201012001): 28 against its RWs' 30. Each area keeps its own, so RW and RT coverage there is over the "
                + "estimates: give the RW or RT targets in sasaran.csv too, or set the pipeline's estimation shares to the "
                + "district's projections"
        }
        #expect(try notes() == [own("bumil (7), bulin (7), bayi_lahir_hidup (7), bayi (5), baduta (5), balita (4), remaja (7), "
                                    + "remaja_putri (7), usia_produktif (7), dewasa (7), lansia (7)"),
                                "1 of 8 villages lack targets of 2025 in sasaran.csv for some target groups: Pasirwangi (3201012003: 30 indicators); " + estimated])
        let report = try String(contentsOfFile: out + "/2025-12/report.html", encoding: .utf8)
        #expect(report.contains(">Perhatian: sasaran.csv tidak memuat sasaran tahun 2025 untuk sebagian atau semua kelompok sasaran di 1 desa/kelurahan (Pasirwangi). "))
        #expect(report.contains("(mis. ibu hamil (bumil) Tegalmanik: sasaran desa 28, jumlah RW 30).</p>"))
        // One group (bayi) missing from every village: its indicators, though each village has rows.
        let sasaran = try String(contentsOfFile: data + "/sasaran.csv", encoding: .utf8)
        let lines = sasaran.components(separatedBy: .newlines).filter { !$0.isEmpty }
        try (lines.filter { !$0.contains(";bayi;") }.joined(separator: "\n") + "\n")
            .write(toFile: data + "/sasaran.csv", atomically: true, encoding: .utf8)
        let bayi = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(bayi.status == 0 && bayi.stdout.isEmpty, "\(bayi.stdout)")
        #expect(try notes() == [own("bumil (7), bulin (7), bayi_lahir_hidup (7), baduta (5), balita (4), remaja (7), "
                                    + "remaja_putri (7), usia_produktif (7), dewasa (7), lansia (7)"),
                                "8 of 8 villages lack targets of 2025 in sasaran.csv for some target groups: Tegalmanik (3201012001: IBL, IDL), Sumbermurni (3201012002: IBL, IDL), Pasirwangi (3201012003: 30 indicators), Tegalgalih (3201012004: IBL, IDL), Bukitjaya (3201012005: IBL, IDL) and 3 more; " + estimated])
        // Only the header left: no target for 2025 at all.
        let header = try #require(lines.first)
        try (header + "\n").write(toFile: data + "/sasaran.csv", atomically: true, encoding: .utf8)
        let none = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        let expected = "sasaran.csv has no target for 2025: every target-group denominator of 2025 is estimated from the register's population (the pipeline's estimation shares; denominator_source `estimate` at the RTs, `sum` at the village and above); add the year's targets to sasaran.csv"
        #expect(none.status == 0, "\(none.stderr)")
        #expect(none.stdout == expected + "\n", "\(none.stdout)")
        let loud = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15"])
        #expect(loud.stdout.contains("\n" + expected + "\nas-of 2025-12; published "), "\(loud.stdout)")
        #expect(try notes() == [expected])
        let allReport = try String(contentsOfFile: out + "/2025-12/report.html", encoding: .utf8)
        #expect(allReport.contains(">Perhatian: sasaran.csv belum memuat sasaran tahun 2025. Penyebut semua indikator berbasis kelompok sasaran adalah perkiraan"))
    }

    /// The log says the same whether one process read the files or map tasks did: the
    /// register's notes (a control character, a village named twice), a file
    /// `--skip-unreadable` skipped, the targets' note — `pws run --partitions` logged only the
    /// last (review 8).
    @Test func partitionedRunLogsTheNotesOfOneProcess() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = tmp.path + "/data"
        try FileManager.default.copyItem(atPath: PWSBinary.packageRoot.appendingPathComponent("sample-data").path, toPath: data)
        let register = try String(contentsOfFile: data + "/wilayah.csv", encoding: .utf8)
        try register.replacingOccurrences(of: "Tegalmanik,Jatiwangi,Kabupaten Karangmukti,P3201010101,Puskesmas Jatiwangi,Kaler,01,002,",
                                          with: "Tega\u{01}lmanik,Jatiwangi,Kabupaten Karangmukti,P3201010101,Puskesmas Jatiwangi,Kaler,01,002,")
            .write(toFile: data + "/wilayah.csv", atomically: true, encoding: .utf8)
        // A file pws cannot read: a folder under a service file's name (root reads any mode).
        try FileManager.default.createDirectory(atPath: data + "/layanan/2025-06_unreadable.csv", withIntermediateDirectories: false)
        func warnings(_ extra: [String]) throws -> [String] {
            let run = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/out", "--today", "2026-01-15",
                                         "--skip-unreadable"] + extra)
            #expect(run.status == 0, "\(run.stderr)")
            // The lines after the timestamp: "warning pws: [Pipeline] …".
            return run.stderr.split(separator: "\n").filter { $0.contains(" warning ") }
                .map { String($0.drop { $0 != " " }.dropFirst()) }
        }
        let one = try warnings([])
        #expect(one.count == 5, "\(one)")   // the register's two, the skipped file, the targets' two
        #expect(one.contains("warning pws: [Pipeline] wilayah.csv:3: village_name \"Tega\u{FFFD}lmanik\" holds a control character, shown as \u{FFFD} in every output; remove it from the register"), "\(one)")
        #expect(one.contains { $0.hasPrefix("warning pws: [Pipeline] skipped layanan/2025-06_unreadable.csv: ") }, "\(one)")
        #expect(try warnings(["--partitions", "3"]) == one)
    }

    /// Every background thread of a run refused in turn, as a tight `ulimit -v` refuses them
    /// by chance (`PWS_REFUSE_THREADS_AFTER=k`: the threads after the first k): each run ends
    /// at once with exit 73 saying so, or publishes — none waits for a thread that never ran
    /// (one did, holding the lock, review 10) — and the month published before stays, in
    /// `pws run` and in `--partitions`.
    @Test func aRefusedThreadEndsTheRunInsteadOfHangingIt() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = PWSBinary.packageRoot.appendingPathComponent("sample-data").path
        let out = tmp.path + "/out"
        let first = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        for extra in [[String](), ["--partitions", "3"]] {
            // The month as published last (by the first run, then by the plain loop's last run).
            let published = try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12")
            var refusedRuns = 0, publishedOnce = false
            for k in 0..<16 {
                // Bounded: a hang is a failure of this test, not a hang of the suite.
                let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"] + extra,
                                          environment: ["PWS_REFUSE_THREADS_AFTER": "\(k)"], launcher: ["/usr/bin/timeout", "120"])
                if r.status == 0 {
                    // Enough threads for the whole run: so for every k after it too.
                    #expect(k > 0)
                    publishedOnce = true
                    break
                }
                refusedRuns += 1
                #expect(r.status == 73, "k \(k) \(extra): \(r.status) \(r.stderr)")
                #expect(r.stderr.contains("pws: error: cannot start a thread: Resource temporarily unavailable; "), "\(r.stderr)")
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12") == published)
            }
            #expect(refusedRuns >= 3 && publishedOnce, "\(extra)")
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/refused"))
    }

    /// An --as-of whose year has no accepted visit up to it would publish a month of zeros: exit
    /// 64, nothing published, the same in a sharded run. A month with few visits of its year
    /// is reported.
    @Test func asOfBeforeEveryVisitOfItsYearIsRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let out = tmp.path + "/out"
        for extra in [[String](), ["--partitions", "3"]] {
            let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--as-of", "2023-03"] + extra)
            #expect(r.status == 64, "\(extra) \(r.stderr)")
            #expect(r.stderr.contains("--as-of 2023-03: no accepted visit is dated from January 2023 to 2023-03, so the run would publish a month of zeros"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out + "/2023-03"))
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: out + "/.runs")) ?? []).isEmpty)
        }
        let january = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--as-of", "2025-01"])
        #expect(january.status == 0, "\(january.stderr)")
        // Over the reject limit too: the mistyped month is said first (64), no refusal is filed under it.
        let pipeline = try tmp.pipeline(maxRejectRate: "0", name: "strict")
        let both = try PWSBinary.run(["run", "--pipeline", pipeline, "--data", data, "--out", out, "--today", "2026-01-15", "--as-of", "2023-03"])
        #expect(both.status == 64, "\(both.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/refused/2023-03"))
    }

    @Test func exitCodesFollowTheSpec() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        // 66: data folder missing.
        #expect(try PWSBinary.run(["run", "--data", tmp.path + "/nope", "--out", tmp.path + "/o"]).status == 66)
        // 64: usage and pipeline definition.
        #expect(try PWSBinary.run(["run", "--data", data, "--as-of", "2025-13"]).status == 64)
        let bad = tmp.path + "/bad.yaml"
        try "version: 1\nservices: nowhere.yaml\nindicators: x.yaml\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let badRun = try PWSBinary.run(["run", "--pipeline", bad, "--data", data, "--out", tmp.path + "/o"])
        #expect(badRun.status == 64)
        #expect(badRun.stderr.contains("bad.yaml:2"))
        // 73: output not writable (a file where the folder should be).
        try "x".write(toFile: tmp.path + "/file", atomically: true, encoding: .utf8)
        let notFolder = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/file/out", "--today", "2026-01-15"])
        #expect(notFolder.status == 73)
        // The system's reason, not Foundation's dump of its error.
        #expect(notFolder.stderr.contains("caused by: \(tmp.path)/file/out: Not a directory"), "\(notFolder.stderr)")
        #expect(!notFolder.stderr.contains("NSCocoaErrorDomain"))
        // 65: register error, every problem listed as file:line.
        let register = data + "/wilayah.csv"
        var text = try String(contentsOfFile: register, encoding: .utf8)
        text += text.split(separator: "\n")[1] + "\n"  // a duplicate RT row
        try text.write(toFile: register, atomically: true, encoding: .utf8)
        let r = try PWSBinary.run(["run", "--data", data, "--out", tmp.path + "/o", "--today", "2026-01-15"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("wilayah.csv:"))
        #expect(r.stderr.contains("is listed twice"))
    }

    @Test func validateIsADryRun() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let out = tmp.path + "/check"
        let r = try PWSBinary.run(["validate", "--data", data, "--out", out, "--today", "2026-01-15", "--verbose"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("TOTAL"))
        #expect(r.stdout.contains("identities: read = rejected + accepted: yes; accepted = used + duplicate + out_of_period: yes"))
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == ["rejects.csv", "run.json", "warnings.csv"])
    }

    @Test func indicatorsListsTheDefaultCatalogue() throws {
        let r = try PWSBinary.run(["indicators", "--csv"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 62)   // header + the 49 indicators + the 12 SPM services
        #expect(lines[0] == "catalogue,id,name,subject,scope,denominator,target_annual_pct,source")
        #expect(lines[1].hasPrefix("indicators,K1,"))
        #expect(lines[1].contains(",pregnancy,lifetime,bumil,100.00,\"KMK HK.01.07/MENKES/2015/2023"))
        // Every indicator and every SPM service names its source.
        #expect(lines.dropFirst().allSatisfy { !$0.hasSuffix(",-") })
        #expect(lines[49].hasPrefix("indicators,HIPERTENSI,"))
        #expect(lines[50].hasPrefix("spm,SPM01_IBU_HAMIL,Pelayanan kesehatan ibu hamil,pregnancy,lifetime,bumil,100.00,\"Permenkes 4/2019 SPM 1"))
        #expect(lines.last!.hasPrefix("spm,SPM12_RISIKO_HIV,"))
        #expect(lines.dropFirst(50).allSatisfy { $0.hasPrefix("spm,SPM") })
        // The area count's denominator is the villages; a rate's its from indicator; the new
        // maternal ones: measured (LILA), bumil, 20 % of bumil.
        #expect(lines.contains { $0.hasPrefix("indicators,UCI_DESA,Desa/kelurahan UCI,person,lifetime,villages,100.00,") })
        #expect(lines.contains { $0.hasPrefix("indicators,DO_DPT1_MR1,") && $0.contains(",indicator:IMM_DPT1,5.00,") })
        #expect(lines.contains { $0.hasPrefix("indicators,KEK_BUMIL,") && $0.contains(",pregnancy,lifetime,measured,10.00,") })
        #expect(lines.contains { $0.hasPrefix("indicators,TTD_BUMIL90,") && $0.contains(",pregnancy,lifetime,bumil,90.00,") })
        #expect(lines.contains { $0.hasPrefix("indicators,DETEKSI_RISTI_NAKES,") && $0.contains(",bumil × 20%,100.00,") })
    }

    /// The aligned tables: the indicators, a blank line, the SPM services, each under a title.
    @Test func indicatorsPrintsBothCataloguesAsTables() throws {
        let r = try PWSBinary.run(["indicators"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "49 indicators ((built-in)/indicators.yaml):")
        #expect(lines[1].hasPrefix("id ") && lines[1].hasSuffix("source"))
        #expect(lines[2].hasPrefix("K1 "))
        #expect(lines[51] == "" && lines[52] == "12 SPM services ((built-in)/spm.yaml):")
        #expect(lines[54].hasPrefix("SPM01_IBU_HAMIL "))
        #expect(lines.count == 67)   // 2 titles, 2 headers, 61 rows, the blank line, the last newline
    }
}

@Suite struct PublishingPolicyTests {
    @Test func retentionKeepsTheNewestRunsOfAMonth() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let root = PWSBinary.packageRoot.appendingPathComponent("pipelines").path
        let pipeline = tmp.path + "/keep2.yaml"
        let yaml = try String(contentsOfFile: root + "/default.yaml", encoding: .utf8)
            .replacingOccurrences(of: "retention: 5", with: "retention: 2")
            .replacingOccurrences(of: "services: services.yaml", with: "services: \(root)/services.yaml")
            .replacingOccurrences(of: "indicators: indicators.yaml", with: "indicators: \(root)/indicators.yaml")
            .replacingOccurrences(of: "spm: spm.yaml", with: "spm: \(root)/spm.yaml")
        try yaml.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let out = tmp.path + "/out"
        var links: [String] = []
        for _ in 0..<3 {
            let r = try PWSBinary.run(["run", "--pipeline", pipeline, "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
            links.append(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12"))
        }
        let runs = try FileManager.default.contentsOfDirectory(atPath: out + "/.runs").filter { $0.hasPrefix("2025-12.") }.sorted()
        #expect(runs.count == 2)
        #expect(runs.map { ".runs/" + $0 } == Array(links.suffix(2)).sorted())
        #expect(Set(links).count == 3)
    }

    /// Spec §7: no person identifier in any output but rejects/warnings (masked there).
    @Test func noPersonIdentifierLeavesThroughTheOutputs() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try tmp.generated()
        let out = tmp.path + "/out"
        #expect(try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--quiet"]).status == 0)
        let files = TempFolder.snapshot(out + "/2025-12")
        let nik = try NSRegularExpression(pattern: #"(?<![0-9])[0-9]{16}(?![0-9])"#)
        for (name, bytes) in files {
            let text = String(decoding: bytes, as: UTF8.self)
            let hits = nik.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
            #expect(hits == 0, "\(name) holds \(hits) 16-digit identifiers")
        }
        let listed = String(decoding: files["rejects.csv"]! + files["warnings.csv"]!, as: UTF8.self)
        #expect(listed.contains("3201**********"))  // masked ids are there
    }
}
