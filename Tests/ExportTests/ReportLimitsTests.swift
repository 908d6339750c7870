import Foundation
import Testing
import PWSCore
@testable import Export

/// What a big district's page leaves out, and that it says so (docs/report.md, "Size").
@Suite struct ReportLimitsTests {
    @Test(arguments: [(1, 40), (100, 40), (150, 40), (151, 39), (300, 20), (1_000, 6), (10_000, 0), (0, 40)])
    func drillRowsPerVillageShareTheTotal(villages: Int, rows: Int) {
        // min(40, 6000 / villages).
        #expect(ReportLimits().drillRows(villages: villages) == rows)
    }

    @Test func villageShowsItsRWsOnlyWhenItsRTsDoNotFit() throws {
        var input = ReportFixture.small()
        // Sukamaju has 2 RW + 4 RT = 6 rows: over 5. The others have 4 or fewer.
        input.limits.drillRowsPerVillage = 5
        let html = try ReportRenderer.render(input)
        let sukamaju = try #require(html.slice(from: "id=\"rinci-3201010001\"", to: "</details>"))
        #expect(sukamaju.contains("(2 RW, 4 RT)"))
        #expect(sukamaju.occurrences(of: "<tr class=\"rw\">") == 2)
        #expect(sukamaju.occurrences(of: "<tr><th>RT ") == 0)
        #expect(sukamaju.contains("<p class=\"muted\">RT tidak ditampilkan: desa ini memiliki 2 RW dan 4 RT, lebih dari 5 baris; "
                                  + "angka per RT ada di indicators.csv (level rt).</p>"))
        // 1 RW + 3 RT fit.
        let weird = try #require(html.slice(from: "id=\"rinci-3201010002\"", to: "</details>"))
        #expect(weird.occurrences(of: "<tr><th>RT ") == 3)
        #expect(!weird.contains("<p class=\"muted\">"))
        // The section says how many villages were shortened.
        #expect(html.contains("Agar halaman tetap ringan, tiap desa/kelurahan memuat paling banyak 5 baris RW/RT; "
                              + "1 desa/kelurahan diringkas (lihat catatan di bawah tabelnya).</p>"))
        #expect(html.occurrences(of: "<tr><th>RT ") == 3 + 2 + 2)
    }

    @Test func villageWithMoreRWsThanFitShowsTheFirstByCode() throws {
        var input = ReportFixture.small()
        input.limits.drillRowsPerVillage = 1
        let html = try ReportRenderer.render(input)
        let sukamaju = try #require(html.slice(from: "id=\"rinci-3201010001\"", to: "</details>"))
        #expect(sukamaju.occurrences(of: "<tr class=\"rw\"><th>RW 001<") == 1)
        #expect(!sukamaju.contains("RW 002"))
        #expect(sukamaju.contains("Hanya 1 dari 2 RW yang ditampilkan (urut kode), tanpa RT; angka semua RW dan RT ada di indicators.csv."))
        #expect(html.occurrences(of: "<tr><th>RT ") == 0)
        // All four villages are shortened (each has more than one row under it).
        #expect(html.contains("4 desa/kelurahan diringkas"))
    }

    @Test func rwDepthSaysWhereTheRTsAre() throws {
        var input = ReportFixture.small()
        input.drillDown = .rw
        let html = try ReportRenderer.render(input)
        #expect(html.contains("Hanya sampai RW; angka per RT ada di indicators.csv (level rt).</p>"))
        #expect(!html.contains("diringkas"))
    }

    @Test func smallDistrictShowsEverythingWithoutNotes() throws {
        let html = try ReportRenderer.render(ReportFixture.small())
        #expect(!html.contains("<p class=\"muted\">"))
        #expect(!html.contains("indicators.csv"))
        #expect(!html.contains("Ditampilkan "))
    }

    @Test func sourceTableKeepsTheWorstFilesAndCountsTheRest() throws {
        var input = ReportFixture.small()
        // Files: mawar 2 rejects + 1 warning, cibodas 1 reject, melati 1 warning.
        input.limits.sourceFiles = 1
        let html = try ReportRenderer.render(input)
        let sources = try #require(html.slice(from: "<table class=\"sources\">", to: "</table>"))
        #expect(sources.occurrences(of: "<tr class=") == 1)
        #expect(sources.contains("posyandu-mawar-2025-02.csv"))
        #expect(html.contains("<p class=\"muted\">Ditampilkan 1 dari 3 file sumber (terbanyak ditolak dulu). 2 file lainnya "
                              + "(1 ditolak, 1 peringatan) tidak ditampilkan; daftar lengkap per baris ada di rejects.csv dan warnings.csv.</p>"))
        // The per-rule table still counts every diagnostic.
        #expect(html.contains("<th>E-DATE<td class=t>tanggal tidak valid<td class=t>ditolak<td>2<td class=t>"))
        #expect(html.contains("<th>W-DUPLICATE<td class=t>kunjungan ganda (dibuang)<td class=t>peringatan<td>1<td class=t>"))
    }

    @Test func sourcesWithEqualCountsAreInNameOrderUpToTheCut() throws {
        var input = ReportFixture.small()
        input.warnings = []
        // c: 2 rejects; a, b, d: 1 each. Shown: c, then a and b by name; d is left out.
        input.rejects = [ReportFixture.diag("layanan/d.csv", 1, .date), ReportFixture.diag("layanan/c.csv", 1, .date),
                         ReportFixture.diag("layanan/b.csv", 1, .sex), ReportFixture.diag("layanan/c.csv", 2, .sex),
                         ReportFixture.diag("layanan/a.csv", 1, .date)]
        input.limits.sourceFiles = 3
        let html = try ReportRenderer.render(input)
        let sources = try #require(html.slice(from: "<table class=\"sources\">", to: "</table>"))
        let files = sources.components(separatedBy: "<th>layanan/").dropFirst().map { $0.prefix(5) }
        #expect(files == ["c.csv", "a.csv", "b.csv"])
        #expect(sources.contains("<th>layanan/c.csv<td class=t><td>2<td>0<td class=t>E-DATE 1 · E-SEX 1</tr>"))
        #expect(html.contains("Ditampilkan 3 dari 4 file sumber (terbanyak ditolak dulu). 1 file lainnya (1 ditolak, 0 peringatan)"))
    }

    /// 40 villages with 6 RW × 5 RT each (36 rows a village) and a total of 600 rows: 600 / 40 =
    /// 15 rows a village, so RWs only. (The default total, 6 000, does the same for 400 villages.)
    @Test func bigDistrictDrillDownStaysWithinTheTotal() throws {
        var input = ReportFixture.district(puskesmas: 4, villagesPer: 10, rws: 6, rts: 5,
                                           indicators: [ReportFixture.k1], months: 1)
        input.limits.drillRowsTotal = 600
        let html = try ReportRenderer.render(input)
        #expect(html.occurrences(of: "<details class=\"drill\"") == 40)
        #expect(html.occurrences(of: "<tr class=\"rw\">") == 40 * 6)
        #expect(html.occurrences(of: "<tr><th>RT ") == 0)
        #expect(html.occurrences(of: "RT tidak ditampilkan: desa ini memiliki 6 RW dan 30 RT, lebih dari 15 baris") == 40)
        #expect(html.contains("paling banyak 15 baris RW/RT; 40 desa/kelurahan diringkas"))
        // Every village still has its bar and status-table row.
        #expect(html.occurrences(of: "<text class=\"n\" ") == 40 + 4)
        #expect(html.occurrences(of: "<a href=\"#rinci-") == 40)
    }
}
