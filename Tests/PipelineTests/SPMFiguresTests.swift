import Aggregate
import Export
import Foundation
import PWSCore
import PWSTestSupport
import Testing
@testable import Pipeline

/// spm.csv's figures on a hand-made district (`World`: PKM01 = Sukamaju + Sukajadi, PKM02 =
/// Cibening), computed by the Aggregate stage on the built-in SPM catalogue, as-of May 2025:
/// quarter 1 (January–March), quarter 2 (April–May) and the year to date. Every expectation is
/// worked out by hand below.
@Suite struct SPMFiguresTests {
    static let pipelines = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("pipelines").path

    /// Rows of spm.csv as cells, by `quarter|area_code|service`.
    static func table(format: OutputFormat = .standard) throws -> (rows: [SPMRow], cells: [String: [String]]) {
        let services = try ServiceCatalogueLoader.load(path: pipelines + "/services.yaml")
        let spm = try SPMCatalogue.load(path: pipelines + "/spm.yaml", services: services)
        var w = World(services: services, indicators: spm)
        // Sasaran (2025). bumil: 10 + 5 | 8; bulin: 9.5 + 4 | 6; bayi_lahir_hidup: 8 + 4 | 6;
        // lansia: 20 + 10 | 10; penderita_hipertensi: 30 + 20 | 25. No risiko_hiv anywhere.
        for (group, v1, v2, v3) in [("bumil", "10", "5", "8"), ("bulin", "9.5", "4", "6"),
                                    ("bayi_lahir_hidup", "8", "4", "6"), ("lansia", "20", "10", "10"),
                                    ("penderita_hipertensi", "30", "20", "25")] {
            w.target(group, World.v1, ExactDecimal(v1)!)
            w.target(group, World.v2, ExactDecimal(v2)!)
            w.target(group, World.v3, ExactDecimal(v3)!)
        }
        // SPM01 (ANC 1-1-2). ibu1 (Sukamaju, LMP 2024-09-01): TM1 day 44, TM2 day 131, TM3 days
        // 200 and 221 → standard met on 2025-04-10 (quarter 2, PKM01). ibu2 (Cibening, LMP
        // 2024-06-01): days 49, 122, 218, 254 → met on 2025-02-10 (quarter 1, PKM02). ibu3
        // (Sukajadi): two visits, never met.
        for d in ["2024-10-15", "2025-01-10", "2025-03-20", "2025-04-10"] {
            w.add("ANC", "ibu1", d, born: "1995-05-05", rt: World.rt1, provider: .bidan, lmp: "2024-09-01")
        }
        for d in ["2024-07-20", "2024-10-01", "2025-01-05", "2025-02-10"] {
            w.add("ANC", "ibu2", d, born: "1996-06-06", rt: World.rt5, provider: .bidan, lmp: "2024-06-01")
        }
        for d in ["2025-02-01", "2025-03-01"] {
            w.add("ANC", "ibu3", d, born: "1997-07-07", rt: World.rt4, provider: .bidan, lmp: "2024-12-01")
        }
        // SPM02: ibu4 delivers at the puskesmas with a bidan (2025-03-05, PKM01, quarter 1);
        // ibu5 at home (Cibening): not to standard.
        w.add("PERSALINAN", "ibu4", "2025-03-05", born: "1994-04-04", rt: World.rt2, provider: .bidan, facility: .puskesmas)
        w.add("PERSALINAN", "ibu5", "2025-04-02", born: "1993-03-03", rt: World.rt5, provider: .bidan, facility: .rumah)
        // SPM03: bayi1 (born 2025-03-30) has KN at 1, 4 and 21 days → met 2025-04-20 (quarter 2,
        // PKM01); bayi2 only at 1 and 5 days.
        for d in ["2025-03-31", "2025-04-03", "2025-04-20"] {
            w.add("KN", "bayi1", d, born: "2025-03-30", rt: World.rt1)
        }
        for d in ["2025-01-02", "2025-01-06"] { w.add("KN", "bayi2", d, born: "2025-01-01", rt: World.rt4) }
        // SPM07: lansia1 (75) screened twice (counted once, quarter 1, PKM01); lansia2 is 55.
        w.add("SKILAS", "lansia1", "2025-01-20", born: "1950-01-01", rt: World.rt3)
        w.add("SKILAS", "lansia1", "2025-04-05", born: "1950-01-01", rt: World.rt3)
        w.add("SKILAS", "lansia2", "2025-02-20", born: "1970-01-01", rt: World.rt3)
        // SPM08 (a care visit at a health facility in every month from the year's first to the
        // as-of month, counted at the first): ht1 at the puskesmas 2025-05-02 only, May being the
        // as-of month (quarter 2, PKM01); ht2 at a posyandu in February (not a health facility),
        // then at the pustu 2025-03-15, 2025-04-12 and the puskesmas 2025-05-03 (quarter 1,
        // PKM02); ht3 at the puskesmas in January, February, April and May, missing March: not
        // served.
        w.add("LAYANAN_HT", "ht1", "2025-05-02", born: "1960-01-01", rt: World.rt4, provider: .dokter,
              facility: .puskesmas, result: 150, dia: 95)
        w.add("LAYANAN_HT", "ht2", "2025-02-01", born: "1961-01-01", rt: World.rt6, provider: .kader,
              facility: .posyandu, result: 160, dia: 100)
        w.add("LAYANAN_HT", "ht2", "2025-03-15", born: "1961-01-01", rt: World.rt6, provider: .perawat,
              facility: .pustu, result: 150, dia: 92)
        w.add("LAYANAN_HT", "ht2", "2025-04-12", born: "1961-01-01", rt: World.rt6, provider: .perawat,
              facility: .pustu, result: 145, dia: 90)
        w.add("LAYANAN_HT", "ht2", "2025-05-03", born: "1961-01-01", rt: World.rt6, provider: .dokter,
              facility: .puskesmas, result: 140, dia: 90)
        for d in ["2025-01-08", "2025-02-08", "2025-04-08", "2025-05-08"] {
            w.add("LAYANAN_HT", "ht3", d, born: "1962-01-01", rt: World.rt5, provider: .dokter,
                  facility: .puskesmas, result: 150, dia: 95)
        }
        // SPM12: one HIV test, but no sasaran anywhere.
        w.add("TES_HIV", "hiv1", "2025-01-10", born: "1990-01-01", rt: World.rt2, facility: .puskesmas)
        let result = w.run(asOf: "2025-05")
        let rows = SPMTable.rows(result.values)
        var cells: [String: [String]] = [:]
        for r in rows { cells["\(r.quarterText)|\(r.areaCode)|\(r.service)"] = SPMTable.cells(r, format: format) }
        return (rows, cells)
    }

    /// Quarters 1 and 2 (as-of May) and YTD × kabupaten + 2 puskesmas × 12 services, in order.
    @Test func rowsComeInQuarterLevelAreaServiceOrder() throws {
        let (rows, _) = try Self.table()
        #expect(rows.count == 3 * 3 * 12)
        #expect(rows.map(\.quarterText).uniqued() == ["1", "2", "YTD"])
        #expect(rows.prefix(36).map(\.areaCode).uniqued() == ["3201", "PKM01", "PKM02"])
        #expect(rows.prefix(12).map(\.service).first == "SPM01_IBU_HAMIL")
        #expect(rows.prefix(12).map(\.service).last == "SPM12_RISIKO_HIV")
        #expect(SPMTable.header == ["year", "quarter", "level", "area_code", "area_name", "service", "sasaran",
                                   "served_to_standard", "not_served", "capaian_pct"])
        #expect(SPMTable.quarters(asOfMonth: 1) == 1...1 && SPMTable.quarters(asOfMonth: 3) == 1...1
                && SPMTable.quarters(asOfMonth: 4) == 1...2 && SPMTable.quarters(asOfMonth: 12) == 1...4)
    }

    /// Ibu hamil: PKM01 sasaran 15, PKM02 8, kabupaten 23. Q1: 0 / 1 / 1 (1/8 = 12.50 %,
    /// 1/23 = 4.35 %); Q2: 1 / 0 / 1 (1/15 = 6.67 %); YTD: 1 / 1 / 2 (2/23 = 8.70 %).
    @Test func ibuHamilCountsEachPregnancyInTheQuarterItMeetsTheStandard() throws {
        let (_, t) = try Self.table()
        #expect(t["1|PKM01|SPM01_IBU_HAMIL"] == ["2025", "1", "puskesmas", "PKM01", "Puskesmas Satu", "SPM01_IBU_HAMIL",
                                                "15", "0", "15", "0.00"])
        #expect(t["1|PKM02|SPM01_IBU_HAMIL"]?[6...] == ["8", "1", "7", "12.50"])
        #expect(t["1|3201|SPM01_IBU_HAMIL"] == ["2025", "1", "kabkota", "3201", "Kab. Contoh", "SPM01_IBU_HAMIL",
                                               "23", "1", "22", "4.35"])
        #expect(t["2|PKM01|SPM01_IBU_HAMIL"]?[6...] == ["15", "1", "14", "6.67"])
        #expect(t["2|PKM02|SPM01_IBU_HAMIL"]?[6...] == ["8", "0", "8", "0.00"])
        #expect(t["YTD|PKM01|SPM01_IBU_HAMIL"]?[6...] == ["15", "1", "14", "6.67"])
        #expect(t["YTD|PKM02|SPM01_IBU_HAMIL"]?[6...] == ["8", "1", "7", "12.50"])
        #expect(t["YTD|3201|SPM01_IBU_HAMIL"]?[6...] == ["23", "2", "21", "8.70"])
    }

    /// Ibu bersalin with a decimal sasaran: PKM01 9.5 + 4 = 13.5, kabupaten 19.5. Only ibu4's
    /// facility delivery counts: 1/13.5 = 7.41 %, not served 12.5; 1/19.5 = 5.13 %, 18.5.
    /// Quarter 2 has none: 0.00 %, all 13.5 not served. The Excel format writes `13,5`.
    @Test func ibuBersalinWithADecimalSasaran() throws {
        let (_, t) = try Self.table()
        #expect(t["1|PKM01|SPM02_IBU_BERSALIN"]?[6...] == ["13.5", "1", "12.5", "7.41"])
        #expect(t["2|PKM01|SPM02_IBU_BERSALIN"]?[6...] == ["13.5", "0", "13.5", "0.00"])
        #expect(t["YTD|3201|SPM02_IBU_BERSALIN"]?[6...] == ["19.5", "1", "18.5", "5.13"])
        #expect(t["YTD|PKM02|SPM02_IBU_BERSALIN"]?[6...] == ["6", "0", "6", "0.00"])
        let (_, excel) = try Self.table(format: .excel)
        #expect(excel["YTD|3201|SPM02_IBU_BERSALIN"]?[6...] == ["19,5", "1", "18,5", "5,13"])
    }

    /// Bayi baru lahir (KN1–KN3 all): bayi1 in quarter 2 at PKM01 (1/12 = 8.33 %); bayi2 never.
    /// Usia lanjut: lansia1 once, in quarter 1 (1/30 = 3.33 %); lansia2 (55) not at all.
    @Test func newbornAndElderly() throws {
        let (_, t) = try Self.table()
        #expect(t["1|PKM01|SPM03_BAYI_BARU_LAHIR"]?[6...] == ["12", "0", "12", "0.00"])
        #expect(t["2|PKM01|SPM03_BAYI_BARU_LAHIR"]?[6...] == ["12", "1", "11", "8.33"])
        #expect(t["YTD|3201|SPM03_BAYI_BARU_LAHIR"]?[6...] == ["18", "1", "17", "5.56"])
        #expect(t["1|PKM01|SPM07_USIA_LANJUT"]?[6...] == ["30", "1", "29", "3.33"])
        #expect(t["2|PKM01|SPM07_USIA_LANJUT"]?[6...] == ["30", "0", "30", "0.00"])
        #expect(t["YTD|3201|SPM07_USIA_LANJUT"]?[6...] == ["40", "1", "39", "2.50"])
    }

    /// Hipertensi: only care at a health facility counts, every month from the first. ht1 in
    /// quarter 2 at PKM01 (1/50 = 2.00 %), ht2 at the pustu in quarter 1 at PKM02 (1/25 = 4.00 %;
    /// the posyandu visit before does not count); ht3 (PKM02) missed March; kabupaten YTD
    /// 2/75 = 2.67 %.
    @Test func hipertensiCountsCareAtAHealthFacility() throws {
        let (_, t) = try Self.table()
        #expect(t["1|PKM02|SPM08_HIPERTENSI"]?[6...] == ["25", "1", "24", "4.00"])
        #expect(t["2|PKM01|SPM08_HIPERTENSI"]?[6...] == ["50", "1", "49", "2.00"])
        #expect(t["1|PKM01|SPM08_HIPERTENSI"]?[6...] == ["50", "0", "50", "0.00"])
        #expect(t["YTD|3201|SPM08_HIPERTENSI"]?[6...] == ["75", "2", "73", "2.67"])
    }

    /// Without a sasaran, sasaran, not_served and capaian are empty; the served count stays.
    /// A service with neither data nor sasaran is all zero and empty.
    @Test func servicesWithoutASasaranHaveEmptyColumns() throws {
        let (_, t) = try Self.table()
        #expect(t["YTD|3201|SPM12_RISIKO_HIV"]?[6...] == ["", "1", "", ""])
        #expect(t["1|PKM01|SPM12_RISIKO_HIV"]?[6...] == ["", "1", "", ""])
        #expect(t["YTD|PKM02|SPM10_ODGJ_BERAT"]?[6...] == ["", "0", "", ""])
    }

    /// The quarters add up to the year to date, and the puskesmas to the kabupaten.
    @Test func quartersAddUpToTheYearAndPuskesmasToTheKabupaten() throws {
        let (rows, _) = try Self.table()
        var sums: [String: Int] = [:]
        for r in rows {
            if r.quarter != nil { sums["q|\(r.areaCode)|\(r.service)", default: 0] += r.served }
            if r.level == .puskesmas { sums["p|\(r.quarterText)|\(r.service)", default: 0] += r.served }
        }
        for r in rows where r.quarter == nil { #expect(sums["q|\(r.areaCode)|\(r.service)"] == r.served) }
        for r in rows where r.level == .kabkota { #expect(sums["p|\(r.quarterText)|\(r.service)"] == r.served) }
    }
}

extension Array where Element: Hashable {
    /// The distinct elements in first-seen order.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
