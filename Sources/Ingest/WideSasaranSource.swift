import CSV
import PWSCore

/// A target table with a column per target group, as sasaran tables are kept (`KODE DESA`,
/// `IBU HAMIL`, `BAYI`, `BALITA` … — one row per village or RT), read as `sasaran.csv`'s long
/// rows: each section's header (the first of its first 20 rows with a village code column and
/// at least one target group column) becomes `year, village_code, rw, rt, target_group, count`,
/// and each row one record per group cell that is not empty, positioned at the table's row. The
/// year is the row's `TAHUN` (`year`) cell, else the first year 1900–2999 in the sheet's name.
/// A row without a village code whose cells say `JUMLAH` or `TOTAL` (a total), or with every
/// group cell empty (a signature), is layout: no record, listed in the notes. What would give
/// wrong targets without a word is a problem instead (a rejected row, which for sasaran stops
/// the run): a group over several columns without a `JUMLAH` (`L+P`) column under it, a group
/// cell under a cell merged down rows (a village's figure over its RWs), a sheet with group
/// columns and no village code column beside sheets that have both.
public final class WideSasaranSource: RecordSource {
    private let inner: RecordSource
    private let names: TableColumnNames
    private let source: String
    public var blankRows: Int { inner.blankRows }
    public var notes: [String] { inner.notes + ownNotes }
    private var ownNotes: [String] = []
    public var minimumFieldCount = 0
    public var headerLine: Int? { nil }
    /// Whether a section had a header with group columns: the table is a wide one.
    public private(set) var foundHeader = false
    /// The first row with target group columns but no village code column, when no section had
    /// a header: the loader's message then says what the table lacks.
    public private(set) var groupsWithoutCode: (label: String, line: Int, groups: [String])?
    /// The sections not read (no header): the table reader then says nothing of them being empty.
    public private(set) var unmatchedHeader: UnmatchedHeader?

    /// Which target group a column holds: the names pws knows and the pipeline's own.
    private let groupNames: SasaranGroupNames

    /// The long rows' header, in the sasaran schema's canonical names.
    static let header = ["year", "village_code", "rw", "rt", "target_group", "count"]

    /// A sub-column's label that is the group's total (`JUMLAH`, `TOTAL`, `L+P`).
    static func isTotal(_ text: String) -> Bool {
        let t = text.lowercased().filter { !$0.isWhitespace }
        return t == "jumlah" || t == "total" || t == "jml" || t == "l+p" || t.hasPrefix("jumlah") || t.hasPrefix("total")
    }

    private struct Layout {
        var line = 0, year: Int?, code = 0, rw: Int?, rt: Int?
        var groups: [(group: String, column: Int)] = []
        /// Per group, the columns its header cell stands over (itself and the unnamed ones after it).
        var spans: [Int: Range<Int>] = [:]
        var sheetYear: String
        /// The row under the header was looked at (a sub-header of L / P / JUMLAH).
        var checkedBelow = false
    }

    /// `names`: the sasaran schema's names with the pipeline's aliases (for the year, village
    /// code, RW and RT columns); `groups`: the target groups' column names.
    public init(inner: RecordSource, names: TableColumnNames, groups: SasaranGroupNames, source: String) {
        self.inner = inner
        self.names = names
        self.groupNames = groups
        self.source = source
    }

    public func note(_ text: String) { ownNotes.append(text) }

    private static func shown(_ items: [String]) -> String {
        items.prefix(5).joined(separator: ", ") + (items.count > 5 ? " and \(items.count - 5) more" : "")
    }

    public func read(_ body: (RecordSourceEvent) throws -> Void) throws {
        let schema = names.schema
        func column(_ map: HeaderMap, _ field: String) -> Int? {
            schema.index(of: field).flatMap { map.columnOfField[$0] >= 0 ? map.columnOfField[$0] : nil }
        }
        var label = source
        var layout: Layout?
        var searched = 0
        var done = false
        var builder = RecordBuilder()
        var layoutRows: [String] = []
        var above: (line: Int, cells: [String])?
        var started = false
        // The section's row with group columns but no village code column.
        var nearMiss: (line: Int, groups: [String])?
        func groups(_ cells: [String]) -> [String] { cells.compactMap { groupNames.group(of: $0) } }
        /// A village code column and a target group column.
        func isHeader(_ cells: [String]) -> Bool {
            column(names.map(header: cells), "village_code") != nil && !groups(cells).isEmpty
        }
        func emitHeader(line: Int) throws {
            builder.reset()
            for name in Self.header { builder.append(name) }
            try builder.withRecord(line: line) { try body(.record($0, issues: [])) }
        }
        func reject(line: Int, field: String, message: String) throws {
            try body(.rejected(Diagnostic(location: SourceLocation(source: label, line: line), recordID: "", rule: .columns,
                                          field: field, value: "", message: message)))
        }
        func finishSection() throws {
            guard started, layout == nil else { return }
            if let near = nearMiss {
                // A sheet of targets without its village code column: refused, never skipped.
                layout = Layout(sheetYear: "")
                try emitHeader(line: near.line)
                try reject(line: near.line, field: "village_code", message: "\(label):\(near.line) has target group columns (\(Self.shown(near.groups))) but no village code column (kode_desa); name the column of the village codes KODE DESA, or remove the sheet")
                if groupsWithoutCode == nil { groupsWithoutCode = (label, near.line, near.groups) }
            } else {
                // Said here, and known to the table reader before it closes the section (which
                // would otherwise call a sheet with rows "empty").
                ownNotes.append("\(label): not read — no row among its first \(TableReader.headerSearchRows) has a village code column and a target group column")
                if unmatchedHeader == nil {
                    unmatchedHeader = UnmatchedHeader(label: label, line: 1, missing: ["village_code"],
                                                      message: "no sheet has a village code column and a target group column",
                                                      rows: 0, labels: [])
                }
                unmatchedHeader?.labels.insert(label)
            }
        }
        try inner.read { event in
            switch event {
            case .section(let next):
                try finishSection()
                started = true
                label = next
                layout = nil
                above = nil
                nearMiss = nil
                searched = 0
                done = false
                inner.minimumFieldCount = 0
                try body(.section(label: next))
            case .malformed(let line, let message):
                if layout != nil { try body(.malformed(line: line, message: message)) }
            case .rejected(let diagnostic):
                if layout != nil { try body(.rejected(diagnostic)) }
            case .record(let record, let issues):
                guard var l = layout else {
                    guard !done else { return }
                    searched += 1
                    var cells = (0..<record.count).map { record.string($0) }
                    defer { above = (record.line, (0..<record.count).map { record.string($0) }) }
                    // The row alone, else with the row just above it (a two-row header).
                    if !isHeader(cells), let upper = above, upper.line == record.line - 1 {
                        let combined = TwoRowHeader.combine(upper: upper.cells, lower: cells)
                        if isHeader(combined) {
                            cells = combined
                            ownNotes.append(TwoRowHeader.note(label: label, upper: upper.line, lower: record.line))
                        }
                    }
                    guard isHeader(cells) else {
                        let found = groups(cells)
                        if found.count > nearMiss?.groups.count ?? 0 { nearMiss = (record.line, found) }
                        if searched == TableReader.headerSearchRows { done = true }
                        return
                    }
                    try take(header: cells, line: record.line)
                    return
                }
                if !l.checkedBelow {
                    l.checkedBelow = true
                    layout = l
                    if record.line == l.line + 1, let sub = try subHeader(record, issues: issues, layout: l) {
                        layout = sub
                        layoutRows.append("\(label):\(record.line)")
                        return
                    }
                }
                try emit(record, issues: issues, layout: l, label: label, builder: &builder, layoutRows: &layoutRows, body)
            }
        }
        try finishSection()
        if !layoutRows.isEmpty {
            ownNotes.append("\(source): \(layoutRows.count) row(s) without a village code (a second header row, totals, signatures) made no target (\(Self.shown(layoutRows)))")
        }

        /// Takes `cells` (row `line`) as the section's header.
        func take(header cells: [String], line: Int) throws {
            let map = names.map(header: cells)
            var found: [(String, Int)] = []
            var repeated: [String] = []
            var notRead: [String] = []
            let known = Set(["year", "village_code", "rw", "rt"].compactMap { column(map, $0) })
            for (c, name) in cells.enumerated() {
                guard let g = groupNames.group(of: name) else {
                    if !name.isEmpty && !known.contains(c) { notRead.append(name) }
                    continue
                }
                if let first = found.first(where: { $0.0 == g }) {
                    repeated.append("\(name) at \(CellIssue.columnName(c))\(line) (\(g), first at \(CellIssue.columnName(first.1))\(line))")
                } else {
                    found.append((g, c))
                }
            }
            if !repeated.isEmpty {
                ownNotes.append("\(label): a target group has a second column, whose cells are not read: \(Self.shown(repeated)) — remove or rename it")
            }
            if !notRead.isEmpty {
                ownNotes.append("\(label): columns not read (neither the area, the year nor a target group pws knows — docs/input-format.md lists the names): " + Self.shown(notRead.map { "\"" + VisibleText.quoting(PersonID.maskEmbeddedIdentifiers($0), limit: 40) + "\"" }))
            }
            // A group's cell and the unnamed cells right of it (a merged cell over L, P, JUMLAH).
            var spans: [Int: Range<Int>] = [:]
            for (_, c) in found {
                var end = c + 1
                while end < cells.count && cells[end].isEmpty { end += 1 }
                spans[c] = c..<end
            }
            let sheet = label.count > source.count + 1 ? String(label.dropFirst(source.count + 1)) : ""
            let years = Self.years(in: sheet)
            if column(map, "year") == nil, years.count == 1 {
                ownNotes.append("\(label): no TAHUN column; the targets are read as \(years[0]), the year in the sheet's name")
            }
            layout = Layout(line: line, year: column(map, "year"), code: column(map, "village_code") ?? 0, rw: column(map, "rw"),
                            rt: column(map, "rt"), groups: found, spans: spans,
                            sheetYear: years.count == 1 ? String(years[0]) : "")
            foundHeader = true
            inner.minimumFieldCount = cells.count
            try emitHeader(line: line)
        }

        /// The row under the header when it names sub-columns (`L`, `P`, `JUMLAH` under `BAYI`):
        /// each group over several columns reads its total's; one without is a problem.
        func subHeader(_ record: CSVRecord, issues: [CellIssue], layout l: Layout) throws -> Layout? {
            let merged = Set(issues.lazy.filter { $0.kind == .merged }.map(\.column))
            func own(_ c: Int) -> String { c < record.count && !merged.contains(c) ? record.string(c) : "" }
            let labels = l.groups.flatMap { l.spans[$0.column].map(Array.init) ?? [] }.filter { c in
                let t = own(c)
                return !t.isEmpty && t.contains { $0.isLetter }
            }
            guard !labels.isEmpty, own(l.code).isEmpty || !own(l.code).contains(where: \.isNumber) else { return nil }
            var next = l
            for (k, g) in l.groups.enumerated() {
                guard let span = l.spans[g.column], span.count > 1 else { continue }
                if let total = span.first(where: { Self.isTotal(own($0)) }) {
                    next.groups[k].column = total
                } else {
                    let shown = span.map { "\(CellIssue.columnName($0))\(record.line) \"\(VisibleText.quoting(own($0), limit: 20))\"" }
                    try reject(line: record.line, field: "count", message: "\(label): the \(g.group) column (\(CellIssue.columnName(g.column))\(l.line)) stands over \(span.count) columns (\(shown.joined(separator: ", "))) and none is its total (JUMLAH, L+P); give the group one column, or a JUMLAH column under it")
                    next.groups[k].column = -1
                }
            }
            next.groups.removeAll { $0.column < 0 }
            return next
        }
    }

    /// Every year 1900–2999 standing alone in `name` (`Proyeksi 2020-2025` has two).
    public static func years(in name: String) -> [Int] { ReshapeSource.years(in: name) }

    private func emit(_ record: CSVRecord, issues: [CellIssue], layout: Layout, label: String, builder: inout RecordBuilder,
                      layoutRows: inout [String], _ body: (RecordSourceEvent) throws -> Void) throws {
        let merged = Set(issues.lazy.filter { $0.kind == .merged }.map(\.column))
        func cell(_ c: Int?) -> String { c.map { $0 < record.count ? record.string($0) : "" } ?? "" }
        let fields = Self.header
        let fixed: [(field: Int, column: Int?)] = [(0, layout.year), (1, layout.code), (2, layout.rw), (3, layout.rt)]
        let code = cell(layout.code)
        let filled = layout.groups.filter { g in !cell(g.column).isEmpty || issues.contains { $0.column == g.column } }
        // A total's label may stand in the code column itself.
        if (code.isEmpty && !issues.contains(where: { $0.column == layout.code })) || Self.isTotal(code) {
            if Self.isTotal(code) || filled.isEmpty || (0..<record.count).contains(where: { Self.isTotal(record.string($0)) }) {
                layoutRows.append("\(label):\(record.line)")
                return
            }
        }
        // Issues of the row's own columns go with each of its records; a group cell's with its own.
        var rowIssues: [CellIssue] = []
        for issue in issues {
            if let f = fixed.first(where: { $0.column == issue.column }) {
                rowIssues.append(CellIssue(column: f.field, reference: issue.reference, kind: issue.kind))
            }
        }
        for (group, c) in filled {
            // A figure merged down rows is one area's, not each row's (a village's over its RWs).
            if merged.contains(c), let top = issues.first(where: { $0.column == c && $0.kind == .merged }) {
                try body(.rejected(Diagnostic(
                    location: SourceLocation(source: label, line: record.line), recordID: "", rule: .cell, field: "count",
                    value: "", message: "\(label):\(CellIssue.columnName(c))\(record.line) (\(group)) lies under the merged cell \(top.reference), which spans rows: a target stands in one row — unmerge it and give the figure once, in the row of the area it is for (a village's in a row without RW and RT)")))
                continue
            }
            builder.reset()
            var values = fixed.map { cell($0.column) }
            if layout.year == nil { values[0] = layout.sheetYear }
            values += [group, cell(c)]
            for v in values { builder.append(v) }
            var own = rowIssues
            for issue in issues where issue.column == c {
                own.append(CellIssue(column: fields.count - 1, reference: issue.reference, kind: issue.kind))
            }
            try builder.withRecord(line: record.line) { try body(.record($0, issues: own)) }
        }
    }
}
