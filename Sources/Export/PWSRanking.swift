import PWSCore

/// The `rank` column of the PWS tables (§A6): villages within their puskesmas by the coverage
/// `gap_pct` is computed from (cumulative for lifetime/year scope, the month's for monthly
/// scope), best first.
///
/// Coverages are compared exactly as fractions (`n₁ · d₂` against `n₂ · d₁`, full width), never
/// as rounded percentages, so 2/3 ranks above 6667/10000 although both print as 66.67. Equal
/// coverages share the smallest rank (1, 2, 2, 4: "standard competition ranking"); a village
/// without a coverage (no denominator) has no rank and is counted after all ranked ones.
public enum PWSRanking {
    /// The coverage a village is ranked by: numerator and a positive denominator, or nil.
    public static func coverage(_ row: IndicatorRow) -> (numerator: Int, denominator: ExactDecimal)? {
        guard let d = row.denominator, d.isPositive else { return nil }
        return (row.numeratorCumulative ?? row.numeratorMonth, d)
    }

    /// The rank of each of `rows` (one puskesmas's villages, any order), parallel to `rows`.
    public static func ranks(_ rows: [IndicatorRow], direction: IndicatorDirection) -> [Int?] {
        ranks(rows.map(coverage), direction: direction)
    }

    /// The rank of each coverage (numerator, denominator > 0), parallel to `coverages`.
    public static func ranks(_ coverages: [(numerator: Int, denominator: ExactDecimal)?],
                             direction: IndicatorDirection) -> [Int?] {
        var result = [Int?](repeating: nil, count: coverages.count)
        let ranked = coverages.indices.compactMap { i in coverages[i].map { (i, $0) } }
        // Rank = 1 + the number of villages strictly better. O(n²) over one puskesmas's villages
        // (tens at most), which keeps the tie rule obvious.
        for (i, c) in ranked {
            var better = 0
            for (_, other) in ranked {
                let order = compare(other, c)
                if direction == .higherIsBetter ? order > 0 : order < 0 { better += 1 }
            }
            result[i] = better + 1
        }
        return result
    }

    /// Compares a/b with c/d exactly (b, d > 0): -1, 0 or 1. Past 128-bit products (not
    /// reachable with denominators up to 10⁹ and 4 decimals) the nearest binary values decide.
    static func compare(_ x: (numerator: Int, denominator: ExactDecimal),
                        _ y: (numerator: Int, denominator: ExactDecimal)) -> Int {
        if let order = ExactFraction.compare(x.numerator, x.denominator, y.numerator, y.denominator) { return order }
        let l = Double(x.numerator) / Double(x.denominator.description)!
        let r = Double(y.numerator) / Double(y.denominator.description)!
        return l < r ? -1 : (l > r ? 1 : 0)
    }
}
