import Foundation
import PWSCore
import Testing
@testable import Validate

@Suite struct RegisterTests {
    static let goodRow = "r1,2025-03-10,3201014506900001,05/06/1990,P,3201010001,1,1,posyandu,TENSI"
    static let header = "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code"

    func fatal(wilayah: String, sasaran: String? = nil) throws -> PWSError {
        let folder = try DataFolder(wilayah: wilayah, sasaran: sasaran,
                                    layanan: ["layanan.csv": RegisterTests.header + "\n" + RegisterTests.goodRow + "\n"])
        defer { folder.remove() }
        do {
            _ = try Validation.run(dataDirectory: folder.path, settings: DataFolder.settings())
        } catch let error as PWSError {
            return error
        }
        Issue.record("expected a fatal error")
        return PWSError(.usage, "none")
    }

    @Test func everyRegisterProblemIsListedWithItsLine() throws {
        let register = """
        village_code,village_name,district_name,regency_name,puskesmas_code,puskesmas_name,rw,rt,population
        3201010001,Sukamaju,Cibinong,Bogor,P01,Puskesmas A,001,001,120
        32010100,Pendek,Cibinong,Bogor,P01,Puskesmas A,001,001,10
        3201010001,Sukamaju,Cibinong,Bogor,P01,Puskesmas A,1,1,50
        3201010001,Sukamaju,Cibinong,Bogor,P02,Puskesmas B,001,003,50
        3201010002,Sukasari,Cibinong,Bogor,P01,Puskesmas A,001,001,-4
        3201010001,Sukamaju,Cibinong,Bogor,P03,Puskesmas C,01,1,-5
        3201010003,,Cibinong,Bogor,P01,Puskesmas A,RW,002,7

        """
        let error = try fatal(wilayah: register)
        #expect(error.exitStatus == .dataError)
        // Each problem of a line, not only its first: line 7 repeats line 2's RT, maps the
        // village to a third puskesmas and has a negative population; line 8 has no name and
        // an RW without a label.
        #expect(error.details == [
            "wilayah.csv:3: village_code \"32010100\" is not a 10-digit Kemendagri code (PPKKCCDDDD; dots and spaces are allowed)",
            "wilayah.csv:4: RW 001 RT 001 of village 3201010001 is listed twice (first on line 2); keep one row per RT",
            "wilayah.csv:5: village 3201010001 is mapped to puskesmas P02 here but to P01 on line 2; a village belongs to exactly one puskesmas",
            "wilayah.csv:6: population \"-4\" has a sign; write a number ≥ 0 without + or -",
            "wilayah.csv:7: population \"-5\" has a sign; write a number ≥ 0 without + or -",
            "wilayah.csv:7: village 3201010001 is mapped to puskesmas P03 here but to P01 on line 2; a village belongs to exactly one puskesmas",
            "wilayah.csv:7: RW 001 RT 001 of village 3201010001 is listed twice (first on line 2); keep one row per RT",
            "wilayah.csv:8: village_name is empty; every RT row needs it",
            "wilayah.csv:8: rw \"RW\" has no label left after dropping \"RW\" and punctuation",
        ], "\(error.details)")
    }

    /// A NIK pasted into a name or an RW/RT label is a register problem (the name was published
    /// in every output, the label taken for an RT and two such labels masked alike into a
    /// false "listed twice"); the NIK is not echoed. A puskesmas with villages of two
    /// kabupaten/kota is one too: its figures added up to more than its kabupaten's.
    @Test func aNIKInTheRegisterAndAPuskesmasOfTwoRegenciesAreProblems() throws {
        let register = """
        village_code,village_name,district_name,regency_name,puskesmas_code,puskesmas_name,rw,rt,population
        3201010001,3201014501900003,Cibinong,Bogor,P01,Puskesmas A,001,001,120
        3201010001,Sukamaju,Cibinong,Bogor,P01,Puskesmas A,001,3201999999999903,10
        3202010001,Seberang,Lain,Sukabumi,P01,Puskesmas A,001,001,50
        3201010002,Sukasari,Cibinong,Bogor,P02,Puskesmas B,001,001,40
        3201010003,Sukamulya,Cibinong,Bogor,P03,Puskesmas Girijaya 3201_0115_0520_9067,001,001,40

        """
        let error = try fatal(wilayah: register)
        #expect(error.exitStatus == .dataError)
        #expect(error.details == [
            "wilayah.csv:2: village_name (a value of 16 digits, not shown) looks like a NIK (a number of 16 digits); a register holds no person identifiers — correct the column",
            "wilayah.csv:3: rt (a value of 16 digits, not shown) looks like a NIK (a number of 16 digits); a register holds no person identifiers — correct the column",
            "wilayah.csv:4: puskesmas P01 has village 3202010001 of kabupaten/kota 3202 here but a village of 3201 on line 2; a puskesmas belongs to one kabupaten/kota",
            // Underscores between the groups, as ids are joined: a NIK all the same.
            "wilayah.csv:6: puskesmas_name (a value of 16 digits, not shown) looks like a NIK (a number of 16 digits); a register holds no person identifiers — correct the column",
        ], "\(error.details)")
    }

    /// A name longer than a cell of pws.xlsx holds with `TOTAL ` before it (32,761 characters)
    /// is a register problem naming the line and column — the run used to fail at the end
    /// writing the workbook (exit 73, no line), and `pws validate` passed it. 32,761 characters
    /// are kept; RW and RT labels (not in the workbook) are not limited.
    /// Excel counts UTF-16 units: an emoji is two, so 16,381 of them and a letter are 32,763.
    @Test func aNameLongerThanACellIsARegisterProblem() throws {
        let long = String(repeating: "é", count: 32_762), longest = String(repeating: "T", count: 32_761)
        let emoji = String(repeating: "\u{1F600}", count: 16_381) + "A"
        let register = """
        village_code,village_name,district_name,regency_name,puskesmas_code,puskesmas_name,rw,rt,population
        3201010001,\(longest),Cibinong,Bogor,P01,Puskesmas A,001,001,120
        3201010002,Sukasari,\(long),Bogor,P01,Puskesmas A,001,001,10
        3201010003,Sukamulya,Cibinong,Bogor,P02,\(long),001,001,10
        3201010004,Sukamukti,Cibinong,Bogor,P03,Puskesmas C,001,\(long),10
        3201010005,\(emoji),Cibinong,Bogor,P03,Puskesmas C,001,001,10

        """
        let error = try fatal(wilayah: register)
        #expect(error.exitStatus == .dataError)
        #expect(error.details == [
            "wilayah.csv:3: district_name is 32762 characters long; at most 32761 fit a cell of pws.xlsx (with TOTAL before it) — shorten it",
            "wilayah.csv:4: puskesmas_name is 32762 characters long; at most 32761 fit a cell of pws.xlsx (with TOTAL before it) — shorten it",
            "wilayah.csv:6: village_name is 32763 characters long; at most 32761 fit a cell of pws.xlsx (with TOTAL before it) — shorten it",
        ])
    }

    func outcome(wilayah: String = DataFolder.standardRegister, sasaran: String? = nil,
                 decimalSeparator: UInt8? = nil) throws -> ValidationOutcome {
        let folder = try DataFolder(wilayah: wilayah, sasaran: sasaran,
                                    layanan: ["layanan.csv": RegisterTests.header + "\n" + RegisterTests.goodRow + "\n"])
        defer { folder.remove() }
        var settings = DataFolder.settings()
        settings.decimalSeparator = decimalSeparator
        return try Validation.run(dataDirectory: folder.path, settings: settings)
    }

    /// Names of one area that disagree give one note per area and name, counting the other
    /// rows that differ (a typo on the first of 20,000 rows made 20,000 notes).
    @Test func disagreeingNamesAreOneNotePerArea() throws {
        let register = """
        village_code,village_name,district_name,regency_name,puskesmas_code,puskesmas_name,rw,rt,population
        3201010001,Sukamaju,Cibinomg,Bogor,P01,Puskesmas A,001,001,120
        3201010001,Sukamaju,Cibinong,Bogor,P01,Puskesmas A,001,002,120
        3201010002,Sukasari,Cibinong,Bogor,P01,Puskesmas A,001,001,10
        3201010003,Sukamulya,Cibinong,Bogor,P01,Puskesmas A,001,001,10
        3201010003,Sukamulya,Cibinong,Bogor,P01,Puskesmas Aa,001,002,10

        """
        let o = try outcome(wilayah: register)
        #expect(o.notes.filter { $0.contains("the first is used") } == [
            "wilayah.csv:3: district_name of 320101 is \"Cibinong\" here but \"Cibinomg\" on line 2; the first is used; 3 more rows differ from the first too",
            "wilayah.csv:6: puskesmas_name of P01 is \"Puskesmas Aa\" here but \"Puskesmas A\" on line 2; the first is used",
        ], "\(o.notes)")
    }

    /// A control character in a name is shown as U+FFFD in every output (the CSVs kept the byte,
    /// pws.xlsx wrote `_x0001_`, the report U+FFFD), with a note the first time per name.
    @Test func controlCharactersInNamesAreShownOneWay() throws {
        let register = """
        village_code,village_name,district_name,regency_name,puskesmas_code,puskesmas_name,rw,rt,population
        3201010001,Suka\u{01}maju,Cibinong,Bogor,P01,Puskesmas\u{7F} A,001,001,120
        3201010001,Suka\u{01}maju,Cibinong,Bogor,P01,Puskesmas\u{7F} A,001,002,120
        3201010002,Sukasari,Ci\u{9B}binong,Bogor,P01,Puskesmas\u{7F} A,001,001,10
        3201010003,Suka\u{FFFF}mulya,Cibinong,Bogor,P\u{1B}02,Puskesmas B,001,001,10

        """
        let o = try outcome(wilayah: register)
        #expect(o.register.villages.map(\.name) == ["Suka\u{FFFD}maju", "Sukasari", "Suka\u{FFFD}mulya"])
        #expect(o.register.villages.map(\.puskesmasName) == ["Puskesmas\u{FFFD} A", "Puskesmas\u{FFFD} A", "Puskesmas B"])
        #expect(o.register.villages[2].puskesmasCode == "P\u{FFFD}02")
        #expect(o.register.villages[1].districtName == "Ci\u{FFFD}binong")
        #expect(o.notes.filter { $0.contains("control character") } == [
            "wilayah.csv:2: village_name \"Suka\u{FFFD}maju\" holds a control character, shown as \u{FFFD} in every output; remove it from the register",
            "wilayah.csv:2: puskesmas_name \"Puskesmas\u{FFFD} A\" holds a control character, shown as \u{FFFD} in every output; remove it from the register",
            "wilayah.csv:4: district_name \"Ci\u{FFFD}binong\" holds a control character, shown as \u{FFFD} in every output; remove it from the register",
            "wilayah.csv:5: puskesmas_code \"P\u{FFFD}02\" holds a control character, shown as \u{FFFD} in every output; remove it from the register",
            "wilayah.csv:5: village_name \"Suka\u{FFFD}mulya\" holds a control character, shown as \u{FFFD} in every output; remove it from the register",
        ])
    }

    /// Decimal sasaran counts (spec §A1): `.` or `,` (quoted in a `,` file), up to 4 places.
    @Test func sasaranCountsMayHaveDecimals() throws {
        let sasaran = """
        year,village_code,rw,rt,target_group,count
        2025,3201010001,,,bumil,101.2
        2025,3201010001,,,bayi,"96,5"
        2025,3201010002,,,bumil,0.0001
        2025,3201010002,,,bayi,1018

        """
        let o = try outcome(sasaran: sasaran)
        #expect(o.sasaran.map(\.count) == [ExactDecimal("101.2"), ExactDecimal("96.5"), ExactDecimal("0.0001"), 1018])
    }

    /// Every refused form is listed with its line, field, and what to do; a NIK is not echoed;
    /// `9223372036854775807` and the NIK are errors, not overflow traps.
    @Test func everyRefusedCountFormIsListed() throws {
        let sasaran = """
        year,village_code,rw,rt,target_group,count
        2025,3201010001,,,bumil,1.234
        2025,3201010001,,,bayi,"12,500"
        2025,3201010001,,,balita,1.234.567
        2025,3201010001,,,baduta,-5
        2025,3201010001,,,remaja,1e5
        2025,3201010001,,,lansia,3201011234567890
        2025,3201010001,,,dewasa,9223372036854775807
        2025,3201010001,,,penduduk,banyak
        2025,3201010002,,,bumil,1.23456

        """
        let error = try fatal(wilayah: DataFolder.standardRegister, sasaran: sasaran)
        #expect(error.exitStatus == .dataError)
        #expect(error.details == [
            "sasaran.csv:2: count \"1.234\" is ambiguous: the separator before 3 digits may group thousands; write it as 1234 if it is a whole number, or as 1.2340 if it has decimals, or set sasaran.decimal_separator in the pipeline",
            "sasaran.csv:3: count \"12,500\" is ambiguous: the separator before 3 digits may group thousands; write it as 12500 if it is a whole number, or as 12,5000 if it has decimals, or set sasaran.decimal_separator in the pipeline",
            "sasaran.csv:4: count \"1.234.567\" has a thousands separator; write the number without it (12500, or 101.25 with one decimal separator)",
            "sasaran.csv:5: count \"-5\" has a sign; write a number ≥ 0 without + or -",
            "sasaran.csv:6: count \"1e5\" is in exponent notation; write the number in full, e.g. 1200 or 101.25",
            "sasaran.csv:7: count (a value of 16 digits, not shown) is over 1000000000; check the column (a NIK or a phone number pasted in?) and write the number of people",
            "sasaran.csv:8: count (a value of 19 digits, not shown) is over 1000000000; check the column (a NIK or a phone number pasted in?) and write the number of people",
            "sasaran.csv:9: count \"banyak\" is not a number; write a number ≥ 0 with at most 4 decimals, e.g. 96 or 101.25",
            "sasaran.csv:10: count \"1.23456\" has more than 4 decimals; round it to at most 4",
        ])
    }

    /// `sasaran.decimal_separator` decides `1.234`: with `.` it is 1.234, with `,` it is a
    /// thousands group and refused.
    @Test func theDecimalSeparatorSettingDecides() throws {
        let sasaran = """
        year,village_code,rw,rt,target_group,count
        2025,3201010001,,,bumil,1.234

        """
        let o = try outcome(sasaran: sasaran, decimalSeparator: UInt8(ascii: "."))
        #expect(o.sasaran.first?.count == ExactDecimal("1.234"))
        let folder = try DataFolder(sasaran: sasaran, layanan: ["layanan.csv": Self.header + "\n" + Self.goodRow + "\n"])
        defer { folder.remove() }
        var settings = DataFolder.settings()
        settings.decimalSeparator = UInt8(ascii: ",")
        #expect {
            _ = try Validation.run(dataDirectory: folder.path, settings: settings)
        } throws: { error in
            (error as? PWSError)?.details == [
                "sasaran.csv:2: count \"1.234\" has a thousands separator; write the number without it (12500, or 101.25 with one decimal separator)",
            ]
        }
    }

    /// RT populations follow the same rules (projections may carry decimals); a bad one is a
    /// register error with its line.
    @Test func populationsMayHaveDecimals() throws {
        let good = """
        village_code,village_name,district_name,regency_name,puskesmas_code,puskesmas_name,rw,rt,population
        3201010001,Sukamaju,Cibinong,Bogor,P01,Puskesmas A,001,001,120.5
        3201010001,Sukamaju,Cibinong,Bogor,P01,Puskesmas A,001,002,"99,25"

        """
        let o = try outcome(wilayah: good)
        #expect(o.register.rts.map(\.population) == [ExactDecimal("120.5"), ExactDecimal("99.25")])
        let bad = good + """
        3201010001,Sukamaju,Cibinong,Bogor,P01,Puskesmas A,001,003,"1.500"
        3201010001,Sukamaju,Cibinong,Bogor,P01,Puskesmas A,001,004,9223372036854775807

        """
        let error = try fatal(wilayah: bad)
        #expect(error.details == [
            "wilayah.csv:4: population \"1.500\" is ambiguous: the separator before 3 digits may group thousands; write it as 1500 if it is a whole number, or as 1.5000 if it has decimals, or set sasaran.decimal_separator in the pipeline",
            "wilayah.csv:5: population (a value of 19 digits, not shown) is over 1000000000; check the column (a NIK or a phone number pasted in?) and write the number of people",
        ])
    }

    @Test func missingRegisterColumnIsFatal() throws {
        let error = try fatal(wilayah: "village_code,village_name,rw,rt\n3201010001,A,1,1\n")
        #expect(error.exitStatus == .dataError)
        #expect(error.details.first?.contains("E-COLUMNS") == true)
    }

    @Test func sasaranProblemsAreAllListed() throws {
        let sasaran = """
        year,village_code,rw,rt,target_group,count
        2025,3201010001,,,bumil,30
        2025,3201010099,,,bumil,3
        2025,3201010001,,5,bayi,3
        2025,3201010001,,,kucing,3
        2025,3201010001,001,001,bayi,x
        2025,3201010001,,,bumil,31

        """
        let error = try fatal(wilayah: DataFolder.standardRegister, sasaran: sasaran)
        #expect(error.details.map { String($0.prefix(15)) } == [
            "sasaran.csv:3: ", "sasaran.csv:4: ", "sasaran.csv:5: ", "sasaran.csv:6: ", "sasaran.csv:7: ",
        ])
    }

    /// A value of 12 digits or more in a sasaran or register field the message quotes — a NIK
    /// put in the wrong column — is not printed (the console of a cron run is often kept):
    /// its digits are counted instead, as for counts. Shorter values are quoted as they are.
    @Test func nikLikeValuesAreNotEchoed() throws {
        let nik = "3201010304210001"
        let sasaran = """
        year,village_code,rw,rt,target_group,count
        \(nik),3201010001,,,bumil,30
        2025,\(nik),,,bumil,3
        2025,3201010001,,\(nik),bayi,3
        2025,3201010001,,,\(nik),3
        2026x,3201010001,,,bumil,3

        """
        let error = try fatal(wilayah: DataFolder.standardRegister, sasaran: sasaran)
        #expect(error.details == [
            "sasaran.csv:2: year (a value of 16 digits, not shown) is not a four-digit year",
            "sasaran.csv:3: village_code (a value of 16 digits, not shown) is not in wilayah.csv; use a village of the register",
            "sasaran.csv:4: rt (a value of 16 digits, not shown) is given without rw; give the RW too, or leave rt blank",
            "sasaran.csv:5: target_group (a value of 16 digits, not shown) is unknown; use one of \(TargetGroup.all.joined(separator: ", "))",
            "sasaran.csv:6: year \"2026x\" is not a four-digit year",
        ])
        #expect(!error.details.joined().contains(nik))
        // A NIK in rw becomes a label, and is masked where a message names it.
        let rw = try fatal(wilayah: DataFolder.standardRegister, sasaran: "year,village_code,rw,rt,target_group,count\n"
                           + "2025,3201010001,\(nik),,bumil,3\n")
        #expect(rw.details == ["sasaran.csv:2: RW 3201**********01 of village 3201010001 is not in wilayah.csv"])
        let register = try fatal(wilayah: "village_code,village_name,district_name,regency_name,puskesmas_code,puskesmas_name,rw,rt\n"
                                 + "\(nik),A,B,C,P01,D,001,001\n")
        #expect(register.details == ["wilayah.csv:2: village_code (a value of 16 digits, not shown) is not a 10-digit Kemendagri code (PPKKCCDDDD; dots and spaces are allowed)"])
    }

    @Test func missingRegisterIsAnInputError() throws {
        let folder = try DataFolder(layanan: ["layanan.csv": RegisterTests.header + "\n"])
        defer { folder.remove() }
        try FileManager.default.removeItem(atPath: folder.path + "/wilayah.csv")
        #expect(throws: PWSError.self) { try Validation.run(dataDirectory: folder.path, settings: DataFolder.settings()) }
        do { _ = try Validation.run(dataDirectory: folder.path, settings: DataFolder.settings()) } catch let e as PWSError {
            #expect(e.exitStatus == .noInput)
        }
    }
}

@Suite struct DuplicateTests {
    static let header = "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code,result"

    @Test func duplicatesAreFoundAcrossFilesInReadOrder() throws {
        let w = "3201014506900001,05/06/1990,P,3201010001,1,1,posyandu"
        // layanan.csv is read before layanan/…, and layanan/a.csv before layanan/b.csv.
        let folder = try DataFolder(layanan: [
            "layanan.csv": "\(DuplicateTests.header)\nx1,2025-02-01,\(w),TIMBANG,60\n",
            "layanan/b.csv": "\(DuplicateTests.header)\nx3,2025-02-01,\(w),TIMBANG,60\nx1,2025-02-01,\(w),TIMBANG,60\n",
            "layanan/a.csv": "\(DuplicateTests.header)\nx1,2025-02-02,\(w),TIMBANG,60\n",
        ])
        defer { folder.remove() }
        let o = try Validation.run(dataDirectory: folder.path, settings: DataFolder.settings())
        #expect(o.sources == ["layanan.csv", "layanan/a.csv", "layanan/b.csv"])
        // a.csv:2 reuses x1 with another date → E-DUPLICATE-ID.
        #expect(o.rejects.map { "\($0.location):\($0.rule.rawValue)" } == ["layanan/a.csv:2:E-DUPLICATE-ID"])
        // b.csv:2 (x3) and b.csv:3 (x1, same content) are duplicates of layanan.csv:2.
        #expect(o.warnings.map { "\($0.location):\($0.rule.rawValue)" } ==
            ["layanan/b.csv:2:W-DUPLICATE", "layanan/b.csv:3:W-DUPLICATE"])
        #expect(o.warnings[0].message.contains("layanan.csv:2"))
        #expect(o.total.rowsDuplicate == 2 && o.total.rowsUsed == 1 && o.total.balances)
        #expect(o.files.allSatisfy { $0.balances })
    }

    /// A record id reused with a result that cannot be read (W-RESULT: not a number, or out of
    /// the plausible range) is compared by the result's raw text, as W-DUPLICATE compares it:
    /// `abc` then `xyz`, `0` then `999`, `abc` then empty under one id are different records
    /// (E-DUPLICATE-ID) — both had been accepted and used, one id counted twice (an audit's
    /// finding); `abc` twice is one record again (W-DUPLICATE), and so are an implausible `0`
    /// and `0.0` — a result that parses is compared as parsed (§3), not by its text (review
    /// 11); `70` then `71` as before.
    @Test func aReusedIDWithAnotherUnreadableResultIsADuplicateID() throws {
        let w = "3201014506900001,05/06/1990,P,3201010001,1,1,posyandu"
        let folder = try DataFolder(layanan: [
            "layanan.csv": "\(DuplicateTests.header)\n"
                + "z3,2025-02-03,\(w),TIMBANG,abc\nz3,2025-02-03,\(w),TIMBANG,xyz\n"
                + "z4,2025-02-04,\(w),TIMBANG,0\nz4,2025-02-04,\(w),TIMBANG,999\n"
                + "z5,2025-02-05,\(w),TIMBANG,abc\nz5,2025-02-05,\(w),TIMBANG,\n"
                + "z6,2025-02-06,\(w),TIMBANG,70\nz6,2025-02-06,\(w),TIMBANG,71\n"
                + "z7,2025-02-07,\(w),TIMBANG,abc\nz7,2025-02-07,\(w),TIMBANG,abc\n"
                + "z8,2025-02-08,\(w),TIMBANG,0\nz8,2025-02-08,\(w),TIMBANG,0.0\n",
        ])
        defer { folder.remove() }
        for workers in [0, 2] {  // one checking thread, and the parallel row checking
            let o = try ParallelCheckingTests.run(folder, workers: workers, unitBytes: 64)
            #expect(o.rejects.map { "\($0.location):\($0.rule.rawValue)" } ==
                ["layanan.csv:3:E-DUPLICATE-ID", "layanan.csv:5:E-DUPLICATE-ID", "layanan.csv:7:E-DUPLICATE-ID",
                 "layanan.csv:9:E-DUPLICATE-ID"])
            #expect(o.warnings.filter { $0.rule == .duplicate }.map { "\($0.location)" } == ["layanan.csv:11", "layanan.csv:13"])
            // z3, z4, z5, z6, z7, z8 once each.
            #expect(o.total.rowsUsed == 6 && o.total.rowsDuplicate == 2 && o.total.balances)
        }
    }

    @Test func rowsAfterTheAsOfMonthAreOutOfPeriod() throws {
        let w = "3201014506900001,05/06/1990,P,3201010001,1,1,posyandu"
        let folder = try DataFolder(layanan: [
            "layanan.csv": "\(DuplicateTests.header)\na,2025-02-01,\(w),TIMBANG,60\nb,2025-03-01,\(w),TIMBANG,61\nc,2025-04-30,\(w),TIMBANG,62\n",
        ])
        defer { folder.remove() }
        let o = try Validation.run(dataDirectory: folder.path,
                                   settings: DataFolder.settings(asOf: YearMonth(year: 2025, month: 3)))
        #expect(o.total.rowsOutOfPeriod == 1)
        #expect(o.total.rowsUsed == 2)
        #expect(o.events.events.count == 2)
        #expect(o.total.balances)
    }
}
