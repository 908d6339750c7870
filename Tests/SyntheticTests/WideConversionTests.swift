import Foundation
import Ingest
import PWSCore
import Testing
@testable import Synthetic

/// `--format wide`: which long records become register cells, what is left in the long file,
/// and what the register holds.
@Suite struct WideConversionTests {
    static let header = "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,facility_id,service_code,result,provider\n"
    static func row(_ id: String, _ visit: String, _ person: String, _ sex: String, _ service: String, _ result: String,
                    provider: String = "kader") -> String {
        "\(id),\(visit),\(person),2024-01-0\(person.suffix(1)),\(sex),3201012001,001,002,posyandu,PSY-1,\(service),\(result),\(provider)\n"
    }

    @Test func weighingsThatFitMoveAndTheRestStaysByteForByte() throws {
        let tmp = TempFolder()
        defer { tmp.cleanup() }
        let fm = FileManager.default
        try fm.createDirectory(atPath: tmp.path + "/layanan", withIntermediateDirectories: true)
        let march = "layanan/2025-03_posyandu-melati-sukajaya.csv"
        let april = "layanan/2025-04_posyandu-melati-sukajaya.csv"
        let kept = [
            Self.row("A2", "2025-03-15", "3201014101240001", "P", "UKUR_TB", "70.1"),   // not a weighing
            Self.row("A3", "2025-03-14", "3201010102240002", "L", "TIMBANG", "9.0"),    // not the 15th
            Self.row("A4", "2025-03-15", "3201010103240003", "L", "TIMBANG", "7.2"),    // two weighings,
            Self.row("A5", "2025-03-15", "3201010103240003", "L", "TIMBANG", "7.2"),    // one cell
            Self.row("A7", "2025-03-15", "3201010105240005", "L", "TIMBANG", "6.1"),    // one record_id,
            Self.row("A7", "2025-03-15", "3201010106240006", "L", "TIMBANG", "6.3"),    // two records
            Self.row("A8", "2025-03-15", "3201010107240007", "L", "TIMBANG", "5.9", provider: "bidan"),
        ]
        let marchText = Self.header + Self.row("A1", "2025-03-15", "3201014101240001", "P", "TIMBANG", "8.5")
            + kept[0] + kept[1] + kept[2] + kept[3]
            + Self.row("A6", "2025-03-15", "3201010104240004", "X", "timbang", "tdk diukur") + kept[4] + kept[5] + kept[6]
        try marchText.write(toFile: tmp.path + "/" + march, atomically: true, encoding: .utf8)
        try (Self.header + Self.row("B1", "2025-04-15", "3201014101240001", "P", "TIMBANG", "\"9,1\""))
            .write(toFile: tmp.path + "/" + april, atomically: true, encoding: .utf8)

        let result = try WideConversion.convertServiceFiles(in: tmp.path, paths: [march, april, "wilayah.csv"], day: 15,
                                                            titles: ["posyandu-melati-sukajaya": "Posyandu Melati, Desa Sukajaya"])
        let register = "layanan/register-posyandu-melati-sukajaya-2025.xlsx"
        #expect(result.paths == [march, "wilayah.csv", register])
        #expect(result.moved == 3)
        #expect(try String(contentsOfFile: tmp.path + "/" + march, encoding: .utf8) == Self.header + kept.joined())
        #expect(!fm.fileExists(atPath: tmp.path + "/" + april))

        var rows: [[String]] = []
        let source = try WorkbookRecordSource(path: tmp.path + "/" + register, source: register, options: .init())
        var sheets: [String] = []
        try source.read { event in
            switch event {
            case .section(let label): sheets.append(label)
            case .record(let record, _): rows.append((0..<record.count).map { record.string($0) })
            default: break
            }
        }
        #expect(sheets == ["\(register):Register"])
        #expect(rows.count == 6)
        #expect(rows[0].first == "REGISTER BAYI DAN BALITA (FORMAT 2)")
        #expect(rows[1].first == "Posyandu Melati, Desa Sukajaya")
        #expect(rows[2].first == "Tahun 2025")
        #expect(rows[3] == WideConversion.header)
        func padded(_ r: [String]) -> [String] { r + Array(repeating: "", count: max(0, 24 - r.count)) }
        let months = Array(repeating: "", count: 12)
        var first = ["1", "", "3201014101240001", "2024-01-01", "P", "3201012001", "001", "002", "PSY-1"] + months + ["", "", ""]
        first[11] = "8.5"
        first[12] = "9.1"
        var second = ["2", "", "3201010104240004", "2024-01-04", "X", "3201012001", "001", "002", "PSY-1"] + months + ["", "", ""]
        second[11] = "tdk diukur"
        #expect(padded(rows[4]) == first)
        #expect(padded(rows[5]) == second)
    }

    @Test func linesAreCountedAsTheCSVReaderCountsThem() {
        let bytes = Array("h\r\na\r\nb\nc\rd".utf8)
        #expect(String(decoding: WideConversion.withoutLines([2, 4], of: bytes), as: UTF8.self) == "h\r\nb\nd")
        #expect(String(decoding: WideConversion.withoutLines([5], of: bytes), as: UTF8.self) == "h\r\na\r\nb\nc\r")
    }

    @Test func onlyPosyanduMonthFilesAreRegisterSources() {
        #expect(WideConversion.posyanduFile("layanan/2024-11_posyandu-nusa-indah-sukajaya.csv")! == (2024, 11, "posyandu-nusa-indah-sukajaya"))
        #expect(WideConversion.posyanduFile("layanan/2024-11_pustu-sukajaya.csv") == nil)
        #expect(WideConversion.posyanduFile("layanan/2024-13_posyandu-melati.csv") == nil)
        #expect(WideConversion.posyanduFile("layanan/2024-11_posyandu-melati.xlsx") == nil)
    }

    @Test func plainDecimalsAreNumberCells() {
        #expect(WideConversion.plainNumber("12,5") == 12.5)
        #expect(WideConversion.plainNumber("8") == 8)
        #expect(WideConversion.plainNumber("12,5 kg") == nil)
        #expect(WideConversion.plainNumber("1.2.3") == nil)
        #expect(WideConversion.plainNumber(",5") == nil)
        #expect(WideConversion.plainNumber("tdk diukur") == nil)
    }
}

/// `--posyandu-day`: every posyandu session on that day; checked options.
@Suite struct PosyanduDayTests {
    @Test func everyPosyanduSessionIsOnTheDayAndOtherFilesKeepTheirDays() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        var options = GeneratorOptions(seed: 2, records: 6_000, year: 2024, villages: 2, problemRate: 0)
        options.posyanduDay = 30
        _ = try SyntheticGenerator(options: options).generate(into: folder.path)
        var posyandu = 0, february = 0, otherDays: Set<Int> = []
        for f in try TestCSV.layanan(folder.path) {
            let v = try #require(f.columns["visit_date"]), service = try #require(f.columns["service_code"])
            let birth = try #require(f.columns["birth_date"])
            for r in f.rows {
                let day = try #require(TestCSV.date(r[v]))
                // ANC at the posyandu keeps the day of the pregnancy's schedule, and so do the
                // records given with it (TTD_BUMIL, the HIV test, the mother's LILA and a risk
                // found at the ANC visit); sessions move. A child's LILA is at the session.
                let maternal = ["ANC", "TTD_BUMIL", "TES_HIV", "RISTI_NAKES"].contains(r[service].uppercased())
                    || (r[service].uppercased() == "LILA" && (TestCSV.date(r[birth]).map { $0.days(to: day) > 365 * 6 } ?? false))
                if f.name.contains("_posyandu-") && !maternal {
                    posyandu += 1
                    // Day 30, or the month's last day when it is shorter (29 February 2024; 28
                    // February 2023 for a dose of the immunisation register entered back).
                    if day.month == 2 { february += 1 }
                    #expect(day.civil.day == min(30, Day.daysIn(month: day.month, year: day.year)), "\(f.name): \(r[v])")
                } else {
                    otherDays.insert(day.civil.day)
                }
            }
        }
        #expect(posyandu > 1_000)
        #expect(february > 0)
        #expect(otherDays.count > 20)
    }

    @Test func theDayIsCheckedAndWideRegistersNeedOne() {
        var options = GeneratorOptions(year: 2025)
        options.posyanduDay = 0
        #expect(throws: PWSError.self) { try options.validate() }
        options.posyanduDay = 32
        #expect(throws: PWSError.self) { try options.validate() }
        options.posyanduDay = nil
        options.wideRegisters = true
        #expect(throws: PWSError.self) { try options.validate() }
        options.posyanduDay = 15
        #expect(throws: Never.self) { try options.validate() }
    }
}
