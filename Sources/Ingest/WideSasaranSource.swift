import CSV
import PWSCore

/// A target table with a column per target group, as sasaran tables are kept (`KODE DESA`,
/// `IBU HAMIL`, `BAYI`, `BALITA` … — one row per village or RT), read as `sasaran.csv`'s long
/// rows: each section's header (the first of its first 20 rows with a village code column and
/// at least one target group column) becomes `year, village_code, rw, rt, target_group, count`,
/// and each row one record per group cell that is not empty, positioned at the table's row. The
/// year is the row's `TAHUN` (`year`) cell, else the first year 1900–2999 in the sheet's name.
/// A row without a village code whose cells say `JUMLAH` or `TOTAL` (a total), or with every
/// group cell empty (a signature), is layout: no record, listed in the notes.
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

    /// Header names (as `HeaderNames.normalise` gives them) of each target group's column:
    /// its id, and the names the tables of the provinces and Pusdatin use.
    static let groupColumns: [String: String] = {
        var table: [String: String] = [:]
        for group in TargetGroup.all { table[HeaderNames.normalise(group)] = group }
        let names: [(String, [String])] = [
            ("bumil", ["ibu hamil"]),
            ("bulin", ["ibu bersalin", "ibu bersalin/nifas", "ibu bersalin / nifas", "ibu nifas", "bersalin"]),
            ("bayi_lahir_hidup", ["lahir hidup", "bayi lahir hidup"]),
            ("bayi", ["surviving infant", "bayi (surviving infant)"]),
            ("remaja_putri", ["remaja putri"]),
            ("usia_produktif", ["usia produktif"]),
            ("lansia", ["usia lanjut"]),
            ("penduduk", ["jumlah penduduk"]),
            ("usia_pendidikan_dasar", ["usia pendidikan dasar"]),
            ("penderita_hipertensi", ["penderita hipertensi"]),
            ("penderita_dm", ["penderita dm", "penderita diabetes melitus", "penderita diabetes mellitus"]),
            ("odgj_berat", ["odgj berat"]),
            ("terduga_tb", ["terduga tb", "orang terduga tb"]),
            ("risiko_hiv", ["risiko hiv", "orang berisiko hiv", "berisiko hiv"]),
        ]
        for (group, spellings) in names { for s in spellings { table[HeaderNames.normalise(s)] = group } }
        return table
    }()

    /// The long rows' header, in the sasaran schema's canonical names.
    static let header = ["year", "village_code", "rw", "rt", "target_group", "count"]

    private struct Layout {
        var year: Int?, code = 0, rw: Int?, rt: Int?
        var groups: [(group: String, column: Int)] = []
        var sheetYear: String
    }

    /// `names`: the sasaran schema's names with the pipeline's aliases (for the year, village
    /// code, RW and RT columns).
    public init(inner: RecordSource, names: TableColumnNames, source: String) {
        self.inner = inner
        self.names = names
        self.source = source
    }

    public func note(_ text: String) { ownNotes.append(text) }

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
        /// A village code column and a target group column.
        func isHeader(_ cells: [String]) -> Bool {
            column(names.map(header: cells), "village_code") != nil
                && cells.contains { Self.groupColumns[HeaderNames.normalise($0)] != nil }
        }
        try inner.read { event in
            switch event {
            case .section(let next):
                label = next
                layout = nil
                above = nil
                searched = 0
                done = false
                inner.minimumFieldCount = 0
                try body(.section(label: next))
            case .malformed(let line, let message):
                if layout != nil { try body(.malformed(line: line, message: message)) }
            case .rejected(let diagnostic):
                if layout != nil { try body(.rejected(diagnostic)) }
            case .record(let record, let issues):
                guard let l = layout else {
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
                    let map = names.map(header: cells)
                    var groups: [(String, Int)] = []
                    var repeated: [String] = []
                    for (c, name) in cells.enumerated() {
                        guard let g = Self.groupColumns[HeaderNames.normalise(name)] else { continue }
                        if let first = groups.first(where: { $0.0 == g }) {
                            repeated.append("\(name) at \(CellIssue.columnName(c))\(record.line) (\(g), first at \(CellIssue.columnName(first.1))\(record.line))")
                        } else {
                            groups.append((g, c))
                        }
                    }
                    if let code = column(map, "village_code"), !groups.isEmpty {
                        if !repeated.isEmpty {
                            ownNotes.append("\(label): a target group has a second column, whose cells are not read: " + repeated.joined(separator: ", ") + " — remove or rename it")
                        }
                        let sheet = label.count > source.count + 1 ? String(label.dropFirst(source.count + 1)) : ""
                        layout = Layout(year: column(map, "year"), code: code, rw: column(map, "rw"), rt: column(map, "rt"),
                                        groups: groups, sheetYear: ReshapeSource.year(in: sheet).map(String.init) ?? "")
                        foundHeader = true
                        inner.minimumFieldCount = record.count
                        builder.reset()
                        for name in Self.header { builder.append(name) }
                        try builder.withRecord(line: record.line) { try body(.record($0, issues: [])) }
                    } else if searched == TableReader.headerSearchRows {
                        ownNotes.append("\(label): not read — no row among its first \(TableReader.headerSearchRows) has a village code column and a target group column")
                        done = true
                    }
                    return
                }
                try emit(record, issues: issues, layout: l, label: label, builder: &builder, layoutRows: &layoutRows, body)
            }
        }
        if !layoutRows.isEmpty {
            let shown = layoutRows.prefix(5).joined(separator: ", ") + (layoutRows.count > 5 ? " and \(layoutRows.count - 5) more" : "")
            ownNotes.append("\(source): \(layoutRows.count) row(s) without a village code (totals, signatures) made no target (\(shown))")
        }
    }

    private func emit(_ record: CSVRecord, issues: [CellIssue], layout: Layout, label: String, builder: inout RecordBuilder,
                      layoutRows: inout [String], _ body: (RecordSourceEvent) throws -> Void) throws {
        func cell(_ c: Int?) -> String { c.map { $0 < record.count ? record.string($0) : "" } ?? "" }
        let fields = Self.header
        let fixed: [(field: Int, column: Int?)] = [(0, layout.year), (1, layout.code), (2, layout.rw), (3, layout.rt)]
        func isTotal(_ text: String) -> Bool {
            let t = text.lowercased()
            return t == "jumlah" || t == "total" || t.hasPrefix("jumlah ") || t.hasPrefix("total ")
        }
        let code = cell(layout.code)
        let filled = layout.groups.filter { g in !cell(g.column).isEmpty || issues.contains { $0.column == g.column } }
        // A total's label may stand in the code column itself.
        if (code.isEmpty && !issues.contains(where: { $0.column == layout.code })) || isTotal(code) {
            if isTotal(code) || filled.isEmpty || (0..<record.count).contains(where: { isTotal(record.string($0)) }) {
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
