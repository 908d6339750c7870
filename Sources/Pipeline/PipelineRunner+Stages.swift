import Aggregate
import Concurrency
import Export
import Foundation
import Growth
import PWSCore
import Validate

extension PipelineRunner {
    /// The Aggregate stage: the indicator values and completeness, and its W-NIFAS warnings
    /// added to the outcome; then the growth pass (§A4): its W-GROWTH warnings added too, and
    /// the rows of `tindak-lanjut.csv`. Then the outcome's events are released: nothing after
    /// Aggregate reads them, and they are most of the run's memory.
    /// `growthSeconds`: the growth pass's share of the stage (run.json's `aggregate_growth`).
    ///
    /// With `spm` (the SPM catalogue, when its outputs are wanted) the same walk over each
    /// person's records counts those definitions too (`Aggregator.countPhase(_:also:order:)`),
    /// and their values are finished after the indicators': the SPM values, and how long their
    /// finishing took (their counting is part of the indicators'). Their warnings and
    /// completeness are the indicators' and are not used.
    ///
    /// `valuesReady` is called with the indicators' result as soon as their values are
    /// finished, before the growth pass, the SPM values, the warnings and the follow-up rows
    /// (`pws run` starts writing `pws.xlsx` there); true: a thread now writes beside the rest of
    /// the stage, which then leaves it a core (the growth pass takes one thread fewer).
    func aggregate(outcome: inout ValidationOutcome, pipeline: LoadedPipeline, asOf: YearMonth,
                   spm: [IndicatorDefinition] = [], valuesReady: ((AggregateResult) -> Bool)? = nil)
        -> (result: AggregateResult, spm: (AggregateResult, seconds: Double)?, followUp: [FollowUpRow], growthSeconds: Double) {
        let input = AggregateInput(events: outcome.events, register: outcome.register, sasaran: outcome.sasaran,
                                   services: pipeline.services, indicators: pipeline.indicators, asOf: asOf,
                                   estimation: pipeline.estimation,
                                   unreadableSources: outcome.unreadable.map(\.path),
                                   tetapBelowTarget: pipeline.definition.tetapBelowTarget, growthStandards: pipeline.growth)
        // One sort by person serves the indicators, the SPM services and the growth pass; the
        // two catalogues are counted in one walk over each person's records. The SPM counts
        // (12 planes) wait through the indicators' finishing. The warnings and follow-up rows,
        // which are text, are made last.
        var order: [Int]?
        var counts: AggregateCounts?, spmCounts: AggregateCounts?
        if spm.isEmpty {
            counts = Aggregator.countPhase(input, order: &order)
        } else {
            let counted = Aggregator.countPhase(input, also: spm, order: &order)
            counts = counted.0
            spmCounts = counted.also
        }
        // The counting threads leave freed pages in malloc arenas of their own; returned before
        // the finishing, they do not add to the stage's peak (measured at 10 M records).
        ShardedRun.returnFreedMemory()
        // Handed over, so the per-RT counts are freed inside the phase once the areas' are summed.
        let result = Aggregator.finishPhase(input, counts: &counts)
        let writerBeside = valuesReady?(result) ?? false
        // The growth pass after the values are handed on: `pws run`'s workbook thread, the
        // longest writer, starts without waiting for it, and the pass leaves it a core. The
        // order is held through the finishing for it (24 MB at 3 M records; the run's peak, at
        // the end of reading, is not raised: 10 M records, docs/growth.md).
        let growthStart = Date()
        let review = Aggregator.growthReview(events: outcome.events, services: GrowthServices(pipeline.services),
                                             standards: pipeline.growth, asOf: asOf,
                                             thresholds: Aggregator.followUpThresholds(pipeline.indicators),
                                             workers: writerBeside ? max(1, Parallel.defaultWorkers - 1) : Parallel.defaultWorkers,
                                             order: order)
        var growthSeconds = Date().timeIntervalSince(growthStart)
        order = nil
        let unattachedNifas = result.unattachedNifas
        var spmResult: (AggregateResult, seconds: Double)?
        if spmCounts != nil {
            let start = Date()
            var spmInput = input
            spmInput.indicators = spm
            spmInput.unreadableSources = []
            spmResult = (Aggregator.finishPhase(spmInput, counts: &spmCounts), Date().timeIntervalSince(start))
        }
        PipelineRunner.addNifasWarnings(&outcome, eventIndices: unattachedNifas)
        let followUpStart = Date()
        let followUp = PipelineRunner.applyGrowthReview(review, to: &outcome, keepIdentifiers: request.keepIdentifiers)
        growthSeconds += Date().timeIntervalSince(followUpStart)
        outcome.releaseEvents()
        return (result, spmResult, followUp, growthSeconds)
    }

    /// The warnings Aggregate would add (W-NIFAS, W-GROWTH), for a command that does not
    /// aggregate (`pws validate`, a refused run): the same events, so every command lists the
    /// same warnings.
    func addLaterWarnings(_ outcome: inout ValidationOutcome, pipeline: LoadedPipeline, asOf: YearMonth) {
        PipelineRunner.addNifasWarnings(&outcome, eventIndices: Aggregator.unattachedNifas(
            events: outcome.events, services: pipeline.services, asOf: asOf))
        PipelineRunner.addGrowthWarnings(&outcome, pipeline: pipeline, asOf: asOf)
    }

    /// Adds a `W-NIFAS` warning (Aggregate's message) for each NIFAS event attached to no delivery.
    static func addNifasWarnings(_ outcome: inout ValidationOutcome, eventIndices: [Int]) {
        guard !eventIndices.isEmpty else { return }
        outcome.addWarnings(rule: .nifas, eventIndices: eventIndices, field: "service_code") { _ in
            Aggregator.unattachedNifasMessage
        }
    }

    /// The HTML report (spec §8).
    /// `estimatedTargets`: the villages without a target of the year, said at the page's top.
    /// `followUp`: the rows of the run's `tindak-lanjut.csv`, counted per posyandu in the growth
    /// section (shown when the catalogue has a growth indicator).
    func renderReport(outcome: ValidationOutcome, result: AggregateResult, completeness: [CompletenessRow],
                      asOf: YearMonth, followUp: [FollowUpRow] = [], estimatedTargets: EstimatedTargets? = nil,
                      ownTargets: OwnTargetsOverEstimates? = nil,
                      tetapBelowTarget: IndicatorStatus = .cukup,
                      followUpThresholds: FollowUpThresholds = FollowUpThresholds()) throws -> String {
        let villages = outcome.register.villages
        let t = outcome.total
        // RT drill-down for a kecamatan-sized run; RW only for a large district, which keeps
        // the page a few MB (300 villages: 4.3 MiB instead of 6.4 MiB).
        let drillDown: ReportDrillDown = villages.count > 100 ? .rw : .rt
        var input = ReportInput(
            regencyName: villages.first?.regencyName ?? "",
            districtNames: Array(Set(villages.map(\.districtName))).sorted(),
            asOf: asOf, indicators: result.infos, reportRows: PipelineRunner.reportRows(result.values, drillDown: drillDown),
            villagePuskesmas: result.villagePuskesmas, puskesmasNames: result.puskesmasNames,
            rejects: outcome.rejects, warnings: outcome.warnings, completeness: completeness,
            accounting: ReportAccounting(rowsRead: t.rowsRead, rowsRejected: t.rowsRejected, rowsAccepted: t.rowsAccepted,
                                         rowsUsed: t.rowsUsed, rowsDuplicate: t.rowsDuplicate,
                                         rowsOutOfPeriod: t.rowsOutOfPeriod),
            drillDown: drillDown, followUp: followUp)
        input.estimatedTargets = estimatedTargets
        input.ownTargetsOverEstimates = ownTargets
        input.tetapBelowTarget = tetapBelowTarget
        input.followUpThresholds = followUpThresholds
        do {
            return try ReportRenderer.render(input)
        } catch {
            throw PWSError(.outputNotWritable, "cannot render report.html", cause: ErrorText.describe(error))
        }
    }

    /// The rows the report reads (Export/Report/ReportBuilder), not all of `indicators.csv`:
    /// kabupaten and puskesmas rows of every month (trend lines and tables), kecamatan rows of
    /// the as-of month M (district names), village rows of M and M−1 (charts, status tables),
    /// RW rows of M and, with the RT drill-down, RT rows of M: about 1 row in 55 (76 k rows at 3 M
    /// records), kept as positions in `values` (`ReportRows`, 8 bytes a row) rather than as
    /// `IndicatorRow`s (~320 bytes).
    static func reportRows(_ values: IndicatorValues, drillDown: ReportDrillDown) -> ReportRows {
        let m = values.asOfMonth
        return ReportRows(values: values) { level, month in
            switch level {
            case .kabkota, .puskesmas: true
            case .kecamatan: month == m
            case .desa: month >= m - 1
            case .rw: month == m
            case .rt: month == m && drillDown == .rt
            }
        }
    }
}
