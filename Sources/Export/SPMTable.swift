import Aggregate
import PWSCore

/// One row of `spm.csv` (amendments-2 §A5, docs/spm.md): one SPM service at one kabupaten/kota
/// or puskesmas for one quarter, or the year to date.
public struct SPMRow: Sendable, Hashable {
    public var year: Int
    /// 1…4, or nil for the year to date (`YTD`).
    public var quarter: Int?
    public var level: AreaLevel
    public var areaCode: String
    public var areaName: String
    /// The service's id in the SPM catalogue (`SPM01_IBU_HAMIL`).
    public var service: String
    /// Its name (`Pelayanan kesehatan ibu hamil`), for the workbook.
    public var serviceName: String
    /// The year's target population of the area (its denominator, exact, §A1); nil without one.
    public var sasaran: ExactDecimal?
    /// Subjects first meeting the standard in the period (a quarter's months, or January … M).
    public var served: Int
    /// sasaran − served, never below 0; nil without a sasaran.
    public var notServed: ExactDecimal?
    /// served / sasaran × 100, rounded half away from zero to hundredths; nil without a positive sasaran.
    public var capaian: Percent?

    /// `1` … `4` or `YTD`.
    public var quarterText: String { quarter.map(String.init) ?? "YTD" }
}

/// The SPM figures of a run, from the values of the Aggregate stage run on the SPM catalogue.
///
/// A service counts a subject once, in the month it first meets the standard (each SPM service is
/// a `year` or `lifetime` indicator, `SPMCatalogue`): a quarter's figure is the sum of its
/// months' numerators (January … March for quarter 1; a quarter still running stops at the
/// as-of month M), so the quarters add up to the year to date, which is the cumulative numerator
/// at M. The sasaran is the year's denominator in every period, as the SPM report gives it.
public enum SPMTable {
    /// The columns of spm.csv, in order (amendments-2 §A5).
    public static let header = ["year", "quarter", "level", "area_code", "area_name", "service", "sasaran",
                                "served_to_standard", "not_served", "capaian_pct"]

    /// The quarters that have started by the as-of month M: 1 … ⌈M/3⌉.
    public static func quarters(asOfMonth m: Int) -> ClosedRange<Int> { 1...max(1, (m + 2) / 3) }

    /// Every row in output order: quarter 1 … ⌈M/3⌉ then YTD; in each, the kabupaten/kota, then
    /// the puskesmas by code; in each, the services in catalogue order. `names` are the
    /// services' names by id (the catalogue's `name`).
    public static func rows(_ values: IndicatorValues, names: [String: String] = [:]) -> [SPMRow] {
        let m = values.asOfMonth
        let areas = values.order.filter { values.areas[$0].level == .kabkota || values.areas[$0].level == .puskesmas }
        var out: [SPMRow] = []
        let periods: [Int?] = quarters(asOfMonth: m).map { Optional($0) } + [nil]
        for q in periods {
            let months = q.map { (3 * $0 - 2)...min(3 * $0, m) } ?? 1...m
            for a in areas {
                let area = values.areas[a]
                for (i, info) in values.indicators.enumerated() {
                    let last = values.figures(month: m, area: a, indicator: i)
                    var served = 0
                    if q == nil, let c = last.numeratorCumulative {
                        served = c
                    } else {
                        for k in months { served += values.figures(month: k, area: a, indicator: i).numeratorMonth }
                    }
                    let sasaran = last.denominator
                    var notServed: ExactDecimal?
                    if let s = sasaran, let d = s.adding(ExactDecimal(-served)) {
                        notServed = d.isPositive ? d : .zero
                    }
                    let capaian = sasaran.flatMap { $0.isPositive ? ExactFraction.percentHundredths(served, $0) : nil }
                        .map { Percent(hundredths: $0) }
                    out.append(SPMRow(year: values.year, quarter: q, level: area.level, areaCode: area.code,
                                      areaName: area.name, service: info.id, serviceName: names[info.id] ?? info.name,
                                      sasaran: sasaran, served: served, notServed: notServed, capaian: capaian))
                }
            }
        }
        return out
    }

    /// The cells of one row as spm.csv writes them (decimals with `,` in the Excel format).
    public static func cells(_ r: SPMRow, format: OutputFormat) -> [String] {
        let mark: Character = format.decimalComma ? "," : "."
        return [String(r.year), r.quarterText, r.level.rawValue, r.areaCode, r.areaName, r.service,
                r.sasaran?.outputText(decimalMark: mark) ?? "", String(r.served),
                r.notServed?.outputText(decimalMark: mark) ?? "", r.capaian.map { format.decimal($0.text) } ?? ""]
    }

    /// Writes spm.csv; returns the number of data rows and the digest.
    @discardableResult
    public static func write(_ rows: [SPMRow], to path: String, format: OutputFormat) throws -> WrittenFile {
        let table = try TableWriter(path: path, header: header, format: format)
        for r in rows { try table.row(cells(r, format: format)) }
        return try table.close()
    }
}
