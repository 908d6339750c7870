import CSV
import PWSCore

/// A cell a record source could not turn into plain text. The table reader judges it once it
/// knows which field the cell's column is: only cells of schema fields reject a row.
public struct CellIssue: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// An error value (`#N/A`, `#DIV/0!`, `#VALUE!` …): the row is `E-CELL`.
        case error(String)
        /// A formula saved without its result: the row is `E-CELL`.
        case formulaWithoutValue
        /// A text cell naming a shared string the workbook does not have (index as written): the
        /// row is `E-CELL` — the workbook is damaged, not the cell's formula.
        case missingSharedString(String)
        /// A number of 15 or more integer digits: as a person_id, `E-PERSON` (a NIK stored as
        /// a number has lost digits in Excel already).
        case longNumber
        /// A wide register's year cell that is not a year (1900–2999), as written: the month
        /// records of its row cannot be dated, so each is `E-DATE` at that cell.
        case badYear(String)
        /// A cell holding more text than `SheetRows.maxCellBytes` (Excel keeps at most 32,767
        /// characters a cell), or past `SheetRows.maxRowBytes` of its row: not kept — a 100 MiB
        /// cell took 2 GB — and `E-CELL` in a column pws reads.
        case tooLong
        /// No problem: the cell is empty in the file and reads as the merged cell above it
        /// (`reference`, its first cell). A register's layout-row check reads it as empty.
        case merged
    }

    /// The 0-based column of the record.
    public var column: Int
    /// The cell's reference for messages, e.g. `C12`.
    public var reference: String
    public var kind: Kind

    public init(column: Int, reference: String, kind: Kind) {
        self.column = column
        self.reference = reference
        self.kind = kind
    }

    /// `A`…`XFD` for column `c` (0-based), as spreadsheets name columns.
    public static func columnName(_ c: Int) -> String {
        var n = c + 1
        var out: [UInt8] = []
        while n > 0 {
            out.insert(UInt8(0x41 + (n - 1) % 26), at: 0)
            n = (n - 1) / 26
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// What a `RecordSource` reports, in order.
public enum RecordSourceEvent {
    /// A new section (a worksheet) begins: the records after it are positioned
    /// `label:line` and the section has its own header row.
    case section(label: String)
    /// A record, valid only inside the callback; `issues` is empty for most records.
    case record(CSVRecord, issues: [CellIssue])
    /// A record that cannot be read, at `line` of the current section.
    case malformed(line: Int, message: String)
    /// A record the source itself rejects with its own rule (a FHIR resource that cannot
    /// become a record: `E-FHIR`): counted as read and rejected once the section is mapped.
    case rejected(Diagnostic)
}

/// What a source that judges its sections' headers itself (a wide register read through a
/// reshape rule) found when no section had the columns it needs: the table reader's E-COLUMNS
/// then names those columns and counts the sections' rows, as it does for a long-format file.
public struct UnmatchedHeader: Sendable {
    /// The first section's label and the row tried as its header.
    public var label: String
    public var line: Int
    /// The columns that row lacks, as the rule names them.
    public var missing: [String]
    public var message: String
    /// The rows of the sections without the columns, each section's first row aside.
    public var rows: Int
    /// Those sections (each has a note saying why; none is "empty").
    public var labels: Set<String>
    /// Those of them that are registers all the same (most of the rule's person and area
    /// columns, and a month or dated column, in one row): when another section is read, their
    /// rows are rejected `E-COLUMNS`, not only noted (`NearMissSection`).
    public var nearMiss: [NearMissSection] = []

    public init(label: String, line: Int, missing: [String], message: String, rows: Int, labels: Set<String>) {
        self.label = label
        self.line = line
        self.missing = missing
        self.message = message
        self.rows = rows
        self.labels = labels
    }
}

/// A section (a sheet) with most of the columns wanted in one row but not all — a register or
/// service sheet with a column misnamed, not a recap or instructions sheet. When another section
/// of the file is read, its rows are `E-COLUMNS` (counted, with the row and the columns it
/// lacks), never dropped with a note only.
public struct NearMissSection: Sendable {
    public var label: String
    /// The row with the most of the columns, and those it lacks.
    public var line: Int
    /// The row above it when the two were tried together (a two-row header).
    public var upper: Int?
    public var missing: [String]
    /// The section's rows but one (as a file without its columns counts them).
    public var rows: Int

    /// At most this many wanted columns missing from a sheet's best row make it a near miss
    /// (a column or two misnamed); a sheet lacking more is another kind of sheet — a child
    /// master list, a recap — and is only noted.
    public static let maxMissing = 2

    public init(label: String, line: Int, upper: Int? = nil, missing: [String], rows: Int) {
        self.label = label
        self.line = line
        self.upper = upper
        self.missing = missing
        self.rows = rows
    }
}

/// A header written over two rows, as registers print it: a group's name merged over its
/// columns in the upper row (`HASIL PENIMBANGAN` over `JAN … DES`, `IMUNISASI` over `HB0 BCG …`)
/// and each column that is not grouped merged down both rows (`NIK`), so that its name is in
/// the upper row only. A merged cell keeps its text in its first cell; the others are empty.
public enum TwoRowHeader {
    /// The two rows' names as one row: the lower row's name of each column, else the upper's.
    public static func combine(upper: [String], lower: [String]) -> [String] {
        (0..<Swift.max(upper.count, lower.count)).map { c in
            let name = c < lower.count ? lower[c] : ""
            return name.isEmpty && c < upper.count ? upper[c] : name
        }
    }

    /// The rows a header was tried from, for a message: `row 6`, or `rows 5 and 6 together`
    /// when the row was tried with the one above it (`upper`).
    public static func rows(_ line: Int, upper: Int?) -> String {
        upper.map { "rows \($0) and \(line) together" } ?? "row \(line)"
    }

    /// The note saying which rows made a section's header.
    public static func note(label: String, upper: Int, lower: Int) -> String {
        "\(label): the header is read from rows \(upper) and \(lower) together (a two-row header: each column's name in row \(lower), else the one above it in row \(upper)); the rows after \(lower) are read"
    }
}

/// Records that do not come from CSV text (worksheets of an .xlsx, FHIR resources), read
/// by `TableReader` through the same header mapping, §2.1 cleaning and accounting as a CSV
/// file. The CSV path does not go through this protocol: it stays a direct call per file.
public protocol RecordSource: AnyObject {
    /// All-empty records skipped (not counted as read).
    var blankRows: Int { get }
    /// Notices for the run's notes (a sheet not read, values with no column name).
    var notes: [String] { get }
    /// The fewest fields every later record of this section has (the table reader sets it
    /// to the header's width, so a short row reads its missing trailing cells as empty).
    var minimumFieldCount: Int { get set }
    /// The section's header row when the caller names it (1-based line), else nil: then the
    /// table reader takes the first of the first `headerSearchRows` records that maps.
    var headerLine: Int? { get }
    /// Reads every record in order.
    /// - Throws: what `body` throws, or `PWSError` `.inputMissing` when the input cannot be read.
    func read(_ body: (RecordSourceEvent) throws -> Void) throws
    /// Adds a note (the table reader's notices about a section).
    func note(_ text: String)
    /// Set by a source that judged its sections' headers itself and found none (`ReshapeSource`).
    var unmatchedHeader: UnmatchedHeader? { get }
}

extension RecordSource {
    public var unmatchedHeader: UnmatchedHeader? { nil }
}
