import CSV
import PWSCore

/// `indicators.csv` (spec §7): long format, one row per (month, level, area, indicator), rows
/// given already in the spec's order.
public enum IndicatorsCSV {
    public static let header = ["year", "month", "level", "area_code", "area_name", "parent_code", "indicator",
                                "scope", "numerator_month", "numerator_cumulative", "denominator",
                                "denominator_source", "coverage_month_pct", "coverage_cumulative_pct",
                                "coverage_prev_month_pct", "target_annual_pct", "target_pct", "gap_pct", "trend",
                                "status"]

    /// Writes materialised rows (tests, small runs); a run writes with
    /// `IndicatorsCSVParallelWriter`. Returns the row count.
    @discardableResult
    public static func write(_ rows: [IndicatorRow], to path: String, format: OutputFormat) throws -> Int {
        let writer = try IndicatorsCSVWriter(path: path, format: format)
        for r in rows { try writer.write(r) }
        try writer.close()
        return writer.rows
    }
}

/// Writes `indicators.csv` one row at a time on the calling thread, straight into bytes
/// (`IndicatorRowFormatter`): the reference for `IndicatorsCSVParallelWriter`, and the writer of
/// materialised rows.
///
/// Not thread-safe: one writer belongs to one task.
///
/// - Complexity: O(bytes written) per row; no allocation per row.
public final class IndicatorsCSVWriter {
    public let path: String
    public let format: OutputFormat
    /// Data rows written (header excluded).
    public private(set) var rows = 0
    /// SHA-256 of the bytes as they are written (indicators.csv is the largest output: hashing
    /// it on the way out saves reading it back for run.json).
    private let hasher = RunningDigest()
    private let csv: CSVWriter
    private let formatter: IndicatorRowFormatter

    /// Opens `path` and writes the header. `areas` and `indicators` are what `write(_:)`'s
    /// figures index into; `year` is the `year` column.
    public init(path: String, format: OutputFormat, year: Int = 0, areas: [OutputArea] = [],
                indicators: [IndicatorInfo] = []) throws {
        self.path = path
        self.format = format
        formatter = IndicatorRowFormatter(cells: IndicatorCells(areas: areas, indicators: indicators), year: year,
                                          format: format)
        let hasher = hasher
        csv = try CSVWriter(path: path, options: format.writeOptions, onWrite: { hasher.update($0) })
        try csv.writeRow(IndicatorsCSV.header)
    }

    /// Writes the row of `figures` (its area and indicator index the lists given at `init`).
    public func write(_ f: IndicatorFigures) throws {
        try formatter.write(f, to: csv)
        rows += 1
    }

    /// Writes a materialised row, making its text cells safe one by one (the slow path).
    public func write(_ r: IndicatorRow) throws {
        try formatter.write(r, to: csv)
        rows += 1
    }

    /// Writes `rows` rows already encoded in this file's dialect (no BOM, no header): a block of
    /// `IndicatorsCSVParallelWriter`.
    func write(encoded bytes: [UInt8], rows added: Int) throws {
        try csv.writeRows(encoded: bytes, count: added)
        rows += added
    }

    /// Flushes and closes the file.
    public func close() throws { try csv.close() }

    /// The file's SHA-256 (lower-case hex) and size, as `FileDigest.sha256(path:)` would read
    /// them; valid after `close()`.
    public var digest: (hex: String, bytes: Int) { hasher.result }
}

/// The text cells of a run's areas and indicators, made safe (`CellText`) and encoded once,
/// back to back: per area its code, name and parent code; per indicator its id and scope; then
/// the levels, trends, statuses and sources. Cell `k` is `texts[starts[k] ..< starts[k + 1]]`.
///
/// Immutable after `init` and read through plain pointers (no exclusivity checks or reference
/// counting per row), so the threads of `IndicatorsCSVParallelWriter` share one.
final class IndicatorCells: @unchecked Sendable {
    // @unchecked: it holds raw pointers (not Sendable), written only in `init` and freed in
    // `deinit`; every thread only reads them.
    let areaCount: Int
    let indicatorCount: Int
    let texts: UnsafeMutablePointer<UInt8>
    let starts: UnsafeMutablePointer<Int>
    /// Per area, the index of its level in `AreaLevel.allCases`.
    let levels: UnsafeMutablePointer<UInt8>
    let indicatorCell: Int, levelCell: Int, trendCell: Int, statusCell: Int, sourceCell: Int
    /// The longest text an area's and an indicator's cells add to a row.
    let longestArea: Int, longestIndicator: Int

    /// The cell of a row's denominator source: one of the six fixed texts, or the id of the
    /// indicator it is derived from.
    @inline(__always) func denominatorSourceCell(_ source: DenominatorSource) -> Int {
        switch source {
        case .none: return sourceCell
        case .sasaran: return sourceCell + 1
        case .sum: return sourceCell + 2
        case .estimate: return sourceCell + 3
        case .measured: return sourceCell + 4
        case .villages: return sourceCell + 5
        case .indicator(let b):
            precondition(b >= 0 && b < indicatorCount, "figures of another run")
            return indicatorCell + 2 * b
        }
    }

    init(areas: [OutputArea], indicators: [IndicatorInfo]) {
        areaCount = areas.count
        indicatorCount = indicators.count
        var bytes: [UInt8] = []
        var offsets = [0]
        func add(_ text: String) {
            bytes.append(contentsOf: CellText.safe(text).utf8)
            offsets.append(bytes.count)
        }
        var longest = 0
        for a in areas {
            let before = bytes.count
            add(a.code)
            add(a.name)
            add(a.parentCode)
            longest = max(longest, bytes.count - before)
        }
        longestArea = longest
        indicatorCell = offsets.count - 1
        longest = 0
        for i in indicators {
            let before = bytes.count
            add(i.id)
            add(i.scope)
            longest = max(longest, bytes.count - before)
        }
        longestIndicator = longest
        levelCell = offsets.count - 1
        for level in AreaLevel.allCases { add(level.rawValue) }
        trendCell = offsets.count - 1
        for t in [IndicatorTrend.none, .naik, .tetap, .turun] { add(t.text) }
        statusCell = offsets.count - 1
        for s in [IndicatorStatus.none, .baik, .kurang, .cukup, .jelek] { add(s.text) }
        sourceCell = offsets.count - 1
        for s in [DenominatorSource.none, .sasaran, .sum, .estimate, .measured, .villages] { add(s.text(indicators: [])) }

        texts = .allocate(capacity: max(bytes.count, 1))
        texts.initialize(from: bytes, count: bytes.count)
        starts = .allocate(capacity: offsets.count)
        starts.initialize(from: offsets, count: offsets.count)
        levels = .allocate(capacity: max(areas.count, 1))
        let order = Dictionary(uniqueKeysWithValues: AreaLevel.allCases.enumerated().map { ($1, UInt8($0)) })
        for (k, a) in areas.enumerated() { levels[k] = order[a.level]! }
    }

    deinit {
        texts.deallocate()
        starts.deallocate()
        levels.deallocate()
    }
}

/// Formats rows of `indicators.csv` into a `CSVWriter`: numbers and percentages straight into
/// a reused row buffer, text cells copied from the shared `IndicatorCells`, and the row through
/// libcsv's quoting rules with `CSVWriter.writeRow(packed:ends:)`. No `String` is made per row.
///
/// Not thread-safe (the row buffer is its own): one formatter per thread, any number of them
/// sharing one `IndicatorCells`.
///
/// - Complexity: O(bytes written) per row; no allocation per row.
final class IndicatorRowFormatter {
    let cells: IndicatorCells
    private let year: Int
    private let decimalMark: UInt8
    /// The row being built.
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private let ends: UnsafeMutablePointer<Int>

    /// Bytes a row needs besides its area and indicator texts: 4 integers of ≤ 20 bytes, the
    /// denominator of ≤ 44, 6 percentages of ≤ 24, level, source, trend and status words.
    private static let numbersRoom = 4 * 20 + 44 + 6 * 24 + 64

    /// `year` is the `year` column of every figures row; `format` gives the decimal mark (the
    /// `CSVWriter` written to gives the delimiter and line ending).
    init(cells: IndicatorCells, year: Int, format: OutputFormat) {
        self.cells = cells
        self.year = year
        decimalMark = format.decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        // A source naming an indicator is that indicator's id: no longer than `longestIndicator`.
        capacity = Self.numbersRoom + cells.longestArea + 2 * cells.longestIndicator
        buffer = .allocate(capacity: capacity)
        ends = .allocate(capacity: IndicatorsCSV.header.count)
    }

    deinit {
        buffer.deallocate()
        ends.deallocate()
    }

    /// Writes the row of `figures` (its area and indicator index the lists `cells` was made of).
    func write(_ f: IndicatorFigures, to csv: CSVWriter) throws {
        let c = cells
        precondition(f.area >= 0 && f.area < c.areaCount && f.indicator >= 0 && f.indicator < c.indicatorCount,
                     "figures of another run")
        var row = PackedRow(buffer: buffer, ends: ends, decimalMark: decimalMark)
        let texts = UnsafePointer(c.texts), starts = UnsafePointer(c.starts)
        @inline(__always) func cell(_ k: Int) { row.cell(k, texts: texts, starts: starts) }
        let area = 3 * f.area, indicator = c.indicatorCell + 2 * f.indicator
        row.integer(year)
        row.integer(f.month)
        cell(c.levelCell + Int(c.levels[f.area]))
        cell(area)
        cell(area + 1)
        cell(area + 2)
        cell(indicator)
        cell(indicator + 1)
        row.integer(f.numeratorMonth)
        row.integer(f.numeratorCumulative)
        row.decimal(f.denominator)
        cell(c.denominatorSourceCell(f.denominatorSource))
        row.percent(f.coverageMonthPct)
        row.percent(f.coverageCumulativePct)
        row.percent(f.coveragePrevMonthPct)
        row.percent(f.targetAnnualPct)
        row.percent(f.targetPct)
        row.percent(f.gapPct)
        cell(c.trendCell + Int(f.trend.rawValue))
        cell(c.statusCell + Int(f.status.rawValue))
        try finish(row, to: csv)
    }

    /// Writes a materialised row, making its text cells safe one by one (the slow path).
    func write(_ r: IndicatorRow, to csv: CSVWriter) throws {
        let cells = [r.level.rawValue, r.areaCode, r.areaName, r.parentCode, r.indicator, r.scope,
                     r.denominatorSource, r.trend, r.status].map { Array(CellText.safe($0).utf8) }
        let room = Self.numbersRoom + cells.reduce(0) { $0 + $1.count }
        if room > capacity {
            buffer.deallocate()
            capacity = room
            buffer = .allocate(capacity: capacity)
        }
        var row = PackedRow(buffer: buffer, ends: ends, decimalMark: decimalMark)
        func text(_ k: Int) { cells[k].withUnsafeBufferPointer { row.text($0.baseAddress!, count: $0.count) } }
        row.integer(r.year)
        row.integer(r.month)
        for k in 0..<6 { text(k) }
        row.integer(r.numeratorMonth)
        row.integer(r.numeratorCumulative)
        row.decimal(r.denominator)
        text(6)
        row.percent(r.coverageMonthPct)
        row.percent(r.coverageCumulativePct)
        row.percent(r.coveragePrevMonthPct)
        row.percent(r.targetAnnualPct)
        row.percent(r.targetPct)
        row.percent(r.gapPct)
        text(7)
        text(8)
        try finish(row, to: csv)
    }

    private func finish(_ row: PackedRow, to csv: CSVWriter) throws {
        try csv.writeRow(packed: UnsafeRawBufferPointer(start: buffer, count: row.count),
                         ends: UnsafeBufferPointer(start: ends, count: row.fields))
    }
}

/// A row being packed into a caller-owned buffer (fields back to back, `ends[i]` the end of
/// field `i`), the input of `CSVWriter.writeRow(packed:ends:)`. The caller makes the buffer
/// big enough for the row.
struct PackedRow {
    let buffer: UnsafeMutablePointer<UInt8>
    let ends: UnsafeMutablePointer<Int>
    let decimalMark: UInt8
    var count = 0
    var fields = 0

    init(buffer: UnsafeMutablePointer<UInt8>, ends: UnsafeMutablePointer<Int>, decimalMark: UInt8) {
        self.buffer = buffer
        self.ends = ends
        self.decimalMark = decimalMark
    }

    @inline(__always)
    mutating func endField() {
        ends[fields] = count
        fields += 1
    }

    /// A text cell, already made safe.
    @inline(__always)
    mutating func text(_ bytes: UnsafePointer<UInt8>, count n: Int) {
        if n > 0 { (buffer + count).update(from: bytes, count: n) }
        count += n
        endField()
    }

    /// Text cell `k` of a table of cells back to back (`texts[starts[k] ..< starts[k + 1]]`).
    @inline(__always)
    mutating func cell(_ k: Int, texts: UnsafePointer<UInt8>, starts: UnsafePointer<Int>) {
        text(texts + starts[k], count: starts[k + 1] - starts[k])
    }

    /// A whole number, or an empty cell for nil.
    @inline(__always)
    mutating func integer(_ value: Int?) {
        if let value { count += NumberText.write(value, to: buffer + count) }
        endField()
    }

    /// A denominator as spec §A1 prints it (at most 2 decimals, trimmed; `96`, `101.2`), or
    /// an empty cell for nil.
    @inline(__always)
    mutating func decimal(_ value: ExactDecimal?) {
        if let value { count += NumberText.write(value, decimalMark: decimalMark, to: buffer + count) }
        endField()
    }

    /// A percentage with two decimals and the decimal mark, or an empty cell for nil.
    @inline(__always)
    mutating func percent(_ value: Percent?) {
        if let value { count += NumberText.write(value, decimalMark: decimalMark, to: buffer + count) }
        endField()
    }
}

/// Numbers written as ASCII straight into a byte buffer, as `String(n)` and `Percent.text`
/// would spell them.
public enum NumberText {
    /// Writes `value` in decimal (`-` for negatives) at `out`; returns the bytes written (≤ 20).
    @inline(__always)
    public static func write(_ value: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        var magnitude = value.magnitude
        if value < 0 {
            out[0] = UInt8(ascii: "-")
            n = 1
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes of scratch, reversed digits
        return withUnsafeMutableBytes(of: &digits) { scratch in
            var k = 0
            repeat {
                scratch[k] = UInt8(truncatingIfNeeded: magnitude % 10) &+ UInt8(ascii: "0")
                magnitude /= 10
                k += 1
            } while magnitude > 0
            for j in 0..<k { out[n + j] = scratch[k - 1 - j] }
            return n + k
        }
    }

    /// Writes a denominator as `ExactDecimal.outputText` spells it — rounded half away from
    /// zero to at most 2 decimals, trailing zeros and mark dropped (`96`, `101.2`, `1018.55`) —
    /// with `decimalMark`; returns the bytes written (≤ 44). A whole number is written as
    /// `write(_: Int)` writes it, so integer-only runs keep their bytes.
    public static func write(_ value: ExactDecimal, decimalMark: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
        if let n = value.integerValue { return write(n, to: out) }
        let r = value.rounded(places: 2)
        if let n = r.integerValue { return write(n, to: out) }
        var n = 0
        if r.units < 0 {
            out[0] = UInt8(ascii: "-")
            n = 1
        }
        var magnitude = r.units.magnitude
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)  // 48 bytes, reversed
        return withUnsafeMutableBytes(of: &digits) { scratch in
            var k = 0
            // At least scale + 1 digits, so 0.05 gets its leading 0.
            repeat {
                scratch[k] = UInt8(truncatingIfNeeded: magnitude % 10) &+ UInt8(ascii: "0")
                magnitude /= 10
                k += 1
            } while magnitude > 0 || k <= r.scale
            for j in 0..<k {
                if j == k - r.scale {
                    out[n] = decimalMark
                    n += 1
                }
                out[n] = scratch[k - 1 - j]
                n += 1
            }
            return n
        }
    }

    /// Writes a percentage as `Percent.text` spells it (`12.35`, `-0.05`, `100.00`) with
    /// `decimalMark` for the point; returns the bytes written (≤ 24).
    @inline(__always)
    public static func write(_ value: Percent, decimalMark: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        let magnitude = value.hundredths.magnitude
        if value.hundredths < 0 {
            out[0] = UInt8(ascii: "-")
            n = 1
        }
        n += write(Int(magnitude / 100), to: out + n)
        let frac = magnitude % 100
        out[n] = decimalMark
        out[n + 1] = UInt8(truncatingIfNeeded: frac / 10) &+ UInt8(ascii: "0")
        out[n + 2] = UInt8(truncatingIfNeeded: frac % 10) &+ UInt8(ascii: "0")
        return n + 3
    }
}
