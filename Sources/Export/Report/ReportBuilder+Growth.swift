import Aggregate
import PWSCore

// The growth section of the report (amendments §A4, "Pertumbuhan balita"): what a nutrition
// officer (petugas gizi) reads before the posyandu follow-up.
//
// - Prevalence per desa in the as-of month: the growth indicators are monthly (each month has
//   its own denominator: the children weighed or measured that month, §A4) and their status is
//   computed on the month's value, so the as-of month is the figure that has a status; a
//   year-to-date prevalence is not defined by §A4 (`numerator_cumulative` is empty). How the
//   months compare is the trend part.
// - The values and statuses are those of the indicator rows (Aggregate computes the mirrored
//   lower-is-better status); nothing is recomputed here.
// - The follow-up counts are counted from the run's `tindak-lanjut.csv` rows themselves.

extension ReportBuilder {
    /// The growth indicators of §A4, in the amendment's order: one of these keeps its line style
    /// (colour, dash) by its place here, whatever the catalogue's order.
    static let growthIDs = ["T", "2T", "BGM", "UNDERWEIGHT", "STUNTING", "WASTING", "GIZI_BURUK", "OVERWEIGHT"]

    /// The rule kinds of the growth indicators (§A4): an indicator of one of them is shown in the
    /// section whatever its id (a district's own, or a renamed one).
    static let growthRules: Set<String> = ["growth_change", "growth_zscore"]

    /// The catalogue's growth indicators, in catalogue order, with their line style: by place in
    /// `growthIDs`, else the styles after those, in catalogue order.
    func growthIndicators() -> [(info: IndicatorInfo, style: Int)] {
        var others = Self.growthIDs.count
        return input.indicators.compactMap { info in
            if let k = Self.growthIDs.firstIndex(of: info.id), info.rule.isEmpty || Self.growthRules.contains(info.rule) {
                return (info, k)
            }
            guard Self.growthRules.contains(info.rule) else { return nil }
            others += 1
            return (info, others - 1)
        }
    }

    /// The section, and how many charts it draws; nil when the catalogue has no growth indicator.
    func growthSection(period: String) -> (section: GrowthSection, charts: Int)? {
        let growth = growthIndicators()
        if growth.isEmpty { return nil }
        var trends = HTMLWriter(capacity: 1 << 15)
        var charts = 0
        if let kab = kabkotaCode {
            growthTrend(growth, .kabkota, kab, title: ReportText.regency(areaNames[kab] ?? kab), into: &trends)
            charts += 1
        }
        for p in puskesmasCodes where p != Self.noPuskesmas && knownArea(p, .puskesmas) != nil {
            growthTrend(growth, .puskesmas, p, title: puskesmasTitle(p), into: &trends)
            charts += 1
        }
        let (followUp, note) = followUpTable()
        let section = GrowthSection(
            growthList: growth.map(\.info.id).joined(separator: ", "),
            growthTable: growthTable(growth, period: period), growthKey: growthKey(growth),
            growthTrends: trends.html, followUpTable: Self.tableHTML(followUp),
            hasFollowUp: !input.followUp.isEmpty, followUpNote: note)
        return (section, charts)
    }

    // MARK: - Prevalence per desa

    /// Kabupaten, then each puskesmas followed by its villages; one column per growth indicator:
    /// the as-of month's value with its status letter and colour (the row's status), and
    /// numerator/denominator under it.
    private func growthTable(_ growth: [(info: IndicatorInfo, style: Int)], period: String) -> HTML {
        var head = [Head(ht: "Wilayah")]
        for g in growth {
            head.append(Head(ht: g.info.id.replacingOccurrences(of: "_", with: "_\u{200B}"), htip: g.info.name))
        }
        let infos = growth.map { (position($0.info), measure($0.info)) }
        let table = Table(tcls: "growth", caption: "Prevalensi (%) bulan \(period); di bawahnya: jumlah balita/penyebut",
                          head: [HeadRow(hcells: head)], rows: [])
        let villageCount = villageNames.count
        return Self.fragment(capacity: 1024 + (villageCount + puskesmasCodes.count + 1) * (64 + 48 * growth.count)) { w in
            w.tableOpen(table)
            func line(_ rc: StaticString?, _ name: String, _ level: AreaLevel, _ code: String, href: String? = nil) {
                let area = knownArea(code, level)
                w.rowOpen(rc, th: Cell(t: .text(name), href: href))
                for (ind, ms) in infos {
                    // One row computed per cell, as in the drill-down.
                    guard let i = rowIndex(ind, level, area, m) else {
                        w.td(Cell(t: .literal("–"), c: "sn"))
                        continue
                    }
                    let r = input.rows[i]
                    let status = r.status
                    let value: CellValue = switch ms {
                    case .count: .count(r.numeratorCumulative ?? r.numeratorMonth)
                    case .monthlyCoverage:
                        .prevalence(r.coverageMonthPct, letter: ReportText.statusLetter(status),
                                    numerator: r.numeratorMonth, denominator: r.denominator)
                    case .cumulativeCoverage:
                        .prevalence(r.coverageCumulativePct, letter: ReportText.statusLetter(status),
                                    numerator: r.numeratorCumulative, denominator: r.denominator)
                    }
                    w.td(Cell(t: value, c: ms == .count ? nil : ReportText.statusClass(status)))
                }
                w.rowClose()
            }
            if let kab = kabkotaCode {
                line("total", ReportText.regency(areaNames[kab] ?? kab), .kabkota, kab)
            }
            for p in puskesmasCodes {
                let vs = villages(of: p)
                if vs.isEmpty && knownArea(p, .puskesmas) == nil { continue }
                line("pk", puskesmasTitle(p), .puskesmas, p)
                for v in vs {
                    line(nil, villageNames[v] ?? v, .desa, v,
                         href: input.drillDown == .off ? nil : drillAnchors[v].map { "#" + $0 })
                }
            }
            w.tableClose()
        }
    }

    // MARK: - Trend

    /// The key of the trend charts' line styles.
    private func growthKey(_ growth: [(info: IndicatorInfo, style: Int)]) -> HTML {
        Self.fragment(capacity: 512) { w in
            w.raw("<p class=\"growth-key\">")
            for (k, g) in growth.enumerated() {
                if k > 0 { w.raw(" ") }
                w.raw("<span class=\"key ")
                w.raw(ReportCharts.lineStyles[g.style % ReportCharts.lineStyles.count])
                w.raw("\"><svg width=\"28\" height=\"10\" aria-hidden=\"true\"><line class=\"gl\" x1=\"0\" y1=\"5\" x2=\"28\" y2=\"5\"/></svg> ")
                w.text(g.info.id)
                w.raw("</span>")
            }
            w.raw("</p>")
        }
    }

    /// One area's trend: the chart (a line per growth indicator, months 1…M) and its table.
    private func growthTrend(_ growth: [(info: IndicatorInfo, style: Int)], _ level: AreaLevel, _ code: String,
                             title: String, into w: inout HTMLWriter) {
        let area = knownArea(code, level)
        var series: [(key: String, style: Int, values: [(month: Int, value: Double?, text: String)])] = []
        var head = [Head(ht: "Indikator")]
        for month in 1...max(m, 1) { head.append(Head(ht: ReportText.monthShortName(month))) }
        var body: [TRow] = []
        for g in growth {
            let ind = position(g.info), ms = measure(g.info)
            var values: [(month: Int, value: Double?, text: String)] = []
            var cells: [Cell] = []
            for month in 1...max(m, 1) {
                guard let r = row(ind, level, area, month) else {
                    cells.append(Cell(t: .literal("–")))
                    continue
                }
                let v = mainValue(r, ms)
                values.append((month, v, mainLabel(r, ms)))
                cells.append(Cell(t: mainCell(r, ms), letter: ReportText.statusLetter(r.status),
                                  c: ms == .count ? nil : ReportText.statusClass(r.status)))
            }
            series.append((g.info.id, g.style, values))
            body.append(TRow(rc: nil, th: Cell(t: .text(g.info.id)), cells: cells))
        }
        let label = "Tren prevalensi pertumbuhan balita (% per bulan), \(title), Januari–\(ReportText.monthName(m)) \(input.asOf.year)"
        let chart = ReportCharts.multiLineChart(label: label, series: series)
        w.growthTrendBlock(anchor: Self.anchor("tumbuh", code), title: title, chart: chart,
                           indicators: growth.map(\.info.id).joined(separator: " "),
                           table: Table(tcls: "trend", caption: nil, head: [HeadRow(hcells: head)], rows: body))
    }

    // MARK: - Follow-up list per posyandu

    /// The follow-up list's reason codes (§A4), in the list's order, with their column titles.
    static func followUpColumns(_ limits: FollowUpThresholds) -> [(code: String, title: String, tip: String)] {
        // −3, not -3: the minus sign, as the tips are read.
        func sd(_ z: Int) -> String { (z < 0 ? "−" : "") + String(abs(z)) + " SD" }
        return FollowUpReasons.codes.map { _, code in
            switch code {
            case "BGM": (code, "BGM", "berat badan menurut umur di bawah \(sd(limits.bgm)) (bawah garis merah)")
            case "2T": (code, "2T", "berat badan tidak naik 2 bulan berturut-turut")
            case "STUNTING": (code, "Stunting", "panjang/tinggi badan menurut umur di bawah \(sd(limits.stunting))")
            case "WASTING": (code, "Wasting", "berat badan menurut panjang/tinggi badan di bawah \(sd(limits.wasting))")
            case "TIDAK_DITIMBANG_2_BULAN": (code, "Tidak ditimbang 2 bulan", "pernah ditimbang, tetapi tidak bulan ini dan bulan lalu")
            default: (code, code, code)
            }
        }
    }

    /// Per puskesmas (of the child's village), posyandu (the facility of the child's last
    /// weighing or measurement) and village: the children of `tindak-lanjut.csv` per reason and
    /// in all. A child with two reasons counts in both columns and once in the total.
    /// - Complexity: O(follow-up rows + groups × log groups).
    private func followUpTable() -> (Table, String) {
        struct Key: Hashable { var puskesmas: String; var facility: String; var village: String }
        let columns = Self.followUpColumns(input.followUpThresholds)
        var reasonColumn: [Substring: Int] = [:]
        for (k, c) in columns.enumerated() { reasonColumn[Substring(c.code)] = k }
        let width = columns.count + 1
        var counts: [Key: [Int]] = [:]
        for r in input.followUp {
            let key = Key(puskesmas: input.villagePuskesmas[r.villageCode] ?? Self.noPuskesmas, facility: r.facilityID,
                          village: r.villageCode)
            var c = counts[key] ?? Array(repeating: 0, count: width)
            for code in r.reasons.split(separator: " ") {
                if let k = reasonColumn[code] { c[k] += 1 }
            }
            c[columns.count] += 1
            counts[key] = c
        }
        // Puskesmas in the report's order (others, such as a village of no puskesmas, after
        // them by code); within one, posyandu then village by code, as tindak-lanjut.csv.
        let rank = Dictionary(uniqueKeysWithValues: puskesmasCodes.enumerated().map { ($1, $0) })
        let keys = counts.keys.sorted { a, b in
            if a.puskesmas != b.puskesmas {
                let x = rank[a.puskesmas] ?? Int.max, y = rank[b.puskesmas] ?? Int.max
                return x != y ? x < y : Self.byteOrder(a.puskesmas, b.puskesmas)
            }
            if a.facility != b.facility { return Self.byteOrder(a.facility, b.facility) }
            return Self.byteOrder(a.village, b.village)
        }
        func sum(_ ks: some Sequence<Key>) -> [Int] {
            ks.reduce(into: Array(repeating: 0, count: width)) { acc, k in
                for i in 0..<width { acc[i] += counts[k]![i] }
            }
        }
        func countCells(_ c: [Int]) -> [Cell] { c.map { Cell(t: .count($0)) } }
        var head = [Head(ht: "Posyandu/fasilitas"), Head(ht: "Desa/Kelurahan")]
        for c in columns { head.append(Head(ht: c.title, htip: c.tip)) }
        head.append(Head(ht: "Jumlah balita", htip: "balita dalam daftar; seorang balita dapat memiliki lebih dari satu alasan"))
        var body: [TRow] = []
        if !keys.isEmpty {
            let kabName = kabkotaCode.map { ReportText.regency(areaNames[$0] ?? $0) } ?? "Jumlah"
            body.append(TRow(rc: "total", th: Cell(t: .text(kabName)),
                             cells: [Cell(t: .literal(""), c: "t")] + countCells(sum(keys))))
        }
        var start = 0
        while start < keys.count {
            var end = start + 1
            while end < keys.count, keys[end].puskesmas == keys[start].puskesmas { end += 1 }
            let group = keys[start..<end]
            body.append(TRow(rc: "pk", th: Cell(t: .text(puskesmasTitle(keys[start].puskesmas))),
                             cells: [Cell(t: .literal(""), c: "t")] + countCells(sum(group))))
            for k in group {
                body.append(TRow(rc: nil, th: Cell(t: k.facility.isEmpty ? .literal("(tanpa fasilitas)") : .text(PersonID.maskEmbeddedIdentifiers(k.facility))),
                                 cells: [Cell(t: .text(villageNames[k.village] ?? k.village), c: "t")]
                                    + countCells(counts[k]!)))
            }
            start = end
        }
        let note = "\(ReportText.int(input.followUp.count)) balita di tindak-lanjut.csv, \(ReportText.monthName(m)) "
            + "\(input.asOf.year). Posyandu/fasilitas: tempat penimbangan atau pengukuran terakhir anak; desa: tempat "
            + "tinggal anak. Seorang balita dapat memiliki lebih dari satu alasan sehingga jumlah per alasan dapat "
            + "melebihi jumlah balita. ID anak (disamarkan; nama dan NIK lengkap hanya dengan --keep-identifiers), "
            + "umur, hasil penimbangan/pengukuran, dan z-skor tiap anak ada di tindak-lanjut.csv."
        return (Table(tcls: "growth", caption: nil, head: [HeadRow(hcells: head)], rows: body), note)
    }
}
