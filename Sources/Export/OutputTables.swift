import PWSCore

/// `pws/<INDICATOR>.csv`: the classic PWS table for the as-of month — one row per village,
/// grouped by puskesmas with a total row each, and the kabupaten/kota total last.
public enum PWSTableCSV {
    public static let header = ["puskesmas_code", "puskesmas_name", "area_code", "area_name", "sasaran",
                                "last_month_n", "last_month_pct", "this_month_n", "this_month_pct",
                                "cumulative_n", "cumulative_pct", "target_pct", "gap_pct", "trend", "status"]

    /// Writes the table of `indicator` for one month from that month's rows of all levels.
    /// `villagePuskesmas` maps a desa code to its puskesmas code.
    @discardableResult
    public static func write(indicator: String, monthRows: [IndicatorRow], villagePuskesmas: [String: String],
                             to path: String, format: OutputFormat) throws -> Int {
        let table = try TableWriter(path: path, header: header, format: format)
        func pct(_ p: Percent?) -> String { p.map { format.decimal($0.text) } ?? "" }
        let rows = monthRows.filter { $0.indicator == indicator }
        let puskesmas = rows.filter { $0.level == .puskesmas }
        let villages = rows.filter { $0.level == .desa }
        func line(_ pkm: IndicatorRow, _ r: IndicatorRow, total: Bool) throws {
            try table.row([pkm.areaCode, pkm.areaName, total ? "" : r.areaCode,
                           total ? "TOTAL \(r.areaName)" : r.areaName,
                           r.denominator.map { $0.outputText(decimalMark: format.decimalComma ? "," : ".") } ?? "", String(r.numeratorPrevMonth), pct(r.coveragePrevMonthPct),
                           String(r.numeratorMonth), pct(r.coverageMonthPct), r.numeratorCumulative.map(String.init) ?? "",
                           pct(r.coverageCumulativePct), pct(r.targetPct), pct(r.gapPct), r.trend, r.status])
        }
        for pkm in puskesmas {
            for v in villages where villagePuskesmas[v.areaCode] == pkm.areaCode {
                try line(pkm, v, total: false)
            }
            try line(pkm, pkm, total: true)
        }
        for kab in rows where kab.level == .kabkota {
            try table.row(["", "", kab.areaCode, "TOTAL \(kab.areaName)", kab.denominator.map { $0.outputText(decimalMark: format.decimalComma ? "," : ".") } ?? "",
                           String(kab.numeratorPrevMonth), pct(kab.coveragePrevMonthPct), String(kab.numeratorMonth),
                           pct(kab.coverageMonthPct), kab.numeratorCumulative.map(String.init) ?? "",
                           pct(kab.coverageCumulativePct), pct(kab.targetPct), pct(kab.gapPct), kab.trend, kab.status])
        }
        try table.close()
        return table.rows
    }
}

/// `completeness.csv`: per facility and month, records, persons and whether it reported.
public enum CompletenessCSV {
    public static let header = ["facility", "facility_type", "year", "month", "records", "persons", "reported"]

    @discardableResult
    public static func write(_ rows: [CompletenessRow], to path: String, format: OutputFormat) throws -> Int {
        let table = try TableWriter(path: path, header: header, format: format)
        for r in rows {
            try table.row([r.facility, r.facilityType, String(r.year), String(r.month), String(r.records),
                           String(r.persons), r.reported ? "ya" : "tidak"])
        }
        try table.close()
        return table.rows
    }
}
