import CSV
import PWSCore

extension TableReader {
    /// How many non-empty rows at the top of a section may come before its header (titles,
    /// notes) when the header row is not named.
    public static let headerSearchRows = 20

    /// Reads a `RecordSource` section by section (spec §A2): each section's header is found
    /// (the named row, else the first of its first `headerSearchRows` records that maps every
    /// required field) and mapped as a CSV header is; its records then go through the same
    /// checks and are positioned `label:line`. A section whose header does not map is not read
    /// and gets a note; when no section maps, the file is `E-COLUMNS` with every candidate row
    /// counted as read and rejected. Cells of schema fields that hold an error value or a
    /// formula without a value reject their row as `E-CELL`; a person_id stored as a number of
    /// 15 or more digits is `E-PERSON`.
    func read(_ records: RecordSource, row: (TableRow) throws -> Void,
              problem: (Diagnostic) throws -> Void) throws -> TableReadSummary {
        let fieldCount = schema.fields.count
        let columns = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(1, fieldCount))
        columns.initialize(repeating: -1, count: Swift.max(1, fieldCount))
        defer { columns.deallocate() }
        let recordIDField = schema.index(of: "record_id")
        let personField = schema.index(of: "person_id")
        // The child's name is never checked (read only for tindak-lanjut.csv under
        // --keep-identifiers): an error value there (#REF!) rejected a valid service row.
        let nameField = schema.index(of: "name")
        let names = self.names
        let source = self.source

        enum State { case searching(seen: Int), mapped, unmapped }
        var state = State.searching(seen: 0)
        var label = source
        var fieldOfColumn: [Int: Int] = [:]
        var headerWidth = 0
        var unnamed: [Int] = []
        var noted = false
        var firstMapped: HeaderMap?
        var candidate: (label: String, line: Int, upper: Int?, map: HeaderMap)?
        // The section's row with the fewest required columns missing, and how many of the
        // section's rows came up to it (those after it are the near miss's rows).
        var sectionCandidate: (line: Int, upper: Int?, map: HeaderMap, rowsBefore: Int)?
        var unmappedRows = 0, sectionRows = 0
        // Sections with most of the required columns in one row (a misnamed column), rejected
        // E-COLUMNS when another section is read.
        var nearMiss: [NearMissSection] = []
        var rowsRead = 0, rowsRejected = 0
        var sheets: [String] = []
        var started = false

        func recordID(_ record: CSVRecord) -> String {
            guard let field = recordIDField else { return "" }
            let column = columns[field]
            return column >= 0 && column < record.count ? record.string(column) : ""
        }
        func describe(_ missing: [String]) -> String { missing.map(names.names.describe).joined(separator: "; ") }

        func closeSection() {
            switch state {
            case .mapped: break
            case .searching, .unmapped:
                unmappedRows += Swift.max(0, sectionRows - 1)
                if let found = sectionCandidate {
                    if candidate == nil { candidate = (label, found.line, found.upper, found.map) }
                    if found.map.missingRequired.count <= NearMissSection.maxMissing {
                        nearMiss.append(NearMissSection(label: label, line: found.line, upper: found.upper,
                                                        missing: found.map.missingRequired,
                                                        rows: sectionRows - found.rowsBefore))
                    }
                    records.note("\(label): not read — no row \(records.headerLine.map { "(row \($0) was named)" } ?? "among its first \(Self.headerSearchRows)") has the \(schema.name) columns (missing: \(describe(found.map.missingRequired)))")
                } else if records.unmatchedHeader?.labels.contains(label) != true {
                    records.note("\(label): not read — the sheet is empty")
                }
            }
        }

        // The row above the one being tried, when it was read just before it: the upper row of
        // a two-row header (`TwoRowHeader`).
        var above: (line: Int, cells: [String])?
        func take(header record: CSVRecord) -> Bool {
            let cells = (0..<record.count).map { record.string($0) }
            defer { above = (record.line, cells) }
            if take(header: cells, line: record.line) { return true }
            guard let upper = above, upper.line == record.line - 1 else { return false }
            if take(header: TwoRowHeader.combine(upper: upper.cells, lower: cells), line: record.line, upper: upper.line) {
                records.note(TwoRowHeader.note(label: label, upper: upper.line, lower: record.line))
                return true
            }
            return false
        }

        func take(header cells: [String], line: Int, upper: Int? = nil) -> Bool {
            var header = cells
            while let last = header.last, last.isEmpty { header.removeLast() }
            let mapped = names.map(header: header)
            // The row with the fewest required columns missing (the first of equals) is named.
            if mapped.missingRequired.count < sectionCandidate?.map.missingRequired.count ?? Int.max {
                sectionCandidate = (line, upper, mapped, sectionRows)
            }
            guard mapped.missingRequired.isEmpty else { return false }
            for field in 0..<fieldCount { columns[field] = mapped.columnOfField[field] }
            fieldOfColumn = [:]
            for field in 0..<fieldCount where mapped.columnOfField[field] >= 0 {
                fieldOfColumn[mapped.columnOfField[field]] = field
            }
            headerWidth = header.count
            unnamed = header.indices.filter { header[$0].isEmpty }
            records.minimumFieldCount = headerWidth
            noted = false
            if firstMapped == nil { firstMapped = mapped }
            // A workbook's sections are `FILE:SHEET`; FHIR resources and a CSV register
            // reshaped have one section, the file itself, and no sheet to name.
            if label.count > source.count { sheets.append(String(label.dropFirst(source.count + 1))) }
            state = .mapped
            return true
        }

        /// A value in a column the header does not name is not read: say so once per section.
        func checkUnnamed(_ record: CSVRecord) {
            guard !noted else { return }
            for c in unnamed where c < record.count && !record.cleaned(c).isEmpty {
                noted = true
                records.note("\(label): column \(CellIssue.columnName(c)) has values (first at \(CellIssue.columnName(c))\(record.line)) but no name in the header row (a merged header cell?); they are not read — give the column a name")
                return
            }
            for c in headerWidth..<Swift.max(headerWidth, record.count) where !record.cleaned(c).isEmpty {
                noted = true
                records.note("\(label): cell \(CellIssue.columnName(c))\(record.line) lies right of the header's last column; such values are not read — give the column a name in the header row")
                return
            }
        }

        try records.read { event in
            switch event {
            case .section(let next):
                // Before the first section there is nothing to close (no spurious "empty" note).
                if started { closeSection() }
                started = true
                label = next
                state = .searching(seen: 0)
                sectionCandidate = nil
                above = nil
                sectionRows = 0
                for field in 0..<fieldCount { columns[field] = -1 }
            case .record(let record, let issues):
                switch state {
                case .searching(let seen):
                    sectionRows += 1
                    if let wanted = records.headerLine {
                        if record.line < wanted {
                            above = (record.line, (0..<record.count).map { record.string($0) })
                            return
                        }
                        if !take(header: record) { state = .unmapped }
                    } else if !take(header: record) {
                        state = seen + 1 >= Self.headerSearchRows ? .unmapped : .searching(seen: seen + 1)
                    }
                case .unmapped:
                    sectionRows += 1
                case .mapped:
                    let index = rowsRead
                    rowsRead += 1
                    checkUnnamed(record)
                    var rejected = false
                    for issue in issues {
                        guard let field = fieldOfColumn[issue.column], field != nameField else { continue }
                        let name = schema.fields[field].name
                        let at = "\(label):\(issue.reference)"
                        let diagnostic: Diagnostic
                        switch issue.kind {
                        case .merged:
                            continue
                        case .error(let value):
                            diagnostic = Diagnostic(
                                location: SourceLocation(source: label, line: record.line), recordID: recordID(record),
                                rule: .cell, field: name, value: value,
                                message: "\(at) (\(name)) holds the error value \(value); correct the formula or type the value in the workbook")
                        case .missingSharedString(let index):
                            diagnostic = Diagnostic(
                                location: SourceLocation(source: label, line: record.line), recordID: recordID(record),
                                rule: .cell, field: name, value: "",
                                message: "\(at) (\(name)) names shared string \(index), which the workbook does not hold (its shared strings are missing or cut short): the workbook is damaged — open it in Excel or LibreOffice and save it again")
                        case .formulaWithoutValue:
                            diagnostic = Diagnostic(
                                location: SourceLocation(source: label, line: record.line), recordID: recordID(record),
                                rule: .cell, field: name, value: "",
                                message: "\(at) (\(name)) holds a formula saved without its result; open the workbook in Excel or LibreOffice, let it calculate and save it again")
                        case .tooLong:
                            diagnostic = Diagnostic(
                                location: SourceLocation(source: label, line: record.line), recordID: recordID(record),
                                rule: .cell, field: name, value: "",
                                message: "\(at) (\(name)) holds more than \(SheetRows.maxCellBytes >> 20) MiB of text, or its row more than \(SheetRows.maxRowBytes >> 20) MiB, far more than Excel keeps (32,767 characters a cell): the workbook was not saved by a spreadsheet, or is damaged — check the row, or save the register again from Excel or LibreOffice")
                        case .badYear(let value):
                            diagnostic = Diagnostic(
                                location: SourceLocation(source: label, line: record.line), recordID: recordID(record),
                                rule: .date, field: name, value: value,
                                message: "\(at), the register's year column, holds \(value.isEmpty ? "no year" : "\"\(value)\"") where a year 1900–2999 should be, so the row's monthly visits cannot be dated; correct the year")
                        case .longNumber:
                            guard field == personField else { continue }
                            diagnostic = Diagnostic(
                                location: SourceLocation(source: label, line: record.line), recordID: recordID(record),
                                rule: .person, field: name, value: "",
                                message: "\(at) (\(name)) is stored as a number; Excel keeps only 15 digits of a number, so a 16-digit NIK has already lost its last digit — format the column as Text and type the NIKs again")
                        }
                        try problem(diagnostic)
                        rejected = true
                    }
                    if rejected {
                        rowsRejected += 1
                        return
                    }
                    try row(TableRow(location: SourceLocation(source: label, line: record.line), recordIndex: index,
                                     record: record, columns: columns))
                }
            case .rejected(let diagnostic):
                switch state {
                case .mapped:
                    rowsRead += 1
                    rowsRejected += 1
                    try problem(diagnostic)
                case .searching, .unmapped:
                    sectionRows += 1
                }
            case .malformed(let line, let message):
                switch state {
                case .mapped:
                    rowsRead += 1
                    rowsRejected += 1
                    try problem(Diagnostic(location: SourceLocation(source: label, line: line), recordID: "",
                                           rule: .parse, field: "", value: "", message: message))
                case .searching, .unmapped:
                    sectionRows += 1
                }
            }
        }
        closeSection()

        var missing: [String] = []
        if firstMapped != nil {
            // A sheet that is a register or service sheet with a column misnamed, beside sheets
            // that are read: its rows are rejected, counted, with what its best row lacks.
            for near in nearMiss + (records.unmatchedHeader?.nearMiss ?? []) where near.rows > 0 {
                rowsRead += near.rows
                rowsRejected += near.rows
                try problem(Diagnostic(
                    location: SourceLocation(source: near.label, line: near.line), recordID: "",
                    rule: .columns, field: near.missing.joined(separator: ","), value: String(near.rows),
                    message: "\(near.label) is not read: its \(TwoRowHeader.rows(near.line, upper: near.upper)) ha\(near.upper == nil ? "s" : "ve") all the columns but \(near.missing.map { "\"\($0)\"" }.joined(separator: ", ")), "
                        + "while the file's other sheets have them all; name the columns as the other sheets do; all \(near.rows) row(s) of this sheet are rejected"))
            }
        }
        if firstMapped == nil, let unmatched = records.unmatchedHeader {
            // A register its reshape rule does not fit: its rows, and the rule's columns missing.
            missing = unmatched.missing
            rowsRead = unmappedRows + unmatched.rows
            rowsRejected = rowsRead
            try problem(Diagnostic(
                location: SourceLocation(source: unmatched.label, line: unmatched.line), recordID: "",
                rule: .columns, field: missing.joined(separator: ","), value: String(rowsRead),
                message: unmatched.message + TableReader.allRejected(rowsRead)))
        } else if firstMapped == nil {
            missing = candidate?.map.missingRequired ?? names.names.requiredNames
            rowsRead = unmappedRows
            rowsRejected = unmappedRows
            let what = candidate.map {
                "no sheet has a header row with the \(schema.name) columns (\($0.upper == nil ? "\($0.label):\($0.line) lacks" : "\($0.label), \(TwoRowHeader.rows($0.line, upper: $0.upper)), lack") \(describe($0.map.missingRequired))); rename the columns in the header or declare their names as aliases in the pipeline"
            } ?? "the workbook has no rows (no header row, no records); ask the facility to send it again"
            try problem(Diagnostic(
                location: SourceLocation(source: candidate?.label ?? source, line: candidate?.line ?? 1), recordID: "",
                rule: .columns, field: missing.joined(separator: ","), value: String(rowsRead),
                message: what + TableReader.allRejected(rowsRead)))
        }
        let header = firstMapped ?? HeaderMap(fieldCount: fieldCount, missingRequired: missing)
        return TableReadSummary(
            source: source, rowsRead: rowsRead, rowsRejected: rowsRejected, blankRows: records.blankRows,
            encoding: .utf8, delimiter: 0, columns: header.columns, unknownColumns: header.unknownColumns,
            duplicateColumns: header.duplicateColumns, missingColumns: missing, sheets: sheets, notes: records.notes)
    }
}
