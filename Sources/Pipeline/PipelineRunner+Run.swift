import Aggregate
import Concurrency
import Export
import Foundation
import Logging
import PWSCore
import Validate

extension PipelineRunner {
    /// `pws run`: the whole pipeline, published atomically under `OUT/YYYY-MM`.
    public func run() throws -> RunReport {
        let out = request.outputDirectory ?? "out"
        // A --data that is no folder is refused before OUT and its lock are made.
        try InputFiles.checkDataFolder(request.dataDirectory)
        let lock = try RunLock(outputDirectory: out)
        defer { withExtendedLifetime(lock) {} }
        // A scratch folder a killed `pws run --partitions` left holds NIKs unmasked: under OUT's
        // lock no run is using one, so any run removes it (only a partitioned run did).
        ShardedRun.removeLeftScratch(out: out)
        let started = Date()
        let pipeline = try loadPipeline(indicators: true)
        let definition = pipeline.definition
        var manifest = Manifest(version: PWSVersion.current, command: "run", arguments: request.arguments,
                                dataDirectory: request.dataDirectory, today: request.today.description,
                                keepIdentifiers: request.keepIdentifiers, maxRejectRate: definition.maxRejectRate)
        manifest.pipeline = try pipelineEntries(definition)

        var settings = validationSettings(pipeline)
        settings.hashesInputs = true  // run.json's input hashes, from the bytes as they are read
        var (outcome, validateSeconds) = try validate(settings)
        guard let asOf = outcome.asOf else {
            throw PWSError(.data, "no service row was accepted, so there is no month to report; see `pws validate --data \(request.dataDirectory) --out DIR` for the rejects")
        }
        CrashPoint.hit("validated")
        manifest.timingsSeconds["ingest_validate"] = validateSeconds
        manifest.timingsSeconds["validate_reading_cpu"] = outcome.readingCPUSeconds
        manifest.timingsSeconds["validate_checking_cpu"] = outcome.checkingCPUSeconds
        let early = EarlyWorkbooks()
        return try publishRun(outcome: &outcome, asOf: asOf, pipeline: pipeline, manifest: manifest, started: started,
                              out: out,
                              addRefusedWarnings: { addLaterWarnings(&$0, pipeline: pipeline, asOf: asOf) },
                              aggregate: { aggregate(outcome: &$0, pipeline: pipeline, asOf: asOf, spm: $1,
                                                     valuesReady: early.valuesReady) },
                              early: early)
    }

    /// Refuses an `--as-of` month of a year with no accepted visit up to it (exit 64): the run
    /// would publish a month of zeros as if it were a report (a typo such as 2023-03 for
    /// 2025-03). The month after today is refused for the same reason before anything is read
    /// (`CommonOptions`). Decided from the completeness rows (the year's used records per
    /// facility and month), which a sharded merge computes alike, so both refuse alike.
    static func checkAsOfHasData(_ asOf: YearMonth?, _ completeness: [CompletenessRow]) throws {
        guard let asOf, !completeness.contains(where: { $0.records > 0 }) else { return }
        throw asOfWithoutData(asOf)
    }

    /// The same decided from the §3 totals alone, before the reject-rate refusal and Aggregate,
    /// for the common case: every accepted row is dated after the month (a typo before all the
    /// data), so no row is used at all. Exit 64 rather than a refusal filed under that month.
    static func checkAsOfHasData(_ asOf: YearMonth?, _ total: FileAccount) throws {
        guard let asOf, total.rowsUsed == 0, total.rowsOutOfPeriod > 0 else { return }
        throw asOfWithoutData(asOf)
    }

    private static func asOfWithoutData(_ asOf: YearMonth) -> PWSError {
        PWSError(.usage, "--as-of \(asOf): no accepted visit is dated from January \(asOf.year) to \(asOf), so the run would publish a month of zeros; check the year, or leave --as-of out to report the month of the latest visit")
    }

    /// Notes on the year's targets, which the outputs' `denominator_source` cannot show: a
    /// village's denominator made of its RTs' estimates is a `sum`, as one of real targets is
    /// (spec §A1). From the run's values (`IndicatorValues.targetGaps`: villages whose
    /// target-group denominators are estimates somewhere at or under them, or absent), so
    /// a group missing from a village, or RT rows for some RTs only, are found too. `all`: one
    /// note — the targets file has no row for the year (the first runs of January, before the
    /// projections), there is no targets file, or the villages with their indicators;
    /// `attention`: the first case, which `--quiet` prints too; `report`: the page's notice;
    /// `ownTargets`: the drill-down's sentence on villages' own targets over RW estimates.
    static func sasaranNotes(_ outcome: ValidationOutcome, values: IndicatorValues, year: Int, estimated: Bool)
        -> (all: [String], attention: [String], report: EstimatedTargets?, ownTargets: OwnTargetsOverEstimates?) {
        let found = values.estimatesUnderOwnTargets()
        let ownTargets = ownTargetsSummary(found)
        let mixed = mixedLevelNotes(outcome, year: year) + estimatesUnderOwnTargetsNotes(outcome, found, ownTargets, year: year)
        let gaps = values.targetGaps()
        guard !gaps.isEmpty else { return (mixed, [], nil, ownTargets) }
        let (all, attention, report) = gapNotes(outcome, gaps: gaps, year: year, estimated: estimated)
        return (mixed + all, attention, report, ownTargets)
    }

    /// How many villages `found` names, with its first example (nil: none).
    static func ownTargetsSummary(_ found: [(group: String, villages: [IndicatorValues.OwnTargetOverEstimates])])
        -> OwnTargetsOverEstimates? {
        guard let first = found.first, let example = first.villages.first else { return nil }
        return OwnTargetsOverEstimates(villages: Set(found.flatMap { $0.villages.map(\.code) }).count, group: first.group,
                                       village: example.name, villageCode: example.code, own: example.own,
                                       below: example.below)
    }

    /// A target given for an area and for areas inside it too (a village's balita and its
    /// RWs' or RTs'): each area takes its own (spec §5.1), so the parent in indicators.csv is
    /// not the sum of its children as elsewhere (§A1) — said once per group, naming up to five
    /// villages (one note per village and group could run to thousands).
    static func mixedLevelNotes(_ outcome: ValidationOutcome, year: Int) -> [String] {
        guard let file = outcome.sasaranAccount?.source else { return [] }
        // Per village and group: given for the village itself, RWs given, and RWs with RTs given.
        var levels: [String: (village: UInt32, group: String, own: Bool, rws: Set<String>, rts: Set<String>)] = [:]
        for e in outcome.sasaran where e.year == year {
            let key = "\(e.village)|\(e.group)"
            var entry = levels[key] ?? (e.village, e.group, false, [], [])
            if e.rw.isEmpty { entry.own = true } else if e.rt.isEmpty { entry.rws.insert(e.rw) } else { entry.rts.insert(e.rw) }
            levels[key] = entry
        }
        var villagesOfGroup: [String: [UInt32]] = [:]
        for entry in levels.values {
            let mixed = (entry.own && !(entry.rws.isEmpty && entry.rts.isEmpty)) || !entry.rws.isDisjoint(with: entry.rts)
            if mixed { villagesOfGroup[entry.group, default: []].append(entry.village) }
        }
        return villagesOfGroup.keys.sorted().map { group in
            let villages = villagesOfGroup[group]!.sorted()
            let named = villages.prefix(5).map { v -> String in
                let village = outcome.register.villages[Int(v)]
                return "\(village.name) (\(village.code))"
            }.joined(separator: ", ") + (villages.count > 5 ? " and \(villages.count - 5) more" : "")
            return "\(file): the \(group) target of \(year) is given both for an area and for areas inside it in \(villages.count) village\(villages.count == 1 ? "" : "s"): \(named); "
                + "each area takes its own figure, so in indicators.csv such a parent is not the sum of its children — give the target at one level"
        }
    }

    /// Villages with a target of their own whose RWs and RTs take the register's estimates,
    /// adding up to another figure (`IndicatorValues.estimatesUnderOwnTargets`): each keeps its
    /// own (spec §5.1), so the village's PWS table shows RW targets that do not sum to its
    /// total. One note for all groups (with RT populations in the register and village
    /// targets, the usual case, it holds for most villages and groups): the villages, the
    /// groups with their counts, and one example with both figures.
    static func estimatesUnderOwnTargetsNotes(_ outcome: ValidationOutcome,
                                              _ found: [(group: String, villages: [IndicatorValues.OwnTargetOverEstimates])],
                                              _ summary: OwnTargetsOverEstimates?, year: Int) -> [String] {
        guard let o = summary else { return [] }
        let file = outcome.sasaranAccount?.source ?? "sasaran.csv"
        let groups = found.map { "\($0.group) (\($0.villages.count))" }.joined(separator: ", ")
        return ["\(file): \(o.villages) village\(o.villages == 1 ? " has" : "s have") targets of \(year) of their own for groups "
                + "whose RW and RT denominators are estimated from the register's population and add up to another figure — "
                + "\(groups); e.g. \(o.group) in \(o.village) (\(o.villageCode)): \(o.own.outputText()) against its RWs' "
                + "\(o.below.outputText()). Each area keeps its own, so RW and RT coverage there is over the estimates: "
                + "give the RW or RT targets in \(file) too, or set the pipeline's estimation shares to the district's projections"]
    }

    /// The notes on villages without targets (`sasaranNotes`).
    private static func gapNotes(_ outcome: ValidationOutcome, gaps: [(code: String, name: String, indicators: [String])],
                                 year: Int, estimated: Bool)
        -> (all: [String], attention: [String], report: EstimatedTargets?) {
        let file = outcome.sasaranAccount?.source
        let yearMissing = file != nil && !outcome.sasaran.contains { $0.year == year }
        let report = EstimatedTargets(villages: gaps.map(\.name), yearMissing: yearMissing, noFile: file == nil,
                                      estimated: estimated, file: file ?? "sasaran.csv")
        let instead = estimated
            ? "estimated from the register's population (the pipeline's estimation shares; denominator_source `estimate` at the RTs, `sum` at the village and above)"
            : "absent (estimation is off), so they have no coverage"
        guard let file else {
            // No targets file at all: estimates are the district's choice, said once in run.json.
            return (["no sasaran file: every target-group denominator of \(year) is \(instead)"], [], report)
        }
        if yearMissing {
            let note = "\(file) has no target for \(year): every target-group denominator of \(year) is \(instead); add the year's targets to \(file)"
            return ([note], [note], report)
        }
        let villages = outcome.register.villages.count
        let named = gaps.prefix(5).map { g in
            "\(g.name) (\(g.code): " + (g.indicators.count > 3 ? "\(g.indicators.count) indicators" : g.indicators.joined(separator: ", ")) + ")"
        }.joined(separator: ", ") + (gaps.count > 5 ? " and \(gaps.count - 5) more" : "")
        return (["\(gaps.count) of \(villages) villages lack targets of \(year) in \(file) for some target groups: \(named); those denominators are \(instead)"], [], report)
    }

    /// What `run` does once the rows are validated, and what `pws merge` does with the
    /// outcome and counts of a sharded run: the refusal decision, Aggregate (`aggregate`, given
    /// the SPM catalogue when its outputs are wanted; it also adds its W-NIFAS warnings to the
    /// outcome), Export and the atomic publish. `addRefusedWarnings` adds to a refused run's
    /// outcome the warnings Aggregate would have added. The caller holds the lock.
    /// With `early` (`pws run`, whose `aggregate` calls `early.valuesReady`), the workbooks'
    /// thread starts inside Aggregate, as soon as the indicator values are finished.
    // swiftlint:disable:next function_body_length function_parameter_count cyclomatic_complexity
    func publishRun(outcome: inout ValidationOutcome, asOf: YearMonth, pipeline: LoadedPipeline, manifest: Manifest,
                    started: Date, out: String, addRefusedWarnings: (inout ValidationOutcome) -> Void,
                    aggregate: (inout ValidationOutcome, [IndicatorDefinition])
                        -> (AggregateResult, spm: (AggregateResult, seconds: Double)?, followUp: [FollowUpRow],
                            growthSeconds: Double),
                    early: EarlyWorkbooks? = nil) throws -> RunReport {
        var manifest = manifest
        let definition = pipeline.definition
        try PipelineRunner.checkAsOfHasData(request.asOf, outcome.total)
        manifest.asOf = asOf.description
        manifest.notes = outcome.notes
        let publisher = Publisher(outputDirectory: out, month: asOf, retention: definition.retention)
        let staging = try publisher.makeStaging()
        var published = false
        defer { if !published { publisher.discard(staging: staging) } }

        // A refused run writes both whatever `outputs:` says: they say why it was refused.
        func writeDiagnostics(_ wanted: Set<RunOutput> = [.rejects, .warnings]) throws -> [Manifest.OutputEntry] {
            var entries: [Manifest.OutputEntry] = []
            if wanted.contains(.rejects) {
                let r = try DiagnosticsTable.write(outcome.rejects, to: staging + "/rejects.csv", format: format,
                                                  keepIdentifiers: request.keepIdentifiers)
                entries.append(Manifest.OutputEntry(path: "rejects.csv", r))
            }
            if wanted.contains(.warnings) {
                let w = try DiagnosticsTable.write(outcome.warnings, to: staging + "/warnings.csv", format: format,
                                                  keepIdentifiers: request.keepIdentifiers)
                entries.append(Manifest.OutputEntry(path: "warnings.csv", w))
            }
            return entries
        }

        if outcome.total.rejectRate > definition.maxRejectRate {
            // The refused run lists the warnings Aggregate would have added, as validate does.
            addRefusedWarnings(&outcome)
            var lines = ConsoleSummary.lines(outcome, maxRejectRate: definition.maxRejectRate)
            manifest.inputs = try inputEntries(outcome)
            manifest.unreadableInputs = PipelineRunner.unreadableEntries(outcome)
            manifest.counts = PipelineRunner.counts(outcome)
            manifest.outputs += try writeDiagnostics()
            manifest.status = "refused"
            manifest.exitStatus = ExitStatus.dataError.rawValue
            manifest.message = "reject rate \(ConsoleSummary.rejectPercent(outcome.total)) % is over the limit of "
                + String(format: "%.2f %%; nothing was published", definition.maxRejectRate * 100)
            manifest.timingsSeconds["total"] = Date().timeIntervalSince(started)
            manifest.finishedAt = ISO8601DateFormatter().string(from: Date())
            try manifest.write(to: staging + "/run.json")
            let folder = try publisher.keepRefused(staging: staging)
            published = true
            lines.append(manifest.message!)
            lines.append("rejects and manifest of this run: \(folder)/")
            logger.error("run refused: \(manifest.message!)")
            return RunReport(exitStatus: .dataError, lines: lines, folder: folder,
                             fileAccounts: outcome.files + [outcome.total])
        }

        // Aggregate, while another thread hashes the inputs the reader did not hash (workbooks,
        // FHIR; after a sharded run's merge, the register and targets, and the service files
        // of map tasks that wrote no digests — of an earlier pws).
        let digests = InputDigests(directory: request.dataDirectory, sources: InputDigests.sources(of: outcome))
        let aggStart = Date()
        progress?("aggregating \(outcome.events.events.count) events")
        let wanted = definition.outputs
        let spmWanted = !wanted.isDisjoint(with: RunOutput.spm) ? pipeline.spm : []
        // Never leave the early thread waiting, nor writing into a staging folder that a failure
        // is about to remove (this runs before the discard above).
        defer {
            early?.abandon()
            _ = try? early?.thread?.wait()
            early?.thread = nil  // the thread's closure holds `early`
            early?.start = nil
        }
        if let early, wanted.contains(.workbook) || !spmWanted.isEmpty {
            let created = workbookCreated, format = format, wantsWorkbook = wanted.contains(.workbook)
            let regencyName = outcome.register.villages.first?.regencyName ?? ""
            early.start = { [unowned early] result in
                let values = result.values, villagePuskesmas = result.villagePuskesmas
                let monthRows = PipelineRunner.monthRows(values, asOf: asOf, wanted: wanted)
                early.monthRows = monthRows
                early.thread = BackgroundThread {
                    var entries: [Manifest.OutputEntry] = []
                    if wantsWorkbook {
                        entries.append(try PipelineRunner.writeWorkbook(
                            values: values, monthRows: monthRows, villagePuskesmas: villagePuskesmas,
                            quality: { try early.waitForLate().quality! }, created: created, staging: staging))
                    }
                    if let spmValues = try early.waitForLate().spm {
                        entries += try PipelineRunner.writeSPM(spmValues, regencyName: regencyName, wanted: wanted,
                                                               format: format, created: created, staging: staging)
                    }
                    return entries
                }
                return wantsWorkbook
            }
        }
        let (result, spm, followUp, growthSeconds) = aggregate(&outcome, spmWanted)
        let completeness = result.completeness
        try PipelineRunner.checkAsOfHasData(request.asOf, completeness)
        let sasaranNotes = PipelineRunner.sasaranNotes(outcome, values: result.values, year: asOf.year,
                                                       estimated: definition.estimation.enabled)
        for note in sasaranNotes.all { logger.warning("\(note)") }
        manifest.timingsSeconds["aggregate"] = Date().timeIntervalSince(aggStart)
        if let spm { manifest.timingsSeconds["aggregate_spm"] = spm.seconds }
        manifest.timingsSeconds["aggregate_growth"] = growthSeconds
        CrashPoint.hit("aggregated")
        manifest.inputs = try inputEntries(outcome, digests: digests.wait())
        manifest.unreadableInputs = PipelineRunner.unreadableEntries(outcome)
        manifest.counts = PipelineRunner.counts(outcome)
        manifest.notes = outcome.notes + sasaranNotes.all

        // Export. Three sets of threads write at once, each file written by one of them, and
        // run.json lists the files in the same order whichever finishes first:
        // - indicators.csv (most of the bytes): threads of its own, formatting on every core as
        //   its rows are computed (none is kept);
        // - pws.xlsx, then spm.csv and spm.xlsx: one more thread (libxlsxwriter and its zlib make
        //   pws.xlsx the longest single writer; one thread keeps the two workbooks apart);
        // - this thread: rejects, warnings, the PWS tables, completeness, tindak-lanjut, report.html.
        // Each file is hashed from its bytes as they are written; only the workbooks, which
        // libxlsxwriter writes itself, are read back.
        let exportStart = Date()
        let values = result.values
        progress?("writing \(values.rowCount) indicator rows, the PWS tables and the report")
        let indicators = wanted.contains(.indicators)
            ? try IndicatorsCSVParallelWriter(values: values, path: staging + "/indicators.csv", format: format) : nil
        defer { indicators?.cancel() }  // stops its threads when this thread fails first; else harmless
        // The PWS tables and the workbook read the as-of month's village, puskesmas and kabupaten rows.
        let monthRows = early?.monthRows ?? PipelineRunner.monthRows(values, asOf: asOf, wanted: wanted)
        var workbooks: BackgroundThread<[Manifest.OutputEntry]>?
        if let early, let thread = early.thread {
            // Started inside Aggregate: hand it the accounting and the SPM values.
            early.finish(EarlyWorkbooks.Late(
                quality: wanted.contains(.workbook) ? PipelineRunner.workbookQuality(outcome) : nil, spm: spm?.0.values))
            workbooks = thread
        } else if wanted.contains(.workbook) || spm != nil {
            let quality = wanted.contains(.workbook) ? PipelineRunner.workbookQuality(outcome) : nil
            let villagePuskesmas = result.villagePuskesmas, created = workbookCreated, format = format
            let spmValues = spm?.0.values, regencyName = outcome.register.villages.first?.regencyName ?? ""
            workbooks = BackgroundThread {
                var entries: [Manifest.OutputEntry] = []
                if let quality {
                    entries.append(try PipelineRunner.writeWorkbook(values: values, monthRows: monthRows,
                                                                    villagePuskesmas: villagePuskesmas,
                                                                    quality: { quality }, created: created,
                                                                    staging: staging))
                }
                if let spmValues {
                    entries += try PipelineRunner.writeSPM(spmValues, regencyName: regencyName, wanted: wanted,
                                                           format: format, created: created, staging: staging)
                }
                return entries
            }
        }
        // Never leave the thread writing into a staging folder that a failure is about to remove.
        defer { _ = try? workbooks?.wait() }
        let diagnostics = try writeDiagnostics(wanted)
        CrashPoint.hit("staging-partial")
        var later: [Manifest.OutputEntry] = []
        if wanted.contains(.pwsTables) {
            if let failure = OutputFolder.makeDirectories(staging + "/pws") {
                throw PWSError(.outputNotWritable, "cannot create the folder \(staging)/pws; check the output folder's disk space and permissions",
                               cause: failure.reason)
            }
            for info in result.infos {
                let name = "pws/\(info.id).csv"
                let written = try PWSTableCSV.write(indicator: info.id, monthRows: monthRows,
                                                    villagePuskesmas: result.villagePuskesmas,
                                                    direction: info.direction, to: staging + "/" + name, format: format)
                later.append(Manifest.OutputEntry(path: name, written))
            }
        }
        if wanted.contains(.completeness) {
            let c = try CompletenessCSV.write(completeness, to: staging + "/completeness.csv", format: format)
            later.append(Manifest.OutputEntry(path: "completeness.csv", c))
        }
        if wanted.contains(.followUp) {
            let f = try FollowUpCSV.write(followUp, to: staging + "/tindak-lanjut.csv", format: format,
                                          names: request.keepIdentifiers)
            later.append(Manifest.OutputEntry(path: "tindak-lanjut.csv", f))
        }
        if wanted.contains(.report) {
            let html = try renderReport(outcome: outcome, result: result, completeness: completeness, asOf: asOf,
                                        followUp: followUp, estimatedTargets: sasaranNotes.report,
                                        ownTargets: sasaranNotes.ownTargets,
                                        tetapBelowTarget: definition.tetapBelowTarget,
                                        followUpThresholds: Aggregator.followUpThresholds(pipeline.indicators))
            later.append(Manifest.OutputEntry(path: "report.html",
                                              try OutputFile.write(Data(html.utf8), to: staging + "/report.html")))
        }
        // While the workbook thread, the slowest writer, finishes: run.json's inputs (the bulk
        // of it), so that only the rest is encoded once the last output is in.
        try manifest.encodeInputsAhead()
        if let workbooks { later += try workbooks.wait() }
        manifest.outputs += diagnostics
        if let written = try indicators?.finish() {
            manifest.outputs.append(Manifest.OutputEntry(path: "indicators.csv", sha256: written.sha256,
                                                         bytes: written.bytes, rows: written.rows))
        }
        manifest.outputs += later
        manifest.timingsSeconds["export"] = Date().timeIntervalSince(exportStart)
        manifest.timingsSeconds["total"] = Date().timeIntervalSince(started)
        manifest.status = "published"
        manifest.exitStatus = 0
        manifest.finishedAt = ISO8601DateFormatter().string(from: Date())
        try manifest.write(to: staging + "/run.json")
        CrashPoint.hit("staged")
        let folder = try publisher.publish(staging: staging)
        published = true
        CrashPoint.hit("published")
        let lost = ConsoleSummary.lostFiles(outcome)
        var lines = ConsoleSummary.lines(outcome, maxRejectRate: definition.maxRejectRate, lost: lost)
        lines += sasaranNotes.attention
        lines.append("as-of \(asOf); published \(publisher.publishedPath) -> \(folder)")
        lines += ConsoleSummary.outputLines(folder: publisher.publishedPath, outputs: manifest.outputs)
        logger.info("published \(publisher.publishedPath)", metadata: ["rows": "\(result.values.rowCount)"])
        return RunReport(exitStatus: .success, lines: lines, folder: publisher.publishedPath,
                         fileAccounts: outcome.files + [outcome.total], attention: ConsoleSummary.attention(outcome, lost: lost) + sasaranNotes.attention)
    }
}
