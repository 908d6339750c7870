import CLibXlsxWriter
import Foundation
import PWSCore

/// A thin wrapper over libxlsxwriter: a workbook written in constant-memory mode (each sheet's
/// rows go to a temporary file as they are written, so memory does not grow with the rows;
/// rows of a sheet must therefore be written top to bottom), with fixed document properties so
/// the same content gives the same bytes. No C type leaves this file.
final class XLSXWriter {
    /// A cell format made once per workbook (libxlsxwriter owns it).
    struct Format {
        fileprivate let pointer: UnsafeMutablePointer<lxw_format>?
        static var none: Format { Format(pointer: nil) }
    }

    /// One worksheet. Rows and columns are 0-based.
    final class Sheet {
        fileprivate let pointer: UnsafeMutablePointer<lxw_worksheet>
        let name: String
        fileprivate init(_ pointer: UnsafeMutablePointer<lxw_worksheet>, name: String) {
            self.pointer = pointer
            self.name = name
        }

        func number(_ row: Int, _ column: Int, _ value: Double, _ format: Format = .none) throws {
            try XLSXWriter.check(worksheet_write_number(pointer, lxw_row_t(row), lxw_col_t(column), value, format.pointer),
                                 "\(name) row \(row + 1)")
        }

        /// A denominator or sasaran, exact (§A1): the cell keeps the value, shown with `whole`
        /// when the CSVs print it as a whole number (at most 2 decimals: 17.0001 prints `17`),
        /// else with `decimal` (`#,##0.##`, which would show a whole number as `17.`).
        func number(_ row: Int, _ column: Int, _ value: ExactDecimal, whole: Format, decimal: Format) throws {
            if let n = value.integerValue { return try number(row, column, Double(n), whole) }
            try number(row, column, Double(value.description)!, value.rounded(places: 2).integerValue != nil ? whole : decimal)
        }

        /// Writes a string; an empty string leaves the cell empty unless it carries a format.
        /// U+FFFE and U+FFFF, which XML does not allow and libxlsxwriter writes as they are (a
        /// file or indicator name holding one made the workbook unreadable), are written as
        /// U+FFFD (`CellText.replacingControls`), as are the control characters, which
        /// libxlsxwriter would write as `_x0001_` while the CSVs and the report show U+FFFD.
        func string(_ row: Int, _ column: Int, _ value: String, _ format: Format = .none) throws {
            let value = CellText.replacingControls(value)
            if value.isEmpty {
                guard format.pointer != nil else { return }
                try XLSXWriter.check(worksheet_write_blank(pointer, lxw_row_t(row), lxw_col_t(column), format.pointer),
                                     "\(name) row \(row + 1)")
                return
            }
            try XLSXWriter.check(worksheet_write_string(pointer, lxw_row_t(row), lxw_col_t(column), value, format.pointer),
                                 "\(name) row \(row + 1)")
        }

        /// Keeps the first `rows` rows and `columns` columns in view while scrolling.
        func freeze(rows: Int, columns: Int = 0) {
            worksheet_freeze_panes(pointer, lxw_row_t(rows), lxw_col_t(columns))
        }

        func columnWidth(_ first: Int, _ last: Int, _ width: Double) {
            worksheet_set_column(pointer, lxw_col_t(first), lxw_col_t(last), width, nil)
        }

        /// Filter buttons on a header row over the given rows and columns.
        func autofilter(firstRow: Int, lastRow: Int, firstColumn: Int, lastColumn: Int) {
            worksheet_autofilter(pointer, lxw_row_t(firstRow), lxw_col_t(firstColumn), lxw_row_t(lastRow),
                                 lxw_col_t(lastColumn))
        }
    }

    /// Excel's rows per sheet (1,048,576).
    static let maxRows = Int(LXW_ROW_MAX)

    let path: String
    private var workbook: UnsafeMutablePointer<lxw_workbook>?

    /// Starts a workbook at `path` (written on `close()`); temporary files go beside it.
    /// `created` is the creation time in docProps/core.xml: libxlsxwriter takes the clock
    /// when it is 0, which would make every run's file different.
    init(path: String, title: String, created: Date) throws {
        self.path = path
        let tmpdir = (path as NSString).deletingLastPathComponent
        var options = lxw_workbook_options()
        options.constant_memory = UInt8(LXW_TRUE.rawValue)
        options.use_zip64 = UInt8(LXW_TRUE.rawValue)
        workbook = tmpdir.withCString { dir in
            options.tmpdir = UnsafeMutablePointer(mutating: dir)
            return workbook_new_opt(path, &options)
        }
        guard workbook != nil else { throw PWSError(.outputNotWritable, "cannot start \(path)") }
        var properties = lxw_doc_properties()
        let titleCopy = strdup(title), author = strdup("pws")
        defer { free(titleCopy); free(author) }
        properties.title = titleCopy
        properties.author = author
        properties.created = time_t(created.timeIntervalSince1970)
        try XLSXWriter.check(workbook_set_properties(workbook, &properties), "document properties")
    }

    deinit {
        // A workbook not closed (an error on the way) still frees its memory and temporary files;
        // the half-written file is in the staging folder, which is removed.
        if let workbook { workbook_close(workbook) }
    }

    /// Adds a sheet; `name` must be valid (see `sheetName`).
    func addSheet(_ name: String) throws -> Sheet {
        guard let workbook, let sheet = workbook_add_worksheet(workbook, name) else {
            throw PWSError(.outputNotWritable, "cannot add the sheet \"\(name)\" to \(path)")
        }
        return Sheet(sheet, name: name)
    }

    /// A format: an Excel number format (`0.00`, `#,##0`), bold, and fill/font colours (RGB).
    func format(number: String? = nil, bold: Bool = false, fill: UInt32? = nil, font: UInt32? = nil) -> Format {
        guard let workbook, let f = workbook_add_format(workbook) else { return .none }
        if let number { format_set_num_format(f, number) }
        if bold { format_set_bold(f) }
        if let fill {
            format_set_pattern(f, UInt8(LXW_PATTERN_SOLID.rawValue))
            format_set_bg_color(f, fill)
        }
        if let font { format_set_font_color(f, font) }
        return Format(pointer: f)
    }

    /// Writes the file and frees the workbook.
    func close() throws {
        guard let w = workbook else { return }
        workbook = nil
        errno = 0  // a reason left from an earlier call is not this failure's
        let closed = workbook_close(w)
        // libxlsxwriter's own line says the system's reason; pws's message says it too (a full
        // disk: "No space left on device").
        let reason = errno
        guard closed == LXW_NO_ERROR else {
            let system = reason != 0 ? ": " + String(cString: strerror(reason)) : ""
            throw PWSError(.outputNotWritable, "cannot write \(path) (writing the file)\(system); free space on the output folder's disk or make it writable, then rerun",
                           cause: String(cString: lxw_strerror(closed)))
        }
    }

    /// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, not starting or
    /// ending with `'`, not `History` (Excel keeps that name for its change history; an
    /// indicator with that id would make a workbook Excel repairs), and not equal (ignoring
    /// case) to one of `taken`.
    static func sheetName(_ wanted: String, taken: Set<String>) -> String {
        var name = String(wanted.map { "[]:*?/\\".contains($0) ? "_" : $0 })
        while name.hasPrefix("'") { name.removeFirst() }
        while name.hasSuffix("'") { name.removeLast() }
        if name.isEmpty { name = "Sheet" }
        name = String(name.prefix(31))
        let lower = Set(taken.map { $0.lowercased() } + ["history"])
        var candidate = name, n = 2
        while lower.contains(candidate.lowercased()) {
            let suffix = " (\(n))"
            candidate = String(name.prefix(31 - suffix.count)) + suffix
            n += 1
        }
        return candidate
    }

    /// `what` is built only when `error` is one: a sheet's cells call this ~1.8 M times at 3 M
    /// records, and building the text for each was ~10 % of the workbook thread's time.
    fileprivate static func check(_ error: lxw_error, _ what: @autoclosure () -> String) throws {
        guard error != LXW_NO_ERROR else { return }
        throw PWSError(.outputNotWritable, "cannot write pws.xlsx (\(what()))",
                       cause: String(cString: lxw_strerror(error)))
    }
}
