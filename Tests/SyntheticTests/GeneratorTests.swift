import Foundation
import PWSCore
import Testing
@testable import Synthetic

@Suite struct GeneratorTests {
    private func files(_ folder: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let fm = FileManager.default
        for name in try fm.subpathsOfDirectory(atPath: folder) {
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: folder + "/" + name, isDirectory: &isDir)
            if !isDir.boolValue { out[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)) }
        }
        return out
    }

    @Test func sameSeedGivesByteIdenticalFolders() throws {
        let a = TempFolder(), b = TempFolder()
        defer { a.cleanup(); b.cleanup() }
        let options = GeneratorOptions(seed: 42, records: 4_000, year: 2024, villages: 3)
        let sa = try generate(options, into: a)
        let sb = try generate(options, into: b)
        let fa = try files(a.path), fb = try files(b.path)
        #expect(fa.count > 20)
        #expect(fa.keys.sorted() == fb.keys.sorted())
        for (name, data) in fa { #expect(data == fb[name], "\(name) differs") }
        #expect(sa.records == sb.records)
        #expect(sa.paths == fa.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    @Test func differentSeedGivesDifferentData() throws {
        let a = TempFolder(), b = TempFolder()
        defer { a.cleanup(); b.cleanup() }
        _ = try generate(GeneratorOptions(seed: 1, records: 3_000, year: 2024, villages: 3), into: a)
        _ = try generate(GeneratorOptions(seed: 2, records: 3_000, year: 2024, villages: 3), into: b)
        let fa = try files(a.path), fb = try files(b.path)
        #expect(fa["wilayah.csv"] != fb["wilayah.csv"])
        let common = Set(fa.keys).intersection(fb.keys).filter { $0.hasPrefix("layanan/") }
        #expect(common.allSatisfy { fa[$0] != fb[$0] } || common.isEmpty)
    }

    @Test func registerHasValidCodesAndLabels() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        let s = try generate(GeneratorOptions(seed: 7, records: 20_000, year: 2024, villages: 14,
                                              regencyCode: "8272"), into: folder)
        let reg = try TestCSV.read(folder.path + "/wilayah.csv")
        #expect(reg.header == ["kode_desa", "nama_desa", "kecamatan", "kabupaten", "kode_puskesmas",
                               "nama_puskesmas", "dusun", "rw", "rt", "jumlah_penduduk"])
        #expect(reg.rows.count == s.rts)
        var keys = Set<String>()
        var puskesmasOf: [String: String] = [:]
        var kecamatan = Set<String>()
        for r in reg.rows {
            let code = r[0].replacingOccurrences(of: ".", with: "")
            #expect(code.count == 10 && code.allSatisfy(\.isNumber), "\(r[0])")
            #expect(code.hasPrefix("8272"))
            kecamatan.insert(String(code.prefix(6)))
            #expect(r[7].count == 2 && r[7].allSatisfy(\.isNumber) && r[7] != "00")
            #expect(r[8].count == 3 && r[8].allSatisfy(\.isNumber) && r[8] != "000")
            #expect((Int(r[9]) ?? 0) > 0)
            #expect(keys.insert("\(code)-\(r[7])-\(r[8])").inserted, "duplicate RT \(r)")
            if let p = puskesmasOf[code] { #expect(p == r[4]) } else { puskesmasOf[code] = r[4] }
        }
        #expect(puskesmasOf.count == 14)
        // 14 villages → ⌈14/12⌉ = 2 kecamatan of 7 villages, each with 2 puskesmas.
        #expect(kecamatan.count == 2)
        #expect(Set(puskesmasOf.values).count == 4)
    }

    @Test func niksEmbedTheBirthDateAndSex() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        let s = try generate(GeneratorOptions(seed: 3, records: 15_000, year: 2024, villages: 4), into: folder)
        var checked = 0, mismatched = 0, otherIDs = 0
        for f in try TestCSV.layanan(folder.path) {
            let (pi, bi, si) = (f.columns["person_id"]!, f.columns["birth_date"]!, f.columns["sex"]!)
            for r in f.rows where r.count > max(pi, bi, si) {
                var id = r[pi]
                if id.hasPrefix("'") { id.removeFirst() }
                guard id.count == 16, id.allSatisfy(\.isNumber) else { otherIDs += 1; continue }
                guard let birth = TestCSV.date(r[bi]) else { continue }
                let female = ["P", "Perempuan", "F"].contains(r[si])
                let c = birth.civil
                let expected = String(format: "%02d%02d%02d", c.day + (female ? 40 : 0), c.month, c.year % 100)
                checked += 1
                if id.dropFirst(6).prefix(6) != Substring(expected) { mismatched += 1 }
            }
        }
        // Only planted problems may break the NIK: W-NIK (shifted birth date), E-BEFORE-BIRTH,
        // E-ELIGIBILITY (sex flipped on maternal rows), E-SEX, E-REQUIRED (a blank), E-PERSON.
        let planted = s.injected[.nik, default: 0]
        let allowed = planted + s.injected[.beforeBirth, default: 0] + s.injected[.eligibility, default: 0]
            + s.injected[.sex, default: 0] + s.injected[.required, default: 0] + s.injected[.person, default: 0]
        #expect(checked > 10_000)
        #expect(mismatched >= planted)
        #expect(mismatched <= allowed)
        #expect(otherIDs > 0)
        #expect(Double(otherIDs) / Double(checked) < 0.1)
    }

    @Test func everyDialectAppears() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        _ = try generate(GeneratorOptions(seed: 5, records: 4_000, year: 2024, villages: 3), into: folder)
        let files = try TestCSV.layanan(folder.path)
        // Excel (Indonesia): `;`, BOM, CRLF, Indonesian headers, DD/MM/YYYY, decimal comma.
        #expect(files.contains { $0.delimiter == ";" && $0.bom && $0.crlf && $0.header.first == "id_kunjungan" })
        // Application export: `,`, LF, no BOM, canonical headers.
        #expect(files.contains { $0.delimiter == "," && !$0.bom && !$0.crlf && $0.header.first == "record_id" })
        // Kader sheet: `,`, other aliases, an extra `no` column, Laki-laki/Perempuan.
        let kader = files.filter { $0.header.first == "no" }
        #expect(!kader.isEmpty)
        #expect(kader.contains { f in f.rows.contains { $0[f.columns["sex"]!] == "Perempuan" } })
        // SIMPUS: TAB, CRLF, Title Case headers.
        #expect(files.contains { $0.delimiter == "\t" && $0.crlf && $0.header.contains("Visit Date") })
        // Every header maps every required field (§2.4).
        for f in files {
            for field in ["record_id", "visit_date", "person_id", "birth_date", "sex", "village_code",
                          "rw", "rt", "facility_type", "service_code"] {
                #expect(f.columns[field] != nil, "\(f.name) lacks \(field)")
            }
        }
        // Both date orders are used.
        let dates = files.flatMap { f in f.rows.prefix(3).map { $0[f.columns["visit_date"]!] } }
        #expect(dates.contains { $0.range(of: #"^\d{1,2}/\d{1,2}/\d{4}$"#, options: .regularExpression) != nil })
        #expect(dates.contains { $0.range(of: #"^\d{4}-\d{2}-\d{2}"#, options: .regularExpression) != nil })
    }

    /// The services only the SPM catalogue counts (docs/spm.md) are planted, so sample data
    /// exercises all 12 SPM services; the care visits carry their measurement.
    @Test func spmServicesArePlanted() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        _ = try generate(GeneratorOptions(seed: 7, records: 30_000, year: 2024, villages: 4), into: folder)
        var counts: [String: Int] = [:], withResult: [String: Int] = [:]
        for f in try TestCSV.layanan(folder.path) {
            guard let code = f.columns["service_code"] else { continue }
            for r in f.rows where code < r.count {
                let service = r[code].uppercased().replacingOccurrences(of: " ", with: "_")
                    .replacingOccurrences(of: "-", with: "_")
                counts[service, default: 0] += 1
                if let c = f.columns["result"], c < r.count, !r[c].isEmpty { withResult[service, default: 0] += 1 }
            }
        }
        for code in ["SKRINING_DIKDAS", "LAYANAN_HT", "LAYANAN_DM", "LAYANAN_ODGJ", "PEMERIKSAAN_TB", "TES_HIV"] {
            #expect((counts[code] ?? 0) > 0, "\(code) is never planted")
        }
        // Blood pressure and glucose on (almost) every care visit: only planted problems lack one.
        #expect(Double(withResult["LAYANAN_HT"] ?? 0) > 0.9 * Double(counts["LAYANAN_HT"] ?? 1))
        #expect(Double(withResult["LAYANAN_DM"] ?? 0) > 0.9 * Double(counts["LAYANAN_DM"] ?? 1))
    }

    @Test func filesArePerFacilityAndMonth() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        let s = try generate(GeneratorOptions(seed: 9, records: 8_000, year: 2024, villages: 3), into: folder)
        let first = YearMonth(year: 2023, month: 10)
        var outOfMonth = 0, backEntered = 0
        for f in try TestCSV.layanan(folder.path) {
            let m = f.name.range(of: #"^(\d{4})-(\d{2})_[a-z0-9-]+\.csv$"#, options: .regularExpression)
            #expect(m != nil, "\(f.name)")
            let ym = YearMonth(String(f.name.prefix(7)))!
            #expect(ym >= first && ym <= YearMonth(year: 2024, month: 12))
            for r in f.rows {
                guard let d = TestCSV.date(r[f.columns["visit_date"]!]) else { continue }
                if YearMonth(d) < first {
                    // The immunisation register entered back: only in the first month's files.
                    #expect(ym == first, "\(f.name): \(d)")
                    backEntered += 1
                } else if YearMonth(d) != ym {
                    outOfMonth += 1
                }
            }
        }
        // Only W-NIFAS (a date moved 43+ days past the delivery) and E-FUTURE (year + 10) move a
        // row's date out of its file's month; the back-entered doses (give or take a planted
        // duplicate, or a planted problem on their date) are dated before the window.
        #expect(outOfMonth <= s.injected[.nifas, default: 0] + s.injected[.future, default: 0])
        #expect(outOfMonth >= s.injected[.future, default: 0])
        #expect(s.backEntered > 0)
        let margin = s.injected[.duplicate, default: 0] + s.injected[.date, default: 0] + s.injected[.future, default: 0]
            + s.injected[.required, default: 0]
        #expect(abs(backEntered - s.backEntered) <= margin, "\(backEntered) rows, \(s.backEntered) doses")
    }

    @Test func plantedProblemsStayWithinTheirRate() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        let s = try generate(GeneratorOptions(seed: 11, records: 25_000, year: 2024, villages: 4), into: folder)
        let rate = Double(s.injectedTotal) / Double(s.records)
        #expect(rate > 0.010 && rate < 0.020, "rate \(rate)")
        #expect(Double(s.injectedErrors) / Double(s.records) < 0.02)
        // Every rule but E-COLUMNS (off by default), E-CELL (workbook cells only), E-FHIR
        // (FHIR resources only) and W-GROWTH (not planted: the generator's own weights and
        // lengths give a few) is planted at least once.
        for rule in RuleCode.allCases where rule != .columns && rule != .cell && rule != .fhir && rule != .growth {
            #expect(s.injected[rule, default: 0] > 0, "\(rule.rawValue) never planted")
        }
        #expect(s.injected[.columns] == nil)
        // The population is scaled by a records-per-resident rate measured before the SPM and
        // §A5 services, the immunisation back-entry and the vitamin A months were added: about
        // 1.4 records per one asked for (35 574 here); the bounds catch a scaling error.
        let ratio = Double(s.records) / 25_000
        #expect(ratio > 0.8 && ratio < 1.6, "records \(s.records)")
    }

    @Test func plantedProblemsAreInTheFiles() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        let s = try generate(GeneratorOptions(seed: 13, records: 20_000, year: 2024, villages: 4), into: folder)
        let known = Set(Service.allCases.map(\.code))
        var badDates = 0, future = 0, unknownService = 0, badSex = 0, wrongFieldCount = 0
        var seen = Set<String>(), duplicates = 0, rows = 0, ids = [String: String](), reusedIDs = 0
        for f in try TestCSV.layanan(folder.path) {
            let c = f.columns
            for r in f.rows {
                rows += 1
                if r.count != f.header.count { wrongFieldCount += 1; continue }
                let visit = r[c["visit_date"]!]
                if let d = TestCSV.date(visit) {
                    if d.year >= 2033 { future += 1 }  // 2023-10…2024-12 + 10 years
                } else if !visit.isEmpty && visit != "-" {
                    badDates += 1
                }
                let svc = r[c["service_code"]!].uppercased()
                if !svc.isEmpty && svc != "-" && !known.contains(svc) { unknownService += 1 }
                let sex = r[c["sex"]!]
                if !["L", "P", "M", "F", "Laki-laki", "Perempuan", "", "-"].contains(sex) { badSex += 1 }
                var person = r[c["person_id"]!]
                if person.hasPrefix("'") { person.removeFirst() }
                let key = [person, TestCSV.date(visit).map(\.description) ?? visit, svc,
                           r[c["facility_id"]!], r[c["result"]!]].joined(separator: "|")
                if !seen.insert(key).inserted { duplicates += 1 }
                let id = r[c["record_id"]!]
                let content = r.enumerated().filter { $0.offset != c["record_id"]! && f.header[$0.offset] != "no" }
                    .map(\.element).joined(separator: "|")
                if let earlier = ids[id] {
                    if earlier != content { reusedIDs += 1 }
                } else {
                    ids[id] = content
                }
            }
        }
        #expect(rows == s.records)
        #expect(badDates == s.injected[.date])
        #expect(future == s.injected[.future])
        #expect(unknownService == s.injected[.service])
        #expect(badSex == s.injected[.sex])
        #expect(wrongFieldCount == s.injected[.fields])
        #expect(duplicates == s.injected[.duplicate])
        #expect(reusedIDs == s.injected[.duplicateID])
    }

    @Test func sasaranMatchesTheRegister() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        _ = try generate(GeneratorOptions(seed: 0, records: 16_000, year: 2024, villages: 8), into: folder)
        let reg = try TestCSV.read(folder.path + "/wilayah.csv")
        var rts = Set<String>(), rws = Set<String>(), villages = Set<String>()
        for r in reg.rows {
            let v = r[0].replacingOccurrences(of: ".", with: "")
            villages.insert(v); rws.insert("\(v)-\(r[7])"); rts.insert("\(v)-\(r[7])-\(r[8])")
        }
        let sas = try TestCSV.read(folder.path + "/sasaran.csv")
        #expect(sas.bom && sas.delimiter == ";")
        #expect(sas.header == ["tahun", "kode_desa", "rw", "rt", "kelompok_sasaran", "jumlah"])
        var keys = Set<String>(), levels = Set<String>(), withTargets = Set<String>()
        for r in sas.rows {
            #expect(r[0] == "2024")
            #expect(villages.contains(r[1]))
            #expect(TargetGroup.all.contains(r[4]))
            #expect((Int(r[5]) ?? -1) >= 0)
            #expect(keys.insert(r[1...4].joined(separator: "|")).inserted)
            withTargets.insert(r[1])
            if r[2].isEmpty {
                #expect(r[3].isEmpty)
                levels.insert("desa")
            } else if r[3].isEmpty {
                #expect(rws.contains("\(r[1])-\(r[2])"))
                levels.insert("rw")
            } else {
                #expect(rts.contains("\(r[1])-\(r[2])-\(r[3])"))
                levels.insert("rt")
            }
        }
        #expect(levels == ["desa", "rw", "rt"])
        // Layout cycle of 8 with seed 0: exactly one village is left for the pipeline to estimate.
        #expect(villages.subtracting(withTargets).count == 1)
    }

    @Test func columnsProblemFileIsOptIn() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        var options = GeneratorOptions(seed: 1, records: 2_000, year: 2024, villages: 2)
        options.columnsProblemFile = true
        let s = try generate(options, into: folder)
        let f = try TestCSV.read(folder.path + "/layanan/2024-06_posyandu-impor-lama.csv")
        #expect(f.columns["visit_date"] == nil)
        #expect(s.injected[.columns] == f.rows.count)
    }

    @Test func nonEmptyFolderIsRefusedUnlessForced() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        let options = GeneratorOptions(seed: 1, records: 1_000, year: 2024, villages: 1)
        _ = try generate(options, into: folder)
        #expect(throws: PWSError.self) { try generate(options, into: folder) }
        let again = try SyntheticGenerator(options: options).generate(into: folder.path, overwrite: true)
        #expect(again.records > 0)
    }

    @Test(arguments: [
        GeneratorOptions(records: 0, year: 2024),
        GeneratorOptions(year: 24),
        GeneratorOptions(year: 2024, problemRate: 0.9),
        GeneratorOptions(year: 2024, regencyCode: "32"),
        GeneratorOptions(year: 2024, historyMonths: 13),
    ])
    func badOptionsAreRefused(options: GeneratorOptions) {
        #expect(throws: PWSError.self) { try options.validate() }
    }

    /// Twelve villages a kecamatan, two-digit kecamatan codes: 1,188 villages is the most a
    /// register can have with every village under one puskesmas; 1,189 wrote one `pws run`
    /// refused (two kecamatan's codes collided), now refused with the bound.
    @Test func villagesAreBoundedByTheirCodes() throws {
        var options = GeneratorOptions(seed: 1, records: 2_000, year: 2024, villages: 1189, historyMonths: 0)
        #expect {
            try options.validate()
        } throws: { error in
            (error as? PWSError)?.message == "--villages must be 1…1188 (99 kecamatan of 12 villages), got 1189"
        }
        #expect(throws: PWSError.self) { try GeneratorOptions(year: 3000).validate() }
        options.villages = 1188
        try options.validate()
        let folder = TempFolder()
        defer { folder.cleanup() }
        _ = try generate(options, into: folder)
        let rows = try String(contentsOfFile: folder.path + "/wilayah.csv", encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        var puskesmasOf: [Substring: Substring] = [:]
        for r in rows {
            #expect(puskesmasOf.updateValue(r[4], forKey: r[0]).map { $0 == r[4] } ?? true, "\(r[0]) under two puskesmas")
        }
        #expect(puskesmasOf.count == 1188)
    }

    @Test func tinyRunsStillWriteAValidFolder() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        let s = try generate(GeneratorOptions(seed: 1, records: 1, year: 2024, villages: 1), into: folder)
        #expect(s.villages == 1 && s.rts >= 1)
        #expect(FileManager.default.fileExists(atPath: folder.path + "/wilayah.csv"))
    }
}
