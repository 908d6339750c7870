@testable import Ingest
import Testing

/// Which `<mergeCell ref="…"/>` ranges are kept (`MergedCells`), and the reading pass's order.
@Suite struct MergedCellsTests {
    private func kept(_ refs: [String]) -> [String] {
        var merges = MergedCells()
        for ref in refs { Array(ref.utf8).withUnsafeBytes { merges.add(reference: $0) } }
        merges.sortForReading()
        return merges.ranges.map(\.reference)
    }

    @Test func rangesSpanningRowsAreKeptByTheirFirstColumn() {
        // A single cell, a range within one row, one reversed, malformed or past Excel's limits
        // add nothing; F6:G30 is kept as its first column.
        #expect(kept(["F6:G30", "A5:A6", "I5:T5", "B2", "C9:C3", "A:A", "D1:D1048577", "XFE1:XFE2", "E3:", ":E4", "E3:E4x",
                      "A1:XFD1048576"]) == ["A1:XFD1048576", "A5:A6", "F6:G30"])
    }

    @Test func aHostileNumberOfRangesIsCapped() {
        var merges = MergedCells()
        for k in 0..<(MergedCells.maxRanges + 3) {
            Array("A\(2 * k + 1):A\(2 * k + 2)".utf8).withUnsafeBytes { merges.add(reference: $0) }
        }
        #expect(merges.ranges.count == MergedCells.maxRanges)
        #expect(merges.note(label: "x.xlsx:S") == "x.xlsx:S: 3 merged range(s) spanning rows beyond the first 65536 are read as stored, their cells empty but the first")
    }

    @Test func rangesBeginInRowOrderAndEnd() {
        var merges = MergedCells()
        for ref in ["B4:B5", "A2:A3", "C2:C9"] { Array(ref.utf8).withUnsafeBytes { merges.add(reference: $0) } }
        merges.sortForReading()
        // Row 3: both ranges from row 2 begin (row 2 was absent: no value, not active).
        #expect(merges.begin(row: 3).map(\.reference) == ["A2:A3", "C2:C9"])
        merges.activate(MergedCells.Range(column: 2, top: 2, bottom: 9, lastColumn: 2), value: Array("x".utf8), issue: nil)
        #expect(merges.begin(row: 10).isEmpty)
        // B4:B5 ended before row 10 without beginning; C2:C9 ended too.
        #expect(merges.active.isEmpty)
    }

    /// Ranges overlapping in a column (no sheet Excel writes): the first begun is kept; the
    /// active ranges stay in column order.
    @Test func oneActiveRangePerColumnInColumnOrder() {
        var merges = MergedCells()
        merges.activate(MergedCells.Range(column: 5, top: 1, bottom: 9, lastColumn: 5), value: Array("f".utf8), issue: nil)
        merges.activate(MergedCells.Range(column: 1, top: 1, bottom: 3, lastColumn: 1), value: Array("b".utf8), issue: nil)
        merges.activate(MergedCells.Range(column: 5, top: 2, bottom: 20, lastColumn: 5), value: Array("g".utf8), issue: nil)
        merges.activate(MergedCells.Range(column: 3, top: 2, bottom: 4, lastColumn: 3), value: [], issue: nil)   // no value: nothing to fill
        #expect(merges.active.map { "\($0.range.reference) \(String(decoding: $0.value, as: UTF8.self))" } == ["B1:B3 b", "F1:F9 f"])
        _ = merges.begin(row: 4)
        #expect(merges.active.map(\.range.reference) == ["F1:F9"])
    }
}
