import Aggregate
import Export
import Foundation
import PWSCore
import Validate

extension PipelineRunner {
    /// The §3 accounting of a run as `pws.xlsx`'s `Kualitas data` sheet shows it.
    static func workbookQuality(_ outcome: ValidationOutcome) -> WorkbookQuality {
        let counts = PipelineRunner.counts(outcome)
        func file(_ a: FileAccount, _ name: String) -> WorkbookQuality.File {
            WorkbookQuality.File(source: name, read: a.rowsRead, rejected: a.rowsRejected, accepted: a.rowsAccepted,
                                 used: a.rowsUsed, duplicate: a.rowsDuplicate, outOfPeriod: a.rowsOutOfPeriod,
                                 blank: a.blankRows)
        }
        return WorkbookQuality(files: outcome.files.map { file($0, $0.source) },
                               total: file(outcome.total, "TOTAL"), rejectRate: counts.rejectRate,
                               rejectsByRule: counts.rejectsByRule, warningsByRule: counts.warningsByRule)
    }

    /// Writes `pws.xlsx` into the staging folder and returns its manifest entry. Touches nothing
    /// but its arguments, so it runs on a thread of its own beside the other writers.
    ///
    /// `created` is the document's creation time (`workbookCreated`: `--today` at 00:00 UTC,
    /// never the clock), so two runs on the same inputs and `--today` write the same bytes.
    static func writeWorkbook(values: IndicatorValues, monthRows: [IndicatorRow], villagePuskesmas: [String: String],
                              quality: WorkbookQuality, created: Date, staging: String) throws -> Manifest.OutputEntry {
        try PWSWorkbook.write(values: values, monthRows: monthRows, villagePuskesmas: villagePuskesmas,
                              quality: quality, created: created, to: staging + "/pws.xlsx")
        // libxlsxwriter writes the file itself: the one kind of output read back to be hashed.
        return try outputEntry(folder: staging, name: "pws.xlsx", rows: nil)
    }
}
