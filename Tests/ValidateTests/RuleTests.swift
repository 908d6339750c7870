import Foundation
import PWSCore
import Testing
@testable import Validate

/// One fixture row per rule of spec §3, with the expected rule, physical line and field.
@Suite struct RuleTests {
    // Woman born 05/06/1990: NIK digits 7–12 are 45 06 90 (day + 40).
    static let woman = "3201014506900001"
    // Man born 12/03/2020: 12 03 20.
    static let man = "3201011203200002"

    static let header = "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code,result,provider,lmp_date,gestational_weeks"

    static let rows = [
        "r1,2025-03-10,\(woman),05/06/1990,P,3201010001,1,1,posyandu,TENSI,120/80,bidan,,",        // 2 accepted
        "r2,,\(woman),05/06/1990,P,3201010001,1,1,posyandu,TENSI,,,,",                              // 3 E-REQUIRED visit_date
        "r3,31/02/2025,\(woman),05/06/1990,P,3201010001,1,1,posyandu,TENSI,,,,",                    // 4 E-DATE visit_date
        "r4,2026-01-05,\(woman),05/06/1990,P,3201010001,1,1,posyandu,TENSI,,,,",                    // 5 E-FUTURE
        "r5,2019-01-01,\(man),12/03/2020,L,3201010001,1,1,posyandu,TIMBANG,,,,",                    // 6 E-BEFORE-BIRTH
        "r6,2025-03-10,\(woman),05/06/1990,X,3201010001,1,1,posyandu,TENSI,,,,",                    // 7 E-SEX
        "r7,2025-03-10,12345,05/06/1990,P,3201010001,1,1,posyandu,TENSI,,,,",                       // 8 E-PERSON
        "r8,2025-03-10,\(woman),05/06/1990,P,3201010099,1,1,posyandu,TENSI,,,,",                    // 9 E-AREA
        "r9,2025-03-10,\(woman),05/06/1990,P,3201010001,1,1,warung,TENSI,,,,",                      // 10 E-FACILITY
        "r10,2025-03-10,\(woman),05/06/1990,P,3201010001,1,1,posyandu,XYZ,,,,",                     // 11 E-SERVICE
        "r11,2025-03-10,\(man),12/03/2020,L,3201010001,1,1,posyandu,ANC,,,,",                       // 12 E-ELIGIBILITY
        "r1,2025-03-11,\(woman),05/06/1990,P,3201010001,1,1,posyandu,TENSI,120/80,bidan,,",        // 13 E-DUPLICATE-ID
        "r12,2025-03-10,\(woman),05/06/1990,P,3201010001,1,1,posyandu,TENSI,120/80,bidan,,",       // 14 W-DUPLICATE
        "r13,2025-03-12,\(woman),05/06/1990,P,3201010001,1,1,posyandu,TENSI,80/120,,,",            // 15 W-RESULT
        "r14,2025-03-12,\(woman),05/06/1990,P,3201010001,1,1,posyandu,ANC,,bidan,2024-01-01,",     // 16 W-GESTATION
        "r15,2025-03-12,\(woman),05/06/1990,P,3201010001,9,9,posyandu,TIMBANG,55 kg,,,",           // 17 W-AREA
        "r16,2025-03-13,\(woman),06/06/1990,P,3201010001,1,2,posyandu,IMT,\"22,5\",,,",             // 18 W-NIK
        "r17,2025-03-13,\(woman)",                                                                 // 19 E-FIELDS
        "r18,\"2025-03-10\"x,\(woman),05/06/1990,P,3201010001,1,1,posyandu,TENSI,,,,",              // 20 E-PARSE
    ]

    static func outcome(keep: Bool = false) throws -> ValidationOutcome {
        let folder = try DataFolder(layanan: ["layanan/a.csv": ([header] + rows).joined(separator: "\n") + "\n"])
        defer { folder.remove() }
        return try Validation.run(dataDirectory: folder.path, settings: DataFolder.settings(keep: keep))
    }

    @Test(arguments: [
        (3, "E-REQUIRED", "visit_date"), (4, "E-DATE", "visit_date"), (5, "E-FUTURE", "visit_date"),
        (6, "E-BEFORE-BIRTH", "visit_date"), (7, "E-SEX", "sex"), (8, "E-PERSON", "person_id"),
        (9, "E-AREA", "village_code"), (10, "E-FACILITY", "facility_type"), (11, "E-SERVICE", "service_code"),
        (12, "E-ELIGIBILITY", "service_code"), (13, "E-DUPLICATE-ID", "record_id"), (19, "E-FIELDS", ""),
        (20, "E-PARSE", ""),
    ])
    func eachErrorRuleRejectsItsRow(line: Int, rule: String, field: String) throws {
        let o = try RuleTests.outcome()
        let hits = o.rejects.filter { $0.location.line == line }
        #expect(hits.map(\.rule.rawValue) == [rule], "line \(line): \(hits.map(\.compilerStyle))")
        if !field.isEmpty { #expect(hits.first?.field == field) }
        #expect(hits.first?.location.source == "layanan/a.csv")
    }

    /// The messages of E-FUTURE and E-DUPLICATE-ID say what to do (a typo in the year; a
    /// corrected file replaces the old one rather than sitting beside it).
    @Test func futureAndDuplicateIDMessagesSayWhatToDo() throws {
        let o = try RuleTests.outcome()
        #expect(o.rejects.first { $0.location.line == 5 }?.message
            == "visit_date 2026-01-05 is after today (2025-12-31); check the date's year (a typo?), or this machine's clock")
        #expect(o.rejects.first { $0.location.line == 13 }?.message
            == "record_id \"r1\" is already used by an earlier row with other content (files are read in name order; the earlier row counts); give each service its own id — to correct a file, replace the old file with it, do not add it beside the old one")
    }

    @Test(arguments: [
        (14, "W-DUPLICATE"), (15, "W-RESULT"), (16, "W-GESTATION"), (17, "W-AREA"), (18, "W-NIK"),
    ])
    func eachWarningRuleKeepsAndListsItsRow(line: Int, rule: String) throws {
        let o = try RuleTests.outcome()
        #expect(o.rejects.filter { $0.location.line == line }.isEmpty)
        #expect(o.warnings.filter { $0.location.line == line }.map(\.rule.rawValue) == [rule])
    }

    @Test func accountingAddsUp() throws {
        let o = try RuleTests.outcome()
        let t = o.total
        // 19 data lines; lines 3–13, 19, 20 rejected (13); 6 accepted of which line 14 is a duplicate.
        #expect(t.rowsRead == 19)
        #expect(t.rowsRejected == 13)
        #expect(t.rowsAccepted == 6)
        #expect(t.rowsDuplicate == 1)
        #expect(t.rowsUsed == 5)
        #expect(t.rowsOutOfPeriod == 0)
        #expect(t.balances)
        #expect(o.events.events.count == 5)
        #expect(o.asOf == YearMonth(year: 2025, month: 3))
    }

    @Test func messagesSayWhatToFix() throws {
        let o = try RuleTests.outcome()
        let date = try #require(o.rejects.first { $0.rule == .date })
        #expect(date.message == "visit_date \"31/02/2025\" is not a date; use DD/MM/YYYY or YYYY-MM-DD")
        #expect(date.value == "31/02/2025")
    }

    /// A date written as Excel's day number (a date column formatted as General, or a workbook
    /// saved without its formats), with or without a time of day, is told so — day numbers of
    /// 1910-01-01 (3654) to 2100-12-31 (73415); a year alone (`1960`, a lansia register's
    /// birth year) and other non-dates are not.
    @Test(arguments: [("45730", " (45730 looks like Excel's number for a date, in a cell not formatted as a date: format the column as a date in the workbook and save it again)"),
                      ("45730.4166", " (45730.4166 looks like Excel's number for a date, in a cell not formatted as a date: format the column as a date in the workbook and save it again)"),
                      ("3654", " (3654 looks like Excel's number for a date, in a cell not formatted as a date: format the column as a date in the workbook and save it again)"),
                      ("73415", " (73415 looks like Excel's number for a date, in a cell not formatted as a date: format the column as a date in the workbook and save it again)"),
                      ("1960", ""), ("3653", ""), ("73416", ""), ("1", ""), ("0", ""), ("45730.", ""), (".5", ""), ("45730.5.1", ""),
                      ("31/02/2025", ""), ("", ""), ("-45730", "")])
    func aDateSerialIsNamedAsOne(text: String, advice: String) {
        #expect(ServiceRowChecker.serialAdvice(text) == advice)
    }

    @Test func personIdentifiersAreMaskedUnlessKept() throws {
        let masked = try RuleTests.outcome()
        let nik = try #require(masked.warnings.first { $0.rule == .nik })
        #expect(nik.value == "3201**********01")
        #expect(!nik.message.contains("450690"), "the message must not give away NIK digits: \(nik.message)")
        let short = try #require(masked.rejects.first { $0.rule == .person })
        #expect(short.value == "*****")
        let kept = try RuleTests.outcome(keep: true)
        #expect(kept.warnings.first { $0.rule == .nik }?.value == RuleTests.woman)
    }

    @Test func unregisteredRTIsAddedAndUsed() throws {
        let o = try RuleTests.outcome()
        let rt = try #require(o.register.rts.firstIndex { $0.rw == "009" && $0.rt == "009" })
        #expect(o.register.rts[rt].registered == false)
        #expect(o.events.events.contains { $0.rt == UInt32(rt) })
    }

    @Test func rejectsAreSortedBySourceLineRule() throws {
        let o = try RuleTests.outcome()
        let lines = o.rejects.map(\.location.line)
        #expect(lines == lines.sorted())
    }
}
