import Export
import Foundation
import PWSCore
import PWSTestSupport
import Testing

/// `tindak-lanjut.csv` (amendments §A4): header, the sort by facility, village, RW, RT and the
/// full person id (not the masked one), and the output format's decimal mark.
@Suite struct FollowUpCSVTests {
    static func row(_ facility: String, _ village: String, _ rw: String, _ rt: String, _ id: String,
                    reasons: String = "BGM", waz: String = "-3.39") -> FollowUpRow {
        FollowUpRow(facilityID: facility, villageCode: village, rw: rw, rt: rt, person: PersonID.mask(id), sortKey: id,
                    ageMonths: 14, reasons: reasons, weightDate: "2025-03-20", weightKg: "7.5", lengthDate: "",
                    lengthCm: "", waz: waz, haz: "", whz: "")
    }

    static let rows = [
        row("PSY-02", "3201012001", "001", "001", "3201010101240002"),
        row("PSY-01", "3201012002", "001", "001", "3201010101240009"),
        row("PSY-01", "3201012001", "002", "001", "3201010101240001"),
        row("PSY-01", "3201012001", "001", "002", "3201010101240003"),
        // Same area: by the full id (…0005 before …0104), which the masked ids do not show.
        row("PSY-01", "3201012001", "001", "001", "3201010101240104", reasons: "2T TIDAK_DITIMBANG_2_BULAN"),
        row("PSY-01", "3201012001", "001", "001", "3201010101240005"),
        row("", "3201012001", "001", "001", "3201010101240007", reasons: "TIDAK_DITIMBANG_2_BULAN", waz: ""),
    ]

    @Test func sortedByFacilityVillageRWRTAndPerson() throws {
        let tmp = try TemporaryFolder()
        let path = tmp.url.path + "/tindak-lanjut.csv"
        #expect(try FollowUpCSV.write(Self.rows, to: path, format: .standard).rows == 7)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == """
            facility_id,village_code,rw,rt,person,age_months,reasons,weight_date,weight_kg,length_date,length_cm,waz,haz,whz
            ,3201012001,001,001,3201**********07,14,TIDAK_DITIMBANG_2_BULAN,2025-03-20,7.5,,,,,
            PSY-01,3201012001,001,001,3201**********05,14,BGM,2025-03-20,7.5,,,-3.39,,
            PSY-01,3201012001,001,001,3201**********04,14,2T TIDAK_DITIMBANG_2_BULAN,2025-03-20,7.5,,,-3.39,,
            PSY-01,3201012001,001,002,3201**********03,14,BGM,2025-03-20,7.5,,,-3.39,,
            PSY-01,3201012001,002,001,3201**********01,14,BGM,2025-03-20,7.5,,,-3.39,,
            PSY-01,3201012002,001,001,3201**********09,14,BGM,2025-03-20,7.5,,,-3.39,,
            PSY-02,3201012001,001,001,3201**********02,14,BGM,2025-03-20,7.5,,,-3.39,,

            """)
    }

    /// With identifiers kept: the `name` column after `person`.
    @Test func nameColumnWithKeptIdentifiers() throws {
        let tmp = try TemporaryFolder()
        let path = tmp.url.path + "/tindak-lanjut.csv"
        var row = Self.rows[0]
        row.person = row.sortKey
        row.name = "Siti Aminah"
        try FollowUpCSV.write([row], to: path, format: .standard, names: true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == """
            facility_id,village_code,rw,rt,person,name,age_months,reasons,weight_date,weight_kg,length_date,length_cm,waz,haz,whz
            PSY-02,3201012001,001,001,3201010101240002,Siti Aminah,14,BGM,2025-03-20,7.5,,,-3.39,,

            """)
    }

    /// `--excel`: `;`, decimal comma, CRLF, BOM; a negative z-score stays a number (no `'`).
    @Test func excelFormat() throws {
        let tmp = try TemporaryFolder()
        let path = tmp.url.path + "/tindak-lanjut.csv"
        try FollowUpCSV.write([Self.rows[0]], to: path, format: .excel)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.hasSuffix("\r\nPSY-02;3201012001;001;001;3201**********02;14;BGM;2025-03-20;7,5;;;-3,39;;\r\n"))
    }
}
