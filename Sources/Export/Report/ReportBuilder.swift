import PWSCore

/// Turns a `ReportInput` into the page's view model: picks rows, groups villages under their
/// puskesmas, sorts bars, formats every number once.
struct ReportBuilder {
    let input: ReportInput
    let m: Int
    private var rows: [RowKey: IndicatorRow] = [:]
    /// Villages seen in the as-of month: code → name.
    private var villageNames: [String: String] = [:]
    /// Village code → its RW codes (as-of month), and RW code → its RT codes.
    private var rwsOf: [String: Set<String>] = [:]
    private var rtsOf: [String: Set<String>] = [:]
    private var areaNames: [String: String] = [:]
    private var puskesmasCodes: [String] = []
    private var kabkotaCode: String?

    private struct RowKey: Hashable {
        var indicator: String
        var level: AreaLevel
        var area: String
        var month: Int
    }

    /// Puskesmas code used for villages that the map does not place.
    static let noPuskesmas = "~"

    init(_ input: ReportInput) {
        self.input = input
        self.m = input.asOf.month
        var pkm = Set(input.villagePuskesmas.values)
        var kab: [String] = []
        for r in input.rows where r.year == input.year && r.month <= m {
            switch r.level {
            case .kabkota, .kecamatan, .puskesmas:
                if r.level == .puskesmas { pkm.insert(r.areaCode) }
                if r.level == .kabkota, r.month == m { kab.append(r.areaCode) }
            case .desa:
                guard r.month >= m - 1 else { continue }
                if r.month == m { villageNames[r.areaCode] = r.areaName }
            case .rw:
                guard r.month == m else { continue }
                rwsOf[r.parentCode, default: []].insert(r.areaCode)
            case .rt:
                guard r.month == m else { continue }
                rtsOf[r.parentCode, default: []].insert(r.areaCode)
            }
            if r.month == m { areaNames[r.areaCode] = r.areaName }
            rows[RowKey(indicator: r.indicator, level: r.level, area: r.areaCode, month: r.month)] = r
        }
        if villageNames.keys.contains(where: { input.villagePuskesmas[$0] == nil }) {
            pkm.insert(Self.noPuskesmas)
        }
        puskesmasCodes = pkm.sorted(by: Self.byteOrder)
        kabkotaCode = kab.min(by: Self.byteOrder)
    }

    static func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    private func row(_ ind: String, _ level: AreaLevel, _ area: String, _ month: Int) -> IndicatorRow? {
        rows[RowKey(indicator: ind, level: level, area: area, month: month)]
    }

    /// "Puskesmas Cipanas" for a register name "Cipanas", and also for "Puskesmas Cipanas" or
    /// "PKM Cipanas" (no doubled prefix).
    private func puskesmasTitle(_ code: String) -> String {
        let name = puskesmasName(code)
        let lower = name.lowercased()
        return lower.hasPrefix("puskesmas") || lower.hasPrefix("pkm ") || code == Self.noPuskesmas ? name : "Puskesmas " + name
    }

    private func puskesmasName(_ code: String) -> String {
        if code == Self.noPuskesmas { return "(tanpa puskesmas)" }
        if let n = input.puskesmasNames[code], !n.isEmpty { return n }
        return areaNames[code] ?? code
    }

    private func villages(of pkm: String) -> [String] {
        villageNames.keys.filter { (input.villagePuskesmas[$0] ?? Self.noPuskesmas) == pkm }
            .sorted { (villageNames[$0]!, $0) < (villageNames[$1]!, $1) }
    }

    static func anchor(_ parts: String...) -> String {
        String(parts.joined(separator: "-").map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-") ? c : "_"
        })
    }

    // MARK: - What an indicator measures

    private enum Measure {
        case cumulativeCoverage, monthlyCoverage, count
    }

    private func measure(_ info: IndicatorInfo) -> Measure {
        if info.isCountOnly { return .count }
        return info.scope == "monthly" ? .monthlyCoverage : .cumulativeCoverage
    }

    /// The number the chart draws and the summary shows, for drawing only.
    private func mainValue(_ r: IndicatorRow, _ ms: Measure) -> Double? {
        switch ms {
        case .cumulativeCoverage: r.coverageCumulativePct?.value
        case .monthlyCoverage: r.coverageMonthPct?.value
        case .count: Double(r.numeratorCumulative ?? r.numeratorMonth)
        }
    }

    private func mainText(_ r: IndicatorRow, _ ms: Measure) -> String {
        switch ms {
        case .cumulativeCoverage: ReportText.pct(r.coverageCumulativePct)
        case .monthlyCoverage: ReportText.pct(r.coverageMonthPct)
        case .count: ReportText.int(r.numeratorCumulative ?? r.numeratorMonth)
        }
    }

    /// `12/35` (numerator over sasaran) under a coverage value.
    private func fraction(_ r: IndicatorRow, _ ms: Measure) -> String? {
        switch ms {
        case .count: nil
        case .cumulativeCoverage: "\(ReportText.int(r.numeratorCumulative))/\(ReportText.int(r.denominator))"
        case .monthlyCoverage: "\(ReportText.int(r.numeratorMonth))/\(ReportText.int(r.denominator))"
        }
    }

    // MARK: - Page

    func build() -> PageModel {
        let period = "\(ReportText.monthName(m)) \(input.asOf.year)"
        var sections: [IndicatorSection] = []
        var charts = 0
        for info in input.indicators {
            let s = section(info, period: period)
            charts += 1 + s.groups.count
            sections.append(s)
        }
        var districts = input.districtNames
        if districts.isEmpty {
            districts = Set(rows.values.filter { $0.level == .kecamatan && $0.month == m }.map(\.areaName)).sorted()
        }
        let regency = input.regencyName.isEmpty ? (kabkotaCode.flatMap { areaNames[$0] } ?? "") : input.regencyName
        let drill = drillDown()
        return PageModel(
            title: "Laporan PWS \(regency) — s.d. \(period)",
            regency: regency,
            districts: districts.isEmpty ? nil : districts.joined(separator: ", "),
            period: period, version: input.toolVersion, chartCount: charts,
            indicatorIDs: input.indicators.map(\.id).joined(separator: " "),
            toc: input.indicators.map { TocItem(tocAnchor: Self.anchor("ind", $0.id), tocID: $0.id, tocName: $0.name) },
            summary: summary(), sections: sections, drill: drill, hasDrill: !drill.isEmpty,
            quality: quality())
    }

    // MARK: - Summary matrix

    private func summary() -> Table {
        var head = [Head(ht: "Wilayah")]
        for info in input.indicators {
            head.append(Head(ht: info.id, htip: info.name))
        }
        var body: [TRow] = []
        func cells(level: AreaLevel, area: String, pkm: String?) -> [Cell] {
            input.indicators.map { info in
                let ms = measure(info)
                guard let r = row(info.id, level, area, m) else { return Cell(t: "–", c: "sn") }
                let letter = ReportText.statusLetter(r.status)
                let href = pkm.map { "#" + Self.anchor("ind", info.id, $0) } ?? "#" + Self.anchor("ind", info.id)
                return Cell(t: mainText(r, ms) + (letter.isEmpty ? "" : " " + letter),
                            c: ms == .count ? "sn" : ReportText.statusClass(r.status),
                            href: href, tip: "\(info.id): \(ReportText.status(r.status))")
            }
        }
        if let kab = kabkotaCode {
            body.append(TRow(rc: "total", th: Cell(t: "Kabupaten/Kota \(areaNames[kab] ?? kab)"),
                             cells: cells(level: .kabkota, area: kab, pkm: nil)))
        }
        for p in puskesmasCodes where p != Self.noPuskesmas {
            body.append(TRow(rc: nil, th: Cell(t: puskesmasTitle(p)),
                             cells: cells(level: .puskesmas, area: p, pkm: p)))
        }
        return Table(tcls: "summary", caption: nil, head: [HeadRow(hcells: head)], rows: body)
    }

    // MARK: - Indicator section

    private func section(_ info: IndicatorInfo, period: String) -> IndicatorSection {
        let ms = measure(info)
        let measureText: String
        switch ms {
        case .cumulativeCoverage: measureText = "cakupan kumulatif (%) s.d. \(period)"
        case .monthlyCoverage: measureText = "cakupan bulan ini (%), \(period)"
        case .count: measureText = "jumlah kumulatif (orang) s.d. \(period)"
        }
        var groups: [PuskesmasBlock] = []
        for p in puskesmasCodes {
            let vs = villages(of: p)
            if vs.isEmpty, row(info.id, .puskesmas, p, m) == nil { continue }
            groups.append(block(info, ms, puskesmas: p, villages: vs, measureText: measureText))
        }
        let (chart, title, note) = trendChart(info, ms)
        return IndicatorSection(
            anchor: Self.anchor("ind", info.id), indID: info.id, indName: info.name,
            scopeText: ReportText.scope(info.scope), subjectText: ReportText.subject(info.subject),
            denominatorText: ReportText.denominator(info.denominator),
            targetText: info.targetAnnual.map { ReportText.pct($0) + " % per tahun" + (ms == .monthlyCoverage ? " (setiap bulan)" : "") } ?? "–",
            measureText: measureText, isCount: ms == .count, isMonthly: ms == .monthlyCoverage,
            trendChart: chart, trendTitle: title, trendNote: note, trendTable: trendTable(info, ms), groups: groups)
    }

    private func block(_ info: IndicatorInfo, _ ms: Measure, puskesmas p: String, villages vs: [String],
                       measureText: String) -> PuskesmasBlock {
        let name = puskesmasName(p)
        let title = puskesmasTitle(p)
        var values: [(ReportCharts.BarValue, String)] = []
        var tableRows: [TRow] = []
        for v in vs {
            guard let r = row(info.id, .desa, v, m) else { continue }
            let text = ms == .count ? mainText(r, ms) : (mainValue(r, ms).map(ReportCharts.oneDecimal) ?? "–")
            values.append((ReportCharts.BarValue(
                name: villageNames[v] ?? v, value: mainValue(r, ms), valueText: text, status: r.status,
                tooltip: "\(villageNames[v] ?? v): \(mainText(r, ms))\(ms == .count ? "" : " %")"
                    + (fraction(r, ms).map { " (\($0))" } ?? "")
                    + (r.status.isEmpty ? "" : ", status \(r.status)"),
                isTotal: false), v))
            tableRows.append(statusRow(info, ms, r, prev: row(info.id, .desa, v, m - 1),
                                       name: villageNames[v] ?? v,
                                       href: input.drillDown == .off ? nil : "#" + Self.anchor("rinci", v), isTotal: false))
        }
        // Descending; villages without a value go last; ties by name then code (deterministic).
        values.sort { a, b in
            switch (a.0.value, b.0.value) {
            case let (x?, y?) where x != y: return x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return (a.0.name, a.1) < (b.0.name, b.1)
            }
        }
        var bars = values.map(\.0)
        let totalRow = row(info.id, .puskesmas, p, m)
        if let t = totalRow {
            let text = ms == .count ? mainText(t, ms) : (mainValue(t, ms).map(ReportCharts.oneDecimal) ?? "–")
            bars.append(ReportCharts.BarValue(
                name: "Total \(name)", value: mainValue(t, ms), valueText: text, status: t.status,
                tooltip: "Total \(title): \(mainText(t, ms))\(ms == .count ? "" : " %")"
                    + (t.status.isEmpty ? "" : ", status \(t.status)"),
                isTotal: true))
            tableRows.append(statusRow(info, ms, t, prev: row(info.id, .puskesmas, p, m - 1),
                                       name: "Total \(title)", href: nil, isTotal: true))
        }
        // The rows carry the month's target; the catalogue's is the fallback for an empty puskesmas.
        let targetPct: Percent? = ms == .count ? nil
            : totalRow?.targetPct ?? vs.lazy.compactMap { self.row(info.id, .desa, $0, self.m)?.targetPct }.first
            ?? info.targetAnnual.map { ms == .monthlyCoverage ? $0 : Percent(hundredths: $0.hundredths * m / 12) }
        let label = "Grafik PWS \(info.id) — \(title): \(measureText)"
        let chart = ReportCharts.barChart(
            label: label, values: bars, target: targetPct?.value,
            targetText: targetPct.map { "Target \(ReportText.pct($0)) %" } ?? "", isCount: ms == .count)
        return PuskesmasBlock(ganchor: Self.anchor("ind", info.id, p), gname: title, chart: chart,
                              table: Table(tcls: "pws", caption: "Tabel PWS \(info.id) — \(title), \(ReportText.monthName(m)) \(input.asOf.year)",
                                           head: statusHead(ms), rows: tableRows))
    }

    private func statusHead(_ ms: Measure) -> [HeadRow] {
        let prev = "Bulan lalu (\(ReportText.monthShortName(m == 1 ? 12 : m - 1)))"
        let now = "Bulan ini (\(ReportText.monthShortName(m)))"
        switch ms {
        case .count:
            return [HeadRow(hcells: [Head(ht: "Desa/Kelurahan"), Head(ht: prev + " n"), Head(ht: now + " n"),
                                     Head(ht: "Kumulatif n"), Head(ht: "Tren")])]
        case .monthlyCoverage:
            return [
                HeadRow(hcells: [Head(ht: "Desa/Kelurahan", rowspan: 2), Head(ht: "Sasaran", rowspan: 2),
                                 Head(ht: prev, colspan: 2), Head(ht: now, colspan: 2),
                                 Head(ht: "Target %", rowspan: 2), Head(ht: "Selisih", rowspan: 2, htip: "cakupan bulan ini − target"),
                                 Head(ht: "Tren", rowspan: 2), Head(ht: "Status", rowspan: 2)]),
                HeadRow(hcells: [Head(ht: "n"), Head(ht: "%"), Head(ht: "n"), Head(ht: "%", hc: "main")]),
            ]
        case .cumulativeCoverage:
            return [
                HeadRow(hcells: [Head(ht: "Desa/Kelurahan", rowspan: 2), Head(ht: "Sasaran", rowspan: 2),
                                 Head(ht: prev, colspan: 2), Head(ht: now, colspan: 2),
                                 Head(ht: "Kumulatif", colspan: 2),
                                 Head(ht: "Target %", rowspan: 2), Head(ht: "Selisih", rowspan: 2, htip: "cakupan kumulatif − target"),
                                 Head(ht: "Tren", rowspan: 2), Head(ht: "Status", rowspan: 2)]),
                HeadRow(hcells: [Head(ht: "n"), Head(ht: "%"), Head(ht: "n"), Head(ht: "%"), Head(ht: "n"),
                                 Head(ht: "%", hc: "main")]),
            ]
        }
    }

    private func statusRow(_ info: IndicatorInfo, _ ms: Measure, _ r: IndicatorRow, prev: IndicatorRow?,
                           name: String, href: String?, isTotal: Bool) -> TRow {
        let st = ReportText.statusClass(r.status)
        let prevN = prev.map { ReportText.int($0.numeratorMonth) } ?? "–"
        let trend = Cell(t: ReportText.trend(r.trend))
        let status = Cell(t: ReportText.status(r.status), c: st)
        var cells: [Cell]
        switch ms {
        case .count:
            cells = [Cell(t: prevN, c: nil), Cell(t: ReportText.int(r.numeratorMonth), c: nil),
                     Cell(t: ReportText.int(r.numeratorCumulative ?? r.numeratorMonth), c: "m"), trend]
        case .monthlyCoverage:
            cells = [Cell(t: ReportText.int(r.denominator), c: nil),
                     Cell(t: prevN, c: nil), Cell(t: ReportText.pct(r.coveragePrevMonthPct), c: nil),
                     Cell(t: ReportText.int(r.numeratorMonth), c: nil),
                     Cell(t: ReportText.pct(r.coverageMonthPct), c: st),
                     Cell(t: ReportText.pct(r.targetPct), c: nil), Cell(t: ReportText.gap(r.gapPct), c: nil),
                     trend, status]
        case .cumulativeCoverage:
            cells = [Cell(t: ReportText.int(r.denominator), c: nil),
                     Cell(t: prevN, c: nil), Cell(t: ReportText.pct(r.coveragePrevMonthPct), c: nil),
                     Cell(t: ReportText.int(r.numeratorMonth), c: nil), Cell(t: ReportText.pct(r.coverageMonthPct), c: nil),
                     Cell(t: ReportText.int(r.numeratorCumulative), c: nil),
                     Cell(t: ReportText.pct(r.coverageCumulativePct), c: st),
                     Cell(t: ReportText.pct(r.targetPct), c: nil), Cell(t: ReportText.gap(r.gapPct), c: nil),
                     trend, status]
        }
        return TRow(rc: isTotal ? "total" : nil, th: Cell(t: name, href: href), cells: cells)
    }

    // MARK: - Trend

    private func trendChart(_ info: IndicatorInfo, _ ms: Measure) -> (ReportCharts.LineChart, String, String?) {
        let area = kabkotaCode ?? ""
        let kabName = areaNames[area] ?? area
        var values: [(month: Int, value: Double?, text: String)] = []
        for month in 1...max(m, 1) {
            guard let r = row(info.id, .kabkota, area, month) else { continue }
            let v = mainValue(r, ms)
            values.append((month, v, v.map { ms == .count ? ReportText.int(Int($0)) : ReportCharts.oneDecimal($0) } ?? ""))
        }
        var target: [(month: Int, value: Double)] = []
        if ms != .count, let annual = info.targetAnnual {
            // Monthly scope: the annual target every month. Cumulative: annual × m / 12, drawn to
            // December so the reader sees where the year must end.
            target = ms == .monthlyCoverage ? [(1, annual.value), (12, annual.value)]
                : (1...12).map { ($0, annual.value * Double($0) / 12) }
        }
        let what: String
        switch ms {
        case .cumulativeCoverage: what = "cakupan kumulatif (%)"
        case .monthlyCoverage: what = "cakupan per bulan (%)"
        case .count: what = "jumlah kumulatif"
        }
        let title = "Tren \(what) \(info.id), Kabupaten/Kota \(kabName), Januari–\(ReportText.monthName(m)) \(input.asOf.year)"
        let note: String? = values.contains(where: { $0.value != nil }) ? nil
            : "Belum ada nilai untuk digambar (tidak ada sasaran atau belum ada data)."
        let chart = ReportCharts.lineChart(
            label: title, values: values, target: target,
            targetText: info.targetAnnual.map { "Target \(ReportText.pct($0)) %" } ?? "", isCount: ms == .count)
        return (chart, title, note)
    }

    private func trendTable(_ info: IndicatorInfo, _ ms: Measure) -> Table {
        var head = [Head(ht: "Wilayah")]
        for month in 1...max(m, 1) { head.append(Head(ht: ReportText.monthShortName(month))) }
        var body: [TRow] = []
        func line(_ level: AreaLevel, _ area: String, _ name: String, total: Bool) {
            var cells: [Cell] = []
            for month in 1...max(m, 1) {
                if let r = row(info.id, level, area, month) {
                    cells.append(Cell(t: mainText(r, ms), c: ms == .count ? nil : ReportText.statusClass(r.status)))
                } else {
                    cells.append(Cell(t: "–", c: nil))
                }
            }
            body.append(TRow(rc: total ? "total" : nil, th: Cell(t: name), cells: cells))
        }
        if let kab = kabkotaCode { line(.kabkota, kab, "Kabupaten/Kota \(areaNames[kab] ?? kab)", total: true) }
        for p in puskesmasCodes where p != Self.noPuskesmas {
            line(.puskesmas, p, puskesmasTitle(p), total: false)
        }
        if ms != .count, info.targetAnnual != nil, let kab = kabkotaCode {
            var cells: [Cell] = []
            for month in 1...max(m, 1) {
                cells.append(Cell(t: ReportText.pct(row(info.id, .kabkota, kab, month)?.targetPct), c: nil))
            }
            body.append(TRow(rc: "target", th: Cell(t: "Target %"), cells: cells))
        }
        return Table(tcls: "trend", caption: nil, head: [HeadRow(hcells: head)], rows: body)
    }

    // MARK: - RW/RT drill-down (as-of month only, all indicators in one table per village)

    private func drillDown() -> [DrillPuskesmas] {
        var out: [DrillPuskesmas] = []
        if input.drillDown == .off { return out }
        let infos = input.indicators.map { ($0, measure($0)) }
        var head = [Head(ht: "Wilayah")]
        for (info, _) in infos { head.append(Head(ht: info.id)) }
        func cells(_ level: AreaLevel, _ area: String) -> [Cell] {
            infos.map { info, ms in
                guard let r = row(info.id, level, area, m) else { return Cell(t: "–") }
                // Numerator/sasaran, not a percentage: at RT level the sasaran is a handful of
                // people and "2/7" says more than "28,57". The status tables carry the percentages.
                let letter = ReportText.statusLetter(r.status)
                return Cell(t: (fraction(r, ms) ?? mainText(r, ms)) + (letter.isEmpty ? "" : " " + letter),
                            c: ms == .count ? nil : ReportText.statusClass(r.status))
            }
        }
        for p in puskesmasCodes {
            var drillVillages: [DrillVillage] = []
            for v in villages(of: p) {
                let rws = (rwsOf[v] ?? []).sorted(by: Self.byteOrder)
                var body = [TRow(rc: "total", th: Cell(t: "Desa \(villageNames[v] ?? v)"), cells: cells(.desa, v))]
                var rtCount = 0
                for rw in rws {
                    body.append(TRow(rc: "rw", th: Cell(t: areaNames[rw] ?? rw), cells: cells(.rw, rw)))
                    for rt in input.drillDown == .rt ? (rtsOf[rw] ?? []).sorted(by: Self.byteOrder) : [] {
                        rtCount += 1
                        body.append(TRow(rc: nil, th: Cell(t: areaNames[rt] ?? rt),
                                         cells: cells(.rt, rt)))
                    }
                }
                drillVillages.append(DrillVillage(
                    danchor: Self.anchor("rinci", v), dname: villageNames[v] ?? v,
                    dcounts: input.drillDown == .rt ? "\(rws.count) RW, \(rtCount) RT" : "\(rws.count) RW",
                    dtable: Table(tcls: "drill", caption: nil, head: [HeadRow(hcells: head)], rows: body)))
            }
            if !drillVillages.isEmpty {
                out.append(DrillPuskesmas(dpname: puskesmasTitle(p), villages: drillVillages))
            }
        }
        return out
    }

    // MARK: - Data quality

    private func quality() -> QualityModel {
        let a = input.accounting
        let accounting = [
            KeyValue(key: "Baris dibaca", value: ReportText.int(a.rowsRead)),
            KeyValue(key: "Data ditolak", value: ReportText.int(a.rowsRejected)),
            KeyValue(key: "Diterima", value: ReportText.int(a.rowsAccepted)),
            KeyValue(key: "Dipakai", value: ReportText.int(a.rowsUsed)),
            KeyValue(key: "Ganda (duplikat, dibuang)", value: ReportText.int(a.rowsDuplicate)),
            KeyValue(key: "Di luar periode (setelah \(ReportText.monthName(m)) \(input.asOf.year))", value: ReportText.int(a.rowsOutOfPeriod)),
        ]
        let identities = [
            Identity(formula: "dibaca \(ReportText.int(a.rowsRead)) = ditolak \(ReportText.int(a.rowsRejected)) + diterima \(ReportText.int(a.rowsAccepted))",
                     ok: a.readBalances),
            Identity(formula: "diterima \(ReportText.int(a.rowsAccepted)) = dipakai \(ReportText.int(a.rowsUsed)) + ganda \(ReportText.int(a.rowsDuplicate)) + di luar periode \(ReportText.int(a.rowsOutOfPeriod))",
                     ok: a.acceptedBalances),
        ]
        let rate = a.rowsRead > 0 ? ReportCharts.oneDecimal(Double(a.rowsRejected) * 100 / Double(a.rowsRead)) + " %" : "–"

        // By rule.
        var ruleCounts: [RuleCode: Int] = [:]
        for d in input.rejects { ruleCounts[d.rule, default: 0] += 1 }
        for d in input.warnings { ruleCounts[d.rule, default: 0] += 1 }
        let ruleRows = RuleCode.allCases.compactMap { rule -> TRow? in
            guard let n = ruleCounts[rule] else { return nil }
            let kind = rule.severity == .error ? "ditolak" : "peringatan"
            return TRow(rc: rule.severity == .error ? "err" : "warn", th: Cell(t: rule.rawValue),
                        cells: [Cell(t: ReportText.rule(rule), c: "t"), Cell(t: kind, c: "t"), Cell(t: ReportText.int(n), c: nil)])
        }
        let byRule = Table(tcls: "rules", caption: nil,
                           head: [HeadRow(hcells: [Head(ht: "Aturan"), Head(ht: "Arti"), Head(ht: "Jenis"), Head(ht: "Jumlah")])],
                           rows: ruleRows)

        // By source file (the facility proxy).
        struct Tally { var rejects = 0; var warnings = 0; var rules: [RuleCode: Int] = [:] }
        var bySource: [String: Tally] = [:]
        for d in input.rejects {
            bySource[d.location.source, default: Tally()].rejects += 1
            bySource[d.location.source, default: Tally()].rules[d.rule, default: 0] += 1
        }
        for d in input.warnings {
            bySource[d.location.source, default: Tally()].warnings += 1
            bySource[d.location.source, default: Tally()].rules[d.rule, default: 0] += 1
        }
        let sources = bySource.keys.sorted { x, y in
            let tx = bySource[x]!, ty = bySource[y]!
            if tx.rejects != ty.rejects { return tx.rejects > ty.rejects }
            if tx.warnings != ty.warnings { return tx.warnings > ty.warnings }
            return Self.byteOrder(x, y)
        }
        let sourceRows = sources.map { s -> TRow in
            let t = bySource[s]!
            let detail = t.rules.keys.sorted().map { "\($0.rawValue) \(t.rules[$0]!)" }.joined(separator: " · ")
            return TRow(rc: t.rejects > 0 ? "err" : "warn", th: Cell(t: s),
                        cells: [Cell(t: input.sourceFacilityNames[s] ?? "", c: "t"),
                                Cell(t: ReportText.int(t.rejects), c: nil), Cell(t: ReportText.int(t.warnings), c: nil),
                                Cell(t: detail, c: "t")])
        }
        let sourceTable = Table(tcls: "sources", caption: nil,
                                head: [HeadRow(hcells: [Head(ht: "File sumber"), Head(ht: "Fasilitas"), Head(ht: "Ditolak"),
                                                        Head(ht: "Peringatan"), Head(ht: "Rincian aturan")])],
                                rows: sourceRows)

        let (completeness, note) = completenessTable()
        return QualityModel(accounting: accounting, identities: identities, rejectRate: rate,
                            byRule: byRule, hasRules: !ruleRows.isEmpty, bySource: sourceTable,
                            hasSources: !sourceRows.isEmpty, completeness: completeness,
                            hasCompleteness: !completeness.rows.isEmpty, completenessNote: note)
    }

    /// Facilities × months 1…M: records per month, shaded by volume; a month without a report
    /// is marked ✗ (so it reads without colour).
    private func completenessTable() -> (Table, String) {
        struct FacilityKey: Hashable { var facility: String; var type: String }
        var grid: [FacilityKey: [Int: CompletenessRow]] = [:]
        for c in input.completeness where c.year == input.year && c.month >= 1 && c.month <= m {
            grid[FacilityKey(facility: c.facility, type: c.facilityType), default: [:]][c.month] = c
        }
        let maxRecords = max(1, grid.values.flatMap { $0.values.map(\.records) }.max() ?? 1)
        let keys = grid.keys.sorted { Self.byteOrder($0.type + "\u{0}" + $0.facility, $1.type + "\u{0}" + $1.facility) }
        var head = [Head(ht: "Fasilitas"), Head(ht: "Jenis")]
        for month in 1...max(m, 1) { head.append(Head(ht: ReportText.monthShortName(month))) }
        head.append(Head(ht: "Bulan lapor"))
        var reportedPerMonth = Array(repeating: 0, count: m + 1)
        var body: [TRow] = []
        for k in keys {
            var cells = [Cell(t: ReportText.facilityType(k.type), c: "t")]
            var reported = 0
            for month in 1...max(m, 1) {
                if let c = grid[k]?[month], c.reported {
                    reported += 1
                    reportedPerMonth[month] += 1
                    // Four shades by share of the busiest facility-month.
                    let bin = min(4, 1 + c.records * 4 / (maxRecords + 1))
                    cells.append(Cell(t: ReportText.int(c.records), c: "h\(bin)",
                                      tip: "\(ReportText.int(c.records)) catatan, \(ReportText.int(c.persons)) orang"))
                } else {
                    cells.append(Cell(t: "✗", c: "h0", tip: "tidak lapor"))
                }
            }
            cells.append(Cell(t: "\(reported)/\(m)", c: nil))
            body.append(TRow(rc: nil, th: Cell(t: k.facility), cells: cells))
        }
        if !keys.isEmpty {
            var cells = [Cell(t: "")]
            for month in 1...max(m, 1) {
                cells.append(Cell(t: ReportCharts.oneDecimal(Double(reportedPerMonth[month]) * 100 / Double(keys.count)) + " %", c: nil))
            }
            cells.append(Cell(t: ""))
            body.append(TRow(rc: "total", th: Cell(t: "Kelengkapan (% fasilitas lapor)"), cells: cells))
        }
        let note = "\(keys.count) fasilitas; angka = jumlah catatan layanan bulan itu; ✗ = tidak lapor."
        return (Table(tcls: "heatmap", caption: nil, head: [HeadRow(hcells: head)], rows: body), note)
    }
}
