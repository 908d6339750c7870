import PWSCore

/// The row accounting of one service-record file, or of all of them (spec §3):
/// `rowsRead = rowsRejected + rowsAccepted` and
/// `rowsAccepted = rowsUsed + rowsDuplicate + rowsOutOfPeriod`.
public struct FileAccount: Sendable, Equatable {
    /// Path relative to the data folder (`TOTAL` for the sum).
    public var source: String
    public var rowsRead = 0
    public var rowsRejected = 0
    public var rowsAccepted = 0
    public var rowsUsed = 0
    public var rowsDuplicate = 0
    public var rowsOutOfPeriod = 0
    /// Blank lines and all-empty records, skipped and not counted as read.
    public var blankRows = 0
    /// `utf-8` or `windows-1252`.
    public var encoding = "utf-8"
    /// The delimiter used, as text (`,` `;` `tab` `|`).
    public var delimiter = ","
    /// For a workbook: the sheets read (nil for CSV).
    public var sheets: [String]?
    /// Header names that matched no field.
    public var unknownColumns: [String] = []

    public init(source: String) { self.source = source }

    /// Whether both identities of spec §3 hold.
    public var balances: Bool {
        rowsRead == rowsRejected + rowsAccepted &&
            rowsAccepted == rowsUsed + rowsDuplicate + rowsOutOfPeriod
    }

    /// Adds another file's counts (for the total).
    public mutating func add(_ other: FileAccount) {
        rowsRead += other.rowsRead
        rowsRejected += other.rowsRejected
        rowsAccepted += other.rowsAccepted
        rowsUsed += other.rowsUsed
        rowsDuplicate += other.rowsDuplicate
        rowsOutOfPeriod += other.rowsOutOfPeriod
        blankRows += other.blankRows
    }

    /// `rowsRejected / rowsRead`, 0 for no rows.
    public var rejectRate: Double { rowsRead == 0 ? 0 : Double(rowsRejected) / Double(rowsRead) }
}
