import Foundation
import Testing
import PWSCore
@testable import Export

/// The growth section ("Pertumbuhan balita", amendments §A4) on a hand-built district:
/// Kabupaten Contoh (3201), Puskesmas Cipanas (P0001: Sukamaju, Mekarsari) and Puskesmas
/// Cibodas (P0002: the village Cibodas), as-of March 2025.
enum GrowthFixture {
    static let t = IndicatorInfo(id: "T", name: "Balita tidak naik berat badannya (T)", scope: "monthly",
                                 subject: "person", denominator: "indicator:D_S",
                                 targetAnnual: Percent(hundredths: 2000), direction: .lowerIsBetter)
    static let bgm = IndicatorInfo(id: "BGM", name: "Balita di bawah garis merah (BGM)", scope: "monthly",
                                   subject: "person", denominator: "indicator:D_S",
                                   targetAnnual: Percent(hundredths: 100), direction: .lowerIsBetter)
    static let stunting = IndicatorInfo(id: "STUNTING", name: "Balita pendek (stunting)", scope: "monthly",
                                        subject: "person", denominator: "measured",
                                        targetAnnual: Percent(hundredths: 1400), direction: .lowerIsBetter)

    static let sukamaju = "3201010001", mekarsari = "3201010002", cibodas = "3201020001"
    static let villagePuskesmas = [sukamaju: "P0001", mekarsari: "P0001", cibodas: "P0002"]

    /// (level, code, name, parent).
    static let areas: [(AreaLevel, String, String, String)] = [
        (.kabkota, "3201", "Kabupaten Contoh", ""),
        (.puskesmas, "P0001", "Cipanas", "3201"), (.puskesmas, "P0002", "Cibodas", "3201"),
        (.desa, sukamaju, "Sukamaju", "320101"), (.desa, mekarsari, "Mekarsari", "320101"),
        (.desa, cibodas, "Cibodas", "320102"),
    ]

    /// Numerator, denominator and the status the Aggregate stage gives (the mirrored rule of
    /// §A4: ≤ target and turun/tetap baik, ≤ and naik kurang, > and turun/tetap cukup, > and
    /// naik jelek; January's previous month counts as 0), per indicator, area and month 1…3.
    /// Villages have months 2 and 3 only (the report reads no earlier village month); their
    /// February status is not shown and left empty.
    static let figures: [String: [String: [(n: Int, d: Int, status: String)]]] = [
        "T": [  // max 20 %
            "3201": [(10, 90, "kurang"), (12, 93, "kurang"), (18, 95, "kurang")],      // 11,11 12,90 18,95
            "P0001": [(6, 60, "kurang"), (8, 63, "kurang"), (12, 65, "kurang")],       // 10,00 12,70 18,46
            "P0002": [(4, 30, "kurang"), (4, 30, "baik"), (6, 30, "kurang")],          // 13,33 13,33 20,00
            sukamaju: [(5, 38, ""), (9, 40, "jelek")],                                 // 13,16 → 22,50 > 20, naik
            mekarsari: [(3, 25, ""), (3, 25, "baik")],                                 // 12,00 tetap
            cibodas: [(4, 30, ""), (6, 30, "kurang")],                                 // 20,00: at the maximum, naik
        ],
        "BGM": [  // max 1 %
            "3201": [(0, 90, "baik"), (1, 93, "jelek"), (1, 95, "cukup")],            // 0 1,08 1,05
            "P0001": [(0, 60, "baik"), (1, 63, "jelek"), (1, 65, "cukup")],           // 0 1,59 1,54: > 1, turun
            "P0002": [(0, 30, "baik"), (0, 30, "baik"), (0, 30, "baik")],
            sukamaju: [(0, 38, ""), (1, 40, "jelek")],                                 // 2,50
            mekarsari: [(1, 25, ""), (0, 25, "baik")],                                 // 4,00 → 0,00
            cibodas: [(0, 30, ""), (0, 30, "baik")],
        ],
        "STUNTING": [  // max 14 %, over the children measured
            "3201": [(4, 40, "kurang"), (5, 46, "kurang"), (4, 36, "kurang")],        // 10,00 10,87 11,11 naik
            "P0001": [(3, 30, "kurang"), (4, 36, "kurang"), (4, 36, "baik")],         // 10,00 11,11 11,11 tetap
            "P0002": [(1, 10, "kurang"), (1, 10, "baik"), (0, 0, "")],                 // none measured in March
            sukamaju: [(2, 16, ""), (3, 16, "jelek")],                                 // 12,50 → 18,75
            mekarsari: [(2, 20, ""), (1, 20, "baik")],                                 // 10,00 → 5,00
            cibodas: [(1, 10, ""), (0, 0, "")],
        ],
    ]

    static func input(indicators: [IndicatorInfo] = [ReportFixture.k1, t, bgm, stunting],
                      followUp: [FollowUpRow] = followUp) -> ReportInput {
        var rows: [IndicatorRow] = []
        for month in 1...3 {
            for (level, code, name, parent) in areas {
                for info in indicators {
                    if info.id == "K1" {
                        rows.append(ReportFixture.row(info, year: 2025, month: month, level: level, code: code, name: name,
                                                      parent: parent, numMonth: 5, numPrev: month == 1 ? 0 : 5,
                                                      numCum: 5 * month, den: 100))
                        continue
                    }
                    let series = figures[info.id]![code]!
                    let first = level == .desa ? 2 : 1
                    guard month >= first else { continue }
                    let f = series[month - first]
                    let prev: Percent? = month - first > 0 ? pct(series[month - first - 1].n, series[month - first - 1].d) : nil
                    let cov = pct(f.n, f.d)
                    rows.append(IndicatorRow(
                        year: 2025, month: month, level: level, areaCode: code, areaName: name, parentCode: parent,
                        indicator: info.id, scope: "monthly", numeratorMonth: f.n, numeratorCumulative: nil,
                        denominator: ExactDecimal(f.d), denominatorSource: info.denominator == "measured" ? "measured" : "D_S",
                        coverageMonthPct: cov, coverageCumulativePct: nil, coveragePrevMonthPct: prev,
                        targetAnnualPct: info.targetAnnual, targetPct: info.targetAnnual,
                        gapPct: cov.map { Percent(hundredths: $0.hundredths - info.targetAnnual!.hundredths) },
                        trend: "", status: f.status))
                }
            }
        }
        return ReportInput(regencyName: "Kabupaten Contoh", asOf: YearMonth(year: 2025, month: 3), indicators: indicators,
                           rows: rows, villagePuskesmas: villagePuskesmas,
                           puskesmasNames: ["P0001": "Cipanas", "P0002": "Cibodas"],
                           accounting: ReportAccounting(rowsRead: 0, rowsRejected: 0, rowsAccepted: 0, rowsUsed: 0,
                                                        rowsDuplicate: 0, rowsOutOfPeriod: 0),
                           followUp: followUp)
    }

    static func pct(_ n: Int, _ d: Int) -> Percent? { ReportFixture.pct(n, d) }

    static func child(_ facility: String, _ village: String, _ person: String, _ reasons: String) -> FollowUpRow {
        FollowUpRow(facilityID: facility, villageCode: village, rw: "001", rt: "001", person: person, sortKey: person,
                    ageMonths: 20, reasons: reasons, weightDate: "", weightKg: "", lengthDate: "", lengthCm: "",
                    waz: "", haz: "", whz: "")
    }

    /// Eight children. PSY-A weighs children of Sukamaju and one of Mekarsari; one child of
    /// Cibodas has no facility on its last record.
    static let followUp: [FollowUpRow] = [
        child("PSY-B", mekarsari, "C5", "BGM 2T STUNTING"),
        child("PSY-A", sukamaju, "C1", "BGM WASTING"),
        child("PSY-A", sukamaju, "C2", "2T"),
        child("PSY-A", sukamaju, "C3", "TIDAK_DITIMBANG_2_BULAN"),
        child("PSY-B", mekarsari, "C4", "STUNTING"),
        child("PSY-A", mekarsari, "C6", "WASTING"),
        child("", cibodas, "C7", "TIDAK_DITIMBANG_2_BULAN"),
        child("PST-C", cibodas, "C8", "STUNTING WASTING"),
    ]
}

@Suite struct ReportGrowthTests {
    static func section(_ html: String) throws -> Substring {
        try #require(html.slice(from: "<section class=\"growth\" id=\"pertumbuhan\">", to: "</section>"))
    }

    @Test func prevalenceCellsCarryTheRowsValuesAndStatus() throws {
        let html = try ReportRenderer.render(GrowthFixture.input())
        let section = try Self.section(html)
        #expect(section.contains("jumlah balita/penyebut. Klik desa untuk rincian RW/RT.</p>"))
        let table = try #require(section.slice(from: "<table class=\"growth\">", to: "</table>"))
        // Columns: the growth indicators in catalogue order (K1 is not one).
        let expected1 = [
            "<th scope=\"col\">Wilayah</th><th scope=\"col\" title=\"Balita tidak naik berat badannya (T)\">T</th>",
            "<th scope=\"col\" title=\"Balita di bawah garis merah (BGM)\">BGM</th>",
            "<th scope=\"col\" title=\"Balita pendek (stunting)\">STUNTING</th></tr>",
        ].joined()
        #expect(table.contains(expected1))
        #expect(!table.contains(">K1<"))
        // March. Kabupaten: T 18/95 = 18,95 % kurang; BGM 1/95 = 1,05 % cukup; STUNTING 4/36 = 11,11 % kurang.
        let expected2 = [
            "<tr class=\"total\"><th>Kabupaten Contoh",
            "<td class=sk>18,95 K<small>18/95</small><td class=sc>1,05 C<small>1/95</small>",
            "<td class=sk>11,11 K<small>4/36</small></tr>",
        ].joined()
        #expect(table.contains(expected2))
        // Puskesmas Cipanas, then its villages by name (Mekarsari, Sukamaju), each linking to its drill-down.
        let expected3 = [
            "<tr class=\"pk\"><th>Puskesmas Cipanas",
            "<td class=sk>18,46 K<small>12/65</small><td class=sc>1,54 C<small>1/65</small>",
            "<td class=sb>11,11 B<small>4/36</small></tr>\n",
            "<tr><th><a href=\"#rinci-3201010002\">Mekarsari</a>",
            "<td class=sb>12,00 B<small>3/25</small><td class=sb>0,00 B<small>0/25</small>",
            "<td class=sb>5,00 B<small>1/20</small></tr>\n",
            "<tr><th><a href=\"#rinci-3201010001\">Sukamaju</a>",
            "<td class=sj>22,50 J<small>9/40</small><td class=sj>2,50 J<small>1/40</small>",
            "<td class=sj>18,75 J<small>3/16</small></tr>",
        ].joined()
        #expect(table.contains(expected3))
        // Cibodas: T 6/30 = 20,00 % at the maximum, naik: kurang; no child measured in March:
        // no prevalence and no status (grey).
        let expected4 = [
            "<tr><th><a href=\"#rinci-3201020001\">Cibodas</a>",
            "<td class=sk>20,00 K<small>6/30</small><td class=sb>0,00 B<small>0/30</small>",
            "<td class=sn>–<small>0/0</small></tr>",
        ].joined()
        #expect(table.contains(expected4))
    }

    /// The cell shows the row's status as the Aggregate stage computed it (also under
    /// `status.tetap_below_target` or a changed rule): the report does not recompute it.
    @Test func statusIsTheRowsNotRecomputed() throws {
        var input = GrowthFixture.input()
        let i = try #require(input.rows.firstIndex {
            $0.indicator == "BGM" && $0.areaCode == GrowthFixture.sukamaju && $0.month == 3
        })
        input.rows[i].status = "baik"  // 2,50 % is above the 1 % maximum; the row says baik
        let table = try #require(try Self.section(ReportRenderer.render(input))
            .slice(from: "<a href=\"#rinci-3201010001\">Sukamaju</a>", to: "</tr>"))
        #expect(table.contains("<td class=sb>2,50 B<small>1/40</small>"))
    }

    @Test func trendChartsAndTablesPerArea() throws {
        let html = try ReportRenderer.render(GrowthFixture.input())
        let section = try Self.section(html)
        // One chart for the kabupaten and one per puskesmas; with the 4 indicators' own
        // charts (1 trend + 2 PWS each) the page has 15.
        #expect(section.occurrences(of: "data-chart=\"growth\"") == 3)
        #expect(html.contains("<meta name=\"pws-charts\" content=\"15\">"))
        #expect(html.occurrences(of: "<svg class=\"chart") == 15)
        let kab = try #require(section.slice(from: "<div class=\"pkm\" id=\"tumbuh-3201\">", to: "</details>"))
        #expect(kab.contains("<h3>Kabupaten Contoh</h3>"))
        #expect(kab.contains("data-indicator=\"T BGM STUNTING\""))
        // Scale: the highest value is T's 18,95 → 0–20 in steps of 5; plot 200 high from y 20.
        // T in March: x = 48 + 16 + round(2/11 × 490) = 153, y = 220 − round(18,95/20 × 200 = 189,5) = 30;
        // its tooltip has one decimal rounded once from 18/95 = 18,947…: 18,9 (it said 19,0, the
        // two-decimal 18,95 rounded again).
        #expect(kab.contains("<circle class=\"gp\" cx=\"153\" cy=\"30\" r=\"3\"><title>T, Maret: 18,9 %</title></circle>"))
        #expect(kab.contains("<title>T, Januari: 11,1 %</title>"))
        // Line styles by the §A4 order (T g0, BGM g2, STUNTING g4), whatever the catalogue order.
        #expect(kab.contains("<g class=\"g0\"><polyline class=\"gl\" points=\"64,109 109,91 153,30\"/>"))
        #expect(kab.contains("<g class=\"g2\">") && kab.contains("<g class=\"g4\">"))
        // The table under it: two decimals and the status of each month.
        #expect(kab.contains("<tr><th>T<td class=sk>11,11 K<td class=sk>12,90 K<td class=sk>18,95 K</tr>"))
        #expect(kab.contains("<tr><th>BGM<td class=sb>0,00 B<td class=sj>1,08 J<td class=sc>1,05 C</tr>"))
        // Cibodas: STUNTING has no March value (nobody measured): the line stops at February.
        let cibodas = try #require(section.slice(from: "<div class=\"pkm\" id=\"tumbuh-P0002\">", to: "</details>"))
        #expect(cibodas.contains("<tr><th>STUNTING<td class=sk>10,00 K<td class=sb>10,00 B<td class=sn>–</tr>"))
        #expect(cibodas.occurrences(of: "<title>STUNTING, ") == 2)
        #expect(html.contains("<li><a href=\"#pertumbuhan\">Pertumbuhan balita</a></li>"))
    }

    /// The per-posyandu counts, by hand, and equal to counting the rows of the
    /// `tindak-lanjut.csv` that `FollowUpCSV` writes from the same rows.
    @Test func followUpCountsPerPosyandu() throws {
        let html = try ReportRenderer.render(GrowthFixture.input())
        let table = try #require(try Self.section(html).slice(from: "Tindak lanjut per posyandu", to: "</table>"))
        #expect(table.contains("<p>8 balita di tindak-lanjut.csv, Maret 2025."))
        // Columns: BGM, 2T, Stunting, Wasting, Tidak ditimbang 2 bulan, Jumlah balita.
        let expected = [
            "<tr class=\"total\"><th>Kabupaten Contoh<td class=t><td>2<td>2<td>3<td>3<td>2<td>8</tr>",
            "<tr class=\"pk\"><th>Puskesmas Cipanas<td class=t><td>2<td>2<td>2<td>2<td>1<td>6</tr>",
            "<tr><th>PSY-A<td class=t>Sukamaju<td>1<td>1<td>0<td>1<td>1<td>3</tr>",
            "<tr><th>PSY-A<td class=t>Mekarsari<td>0<td>0<td>0<td>1<td>0<td>1</tr>",
            "<tr><th>PSY-B<td class=t>Mekarsari<td>1<td>1<td>2<td>0<td>0<td>2</tr>",
            "<tr class=\"pk\"><th>Puskesmas Cibodas<td class=t><td>0<td>0<td>1<td>1<td>1<td>2</tr>",
            "<tr><th>(tanpa fasilitas)<td class=t>Cibodas<td>0<td>0<td>0<td>0<td>1<td>1</tr>",
            "<tr><th>PST-C<td class=t>Cibodas<td>0<td>0<td>1<td>1<td>0<td>1</tr>",
        ]
        #expect(table.components(separatedBy: "<tbody>\n")[1] == expected.joined(separator: "\n") + "\n</tbody></table>")

        // The same counts from the CSV: per (facility_id, village_code), rows per reason and in all.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("growth-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tindak-lanjut.csv").path
        try FollowUpCSV.write(GrowthFixture.followUp, to: path, format: .standard)
        let names = [GrowthFixture.sukamaju: "Sukamaju", GrowthFixture.mekarsari: "Mekarsari", GrowthFixture.cibodas: "Cibodas"]
        var fromCSV: [String: [Int]] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let key = (f[0].isEmpty ? "(tanpa fasilitas)" : f[0]) + "|" + names[f[1]]!
            var c = fromCSV[key] ?? [0, 0, 0, 0, 0, 0]
            for (k, code) in ["BGM", "2T", "STUNTING", "WASTING", "TIDAK_DITIMBANG_2_BULAN"].enumerated()
            where f[6].split(separator: " ").contains(Substring(code)) { c[k] += 1 }
            c[5] += 1
            fromCSV[key] = c
        }
        var fromReport: [String: [Int]] = [:]
        for row in expected where row.hasPrefix("<tr><th>") {
            let cells = row.dropFirst("<tr><th>".count).dropLast("</tr>".count).components(separatedBy: "<td")
            let village = cells[1].dropFirst(" class=t>".count)
            fromReport[cells[0] + "|" + village] = cells.dropFirst(2).map { Int($0.dropFirst())! }
        }
        #expect(fromReport == fromCSV)
    }

    /// The column tips say the list's limits: §A4's, or the catalogue's when a district edits
    /// them (audit P, finding 2).
    @Test func followUpTipsSayTheLimits() throws {
        let plain = try #require(try Self.section(try ReportRenderer.render(GrowthFixture.input()))
            .slice(from: "Tindak lanjut per posyandu", to: "</thead>"))
        #expect(plain.contains("title=\"berat badan menurut umur di bawah −3 SD (bawah garis merah)\">BGM</th>"), "\(plain)")
        #expect(plain.contains("title=\"panjang/tinggi badan menurut umur di bawah −2 SD\">Stunting</th>"))
        var input = GrowthFixture.input()
        input.followUpThresholds.bgm = -2
        input.followUpThresholds.wasting = -3
        let edited = try #require(try Self.section(try ReportRenderer.render(input)).slice(from: "Tindak lanjut per posyandu", to: "</thead>"))
        #expect(edited.contains("title=\"berat badan menurut umur di bawah −2 SD (bawah garis merah)\">BGM</th>"), "\(edited)")
        #expect(edited.contains("title=\"berat badan menurut panjang/tinggi badan di bawah −3 SD\">Wasting</th>"))
    }

    @Test func noChildToFollowUpSaysSo() throws {
        let html = try ReportRenderer.render(GrowthFixture.input(followUp: []))
        let section = try Self.section(html)
        #expect(section.contains("<p>Tidak ada balita dalam daftar tindak lanjut (tindak-lanjut.csv) bulan Maret 2025.</p>"))
        #expect(!section.contains("Posyandu/fasilitas"))
    }

    /// Without a growth indicator in the catalogue the page has no growth section, CSS or
    /// table-of-contents entry, and the follow-up rows change nothing.
    @Test func absentWithoutGrowthIndicators() throws {
        let html = try ReportRenderer.render(GrowthFixture.input(indicators: [ReportFixture.k1]))
        for absent in ["pertumbuhan", "Pertumbuhan", "class=\"growth", "data-chart=\"growth\"", ".g0{", "tindak-lanjut.csv"] {
            #expect(!html.contains(absent), "\(absent)")
        }
        #expect(html == (try ReportRenderer.render(GrowthFixture.input(indicators: [ReportFixture.k1], followUp: []))))
        #expect(html.contains("<meta name=\"pws-charts\" content=\"3\">"))
        // With one growth indicator the section is there, with that one column.
        let one = try ReportRenderer.render(GrowthFixture.input(indicators: [ReportFixture.k1, GrowthFixture.stunting]))
        #expect(one.contains("<section class=\"growth\" id=\"pertumbuhan\">"))
        #expect(one.contains("Indikator pertumbuhan balita (standar WHO 2006): STUNTING."))
    }

    /// Lower-is-better indicators are said to be so where a reader meets them (review 9): the
    /// legend lists them with the mirrored rule, the summary's header marks them "↓", their
    /// section gives the target as a ceiling; a catalogue without one has no such legend line.
    @Test func lowerIsBetterIndicatorsAreMarked() throws {
        let html = try ReportRenderer.render(GrowthFixture.input())
        let legend = try #require(html.slice(from: "<h2>Cara membaca</h2>", to: "</ul>"))
        #expect(legend.contains("<li>Indikator <strong>makin rendah makin baik</strong> (ditandai ↓: T, BGM, STUNTING): targetnya batas atas, dan status dibalik — <strong>B</strong>: capaian ≤ target dan tren turun/tetap; "))
        #expect(legend.contains("tanpa status: tidak ada sasaran, atau capaian bulan ini tidak dapat dihitung"))
        #expect(html.contains("<th scope=\"col\" title=\"Balita pendek (stunting) (makin rendah makin baik)\">STUNTING ↓</th>"))
        #expect(!html.contains("K1 ↓"))  // higher is better: no mark
        #expect(html.contains("<dt>Target</dt><dd>batas atas 14,00 % per tahun (setiap bulan) — makin rendah makin baik</dd>"))
        #expect(legend.contains("<strong>cukup (C)</strong>: capaian &lt; target, tren naik/tetap</li>"))
        #expect(legend.contains("<strong>C</strong>: &gt; target, turun/tetap; <strong>J</strong>: &gt; target dan naik</li>"))
        // `status.tetap_below_target: jelek`: a tetap short of the target is J, and the legend
        // and the growth section say so (review 10).
        var jelek = GrowthFixture.input()
        jelek.tetapBelowTarget = .jelek
        let strict = try ReportRenderer.render(jelek)
        let strictLegend = try #require(strict.slice(from: "<h2>Cara membaca</h2>", to: "</ul>"))
        #expect(strictLegend.contains("<strong>cukup (C)</strong>: capaian &lt; target dan tren naik</li>"))
        #expect(strictLegend.contains("<strong>jelek (J)</strong>: capaian &lt; target, tren turun/tetap</li>"))
        #expect(strictLegend.contains("<strong>C</strong>: &gt; target dan turun; <strong>J</strong>: &gt; target, naik/tetap</li>"))
        #expect(try Self.section(strict).contains("<strong>cukup (C)</strong>: &gt; target dan turun; <strong>jelek (J)</strong>: &gt; target, naik/tetap."))
        let k1Only = try ReportRenderer.render(GrowthFixture.input(indicators: [ReportFixture.k1]))
        #expect(!k1Only.contains("makin rendah") && !k1Only.contains("↓"))
        #expect(k1Only.contains("<dt>Target</dt><dd>100,00 % per tahun</dd>"))
    }

    /// The section takes the catalogue's growth indicators by rule kind: a district's own id on
    /// `growth_zscore` is in it (with the styles after the eight of §A4), an id of §A4 on another
    /// kind is not; without a known kind, the ids of §A4 decide.
    @Test func growthIndicatorsByRuleKind() {
        func info(_ id: String, _ rule: String) -> IndicatorInfo {
            IndicatorInfo(id: id, name: id, scope: "monthly", subject: "person", denominator: "measured",
                          targetAnnual: Percent(hundredths: 1000), direction: .lowerIsBetter, rule: rule)
        }
        var input = GrowthFixture.input()
        input.indicators = [ReportFixture.k1, info("BB_KURANG_DESA", "growth_zscore"), info("T", "first"),
                            info("STUNTING", "growth_zscore"), info("2T", ""), info("NAIK_2X", "growth_change")]
        let growth = ReportBuilder(input).growthIndicators()
        #expect(growth.map(\.info.id) == ["BB_KURANG_DESA", "STUNTING", "2T", "NAIK_2X"])
        #expect(growth.map(\.style) == [8, 4, 1, 9])
    }

    @Test func isValidAndEscaped() throws {
        var input = GrowthFixture.input()
        input.followUp.append(GrowthFixture.child("<PSY & \"D\">", GrowthFixture.cibodas, "C9", "BGM"))
        let html = try ReportRenderer.render(input)
        #expect(html.contains("<tr><th>&lt;PSY &amp; &quot;D&quot;&gt;<td class=t>Cibodas<td>1<td>0<td>0<td>0<td>0<td>1</tr>"))
        #expect(!html.contains("<PSY"))
        // Cell classes stay single unquoted tokens.
        for part in html.components(separatedBy: "<td class=").dropFirst() {
            let value = part.prefix { $0 != ">" && $0 != " " }
            #expect(!value.isEmpty && value.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }, "\(value)")
        }
        #expect(html == (try ReportRenderer.render(input)))
    }
}

@Suite struct ReportGrowthSizeTests {
    /// A 300-village district (25 puskesmas) with the eight growth indicators over 12 months and
    /// 2 400 children on the follow-up list at 600 posyandu: the section is complete (a chart per
    /// puskesmas, a row per village and posyandu) and stays a small part of a district page.
    @Test func threeHundredVillages() throws {
        let growth = ReportBuilder.growthIDs.map { id in
            IndicatorInfo(id: id, name: "Indikator \(id)", scope: "monthly", subject: "person", denominator: "indicator:D_S",
                          targetAnnual: Percent(hundredths: 1000), direction: .lowerIsBetter)
        }
        var input = ReportFixture.district(puskesmas: 25, villagesPer: 12, rws: 1, rts: 1, indicators: growth, months: 12)
        input.drillDown = .off
        let villages = input.villagePuskesmas.keys.sorted()
        input.followUp = (0..<2_400).map { k in
            let village = villages[k % villages.count]
            return GrowthFixture.child("PSY-\(village)-\(k / villages.count % 2)", village, "C\(k)",
                                       ["BGM", "2T STUNTING", "WASTING", "TIDAK_DITIMBANG_2_BULAN"][k % 4])
        }
        let clock = ContinuousClock()
        var html = ""
        let elapsed = try clock.measure { html = try ReportRenderer.render(input) }
        let section = try ReportGrowthTests.section(html)
        print("growth section: \(section.utf8.count) of \(html.utf8.count) bytes, render \(elapsed) (debug build)")
        #expect(section.occurrences(of: "data-chart=\"growth\"") == 26)
        #expect(section.occurrences(of: "\n<tr><th>Desa ") == 300)
        #expect(section.occurrences(of: "<tr><th>PSY-") == 600)
        #expect(section.utf8.count < 800_000, "\(section.utf8.count) bytes")
        // No drill-down: villages are not links, and the text does not say to click them.
        #expect(!section.contains("Klik desa") && !section.contains("href=\"#rinci-"))
    }
}

@Suite struct MultiLineChartTests {
    /// Keys of lines ending at the same month are moved at least 12 units apart in their
    /// order, and back up when pushed below the plot.
    @Test func keysDoNotOverlap() {
        func series(_ y: Int, x: Int = 500) -> ReportCharts.Series {
            ReportCharts.Series(key: "K", style: "g0", linePoints: "", points: [.init(x: x - 7, y: y, text: "", month: "")],
                                keyX: x, keyY: y)
        }
        var s = [series(104), series(100), series(200), series(101, x: 300)]
        ReportCharts.spreadKeys(&s, minGap: 12, top: 20, bottom: 224)
        #expect(s.map(\.keyY) == [112, 100, 200, 101])
        var low = [series(220), series(218)]
        ReportCharts.spreadKeys(&low, minGap: 12, top: 20, bottom: 224)
        // 218, 230 → shifted up by 6: 212, 224.
        #expect(low.map(\.keyY) == [224, 212])
    }
}

/// Negative values (a drop-out rate when more children got MR1 than DPT1, reported as is) are
/// drawn on the zero axis with their value written: a bar had a negative height (invalid SVG)
/// and a trend point fell below the axis onto the month names.
@Suite struct NegativeValueChartTests {
    @Test func aNegativeBarSitsOnTheAxis() {
        let values = [ReportCharts.BarValue(name: "Desa A", value: -16.9, valueText: "-16,9", status: "baik", isTotal: false),
                      ReportCharts.BarValue(name: "Total", value: 12.5, valueText: "12,5", status: "baik", isTotal: true)]
        let chart = ReportCharts.barChart(label: "DO", values: values, target: 5, targetText: "Target 5,00 %", isCount: false)
        let bar = chart.bars[0]
        #expect(bar.height == 0)
        #expect(bar.y == chart.plotBottom)
        #expect(bar.valueText == "-16,9")
        #expect(chart.bars.allSatisfy { $0.height >= 0 })
    }

    @Test func aNegativeTrendPointSitsOnTheAxis() {
        let chart = ReportCharts.lineChart(label: "DO", values: [(1, 3.5, "3,5"), (2, -7.25, "-7,3")],
                                           target: [(1, 5), (12, 5)], targetText: "Target 5,00 %", isCount: false)
        #expect(chart.points.map(\.y).allSatisfy { $0 <= chart.plotBottom })
        #expect(chart.points[1].y == chart.plotBottom)
        #expect(chart.points[1].text == "-7,3")
    }
}
