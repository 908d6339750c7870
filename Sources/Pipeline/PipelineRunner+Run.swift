import Aggregate
import Export
import Foundation
import Logging
import PWSCore
import Validate

extension PipelineRunner {
    /// `pws run`: the whole pipeline, published atomically under `OUT/YYYY-MM`.
    public func run() throws -> RunReport {
        let out = request.outputDirectory ?? "out"
        let lock = try RunLock(outputDirectory: out)
        defer { withExtendedLifetime(lock) {} }
        let started = Date()
        let (definition, services) = try loadPipeline()
        let catalogue = try loadIndicators(definition)
        var manifest = Manifest(version: PWSVersion.current, command: "run", arguments: request.arguments,
                                dataDirectory: request.dataDirectory, today: request.today.description,
                                keepIdentifiers: request.keepIdentifiers, maxRejectRate: definition.maxRejectRate)
        manifest.pipeline = try pipelineEntries(definition)

        var (outcome, validateSeconds) = try validate(validationSettings(definition, services))
        guard let asOf = outcome.asOf else {
            throw PWSError(.data, "no service row was accepted, so there is no month to report; see `pws validate --data \(request.dataDirectory) --out DIR` for the rejects")
        }
        CrashPoint.hit("validated")
        manifest.asOf = asOf.description
        manifest.notes = outcome.notes
        manifest.timingsSeconds["ingest_validate"] = validateSeconds
        manifest.timingsSeconds["validate_reading_cpu"] = outcome.readingCPUSeconds
        manifest.timingsSeconds["validate_checking_cpu"] = outcome.checkingCPUSeconds
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
                entries.append(try outputEntry(folder: staging, name: "rejects.csv", rows: r))
            }
            if wanted.contains(.warnings) {
                let w = try DiagnosticsTable.write(outcome.warnings, to: staging + "/warnings.csv", format: format,
                                                  keepIdentifiers: request.keepIdentifiers)
                entries.append(try outputEntry(folder: staging, name: "warnings.csv", rows: w))
            }
            return entries
        }

        if outcome.total.rejectRate > definition.maxRejectRate {
            // The refused run lists the warnings Aggregate would have added, as validate does.
            PipelineRunner.addNifasWarnings(&outcome, eventIndices: Aggregator.unattachedNifas(
                events: outcome.events, services: services, asOf: asOf))
            var lines = ConsoleSummary.lines(outcome, maxRejectRate: definition.maxRejectRate)
            manifest.inputs = try inputEntries(outcome)
            manifest.unreadableInputs = PipelineRunner.unreadableEntries(outcome)
            manifest.counts = PipelineRunner.counts(outcome)
            manifest.outputs += try writeDiagnostics()
            manifest.status = "refused"
            manifest.exitStatus = ExitStatus.dataError.rawValue
            manifest.message = String(format: "reject rate %.2f %% is over the limit of %.2f %%; nothing was published",
                                      outcome.total.rejectRate * 100, definition.maxRejectRate * 100)
            manifest.timingsSeconds["total"] = Date().timeIntervalSince(started)
            manifest.finishedAt = ISO8601DateFormatter().string(from: Date())
            try manifest.write(to: staging + "/run.json")
            let folder = try publisher.keepRefused(staging: staging)
            published = true
            lines.append(manifest.message!)
            lines.append("rejects and manifest of this run: \(folder)/")
            logger.error("run refused: \(manifest.message!)")
            return RunReport(exitStatus: .dataError, lines: lines, folder: folder,
                             perFileLines: ConsoleSummary.perFileLines(outcome))
        }

        // Aggregate, while another thread hashes the inputs for the manifest.
        let digests = InputDigests(directory: request.dataDirectory, sources: InputDigests.sources(of: outcome))
        let aggStart = Date()
        progress?("aggregating \(outcome.events.events.count) events")
        let result = try aggregate(outcome: &outcome, catalogue: catalogue, definition: definition, asOf: asOf)
        // The last use of the events: completeness counts them. They are most of the run's
        // memory (10 M events ≈ 0.5 GB with their ids), and export does not need them.
        var completeness = PipelineRunner.completeness(outcome.events, asOf: asOf)
        if !outcome.unreadable.isEmpty {
            // In the table's order: facility, then month.
            completeness = (completeness + PipelineRunner.unreadableCompleteness(outcome.unreadable, asOf: asOf))
                .sorted { a, b in
                    a.facility != b.facility ? a.facility.utf8.lexicographicallyPrecedes(b.facility.utf8) : a.month < b.month
                }
        }
        outcome.events = EventSet()
        outcome.eventSources = RunCodedIndices(step: 0)
        outcome.eventLines = EventLines()
        manifest.timingsSeconds["aggregate"] = Date().timeIntervalSince(aggStart)
        CrashPoint.hit("aggregated")
        manifest.inputs = try inputEntries(outcome, digests: digests.wait())
        manifest.unreadableInputs = PipelineRunner.unreadableEntries(outcome)
        manifest.counts = PipelineRunner.counts(outcome)
        manifest.notes = outcome.notes

        // Export. indicators.csv (most of the bytes) is written by threads of its own, formatted
        // on every core as its rows are computed (none is kept), while this thread writes the
        // other outputs; run.json lists them in the same order whichever finishes first.
        let exportStart = Date()
        let values = result.values
        progress?("writing \(values.rowCount) indicator rows, the PWS tables and the report")
        let wanted = definition.outputs
        let indicators = wanted.contains(.indicators)
            ? try IndicatorsCSVParallelWriter(values: values, path: staging + "/indicators.csv", format: format) : nil
        defer { indicators?.cancel() }  // stops its threads when this thread fails first; else harmless
        let diagnostics = try writeDiagnostics(wanted)
        CrashPoint.hit("staging-partial")
        var later: [Manifest.OutputEntry] = []
        // The PWS tables and the workbook read the as-of month's village, puskesmas and kabupaten rows.
        let monthRows = wanted.contains(.pwsTables) || wanted.contains(.workbook)
            ? values.rows(months: asOf.month...asOf.month) { level, _ in
                level == .desa || level == .puskesmas || level == .kabkota
            } : []
        if wanted.contains(.pwsTables) {
            try FileManager.default.createDirectory(atPath: staging + "/pws", withIntermediateDirectories: true)
            for info in result.infos {
                let name = "pws/\(info.id).csv"
                let rows = try PWSTableCSV.write(indicator: info.id, monthRows: monthRows,
                                                 villagePuskesmas: result.villagePuskesmas,
                                                 direction: info.direction, to: staging + "/" + name, format: format)
                later.append(try outputEntry(folder: staging, name: name, rows: rows))
            }
        }
        if wanted.contains(.completeness) {
            let c = try CompletenessCSV.write(completeness, to: staging + "/completeness.csv", format: format)
            later.append(try outputEntry(folder: staging, name: "completeness.csv", rows: c))
        }
        if wanted.contains(.report) {
            let html = try renderReport(outcome: outcome, result: result, completeness: completeness, asOf: asOf)
            guard FileManager.default.createFile(atPath: staging + "/report.html", contents: Data(html.utf8)) else {
                throw PWSError(.outputNotWritable, "cannot write \(staging)/report.html")
            }
            later.append(try outputEntry(folder: staging, name: "report.html", rows: nil))
        }
        if wanted.contains(.workbook) {
            later.append(try writeWorkbook(outcome: outcome, values: values, monthRows: monthRows,
                                           villagePuskesmas: result.villagePuskesmas, staging: staging))
        }
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
        var lines = ConsoleSummary.lines(outcome, maxRejectRate: definition.maxRejectRate)
        lines.append("as-of \(asOf); published \(publisher.publishedPath) -> \(folder)")
        lines += ConsoleSummary.outputLines(folder: publisher.publishedPath, outputs: manifest.outputs)
        logger.info("published \(publisher.publishedPath)", metadata: ["rows": "\(result.values.rowCount)"])
        return RunReport(exitStatus: .success, lines: lines, folder: publisher.publishedPath,
                         perFileLines: ConsoleSummary.perFileLines(outcome))
    }

    /// Completeness rows for the service files skipped as unreadable (`--skip-unreadable`): the
    /// facility is unknown, so the row names the file, and it is marked not reported in the
    /// month the file name carries (`YYYY-MM` anywhere in it, as the generator and most
    /// districts name monthly files) when that is in the as-of year up to the as-of month, else
    /// in the as-of month.
    static func unreadableCompleteness(_ unreadable: [UnreadableInput], asOf: YearMonth) -> [CompletenessRow] {
        unreadable.map { input in
            let name = input.path.split(separator: "/").last.map(String.init) ?? input.path
            var month = asOf.month
            let bytes = Array(name.utf8)
            if bytes.count >= 7 {
                for i in 0...(bytes.count - 7) where bytes[i + 4] == UInt8(ascii: "-") {
                    let digits = bytes[i..<i + 4] + bytes[i + 5..<i + 7]
                    guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                          let candidate = YearMonth(String(decoding: bytes[i..<i + 7], as: UTF8.self)),
                          candidate.year == asOf.year, candidate.month <= asOf.month else { continue }
                    month = candidate.month
                    break
                }
            }
            return CompletenessRow(facility: "(tidak terbaca) \(input.path)", facilityType: "", year: asOf.year,
                                   month: month, records: 0, persons: 0, reported: false)
        }
    }

    /// Reporting completeness per facility and month of the as-of year (used records).
    ///
    /// Facilities are counted in (facility, month) buckets; distinct persons per bucket come from
    /// one counting sort of the persons by bucket and a last-seen mark per person, so 10 M
    /// events take a fraction of a second and no hashing (a `Set` per facility and month took
    /// 2 s).
    static func completeness(_ set: EventSet, asOf: YearMonth) -> [CompletenessRow] {
        let types = FacilityType.allCases
        // Bucket key: a facility without a code counts per facility type (keys 0..<types), a
        // facility with one by its id (types + id − 1).
        let keyCount = types.count + set.facilityIDs.count
        let first = YearMonth(year: asOf.year, month: 1).firstDay
        let next = YearMonth(year: asOf.year + 1, month: 1).firstDay
        let monthOfDay: [UInt8] = (0..<first.days(to: next)).map { UInt8(first.adding(days: $0).civil.month - 1) }
        func bucket(_ e: ServiceEvent) -> Int? {
            guard e.visit >= first, e.visit < next else { return nil }
            let key = e.facility == 0 ? Int(e.facilityType.rawValue) : types.count + Int(e.facility) - 1
            return key * 12 + Int(monthOfDay[first.days(to: e.visit)])
        }
        var records = [Int](repeating: 0, count: keyCount * 12)
        for e in set.events {
            if let b = bucket(e) { records[b] += 1 }
        }
        // Persons grouped by bucket (counting sort), then counted once each per bucket.
        var starts = [Int](repeating: 0, count: keyCount * 12 + 1)
        for b in 0..<records.count { starts[b + 1] = starts[b] + records[b] }
        var fill = starts
        var persons = [UInt32](repeating: 0, count: starts[records.count])
        for e in set.events {
            guard let b = bucket(e) else { continue }
            persons[fill[b]] = e.person
            fill[b] += 1
        }
        let personCount = Int(set.events.lazy.map(\.person).max() ?? 0) + 1
        var seenIn = [Int32](repeating: -1, count: personCount)
        var distinct = [Int](repeating: 0, count: keyCount * 12)
        for b in 0..<records.count where records[b] > 0 {
            for k in starts[b]..<starts[b + 1] where seenIn[Int(persons[k])] != Int32(b) {
                seenIn[Int(persons[k])] = Int32(b)
                distinct[b] += 1
            }
        }

        func name(_ key: Int) -> (String, String) {
            key < types.count ? ("(\(types[key].code) tanpa kode)", types[key].code)
                : (set.facilityIDs[UInt32(key - types.count)], "")
        }
        let keys = (0..<keyCount).filter { k in (0..<12).contains { records[k * 12 + $0] > 0 } }
            .map { ($0, name($0)) }
            .sorted { $0.1.0.utf8.lexicographicallyPrecedes($1.1.0.utf8) }
        var rows: [CompletenessRow] = []
        for (k, (facility, type)) in keys {
            for m in 1...asOf.month {
                let n = records[k * 12 + m - 1]
                rows.append(CompletenessRow(facility: facility, facilityType: type, year: asOf.year, month: m,
                                            records: n, persons: distinct[k * 12 + m - 1], reported: n > 0))
            }
        }
        return rows
    }
}
