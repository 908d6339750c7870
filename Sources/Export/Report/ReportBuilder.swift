import PWSCore

/// How much of a big district the page shows, so that it stays a few megabytes and opens on a
/// phone (docs/report.md, "Size"). What is left out is counted in a note that says where the
/// full numbers are (`indicators.csv`, `rejects.csv`, `warnings.csv`).
struct ReportLimits {
    /// Rows (RW and RT) one village's drill-down table shows at most under the village total.
    var drillRowsPerVillage = 40
    /// Rows the whole drill-down shows at most: each village gets at most this divided by the
    /// number of villages (300 villages: 20 rows each).
    var drillRowsTotal = 6_000
    /// Source files listed in the data-quality table, worst first.
    var sourceFiles = 250

    /// The drill-down rows one village may show in a district of `villages` villages.
    func drillRows(villages: Int) -> Int {
        min(drillRowsPerVillage, drillRowsTotal / max(villages, 1))
    }
}

/// Turns a `ReportInput` into the page's view model: picks rows, groups villages under their
/// puskesmas, sorts bars, and writes the tables and charts as `HTML` fragments.
struct ReportBuilder {
    let input: ReportInput
    let m: Int
    /// Where each row the report reads sits in `input.rows` (rows are not copied): for every
    /// area, a block of `months × indicators` slots holding a row index, or -1. Kabupaten,
    /// kecamatan and puskesmas keep months 1…M (trend lines), villages M−1 and M (last month's
    /// n), RW and RT only M.
    private var slots: [Int32] = []
    /// Per level, area code → area number.
    private var areaIDs: [[String: Int32]] = Array(repeating: [:], count: AreaLevel.allCases.count)
    /// Per area number, its first slot.
    private var areaBase: [Int] = []
    /// Indicator id → catalogue position.
    private let indicatorPosition: [String: Int32]
    /// Villages seen in the as-of month: code → name.
    private(set) var villageNames: [String: String] = [:]
    /// Puskesmas code → its villages, sorted by name then code.
    private var villagesOf: [String: [String]] = [:]
    /// Village code → the `id` of its drill-down entry.
    private(set) var drillAnchors: [String: String] = [:]
    /// Village code → its RW codes (as-of month), and RW code → its RT codes.
    private var rwsOf: [String: Set<String>] = [:]
    private var rtsOf: [String: Set<String>] = [:]
    private(set) var areaNames: [String: String] = [:]
    private var kecamatanNames: Set<String> = []
    private(set) var puskesmasCodes: [String] = []
    private(set) var kabkotaCode: String?

    /// Puskesmas code used for villages that the map does not place.
    static let noPuskesmas = "~"

    /// - Complexity: O(rows) to index the rows the page reads (fields are read in place; a row
    ///   is copied only when a table cell needs it); the rest is O(what the page shows).
    init(_ input: ReportInput) {
        self.input = input
        self.m = input.asOf.month
        var positions: [String: Int32] = [:]
        for (i, info) in input.indicators.enumerated() where positions[info.id] == nil {
            positions[info.id] = Int32(i)
        }
        indicatorPosition = positions
        var pkm = Set(input.villagePuskesmas.values)
        var kab: [String] = []
        let m = self.m, year = input.year
        // RT rows are read only when the drill-down goes down to RT.
        let wantRT = input.drillDown == .rt
        let wantRW = input.drillDown != .off
        @inline(__always) func wanted(_ y: Int, _ month: Int, _ level: AreaLevel) -> Bool {
            guard month <= m, y == year else { return false }
            switch level {
            case .kabkota, .kecamatan, .puskesmas: return true
            case .desa: return month >= m - 1
            case .rw: return wantRW && month == m
            case .rt: return wantRT && month == m
            }
        }
        let indicatorCount = input.indicators.count
        do {
            // Rows come grouped by area in catalogue order (as in indicators.csv): the area is
            // looked up and its facts recorded once per group, and the next indicator is tried
            // before hashing. Any other order gives the same result, only slower. Each row is
            // read once (a run's rows are computed when read: `ReportRows`).
            var last: (code: String, level: AreaLevel, month: Int, id: Int32)?
            var nextIndicator = 0
            for i in input.rows.indices {
                let row = input.rows[i]
                let month = row.month, level = row.level
                guard wanted(row.year, month, level) else { continue }
                let code = row.areaCode
                let area: Int32
                var newGroup = true
                if let l = last, l.level == level, l.code == code {
                    area = l.id
                    newGroup = l.month != month
                    last!.month = month
                } else {
                    area = areaID(code, level)
                    last = (code, level, month, area)
                    if level == .puskesmas { pkm.insert(code) }
                }
                if newGroup, month == m {
                    // The area's facts, once per group of rows.
                    switch level {
                    case .kabkota: kab.append(code)
                    case .kecamatan: kecamatanNames.insert(row.areaName)
                    case .puskesmas: break
                    case .desa: villageNames[code] = row.areaName
                    case .rw: rwsOf[row.parentCode, default: []].insert(code)
                    case .rt: rtsOf[row.parentCode, default: []].insert(code)
                    }
                    areaNames[code] = row.areaName
                }
                let ind: Int32
                if nextIndicator < indicatorCount, input.indicators[nextIndicator].id == row.indicator {
                    ind = Int32(nextIndicator)
                } else if let p = positions[row.indicator] {
                    ind = p
                } else {
                    continue
                }
                nextIndicator = Int(ind) + 1
                if let slot = slot(area, level, month, ind) { slots[slot] = Int32(i) }
            }
        }
        if villageNames.keys.contains(where: { input.villagePuskesmas[$0] == nil }) {
            pkm.insert(Self.noPuskesmas)
        }
        puskesmasCodes = pkm.sorted(by: Self.byteOrder)
        kabkotaCode = kab.min(by: Self.byteOrder)
        for v in villageNames.keys {
            villagesOf[input.villagePuskesmas[v] ?? Self.noPuskesmas, default: []].append(v)
            drillAnchors[v] = Self.anchor("rinci", v)
        }
        for p in villagesOf.keys {
            villagesOf[p]!.sort { (villageNames[$0]!, $0) < (villageNames[$1]!, $1) }
        }
    }

    /// `AreaLevel.order` without its `allCases` array.
    private static func levelKey(_ level: AreaLevel) -> Int16 {
        switch level {
        case .kabkota: 0
        case .kecamatan: 1
        case .puskesmas: 2
        case .desa: 3
        case .rw: 4
        case .rt: 5
        }
    }

    /// The first month whose rows the report reads at `level`.
    private static func firstMonth(_ level: AreaLevel, _ m: Int) -> Int {
        switch level {
        case .kabkota, .kecamatan, .puskesmas: 1
        case .desa: m - 1
        case .rw, .rt: m
        }
    }

    /// The number of an area, given a block of slots the first time it is seen.
    private mutating func areaID(_ code: String, _ level: AreaLevel) -> Int32 {
        let l = Int(Self.levelKey(level))
        if let id = areaIDs[l][code] { return id }
        let id = Int32(areaBase.count)
        areaIDs[l][code] = id
        areaBase.append(slots.count)
        slots.append(contentsOf: repeatElement(-1, count: (m - Self.firstMonth(level, m) + 1) * input.indicators.count))
        return id
    }

    private func slot(_ area: Int32, _ level: AreaLevel, _ month: Int, _ ind: Int32) -> Int? {
        let first = Self.firstMonth(level, m)
        guard month >= first, month <= m, ind >= 0 else { return nil }
        return areaBase[Int(area)] + (month - first) * input.indicators.count + Int(ind)
    }

    static func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    func row(_ ind: Int32, _ level: AreaLevel, _ area: Int32?, _ month: Int) -> IndicatorRow? {
        rowIndex(ind, level, area, month).map { input.rows[$0] }
    }

    /// Where the row sits in `input.rows` (each read of `input.rows[i]` computes the row: read it once).
    func rowIndex(_ ind: Int32, _ level: AreaLevel, _ area: Int32?, _ month: Int) -> Int? {
        guard let area, let slot = slot(area, level, month, ind) else { return nil }
        let i = slots[slot]
        return i < 0 ? nil : Int(i)
    }

    func row(_ ind: Int32, _ level: AreaLevel, _ area: String, _ month: Int) -> IndicatorRow? {
        row(ind, level, knownArea(area, level), month)
    }

    /// The number of an area already seen at `level`.
    func knownArea(_ code: String, _ level: AreaLevel) -> Int32? {
        areaIDs[Int(Self.levelKey(level))][code]
    }

    func position(_ info: IndicatorInfo) -> Int32 { indicatorPosition[info.id] ?? -1 }

    /// "Puskesmas Cipanas" for a register name "Cipanas", and also for "Puskesmas Cipanas" or
    /// "PKM Cipanas" (no doubled prefix).
    func puskesmasTitle(_ code: String) -> String {
        let name = puskesmasName(code)
        let lower = name.lowercased()
        return lower.hasPrefix("puskesmas") || lower.hasPrefix("pkm ") || code == Self.noPuskesmas ? name : "Puskesmas " + name
    }

    private func puskesmasName(_ code: String) -> String {
        if code == Self.noPuskesmas { return "(tanpa puskesmas)" }
        if let n = input.puskesmasNames[code], !n.isEmpty { return n }
        return areaNames[code] ?? code
    }

    func villages(of pkm: String) -> [String] { villagesOf[pkm] ?? [] }

    /// An `id` for a link target: the parts joined with `-`, every character other than ASCII
    /// letters, digits, `_` and `-` replaced by `_`.
    static func anchor(_ parts: String...) -> String {
        let joined = parts.joined(separator: "-")
        if joined.utf8.allSatisfy({ $0 < 0x80 }) {
            // Area codes are ASCII: byte by byte, without Unicode character properties.
            return String(decoding: joined.utf8.map { b -> UInt8 in
                switch b {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): b
                default: UInt8(ascii: "_")
                }
            }, as: UTF8.self)
        }
        return String(joined.map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-") ? c : "_"
        })
    }

    // MARK: - What an indicator measures

    enum Measure {
        case cumulativeCoverage, monthlyCoverage, count
    }

    func measure(_ info: IndicatorInfo) -> Measure {
        if info.isCountOnly { return .count }
        return info.scope == "monthly" ? .monthlyCoverage : .cumulativeCoverage
    }

    /// The number the chart draws and the summary shows, for drawing only.
    func mainValue(_ r: IndicatorRow, _ ms: Measure) -> Double? {
        switch ms {
        case .cumulativeCoverage: r.coverageCumulativePct?.value
        case .monthlyCoverage: r.coverageMonthPct?.value
        case .count: Double(r.numeratorCumulative ?? r.numeratorMonth)
        }
    }

    /// A chart's label of the main value: a coverage to one decimal, rounded once from the
    /// exact numerator / denominator (49.945… is 49,9, where rounding the two-decimal 49,95
    /// again would give 50,0); a count in full; "" without a value.
    func mainLabel(_ r: IndicatorRow, _ ms: Measure) -> String {
        guard let v = mainValue(r, ms) else { return "" }
        let n = ms == .cumulativeCoverage ? r.numeratorCumulative : r.numeratorMonth
        switch ms {
        case .count: return ReportText.int(Int(v))
        case .cumulativeCoverage, .monthlyCoverage:
            guard let n, let d = r.denominator, d.units > 0, let tenths = ExactFraction.percentTenths(n, d) else {
                return ReportCharts.oneDecimal(v)
            }
            return ReportCharts.tenths(tenths)
        }
    }

    private func mainText(_ r: IndicatorRow, _ ms: Measure) -> String {
        switch ms {
        case .cumulativeCoverage: ReportText.pct(r.coverageCumulativePct)
        case .monthlyCoverage: ReportText.pct(r.coverageMonthPct)
        case .count: ReportText.int(r.numeratorCumulative ?? r.numeratorMonth)
        }
    }

    /// The main value as a cell: the percentage, or the count.
    func mainCell(_ r: IndicatorRow, _ ms: Measure) -> CellValue {
        switch ms {
        case .cumulativeCoverage: .pct(r.coverageCumulativePct)
        case .monthlyCoverage: .pct(r.coverageMonthPct)
        case .count: .count(r.numeratorCumulative ?? r.numeratorMonth)
        }
    }

    static func fragment(capacity: Int = 4096, _ write: (inout HTMLWriter) -> Void) -> HTML {
        var w = HTMLWriter(capacity: capacity)
        write(&w)
        return w.html
    }

    static func tableHTML(_ t: Table) -> HTML {
        fragment(capacity: 256 + t.rows.count * (64 + 24 * (t.rows.first?.cells.count ?? 0))) { $0.table(t) }
    }

    private static func tablesHTML(_ tables: [Table]) -> HTML {
        let cells = tables.reduce(0) { $0 + $1.rows.count * (64 + 24 * ($1.rows.first?.cells.count ?? 0)) }
        return fragment(capacity: 256 * tables.count + cells) { w in for t in tables { w.table(t) } }
    }

    // MARK: - Page

    func build() -> PageModel {
        let period = "\(ReportText.monthName(m)) \(input.asOf.year)"
        var sections: [IndicatorSection] = []
        var charts = 0
        for info in input.indicators {
            let s = section(info, period: period)
            charts += 1 + s.groupCount
            sections.append(s)
        }
        var districts = input.districtNames
        if districts.isEmpty {
            districts = kecamatanNames.sorted()
        }
        let regency = input.regencyName.isEmpty ? (kabkotaCode.flatMap { areaNames[$0] } ?? "") : input.regencyName
        let (drill, drillNote) = drillDown()
        let growth = growthSection(period: period)
        let lowerList = input.indicators.filter { $0.direction == .lowerIsBetter }.map(\.id)
        charts += growth?.charts ?? 0
        return PageModel(
            title: "Laporan PWS \(regency) — s.d. \(period)",
            regency: regency,
            districts: districts.isEmpty ? nil : districts.joined(separator: ", "),
            period: period, version: input.toolVersion, chartCount: charts,
            indicatorIDs: input.indicators.map(\.id).joined(separator: " "),
            lowerList: lowerList.isEmpty ? nil : lowerList.joined(separator: ", "),
            words: StatusWords(tetapBelowTarget: input.tetapBelowTarget),
            toc: input.indicators.map { TocItem(tocAnchor: Self.anchor("ind", $0.id), tocID: $0.id, tocName: $0.name) },
            summary: Self.tablesHTML(summaryTables()), sections: sections, drill: drill, hasDrill: !drill.isEmpty,
            drillNote: drillNote, targetsNotice: input.estimatedTargets.map { Self.targetsNotice($0, year: input.year) }, quality: quality(),
            growth: growth?.section)
    }

    /// The page's notice on villages without a target of the year (Indonesian).
    static func targetsNotice(_ e: EstimatedTargets, year: Int) -> String {
        let instead = e.estimated
            ? "adalah perkiraan dari jumlah penduduk register, bukan sasaran resmi"
            : "tidak ada (perkiraan sasaran dimatikan), sehingga cakupannya kosong"
        let groups = "indikator berbasis kelompok sasaran"
        if e.noFile { return "Perhatian: tidak ada berkas sasaran. Penyebut semua \(groups) \(instead)." }
        if e.yearMissing {
            return "Perhatian: \(e.file) belum memuat sasaran tahun \(year). Penyebut semua \(groups) \(instead); cakupan dan statusnya akan berubah setelah sasaran tahun \(year) dimasukkan."
        }
        let names = e.villages.prefix(5).joined(separator: ", ")
            + (e.villages.count > 5 ? " dan \(ReportText.int(e.villages.count - 5)) lainnya" : "")
        let above = e.estimated
            ? "penyebut puskesmas dan kabupaten/kota di atasnya menjumlahkannya"
            : "begitu pula di puskesmas dan kabupaten/kota di atasnya"
        return "Perhatian: \(e.file) tidak memuat sasaran tahun \(year) untuk sebagian atau semua kelompok sasaran di \(ReportText.int(e.villages.count)) desa/kelurahan (\(names)). Penyebut \(groups) tersebut di sana \(instead); \(above)."
    }

    // MARK: - Summary matrix

    /// At most this many indicator columns in one summary table: 19 fit a 1280-px screen
    /// (`.ci/browser-check`), 30 do not.
    static let summaryColumns = 20

    /// The summary matrix, split into tables of at most `summaryColumns` indicators, as equal
    /// as possible and in catalogue order (49 indicators: 17 + 16 + 16), each with the area
    /// column.
    private func summaryTables() -> [Table] {
        Self.summarySizes(input.indicators.count).reduce(into: (tables: [Table](), start: 0)) { acc, size in
            acc.tables.append(summary(Array(input.indicators[acc.start..<acc.start + size])))
            acc.start += size
        }.tables
    }

    /// The sizes of the summary tables of `n` indicators: the fewest tables of at most
    /// `summaryColumns`, the first ones one larger when they cannot all be equal (one empty
    /// table for none).
    static func summarySizes(_ n: Int) -> [Int] {
        let parts = max(1, (n + summaryColumns - 1) / summaryColumns)
        return (0..<parts).map { n / parts + ($0 < n % parts ? 1 : 0) }
    }

    private func summary(_ indicators: [IndicatorInfo]) -> Table {
        var head = [Head(ht: "Wilayah")]
        for info in indicators {
            // A break opportunity (U+200B) after each "_" lets a long id (SKRINING_PTM_DEWASA)
            // wrap between its words, so the table fits a 1280-px screen.
            // A lower-is-better indicator (drop-out, anaemia, stunting) is marked "↓": its target
            // is a ceiling and its status letters are mirrored (the legend says how).
            let lower = info.direction == .lowerIsBetter
            head.append(Head(ht: info.id.replacingOccurrences(of: "_", with: "_\u{200B}") + (lower ? " ↓" : ""),
                             htip: info.name + (lower ? " (makin rendah makin baik)" : "")))
        }
        var body: [TRow] = []
        func cells(level: AreaLevel, area: String, pkm: String?) -> [Cell] {
            indicators.map { info in
                let ms = measure(info)
                guard let r = row(position(info), level, area, m) else { return Cell(t: .literal("–"), c: "sn") }
                let href = pkm.map { "#" + Self.anchor("ind", info.id, $0) } ?? "#" + Self.anchor("ind", info.id)
                return Cell(t: mainCell(r, ms), letter: ReportText.statusLetter(r.status),
                            c: ms == .count ? "sn" : ReportText.statusClass(r.status),
                            href: href, tip: .text("\(info.id): \(ReportText.status(r.status))"))
            }
        }
        if let kab = kabkotaCode {
            body.append(TRow(rc: "total", th: Cell(t: .text(ReportText.regency(areaNames[kab] ?? kab))),
                             cells: cells(level: .kabkota, area: kab, pkm: nil)))
        }
        for p in puskesmasCodes where p != Self.noPuskesmas {
            body.append(TRow(rc: nil, th: Cell(t: .text(puskesmasTitle(p))),
                             cells: cells(level: .puskesmas, area: p, pkm: p)))
        }
        return Table(tcls: "summary", caption: nil, head: [HeadRow(hcells: head)], rows: body)
    }

    // MARK: - Indicator section

    /// What an indicator's percentage is called: `cakupan` (the share of a target group served)
    /// for those where higher is better; `persentase` for the lower-is-better ones — anemia and
    /// KEK among pregnancies, drop-out rates, stunting and the other growth prevalences — which
    /// a reader of "cakupan stunting" takes for coverage.
    static func coverageWord(_ info: IndicatorInfo) -> String {
        info.direction == .lowerIsBetter ? "persentase" : "cakupan"
    }

    private func section(_ info: IndicatorInfo, period: String) -> IndicatorSection {
        let ms = measure(info)
        let ind = position(info)
        let measureText: String
        let word = Self.coverageWord(info)
        switch ms {
        case .cumulativeCoverage: measureText = "\(word) kumulatif (%) s.d. \(period)"
        case .monthlyCoverage: measureText = "\(word) bulan ini (%), \(period)"
        case .count: measureText = "jumlah kumulatif (orang) s.d. \(period)"
        }
        let head = statusHead(ms)
        var groups = HTMLWriter(capacity: 1 << 16)
        var groupCount = 0
        for p in puskesmasCodes {
            let vs = villages(of: p)
            if vs.isEmpty, row(ind, .puskesmas, p, m) == nil { continue }
            block(info, ms, puskesmas: p, villages: vs, measureText: measureText, head: head, into: &groups)
            groupCount += 1
        }
        let (chart, title, note) = trendChart(info, ms)
        return IndicatorSection(
            anchor: Self.anchor("ind", info.id), indID: info.id, indName: info.name,
            scopeText: ReportText.scope(info.scope), subjectText: ReportText.subject(info.subject, denominator: info.denominator),
            // A count (no denominator) keeps "Sasaran: tanpa sasaran (jumlah saja)".
            denominatorLabel: info.denominator.isEmpty || ReportText.isTargetGroup(info.denominator) ? "Sasaran" : "Penyebut",
            denominatorText: ReportText.denominator(info.denominator),
            targetText: info.targetAnnual.map {
                (info.direction == .lowerIsBetter ? "batas atas " : "") + ReportText.pct($0) + " % per tahun"
                    + (ms == .monthlyCoverage ? " (setiap bulan)" : "")
                    + (info.direction == .lowerIsBetter ? " — makin rendah makin baik" : "")
            } ?? "–",
            measureText: measureText, isCount: ms == .count,
            trendChart: Self.fragment { $0.lineChart(chart, indicator: info.id) }, trendTitle: title, trendNote: note,
            trendTable: Self.tableHTML(trendTable(info, ms)), groups: groups.html, groupCount: groupCount)
    }

    /// The PWS chart and status table of one puskesmas for one indicator.
    private func block(_ info: IndicatorInfo, _ ms: Measure, puskesmas p: String, villages vs: [String],
                       measureText: String, head: [HeadRow], into w: inout HTMLWriter) {
        let ind = position(info)
        let name = puskesmasName(p)
        let title = puskesmasTitle(p)
        // The villages with a row this month: (bar, code, area number), in table order.
        var values: [(bar: ReportCharts.BarValue, code: String, area: Int32)] = []
        values.reserveCapacity(vs.count)
        for v in vs {
            guard let area = knownArea(v, .desa), let r = row(ind, .desa, area, m) else { continue }
            let text = ms == .count ? mainText(r, ms) : (mainValue(r, ms) == nil ? "–" : mainLabel(r, ms))
            values.append((ReportCharts.BarValue(name: villageNames[v] ?? v, value: mainValue(r, ms), valueText: text,
                                                 status: r.status, isTotal: false), v, area))
        }
        // Bars descending — coverages compared exactly, as the rank column compares them (two
        // villages both shown 2,23 % in the order of their ranks); villages without a value go
        // last; ties by name then code (deterministic).
        let coverages = values.map { ms == .count ? nil : row(ind, .desa, $0.area, m).flatMap(PWSRanking.coverage) }
        var bars = values.indices.sorted { i, j in
            let a = values[i], b = values[j]
            switch (a.bar.value, b.bar.value) {
            case let (x?, y?):
                let order = coverages[i].flatMap { c in coverages[j].map { PWSRanking.compare(c, $0) } }
                    ?? (x == y ? 0 : x > y ? 1 : -1)
                if order != 0 { return order > 0 }
                return (a.bar.name, a.code) < (b.bar.name, b.code)
            case (.some, nil): return true
            case (nil, .some): return false
            default: return (a.bar.name, a.code) < (b.bar.name, b.code)
            }
        }.map { values[$0].bar }
        let totalRow = row(ind, .puskesmas, p, m)
        if let t = totalRow {
            let text = ms == .count ? mainText(t, ms) : (mainValue(t, ms) == nil ? "–" : mainLabel(t, ms))
            bars.append(ReportCharts.BarValue(name: "Total \(name)", value: mainValue(t, ms), valueText: text,
                                              status: t.status, isTotal: true))
        }
        // The rows carry the month's target; the catalogue's is the fallback for an empty puskesmas.
        let targetPct: Percent? = ms == .count ? nil
            : totalRow?.targetPct ?? vs.lazy.compactMap { self.row(ind, .desa, $0, self.m)?.targetPct }.first
            ?? info.targetAnnual.map { ms == .monthlyCoverage || !info.proratesTarget ? $0
                : Percent(hundredths: Int(ExactFraction.roundHalfAway(Int128($0.hundredths * m), 12))) }
        let label = "Grafik PWS \(info.id) — \(title): \(measureText)"
        let chart = ReportCharts.barChart(
            label: label, values: bars, target: targetPct?.value,
            targetText: targetPct.map { "Target \(ReportText.pct($0)) %" } ?? "", isCount: ms == .count)
        let table = Table(tcls: "pws", caption: "Tabel PWS \(info.id) — \(title), \(ReportText.monthName(m)) \(input.asOf.year)",
                          head: head, rows: [])
        w.puskesmasBlock(anchor: Self.anchor("ind", info.id, p), indicator: info.id, title: title, chartLabel: label,
                         chart: chart, table: table) { w in
            // Villages by name, then the puskesmas total; the rank column as in pws/<ID>.csv.
            let villageRows = values.map { row(ind, .desa, $0.area, m)! }
            let ranks = PWSRanking.ranks(villageRows, direction: info.direction)
            for (k, v) in values.enumerated() {
                statusRow(ms, villageRows[k], name: v.bar.name,
                          href: input.drillDown == .off ? nil : "#" + drillAnchors[v.code]!, isTotal: false,
                          rank: ranks[k], into: &w)
            }
            if let t = totalRow {
                statusRow(ms, t, name: "Total \(title)", href: nil,
                          isTotal: true, rank: nil, into: &w)
            }
        }
    }

    private func statusHead(_ ms: Measure) -> [HeadRow] {
        // January's last month is December of the year before: its year is said.
        let prev = "Bulan lalu (\(m == 1 ? "\(ReportText.monthShortName(12)) \(input.asOf.year - 1)" : ReportText.monthShortName(m - 1)))"
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
                                 Head(ht: "Tren", rowspan: 2), Head(ht: "Status", rowspan: 2),
                                 Head(ht: "Peringkat", rowspan: 2, htip: "peringkat desa dalam puskesmas menurut cakupan; sama besar, peringkat sama")]),
                HeadRow(hcells: [Head(ht: "n"), Head(ht: "%"), Head(ht: "n"), Head(ht: "%", hc: "main")]),
            ]
        case .cumulativeCoverage:
            return [
                HeadRow(hcells: [Head(ht: "Desa/Kelurahan", rowspan: 2), Head(ht: "Sasaran", rowspan: 2),
                                 Head(ht: prev, colspan: 2), Head(ht: now, colspan: 2),
                                 Head(ht: "Kumulatif", colspan: 2),
                                 Head(ht: "Target %", rowspan: 2), Head(ht: "Selisih", rowspan: 2, htip: "nilai − target"),
                                 Head(ht: "Tren", rowspan: 2), Head(ht: "Status", rowspan: 2),
                                 Head(ht: "Peringkat", rowspan: 2, htip: "peringkat desa dalam puskesmas menurut cakupan; sama besar, peringkat sama")]),
                HeadRow(hcells: [Head(ht: "n"), Head(ht: "%"), Head(ht: "n"), Head(ht: "%"), Head(ht: "n"),
                                 Head(ht: "%", hc: "main")]),
            ]
        }
    }

    /// A row of the PWS status table (the columns of `pws/<INDICATOR>.csv`).
    private func statusRow(_ ms: Measure, _ r: IndicatorRow, name: String, href: String?,
                           isTotal: Bool, rank: Int?, into w: inout HTMLWriter) {
        let st = ReportText.statusClass(r.status)
        // The row's own count of the month before, as pws/<ID>.csv and pws.xlsx give it (in
        // January, December of the year before).
        let prevN: CellValue = .count(r.numeratorPrevMonth)
        w.rowOpen(isTotal ? "total" : nil, th: Cell(t: .text(name), href: href))
        switch ms {
        case .count:
            w.td(Cell(t: prevN))
            w.td(Cell(t: .count(r.numeratorMonth)))
            w.td(Cell(t: .count(r.numeratorCumulative ?? r.numeratorMonth), c: "m"))
        case .monthlyCoverage:
            w.td(Cell(t: .sasaran(r.denominator)))
            w.td(Cell(t: prevN))
            w.td(Cell(t: .pct(r.coveragePrevMonthPct)))
            w.td(Cell(t: .count(r.numeratorMonth)))
            w.td(Cell(t: .pct(r.coverageMonthPct), c: st))
            w.td(Cell(t: .pct(r.targetPct)))
            w.td(Cell(t: .gap(r.gapPct)))
        case .cumulativeCoverage:
            w.td(Cell(t: .sasaran(r.denominator)))
            w.td(Cell(t: prevN))
            w.td(Cell(t: .pct(r.coveragePrevMonthPct)))
            w.td(Cell(t: .count(r.numeratorMonth)))
            w.td(Cell(t: .pct(r.coverageMonthPct)))
            w.td(Cell(t: .count(r.numeratorCumulative)))
            w.td(Cell(t: .pct(r.coverageCumulativePct), c: st))
            w.td(Cell(t: .pct(r.targetPct)))
            w.td(Cell(t: .gap(r.gapPct)))
        }
        w.td(Cell(t: .literal(ReportText.trend(r.trend))))
        if ms != .count {
            w.td(Cell(t: .text(ReportText.status(r.status)), c: st))
            w.td(Cell(t: isTotal ? .literal("") : .count(rank)))
        }
        w.rowClose()
    }

    // MARK: - Trend

    private func trendChart(_ info: IndicatorInfo, _ ms: Measure) -> (ReportCharts.LineChart, String, String?) {
        let area = kabkotaCode ?? ""
        let kabName = areaNames[area] ?? area
        var values: [(month: Int, value: Double?, text: String)] = []
        for month in 1...max(m, 1) {
            guard let r = row(position(info), .kabkota, area, month) else { continue }
            let v = mainValue(r, ms)
            values.append((month, v, mainLabel(r, ms)))
        }
        var target: [(month: Int, value: Double)] = []
        if ms != .count, let annual = info.targetAnnual {
            // Monthly scope, or a ratio (a rate, a prevalence, an area count — indicators.csv's
            // target_pct): the annual target every month. A target group's cumulative coverage:
            // annual × m / 12, drawn to December so the reader sees where the year must end.
            target = ms == .monthlyCoverage || !info.proratesTarget ? [(1, annual.value), (12, annual.value)]
                : (1...12).map { ($0, annual.value * Double($0) / 12) }
        }
        let what: String
        switch ms {
        case .cumulativeCoverage: what = "\(Self.coverageWord(info)) kumulatif (%)"
        case .monthlyCoverage: what = "\(Self.coverageWord(info)) per bulan (%)"
        case .count: what = "jumlah kumulatif"
        }
        let title = "Tren \(what) \(info.id), \(ReportText.regency(kabName)), Januari–\(ReportText.monthName(m)) \(input.asOf.year)"
        let note: String? = values.contains(where: { $0.value != nil }) ? nil
            : "Belum ada nilai untuk digambar (tidak ada sasaran atau belum ada data)."
        let chart = ReportCharts.lineChart(
            label: title, values: values, target: target,
            targetText: info.targetAnnual.map { "Target \(ReportText.pct($0)) %" } ?? "", isCount: ms == .count)
        return (chart, title, note)
    }

    private func trendTable(_ info: IndicatorInfo, _ ms: Measure) -> Table {
        let ind = position(info)
        var head = [Head(ht: "Wilayah")]
        for month in 1...max(m, 1) { head.append(Head(ht: ReportText.monthShortName(month))) }
        var body: [TRow] = []
        func line(_ level: AreaLevel, _ area: String, _ name: String, total: Bool) {
            var cells: [Cell] = []
            for month in 1...max(m, 1) {
                if let r = row(ind, level, area, month) {
                    cells.append(Cell(t: mainCell(r, ms), c: ms == .count ? nil : ReportText.statusClass(r.status)))
                } else {
                    cells.append(Cell(t: .literal("–")))
                }
            }
            body.append(TRow(rc: total ? "total" : nil, th: Cell(t: .text(name)), cells: cells))
        }
        if let kab = kabkotaCode { line(.kabkota, kab, ReportText.regency(areaNames[kab] ?? kab), total: true) }
        for p in puskesmasCodes where p != Self.noPuskesmas {
            line(.puskesmas, p, puskesmasTitle(p), total: false)
        }
        if ms != .count, info.targetAnnual != nil, let kab = kabkotaCode {
            var cells: [Cell] = []
            for month in 1...max(m, 1) {
                cells.append(Cell(t: .pct(row(ind, .kabkota, kab, month)?.targetPct)))
            }
            body.append(TRow(rc: "target", th: Cell(t: .literal("Target %")), cells: cells))
        }
        return Table(tcls: "trend", caption: nil, head: [HeadRow(hcells: head)], rows: body)
    }

    // MARK: - RW/RT drill-down (as-of month only, all indicators in one table per village)

    /// One table per village: the village total, its RWs, and the RTs under each RW. A village
    /// shows its RTs only when all its RW and RT rows fit in `ReportLimits.drillRows`; otherwise
    /// its RWs (as many as fit), with a note of what is left out and where it is.
    private func drillDown() -> ([DrillPuskesmas], String?) {
        var out: [DrillPuskesmas] = []
        if input.drillDown == .off { return (out, nil) }
        let infos = input.indicators.map { (position($0), measure($0)) }
        var head = [Head(ht: "Wilayah")]
        for info in input.indicators { head.append(Head(ht: info.id)) }
        let headRows = [HeadRow(hcells: head)]
        func drillRow(_ rc: StaticString?, _ name: String, _ level: AreaLevel, _ code: String, into w: inout HTMLWriter) {
            let area = knownArea(code, level)
            w.rowOpen(rc, th: Cell(t: .text(name)))
            for (ind, ms) in infos {
                guard let i = rowIndex(ind, level, area, m) else {
                    w.td(Cell(t: .literal("–")))
                    continue
                }
                // Numerator/sasaran, not a percentage: at RT level the sasaran is a handful of
                // people and "2/7" says more than "28,57". The status tables carry the percentages.
                // (A row is computed when read: once per cell, as a district has a quarter of a
                // million such cells.)
                let r = input.rows[i]
                let value: CellValue = switch ms {
                case .count: .count(r.numeratorCumulative ?? r.numeratorMonth)
                case .cumulativeCoverage: .ofSasaran(r.numeratorCumulative, r.denominator)
                case .monthlyCoverage: .ofSasaran(r.numeratorMonth, r.denominator)
                }
                let status = r.status
                w.td(Cell(t: value, letter: ReportText.statusLetter(status),
                          c: ms == .count ? nil : ReportText.statusClass(status)))
            }
            w.rowClose()
        }
        let frame = Table(tcls: "drill", caption: nil, head: headRows, rows: [])
        let cap = input.limits.drillRows(villages: villageNames.count)
        var shortened = 0
        for p in puskesmasCodes {
            let vs = villages(of: p)
            if vs.isEmpty { continue }
            var drillVillages = HTMLWriter(capacity: 1 << 16)
            for v in vs {
                let rws = (rwsOf[v] ?? []).sorted(by: Self.byteOrder)
                let rtsOfRW = input.drillDown == .rt ? rws.map { (rtsOf[$0] ?? []).sorted(by: Self.byteOrder) } : []
                let rtCount = rtsOfRW.reduce(0) { $0 + $1.count }
                let showRTs = rws.count + rtCount <= cap
                let shownRWs = min(rws.count, cap)
                var note: String?
                if shownRWs < rws.count {
                    note = "Hanya \(shownRWs) dari \(ReportText.int(rws.count)) RW yang ditampilkan (urut kode)"
                        + (rtCount > 0 ? ", tanpa RT" : "")
                        + "; angka semua RW dan RT ada di indicators.csv."
                } else if !showRTs, rtCount > 0 {
                    note = "RT tidak ditampilkan: desa ini memiliki \(ReportText.int(rws.count)) RW dan "
                        + "\(ReportText.int(rtCount)) RT, lebih dari \(cap) baris; angka per RT ada di indicators.csv (level rt)."
                }
                if note != nil { shortened += 1 }
                drillVillages.drillVillage(
                    anchor: drillAnchors[v]!, name: villageNames[v] ?? v,
                    counts: input.drillDown == .rt ? "\(ReportText.int(rws.count)) RW, \(ReportText.int(rtCount)) RT"
                        : "\(ReportText.int(rws.count)) RW",
                    table: frame, note: note) { w in
                    drillRow("total", "Desa \(villageNames[v] ?? v)", .desa, v, into: &w)
                    for (i, rw) in rws.prefix(shownRWs).enumerated() {
                        drillRow("rw", areaNames[rw] ?? rw, .rw, rw, into: &w)
                        if showRTs, i < rtsOfRW.count {
                            for rt in rtsOfRW[i] { drillRow(nil, areaNames[rt] ?? rt, .rt, rt, into: &w) }
                        }
                    }
                }
            }
            out.append(DrillPuskesmas(dpname: puskesmasTitle(p), villages: drillVillages.html))
        }
        var notes: [String] = []
        if input.drillDown == .rw {
            notes.append("Hanya sampai RW; angka per RT ada di indicators.csv (level rt).")
        }
        if shortened > 0 {
            notes.append("Agar halaman tetap ringan, tiap desa/kelurahan memuat paling banyak \(cap) baris RW/RT; "
                         + "\(ReportText.int(shortened)) desa/kelurahan diringkas (lihat catatan di bawah tabelnya).")
        }
        if let o = input.ownTargetsOverEstimates {
            notes.append("Sasaran RW dan RT adalah perkiraan dari jumlah penduduk register; di \(ReportText.int(o.villages)) "
                         + "desa/kelurahan yang memiliki sasaran sendiri jumlahnya tidak sama dengan sasaran desa itu "
                         + "(mis. \(ReportText.denominator(o.group)) \(o.village): sasaran desa \(ReportText.sasaran(o.own)), "
                         + "jumlah RW \(ReportText.sasaran(o.below))).")
        }
        return (out, notes.isEmpty ? nil : notes.joined(separator: " "))
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
        // Two decimals rounded half away from zero, as the workbook's "Tingkat penolakan %" and the
        // console's reject rate: with one decimal a published 4,97 % read "5,0 %" beside a 5 % limit.
        let rate = Percent.of(a.rowsRejected, a.rowsRead).map { ReportText.pct($0) + " %" } ?? "–"

        // Per source file (the facility proxy) and per rule, in one pass. Diagnostics come file by
        // file, so the last file's tally is reused without hashing its name again.
        let rules = RuleCode.allCases
        var rulePosition: [RuleCode: Int] = [:]
        for (i, rule) in rules.enumerated() { rulePosition[rule] = i }
        struct Tally { var rejects = 0; var warnings = 0; var rules: [Int] }
        var ruleCounts = Array(repeating: 0, count: rules.count)
        var sourcePosition: [String: Int] = [:]
        var sourceNames: [String] = []
        var tallies: [Tally] = []
        var last: (source: String, position: Int)?
        for (diagnostics, isReject) in [(input.rejects, true), (input.warnings, false)] {
            // Two fields of each diagnostic, read in place (a big district has hundreds of thousands).
            diagnostics.withUnsafeBufferPointer { ds in
                for i in ds.indices {
                    let p: Int
                    if let last, last.source == ds[i].location.source {
                        p = last.position
                    } else {
                        let source = ds[i].location.source
                        if let known = sourcePosition[source] {
                            p = known
                        } else {
                            p = tallies.count
                            sourcePosition[source] = p
                            sourceNames.append(source)
                            tallies.append(Tally(rules: Array(repeating: 0, count: rules.count)))
                        }
                        last = (source, p)
                    }
                    let r = rulePosition[ds[i].rule]!
                    ruleCounts[r] += 1
                    tallies[p].rules[r] += 1
                    if isReject { tallies[p].rejects += 1 } else { tallies[p].warnings += 1 }
                }
            }
        }

        let ruleRows = rules.indices.compactMap { i -> TRow? in
            let rule = rules[i], n = ruleCounts[i]
            guard n > 0 else { return nil }
            let kind: StaticString = rule.severity == .error ? "ditolak" : "peringatan"
            return TRow(rc: rule.severity == .error ? "err" : "warn", th: Cell(t: .text(rule.rawValue)),
                        cells: [Cell(t: .text(ReportText.rule(rule)), c: "t"), Cell(t: .literal(kind), c: "t"), Cell(t: .count(n)),
                                Cell(t: .text(ReportText.action(rule)), c: "t")])
        }
        let byRule = Table(tcls: "rules", caption: nil,
                           head: [HeadRow(hcells: [Head(ht: "Aturan"), Head(ht: "Arti"), Head(ht: "Jenis"), Head(ht: "Jumlah"),
                                                   Head(ht: "Yang perlu dilakukan")])],
                           rows: ruleRows)

        // Most rejects first, then most warnings, then by name.
        // Counts first; names (byte order) break ties, and are compared only within the groups
        // of equal counts that reach into the rows shown — a big district has thousands of files
        // with a warning or two, and only the worst are listed.
        let counts = tallies.map { (rejects: $0.rejects, warnings: $0.warnings) }
        var sources = Array(tallies.indices)
        sources.sort { x, y in
            let cx = counts[x], cy = counts[y]
            if cx.rejects != cy.rejects { return cx.rejects > cy.rejects }
            if cx.warnings != cy.warnings { return cx.warnings > cy.warnings }
            return x < y
        }
        var groupStart = 0
        while groupStart < min(input.limits.sourceFiles, sources.count) {
            var groupEnd = groupStart + 1
            while groupEnd < sources.count, counts[sources[groupEnd]] == counts[sources[groupStart]] { groupEnd += 1 }
            sources[groupStart..<groupEnd].sort { Self.byteOrder(sourceNames[$0], sourceNames[$1]) }
            groupStart = groupEnd
        }
        let shownSources = sources.prefix(input.limits.sourceFiles)
        let sourceRows = shownSources.map { p -> TRow in
            let t = tallies[p]
            let detail = rules.indices.filter { t.rules[$0] > 0 }.sorted { rules[$0] < rules[$1] }
                .map { "\(rules[$0].rawValue) \(t.rules[$0])" }.joined(separator: " · ")
            return TRow(rc: t.rejects > 0 ? "err" : "warn", th: Cell(t: .text(PersonID.maskIdentifiersInName(sourceNames[p]))),
                        cells: [Cell(t: .text(input.sourceFacilityNames[sourceNames[p]] ?? ""), c: "t"),
                                Cell(t: .count(t.rejects)), Cell(t: .count(t.warnings)),
                                Cell(t: .text(detail), c: "t")])
        }
        let sourceTable = Table(tcls: "sources", caption: nil,
                                head: [HeadRow(hcells: [Head(ht: "File sumber"), Head(ht: "Fasilitas"), Head(ht: "Ditolak"),
                                                        Head(ht: "Peringatan"), Head(ht: "Rincian aturan")])],
                                rows: sourceRows)

        var sourcesNote: String?
        if sources.count > shownSources.count {
            let rest = sources.dropFirst(shownSources.count)
            let restRejects = rest.reduce(0) { $0 + tallies[$1].rejects }
            let restWarnings = rest.reduce(0) { $0 + tallies[$1].warnings }
            sourcesNote = "Ditampilkan \(ReportText.int(shownSources.count)) dari \(ReportText.int(sources.count)) file sumber "
                + "(terbanyak ditolak dulu). \(ReportText.int(rest.count)) file lainnya (\(ReportText.int(restRejects)) ditolak, "
                + "\(ReportText.int(restWarnings)) peringatan) tidak ditampilkan; daftar lengkap per baris ada di rejects.csv dan warnings.csv."
        }

        let (completeness, note) = completenessTable()
        return QualityModel(accounting: accounting, identities: identities, rejectRate: rate,
                            byRule: Self.tableHTML(byRule), hasRules: !ruleRows.isEmpty, bySource: Self.tableHTML(sourceTable),
                            hasSources: !sourceRows.isEmpty, sourcesNote: sourcesNote,
                            completeness: Self.tableHTML(completeness),
                            hasCompleteness: !completeness.rows.isEmpty, completenessNote: note)
    }

    private static func heatClass(_ bin: Int) -> StaticString {
        switch bin {
        case ...0: "h0"
        case 1: "h1"
        case 2: "h2"
        case 3: "h3"
        default: "h4"
        }
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
        // By type, then facility (byte order).
        let keys = grid.keys.sorted {
            $0.type != $1.type ? Self.byteOrder($0.type, $1.type) : Self.byteOrder($0.facility, $1.facility)
        }
        var head = [Head(ht: "Fasilitas"), Head(ht: "Jenis")]
        for month in 1...max(m, 1) { head.append(Head(ht: ReportText.monthShortName(month))) }
        head.append(Head(ht: "Bulan lapor"))
        var reportedPerMonth = Array(repeating: 0, count: m + 1)
        var body: [TRow] = []
        for k in keys {
            var cells = [Cell(t: .text(ReportText.facilityType(k.type)), c: "t")]
            var reported = 0
            for month in 1...max(m, 1) {
                if let c = grid[k]?[month], c.reported {
                    reported += 1
                    reportedPerMonth[month] += 1
                    // Four shades by share of the busiest facility-month.
                    let bin = min(4, 1 + c.records * 4 / (maxRecords + 1))
                    cells.append(Cell(t: .count(c.records), c: Self.heatClass(bin),
                                      tip: .records(c.records, persons: c.persons)))
                } else {
                    cells.append(Cell(t: .literal("✗"), c: "h0", tip: .literal("tidak ada catatan yang dipakai")))
                }
            }
            cells.append(Cell(t: .fraction(reported, m)))
            body.append(TRow(rc: nil, th: Cell(t: .text(PersonID.maskEmbeddedIdentifiers(k.facility))), cells: cells))
        }
        if !keys.isEmpty {
            var cells = [Cell(t: .literal(""))]
            for month in 1...max(m, 1) {
                cells.append(Cell(t: .share(Double(reportedPerMonth[month]) * 100 / Double(keys.count))))
            }
            cells.append(Cell(t: .literal("")))
            body.append(TRow(rc: "total", th: Cell(t: .literal("Kelengkapan (% fasilitas lapor)")), cells: cells))
        }
        let note = "\(keys.count) fasilitas; angka = jumlah catatan layanan bulan itu; ✗ = tidak ada catatan yang dapat dipakai bulan itu (fasilitas tidak melapor, atau semua barisnya ditolak — lihat rejects.csv): hubungi fasilitas bertanda ✗."
        return (Table(tcls: "heatmap", caption: nil, head: [HeadRow(hcells: head)], rows: body), note)
    }
}
