import Export
import Foundation
import CSV
import PWSCore
import Validate

/// `pws export dhis2`: a published run's numerators and denominators as a DHIS2 import file
/// (§A6, docs/dhis2.md). Reads the run's `indicators.csv` and `run.json`; never the inputs.
public struct DHIS2Export {
    public var runFolder: String
    public var mappingPath: String
    public var format: DHIS2Format

    public init(runFolder: String, mappingPath: String, format: DHIS2Format) {
        self.runFolder = runFolder
        self.mappingPath = mappingPath
        self.format = format
    }

    /// What was exported and what was left out, for the console.
    public struct Outcome: Sendable {
        public var data: Data
        public var values: Int
        public var unmappedIndicators: [String]
        /// `code (level name)` of areas at a mapped level with no org unit.
        public var unmappedAreas: [String]
        /// Mapping areas that are not in the run.
        public var unknownAreas: [String]
        /// Mapped denominators that are empty in the run (no sasaran), per indicator.
        public var missingDenominators: [String: Int]
        public var lines: [String]
    }

    /// One row of indicators.csv, as far as the export reads it.
    struct Row {
        var year: Int, month: Int, level: String, code: String, name: String, indicator: String
        var numerator: Int
        var numeratorCumulative: Int?
        var denominator: Decimal?
        var denominatorSource: String
        var scope: String

        /// Whether the `denominator` column holds the year's figure, the same every month: a
        /// target group's (sasaran, their sum, an estimate) or the number of villages of an
        /// area count (UCI_DESA).
        var denominatorIsTheYears: Bool { DenominatorSource.yearFigureTexts.contains(denominatorSource) }

        /// Whether the numerator is a state at the month's end rather than what the month added:
        /// an area count's villages that have reached the threshold (UCI_DESA), whose
        /// `numerator_month` is the change from the month before.
        var numeratorIsAState: Bool { denominatorSource == "villages" }

        /// Whether it holds a count of the year so far — the subjects measured (`{records: …}`)
        /// or another indicator's cumulative numerator (the drop-out rates over DPT1) of a year
        /// or lifetime indicator — rather than the month's own (a monthly indicator's: N_D over
        /// D_S, the children weighed that month).
        var denominatorIsCumulative: Bool {
            !denominatorSource.isEmpty && !denominatorIsTheYears && scope != "monthly"
        }
    }

    public func run() throws -> Outcome {
        let csvPath = runFolder + "/indicators.csv"
        guard FileManager.default.isReadableFile(atPath: csvPath) else {
            throw PWSError(.inputMissing, "\(runFolder) has no indicators.csv; pass a published run folder (OUT/YYYY-MM) with --run")
        }
        // Neither is opened unless it is a regular file: a FIFO there would hold the export, a
        // link to /dev/zero feed it for ever.
        for path in [csvPath, runFolder + "/run.json"] {
            if let kind = InputFiles.nonRegularKind(atPath: path) {
                throw PWSError(.inputMissing, "\(path) is \(kind), not a regular file; pass a published run folder (OUT/YYYY-MM) with --run, copied whole")
            }
        }
        let exported = try checkRun(csvPath)
        let mapping = try DHIS2Mapping.load(path: mappingPath)
        if format == .adx && mapping.dataSet == nil {
            throw PWSError(.usage, "ADX needs the data set: add dataSet: to the mapping, or use --format json or csv",
                           location: SourceLocation(source: mappingPath, line: 1))
        }
        var indicators: Set<String> = []
        var areaNames: [String: (level: String, name: String)] = [:]
        var withDenominator: Set<String> = []
        let rows = try readRows(csvPath) { indicator, level, code, name, denominatorSource in
            indicators.insert(indicator)
            if !denominatorSource.isEmpty { withDenominator.insert(indicator) }
            if areaNames[code] == nil { areaNames[code] = (level, name) }
            return mapping.dataElements[indicator] != nil && mapping.orgUnits[code] != nil
        }
        try mapping.check(indicators: indicators)

        // Accumulate per (indicator, area, period): quarters add their months' numerators.
        struct Key: Hashable { var indicator: String, code: String, period: String }
        struct Sum {
            var row: Row; var adxPeriod: String; var numerator = 0; var denominator: Decimal?; var months = 0
            /// The latest month added (a state numerator is that month's).
            var lastMonth = 0
        }
        var sums: [Key: Sum] = [:]
        var order: [Key] = []
        let mappedLevels = Set(mapping.orgUnits.keys.compactMap { areaNames[$0]?.level })
        let monthsParts = Self.monthsParts(of: rows)
        for (i, r) in rows.enumerated() {
            let key = Key(indicator: r.indicator, code: r.code,
                          period: mapping.periodType.period(year: r.year, month: r.month))
            var sum = sums[key] ?? {
                order.append(key)
                return Sum(row: r, adxPeriod: mapping.periodType.adxPeriod(year: r.year, month: r.month))
            }()
            // Counts of persons (and the differences of a rate, which may be negative) never
            // come near Int.max; an indicators.csv that says otherwise was written by hand (it
            // trapped the quarterly export).
            if r.numeratorIsAState {
                // The period's last month's state: 3 of 8 villages UCI at the end of Q4.
                if r.month >= sum.lastMonth { sum.numerator = r.numeratorCumulative ?? r.numerator }
            } else {
                let (total, overflow) = sum.numerator.addingReportingOverflow(r.numerator)
                guard !overflow else {
                    throw PWSError(.data, "indicators.csv: the numerators of \(r.indicator) for \(r.level) \(r.code) in \(key.period) add up beyond the range of a count; the file is not one pws wrote — copy the run folder again from OUT")
                }
                sum.numerator = total
            }
            sum.lastMonth = max(sum.lastMonth, r.month)
            // A year denominator (sasaran, sum, estimate, villages) is the same every month and
            // is taken as it is; any other is the month's part — its own count, or the month's
            // share of a count of the year so far — and a quarter adds its months' parts, as it
            // adds their numerators (the months' numerators of a year indicator add up to its
            // cumulative one). A monthly indicator's year denominator is each month's, as its
            // numerator is each month's count: a quarter adds both (D_S: the children weighed in
            // each month over balita × 3, the months' average D/S — not 3 months of weighings
            // over one year's balita).
            if r.scope == "monthly" && r.denominatorIsTheYears, let d = r.denominator {
                sum.denominator = (sum.denominator ?? 0) + d
            } else if r.denominatorIsTheYears || r.denominatorSource.isEmpty {
                sum.denominator = r.denominator
            } else if let d = monthsParts[i] {
                sum.denominator = (sum.denominator ?? 0) + d
            }
            sum.months += 1
            sums[key] = sum
        }

        var values: [DHIS2DataValue] = []
        var missing: [String: Int] = [:]
        for key in order {
            let sum = sums[key]!
            let parts = mapping.dataElements[key.indicator]!.parts
            let unit = mapping.orgUnits[key.code]!
            for part in DHIS2Part.allCases {
                guard let target = parts[part] else { continue }
                let value: String
                switch part {
                case .numerator: value = String(sum.numerator)
                case .denominator:
                    guard let d = sum.denominator else {
                        missing[key.indicator, default: 0] += 1
                        continue
                    }
                    value = "\(d)"
                }
                values.append(DHIS2DataValue(
                    dataElement: target.dataElement, period: key.period, adxPeriod: sum.adxPeriod, orgUnit: unit,
                    categoryOptionCombo: target.categoryOptionCombo, attributeOptionCombo: mapping.attributeOptionCombo,
                    value: value, storedBy: mapping.storedBy,
                    comment: "pws \(key.indicator) \(part.rawValue), \(sum.row.level) \(key.code)"))
            }
        }

        let unmappedIndicators = indicators.filter { mapping.dataElements[$0] == nil }.sorted()
        let unmappedAreas = areaNames.filter { mappedLevels.contains($0.value.level) && mapping.orgUnits[$0.key] == nil }
            .map { "\($0.key) (\($0.value.level) \($0.value.name))" }.sorted()
        let unknownAreas = mapping.orgUnits.keys.filter { areaNames[$0] == nil }.sorted()
        var lines: [String] = []
        for id in unmappedIndicators {
            lines.append("warning: indicator \(id) has no data element in \(mappingPath); its values are not exported")
        }
        for area in unmappedAreas {
            lines.append("warning: area \(area) has no org unit in \(mappingPath); its values are not exported")
        }
        for area in unknownAreas {
            lines.append("warning: area \(area) of \(mappingPath) is not in this run; nothing is exported for it")
        }
        // An indicator with no denominator in any area is a count (IMM_DPT1, HIPERTENSI: its
        // catalogue defines none) or one whose target group had neither sasaran nor population
        // anywhere: which, the run folder does not say, so both are named ("no sasaran" alone
        // sent the operator looking for a sasaran a count cannot have).
        for (id, n) in missing.sorted(by: { $0.key < $1.key }) {
            lines.append(withDenominator.contains(id)
                ? "warning: \(id): \(n) denominator value(s) not exported: the run has no denominator there (no sasaran)"
                : "warning: \(id): \(n) denominator value(s) not exported: \(id) has no denominator in any area of this run — a count whose catalogue defines none (then remove its denominator from the mapping), or a target group with neither sasaran nor population anywhere")
        }
        // A 0 replaces an earlier value only where DHIS2 counts zeros (docs/dhis2.md).
        let zeros = values.filter { $0.value == "0" }.count
        if zeros > 0 {
            lines.append("note: \(zeros) of the values are 0; DHIS2 stores a 0 (and replaces a value sent before) only for data elements whose \"Zero is significant\" is on — turn it on for the mapped data elements (docs/dhis2.md)")
        }
        lines.append("\(values.count) values (\(format.rawValue)); not exported: \(unmappedIndicators.count) unmapped indicator(s), \(unmappedAreas.count) unmapped area(s), \(missing.values.reduce(0, +)) missing denominator(s)")
        guard !values.isEmpty else {
            // The warnings say why (a mapped area not in the run, as the register writes it):
            // thrown alone, the error dropped them.
            throw NothingToExport(lines: lines, error: PWSError(.data, "nothing to export: no mapped indicator has a mapped area in \(runFolder); check dataElements and orgUnits in \(mappingPath) (area codes as indicators.csv's area_code: \(Self.codeExamples(areaNames)))"))
        }
        let data = try DHIS2Writer.encode(values, format: format, dataSet: mapping.dataSet, exported: exported)
        return Outcome(data: data, values: values.count, unmappedIndicators: unmappedIndicators,
                       unmappedAreas: unmappedAreas, unknownAreas: unknownAreas, missingDenominators: missing,
                       lines: lines)
    }

    /// Checks that `csvPath` is the indicators.csv the run published — run.json lists its size
    /// and sha256 — so a truncated or damaged copy (a half-finished copy, a full disk) is
    /// refused instead of exporting the months it still holds; returns the run's finish time
    /// (so the same run always exports the same bytes).
    /// - Throws: `PWSError` (exit 65) naming what differs.
    func checkRun(_ csvPath: String) throws -> String {
        let runJSON = runFolder + "/run.json"
        let whatToDo = "pass a published run folder (OUT/YYYY-MM) with --run, copied whole"
        guard let data = try PublishedRunJSON.contents(atPath: runJSON, whatToDo: whatToDo),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PWSError(.data, "\(runJSON) is missing or not readable JSON; \(whatToDo)")
        }
        let listed = (json["outputs"] as? [[String: Any]])?.first { $0["path"] as? String == "indicators.csv" }
        guard let listed, let size = listed["bytes"] as? Int, let sha256 = listed["sha256"] as? String else {
            throw PWSError(.data, "\(runJSON) does not list indicators.csv; pass a published run folder (OUT/YYYY-MM) with --run")
        }
        let actual = try FileDigest.sha256(path: csvPath)
        guard actual.bytes == size && actual.hex == sha256 else {
            throw PWSError(.data, "\(csvPath) is not the file the run published (\(actual.bytes) bytes, run.json lists \(size)\(actual.bytes == size ? " with another sha256" : "")): it was cut or changed since; copy the run folder again from OUT")
        }
        guard let finished = (json["finished_at"] as? String) ?? (json["started_at"] as? String) else {
            throw PWSError(.data, "\(runJSON) has no finished_at; pass a published run folder (OUT/YYYY-MM) with --run")
        }
        return finished
    }

    /// Each row's own part of its denominator, for denominators that are neither the year's nor
    /// absent: the month's count as it is, or — for a cumulative count — the month's minus that
    /// of the latest earlier month of the same indicator, area and year (January's whole), so
    /// that DHIS2's sums over a quarter or the year give pws's cumulative denominator; nil
    /// for a row without one.
    static func monthsParts(of rows: [Row]) -> [Decimal?] {
        struct Series: Hashable { var indicator: String, code: String, year: Int }
        var months: [Series: [(month: Int, value: Decimal)]] = [:]
        for r in rows where r.denominatorIsCumulative {
            guard let d = r.denominator else { continue }
            months[Series(indicator: r.indicator, code: r.code, year: r.year), default: []].append((r.month, d))
        }
        for key in months.keys { months[key]!.sort { $0.month < $1.month } }
        return rows.map { r in
            guard let d = r.denominator else { return nil }
            guard r.denominatorIsCumulative else { return d }
            let series = months[Series(indicator: r.indicator, code: r.code, year: r.year)] ?? []
            let before = series.last { $0.month < r.month }?.value ?? 0
            return d - before
        }
    }

    /// An export with no value: the lines that say why, then the error (exit 65).
    public struct NothingToExport: Error {
        public var lines: [String]
        public var error: PWSError
    }

    /// One area code of each level of the run, for the advice of an empty export.
    static func codeExamples(_ areas: [String: (level: String, name: String)]) -> String {
        var byLevel: [String: String] = [:]
        for (code, area) in areas where byLevel[area.level].map({ code < $0 }) ?? true { byLevel[area.level] = code }
        return ["kabkota", "kecamatan", "puskesmas", "desa", "rw", "rt"].compactMap { level in byLevel[level].map { "\(level) \($0)" } }
            .joined(separator: ", ")
    }

    /// The rows of indicators.csv (plain or `--excel` format) that `keep` (indicator, level, area
    /// code, area name, denominator source) accepts; `keep` sees every row.
    func readRows(_ path: String, keep: (String, String, String, String, String) -> Bool) throws -> [Row] {
        let reader = try CSVReader(path: path, source: "indicators.csv")
        var columns: [String: Int] = [:]
        var headerCount = 0
        var rows: [Row] = []
        let needed = ["year", "month", "level", "area_code", "area_name", "indicator", "scope", "numerator_month",
                      "numerator_cumulative", "denominator", "denominator_source"]
        func bad(_ line: Int, _ what: String) -> PWSError {
            PWSError(.data, "\(what); is this a pws run folder?", location: SourceLocation(source: path, line: line))
        }
        try reader.read { event in
            switch event {
            case .malformed(let line, let message):
                throw bad(line, message)
            case .record(let r):
                if r.index == 0 {
                    headerCount = r.count
                    for i in 0..<r.count {
                        // A column named twice: which one is meant is not said (the last one was read).
                        guard columns.updateValue(i, forKey: r.string(i)) == nil else {
                            throw bad(r.line, "indicators.csv names the column \(VisibleText.quoting(r.string(i), limit: 64)) twice")
                        }
                    }
                    if let missing = needed.first(where: { columns[$0] == nil }) {
                        throw bad(r.line, "indicators.csv has no column \(missing)")
                    }
                    return
                }
                // A short row (a cut line) was read with its missing cells empty.
                guard r.count >= headerCount else { throw bad(r.line, "\(r.count) fields, fewer than the header's \(headerCount)") }
                func s(_ name: String) -> String { r.string(columns[name]!) }
                guard keep(s("indicator"), s("level"), s("area_code"), s("area_name"), s("denominator_source")) else { return }
                guard let year = Int(s("year")), let month = Int(s("month")), (1...12).contains(month),
                      let numerator = Int(s("numerator_month")) else {
                    throw bad(r.line, "year, month or numerator_month is not a number")
                }
                let denominatorText = s("denominator").replacingOccurrences(of: ",", with: ".")
                var denominator: Decimal?
                if !denominatorText.isEmpty {
                    guard let d = Decimal(string: denominatorText, locale: Locale(identifier: "en_US_POSIX")) else {
                        throw bad(r.line, "denominator \"\(denominatorText)\" is not a number")
                    }
                    denominator = d
                }
                rows.append(Row(year: year, month: month, level: s("level"), code: s("area_code"), name: s("area_name"),
                                indicator: s("indicator"), numerator: numerator,
                                numeratorCumulative: Int(s("numerator_cumulative")), denominator: denominator,
                                denominatorSource: s("denominator_source"), scope: s("scope")))
            }
        }
        return rows
    }
}
