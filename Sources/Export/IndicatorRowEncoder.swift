import CSV
import PWSCore

/// Encodes whole rows of `indicators.csv` straight into bytes of the file's dialect, without
/// going through `CSVWriter` per row: the fast path of `IndicatorsCSVParallelWriter`.
///
/// Every text cell of a run (`IndicatorCells`: area codes, names and parents, indicator ids and
/// scopes, levels, sources, trends, statuses) is encoded once, at `init`, by libcsv's quoting
/// through an in-memory `CSVWriter` (quoted when it holds the delimiter, the quote, CR or LF).
/// Numbers are written by `NumberText` and never need quoting in a dialect whose delimiter and
/// quote are none of their bytes (digits, `-`, the decimal mark); `init` returns nil for a
/// dialect where they would (a decimal comma with `,` as delimiter), and the caller keeps the
/// general path (`IndicatorRowFormatter` through `CSVWriter.writeRow(packed:ends:)`). The bytes
/// are those of the general path: `IndicatorsCSVParallelTests` and `IndicatorRowEncoderTests`
/// compare them.
///
/// Immutable after `init` and read through plain pointers, so any number of threads share one.
final class IndicatorRowEncoder: @unchecked Sendable {
    // @unchecked: raw pointers written only in `init`, freed in `deinit`; threads only read.
    let cells: IndicatorCells
    private let year: Int
    private let decimalMark: UInt8
    private let delimiter: UInt8
    private let lineEnding: (count: Int, first: UInt8, second: UInt8)
    /// The encoded cells back to back: cell `k` is `texts[starts[k] ..< starts[k + 1]]`, with
    /// the same numbering as `cells`.
    private let texts: UnsafeMutablePointer<UInt8>
    private let starts: UnsafeMutablePointer<Int>
    /// The most bytes one row can take (numbers at their longest, the longest encoded texts).
    let longestRow: Int

    /// `year` is the `year` column; `format` gives the dialect. Nil when a number could need
    /// quoting in that dialect, or its line ending is longer than 2 bytes.
    init?(cells: IndicatorCells, year: Int, format: OutputFormat) {
        var options = format.writeOptions
        let mark = format.decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        let numberBytes = Array("0123456789-".utf8) + [mark]
        let special: Set<UInt8> = [options.delimiter, options.quote, 0x0A, 0x0D]
        guard numberBytes.allSatisfy({ !special.contains($0) }),
              (1...2).contains(options.lineEnding.count) else { return nil }
        self.cells = cells
        self.year = year
        decimalMark = mark
        delimiter = options.delimiter
        let ending = options.lineEnding
        lineEnding = (ending.count, ending[0], ending.count > 1 ? ending[1] : 0)

        // Each cell through libcsv's quoting: a one-field row without line ending (an empty
        // cell stays empty; a row would write it `""`).
        options.bom = false
        options.lineEnding = []
        let writer = CSVWriter(options: options)
        let cellCount = cells.sourceCell + 6
        var bytes: [UInt8] = []
        var offsets = [0]
        offsets.reserveCapacity(cellCount + 1)
        var longestCell = [Int](repeating: 0, count: cellCount)
        for k in 0..<cellCount {
            let start = cells.starts[k], end = cells.starts[k + 1]
            if end > start {
                try? writer.writeRow(bytes: [Array(UnsafeBufferPointer(start: cells.texts + start, count: end - start))])
                bytes += writer.take()
            }
            offsets.append(bytes.count)
            longestCell[k] = offsets[k + 1] - offsets[k]
        }
        func longest(_ range: Range<Int>) -> Int { range.map { longestCell[$0] }.max() ?? 0 }
        var area = 0
        for a in 0..<cells.areaCount { area = max(area, longestCell[3 * a] + longestCell[3 * a + 1] + longestCell[3 * a + 2]) }
        var indicator = 0
        for i in 0..<cells.indicatorCount {
            let k = cells.indicatorCell + 2 * i
            indicator = max(indicator, longestCell[k] + longestCell[k + 1])
        }
        // Level, source (a word, or an indicator id), trend, status; 20 fields, 19 delimiters.
        let words = longest(cells.levelCell..<cellCount)
        longestRow = 4 * 20 + 44 + 6 * 24 + area + 2 * indicator + 4 * words + 19 + 2

        texts = .allocate(capacity: max(bytes.count, 1))
        texts.initialize(from: bytes, count: bytes.count)
        starts = .allocate(capacity: offsets.count)
        starts.initialize(from: offsets, count: offsets.count)
    }

    deinit {
        texts.deallocate()
        starts.deallocate()
    }

    /// Writes the row of `f` (its area and indicator index the lists `cells` was made of), with
    /// its line ending, at `out`, which has room for `longestRow` bytes; returns the bytes written.
    func encode(_ f: IndicatorFigures, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let c = cells
        precondition(f.area >= 0 && f.area < c.areaCount && f.indicator >= 0 && f.indicator < c.indicatorCount,
                     "figures of another run")
        let texts = UnsafePointer(texts), starts = UnsafePointer(starts)
        let delimiter = delimiter, mark = decimalMark
        var n = 0
        @inline(__always) func cell(_ k: Int) {
            let s = starts[k], length = starts[k + 1] - s
            if length > 0 { (out + n).update(from: texts + s, count: length) }
            n += length
            out[n] = delimiter
            n += 1
        }
        @inline(__always) func integer(_ v: Int?) {
            if let v { n += NumberText.write(v, to: out + n) }
            out[n] = delimiter
            n += 1
        }
        @inline(__always) func percent(_ p: Percent?) {
            if let p { n += NumberText.write(p, decimalMark: mark, to: out + n) }
            out[n] = delimiter
            n += 1
        }
        let area = 3 * f.area, indicator = c.indicatorCell + 2 * f.indicator
        integer(year)
        integer(f.month)
        cell(c.levelCell + Int(c.levels[f.area]))
        cell(area)
        cell(area + 1)
        cell(area + 2)
        cell(indicator)
        cell(indicator + 1)
        integer(f.numeratorMonth)
        integer(f.numeratorCumulative)
        if let d = f.denominator { n += NumberText.write(d, decimalMark: mark, to: out + n) }
        out[n] = delimiter
        n += 1
        cell(c.denominatorSourceCell(f.denominatorSource))
        percent(f.coverageMonthPct)
        percent(f.coverageCumulativePct)
        percent(f.coveragePrevMonthPct)
        percent(f.targetAnnualPct)
        percent(f.targetPct)
        percent(f.gapPct)
        cell(c.trendCell + Int(f.trend.rawValue))
        cell(c.statusCell + Int(f.status.rawValue))
        // The last cell's delimiter becomes the line ending.
        n -= 1
        out[n] = lineEnding.first
        if lineEnding.count == 2 { out[n + 1] = lineEnding.second }
        return n + lineEnding.count
    }
}

/// A growable byte buffer a worker encodes a block into and reuses for the next.
struct EncodedBlockBuffer: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 4096)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `bytes` more bytes; returns where they go.
    mutating func reserve(_ bytes: Int) -> UnsafeMutablePointer<UInt8> {
        if count + bytes > capacity {
            let grown = max(2 * capacity, count + bytes)
            let next = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            next.update(from: base, count: count)
            base.deallocate()
            base = next
            capacity = grown
        }
        return base + count
    }

    /// The bytes held, copied out; the buffer is emptied and keeps its storage.
    mutating func take() -> [UInt8] {
        let bytes = [UInt8](UnsafeBufferPointer(start: base, count: count))
        count = 0
        return bytes
    }
}
