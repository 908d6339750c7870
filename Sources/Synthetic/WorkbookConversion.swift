import CLibXlsxWriter
import Foundation
import CSV
import Ingest
import PWSCore

/// `pws generate --format xlsx`: the generated service files rewritten as workbooks holding the
/// same records, so a CSV run and an xlsx run of one seed can be compared (issue #13).
///
/// Each `layanan/*.csv` becomes `layanan/*.xlsx` with one sheet, `Layanan`: the header row,
/// then every record the CSV reader reads whole, cells as the CSV fields (UTF-8 whatever the
/// file's encoding) — except that a visit_date or birth_date that is a valid date becomes a
/// date cell (`dd/mm/yyyy`), as a clerk's sheet holds it. Records the CSV reader rejects as
/// `E-PARSE` or `E-FIELDS` have no counterpart in a sheet and are left out; they never reach
/// an indicator, so both runs give the same indicators. Written with libxlsxwriter in
/// constant-memory mode (inline strings, rows streamed to a temporary file).
enum WorkbookConversion {
    /// Converts every `.csv` under `directory/layanan`; returns the new paths and bytes.
    static func convertServiceFiles(in directory: String, paths: [String]) throws -> (paths: [String], bytes: Int, dropped: Int) {
        var out: [String] = []
        var bytes = 0
        var dropped = 0
        for path in paths {
            guard path.hasPrefix("layanan/"), path.lowercased().hasSuffix(".csv") else {
                out.append(path)
                continue
            }
            let target = String(path.dropLast(4)) + ".xlsx"
            dropped += try convert(directory + "/" + path, to: directory + "/" + target, source: path)
            try FileManager.default.removeItem(atPath: directory + "/" + path)
            bytes += Int((try? FileManager.default.attributesOfItem(atPath: directory + "/" + target)[.size] as? Int) ?? 0)
            out.append(target)
        }
        return (out, bytes, dropped)
    }

    /// Writes one workbook; returns the records left out (malformed or of the wrong width).
    static func convert(_ csvPath: String, to xlsxPath: String, source: String) throws -> Int {
        var options = lxw_workbook_options()
        options.constant_memory = 1
        guard let workbook = workbook_new_opt(xlsxPath, &options),
              let sheet = workbook_add_worksheet(workbook, "Layanan") else {
            throw PWSError(.outputNotWritable, "cannot create \(xlsxPath)")
        }
        // Fixed properties so the same records give the same bytes.
        var properties = lxw_doc_properties()
        var epoch = tm()
        epoch.tm_year = 100
        epoch.tm_mday = 1
        properties.created = timegm(&epoch)
        workbook_set_properties(workbook, &properties)
        let dateFormat = workbook_add_format(workbook)
        format_set_num_format(dateFormat, "dd/mm/yyyy")

        let reader = try CSVReader(path: csvPath, source: source)
        var width = -1
        var dateColumns: Set<Int> = []
        var row: UInt32 = 0
        var dropped = 0
        var failure: lxw_error = LXW_NO_ERROR
        let excelEpoch = Day(year: 1899, month: 12, day: 30)?.raw ?? 0
        try reader.read { event in
            guard case .record(let record) = event else {
                dropped += 1
                return
            }
            if width < 0 {
                width = record.count
                let names = TableSchema.layanan
                for c in 0..<record.count {
                    let name = record.string(c).lowercased()
                    for field in ["visit_date", "birth_date"] {
                        let spec = names.fields[names.index(of: field) ?? 0]
                        if name == spec.name || spec.aliases.contains(name) { dateColumns.insert(c) }
                    }
                }
            } else if record.count != width {
                dropped += 1
                return
            }
            for c in 0..<record.count {
                let raw = record.raw(c)
                guard !raw.isEmpty else { continue }
                if row > 0, dateColumns.contains(c), let day = Day.parse(record.cleaned(c)), day.year >= 1901 {
                    let serial = Double(day.raw - excelEpoch)
                    let status = worksheet_write_number(sheet, row, lxw_col_t(c), serial, dateFormat)
                    if status != LXW_NO_ERROR { failure = status }
                } else {
                    let status = worksheet_write_string(sheet, row, lxw_col_t(c), record.rawString(c), nil)
                    if status != LXW_NO_ERROR { failure = status }
                }
            }
            row += 1
        }
        let closed = workbook_close(workbook)
        guard failure == LXW_NO_ERROR, closed == LXW_NO_ERROR else {
            let code = failure != LXW_NO_ERROR ? failure : closed
            throw PWSError(.outputNotWritable, "cannot write \(xlsxPath): \(String(cString: lxw_strerror(code)))")
        }
        return dropped
    }
}
