import CSV
import PWSCore

/// A CSV output table: header first, every text cell made spreadsheet-safe, written through
/// libcsv (the CSV module's `CSVWriter`) in the chosen output format.
public final class TableWriter {
    private let writer: CSVWriter
    public let format: OutputFormat
    public let path: String
    /// Data rows written (header excluded).
    public private(set) var rows = 0

    public init(path: String, header: [String], format: OutputFormat) throws {
        self.path = path
        self.format = format
        writer = try CSVWriter(path: path, options: format.writeOptions)
        try writer.writeRow(header)
    }

    /// Writes one data row; cells are made safe (`CellText.safe`).
    public func row(_ cells: [String]) throws {
        try writer.writeRow(cells.map(CellText.safe))
        rows += 1
    }

    public func close() throws { try writer.close() }
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
    /// masks only the fields it knows are person ids.
    public static func cells(_ d: Diagnostic, keepIdentifiers: Bool) -> [String] {
        func safe(_ text: String) -> String {
            keepIdentifiers ? text : PersonID.maskEmbeddedIdentifiers(text)
        }
        return [d.location.source, String(d.location.line), safe(d.recordID), d.rule.rawValue,
                d.severity.rawValue, d.field, safe(d.value), safe(d.message)]
    }

    /// Writes diagnostics (already sorted by source, line, rule). Returns the row count.
    @discardableResult
    public static func write(_ diagnostics: [Diagnostic], to path: String, format: OutputFormat,
                             keepIdentifiers: Bool = false) throws -> Int {
        let table = try TableWriter(path: path, header: header, format: format)
        for d in diagnostics { try table.row(cells(d, keepIdentifiers: keepIdentifiers)) }
        try table.close()
        return table.rows
    }
}
