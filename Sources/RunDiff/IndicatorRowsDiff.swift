import Foundation
import CSV
import PWSCore

/// The `indicators.csv` columns `pws diff` reads; every other column follows from them.
struct IndicatorColumns {
    static let keyNames = ["year", "month", "level", "area_code", "indicator"]
    /// Compared, in this order.
    static let valueNames = ["numerator_month", "numerator_cumulative", "denominator", "status"]

    var key: [Int]
    var values: [Int]

    /// The positions of the columns in `header`.
    /// - Throws: `PWSError(.data)` naming the missing column.
    init(header: CSVRecord, path: String) throws {
        var position: [String: Int] = [:]
        for i in 0..<header.count {
            // A column named twice: which one is meant is not said (the last one was compared).
            guard position.updateValue(i, forKey: header.string(i)) == nil else {
                throw PWSError(.data, "\(path) names the column \(VisibleText.quoting(header.string(i), limit: 64)) twice; is it an indicators.csv pws wrote?")
            }
        }
        func find(_ name: String) throws -> Int {
            guard let p = position[name] else {
                throw PWSError(.data, "\(path) has no column \"\(name)\"; is it an indicators.csv pws wrote?")
            }
            return p
        }
        key = try IndicatorColumns.keyNames.map(find)
        values = try IndicatorColumns.valueNames.map(find)
    }
}

/// One indicator row reduced to what is compared.
struct IndicatorRowValues: Equatable {
    /// `YYYY-MM/level/area_code/indicator`.
    var key: String
    /// `YYYY-MM`, to count rows present in one run only per month.
    var month: String
    /// numerator_month, numerator_cumulative, denominator, status; the numbers with a decimal
    /// point whichever way they were written (`--excel` writes `12,5`), so a plain run and an
    /// `--excel` run of the same data differ in nothing.
    var values: [String]
}

/// Streams an `indicators.csv` with the project's CSV reader (any dialect pws writes,
/// `--excel` included).
enum IndicatorRowsFile {
    static func forEach(path: String, _ body: (IndicatorRowValues) throws -> Void) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PWSError(.inputMissing, "\(path) not found; name a folder pws run published")
        }
        // Said of a run folder here, not of a data folder as the reader would.
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            throw PWSError(.inputMissing, "\(path) is not a regular file (a folder, FIFO, socket or device); name a folder pws run published, copied whole")
        }
        let reader = try CSVReader(path: path, source: path)
        var columns: IndicatorColumns?
        var needed = 0
        try reader.read { event in
            switch event {
            case .malformed(let line, let message):
                throw PWSError(.data, "\(path):\(line): \(message)")
            case .record(let record):
                guard let c = columns else {
                    columns = try IndicatorColumns(header: record, path: path)
                    needed = ((columns?.key ?? []) + (columns?.values ?? [])).max() ?? 0
                    return
                }
                guard record.count > needed else {
                    throw PWSError(.data, "\(path):\(record.line): \(record.count) fields, fewer than the header's")
                }
                let year = record.string(c.key[0]), m = record.string(c.key[1])
                let month = year + "-" + (m.count == 1 ? "0" + m : m)
                let key = month + "/" + record.string(c.key[2]) + "/" + record.string(c.key[3]) + "/" + record.string(c.key[4])
                var values = c.values.map { record.string($0) }
                for k in values.indices where IndicatorColumns.valueNames[k] != "status" && values[k].contains(",") {
                    values[k] = values[k].replacingOccurrences(of: ",", with: ".")
                }
                try body(IndicatorRowValues(key: key, month: month, values: values))
            }
        }
        // pws writes the header whatever the rows: an empty file is a cut or failed copy, not a
        // run without rows.
        guard columns != nil else {
            throw PWSError(.data, "\(path) is empty (no header row); it is not an indicators.csv pws wrote — copy the run folder again from OUT")
        }
    }
}

extension RunDiff {
    /// A changed indicator row and the size of its largest numeric change.
    private struct Change {
        var key: String
        var rows: [Row]
        var size: Double
    }

    /// Compares the rows of two `indicators.csv` files by (year, month, level, area_code,
    /// indicator): the smaller file is held in a hash, the larger streamed past it.
    mutating func compareIndicators(_ beforePath: String, _ afterPath: String) throws {
        func size(_ path: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        }
        // The side held in memory; `heldIsBefore` says which it is.
        let heldIsBefore = size(beforePath) <= size(afterPath)
        // ~260 bytes a held row (measured: 504 k rows, 165 MB peak against 35 MB for a small
        // pair); reserved up front from the file size (~120 bytes a row) so the table is not
        // rehashed as it grows.
        var held: [String: [String]] = [:]
        held.reserveCapacity(min(size(heldIsBefore ? beforePath : afterPath) / 120, 1 << 26))
        try IndicatorRowsFile.forEach(path: heldIsBefore ? beforePath : afterPath) { row in
            held[row.key] = row.values
        }
        var onlyStreamed: [String: Int] = [:]
        var changes: [Change] = []
        try IndicatorRowsFile.forEach(path: heldIsBefore ? afterPath : beforePath) { row in
            guard let other = held.removeValue(forKey: row.key) else {
                onlyStreamed[row.month, default: 0] += 1
                return
            }
            summary.indicatorRowsCompared += 1
            guard other != row.values else { return }
            let (x, y) = heldIsBefore ? (other, row.values) : (row.values, other)
            var change = Change(key: row.key, rows: [], size: 0)
            for k in IndicatorColumns.valueNames.indices where x[k] != y[k] {
                let field = IndicatorColumns.valueNames[k]
                change.rows.append(Row(kind: "indicator", key: row.key, field: field, before: x[k], after: y[k]))
                switch field {
                case "status": summary.statusChanges += 1
                case "denominator": summary.denominatorChanges += 1
                default: summary.numeratorChanges += 1
                }
                if field != "status" {
                    change.size = max(change.size, abs(RunDiff.number(y[k]) - RunDiff.number(x[k])))
                }
            }
            changes.append(change)
        }
        summary.indicatorRowsChanged = changes.count
        changes.sort { $0.size != $1.size ? $0.size > $1.size : $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        for c in changes { rows += c.rows }

        var onlyHeld: [String: Int] = [:]
        for (key, _) in held { onlyHeld[String(key.prefix(7)), default: 0] += 1 }
        let (onlyBefore, onlyAfter) = heldIsBefore ? (onlyHeld, onlyStreamed) : (onlyStreamed, onlyHeld)
        summary.indicatorRowsOnlyBefore = onlyBefore.values.reduce(0, +)
        summary.indicatorRowsOnlyAfter = onlyAfter.values.reduce(0, +)
        for month in Set(onlyBefore.keys).union(onlyAfter.keys).sorted() {
            rows.append(Row(kind: "indicator_rows", key: month, field: "only_in_one_run",
                            before: "\(onlyBefore[month] ?? 0)", after: "\(onlyAfter[month] ?? 0)"))
        }
    }

    /// A numerator or denominator as a number (with a decimal point: `IndicatorRowValues`);
    /// empty is 0.
    static func number(_ text: String) -> Double {
        Double(text) ?? 0
    }
}
