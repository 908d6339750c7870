import Aggregate
import Foundation
import PWSCore

/// The row accounting of spec §3 as the `Kualitas data` sheet shows it.
public struct WorkbookQuality: Sendable {
    /// One input file's counts (or the total).
    public struct File: Sendable {
        public var source: String
        public var read, rejected, accepted, used, duplicate, outOfPeriod, blank: Int
        public init(source: String, read: Int, rejected: Int, accepted: Int, used: Int, duplicate: Int,
                    outOfPeriod: Int, blank: Int) {
            self.source = source
            self.read = read
            self.rejected = rejected
            self.accepted = accepted
            self.used = used
            self.duplicate = duplicate
            self.outOfPeriod = outOfPeriod
            self.blank = blank
        }
    }

    public var files: [File]
    public var total: File
    /// Rejected / read, as a fraction.
    public var rejectRate: Double
    /// Rule code → rows (rejects) and rule code → warnings.
    public var rejectsByRule: [String: Int]
    public var warningsByRule: [String: Int]

    public init(files: [File], total: File, rejectRate: Double, rejectsByRule: [String: Int],
                warningsByRule: [String: Int]) {
        self.files = files
        self.total = total
        self.rejectRate = rejectRate
        self.rejectsByRule = rejectsByRule
        self.warningsByRule = warningsByRule
    }
}

/// `pws.xlsx` (§A6): the run's tables as one Excel workbook, in Indonesian, numbers as numeric
/// cells with formats (never text), written with libxlsxwriter in constant-memory mode.
///
/// Sheets, in order: `Ringkasan` (status per puskesmas and indicator), one per indicator (the
/// PWS table of `pws/<ID>.csv`, same columns and order), `Indikator` (the rows of
/// `indicators.csv` at desa level and above, same columns and order; beyond Excel's
/// 1,048,575 data rows it continues in `Indikator (2)`, `Indikator (3)` …, each with the header),
/// `Kualitas data` (the §3 accounting and the rejects and warnings by rule).
public enum PWSWorkbook {
    /// Header of the indicator sheets: `pws/<ID>.csv`'s columns, in Indonesian.
    public static let pwsHeader = ["Kode Puskesmas", "Puskesmas", "Kode Wilayah", "Desa/Kelurahan", "Sasaran",
                                   "Bulan lalu n", "Bulan lalu %", "Bulan ini n", "Bulan ini %", "Kumulatif n",
                                   "Kumulatif %", "Target %", "Selisih", "Tren", "Status", "Peringkat"]
    /// Header of `Indikator`: `indicators.csv`'s columns, in Indonesian, then the puskesmas of
    /// a desa or puskesmas row (a village's parent is its kecamatan, which may hold several
    /// puskesmas: without it a puskesmas's villages could not be filtered).
    public static let indicatorHeader = ["Tahun", "Bulan", "Tingkat", "Kode Wilayah", "Nama Wilayah", "Kode Induk",
                                         "Indikator", "Lingkup", "Pembilang Bulan Ini", "Pembilang Kumulatif",
                                         "Penyebut", "Sumber Penyebut", "Cakupan Bulan Ini %",
                                         "Cakupan Kumulatif %", "Cakupan Bulan Lalu %", "Target Tahunan %",
                                         "Target %", "Selisih", "Tren", "Status", "Kode Puskesmas", "Puskesmas"]
    /// Excel's data rows per sheet below one header row.
    public static let maxDataRows = XLSXWriter.maxRows - 1

    /// Writes `path`. `monthRows` are the as-of month's desa, puskesmas and kabupaten rows (as
    /// for the PWS tables); `created` goes into the document properties (a fixed value keeps
    /// the file byte-identical across reruns); `rowsPerSheet` exists for tests of the split.
    public static func write(values: IndicatorValues, monthRows: [IndicatorRow], villagePuskesmas: [String: String],
                             quality: WorkbookQuality, created: Date, to path: String,
                             rowsPerSheet: Int = maxDataRows) throws {
        try write(values: values, monthRows: monthRows, villagePuskesmas: villagePuskesmas, quality: { quality },
                  created: created, to: path, rowsPerSheet: rowsPerSheet)
    }

    /// As above, with the accounting asked for only when its sheet, the last, is written: a
    /// run starts the workbook before its warnings are all counted.
    public static func write(values: IndicatorValues, monthRows: [IndicatorRow], villagePuskesmas: [String: String],
                             quality: () throws -> WorkbookQuality, created: Date, to path: String,
                             rowsPerSheet: Int = maxDataRows) throws {
        let m = values.asOfMonth
        let period = "\(ReportText.monthName(m)) \(values.year)"
        let book = try XLSXWriter(path: path, title: "PWS \(period)", created: created)
        let styles = Styles(book)
        var taken: Set<String> = ["Ringkasan", "Kualitas data", "Indikator"]

        try ringkasan(book, styles, values: values, monthRows: monthRows, period: period)
        for info in values.indicators {
            let name = XLSXWriter.sheetName(info.id, taken: taken)
            taken.insert(name)
            let sheet = try book.addSheet(name)
            try pwsSheet(sheet, styles, info: info, period: period,
                         lines: PWSTable.lines(indicator: info.id, monthRows: monthRows,
                                               villagePuskesmas: villagePuskesmas, direction: info.direction))
        }
        let puskesmasNames = Dictionary(monthRows.lazy.filter { $0.level == .puskesmas }.map { ($0.areaCode, $0.areaName) },
                                        uniquingKeysWith: { first, _ in first })
        try indikator(book, styles, values: values, rowsPerSheet: max(1, min(rowsPerSheet, maxDataRows)), taken: &taken,
                      puskesmasOf: { level, code in
                          let puskesmas = level == .puskesmas ? code : level == .desa ? villagePuskesmas[code] : nil
                          return puskesmas.map { ($0, puskesmasNames[$0] ?? "") }
                      })
        try kualitas(book, styles, try quality())
        try book.close()
    }

    /// The formats of the workbook, made once.
    struct Styles {
        let title, header, count, pct, totalText, totalCount, totalPct: XLSXWriter.Format
        /// Denominators that are not whole (decimal sasaran, §A1): up to 2 decimals shown,
        /// the cell keeps the value.
        let decimal, totalDecimal: XLSXWriter.Format
        /// Status → (text cell, percentage cell) coloured as the report (`ReportTemplates`).
        let status: [String: (text: XLSXWriter.Format, pct: XLSXWriter.Format)]

        init(_ book: XLSXWriter) {
            title = book.format(bold: true)
            header = book.format(bold: true, fill: 0xD9E1F2)
            count = book.format(number: "#,##0")
            pct = book.format(number: "0.00")
            totalText = book.format(bold: true)
            totalCount = book.format(number: "#,##0", bold: true)
            totalPct = book.format(number: "0.00", bold: true)
            decimal = book.format(number: "#,##0.##")
            totalDecimal = book.format(number: "#,##0.##", bold: true)
            // The report's colours (Okabe–Ito): baik #009E73, kurang #F0E442, cukup #E69F00,
            // jelek #D55E00, with white text on the two dark ones.
            let colours: [(String, UInt32, UInt32)] = [("baik", 0x009E73, 0xFFFFFF), ("kurang", 0xF0E442, 0x000000),
                                                       ("cukup", 0xE69F00, 0x000000), ("jelek", 0xD55E00, 0xFFFFFF)]
            var status: [String: (XLSXWriter.Format, XLSXWriter.Format)] = [:]
            for (name, fill, font) in colours {
                status[name] = (book.format(fill: fill, font: font), book.format(number: "0.00", fill: fill, font: font))
            }
            self.status = status
        }
    }

    private static func header(_ sheet: XLSXWriter.Sheet, _ s: Styles, row: Int, _ cells: [String]) throws {
        for (c, text) in cells.enumerated() { try sheet.string(row, c, text, s.header) }
    }

    private static func pctValue(_ p: Percent) -> Double { Double(p.hundredths) / 100 }

    // MARK: - Ringkasan

    /// Status per puskesmas (rows) and indicator with a target (columns) in the as-of month, and
    /// the kabupaten/kota last.
    private static func ringkasan(_ book: XLSXWriter, _ s: Styles, values: IndicatorValues,
                                  monthRows: [IndicatorRow], period: String) throws {
        let sheet = try book.addSheet("Ringkasan")
        let shown = values.indicators.filter { !$0.isCountOnly }
        try sheet.string(0, 0, "Ringkasan status PWS per puskesmas — \(period)", s.title)
        try header(sheet, s, row: 1, ["Kode Puskesmas", "Puskesmas"] + shown.map(\.id))
        sheet.freeze(rows: 2, columns: 2)
        sheet.columnWidth(0, 0, 16)
        sheet.columnWidth(1, 1, 28)
        var status: [String: [String: String]] = [:]  // area code → indicator → status
        var areas: [(code: String, name: String, total: Bool)] = []
        for level in [AreaLevel.puskesmas, .kabkota] {
            for r in monthRows where r.level == level {
                if status[r.areaCode] == nil {
                    areas.append((r.areaCode, r.areaName, level == .kabkota))
                    status[r.areaCode] = [:]
                }
                status[r.areaCode]![r.indicator] = r.status
            }
        }
        for (k, area) in areas.enumerated() {
            let row = 2 + k
            try sheet.string(row, 0, area.code, area.total ? s.totalText : .none)
            try sheet.string(row, 1, area.total ? "TOTAL \(area.name)" : area.name, area.total ? s.totalText : .none)
            for (c, info) in shown.enumerated() {
                let st = status[area.code]?[info.id] ?? ""
                try sheet.string(row, 2 + c, st, s.status[st]?.text ?? .none)
            }
        }
    }

    // MARK: - One sheet per indicator

    private static func pwsSheet(_ sheet: XLSXWriter.Sheet, _ s: Styles, info: IndicatorInfo, period: String,
                                 lines: [PWSTable.Line]) throws {
        try sheet.string(0, 0, "Tabel PWS \(info.id) — \(info.name), \(period)", s.title)
        try header(sheet, s, row: 1, pwsHeader)
        sheet.freeze(rows: 2, columns: 4)
        sheet.columnWidth(0, 0, 16)
        sheet.columnWidth(1, 1, 24)
        sheet.columnWidth(2, 2, 14)
        sheet.columnWidth(3, 3, 28)
        sheet.columnWidth(4, 15, 11)
        // The coloured coverage, as in the report: the cumulative one, or the month's for monthly scope.
        let mainColumn = info.scope == "monthly" ? 8 : 10
        for (k, line) in lines.enumerated() {
            let row = 2 + k, r = line.row
            let total = line.kind != .village
            let text = total ? s.totalText : .none, count = total ? s.totalCount : s.count
            let pct = total ? s.totalPct : s.pct
            let coloured = s.status[r.status]
            try sheet.string(row, 0, line.puskesmas?.areaCode ?? "", text)
            try sheet.string(row, 1, line.puskesmas?.areaName ?? "", text)
            try sheet.string(row, 2, line.kind == .puskesmasTotal ? "" : r.areaCode, text)
            try sheet.string(row, 3, total ? "TOTAL \(r.areaName)" : r.areaName, text)
            func number(_ column: Int, _ v: Int?) throws {
                if let v { try sheet.number(row, column, Double(v), count) }
            }
            func number(_ column: Int, _ v: ExactDecimal?) throws {
                if let v { try sheet.number(row, column, v, whole: count, decimal: total ? s.totalDecimal : s.decimal) }
            }
            func percent(_ column: Int, _ p: Percent?) throws {
                guard let p else { return }
                try sheet.number(row, column, pctValue(p), column == mainColumn ? coloured?.pct ?? pct : pct)
            }
            try number(4, r.denominator)
            try number(5, r.numeratorPrevMonth)
            try percent(6, r.coveragePrevMonthPct)
            try number(7, r.numeratorMonth)
            try percent(8, r.coverageMonthPct)
            try number(9, r.numeratorCumulative)
            try percent(10, r.coverageCumulativePct)
            try percent(11, r.targetPct)
            try percent(12, r.gapPct)
            try sheet.string(row, 13, r.trend, text)
            try sheet.string(row, 14, r.status, coloured?.text ?? text)
            try number(15, line.rank)
        }
    }

    // MARK: - Indikator

    /// The `indicators.csv` rows of the kabupaten, kecamatan, puskesmas and desa levels, every
    /// month, split over sheets of at most `rowsPerSheet` data rows, each desa and puskesmas row
    /// with its puskesmas (`puskesmasOf`).
    private static func indikator(_ book: XLSXWriter, _ s: Styles, values: IndicatorValues, rowsPerSheet: Int,
                                  taken: inout Set<String>,
                                  puskesmasOf: (AreaLevel, String) -> (code: String, name: String)?) throws {
        var sheet: XLSXWriter.Sheet?
        var row = 0, sheets = 0
        func start() throws -> XLSXWriter.Sheet {
            sheets += 1
            let name = sheets == 1 ? "Indikator" : XLSXWriter.sheetName("Indikator (\(sheets))", taken: taken)
            taken.insert(name)
            let next = try book.addSheet(name)
            try header(next, s, row: 0, indicatorHeader)
            next.freeze(rows: 1)
            next.columnWidth(3, 4, 20)
            row = 1
            return next
        }
        func close(_ sheet: XLSXWriter.Sheet?) {
            sheet?.autofilter(firstRow: 0, lastRow: max(0, row - 1), firstColumn: 0, lastColumn: indicatorHeader.count - 1)
        }
        let levels: Set<AreaLevel> = [.kabkota, .kecamatan, .puskesmas, .desa]
        try values.forEach(include: { level, _ in levels.contains(level) }) { figures in
            if sheet == nil || row > rowsPerSheet {
                close(sheet)
                sheet = try start()
            }
            let r = values.row(figures)
            let out = sheet!
            func number(_ column: Int, _ v: Int?) throws {
                if let v { try out.number(row, column, Double(v), s.count) }
            }
            func number(_ column: Int, _ v: ExactDecimal?) throws {
                if let v { try out.number(row, column, v, whole: s.count, decimal: s.decimal) }
            }
            func percent(_ column: Int, _ p: Percent?) throws {
                if let p { try out.number(row, column, pctValue(p), s.pct) }
            }
            try out.number(row, 0, Double(r.year))
            try out.number(row, 1, Double(r.month))
            try out.string(row, 2, r.level.rawValue)
            try out.string(row, 3, r.areaCode)
            try out.string(row, 4, r.areaName)
            try out.string(row, 5, r.parentCode)
            try out.string(row, 6, r.indicator)
            try out.string(row, 7, r.scope)
            try number(8, r.numeratorMonth)
            try number(9, r.numeratorCumulative)
            try number(10, r.denominator)
            try out.string(row, 11, r.denominatorSource)
            try percent(12, r.coverageMonthPct)
            try percent(13, r.coverageCumulativePct)
            try percent(14, r.coveragePrevMonthPct)
            try percent(15, r.targetAnnualPct)
            try percent(16, r.targetPct)
            try percent(17, r.gapPct)
            try out.string(row, 18, r.trend)
            try out.string(row, 19, r.status, s.status[r.status]?.text ?? .none)
            if let puskesmas = puskesmasOf(r.level, r.areaCode) {
                try out.string(row, 20, puskesmas.code)
                try out.string(row, 21, puskesmas.name)
            }
            row += 1
        }
        if sheet == nil { sheet = try start() }  // no rows: the sheet with its header
        close(sheet)
    }

    // MARK: - Kualitas data

    private static func kualitas(_ book: XLSXWriter, _ s: Styles, _ q: WorkbookQuality) throws {
        let sheet = try book.addSheet("Kualitas data")
        sheet.columnWidth(0, 0, 36)
        sheet.columnWidth(1, 7, 14)
        try sheet.string(0, 0, "Penghitungan baris data layanan (dibaca = ditolak + diterima; diterima = dipakai + duplikat + di luar periode)", s.title)
        try header(sheet, s, row: 1, ["Berkas", "Dibaca", "Ditolak", "Diterima", "Dipakai", "Duplikat",
                                      "Di luar periode", "Baris kosong"])
        sheet.freeze(rows: 2)
        var row = 2
        for (f, total) in q.files.map({ ($0, false) }) + [(q.total, true)] {
            let count = total ? s.totalCount : s.count
            try sheet.string(row, 0, total ? "TOTAL" : PersonID.maskIdentifiersInName(f.source), total ? s.totalText : .none)
            for (c, v) in [f.read, f.rejected, f.accepted, f.used, f.duplicate, f.outOfPeriod, f.blank].enumerated() {
                try sheet.number(row, 1 + c, Double(v), count)
            }
            row += 1
        }
        row += 1
        try sheet.string(row, 0, "Tingkat penolakan %", s.totalText)
        // Its two-decimal value, as every percentage cell.
        let rate = Percent.of(q.total.rejected, q.total.read) ?? Percent(hundredths: Int((q.rejectRate * 10_000).rounded()))
        try sheet.number(row, 1, pctValue(rate), s.pct)
        row += 2
        for (title, counts) in [("Ditolak", q.rejectsByRule), ("Peringatan", q.warningsByRule)] {
            try header(sheet, s, row: row, ["Aturan", title])
            row += 1
            for (rule, n) in counts.sorted(by: { $0.key < $1.key }) {
                try sheet.string(row, 0, rule)
                try sheet.number(row, 1, Double(n), s.count)
                row += 1
            }
            row += 1
        }
    }
}
