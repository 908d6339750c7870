import Foundation
import PWSCore

/// `spm.xlsx` (amendments-2 §A6, docs/spm.md): the e-SPM table — per SPM service the *jumlah
/// sasaran*, those *mendapat pelayanan sesuai standar*, those who did not, and the *capaian* —
/// for the kabupaten/kota and each puskesmas, one sheet per quarter (`Triwulan 1` …) and one for
/// the year to date (`Kumulatif`). The same figures as spm.csv, as numeric cells with formats,
/// in Indonesian; written with libxlsxwriter like pws.xlsx.
public enum SPMWorkbook {
    /// The column headers of every sheet (the e-SPM report's terms).
    public static let header = ["Tingkat", "Kode Wilayah", "Nama Wilayah", "No", "Jenis Pelayanan Dasar",
                                "Jumlah Sasaran", "Mendapat Pelayanan Sesuai Standar",
                                "Tidak Mendapat Pelayanan Sesuai Standar", "Capaian (%)"]
    /// The sheet of a period: `Triwulan 1` … `Triwulan 4`, `Kumulatif` for the year to date.
    public static func sheetName(quarter: Int?) -> String { quarter.map { "Triwulan \($0)" } ?? "Kumulatif" }

    /// Writes `path` from spm.csv's rows (`SPMTable.rows`). `created` goes into the document
    /// properties (`--today`, so reruns give the same bytes).
    public static func write(rows: [SPMRow], year: Int, asOfMonth m: Int, regencyName: String, created: Date,
                             to path: String) throws {
        let book = try XLSXWriter(path: path, title: "SPM \(year) s.d. \(ReportText.monthName(m))", created: created)
        let title = book.format(bold: true)
        let head = book.format(bold: true, fill: 0xD9E1F2)
        let count = book.format(number: "#,##0"), decimal = book.format(number: "#,##0.##")
        let pct = book.format(number: "0.00")
        let bold = book.format(bold: true), boldCount = book.format(number: "#,##0", bold: true)
        let boldDecimal = book.format(number: "#,##0.##", bold: true), boldPct = book.format(number: "0.00", bold: true)
        // A service's number in the table: its position in the catalogue.
        var position: [String: Int] = [:]
        for r in rows where position[r.service] == nil { position[r.service] = position.count + 1 }

        var periods: [Int?] = []
        for r in rows where !periods.contains(r.quarter) { periods.append(r.quarter) }
        for q in periods {
            let sheet = try book.addSheet(sheetName(quarter: q))
            let months: String
            if let q {
                let first = 3 * q - 2, last = min(3 * q, m)
                months = first == last ? ReportText.monthName(first)
                    : "\(ReportText.monthName(first)) – \(ReportText.monthName(last))"
            } else {
                months = m == 1 ? "Januari" : "Januari – \(ReportText.monthName(m))"
            }
            let period = q.map { "Triwulan \($0) " } ?? "Kumulatif "
            try sheet.string(0, 0, "Capaian SPM Bidang Kesehatan — \(period)\(year) (\(months))", title)
            try sheet.string(1, 0, regencyName.isEmpty ? "" : ReportText.regency(regencyName), title)
            for (c, text) in header.enumerated() { try sheet.string(3, c, text, head) }
            sheet.freeze(rows: 4, columns: 3)
            sheet.columnWidth(0, 0, 14)
            sheet.columnWidth(1, 1, 14)
            sheet.columnWidth(2, 2, 26)
            sheet.columnWidth(3, 3, 5)
            sheet.columnWidth(4, 4, 52)
            sheet.columnWidth(5, 8, 16)
            var row = 4
            for r in rows where r.quarter == q {
                let total = r.level == .kabkota
                try sheet.string(row, 0, total ? "Kabupaten/Kota" : "Puskesmas", total ? bold : .none)
                try sheet.string(row, 1, r.areaCode, total ? bold : .none)
                try sheet.string(row, 2, r.areaName, total ? bold : .none)
                try sheet.number(row, 3, Double(position[r.service] ?? 0), total ? boldCount : count)
                try sheet.string(row, 4, r.serviceName, total ? bold : .none)
                func amount(_ column: Int, _ v: ExactDecimal?) throws {
                    if let v { try sheet.number(row, column, v, whole: total ? boldCount : count, decimal: total ? boldDecimal : decimal) }
                }
                try amount(5, r.sasaran)
                try sheet.number(row, 6, Double(r.served), total ? boldCount : count)
                try amount(7, r.notServed)
                if let c = r.capaian { try sheet.number(row, 8, Double(c.hundredths) / 100, total ? boldPct : pct) }
                row += 1
            }
            sheet.autofilter(firstRow: 3, lastRow: max(3, row - 1), firstColumn: 0, lastColumn: header.count - 1)
        }
        try book.close()
    }
}
