/// A sheet's merged cells that span rows (`<mergeCell ref="F6:F30"/>`): a kader merges the
/// village code or the RW down the rows of the children it holds for. The file keeps the text in
/// the range's first cell only, and the ranges after the rows, so the sheet is read twice: once
/// for the ranges (`SheetSAXParser` with `mergesOnly`), then for the rows, where each row of a
/// range that has values of its own reads the range's first column as the first cell's value
/// (`SheetRows.fillMergedCells`). Ranges within one row (a title over the table, `HASIL
/// PENIMBANGAN` over the months) are read as stored: their text in their first cell.
struct MergedCells {
    struct Range: Equatable {
        var column: Int
        var top: Int
        var bottom: Int
        /// The range's last column, for its name (only its first is filled).
        var lastColumn: Int

        var reference: String {
            CellIssue.columnName(column) + String(top) + ":" + CellIssue.columnName(lastColumn) + String(bottom)
        }
    }

    /// At most this many ranges spanning rows are kept per sheet (a hostile sheet may hold
    /// millions); the others are read as stored, and the notes say how many.
    static let maxRanges = 1 << 16

    private(set) var ranges: [Range] = []
    private(set) var ignored = 0
    var isEmpty: Bool { ranges.isEmpty }

    /// Adds the range a `ref` attribute names (`F6:G30`: its first column, rows 6–30) when it
    /// spans rows; a single cell or a range within one row adds nothing.
    mutating func add(reference ref: UnsafeRawBufferPointer) {
        guard let colon = ref.firstIndex(of: UInt8(ascii: ":")),
              let first = SheetRows.parseReference(UnsafeRawBufferPointer(rebasing: ref[..<colon])),
              let last = SheetRows.parseReference(UnsafeRawBufferPointer(rebasing: ref[(colon + 1)...])),
              first.row >= 1, last.row > first.row, last.column >= first.column else { return }
        guard ranges.count < Self.maxRanges else {
            ignored += 1
            return
        }
        ranges.append(Range(column: first.column, top: first.row, bottom: last.row, lastColumn: last.column))
    }

    /// Ranges in the order of their first rows, for the reading pass.
    mutating func sortForReading() {
        ranges.sort { ($0.top, $0.column) < ($1.top, $1.column) }
    }

    // The reading pass: ranges begun, with their first cell's text and problem.
    struct Active {
        var range: Range
        var value: [UInt8]
        var issue: CellIssue.Kind?
        var filledAny = false
    }
    private var next = 0
    /// The ranges begun and not ended, by column, at most one per column (ranges that overlap
    /// are not a sheet Excel writes: the first is kept).
    private(set) var active: [Active] = []
    /// The first row after the end of an active range: none ends before it.
    private var nextEnd = Int.max
    /// Cells filled, and the ranges that filled them (the first few, for the note).
    private(set) var filled = 0
    private var rangesFilled = 0
    private var shown: [Range] = []

    /// Ranges that ended before `row` are dropped; returns those beginning at or before it,
    /// not begun yet (a range whose first row is absent from the file has no value).
    mutating func begin(row: Int) -> [Range] {
        if row >= nextEnd {
            active.removeAll { $0.range.bottom < row }
            nextEnd = active.lazy.map { $0.range.bottom + 1 }.min() ?? Int.max
        }
        var begun: [Range] = []
        while next < ranges.count && ranges[next].top <= row {
            if ranges[next].bottom >= row { begun.append(ranges[next]) }
            next += 1
        }
        return begun
    }

    mutating func activate(_ range: Range, value: [UInt8], issue: CellIssue.Kind?) {
        guard !value.isEmpty || issue != nil else { return }
        // The place in column order (binary search: a hostile sheet begins thousands at once).
        var at = 0, end = active.count
        while at < end {
            let mid = (at + end) / 2
            if active[mid].range.column >= range.column { end = mid } else { at = mid + 1 }
        }
        if at < active.count && active[at].range.column == range.column { return }
        active.insert(Active(range: range, value: value, issue: issue), at: at)
        nextEnd = Swift.min(nextEnd, range.bottom + 1)
    }

    /// Counts a cell filled by `active[index]`.
    mutating func count(_ index: Int) {
        filled += 1
        guard !active[index].filledAny else { return }
        active[index].filledAny = true
        rangesFilled += 1
        if shown.count < 5 { shown.append(active[index].range) }
    }

    /// What run.json's notes say of the sheet `label`, or nil when nothing was filled or left out.
    func note(label: String) -> String? {
        var parts: [String] = []
        if filled > 0 {
            parts.append("\(filled) cell(s) under merged cells spanning rows (\(shown.map(\.reference).joined(separator: ", "))\(rangesFilled > shown.count ? " …" : "")) are read as the merged cell's value, which the file keeps in its first cell")
        }
        if ignored > 0 {
            parts.append("\(ignored) merged range(s) spanning rows beyond the first \(Self.maxRanges) are read as stored, their cells empty but the first")
        }
        return parts.isEmpty ? nil : "\(label): " + parts.joined(separator: "; ")
    }
}

