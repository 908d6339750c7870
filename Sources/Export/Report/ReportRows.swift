import Aggregate
import PWSCore

/// The indicator rows a report reads: either rows as given (tests, small inputs), or the
/// positions (month, area, indicator) of rows of a run's `IndicatorValues`, each row computed
/// when it is read. A run's report reads ~1 row in 55 of `indicators.csv` (76 k rows at 3 M
/// records, ten times that at 30 M), which as `IndicatorRow`s take ~320 bytes each; as positions
/// they take 8 bytes a row. Reading a row twice computes it twice (the same bytes: `IndicatorValues` is
/// immutable).
public struct ReportRows: RandomAccessCollection, MutableCollection, Sendable {
    private enum Storage: Sendable {
        case rows([IndicatorRow])
        case values(IndicatorValues, [Position])
    }

    /// A row of `IndicatorValues`: month 1…12, area and indicator indices.
    private struct Position: Sendable {
        var area: UInt32
        var indicator: UInt16
        var month: UInt8
    }

    private var storage: Storage

    /// The rows as given.
    public init(_ rows: [IndicatorRow]) { storage = .rows(rows) }

    /// The rows of `values` whose (level, month) pass `include`, in `indicators.csv` order
    /// (the rows `values.rows(where:)` would give), kept as positions.
    public init(values: IndicatorValues, where include: (AreaLevel, _ month: Int) -> Bool) {
        var positions: [Position] = []
        values.forEach(include: include) { f in
            positions.append(Position(area: UInt32(f.area), indicator: UInt16(f.indicator), month: UInt8(f.month)))
        }
        storage = .values(values, positions)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .rows(let rows): rows.count
        case .values(_, let positions): positions.count
        }
    }

    public subscript(i: Int) -> IndicatorRow {
        get {
            switch storage {
            case .rows(let rows): return rows[i]
            case .values(let values, let positions):
                let p = positions[i]
                return values.row(values.figures(month: Int(p.month), area: Int(p.area), indicator: Int(p.indicator)))
            }
        }
        set {
            // Changing a row (tests do) keeps the rows themselves from then on.
            var rows: [IndicatorRow]
            switch storage {
            case .rows(let r): rows = r
            case .values: rows = Array(self)
            }
            storage = .rows([])
            rows[i] = newValue
            storage = .rows(rows)
        }
    }
}
