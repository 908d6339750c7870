import PWSCore

/// One WHO table in memory: L, M, S for both sexes in one flat array, indexed by sex and row.
///
/// Row `r` of sex `x` (1 = male, 2 = female) starts at `((x − 1)·rowsPerSex + r)·3`; a row is
/// the day of age minus the first day, or the length in tenths of a cm minus the first length.
public struct LMSTable: Sendable {
    /// Which table this is (its rows and its file).
    public let name: GrowthTableName
    /// The key of row 0: the first day, or the first length in tenths of a cm.
    @usableFromInline let firstKey: Int
    /// Rows per sex.
    @usableFromInline let rowsPerSex: Int
    /// `l, m, s` of every row, boys then girls.
    @usableFromInline let values: ContiguousArray<Double>

    /// A table from its values (boys' rows then girls', `l, m, s` each), as the parser builds it.
    init(name: GrowthTableName, values: ContiguousArray<Double>) {
        self.name = name
        switch name.axis {
        case .day(let first, let last), .lengthTenths(let first, let last):
            firstKey = first
            rowsPerSex = last - first + 1
        }
        precondition(values.count == 2 * rowsPerSex * 3, "a table is built by the parser only")
        self.values = values
    }

    @inlinable
    func row(_ row: Int, sex: Sex) -> LMS {
        let base = ((Int(sex.rawValue) - 1) * rowsPerSex + row) * 3
        return LMS(l: values[base], m: values[base + 1], s: values[base + 2])
    }

    /// L, M, S at an age in days, or nil outside the table (before day 0, or 91 for arm
    /// circumference; after day 1856).
    ///
    /// - Complexity: O(1), no allocation.
    @inlinable
    public func lms(ageDays: Int, sex: Sex) -> LMS? {
        let r = ageDays - firstKey
        guard r >= 0, r < rowsPerSex else { return nil }
        return row(r, sex: sex)
    }

    /// L, M, S at a length or height in cm, interpolated linearly between the two 0.1 cm grid
    /// points around it (§A4), or nil outside the table's range (45.0–110.0 cm for
    /// weight-for-length, 65.0–120.0 cm for weight-for-height) or for a non-finite length.
    ///
    /// - Complexity: O(1), no allocation.
    @inlinable
    public func lms(lengthCm: Double, sex: Sex) -> LMS? {
        let t = lengthCm * 10 - Double(firstKey)
        // The range is checked in tenths with a margin far below any measurement's precision,
        // so that 110.0 cm is in range even if 110.0 × 10 is not exactly 1100 in binary.
        guard t >= -1e-9, t <= Double(rowsPerSex - 1) + 1e-9 else { return nil }  // NaN fails too
        var lower = Int(t.rounded(.down))
        var fraction = t - Double(lower)
        if lower < 0 { lower = 0; fraction = 0 }
        if fraction < 1e-9 { fraction = 0 }
        if fraction > 1 - 1e-9 { lower += 1; fraction = 0 }
        if lower >= rowsPerSex - 1 { return row(rowsPerSex - 1, sex: sex) }
        let a = row(lower, sex: sex)
        if fraction == 0 { return a }
        let b = row(lower + 1, sex: sex)
        return LMS(l: a.l + (b.l - a.l) * fraction,
                   m: a.m + (b.m - a.m) * fraction,
                   s: a.s + (b.s - a.s) * fraction)
    }
}
