import CSV
import PWSCore

/// What a writer put in an output file: its data rows (nil for a file that is not a table),
/// and the file's SHA-256 (lower-case hex) and size, as `FileDigest.sha256(path:)` would read
/// them back — computed from the bytes as they were written, so run.json need not read the file.
public struct WrittenFile: Sendable, Equatable {
    public var rows: Int?
    public var sha256: String
    public var bytes: Int

    public init(rows: Int?, sha256: String, bytes: Int) {
        self.rows = rows
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// A CSV output table: header first, every text cell made spreadsheet-safe, written through
/// libcsv (the CSV module's `CSVWriter`) in the chosen output format. The bytes are hashed as
/// they go to the file (`close()` returns the digest).
public final class TableWriter {
    private let writer: CSVWriter
    private let digest = RunningDigest()
    public let format: OutputFormat
    public let path: String
    /// Data rows written (header excluded).
    public private(set) var rows = 0

    public init(path: String, header: [String], format: OutputFormat) throws {
        self.path = path
        self.format = format
        let digest = digest
        writer = try CSVWriter(path: path, options: format.writeOptions, onWrite: { digest.update($0) })
        try writer.writeRow(header)
    }

    /// Writes one data row; cells are made safe (`CellText.safe`).
    public func row(_ cells: [String]) throws {
        try writer.writeRow(cells.map(CellText.safe))
        rows += 1
    }

    /// Flushes and closes the file; returns its rows, SHA-256 and size. Closing twice returns
    /// the same.
    @discardableResult
    public func close() throws -> WrittenFile {
        try writer.close()
        let d = digest.result
        return WrittenFile(rows: rows, sha256: d.hex, bytes: d.bytes)
    }
}

extension OutputFormat {
    /// The libcsv writer's dialect for this format.
    var writeOptions: CSVWriteOptions {
        CSVWriteOptions(delimiter: delimiter, lineEnding: crlf ? [0x0D, 0x0A] : [0x0A], bom: bom)
    }
}

/// `rejects.csv` and `warnings.csv` (spec §3).
public enum DiagnosticsTable {
    public static let header = ["source", "line", "record_id", "rule", "severity", "field", "value", "message"]

    /// The cells of one row, as written.
    ///
    /// Unless `keepIdentifiers`, every number in the record_id, value and message cells that
    /// may be a NIK is masked (`PersonID.maskEmbeddedIdentifiers`): those cells can hold any
    /// part of a raw line (a `;` row read in a `,` file is one long record id), and Validate
    /// masks only the fields it knows are person ids. The source — a file named after a
    /// mother (`layanan/ibu-<NIK>.csv`), a sheet named after a child — is masked always, as
    /// every output shows input names (`PersonID.maskIdentifiersInName`).
    public static func cells(_ d: Diagnostic, keepIdentifiers: Bool) -> [String] {
        func safe(_ text: String) -> String {
            keepIdentifiers ? text : PersonID.maskEmbeddedIdentifiers(text)
        }
        return [PersonID.maskIdentifiersInName(d.location.source), String(d.location.line), safe(d.recordID), d.rule.rawValue,
                d.severity.rawValue, d.field, safe(d.value), safe(d.message)]
    }

    /// Writes diagnostics (already sorted by source, line, rule). Returns the row count and digest.
    @discardableResult
    public static func write(_ diagnostics: [Diagnostic], to path: String, format: OutputFormat,
                             keepIdentifiers: Bool = false) throws -> WrittenFile {
        let table = try TableWriter(path: path, header: header, format: format)
        for d in diagnostics { try table.row(cells(d, keepIdentifiers: keepIdentifiers)) }
        return try table.close()
    }
}
