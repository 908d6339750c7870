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

        """
        let error = try fatal(wilayah: register)
        #expect(error.exitStatus == .dataError)
        #expect(error.details.count == 4)
        #expect(error.details[0].hasPrefix("wilayah.csv:3: village_code \"32010100\" is not a 10-digit"))
        #expect(error.details[1].hasPrefix("wilayah.csv:4: RW 001 RT 001 of village 3201010001 is listed twice"))
        #expect(error.details[2].hasPrefix("wilayah.csv:5: village 3201010001 is mapped to puskesmas P02"))
        #expect(error.details[3].hasPrefix("wilayah.csv:6: population \"-4\" has a sign"))
    }

    /// A name longer than a cell of pws.xlsx holds with `TOTAL ` before it (32,761 characters)
    /// is a register problem naming the line and column — the run used to fail at the end
    /// writing the workbook (exit 73, no line), and `pws validate` passed it. 32,761 characters
    /// are kept; RW and RT labels (not in the workbook) are not limited.
    @Test func aNameLongerThanACellIsARegisterProblem() throws {
        let long = String(repeating: "é", count: 32_762), longest = String(repeating: "T", count: 32_761)
        let register = """
        village_code,village_name,district_name,regency_name,puskesmas_code,puskesmas_name,rw,rt,population
        3201010001,\(longest),Cibinong,Bogor,P01,Puskesmas A,001,001,120
        3201010002,Sukasari,\(long),Bogor,P01,Puskesmas A,001,001,10
        3201010003,Sukamulya,Cibinong,Bogor,P02,\(long),001,001,10
        3201010004,Sukamukti,Cibinong,Bogor,P03,Puskesmas C,001,\(long),10

        """
        let error = try fatal(wilayah: register)
        #expect(error.exitStatus == .dataError)
        #expect(error.details == [
            "wilayah.csv:3: district_name is 32762 characters long; at most 32761 fit a cell of pws.xlsx (with TOTAL before it) — shorten it",
            "wilayah.csv:4: puskesmas_name is 32762 characters long; at most 32761 fit a cell of pws.xlsx (with TOTAL before it) — shorten it",
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
