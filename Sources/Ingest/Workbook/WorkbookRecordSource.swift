#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSV
import PWSCore

/// How a workbook input is read: which sheets, which header row, and the limits.
public struct WorkbookReadOptions: Sendable {
    /// Sheets to read, by tab name; nil reads every sheet whose header maps to the file kind.
    public var sheets: [String]?
    /// The header's row (1-based) in every sheet read; nil: the first of the first 20
    /// non-empty rows that maps.
    public var headerRow: Int?
    public var limits: WorkbookLimits
    /// How number cells with decimals are written (`NumberCells`).
    public var numberCells = NumberCells.asWritten

    public init(sheets: [String]? = nil, headerRow: Int? = nil, limits: WorkbookLimits = .init()) {
        self.sheets = sheets
        self.headerRow = headerRow
        self.limits = limits
    }
}

/// How a number cell with decimals becomes text.
public enum NumberCells: Sendable, Equatable {
    /// The shortest decimal, with a point (`WorkbookFormats.numberText`): service records.
    case asWritten
    /// For a register's populations and the sasaran counts, which are read by §A1's separator
    /// rules (`DecimalCount`): a cell holds a number, never a thousands group, so it is written
    /// as those rules read it back exactly — with the pipeline's `sasaran.decimal_separator`
    /// (`68,4` when it is `,`), and without one set, 3 decimals as 4 (`1.234` → `1.2340`, which
    /// a CSV field could not say for sure).
    case counts(decimalSeparator: UInt8?)
}

/// The rows of an .xlsx workbook's worksheets as records (spec §A2): each sheet a section
/// labelled `FILE:SHEET`, each row a record whose line is the sheet's 1-based row number.
///
/// Cell text: shared and inline strings as written; numbers as written in the file (full
/// precision, no exponent for whole numbers); booleans `TRUE`/`FALSE`; a number whose style is
/// a date format as `YYYY-MM-DD` (1900 system with Excel's 29 February 1900, or 1904 system);
/// a formula's cached value. Error values and formulas without a value become `CellIssue`s.
/// Memory: one row's cells, libxml2's window and the shared strings.
public final class WorkbookRecordSource: RecordSource {
    public let source: String
    public private(set) var blankRows = 0
    public private(set) var notes: [String] = []
    public var minimumFieldCount = 0
    public let headerLine: Int?
    private let workbook: Workbook
    private let sheets: [WorksheetInfo]
    private let numberCells: NumberCells

    /// Opens a workbook and reads its workbook-level parts (sheet list, styles, shared strings).
    /// - Throws: `PWSError` `.inputMissing` with a message saying what to do.
    public init(path: String, source: String, options: WorkbookReadOptions = .init()) throws {
        self.source = source
        headerLine = options.headerRow
        numberCells = options.numberCells
        do {
            workbook = try Workbook(path: path, displayName: source, limits: options.limits)
        } catch let error as WorkbookError {
            throw PWSError(.inputMissing, error.message)
        }
        if let wanted = options.sheets {
            var chosen: [WorksheetInfo] = []
            for name in wanted {
                // As written, else ignoring case: Excel keeps no two sheets that differ by case
                // only, and shows `Wilayah` where a pipeline may say `wilayah`.
                guard let sheet = workbook.sheets.first(where: { $0.name == name })
                        ?? workbook.sheets.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                    throw PWSError(.inputMissing, "\(source) has no sheet named \"\(name)\" (it has: "
                                   + workbook.sheets.map { "\"\($0.shownName)\"" }.joined(separator: ", ")
                                   + "); correct the sheet name in the pipeline")
                }
                chosen.append(sheet)
            }
            sheets = chosen
        } else {
            sheets = workbook.sheets
        }
        if sheets.isEmpty {
            throw PWSError(.inputMissing, "\(source) has no worksheet; save a sheet with the records as .xlsx")
        }
    }

    /// The sheets that will be read, in workbook order.
    public var sheetNames: [String] { sheets.map(\.shownName) }

    public func note(_ text: String) { notes.append(text) }

    public func read(_ body: (RecordSourceEvent) throws -> Void) throws {
        for sheet in sheets {
            let label = "\(source):\(sheet.shownName)"
            if sheet.hidden {
                notes.append("\(label): the sheet is hidden in the workbook; it is read like the others")
            }
            minimumFieldCount = 0
            try body(.section(label: label))
            var rows = SheetRows(workbook: workbook, label: label, numberCells: numberCells)
            do {
                // The merged cells come after the rows in the part: read first (MergedCells).
                let scan = SheetSAXParser(rows: rows, limits: workbook.limits, mergesOnly: true)
                try scan.read(workbook.archive.open(sheet.part, limits: workbook.limits), displayName: source,
                              minimumFieldCount: { 0 }, { _ in })
                rows.merges = scan.merges
                rows.merges.sortForReading()
                let stream = try workbook.archive.open(sheet.part, limits: workbook.limits, again: true)
                let parser = SheetSAXParser(rows: rows, limits: workbook.limits)
                try parser.read(stream, displayName: source, minimumFieldCount: { self.minimumFieldCount }, body)
                blankRows += parser.blankRows
                if let note = parser.mergedCellsNote { notes.append(note) }
            } catch let error as WorkbookError {
                throw PWSError(.inputMissing, "\(label): \(error.message)")
            }
        }
    }
}

/// One sheet's rows as records: `SheetSAXParser` (SheetSAX.swift) parses the part and calls
/// `startRow`, `startCell`, `appendText`, `finishCell` and `finishRow` as elements open and close.
struct SheetRows {
    let workbook: Workbook
    let label: String
    let numberCells: NumberCells
    var blankRows = 0

    // The record being built: its bytes, its fields, the row's issues.
    private var bytes: [UInt8] = []
    private var fields: [FieldBounds] = []
    private var issues: [CellIssue] = []
    private var hasContent = false
    /// The sheet's merged cells spanning rows, read before its rows.
    var merges = MergedCells()
    // The cell being read.
    private var value: [UInt8] = []
    private var inline: [UInt8] = []
    /// Whether the cell's text passed `maxCellBytes` (the rest of it is not kept). A shared
    /// string over it is found by its length (`finishCell`).
    private var oversized = false

    /// The most bytes of text a cell may hold: Excel keeps 32,767 characters a cell, at most
    /// 229,369 bytes as written (`_xHHHH_` for each); a cell of a workbook no spreadsheet wrote
    /// (a 100 MiB one, 2 GB of memory before this bound) is `CellIssue.Kind.tooLong`.
    static let maxCellBytes = 1 << 20
    /// The most bytes of text a row keeps: past it, each further cell with text is
    /// `CellIssue.Kind.tooLong` too — 1 500 cells of 1 MiB in one row (an 8.5 MB workbook,
    /// each cell under `maxCellBytes`) took 2.2 GB.
    static let maxRowBytes = 16 << 20

    /// The most bytes of merged ranges' first cells a sheet keeps (`fillMergedCells`); merged
    /// cells hold labels — a village code, a date — far shorter.
    static let maxMergedBytes = 16 << 20
    private var mergedValueBytes = 0

    /// The row's text so far (`bytes` begins with one byte of its own).
    private var rowTextBytes: Int { bytes.count - 1 }

    init(workbook: Workbook, label: String, numberCells: NumberCells = .asWritten) {
        self.workbook = workbook
        self.label = label
        self.numberCells = numberCells
        bytes.reserveCapacity(4096)
        bytes.append(0)
        fields.reserveCapacity(64)
    }

    /// Excel's limits: 1,048,576 rows, 16,384 columns (`XFD`).
    static let maxRow = 1 << 20
    static let maxColumn = 1 << 14

    enum CellType { case number, shared, inline, formulaString, boolean, error, isoDate }

    /// A cell reference (`B12`) as a 0-based column and a row; nil when it is not one.
    static func parseReference(_ ref: UnsafeRawBufferPointer) -> (column: Int, row: Int)? {
        var col = 0, r = 0, i = 0
        while i < ref.count, case let c = ref[i] | 0x20, c >= 0x61 && c <= 0x7A {
            col = col * 26 + Int(c - 0x60)
            if col > Self.maxColumn { return nil }
            i += 1
        }
        guard col > 0 else { return nil }
        while i < ref.count, ref[i] >= 0x30 && ref[i] <= 0x39 {
            r = r * 10 + Int(ref[i] - 0x30)
            if r > Self.maxRow { return nil }
            i += 1
        }
        return i == ref.count ? (col - 1, r) : nil
    }

    /// Fields of the row so far.
    var fieldCount: Int { fields.count }

    /// A new cell: its value and inline text are empty.
    mutating func startCell() {
        value.removeAll(keepingCapacity: value.capacity <= Self.maxCellBytes)
        inline.removeAll(keepingCapacity: inline.capacity <= Self.maxCellBytes)
        oversized = false
    }

    /// Text of the cell's `<v>` (`toValue`) or of its inline string's `<t>`.
    mutating func appendText(_ text: UnsafeRawBufferPointer, toValue: Bool) {
        guard !oversized else { return }
        guard value.count + inline.count + text.count <= Self.maxCellBytes else {
            oversized = true
            value.removeAll()
            inline.removeAll()
            return
        }
        if toValue { value.append(contentsOf: text) } else { inline.append(contentsOf: text) }
    }

    /// The `t` attribute's value, compared as bytes (no allocation: this runs per cell).
    static func cellType(_ v: UnsafeRawBufferPointer) -> CellType {
        switch v.count {
        case 1:
            switch v[0] {
            case UInt8(ascii: "s"): .shared
            case UInt8(ascii: "b"): .boolean
            case UInt8(ascii: "e"): .error
            case UInt8(ascii: "d"): .isoDate
            default: .number
            }
        case 3 where v[0] == UInt8(ascii: "s") && v[1] == UInt8(ascii: "t") && v[2] == UInt8(ascii: "r"):
            .formulaString
        case 9 where v[0] == UInt8(ascii: "i") && v[6] == UInt8(ascii: "S"):  // inlineStr
            .inline
        default: .number
        }
    }

    static func integer(_ v: UnsafeRawBufferPointer) -> Int? {
        guard !v.isEmpty, v.count <= 12 else { return nil }
        var n = 0
        for b in v {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            n = n * 10 + Int(b - 0x30)
        }
        return n
    }

    mutating func startRow() {
        // A first byte no field uses, so the buffer has an address even when every field is empty.
        bytes.removeAll(keepingCapacity: true)
        bytes.append(0)
        fields.removeAll(keepingCapacity: true)
        issues.removeAll(keepingCapacity: true)
        hasContent = false
    }

    /// Takes the first cells of merged ranges beginning at `row`, and fills the cells of ranges
    /// begun above it: in a row with values of its own, an empty cell of a range's first column
    /// reads as the range's first cell (its text, or its problem named at that cell). A row with
    /// nothing but such cells stays blank (a range merged further down than the children go).
    /// Only columns within `width` (the header's, or the row's own) are filled: merged ranges
    /// never make a row wider than reading it makes it anyway.
    private mutating func fillMergedCells(row: Int, width: Int) {
        for range in merges.begin(row: row) {
            var value: [UInt8] = []
            var issue: CellIssue.Kind?
            if range.top == row {
                if range.column < fields.count {
                    value = Array(bytes[Int(fields[range.column].rawStart)..<Int(fields[range.column].rawEnd)])
                }
                // The merged ranges' values are kept while their ranges last: at most
                // `maxMergedBytes` in a sheet (384 ranges of ~1 MiB each, a 13 KB workbook, held
                // 400 MB); past it, a range's cells are `tooLong`.
                if mergedValueBytes + value.count > Self.maxMergedBytes {
                    value = []
                    issue = .tooLong
                } else {
                    mergedValueBytes += value.count
                    issue = issues.first { $0.column == range.column && $0.kind != .merged }?.kind
                }
            }
            merges.activate(range, value: value, issue: issue)
        }
        guard hasContent else { return }
        for k in merges.active.indices {
            let active = merges.active[k]
            let c = active.range.column
            if c >= width { break }   // by column
            if active.range.top >= row { continue }
            if c < fields.count && fields[c].cleanEnd > fields[c].cleanStart { continue }
            if issues.contains(where: { $0.column == c }) { continue }
            padFields(to: c + 1)
            let reference = CellIssue.columnName(c) + String(active.range.top)
            // The row bound holds for merged values too: ranges staggered over rows, each just
            // under 1 MiB, piled 16 MiB more into every row (850 MB for a 13 KB workbook).
            if rowTextBytes + active.value.count > Self.maxRowBytes {
                issues.append(CellIssue(column: c, reference: reference, kind: .tooLong))
                merges.count(k)
                continue
            }
            let start = bytes.count
            bytes.append(contentsOf: active.value)
            let end = bytes.count
            var clean = start..<end
            if end > start { clean = bytes.withUnsafeBufferPointer { Dialect.cleanedRange($0.baseAddress!, start, end) } }
            fields[c] = FieldBounds(rawStart: Int32(truncatingIfNeeded: start), rawEnd: Int32(truncatingIfNeeded: end),
                                    cleanStart: Int32(truncatingIfNeeded: clean.lowerBound),
                                    cleanEnd: Int32(truncatingIfNeeded: clean.upperBound))
            issues.append(CellIssue(column: c, reference: reference, kind: .merged))
            if let issue = active.issue { issues.append(CellIssue(column: c, reference: reference, kind: issue)) }
            merges.count(k)
        }
    }

    private mutating func padFields(to column: Int) {
        while fields.count < column {
            let at = Int32(truncatingIfNeeded: bytes.count)
            fields.append(FieldBounds(rawStart: at, rawEnd: at, cleanStart: at, cleanEnd: at))
        }
    }

    private mutating func appendField(_ text: UnsafeRawBufferPointer) {
        let start = bytes.count
        bytes.append(contentsOf: text)
        let end = bytes.count
        var clean = start..<end
        if end > start {
            clean = bytes.withUnsafeBufferPointer { Dialect.cleanedRange($0.baseAddress!, start, end) }
        }
        hasContent = hasContent || !clean.isEmpty
        fields.append(FieldBounds(rawStart: Int32(truncatingIfNeeded: start), rawEnd: Int32(truncatingIfNeeded: end),
                                  cleanStart: Int32(truncatingIfNeeded: clean.lowerBound),
                                  cleanEnd: Int32(truncatingIfNeeded: clean.upperBound)))
    }

    private mutating func appendField(_ text: String) {
        var text = text
        text.withUTF8 { appendField(UnsafeRawBufferPointer($0)) }
    }

    mutating func finishCell(column: Int, row: Int, type: CellType, style: Int, hasFormula: Bool,
                                     hasValue: Bool) {
        guard column >= fields.count else { return }
        padFields(to: column)
        func reference() -> String { CellIssue.columnName(column) + String(row) }
        if oversized || rowTextBytes + value.count + inline.count > Self.maxRowBytes {
            issues.append(CellIssue(column: column, reference: reference(), kind: .tooLong))
            appendField(UnsafeRawBufferPointer(start: nil, count: 0))
            hasContent = true
            return
        }
        // `<f>…</f>` with no `<v>`, or an empty `<v/>` (openpyxl writes that): never calculated.
        // A string formula (`t="str"`) with an empty `<v></v>` gave "" and is an empty text; with
        // no `<v>` at all it was never calculated either (it was read as empty: a sheet of them
        // became blank rows, a result column of them lost its results without a word).
        if hasFormula && value.isEmpty && type != .inline && (type != .formulaString || !hasValue) {
            issues.append(CellIssue(column: column, reference: reference(), kind: .formulaWithoutValue))
            appendField(UnsafeRawBufferPointer(start: nil, count: 0))
            hasContent = true
            return
        }
        switch type {
        case .shared:
            let index = value.withUnsafeBytes { Self.integer($0) }
            if let index, let range = workbook.sharedStrings.range(index),
               range.count > Self.maxCellBytes || rowTextBytes + range.count > Self.maxRowBytes {
                // The shared strings are bounded only as a whole (512 MiB): one string over the
                // bound is not copied into each record that names it.
                issues.append(CellIssue(column: column, reference: reference(), kind: .tooLong))
                appendField(UnsafeRawBufferPointer(start: nil, count: 0))
                hasContent = true
            } else if let index, let range = workbook.sharedStrings.range(index) {
                workbook.sharedStrings.bytes.withUnsafeBytes { appendField(UnsafeRawBufferPointer(rebasing: $0[range])) }
            } else {
                issues.append(CellIssue(column: column, reference: reference(),
                                        kind: .missingSharedString(VisibleText.escapingControls(String(decoding: value.prefix(20), as: UTF8.self)))))
                appendField(UnsafeRawBufferPointer(start: nil, count: 0))
                hasContent = true
            }
        case .inline:
            XStringEscapes.decode(&inline)
            inline.withUnsafeBytes { appendField($0) }
        case .formulaString:
            XStringEscapes.decode(&value)
            value.withUnsafeBytes { appendField($0) }
        case .boolean:
            appendField(value == [0x31] ? "TRUE" : value == [0x30] ? "FALSE" : String(decoding: value, as: UTF8.self))
        case .error:
            issues.append(CellIssue(column: column, reference: reference(), kind: .error(String(decoding: value, as: UTF8.self))))
            value.withUnsafeBytes { appendField($0) }
            hasContent = true
        case .isoDate:
            // `2025-03-14T00:00:00`: the date part.
            value.withUnsafeBytes { appendField(UnsafeRawBufferPointer(rebasing: $0.prefix(10))) }
        case .number:
            if value.isEmpty {
                appendField(UnsafeRawBufferPointer(start: nil, count: 0))
            } else if style < workbook.dateStyles.count && workbook.dateStyles[style],
                      let text = WorkbookFormats.dateText(String(decoding: value, as: UTF8.self),
                                                          date1904: workbook.date1904) {
                appendField(text)
            } else {
                var text = WorkbookFormats.numberText(String(decoding: value, as: UTF8.self))
                if case .counts(let separator) = numberCells { text = WorkbookFormats.countText(text, decimalSeparator: separator) }
                if WorkbookFormats.numberDigits(text) >= 15 { issues.append(CellIssue(column: column, reference: reference(), kind: .longNumber)) }
                appendField(text)
            }
        }
    }

    mutating func finishRow(row: Int, problem: String?, minimumFieldCount: Int,
                                    _ body: (RecordSourceEvent) throws -> Void) throws {
        if let problem {
            try body(.malformed(line: row, message: problem))
            return
        }
        if !merges.isEmpty { fillMergedCells(row: row, width: Swift.max(minimumFieldCount, fields.count)) }
        guard hasContent else {
            blankRows += 1
            return
        }
        padFields(to: minimumFieldCount)
        try bytes.withUnsafeBufferPointer { b in
            try fields.withUnsafeBufferPointer { f in
                guard let base = b.baseAddress, let bounds = f.baseAddress else { return }
                let record = CSVRecord(line: row, index: row - 1, count: f.count, bytes: base, fields: bounds)
                try body(.record(record, issues: issues))
            }
        }
    }
}
