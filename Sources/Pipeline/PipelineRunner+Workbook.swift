import Aggregate
import Concurrency
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

    /// The as-of month's village, puskesmas and kabupaten rows, which the PWS tables and the
    /// workbook read (none when neither is wanted).
    static func monthRows(_ values: IndicatorValues, asOf: YearMonth, wanted: Set<RunOutput>) -> [IndicatorRow] {
        guard wanted.contains(.pwsTables) || wanted.contains(.workbook) else { return [] }
        return values.rows(months: asOf.month...asOf.month) { level, _ in
            level == .desa || level == .puskesmas || level == .kabkota
        }
    }

    /// Writes `pws.xlsx` into the staging folder and returns its manifest entry. Touches nothing
    /// but its arguments, so it runs on a thread of its own beside the other writers.
    ///
    /// `created` is the document's creation time (`workbookCreated`: `--today` at 00:00 UTC,
    /// never the clock), so two runs on the same inputs and `--today` write the same bytes.
    static func writeWorkbook(values: IndicatorValues, monthRows: [IndicatorRow], villagePuskesmas: [String: String],
                              quality: () throws -> WorkbookQuality, created: Date,
                              staging: String) throws -> Manifest.OutputEntry {
        try PWSWorkbook.write(values: values, monthRows: monthRows, villagePuskesmas: villagePuskesmas,
                              quality: quality, created: created, to: staging + "/pws.xlsx")
        // libxlsxwriter writes the file itself: the one kind of output read back to be hashed.
        return try outputEntry(folder: staging, name: "pws.xlsx", rows: nil)
    }
}

/// The workbooks' thread of `pws run`, started as soon as the indicator values are finished
/// (`aggregate`'s `valuesReady`), so `pws.xlsx` — the longest single writer — is written while
/// Aggregate does the growth pass and finishes the SPM values, the warnings and the follow-up
/// rows on the other core.
/// What those give it — the `Kualitas data` accounting and the SPM values — comes later, with
/// `finish(_:)`; until then the thread writes every other sheet and then waits.
///
/// `publishRun` sets `start` before Aggregate; whoever started the thread must end with
/// `finish(_:)` or `abandon()` (the thread then stops at its wait and throws), and wait for it.
final class EarlyWorkbooks: @unchecked Sendable {
    // @unchecked: `start`, `thread` and `monthRows` are set and read by the thread that runs
    // `publishRun` only; `late` is guarded by `condition`.
    /// Starts the thread on the finished values (set by `publishRun`; nil: nothing to start);
    /// true when the thread writes at once (`pws.xlsx` is wanted), not only after `finish(_:)`.
    var start: ((AggregateResult) -> Bool)?
    var thread: BackgroundThread<[Manifest.OutputEntry]>?
    /// The as-of month's rows the workbook and the PWS tables read, made when the thread started.
    var monthRows: [IndicatorRow]?

    /// What the thread waits for: the accounting (nil when `pws.xlsx` is not wanted) and the SPM values.
    struct Late: Sendable {
        var quality: WorkbookQuality?
        var spm: IndicatorValues?
    }

    private let condition = NSCondition()
    private var late: Late?
    private var abandoned = false

    /// Called by Aggregate with the indicators' result: whether a thread now writes beside it.
    func valuesReady(_ result: AggregateResult) -> Bool { start?(result) ?? false }

    /// Hands the thread what it waits for.
    func finish(_ value: Late) {
        condition.lock()
        late = value
        condition.broadcast()
        condition.unlock()
    }

    /// Makes the thread stop at its wait (the run failed); harmless after `finish(_:)`.
    func abandon() {
        condition.lock()
        abandoned = true
        condition.broadcast()
        condition.unlock()
    }

    /// On the thread: waits for `finish(_:)`; throws after `abandon()`.
    func waitForLate() throws -> Late {
        condition.lock()
        defer { condition.unlock() }
        while late == nil && !abandoned { condition.wait() }
        guard let late else { throw PWSError(.internalFailure, "writing pws.xlsx was cancelled") }
        return late
    }
}
