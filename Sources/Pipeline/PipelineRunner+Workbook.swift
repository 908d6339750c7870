import Aggregate
import Export
import Foundation
import PWSCore
import Validate

extension PipelineRunner {
    /// Writes `pws.xlsx` into the staging folder and returns its manifest entry.
    ///
    /// The document's creation time is `--today` at 00:00 UTC, never the clock, so two runs on
    /// the same inputs and `--today` write the same bytes.
    func writeWorkbook(outcome: ValidationOutcome, values: IndicatorValues, monthRows: [IndicatorRow],
                       villagePuskesmas: [String: String], staging: String) throws -> Manifest.OutputEntry {
        let counts = PipelineRunner.counts(outcome)
        func file(_ a: FileAccount, _ name: String) -> WorkbookQuality.File {
            WorkbookQuality.File(source: name, read: a.rowsRead, rejected: a.rowsRejected, accepted: a.rowsAccepted,
                                 used: a.rowsUsed, duplicate: a.rowsDuplicate, outOfPeriod: a.rowsOutOfPeriod,
                                 blank: a.blankRows)
        }
        let quality = WorkbookQuality(files: outcome.files.map { file($0, $0.source) },
                                      total: file(outcome.total, "TOTAL"), rejectRate: counts.rejectRate,
                                      rejectsByRule: counts.rejectsByRule, warningsByRule: counts.warningsByRule)
        let t = request.today.civil
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let created = utc.date(from: DateComponents(year: t.year, month: t.month, day: t.day)) ?? Date(timeIntervalSince1970: 0)
        try PWSWorkbook.write(values: values, monthRows: monthRows, villagePuskesmas: villagePuskesmas,
                              quality: quality, created: created, to: staging + "/pws.xlsx")
        return try outputEntry(folder: staging, name: "pws.xlsx", rows: nil)
    }
}
