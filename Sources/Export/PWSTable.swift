import PWSCore

/// The rows of the classic PWS table of one indicator for one month, in table order: each
/// puskesmas's villages (ranked, `PWSRanking`), then its total; the kabupaten/kota total last.
/// `pws/<ID>.csv` and the indicator sheets of `pws.xlsx` both write these lines.
public enum PWSTable {
    public enum Kind: Sendable, Equatable { case village, puskesmasTotal, kabkotaTotal }

    public struct Line: Sendable {
        public var kind: Kind
        /// The puskesmas the line belongs to (nil for the kabupaten/kota total).
        public var puskesmas: IndicatorRow?
        public var row: IndicatorRow
        /// The village's rank within its puskesmas; nil for totals and villages without coverage.
        public var rank: Int?
    }

    /// The lines of `indicator` from one month's rows of all levels. `villagePuskesmas` maps a
    /// desa code to its puskesmas code.
    public static func lines(indicator: String, monthRows: [IndicatorRow], villagePuskesmas: [String: String],
                             direction: IndicatorDirection) -> [Line] {
        let rows = monthRows.filter { $0.indicator == indicator }
        let villages = rows.filter { $0.level == .desa }
        var lines: [Line] = []
        for pkm in rows where pkm.level == .puskesmas {
            let own = villages.filter { villagePuskesmas[$0.areaCode] == pkm.areaCode }
            for (v, rank) in zip(own, PWSRanking.ranks(own, direction: direction)) {
                lines.append(Line(kind: .village, puskesmas: pkm, row: v, rank: rank))
            }
            lines.append(Line(kind: .puskesmasTotal, puskesmas: pkm, row: pkm, rank: nil))
        }
        for kab in rows where kab.level == .kabkota {
            lines.append(Line(kind: .kabkotaTotal, puskesmas: nil, row: kab, rank: nil))
        }
        return lines
    }
}
