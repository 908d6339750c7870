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
        #expect(error.details[3].hasPrefix("wilayah.csv:6: population -4 is negative"))
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
