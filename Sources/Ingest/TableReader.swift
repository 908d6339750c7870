import CSV
import PWSCore

/// A field index type of one schema (`LayananField`, …), usable wherever a field index is.
public protocol TableField: RawRepresentable where RawValue == Int {}
extension WilayahField: TableField {}
extension SasaranField: TableField {}
extension LayananField: TableField {}

/// What reading one table file gave, beyond its rows: the §3 counts and what the header held.
public struct TableReadSummary: Sendable, Hashable {
    /// The path relative to the data folder.
    public var source: String
    /// Data records read, rejected ones included (not the header, not blank rows).
    public var rowsRead: Int
    /// Records rejected here: `E-PARSE`, `E-FIELDS`, or all of them under `E-COLUMNS`.
    public var rowsRejected: Int
    /// Blank lines and all-empty records skipped.
    public var blankRows: Int
    /// The file's encoding; `.windows1252` deserves a warning naming the file.
    public var encoding: TextEncoding
    /// The delimiter used (sniffed or given).
    public var delimiter: UInt8
    /// The header's column names as written (trimmed); empty when there is no readable header.
    public var columns: [String]
    /// Columns that match no field of the schema (blank names left out), in header order.
    public var unknownColumns: [String]
    /// Columns that name a field another column already supplies and so are ignored (the
    /// canonically named column wins, then the leftmost).
    public var duplicateColumns: [String]
    /// Canonical names of required fields with no column; non-empty means `E-COLUMNS`.
    public var missingColumns: [String]
    /// For a workbook: the sheets whose rows were read; empty for other records that are not
    /// CSV text (FHIR, a reshaped CSV register), nil for a CSV file.
    public var sheets: [String]? = nil
    /// For a workbook: notices for the run's notes (sheets not read, values with no column name).
    public var notes: [String] = []
    /// The header shows the file is UTF-16 (NUL bytes between its letters): every record is
    /// rejected (`E-COLUMNS`); run.json calls its encoding `utf-16`, not what it was read as.
    public var utf16 = false
    /// A CSV file read with `CSVReadOptions.hashesContent`: the SHA-256 and size of the bytes
    /// read (nil for a workbook, a record source, or without the option).
    public var digest: ContentDigest?
    /// A CSV file read with `CSVReadOptions.defersSingleBlockDigest` in one block: its bytes, not
    /// yet hashed (`digest` is then nil); `contentDigest` gives the digest either way.
    public var unhashedContent: UnhashedContent?

    /// The SHA-256 and size of the file's bytes when they were hashed or kept for it; computed
    /// here (on the calling thread) when the reader deferred it.
    public var contentDigest: ContentDigest? { digest ?? unhashedContent?.digest() }
}

/// One data row of a table, seen through the schema (valid only inside the `row` callback).
public struct TableRow {
    /// The file and the physical line where the record starts.
    public let location: SourceLocation
    /// The 0-based position of this record among the file's data records as counted in
    /// `rowsRead` (rejected records included, the header and blank rows not).
    public let recordIndex: Int
    /// The underlying record, in header column order.
    public let record: CSVRecord
    @usableFromInline let columns: UnsafePointer<Int>

    init(location: SourceLocation, recordIndex: Int, record: CSVRecord, columns: UnsafePointer<Int>) {
        self.location = location
        self.recordIndex = recordIndex
        self.record = record
        self.columns = columns
    }

    /// Whether the file has a column for schema field `field`.
    @inlinable
    public func has(_ field: Int) -> Bool { columns[field] >= 0 }

    /// Schema field `field`, cleaned (§2.1); empty when the column is absent.
    /// - Complexity: O(1); no allocation.
    @inlinable
    public func cleaned(_ field: Int) -> UnsafeRawBufferPointer {
        let column = columns[field]
        // The column exists in every row handed out: rows with another field count are E-FIELDS.
        return column < 0 ? UnsafeRawBufferPointer(start: nil, count: 0) : record.uncheckedCleaned(column)
    }

    /// Schema field `field`, cleaned, as a `String` (allocates: for values you keep).
    public func string(_ field: Int) -> String { String(decoding: cleaned(field), as: UTF8.self) }

    /// Whether schema field `field` is empty once cleaned (or its column is absent).
    @inlinable
    public func isEmpty(_ field: Int) -> Bool { cleaned(field).isEmpty }

    /// `has(_:)` by field name constant.
    public func has<F: TableField>(_ field: F) -> Bool { has(field.rawValue) }
    /// `cleaned(_:)` by field name constant.
    public func cleaned<F: TableField>(_ field: F) -> UnsafeRawBufferPointer { cleaned(field.rawValue) }
    /// `string(_:)` by field name constant.
    public func string<F: TableField>(_ field: F) -> String { string(field.rawValue) }
    /// `isEmpty(_:)` by field name constant.
    public func isEmpty<F: TableField>(_ field: F) -> Bool { isEmpty(field.rawValue) }
}

/// Reads one input table: the CSV dialect (`CSVReader`) plus the header mapping of spec §2.1
/// (names matched case-insensitively after trimming and turning spaces and `-` into `_`,
/// aliases, the canonical name winning over an alias, then the leftmost column).
///
/// Problems it reports, each with the source, the record's first line, and the record_id when
/// that column is readable: `E-PARSE`, `E-FIELDS`, and `E-COLUMNS` (one diagnostic at line 1 for
/// the whole file; every record is still counted as read and rejected).
public final class TableReader {
    /// The schema the header is mapped onto.
    public let schema: TableSchema
    /// The path relative to the data folder.
    public let source: String
    private let input: Input
    let names: TableColumnNames

    /// CSV text, or another source of records (a workbook).
    private enum Input {
        case csv(CSVReader)
        case records(RecordSource)
    }

    /// The end of an E-COLUMNS message: how many records of the file that costs (none said for
    /// a file without records).
    static func allRejected(_ rowsRead: Int) -> String {
        rowsRead == 0 ? "" : "; all \(rowsRead) record(s) of this file are rejected"
    }

    /// Opens a table file.
    /// - Parameter extraAliases: more column names per canonical field name, from a pipeline.
    /// - Throws: `PWSError` `.inputMissing` when the file cannot be read; `.pipelineDefinition`
    ///   when `extraAliases` names an unknown field or gives one name to two fields.
    public init(path: String, source: String, schema: TableSchema, extraAliases: [String: [String]] = [:],
                options: CSVReadOptions = .init()) throws {
        names = try TableColumnNames(schema: schema, extraAliases: extraAliases)
        input = .csv(try CSVReader(path: path, source: source, options: options))
        self.schema = schema
        self.source = source
    }

    /// Opens a table file with column names built once for many files (no per-file cost of
    /// building the alias table or mapping a header line seen before).
    public init(path: String, source: String, names: TableColumnNames, options: CSVReadOptions = .init()) throws {
        self.names = names
        input = .csv(try CSVReader(path: path, source: source, options: options))
        schema = names.schema
        self.source = source
    }

    /// Reads a table held in memory (tests, small inputs).
    public init(bytes: [UInt8], source: String, schema: TableSchema, extraAliases: [String: [String]] = [:],
                options: CSVReadOptions = .init()) throws {
        names = try TableColumnNames(schema: schema, extraAliases: extraAliases)
        input = .csv(CSVReader(bytes: bytes, source: source, options: options))
        self.schema = schema
        self.source = source
    }

    /// Reads records that are not CSV text (worksheets of a workbook) through the same header
    /// mapping, cleaning and accounting.
    public init(records: RecordSource, source: String, names: TableColumnNames) {
        self.names = names
        input = .records(records)
        schema = names.schema
        self.source = source
    }

    /// Opens `path` as a workbook when its name ends in `.xlsx` (any case), else as CSV.
    /// - Throws: `PWSError` `.inputMissing` when it cannot be read.
    public static func open(path: String, source: String, names: TableColumnNames, options: CSVReadOptions = .init(),
                            workbook: WorkbookReadOptions = .init()) throws -> TableReader {
        if isWorkbookName(source) {
            return TableReader(records: try WorkbookRecordSource(path: path, source: source, options: workbook),
                               source: source, names: names)
        }
        return try TableReader(path: path, source: source, names: names, options: options)
    }

    /// Whether a file name ends in `.xlsx`, any case.
    public static func isWorkbookName(_ name: String) -> Bool {
        name.count > 5 && name.lowercased().hasSuffix(".xlsx")
    }

    /// The file's encoding (a workbook is UTF-8). A CSV file's is decided while `read` reads it;
    /// asked before, the file is checked then, which costs a read of it.
    public var encoding: TextEncoding {
        switch input {
        case .csv(let reader): reader.encoding
        case .records: .utf8
        }
    }

    /// Reads the whole file: `row` for each data row that has the header's field count, `problem`
    /// for each rejected record (or once, at the end, for `E-COLUMNS`).
    /// - Throws: what the callbacks throw, or `PWSError` `.inputMissing` when reading fails.
    /// - Complexity: O(file size); constant memory.
    public func read(row: (TableRow) throws -> Void, problem: (Diagnostic) throws -> Void) throws
        -> TableReadSummary {
        let reader: CSVReader
        switch input {
        case .csv(let csv): reader = csv
        case .records(let records): return try read(records, row: row, problem: problem)
        }
        let fieldCount = schema.fields.count
        let columns = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(1, fieldCount))
        columns.initialize(repeating: -1, count: Swift.max(1, fieldCount))
        defer { columns.deallocate() }
        let recordIDField = schema.index(of: "record_id")
        let source = self.source

        var map: HeaderMap?
        // Whether `map` lacks no required column: asked per row, where binding `map` copied the
        // header map (a retain and release of each of its arrays) for every row.
        var headerComplete = false
        var headerFailure: (line: Int, message: String)?
        var headerCount = 0
        var rowsRead = 0
        var rowsRejected = 0
        var fieldsMessages: [Int: String] = [:]
        var headerIsUTF16 = false

        func recordID(_ record: CSVRecord) -> String {
            guard let field = recordIDField else { return "" }
            let column = columns[field]
            return column >= 0 && column < record.count ? record.string(column) : ""
        }

        try reader.read { event in
            switch event {
            case .record(let record):
                guard map != nil else {
                    if headerFailure != nil {
                        rowsRead += 1
                        rowsRejected += 1
                        return
                    }
                    let mapped = names.map(header: (0..<record.count).map { record.string($0) })
                    for field in 0..<fieldCount { columns[field] = mapped.columnOfField[field] }
                    headerCount = record.count
                    map = mapped
                    headerComplete = mapped.missingRequired.isEmpty
                    headerIsUTF16 = !mapped.missingRequired.isEmpty && Self.looksUTF16(mapped.columns + mapped.unknownColumns)
                    return
                }
                // In a UTF-16 file read as one-byte text, a line end's other byte (and a blank
                // line) is a line of NULs: not a record.
                if headerIsUTF16 && Self.holdsOnlyNUL(record) { return }
                let index = rowsRead
                rowsRead += 1
                if !headerComplete {
                    rowsRejected += 1
                    return
                }
                if record.count != headerCount {
                    rowsRejected += 1
                    // Held until rejects.csv is written: rows of one count share their message's
                    // storage (a file of one-character rows held ~170 B more a row).
                    let message = fieldsMessages[record.count] ?? {
                        let text = "the record has \(record.count) fields but the header has \(headerCount); "
                            + "quote any value that contains \(Self.describe(reader.delimiter)) and give every "
                            + "row as many fields as the header"
                        if fieldsMessages.count < 256 { fieldsMessages[record.count] = text }
                        return text
                    }()
                    try problem(Diagnostic(
                        location: SourceLocation(source: source, line: record.line), recordID: recordID(record),
                        rule: .fields, field: "", value: String(record.count), message: message))
                    return
                }
                try row(TableRow(location: SourceLocation(source: source, line: record.line), recordIndex: index,
                                 record: record, columns: columns))
            case .malformed(let line, let message):
                if map == nil && headerFailure == nil {
                    headerFailure = (line, message)
                    return
                }
                rowsRead += 1
                rowsRejected += 1
                if headerComplete {
                    try problem(Diagnostic(location: SourceLocation(source: source, line: line), recordID: "",
                                           rule: .parse, field: "", value: "", message: message))
                }
            }
        }

        let header = map ?? HeaderMap(fieldCount: fieldCount, missingRequired: names.names.requiredNames)
        var utf16 = false
        if !header.missingRequired.isEmpty {
            let what: String
            if let failure = headerFailure {
                what = "the header row (line \(failure.line)) cannot be read: \(failure.message)"
            } else if map == nil {
                what = "the file is empty (no header row, no records); ask the facility to send it again"
            } else if headerIsUTF16 {
                // UTF-16 read as one-byte text: a NUL after every letter of the header.
                utf16 = true
                what = "the header has NUL bytes between its letters, so the file is UTF-16 (Unicode text), not UTF-8; "
                    + "save it as UTF-8 (in Excel: Save As → CSV UTF-8 (Comma delimited))"
            } else {
                // The header's own names that matched nothing are most often the missing ones
                // spelt another way (`Tgl. Kunjungan`): named, so the alias to declare is plain.
                let unknown = header.unknownColumns.filter { !$0.isEmpty }
                // A file without a header row has a record there: its NIK is masked, long cells cut.
                let shown = unknown.prefix(8).map { name in
                    let masked = PersonID.maskIdentifiersInName(name)
                    return "\"" + (masked.count > 40 ? masked.prefix(39) + "…" : masked) + "\""
                }.joined(separator: ", ")
                    + (unknown.count > 8 ? " and \(unknown.count - 8) more" : "")
                what = "required column(s) missing: " + header.missingRequired.map(names.names.describe).joined(separator: "; ")
                    + (unknown.isEmpty ? "" : " (columns not recognised: \(shown))")
                    + "; rename the column in the header or declare its name as an alias in the pipeline"
            }
            try problem(Diagnostic(
                location: SourceLocation(source: source, line: 1), recordID: "", rule: .columns,
                field: header.missingRequired.joined(separator: ","), value: String(rowsRead),
                message: what + TableReader.allRejected(rowsRead)))
        }
        var summary = TableReadSummary(
            source: source, rowsRead: rowsRead, rowsRejected: rowsRejected, blankRows: reader.blankRows,
            encoding: reader.encoding, delimiter: reader.delimiter, columns: header.columns,
            unknownColumns: header.unknownColumns, duplicateColumns: header.duplicateColumns,
            missingColumns: header.missingRequired)
        summary.digest = reader.contentDigest
        summary.unhashedContent = reader.unhashedContent
        summary.utf16 = utf16
        return summary
    }

    /// Whether header names read as one-byte text are UTF-16: a NUL between its letters, so
    /// about every other byte (a third at least, delimiters and line ends aside). One NUL in a
    /// name of a UTF-8 file is not that: the header is then judged by its columns.
    static func looksUTF16(_ names: [String]) -> Bool {
        var nul = 0, all = 0
        for name in names {
            for byte in name.utf8 {
                all += 1
                if byte == 0 { nul += 1 }
            }
        }
        return nul > 0 && nul * 3 >= all
    }

    /// Whether every field of `record` is empty or NUL bytes only.
    static func holdsOnlyNUL(_ record: CSVRecord) -> Bool {
        (0..<record.count).allSatisfy { record.raw($0).allSatisfy { $0 == 0 } }
    }

    static func describe(_ delimiter: UInt8) -> String {
        switch delimiter {
        case 0x09: "the delimiter (TAB)"
        default: "the delimiter '\(String(UnicodeScalar(delimiter)))'"
        }
    }
}

/// How one file's header maps onto a schema.
struct HeaderMap {
    /// For each schema field, its column, or -1.
    var columnOfField: [Int]
    var columns: [String] = []
    var unknownColumns: [String] = []
    var duplicateColumns: [String] = []
    /// Canonical names of required fields without a column.
    var missingRequired: [String]

    init(fieldCount: Int, missingRequired: [String]) {
        columnOfField = Array(repeating: -1, count: fieldCount)
        self.missingRequired = missingRequired
    }
}

/// The column names a schema accepts with a pipeline's extra aliases, built once and shared by
/// the readers of many files; header lines already mapped are remembered (so one thread at a
/// time may map headers: Validate reads all files on one reading thread).
public final class TableColumnNames: @unchecked Sendable {
    // @unchecked: the header cache is mutable without a lock; the contract above (one mapping
    // thread at a time) is what makes sharing it safe, and the compiler cannot check it.
    public let schema: TableSchema
    let names: HeaderNames
    private var mapped: [[String]: HeaderMap] = [:]

    /// - Throws: `PWSError` `.pipelineDefinition` when `extraAliases` names an unknown field or
    ///   gives one name to two fields.
    public init(schema: TableSchema, extraAliases: [String: [String]] = [:]) throws {
        self.schema = schema
        names = try HeaderNames(schema: schema, extraAliases: extraAliases)
    }

    func map(header: [String]) -> HeaderMap {
        if let known = mapped[header] { return known }
        let result = names.map(header: header)
        if mapped.count < 256 { mapped[header] = result }
        return result
    }
}

/// The column names a schema accepts, normalised, with the pipeline's extra aliases.
struct HeaderNames {
    private let schema: TableSchema
    /// Normalised name → (field index, whether it is the canonical name).
    private var lookup: [String: (field: Int, canonical: Bool)] = [:]
    private var aliasesOfField: [[String]]

    init(schema: TableSchema, extraAliases: [String: [String]]) throws {
        self.schema = schema
        aliasesOfField = schema.fields.map(\.aliases)
        for (field, spec) in schema.fields.enumerated() {
            lookup[Self.normalise(spec.name)] = (field, true)
            for alias in spec.aliases { lookup[Self.normalise(alias)] = (field, false) }
        }
        for (canonical, aliases) in extraAliases.sorted(by: { $0.key < $1.key }) {
            guard let field = schema.index(of: Self.normalise(canonical)) else {
                throw PWSError(.pipelineDefinition,
                               "column alias given for unknown field '\(canonical)' of \(schema.name); known fields: "
                                   + schema.fields.map(\.name).joined(separator: ", "))
            }
            for alias in aliases {
                let name = Self.normalise(alias)
                if let existing = lookup[name] {
                    guard existing.field == field else {
                        throw PWSError(.pipelineDefinition,
                                       "column alias '\(alias)' for \(schema.name).\(schema.fields[field].name) "
                                           + "already names \(schema.fields[existing.field].name); remove one of them")
                    }
                    continue
                }
                lookup[name] = (field, false)
                aliasesOfField[field].append(name)
            }
        }
    }

    var requiredNames: [String] { schema.fields.filter(\.required).map(\.name) }

    /// Header names match case-insensitively after trimming, with every run of white space
    /// (a line break typed with Alt+Enter, two spaces, a no-break space), `-` and `_` one `_`:
    /// `TGL\nLAHIR`, `Kode  Desa`, `tgl-lahir` and `TGL_LAHIR` are one name.
    static func normalise(_ name: String) -> String {
        var out = ""
        var separated = false
        for c in name.trimmingSpaces().lowercased() {
            if c.isWhitespace || c == "-" || c == "_" {
                separated = true
            } else {
                if separated && !out.isEmpty { out.append("_") }
                separated = false
                out.append(c)
            }
        }
        return out
    }

    /// `visit_date (or tanggal_kunjungan, tanggal)` for messages.
    func describe(_ canonical: String) -> String {
        guard let field = schema.index(of: canonical), !aliasesOfField[field].isEmpty else { return canonical }
        return "\(canonical) (or \(aliasesOfField[field].joined(separator: ", ")))"
    }

    func map(header: [String]) -> HeaderMap {
        var result = HeaderMap(fieldCount: schema.fields.count, missingRequired: [])
        // Names as run.json and the notes list them: a NIK typed into a header cell masked.
        result.columns = header.map(PersonID.maskEmbeddedIdentifiers)
        var winnerIsCanonical = Array(repeating: false, count: schema.fields.count)
        var loserColumns = Set<Int>()
        for (column, name) in header.enumerated() {
            guard let (field, canonical) = lookup[Self.normalise(name)] else {
                if !name.isEmpty { result.unknownColumns.append(PersonID.maskEmbeddedIdentifiers(name)) }
                continue
            }
            let current = result.columnOfField[field]
            if current < 0 {
                result.columnOfField[field] = column
                winnerIsCanonical[field] = canonical
            } else if canonical && !winnerIsCanonical[field] {
                loserColumns.insert(current)
                result.columnOfField[field] = column
                winnerIsCanonical[field] = true
            } else {
                loserColumns.insert(column)
            }
        }
        result.duplicateColumns = loserColumns.sorted().map { PersonID.maskEmbeddedIdentifiers(header[$0]) }
        result.missingRequired = schema.fields.enumerated()
            .filter { $0.element.required && result.columnOfField[$0.offset] < 0 }
            .map(\.element.name)
        return result
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
