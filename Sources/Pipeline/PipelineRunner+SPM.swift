import Aggregate
import Export
import Foundation
import PWSCore

extension PipelineRunner {
    /// Writes spm.csv and spm.xlsx (those of them `wanted`) into the staging folder from the
    /// values of the Aggregate stage run on the SPM catalogue, and returns their manifest entries.
    /// Touches nothing but its arguments, so it runs on a thread of its own beside the other writers.
    static func writeSPM(_ values: IndicatorValues, regencyName: String, wanted: Set<RunOutput>, format: OutputFormat,
                         created: Date, staging: String) throws -> [Manifest.OutputEntry] {
        let rows = SPMTable.rows(values)
        var entries: [Manifest.OutputEntry] = []
        if wanted.contains(.spmCSV) {
            entries.append(Manifest.OutputEntry(path: "spm.csv",
                                                try SPMTable.write(rows, to: staging + "/spm.csv", format: format)))
        }
        if wanted.contains(.spmWorkbook) {
            try SPMWorkbook.write(rows: rows, year: values.year, asOfMonth: values.asOfMonth, regencyName: regencyName,
                                  created: created, to: staging + "/spm.xlsx")
            entries.append(try outputEntry(folder: staging, name: "spm.xlsx", rows: nil))
        }
        return entries
    }

    /// The creation time written into a workbook: `--today` at 00:00 UTC, never the clock, so two
    /// runs on the same inputs and `--today` write the same bytes.
    var workbookCreated: Date {
        let t = request.today.civil
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        return utc.date(from: DateComponents(year: t.year, month: t.month, day: t.day)) ?? Date(timeIntervalSince1970: 0)
    }
}
