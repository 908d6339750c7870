import PWSCore

/// `pws/<INDICATOR>.csv`: the classic PWS table for the as-of month — one row per village,
/// grouped by puskesmas with a total row each, and the kabupaten/kota total last.
public enum PWSTableCSV {
    public static let header = ["puskesmas_code", "puskesmas_name", "area_code", "area_name", "sasaran",
                                "last_month_n", "last_month_pct", "this_month_n", "this_month_pct",
                                "cumulative_n", "cumulative_pct", "target_pct", "gap_pct", "trend", "status", "rank"]

    /// Writes the table of `indicator` for one month from that month's rows of all levels.
    /// `villagePuskesmas` maps a desa code to its puskesmas code; `direction` orders the `rank`
    /// column (`PWSRanking`; total rows have none).
    @discardableResult
    public static func write(indicator: String, monthRows: [IndicatorRow], villagePuskesmas: [String: String],
                             direction: IndicatorDirection = .higherIsBetter,
                             to path: String, format: OutputFormat) throws -> WrittenFile {
        let table = try TableWriter(path: path, header: header, format: format)
        func pct(_ p: Percent?) -> String { p.map { format.decimal($0.text) } ?? "" }
        for line in PWSTable.lines(indicator: indicator, monthRows: monthRows, villagePuskesmas: villagePuskesmas,
                                   direction: direction) {
            let r = line.row
            let puskesmasCode = line.puskesmas?.areaCode ?? "", puskesmasName = line.puskesmas?.areaName ?? ""
            let areaCode = line.kind == .puskesmasTotal ? "" : r.areaCode
            let areaName = line.kind == .village ? r.areaName : "TOTAL \(r.areaName)"
            let counts = [r.denominator.map { $0.outputText(decimalMark: format.decimalComma ? "," : ".") } ?? "", String(r.numeratorPrevMonth)]
            try table.row([puskesmasCode, puskesmasName, areaCode, areaName] + counts
                          + [pct(r.coveragePrevMonthPct), String(r.numeratorMonth), pct(r.coverageMonthPct),
                             r.numeratorCumulative.map(String.init) ?? "", pct(r.coverageCumulativePct),
                             pct(r.targetPct), pct(r.gapPct), r.trend, r.status, line.rank.map(String.init) ?? ""])
        }
        return try table.close()
    }
}

/// `completeness.csv`: per facility and month, records, persons and whether it reported.
public enum CompletenessCSV {
    public static let header = ["facility", "facility_type", "year", "month", "records", "persons", "reported"]

    @discardableResult
    public static func write(_ rows: [CompletenessRow], to path: String, format: OutputFormat) throws -> WrittenFile {
        let table = try TableWriter(path: path, header: header, format: format)
        for r in rows {
            // A NIK typed as the facility code is masked (spec §7; rows keep the full id's order).
            try table.row([PersonID.maskEmbeddedIdentifiers(r.facility), r.facilityType, String(r.year), String(r.month), String(r.records),
                           String(r.persons), r.reported ? "ya" : "tidak"])
        }
        return try table.close()
    }
}
