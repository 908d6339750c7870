import CSV
import PWSCore

/// A pipeline `reshape` rule (spec §A2): how a wide register (one row per person, a column per
/// month or per vaccine) becomes service records. Column names are matched like header names
/// (case, spaces and `-` ignored).
public struct ReshapeRule: Sendable, Hashable {
    /// Where the year of a month series comes from.
    public enum Year: Sendable, Hashable {
        case column(String)
        case value(Int)
        /// The first 4-digit year (1900–2999) in the file's name.
        case fileName
        /// The first 4-digit year in the sheet's name (a workbook with a sheet per year), else
        /// in the file's name (a CSV register has no sheets).
        case sheetName
    }

    /// Which files the rule reads: a pattern over the path relative to the data folder, `*`
    /// matching any run of characters but `/` (`layanan/register-*.xlsx`).
    public var files: String
    /// Service-record field (canonical name, e.g. `person_id`) → the register's column.
    public var columns: [String: String]
    /// Service-record field → a value for every made record (e.g. `facility_type: posyandu`).
    public var values: [String: String]
    public var year: Year?
    /// The 12 month columns, January first; each non-empty cell is one `monthService` record
    /// with result = the cell, visit date = `day` of that month (the last day when shorter).
    public var months: [String]
    public var monthService: String
    public var day: Int
    /// Service code → the column holding the date it was given (`HB0: HB0`, `BCG: TGL_BCG`).
    public var dated: [(service: String, column: String)]
    /// What a month cell holds when the service was not given (`x`, `A` for absent, `0`, a
    /// dash), compared ignoring case: no record, counted in the file's notes. `-` is empty
    /// in any cell already.
    public var absent: [String] = ReshapeRule.defaultAbsent
    public static let defaultAbsent = ["x", "a", "0", "–", "—"]

    public init(files: String, columns: [String: String] = [:], values: [String: String] = [:], year: Year? = nil,
                months: [String] = [], monthService: String = "TIMBANG", day: Int = 15,
                dated: [(service: String, column: String)] = []) {
        self.files = files
        self.columns = columns
        self.values = values
        self.year = year
        self.months = months
        self.monthService = monthService
        self.day = day
        self.dated = dated
    }

    public static func == (a: ReshapeRule, b: ReshapeRule) -> Bool {
        a.files == b.files && a.columns == b.columns && a.values == b.values && a.year == b.year
            && a.months == b.months && a.monthService == b.monthService && a.day == b.day && a.absent == b.absent
            && a.dated.map { "\($0.service)=\($0.column)" } == b.dated.map { "\($0.service)=\($0.column)" }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(files) }

    /// Whether `path` (relative to the data folder) is one of the rule's files: `*` any
    /// characters but `/`, `?` one character but `/`, ASCII letters in either case.
    public func matches(_ path: String) -> Bool { Self.glob(Array(files.utf8), Array(path.utf8)) }

    /// As neither `*` nor `?` matches `/`, the pattern's and the path's `/` pair up: each
    /// segment of the pattern is matched against the path's segment at the same place.
    static func glob(_ pattern: [UInt8], _ path: [UInt8]) -> Bool {
        let slash = UInt8(ascii: "/")
        let p = pattern.split(separator: slash, omittingEmptySubsequences: false)
        let s = path.split(separator: slash, omittingEmptySubsequences: false)
        return p.count == s.count && zip(p, s).allSatisfy { segment($0, $1) }
    }

    /// One segment, in time proportional to the pattern's length times the text's: on a
    /// mismatch only the latest `*` takes one more character (the earlier ones never need
    /// to), where trying every split for every `*` took exponential time (`*a*a*a*a*a*ab`
    /// against 120 a's ran for minutes).
    private static func segment(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        let star = UInt8(ascii: "*"), any = UInt8(ascii: "?")
        func folded(_ c: UInt8) -> UInt8 { c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c }
        var pi = p.startIndex, si = s.startIndex
        var lastStar: Int?, resume = s.startIndex
        while si < s.endIndex {
            if pi < p.endIndex && p[pi] == star {
                lastStar = pi
                pi += 1
                resume = si
            } else if pi < p.endIndex && (p[pi] == any || folded(p[pi]) == folded(s[si])) {
                pi += 1
                si += 1
            } else if let st = lastStar {
                pi = st + 1
                resume += 1
                si = resume
            } else {
                return false
            }
        }
        while pi < p.endIndex && p[pi] == star { pi += 1 }
        return pi == p.endIndex
    }

    /// The fields made records have, in this order (the header the table reader maps).
    public static let fields = ["record_id", "visit_date", "person_id", "birth_date", "sex", "village_code", "rw", "rt",
                                "facility_type", "facility_id", "service_code", "result", "provider", "name"]
    /// The months' names in messages, January first.
    public static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                                    "September", "October", "November", "December"]
    /// Fields whose column a register may lack (the records then have the field empty).
    static let optionalColumns: Set<String> = ["name"]
}

/// Rows of a CSV file as a `RecordSource` of one section labelled with the file's path (for a
/// reshape over a CSV register).
public final class CSVRecordSource: RecordSource {
    private let reader: CSVReader
    public var blankRows: Int { reader.blankRows }
    public private(set) var notes: [String] = []
    public var minimumFieldCount = 0
    public let headerLine: Int?

    public init(reader: CSVReader, headerLine: Int? = nil) {
        self.reader = reader
        self.headerLine = headerLine
    }

    public func note(_ text: String) { notes.append(text) }

    public func read(_ body: (RecordSourceEvent) throws -> Void) throws {
        try body(.section(label: reader.source))
        try reader.read { event in
            switch event {
            case .record(let record): try body(.record(record, issues: []))
            case .malformed(let line, let message): try body(.malformed(line: line, message: message))
            }
        }
    }
}

/// A wide register read through a `ReshapeRule`: each section's header row (the first of its
/// first 20 rows holding every column the rule names) is replaced by the service-record header,
/// and each register row by one record per non-empty month or dated-service cell. A made
/// record's record_id is `FILE:SHEET:CELL` (deterministic and unique), its line the register
/// row; cell issues of the row's person and area columns go with every record of the row, a
/// month or date cell's with its own record. Registers rows with no such cell make no record.
public final class ReshapeSource: RecordSource {
    private let inner: RecordSource
    private let rule: ReshapeRule
    private let fileName: String
    private let source: String
    public var blankRows: Int { inner.blankRows }
    public var notes: [String] { inner.notes + ownNotes }
    private var ownNotes: [String] = []
    public var minimumFieldCount = 0
    public var headerLine: Int? { nil }
    private let innerHeaderLine: Int?

    public init(inner: RecordSource, rule: ReshapeRule, source: String) {
        self.inner = inner
        self.rule = rule
        innerHeaderLine = inner.headerLine
        self.source = source
        fileName = String(source.split(separator: "/").last ?? Substring(source))
    }

    public func note(_ text: String) { ownNotes.append(text) }

    private struct Layout {
        var fixed: [(field: Int, column: Int)] = []
        var months: [Int] = []
        var dated: [(service: String, column: Int)] = []
        var year: Int?
    }

    public private(set) var unmatchedHeader: UnmatchedHeader?

    public func read(_ body: (RecordSourceEvent) throws -> Void) throws {
        let fields = ReshapeRule.fields
        var label = ""
        var layout: Layout?
        var searched = 0
        var builder = RecordBuilder()
        // A CSV register's rows have the header's field count (an unquoted `5,1` adds one and
        // shifts every month after it): E-FIELDS, as in a long-format file. A worksheet's row
        // may end early (empty trailing cells are not written).
        let checksFieldCount = inner is CSVRecordSource
        var headerWidth = 0
        // The section being searched, or found to lack the rule's columns: its rows, and the
        // columns its best row lacks.
        var sectionRows = 0, unmatchedSection = false
        var nearMiss: NearMissSection?
        // The searched row with the fewest of the rule's columns missing (the first of equals),
        // and how many of the section's rows came up to it.
        var bestRow: (line: Int, upper: Int?, missing: [String], rowsBefore: Int)?
        let fileYear: Int? = switch rule.year {
        case .value(let y): y
        case .fileName, .sheetName: Self.year(in: fileName)
        default: nil
        }
        var constantYear = fileYear
        var absentCells = 0
        // The row read before the one being tried as the header: the upper row of a two-row header.
        var above: (line: Int, cells: [String])?
        // Rows of the register's layout, not of a person: by kind, their positions.
        var layoutRows: [String: [String]] = [:]
        func giveUp() {
            let missing = bestRow?.missing ?? []
            let shown = missing.map { "\"\($0)\"" }.joined(separator: ", ")
            ownNotes.append("\(label): not read — no row has the register columns of the reshape rule for \(rule.files)"
                            + (missing.isEmpty ? "" : " (\(TwoRowHeader.rows(bestRow!.line, upper: bestRow!.upper)) lack\(bestRow!.upper == nil ? "s" : "") \(shown))"))
            unmatchedSection = true
            nearMiss = bestRow.flatMap { isNearMiss($0.missing) ? NearMissSection(label: label, line: $0.line, upper: $0.upper, missing: $0.missing, rows: $0.rowsBefore) : nil }
            if unmatchedHeader == nil {
                unmatchedHeader = UnmatchedHeader(
                    label: label, line: bestRow?.line ?? 1, missing: missing,
                    message: "no header row has the columns of the reshape rule for \(rule.files)"
                        + (missing.isEmpty ? "" : bestRow!.upper == nil ? " (\(label):\(bestRow!.line) lacks \(shown))"
                            : " (\(label), \(TwoRowHeader.rows(bestRow!.line, upper: bestRow!.upper)), lack \(shown))")
                        + "; name the columns in the register as the rule does, or correct the rule's columns in the pipeline",
                    rows: 0, labels: [])
            }
        }
        func finishSection() {
            if layout == nil && searched > 0 { giveUp() }
            if unmatchedSection {
                unmatchedHeader?.rows += Swift.max(0, sectionRows - 1)
                unmatchedHeader?.labels.insert(label)
                if var near = nearMiss {
                    // The rows after its header row (`rows` held how many came up to it).
                    near.rows = sectionRows - near.rows
                    unmatchedHeader?.nearMiss.append(near)
                }
            }
            nearMiss = nil
        }
        try inner.read { event in
            switch event {
            case .section(let next):
                finishSection()
                label = next
                constantYear = sectionYear(label: next, fileYear: fileYear)
                layout = nil
                above = nil
                searched = 0
                sectionRows = 0
                unmatchedSection = false
                bestRow = nil
                inner.minimumFieldCount = 0
                try body(.section(label: next))
            case .malformed(let line, let message):
                if layout != nil && !unmatchedSection { try body(.malformed(line: line, message: message)) } else { sectionRows += 1 }
            case .rejected(let diagnostic):
                if layout != nil && !unmatchedSection { try body(.rejected(diagnostic)) } else { sectionRows += 1 }
            case .record(let record, let issues):
                guard let l = layout else {
                    let cells = (0..<record.count).map { record.string($0) }
                    defer { above = (record.line, cells) }
                    if let wanted = innerHeaderLine, record.line < wanted { return }
                    searched += 1
                    sectionRows += 1
                    // The row alone, else with the row just above it (a two-row header).
                    var header = cells
                    var upperLine: Int?
                    var found = findLayout(header)
                    if found == nil, let upper = above, upper.line == record.line - 1 {
                        let combined = TwoRowHeader.combine(upper: upper.cells, lower: cells)
                        found = findLayout(combined)
                        if found != nil {
                            header = combined
                            ownNotes.append(TwoRowHeader.note(label: label, upper: upper.line, lower: record.line))
                        } else if missingColumns(combined).count < missingColumns(cells).count {
                            header = combined
                            upperLine = upper.line
                        }
                    }
                    if let found {
                        layout = found
                        noteRepeatedColumns(header, line: record.line, label: label)
                        headerWidth = record.count
                        inner.minimumFieldCount = record.count
                        builder.reset()
                        for name in fields { builder.append(name) }
                        try builder.withRecord(line: record.line) { try body(.record($0, issues: [])) }
                    } else {
                        let missing = missingColumns(header)
                        if missing.count < bestRow?.missing.count ?? Int.max { bestRow = (record.line, upperLine, missing, sectionRows) }
                        if searched == TableReader.headerSearchRows || innerHeaderLine != nil {
                            // Not a register of this rule: the section's rows are counted
                            // (E-COLUMNS, when no section has the columns), not read.
                            giveUp()
                            layout = Layout()
                            searched = 0
                        }
                    }
                    return
                }
                if unmatchedSection {
                    sectionRows += 1
                    return
                }
                if l.months.isEmpty && l.dated.isEmpty { return }
                if checksFieldCount && record.count != headerWidth {
                    try body(.rejected(Diagnostic(
                        location: SourceLocation(source: label, line: record.line), recordID: "", rule: .fields, field: "",
                        value: String(record.count),
                        message: "the row has \(record.count) fields but the header has \(headerWidth), so its cells would be read under the wrong months; "
                            + "quote any value that contains the delimiter (a decimal comma: \"5,1\") and give every row as many fields as the header")))
                    return
                }
                if let kind = notARegisterRow(record, issues: issues, layout: l) {
                    layoutRows[kind, default: []].append("\(label):\(record.line)")
                    return
                }
                absentCells += try emit(record, issues: issues, layout: l, label: label, constantYear: constantYear,
                                        builder: &builder, body)
            }
        }
        finishSection()
        for (kind, rows) in layoutRows.sorted(by: { $0.key < $1.key }) {
            let shown = rows.prefix(5).joined(separator: ", ") + (rows.count > 5 ? " and \(rows.count - 5) more" : "")
            ownNotes.append("\(source): \(rows.count) row(s) \(kind) made no record (\(shown))")
        }
        if absentCells > 0 {
            ownNotes.append("\(source): \(absentCells) month cell(s) marked as not given (\(rule.absent.joined(separator: ", "))) made no record")
        }
    }

    /// The year a section's months are of: with `from_sheet_name`, the sheet's (else the
    /// file's); otherwise `fileYear`, noting a sheet named as another year — its months are
    /// read as `fileYear` (a workbook with a sheet per year wants `from_sheet_name`).
    private func sectionYear(label: String, fileYear: Int?) -> Int? {
        guard label.count > source.count + 1, label.hasPrefix(source + ":") else { return fileYear }
        let sheet = String(label.dropFirst(source.count + 1))
        let named = Self.year(in: sheet)
        if case .sheetName = rule.year {
            if let named, let fileYear, named != fileYear {
                ownNotes.append("\(label): the sheet's months are read as \(named), the year in its name, though the file's name says \(fileYear) — check that the sheet holds that year")
            }
            return named ?? fileYear
        }
        if let named, let fileYear, named != fileYear, !rule.months.isEmpty {
            ownNotes.append("\(label): the sheet is named as the year \(named), but its months are read as \(fileYear) (the reshape rule's year); give the rule year: {from_sheet_name: true} if each sheet holds its own year")
        }
        return fileYear
    }

    /// A column the rule reads that the header has twice (a second `JAN` further right): the
    /// first is read, the other's cells are not — said in the notes, not left out silently.
    private func noteRepeatedColumns(_ header: [String], line: Int, label: String) {
        var names = Array(rule.columns.values) + rule.months + rule.dated.map(\.column)
        if case .column(let year) = rule.year { names.append(year) }
        let wanted = Set(names.map(Self.normalise))
        // Each name's columns in order: one note per name, however often it repeats (a header
        // with JAN 10 001 times made 10 000 notes, 2 MB of run.json).
        var columns: [String: [Int]] = [:]
        var order: [String] = []
        for c in header.indices {
            let name = Self.normalise(header[c])
            guard wanted.contains(name) else { continue }
            if columns[name] == nil { order.append(name) }
            columns[name, default: []].append(c)
        }
        for name in order {
            guard let at = columns[name], at.count > 1, let f = at.first else { continue }
            let others = at.dropFirst()
            let shown = others.prefix(5).map { "\(CellIssue.columnName($0))\(line)" }.joined(separator: ", ")
                + (others.count > 5 ? " and \(others.count - 5) more" : "")
            let text = header[f]
            ownNotes.append(at.count == 2
                ? "\(label): the header has \(text) twice (\(CellIssue.columnName(f))\(line) and \(shown)); the reshape rule reads the first, the other's cells are not read — rename or remove one"
                : "\(label): the header has \(text) \(at.count) times (\(CellIssue.columnName(f))\(line), then \(shown)); the reshape rule reads the first, the others' cells are not read — rename or remove them")
        }
    }

    /// Whether a row lacking `missing` is a register with a column or two misnamed: at most
    /// `NearMissSection.maxMissing` of the rule's columns lacking, and a month or dated column
    /// there (a recap of months by area lacks the person columns; a child list, the months).
    private func isNearMiss(_ missing: [String]) -> Bool {
        let lacking = Set(missing.map(Self.normalise))
        let cells = rule.months + rule.dated.map(\.column)
        return missing.count <= NearMissSection.maxMissing && cells.contains { !lacking.contains(Self.normalise($0)) }
    }

    /// The columns the rule names that `header` lacks (optional ones aside), as the rule names them.
    private func missingColumns(_ header: [String]) -> [String] {
        let present = Set(header.map(Self.normalise))
        // In the order of a service record's fields (person_id, birth_date, sex, village_code …).
        var names = ReshapeRule.fields.filter { !ReshapeRule.optionalColumns.contains($0) }.compactMap { rule.columns[$0] }
        names += rule.months + rule.dated.map(\.column)
        if case .column(let year) = rule.year { names.append(year) }
        var missing: [String] = []
        for name in names where !present.contains(Self.normalise(name)) && !missing.contains(name) { missing.append(name) }
        return missing
    }

    private func findLayout(_ header: [String]) -> Layout? {
        var index: [String: Int] = [:]
        for c in header.indices {
            let name = Self.normalise(header[c])
            if !name.isEmpty && index[name] == nil { index[name] = c }
        }
        var layout = Layout()
        for (field, column) in rule.columns.sorted(by: { $0.key < $1.key }) {
            guard let f = ReshapeRule.fields.firstIndex(of: field) else { return nil }
            guard let c = index[Self.normalise(column)] else {
                if ReshapeRule.optionalColumns.contains(field) { continue }
                return nil
            }
            layout.fixed.append((f, c))
        }
        for month in rule.months {
            guard let c = index[Self.normalise(month)] else { return nil }
            layout.months.append(c)
        }
        for (service, column) in rule.dated {
            guard let c = index[Self.normalise(column)] else { return nil }
            layout.dated.append((service, c))
        }
        if case .column(let name) = rule.year {
            guard let c = index[Self.normalise(name)] else { return nil }
            layout.year = c
        }
        return layout
    }

    /// Makes the records of one register row; returns how many month cells were marked as not given.
    private func emit(_ record: CSVRecord, issues: [CellIssue], layout: Layout, label: String, constantYear: Int?,
                      builder: inout RecordBuilder, _ body: (RecordSourceEvent) throws -> Void) throws -> Int {
        let fields = ReshapeRule.fields
        func cell(_ c: Int) -> String { c < record.count ? record.string(c) : "" }
        var year = constantYear
        var badYear: CellIssue?
        if let c = layout.year {
            let text = cell(c).trimmingCharacters(in: " ")
            // A whole number (a number cell may be written 2025.0); 2025.5 is not a year.
            let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            let whole = parts.count == 2 && !parts[1].isEmpty && parts[1].allSatisfy({ $0 == "0" }) ? String(parts[0]) : text
            year = Int(whole).flatMap { (1900...2999).contains($0) ? $0 : nil }
            if year == nil {
                badYear = CellIssue(column: fields.firstIndex(of: "visit_date") ?? 0,
                                    reference: CellIssue.columnName(c) + String(record.line),
                                    kind: .badYear(VisibleText.escapingControls(String(text.prefix(40)))))
            }
        }
        // Issues of the person and area columns go with every record of the row.
        var rowIssues: [CellIssue] = []
        for issue in issues {
            if let fixed = layout.fixed.first(where: { $0.column == issue.column }) {
                rowIssues.append(CellIssue(column: fixed.field, reference: issue.reference, kind: issue.kind))
            }
        }
        let resultField = fields.firstIndex(of: "result") ?? 0
        let visitField = fields.firstIndex(of: "visit_date") ?? 0
        /// `cellField`: the field a problem of the cell itself is reported under — a month
        /// cell holds the result, a dated cell the visit date.
        func make(column: Int, service: String, visit: String, result: String, cellField: Int, extra: CellIssue? = nil) throws {
            builder.reset()
            let reference = CellIssue.columnName(column) + String(record.line)
            var values = Array(repeating: "", count: fields.count)
            for (field, value) in rule.values { if let f = fields.firstIndex(of: field) { values[f] = value } }
            for (f, c) in layout.fixed { values[f] = cell(c) }
            values[0] = "\(label):\(reference)"
            values[visitField] = visit
            values[fields.firstIndex(of: "service_code") ?? 0] = service
            values[resultField] = result
            for v in values { builder.append(v) }
            var own = rowIssues
            if let extra { own.append(extra) }
            for issue in issues where issue.column == column {
                own.append(CellIssue(column: cellField, reference: issue.reference, kind: issue.kind))
            }
            try builder.withRecord(line: record.line) { try body(.record($0, issues: own)) }
        }
        var absentCells = 0
        let birthField = fields.firstIndex(of: "birth_date")
        let birthDate = layout.fixed.first { $0.field == birthField }.flatMap { Day.parse(cell($0.column).trimmingCharacters(in: " ")) }
        for (m, c) in layout.months.enumerated() {
            var value = cell(c).trimmingCharacters(in: " ")
            guard !value.isEmpty || issues.contains(where: { $0.column == c }) else { continue }
            if rule.absent.contains(where: { $0.caseInsensitiveCompare(value) == .orderedSame }) {
                absentCells += 1
                continue
            }
            value = Self.withoutGrowthCode(value)
            // No year from the file name: the visit date stays empty, so the record is
            // E-REQUIRED at this cell; a year cell that is not a year: E-DATE at that cell.
            var visit = ""
            if let year, (1900...2999).contains(year), var day = Day(year: year, month: m + 1, day: min(rule.day, Day.daysIn(month: m + 1, year: year))) {
                // A child born in that month after `day` was weighed after birth: dated its
                // birth date, not rejected E-BEFORE-BIRTH for a day the register never gave.
                if let birth = birthDate, birth > day, birth.year == year, birth.month == m + 1 { day = birth }
                visit = day.description
            }
            try make(column: c, service: rule.monthService, visit: visit, result: value, cellField: resultField, extra: badYear)
        }
        for (service, c) in layout.dated {
            let value = cell(c).trimmingCharacters(in: " ")
            guard !value.isEmpty || issues.contains(where: { $0.column == c }) else { continue }
            try make(column: c, service: service, visit: value, result: "", cellField: visitField)
        }
        return absentCells
    }

    /// Why a register row is part of the register's layout rather than a person's row, or nil:
    /// the row numbering the columns under the header (`1 2 3 … 21`, as the SIP formats print
    /// it), or a row with no person at all — no NIK, birth date, sex or name (a `JUMLAH` row of
    /// totals, a signature under the table). A person's row with one of them is read, and its
    /// gaps are rejected as in any row.
    private func notARegisterRow(_ record: CSVRecord, issues: [CellIssue], layout: Layout) -> String? {
        // A cell read from a merged cell above it is not the row's own: a signature under a
        // village code merged down the page, or a child's second row, is judged without it.
        let merged = Set(issues.lazy.filter { $0.kind == .merged }.map(\.column))
        func cell(_ c: Int) -> String {
            c < record.count && !merged.contains(c) ? record.string(c).trimmingCharacters(in: " ") : ""
        }
        // A cell the reader could not give (a formula without its value) is a person's data.
        if layout.fixed.contains(where: { f in !merged.contains(f.column) && issues.contains { $0.column == f.column } }) { return nil }
        let fixed = layout.fixed.map { cell($0.column) }
        // The numbering row: its NIK cell is a small number like every other cell.
        if let personColumn = layout.fixed.first(where: { $0.field == Self.personField })?.column,
           let n = Int(cell(personColumn)), n < 1000 {
            let filled = (0..<record.count).map { ($0, cell($0)) }.filter { !$0.1.isEmpty }
            // Small numbers only: a cell of 19 nines must not overflow the sum (hostile input).
            if filled.count >= 5, let first = Int(filled[0].1), (0..<1000).contains(first),
               filled.allSatisfy({ Int($0.1) == first + $0.0 - filled[0].0 }) {
                return "numbering the columns (1, 2, 3 …)"
            }
        }
        if fixed.allSatisfy(\.isEmpty) {
            return "without a person or an area (totals, signatures)"
        }
        // A JUMLAH / TOTAL row: the label in a cell of its own, and no person in it.
        let personCells = layout.fixed.filter { Self.personFields.contains($0.field) }.map { cell($0.column) }
        if personCells.allSatisfy(\.isEmpty),
           (0..<record.count).contains(where: { c in
               let t = cell(c).lowercased()
               return ["jumlah", "total"].contains { t == $0 || t.hasPrefix($0 + " ") || t.hasPrefix($0 + "(") } }) {
            return "of totals (JUMLAH, TOTAL)"
        }
        return nil
    }

    private static let personField = ReshapeRule.fields.firstIndex(of: "person_id") ?? 0
    private static let personFields = Set(["person_id", "birth_date", "sex"].compactMap { ReshapeRule.fields.firstIndex(of: $0) })

    /// A weight with the growth code the kader wrote after it (`7,5 N`: SKDN's N naik, T tidak
    /// naik, O not weighed last month, B baru) without the code: the weight is the result.
    public static func withoutGrowthCode(_ value: String) -> String {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[1].count == 1, "NTOB".contains(parts[1].uppercased()),
              parts[0].first?.isNumber == true else { return value }
        return String(parts[0])
    }

    /// A column name as the header matches it (`HeaderNames.normalise`).
    public static func normalise(_ name: String) -> String { HeaderNames.normalise(name) }

    static func year(in name: String) -> Int? { years(in: name).first }

    /// Every year 1900–2999 standing alone (four digits, no digit beside them) in `name`, in
    /// order, each once (`Proyeksi 2020-2025` has two).
    static func years(in name: String) -> [Int] {
        let bytes = Array(name.utf8)
        var found: [Int] = []
        var i = 0
        while i + 4 <= bytes.count {
            let run = bytes[i..<i + 4]
            let before = i == 0 || !(0x30...0x39).contains(bytes[i - 1])
            let after = i + 4 == bytes.count || !(0x30...0x39).contains(bytes[i + 4])
            if before && after && run.allSatisfy({ (0x30...0x39).contains($0) }),
               let y = Int(String(decoding: run, as: UTF8.self)), (1900...2999).contains(y), !found.contains(y) {
                found.append(y)
            }
            i += 1
        }
        return found
    }
}

/// One record built from values: bytes back to back, each field cleaned as §2.1.
struct RecordBuilder {
    private var bytes: [UInt8] = [0]
    private var fields: [FieldBounds] = []

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(0)
        fields.removeAll(keepingCapacity: true)
    }

    mutating func append(_ text: String) {
        let start = bytes.count
        bytes.append(contentsOf: text.utf8)
        let end = bytes.count
        var clean = start..<end
        if end > start { clean = bytes.withUnsafeBufferPointer { Dialect.cleanedRange($0.baseAddress!, start, end) } }
        fields.append(FieldBounds(rawStart: Int32(truncatingIfNeeded: start), rawEnd: Int32(truncatingIfNeeded: end),
                                  cleanStart: Int32(truncatingIfNeeded: clean.lowerBound),
                                  cleanEnd: Int32(truncatingIfNeeded: clean.upperBound)))
    }

    func withRecord(line: Int, _ body: (CSVRecord) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { b in
            try fields.withUnsafeBufferPointer { f in
                guard let base = b.baseAddress, let bounds = f.baseAddress else { return }
                try body(CSVRecord(line: line, index: line - 1, count: f.count, bytes: base, fields: bounds))
            }
        }
    }
}

private extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
