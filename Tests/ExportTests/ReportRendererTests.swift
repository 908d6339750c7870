import Foundation
import Testing
import PWSCore
@testable import Export

/// Builds `ReportInput`s from a small area tree: RT numerators from a fixed pseudo-random
/// sequence, every parent the sum of its children (as §4 guarantees), percentages, trend and
/// status computed the §6 way from the integers.
enum ReportFixture {
    struct Village {
        var code: String
        var name: String
        var puskesmas: String
        var rws: Int
        var rtsPerRW: Int
    }

    static let k1 = IndicatorInfo(id: "K1", name: "Kunjungan ibu hamil pertama (K1)", scope: "lifetime",
                                  subject: "pregnancy", denominator: "bumil", targetAnnual: Percent(hundredths: 10000))
    static let ds = IndicatorInfo(id: "D_S", name: "Balita ditimbang (D/S)", scope: "monthly", subject: "person",
                                  denominator: "balita", targetAnnual: Percent(hundredths: 8000))
    static let tb = IndicatorInfo(id: "SKRINING_TB", name: "Skrining gejala TB", scope: "year", subject: "person",
                                  denominator: "", targetAnnual: nil)

    static let weirdName = #"<b>Desa & "Baru"</b>"#

    /// The hand-made district of the structure test: 2 puskesmas, 4 villages, 3 months.
    static func small() -> ReportInput {
        let villages = [
            Village(code: "3201010001", name: "Sukamaju", puskesmas: "P0001", rws: 2, rtsPerRW: 2),
            Village(code: "3201010002", name: weirdName, puskesmas: "P0001", rws: 1, rtsPerRW: 3),
            Village(code: "3201020001", name: "Cibodas", puskesmas: "P0002", rws: 2, rtsPerRW: 1),
            Village(code: "3201020002", name: "Mekarsari", puskesmas: "P0002", rws: 1, rtsPerRW: 2),
        ]
        var input = make(villages: villages, puskesmasNames: ["P0001": "Cipanas", "P0002": "Sindang & Laut"],
                         indicators: [k1, ds, tb], months: 3, seed: 7)
        input.rejects = [
            diag("layanan/posyandu-mawar-2025-02.csv", 12, .date),
            diag("layanan/posyandu-mawar-2025-02.csv", 40, .date),
            diag("layanan/pustu-cibodas-2025-03.csv", 3, .eligibility),
        ]
        input.warnings = [
            diag("layanan/posyandu-mawar-2025-02.csv", 7, .areaWarning),
            diag("layanan/posyandu-melati-2025-01.csv", 9, .duplicate),
        ]
        input.sourceFacilityNames = ["layanan/posyandu-mawar-2025-02.csv": "Posyandu Mawar <RW 01>"]
        input.completeness = [
            CompletenessRow(facility: "PSY-MAWAR", facilityType: "posyandu", year: 2025, month: 1, records: 40, persons: 30, reported: true),
            CompletenessRow(facility: "PSY-MAWAR", facilityType: "posyandu", year: 2025, month: 2, records: 0, persons: 0, reported: false),
            CompletenessRow(facility: "PSY-MAWAR", facilityType: "posyandu", year: 2025, month: 3, records: 55, persons: 41, reported: true),
            CompletenessRow(facility: "PUSTU-CBD", facilityType: "pustu", year: 2025, month: 3, records: 12, persons: 9, reported: true),
        ]
        input.accounting = ReportAccounting(rowsRead: 1000, rowsRejected: 20, rowsAccepted: 980, rowsUsed: 950,
                                            rowsDuplicate: 10, rowsOutOfPeriod: 20)
        return input
    }

    static func diag(_ source: String, _ line: Int, _ rule: RuleCode) -> Diagnostic {
        Diagnostic(location: SourceLocation(source: source, line: line), recordID: "R\(line)", rule: rule,
                   field: "visit_date", value: "x", message: "test")
    }

    /// A district of `puskesmas` × `villagesPer` villages, each with `rws` RWs of `rts` RTs.
    static func district(puskesmas: Int, villagesPer: Int, rws: Int, rts: Int, indicators: [IndicatorInfo],
                         months: Int) -> ReportInput {
        var villages: [Village] = []
        var names: [String: String] = [:]
        for p in 0..<puskesmas {
            let pcode = "P\(1000 + p)"
            names[pcode] = "Puskesmas Nomor \(p + 1)"
            for v in 0..<villagesPer {
                let code = "32\(String(10 + p))\(String(10 + p))\(String(1000 + v))"
                villages.append(Village(code: code, name: "Desa \(p + 1)-\(v + 1) Sukamakmur", puskesmas: pcode,
                                        rws: rws, rtsPerRW: rts))
            }
        }
        return make(villages: villages, puskesmasNames: names, indicators: indicators, months: months, seed: 11)
    }

    /// The 19 indicators of the default catalogue (§5.2).
    static let catalogue: [IndicatorInfo] = {
        func c(_ id: String, _ scope: String, _ den: String, _ target: Int?) -> IndicatorInfo {
            IndicatorInfo(id: id, name: "Indikator \(id)", scope: scope, subject: "person", denominator: den,
                          targetAnnual: target.map { Percent(hundredths: $0 * 100) })
        }
        return [c("K1", "lifetime", "bumil", 100), c("K1_MURNI", "lifetime", "bumil", 90), c("K4", "lifetime", "bumil", 95),
                c("K6", "lifetime", "bumil", 90), c("PF", "lifetime", "bulin", 95), c("KF_LENGKAP", "lifetime", "bulin", 90),
                c("KN1", "lifetime", "bayi_lahir_hidup", 95), c("KN_LENGKAP", "lifetime", "bayi_lahir_hidup", 90),
                c("IDL", "lifetime", "bayi", 95), c("IBL", "lifetime", "baduta", 90), c("D_S", "monthly", "balita", 80),
                c("N_D", "monthly", "indicator:D_S", 80), c("SKRINING_REMAJA", "year", "remaja", 100),
                c("TTD_REMAJA_PUTRI", "year", "remaja_putri", 100), c("SPM_USIA_PRODUKTIF", "year", "usia_produktif", 100),
                c("SKRINING_PTM_DEWASA", "year", "dewasa", 100), c("SPM_LANSIA", "year", "lansia", 100),
                c("SKRINING_TB", "year", "", nil), c("HIPERTENSI", "year", "", nil)]
    }()

    static func make(villages: [Village], puskesmasNames: [String: String], indicators: [IndicatorInfo],
                     months: Int, seed: UInt64) -> ReportInput {
        var state = seed
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let year = 2025
        // Leaf areas: (desa, rw, rt) codes.
        struct Leaf { var desa: String; var rw: String; var rt: String }
        var leaves: [Leaf] = []
        var names: [String: String] = [:]
        var parent: [String: String] = [:]
        for v in villages {
            names[v.code] = v.name
            parent[v.code] = String(v.code.prefix(6))
            names[String(v.code.prefix(6))] = "Kecamatan \(v.code.prefix(6))"
            parent[String(v.code.prefix(6))] = String(v.code.prefix(4))
            parent[v.puskesmas] = String(v.code.prefix(4))
            names[v.puskesmas] = puskesmasNames[v.puskesmas] ?? v.puskesmas
            for r in 1...v.rws {
                let rw = "\(v.code)-\(pad(r))"
                names[rw] = "RW \(pad(r))"
                parent[rw] = v.code
                for t in 1...v.rtsPerRW {
                    let rt = "\(rw)-\(pad(t))"
                    names[rt] = "RT \(pad(t))"
                    parent[rt] = rw
                    leaves.append(Leaf(desa: v.code, rw: rw, rt: rt))
                }
            }
        }
        let kab = String(villages[0].code.prefix(4))
        names[kab] = "Kabupaten Contoh"
        let pkmOf = Dictionary(uniqueKeysWithValues: villages.map { ($0.code, $0.puskesmas) })

        var rows: [IndicatorRow] = []
        for info in indicators {
            // Per leaf: denominator and monthly numerators.
            var den: [String: Int] = [:]
            var num: [String: [Int]] = [:]
            for leaf in leaves {
                den[leaf.rt] = 3 + next(12)
                num[leaf.rt] = (0...months).map { $0 == 0 ? 0 : next(info.scope == "monthly" ? 8 : 3) }
            }
            // Sum to every level.
            var groups: [(AreaLevel, String, [String])] = []
            var byRW: [String: [String]] = [:], byDesa: [String: [String]] = [:], byKec: [String: [String]] = [:]
            var byPkm: [String: [String]] = [:]
            for leaf in leaves {
                byRW[leaf.rw, default: []].append(leaf.rt)
                byDesa[leaf.desa, default: []].append(leaf.rt)
                byKec[String(leaf.desa.prefix(6)), default: []].append(leaf.rt)
                byPkm[pkmOf[leaf.desa]!, default: []].append(leaf.rt)
            }
            groups.append((.kabkota, kab, leaves.map(\.rt)))
            for (k, v) in byKec { groups.append((.kecamatan, k, v)) }
            for (k, v) in byPkm { groups.append((.puskesmas, k, v)) }
            for (k, v) in byDesa { groups.append((.desa, k, v)) }
            for (k, v) in byRW { groups.append((.rw, k, v)) }
            for leaf in leaves { groups.append((.rt, leaf.rt, [leaf.rt])) }
            for (level, code, rts) in groups {
                let d = rts.reduce(0) { $0 + den[$1]! }
                for month in 1...months {
                    let nm = rts.reduce(0) { $0 + num[$1]![month] }
                    let prev = rts.reduce(0) { $0 + num[$1]![month - 1] }
                    let cum = rts.reduce(0) { acc, rt in acc + num[rt]![1...month].reduce(0, +) }
                    rows.append(row(info, year: year, month: month, level: level, code: code, name: names[code] ?? code,
                                    parent: level == .puskesmas ? kab : (parent[code] ?? ""),
                                    numMonth: nm, numPrev: prev, numCum: cum, den: d))
                }
            }
        }
        // The order of indicators.csv and of the Aggregate stage: month, level, area, catalogue.
        let position = Dictionary(uniqueKeysWithValues: indicators.enumerated().map { ($1.id, $0) })
        let order = rows.indices.sorted { a, b in
            let x = rows[a], y = rows[b]
            if x.month != y.month { return x.month < y.month }
            if x.level != y.level { return x.level < y.level }
            if x.areaCode != y.areaCode { return x.areaCode.utf8.lexicographicallyPrecedes(y.areaCode.utf8) }
            return position[x.indicator]! < position[y.indicator]!
        }
        rows = order.map { rows[$0] }
        return ReportInput(regencyName: "Kabupaten Contoh", asOf: YearMonth(year: year, month: months),
                           indicators: indicators, rows: rows, villagePuskesmas: pkmOf, puskesmasNames: puskesmasNames,
                           accounting: ReportAccounting(rowsRead: 0, rowsRejected: 0, rowsAccepted: 0, rowsUsed: 0,
                                                        rowsDuplicate: 0, rowsOutOfPeriod: 0))
    }

    static func pad(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }

    /// n/d × 100 as hundredths, half away from zero (n, d ≥ 0).
    static func pct(_ n: Int, _ d: Int) -> Percent? {
        d > 0 ? Percent(hundredths: (n * 20000 + d) / (2 * d)) : nil
    }

    static func row(_ info: IndicatorInfo, year: Int, month: Int, level: AreaLevel, code: String, name: String,
                    parent: String, numMonth: Int, numPrev: Int, numCum: Int, den: Int) -> IndicatorRow {
        let monthly = info.scope == "monthly"
        let hasDen = !info.isCountOnly
        let target = info.targetAnnual.map { monthly ? $0 : Percent(hundredths: ($0.hundredths * month * 2 + 12) / 24) }
        let trend = numMonth > numPrev ? "naik" : numMonth == numPrev ? "tetap" : "turun"
        let cov = hasDen ? pct(monthly ? numMonth : numCum, den) : nil
        var status = ""
        if let cov, let target {
            let above = cov >= target
            status = above ? (trend == "turun" ? "kurang" : "baik") : (trend == "turun" ? "jelek" : "cukup")
        }
        var row = IndicatorRow(
            year: year, month: month, level: level, areaCode: code, areaName: name, parentCode: parent,
            indicator: info.id, scope: info.scope, numeratorMonth: numMonth, numeratorCumulative: monthly ? nil : numCum,
            denominator: hasDen ? ExactDecimal(den) : nil, denominatorSource: hasDen ? "sasaran" : "",
            coverageMonthPct: hasDen ? pct(numMonth, den) : nil, coverageCumulativePct: hasDen && !monthly ? pct(numCum, den) : nil,
            coveragePrevMonthPct: hasDen ? pct(numPrev, den) : nil, targetAnnualPct: info.targetAnnual, targetPct: target,
            gapPct: cov.flatMap { c in target.map { Percent(hundredths: c.hundredths - $0.hundredths) } },
            trend: trend, status: status)
        row.numeratorPrevMonth = numPrev
        return row
    }
}

extension StringProtocol {
    func occurrences(of needle: String) -> Int {
        var count = 0
        var rest = Substring(self)
        while let r = rest.range(of: needle) {
            count += 1
            rest = rest[r.upperBound...]
        }
        return count
    }

    /// The text between the first `start` at or after `from` and the next `end`.
    func slice(from start: String, to end: String) -> Substring? {
        let text = Substring(self)
        guard let a = text.range(of: start), let b = text[a.upperBound...].range(of: end) else { return nil }
        return text[a.lowerBound..<b.upperBound]
    }
}

@Suite struct ReportRendererTests {
    let input = ReportFixture.small()

    @Test func rendersOneTrendChartPerIndicatorAndOnePWSChartPerPuskesmas() throws {
        let html = try ReportRenderer.render(input)
        // 3 indicators × (1 trend + 2 puskesmas PWS charts).
        #expect(html.occurrences(of: "<svg class=\"chart") == 9)
        #expect(html.occurrences(of: "data-chart=\"trend\"") == 3)
        #expect(html.occurrences(of: "data-chart=\"pws\"") == 6)
        #expect(html.contains("<meta name=\"pws-charts\" content=\"9\">"))
        #expect(html.contains("<meta name=\"pws-indicators\" content=\"K1 D_S SKRINING_TB\">"))
        for id in ["K1", "D_S", "SKRINING_TB"] {
            #expect(html.occurrences(of: "aria-label=\"Tren ") >= 1)
            #expect(html.contains("aria-label=\"Grafik PWS \(id) — Puskesmas Cipanas:"))
            #expect(html.contains("aria-label=\"Grafik PWS \(id) — Puskesmas Sindang &amp; Laut:"))
            #expect(html.contains("<section class=\"indicator\" id=\"ind-\(id)\">"))
        }
        // Every chart carries a <title> right after its opening tag.
        #expect(html.occurrences(of: "\"><title>Grafik PWS ") == 6)
        #expect(html.occurrences(of: "\"><title>Tren ") == 3)
    }

    /// The status summary has at most 20 indicator columns per table (19 fit a 1280-px screen):
    /// §5.2's 19 stay one table; 30 (§A5) become 15 + 15; 41 become 14 + 14 + 13.
    @Test(arguments: [(19, [19]), (20, [20]), (21, [11, 10]), (30, [15, 15]), (41, [14, 14, 13])])
    func summarySplitsIntoTablesOfAtMost20Indicators(count: Int, widths: [Int]) throws {
        let indicators = (0..<count).map { k in
            IndicatorInfo(id: "I\(k)", name: "Indikator \(k)", scope: "year", subject: "person", denominator: "",
                          targetAnnual: nil)
        }
        let html = try ReportRenderer.render(ReportFixture.district(puskesmas: 1, villagesPer: 1, rws: 1, rts: 1,
                                                                    indicators: indicators, months: 2))
        let section = try #require(html.slice(from: "<section id=\"ringkasan\">", to: "</section>"))
        let tables = section.components(separatedBy: "<table class=\"summary\">").dropFirst()
            .map { $0.components(separatedBy: "</thead>")[0] }
        // Indicator columns per table: the header cells with a title (the indicator's name).
        #expect(tables.map { $0.components(separatedBy: "<th scope=\"col\" title=").count - 1 } == widths)
        #expect(tables.allSatisfy { $0.hasPrefix("<thead><tr><th scope=\"col\">Wilayah</th>") })
        // Every indicator once, in catalogue order.
        let ids = tables.flatMap { $0.components(separatedBy: "title=\"Indikator ").dropFirst()
            .map { String($0.prefix(while: { $0 != "\"" })) } }
        #expect(ids == (0..<count).map(String.init))
    }

    @Test func escapesVillageNamesEverywhere() throws {
        let html = try ReportRenderer.render(input)
        #expect(!html.contains(ReportFixture.weirdName))
        #expect(!html.contains("<b>"))
        #expect(!html.contains("<RW 01>"))
        let escaped = "&lt;b&gt;Desa &amp; &quot;Baru&quot;&lt;/b&gt;"
        // Status table rows (3 indicators), bar labels (3), drill-down summary and its desa row (2).
        #expect(html.occurrences(of: escaped) == 8)
        #expect(html.contains("Posyandu Mawar &lt;RW 01&gt;"))
        // Cell classes are written unquoted, so each must be one plain token.
        for part in html.components(separatedBy: "<td class=").dropFirst() {
            let value = part.prefix { $0 != ">" && $0 != " " }
            #expect(!value.isEmpty && value.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }, "\(value)")
        }
    }

    /// The page's own values (the title, the regency's name) are escaped as the fragments are:
    /// byte by byte — a quote followed by a combining mark is still a quote — and control
    /// characters (a NUL from wilayah.csv) as U+FFFD. Without either the page is unchanged.
    @Test func pageValuesAreEscapedByteByByte() throws {
        var odd = input
        odd.regencyName = "Kab\u{0}upaten \"\u{338}<b>"
        let html = try ReportRenderer.render(odd)
        #expect(!html.unicodeScalars.contains("\u{0}"))
        #expect(html.contains("<strong>Kab\u{FFFD}upaten &quot;\u{338}&lt;b&gt;</strong>"), "\(html.prefix(3000))")
        #expect(!html.contains("<b>"))
        let plain = try ReportRenderer.render(input)
        #expect(plain.contains("<strong>\(input.regencyName)</strong>"))
    }

    /// Villages without a target of the year are said at the top of the page, in Indonesian,
    /// escaped, with the targets file's name; the whole year missing, no targets file, and
    /// estimation off each have their own sentence; none: no notice.
    @Test func villagesWithoutTargetsAreSaidAtTheTop() throws {
        #expect(try !ReportRenderer.render(input).contains("class=\"notice\""))
        var some = input
        some.estimatedTargets = EstimatedTargets(villages: ["Suka<maju>", "B", "C", "D", "E", "F", "G"], yearMissing: false,
                                                 noFile: false, estimated: true, file: "sasaran.xlsx")
        let year = input.year
        #expect(try ReportRenderer.render(some).contains("<p class=\"notice\" role=\"note\">Perhatian: sasaran.xlsx tidak memuat sasaran tahun \(year) untuk sebagian atau semua kelompok sasaran di 7 desa/kelurahan (Suka&lt;maju&gt;, B, C, D, E dan 2 lainnya). Penyebut indikator berbasis kelompok sasaran tersebut di sana adalah perkiraan dari jumlah penduduk register, bukan sasaran resmi; penyebut puskesmas dan kabupaten/kota di atasnya menjumlahkannya.</p>"))
        some.estimatedTargets?.estimated = false
        #expect(try ReportRenderer.render(some).contains(" tersebut di sana tidak ada (perkiraan sasaran dimatikan), sehingga cakupannya kosong; begitu pula di puskesmas dan kabupaten/kota di atasnya.</p>"))
        var all = input
        all.estimatedTargets = EstimatedTargets(villages: ["Sukamaju"], yearMissing: true, noFile: false, estimated: true)
        #expect(try ReportRenderer.render(all).contains(">Perhatian: sasaran.csv belum memuat sasaran tahun \(year). Penyebut semua indikator berbasis kelompok sasaran adalah perkiraan dari jumlah penduduk register, bukan sasaran resmi; cakupan dan statusnya akan berubah setelah sasaran tahun \(year) dimasukkan.</p>"))
        var none = input
        none.estimatedTargets = EstimatedTargets(villages: ["Sukamaju"], yearMissing: false, noFile: true, estimated: true)
        #expect(try ReportRenderer.render(none).contains(">Perhatian: tidak ada berkas sasaran. Penyebut semua indikator berbasis kelompok sasaran adalah perkiraan dari jumlah penduduk register, bukan sasaran resmi.</p>"))
    }

    @Test func isSelfContained() throws {
        let html = try ReportRenderer.render(input)
        #expect(!html.contains("http://"))
        #expect(!html.contains("https://"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("@import"))
        #expect(!html.contains("src="))
        // The only url() references are the in-page hatch patterns.
        #expect(html.occurrences(of: "url(") == html.occurrences(of: "url(#"))
        #expect(html.contains("@page{size:A4 landscape"))
        #expect(html.contains("<meta name=\"viewport\""))
    }

    @Test func statusCellsMatchTheRowsInIndonesian() throws {
        let html = try ReportRenderer.render(input)
        // One status cell per desa and puskesmas-total row of the as-of month, for indicators with a target.
        let asOf = input.rows.filter {
            $0.month == 3 && ($0.level == .desa || $0.level == .puskesmas) && $0.indicator != "SKRINING_TB"
        }
        for (status, cls) in [("baik", "sb"), ("kurang", "sk"), ("cukup", "sc"), ("jelek", "sj")] {
            let expected = asOf.filter { $0.status == status }.count
            // The status cell is followed by the rank cell (§A6).
            #expect(html.occurrences(of: "<td class=\(cls)>\(status)<td>") == expected, "\(status)")
        }
        #expect(asOf.map(\.status).contains("baik") || asOf.map(\.status).contains("cukup"))
        for label in ["Sasaran", "Bulan lalu", "Bulan ini", "Kumulatif", "Target %", "Selisih", "Tren", "Status",
                      "Desa/Kelurahan", "Data ditolak", "peringatan", "Kelengkapan laporan", "Rincian per RW/RT",
                      "s.d. <strong>Maret 2025</strong>"] {
            #expect(html.contains(label), "\(label)")
        }
    }

    /// The bar labels of a chart, left to right.
    static func barNames(_ chart: Substring) -> [String] {
        chart.components(separatedBy: "<text class=\"n\" ").dropFirst().map { part in
            let afterTag = part[part.range(of: ">")!.upperBound...]
            return String(afterTag[..<afterTag.range(of: "</text>")!.lowerBound])
        }
    }

    @Test func pwsChartSortsVillagesDescendingWithTheTotalLast() throws {
        let html = try ReportRenderer.render(input)
        for (pkm, kec) in [("Cipanas", "320101"), ("Sindang &amp; Laut", "320102")] {
            let chart = try #require(html.slice(from: "aria-label=\"Grafik PWS K1 — Puskesmas \(pkm)", to: "</svg>"))
            let villages = input.rows.filter { $0.indicator == "K1" && $0.month == 3 && $0.level == .desa && $0.parentCode == kec }
            let expected = villages.sorted {
                ($0.coverageCumulativePct!.hundredths, $1.areaName) > ($1.coverageCumulativePct!.hundredths, $0.areaName)
            }.map { escape($0.areaName) } + ["Total \(pkm)"]
            #expect(villages.count == 2)
            #expect(Self.barNames(chart) == expected)
            // Cumulative target for March: 100 × 3 / 12 = 25 %.
            #expect(chart.contains("<line class=\"target\""))
            #expect(chart.contains(">Target 25,00 %</text>"))
        }
    }

    /// The trend chart's target line: a target group's cumulative coverage climbs to the annual
    /// target by December (annual × m / 12); a ratio's target (a rate, a prevalence among the
    /// measured, an area count: `proratesTarget` false, indicators.csv's flat target_pct) is the
    /// annual one every month — it was drawn climbing too (UCI_DESA 8.3 % in January against a
    /// target_pct of 100 %).
    @Test(arguments: [true, false])
    func trendTargetLineClimbsOnlyForATargetGroup(prorates: Bool) throws {
        var input = ReportFixture.small()
        input.indicators[0].proratesTarget = prorates
        let html = try ReportRenderer.render(input)
        let chart = try #require(html.slice(from: "aria-label=\"Tren cakupan kumulatif (%) K1", to: "</svg>"))
        let opening = "<polyline class=\"target\" points=\""
        let element = try #require(String(chart).slice(from: opening, to: "\"/>"))
        let ys = element.dropFirst(opening.count).dropLast(3).split(separator: " ").map { $0.split(separator: ",").last! }
        if prorates {
            #expect(ys.count == 12)
            #expect(Set(ys).count == 12)  // a step up each month
        } else {
            #expect(ys.count == 2)
            #expect(Set(ys).count == 1)   // flat
        }
    }

    /// Two villages shown with the same percentage are drawn in the order of their exact
    /// coverages — the rank column's (§6: exact values) — not by name: Sukamaju 21/940 =
    /// 2.2340 % before the weird name's 24/1076 = 2.2305 %, both 2,23 (by name the weird one,
    /// "<b>…", came first, against the ranks 1 and 2 in the table below the chart).
    @Test func barsOfOneShownPercentageFollowTheExactCoverage() throws {
        var input = ReportFixture.small()
        for i in input.rows.indices where input.rows[i].indicator == "K1" && input.rows[i].month == 3 && input.rows[i].level == .desa {
            switch input.rows[i].areaCode {
            case "3201010001": (input.rows[i].numeratorCumulative, input.rows[i].denominator) = (21, ExactDecimal(940))
            case "3201010002": (input.rows[i].numeratorCumulative, input.rows[i].denominator) = (24, ExactDecimal(1076))
            default: continue
            }
            input.rows[i].coverageCumulativePct = Percent(hundredths: 223)
        }
        let html = try ReportRenderer.render(input)
        let chart = try #require(html.slice(from: "aria-label=\"Grafik PWS K1 — Puskesmas Cipanas", to: "</svg>"))
        #expect(Self.barNames(chart) == ["Sukamaju", escape(ReportFixture.weirdName), "Total Cipanas"])
    }

    /// A cell without a status (no sasaran, a month that cannot be computed, a count) is grey in
    /// the tables as the legend's swatch says — only the chart's bars were (`rect.sn`).
    @Test func cellsWithoutAStatusAreGrey() throws {
        let html = try ReportRenderer.render(ReportFixture.small())
        #expect(html.contains("td.sn{background:var(--none);color:#000}"))
        #expect(html.contains("--none:#bdbdbd") && html.contains("rect.sn{fill:var(--none)}"))
        #expect(html.contains("<td class=sn"))
    }

    @Test func barsWithoutAValueGoLast() throws {
        var input = ReportFixture.small()
        // Sukamaju loses its sasaran in March: no coverage, no status.
        for i in input.rows.indices where input.rows[i].areaCode == "3201010001" && input.rows[i].indicator == "K1" {
            input.rows[i].denominator = nil
            input.rows[i].coverageCumulativePct = nil
            input.rows[i].coverageMonthPct = nil
            input.rows[i].status = ""
        }
        let html = try ReportRenderer.render(input)
        let chart = try #require(html.slice(from: "aria-label=\"Grafik PWS K1 — Puskesmas Cipanas", to: "</svg>"))
        #expect(Self.barNames(chart) == [escape(ReportFixture.weirdName), "Sukamaju", "Total Cipanas"])
        #expect(chart.contains("<rect class=\"sn\""))
    }

    func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    @Test func countOnlyIsDrawnAsCountsWithoutTarget() throws {
        let html = try ReportRenderer.render(input)
        let chart = try #require(html.slice(from: "aria-label=\"Grafik PWS SKRINING_TB — Puskesmas Cipanas", to: "</svg>"))
        #expect(!chart.contains("class=\"target\""))
        #expect(chart.contains("<rect class=\"cnt\""))
        #expect(!chart.contains("class=\"sb\"") && !chart.contains("class=\"sn\""))
        #expect(chart.contains("jumlah kumulatif"))
    }

    @Test func monthlyIndicatorUsesMonthlyCoverageAndTheAnnualTarget() throws {
        let html = try ReportRenderer.render(input)
        let chart = try #require(html.slice(from: "aria-label=\"Grafik PWS D_S — Puskesmas Cipanas", to: "</svg>"))
        #expect(chart.contains("cakupan bulan ini (%)"))
        #expect(chart.contains(">Target 80,00 %</text>"))
        let section = try #require(html.slice(from: "<section class=\"indicator\" id=\"ind-D_S\">", to: "</section>"))
        #expect(!section.contains(">Kumulatif<"))
    }

    @Test func drillDownListsEveryVillageWithItsRWsAndRTs() throws {
        let html = try ReportRenderer.render(input)
        #expect(html.occurrences(of: "<details class=\"drill\"") == 4)
        let sukamaju = try #require(html.slice(from: "id=\"rinci-3201010001\"", to: "</details>"))
        #expect(sukamaju.contains("(2 RW, 4 RT)"))
        #expect(sukamaju.occurrences(of: "<tr class=\"rw\">") == 2)
        #expect(sukamaju.occurrences(of: "<tr><th>RT ") == 4)
        // Status table village names link to their drill-down.
        #expect(html.contains("<a href=\"#rinci-3201010001\">Sukamaju</a>"))
        // RTs follow their RW: RW 001, RT 001, RT 002, RW 002, RT 001, RT 002.
        let headers = sukamaju.components(separatedBy: "<th>").dropFirst().map { $0.prefix(6) }
        #expect(headers.map(String.init) == ["Desa S", "RW 001", "RT 001", "RT 002", "RW 002", "RT 001", "RT 002"])
    }

    @Test(arguments: [(ReportDrillDown.rw, 4, 0), (.off, 0, 0)])
    func drillDownDepthCanBeReduced(depth: ReportDrillDown, villages: Int, rts: Int) throws {
        var input = ReportFixture.small()
        input.drillDown = depth
        let html = try ReportRenderer.render(input)
        #expect(html.occurrences(of: "<details class=\"drill\"") == villages)
        #expect(html.occurrences(of: "<tr><th>RT ") == rts)
        #expect(html.contains("id=\"rincian\"") == (villages > 0))
        #expect(!html.contains("#rinci-") || villages > 0)
    }

    @Test func dataQualityShowsTheAccountingIdentityRulesAndCompleteness() throws {
        let html = try ReportRenderer.render(input)
        #expect(html.contains("dibaca 1.000 = ditolak 20 + diterima 980 ✓ sesuai"))
        #expect(html.contains("diterima 980 = dipakai 950 + ganda 10 + di luar periode 20 ✓ sesuai"))
        // Each rule with what to do about it (the table said only what it means).
        #expect(html.contains("<th>E-DATE<td class=t>tanggal tidak valid<td class=t>ditolak<td>2<td class=t>tulis tanggal sebagai DD/MM/YYYY atau YYYY-MM-DD</tr>"))
        #expect(html.contains("<th>W-AREA<td class=t>RW/RT tidak ada di daftar wilayah<td class=t>peringatan<td>1<td class=t>tambahkan RW/RT ke wilayah.csv bila memang ada, atau perbaiki RW/RT-nya</tr>"))
        #expect(html.contains("<th scope=\"col\">Jumlah</th><th scope=\"col\">Yang perlu dilakukan</th>"))
        // Sources: the one with most rejects first.
        let sources = try #require(html.slice(from: "<table class=\"sources\">", to: "</table>"))
        let mawar = try #require(sources.range(of: "posyandu-mawar-2025-02.csv"))
        let cibodas = try #require(sources.range(of: "pustu-cibodas-2025-03.csv"))
        #expect(mawar.lowerBound < cibodas.lowerBound)
        #expect(sources.contains("E-DATE 2 · W-AREA 1"))
        // Heat map: PSY-MAWAR skipped February; PUSTU-CBD reported only in March.
        let heat = try #require(html.slice(from: "<table class=\"heatmap\">", to: "</table>"))
        let mawarRow = try #require(heat.slice(from: "PSY-MAWAR", to: "</tr>"))
        #expect(mawarRow.occurrences(of: "class=h0 title=\"tidak ada catatan yang dipakai\">✗") == 1)
        #expect(mawarRow.contains(">2/3<"))
        #expect(heat.contains("Kelengkapan (% fasilitas lapor)"))
    }

    @Test func unbalancedAccountingIsFlagged() throws {
        var bad = input
        bad.accounting.rowsUsed = 949
        let html = try ReportRenderer.render(bad)
        #expect(html.contains("✗ TIDAK sesuai"))
    }

    @Test func isDeterministicAndSmall() throws {
        let a = try ReportRenderer.render(input)
        let b = try ReportRenderer.render(input)
        #expect(a == b)
        #expect(a.utf8.count < 150_000, "\(a.utf8.count) bytes")
        #expect(a.hasPrefix("<!DOCTYPE html>\n<html lang=\"id\">"))
        #expect(a.hasSuffix("</html>\n"))
    }
}

/// Numbers checked by hand in the cells of a one-village district, as-of March 2025.
@Suite struct ReportHandCheckedTests {
    /// Sukamaju (the only village of Puskesmas Cipanas), with one RW and one RT holding all of it.
    /// K1: sasaran 1 250; 100 reached in February, 125 in March, 714 from January to March.
    /// D_S: sasaran 40; 20 weighed in February, 14 in March.
    /// `months`: the as-of month (rows of January to it); `decemberK1`: K1's count of December of
    /// the year before, carried by January's rows.
    static func input(months: Int = 3, decemberK1: Int = 0) -> ReportInput {
        let k1 = ReportFixture.k1, ds = ReportFixture.ds
        let areas: [(AreaLevel, String, String, String)] = [
            (.kabkota, "3201", "Kabupaten Contoh", ""), (.puskesmas, "P0001", "Cipanas", "3201"),
            (.desa, "3201010001", "Sukamaju", "320101"), (.rw, "3201010001-001", "RW 001", "3201010001"),
            (.rt, "3201010001-001-001", "RT 001", "3201010001-001"),
        ]
        var rows: [IndicatorRow] = []
        for (level, code, name, parent) in areas {
            for month in 1...months {
                // K1 by month: 489, 100, 125 (cumulative 489, 589, 714); D_S: 25, 20, 14.
                let k1Month = [489, 100, 125][month - 1], dsMonth = [25, 20, 14][month - 1]
                rows.append(ReportFixture.row(k1, year: 2025, month: month, level: level, code: code, name: name,
                                              parent: parent, numMonth: k1Month,
                                              numPrev: month == 1 ? decemberK1 : [489, 100, 125][month - 2],
                                              numCum: [489, 589, 714][month - 1], den: 1_250))
                rows.append(ReportFixture.row(ds, year: 2025, month: month, level: level, code: code, name: name,
                                              parent: parent, numMonth: dsMonth,
                                              numPrev: month == 1 ? 0 : [25, 20, 14][month - 2], numCum: 0, den: 40))
            }
        }
        return ReportInput(regencyName: "Kabupaten Contoh", asOf: YearMonth(year: 2025, month: months), indicators: [k1, ds],
                           rows: rows, villagePuskesmas: ["3201010001": "P0001"], puskesmasNames: ["P0001": "Cipanas"],
                           accounting: ReportAccounting(rowsRead: 1_250_000, rowsRejected: 2_500, rowsAccepted: 1_247_500,
                                                        rowsUsed: 1_247_000, rowsDuplicate: 300, rowsOutOfPeriod: 200))
    }

    @Test func statusTableRowsHaveTheHandComputedValues() throws {
        let html = try ReportRenderer.render(Self.input())
        // K1, March: sasaran 1.250; February 100 = 100/1250 = 8,00 %; March 125 = 10,00 %;
        // cumulative 714/1250 = 57,12 %; target 100 × 3/12 = 25,00; gap 57,12 − 25 = +32,12;
        // 125 > 100: naik; at or above target and naik: baik. The only village ranks 1.
        #expect(html.contains("<tr><th><a href=\"#rinci-3201010001\">Sukamaju</a><td>1.250<td>100<td>8,00<td>125<td>10,00"
                              + "<td>714<td class=sb>57,12<td>25,00<td>+32,12<td>▲ naik<td class=sb>baik<td>1</tr>"))
        // D_S, March: 14/40 = 35,00 %; February 20/40 = 50,00 %; target 80 every month;
        // gap 35 − 80 = −45,00; 14 < 20: turun; below target and turun: jelek.
        #expect(html.contains("<tr><th><a href=\"#rinci-3201010001\">Sukamaju</a><td>40<td>20<td>50,00<td>14"
                              + "<td class=sj>35,00<td>80,00<td>-45,00<td>▼ turun<td class=sj>jelek<td>1</tr>"))
        // The puskesmas total has the same numbers (one village) and no rank.
        #expect(html.contains("<tr class=\"total\"><th>Total Puskesmas Cipanas<td>1.250<td>100<td>8,00<td>125<td>10,00"
                              + "<td>714<td class=sb>57,12<td>25,00<td>+32,12<td>▲ naik<td class=sb>baik<td></tr>"))
    }

    /// A bar's label rounds the exact coverage once to one decimal: 999 of sasaran 2 000,2 is
    /// 49,945005… % — 49,95 in the table, 49,9 on the bar (rounding 49,95 again gave 50,0).
    @Test func barLabelsRoundTheExactCoverageOnce() throws {
        var input = Self.input()
        var rows = input.rows
        for i in rows.indices where rows[i].indicator == "K1" && rows[i].month == 3 {
            rows[i].numeratorCumulative = 999
            rows[i].denominator = ExactDecimal(units: 20_002, scale: 1)
            rows[i].coverageCumulativePct = Percent(hundredths: 4995)
        }
        input.rows = rows
        let html = try ReportRenderer.render(input)
        let chart = try #require(html.slice(from: "aria-label=\"Grafik PWS K1 — Puskesmas Cipanas", to: "</svg>"))
        #expect(chart.contains(">49,9</text>"))
        #expect(!chart.contains(">50,0</text>"))
        #expect(html.contains("<td class=sb>49,95<td>") || html.contains(">49,95<"))
    }

    /// The indicator's description is in Indonesian: a `{records: …}` denominator was shown as
    /// the code `measured`, and UCI_DESA, which counts villages, said "Dihitung per orang". A
    /// denominator that is no target group is a *penyebut*, not a *sasaran* (the projected target
    /// population, to a district reader; a language review).
    @Test func measuredDenominatorsAndAreaCountsAreDescribedInIndonesian() throws {
        var input = Self.input()
        input.indicators[0].denominator = "measured"
        input.indicators[1].denominator = "villages"
        let html = try ReportRenderer.render(input)
        #expect(!html.contains("<dd>measured</dd>"))
        #expect(html.contains("<dt>Penyebut</dt><dd>yang diperiksa/diukur pada periode itu (bukan sasaran proyeksi)</dd>"))
        #expect(html.contains("<dt>Penyebut</dt><dd>desa/kelurahan terdaftar</dd></div><div><dt>Dihitung per</dt><dd>desa/kelurahan</dd>"))
        input.indicators[0].denominator = "indicator:D_S"
        input.indicators[1].denominator = "bumil"
        let named = try ReportRenderer.render(input)
        #expect(named.contains("<dt>Penyebut</dt><dd>pembilang indikator D_S (bukan sasaran proyeksi)</dd>"))
        #expect(named.contains("<dt>Sasaran</dt><dd>ibu hamil (bumil)</dd>"))
        input.indicators[0].denominator = ""
        #expect(try ReportRenderer.render(input).contains("<dt>Sasaran</dt><dd>tanpa sasaran (jumlah saja)</dd>"))
    }

    /// In January, *Bulan lalu n* is December's count of the year before, which the run has (the
    /// rows carry it, as pws/<ID>.csv's last_month_n and pws.xlsx do); it was "–".
    @Test func januaryShowsDecembersCount() throws {
        let html = try ReportRenderer.render(Self.input(months: 1, decemberK1: 37))
        // K1, January: sasaran 1.250, December 37 = 2,96 %, January 489 = 39,12 %.
        #expect(html.contains("<tr><th><a href=\"#rinci-3201010001\">Sukamaju</a><td>1.250<td>37<td>2,96<td>489<td>39,12"))
        #expect(html.contains("<tr class=\"total\"><th>Total Puskesmas Cipanas<td>1.250<td>37<td>"))
        #expect(html.contains("Bulan lalu (Des 2024)"))  // the year before's December, with its year
    }

    @Test func summaryDrillDownAndChartsHaveTheHandComputedValues() throws {
        let html = try ReportRenderer.render(Self.input())
        #expect(html.contains("<td class=sb title=\"K1: baik\"><a href=\"#ind-K1-P0001\">57,12 B</a>"))
        #expect(html.contains("<td class=sj title=\"D_S: jelek\"><a href=\"#ind-D_S-P0001\">35,00 J</a>"))
        // Drill-down: numerator/sasaran with the status letter, for the village, its RW and RT.
        let drill = try #require(html.slice(from: "id=\"rinci-3201010001\"", to: "</details>"))
        #expect(drill.contains("<tr class=\"total\"><th>Desa Sukamaju<td class=sb>714/1.250 B<td class=sj>14/40 J</tr>"))
        #expect(drill.contains("<tr class=\"rw\"><th>RW 001<td class=sb>714/1.250 B<td class=sj>14/40 J</tr>"))
        #expect(drill.contains("<tr><th>RT 001<td class=sb>714/1.250 B<td class=sj>14/40 J</tr>"))
        // Bars: one decimal (57,12 → 57,1); the trend line: January 489/1250 = 39,12 → 39,1.
        let chart = try #require(html.slice(from: "aria-label=\"Grafik PWS K1 — Puskesmas Cipanas", to: "</svg>"))
        #expect(chart.occurrences(of: ">57,1</text>") == 2)
        #expect(html.contains("<title>Januari: 39,1</title>"))
        // Accounting with thousands dots: 1.250.000 = 2.500 + 1.247.500.
        #expect(html.contains("dibaca 1.250.000 = ditolak 2.500 + diterima 1.247.500 ✓ sesuai"))
        // Two decimals, as the console and the workbook: 2.500 of 1.250.000 = 0,20 %.
        #expect(html.contains("Persentase data ditolak: <strong>0,20 %</strong>"))
    }
}

/// The summary matrix's tables: the fewest of at most 20 indicator columns, as equal as
/// possible (49 was split 17 + 17 + 15, which report.md called as equal as possible).
@Suite struct SummarySplitTests {
    @Test func tablesAreAsEqualAsPossible() {
        #expect(ReportBuilder.summarySizes(49) == [17, 16, 16])
        #expect(ReportBuilder.summarySizes(46) == [16, 15, 15])
        #expect(ReportBuilder.summarySizes(20) == [20])
        #expect(ReportBuilder.summarySizes(21) == [11, 10])
        #expect(ReportBuilder.summarySizes(19) == [19])
        #expect(ReportBuilder.summarySizes(0) == [0])
        for n in 1...200 {
            let sizes = ReportBuilder.summarySizes(n)
            #expect(sizes.reduce(0, +) == n)
            #expect(sizes.allSatisfy { $0 <= ReportBuilder.summaryColumns })
            #expect(sizes.max()! - sizes.min()! <= 1)
            #expect(sizes.count == (n + 19) / 20)
        }
    }
}

/// The kabupaten/kota is titled by its register name, with "Kabupaten/Kota" before it only
/// when the name does not say which it is ("Kabupaten/Kota Kabupaten Karangmukti" before).
@Suite struct RegencyTitleTests {
    @Test(arguments: [("Kabupaten Karangmukti", "Kabupaten Karangmukti"), ("KOTA BANDUNG", "KOTA BANDUNG"),
                      ("Kab. Garut", "Kab. Garut"), ("Karangmukti", "Kabupaten/Kota Karangmukti"),
                      ("Kotabaru", "Kabupaten/Kota Kotabaru")])
    func regencyIsNamedOnce(name: String, title: String) {
        #expect(ReportText.regency(name) == title)
    }
}

/// Every target group an indicator may be counted over has an Indonesian label in the report
/// (audit P: the SPM groups showed their ids, `penderita_dm`).
@Suite struct DenominatorLabelTests {
    @Test func everyTargetGroupHasALabel() {
        // `remaja` and `penduduk` are their own Indonesian words.
        for group in TargetGroup.all where !["remaja", "penduduk"].contains(group) {
            #expect(ReportText.denominator(group) != group, "\(group)")
        }
        #expect(ReportText.denominator("penderita_dm") == "penderita diabetes melitus (15+ tahun)")
        #expect(ReportText.denominator("balita") == "balita (0–59 bulan)")
    }
}
