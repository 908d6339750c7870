@testable import Aggregate
import PWSCore
import Testing

/// The compact year denominators of `IndicatorValues`: every value and source reads back as
/// stored, whether kept in 9 bytes (whole, 64-bit) or aside (decimal, larger).
@Suite struct YearDenominatorsTests {
    @Test func valuesAndSourcesReadBackAsStored() {
        var y = YearDenominators(count: 8)
        let half = ExactDecimal(units: 125, scale: 1)!            // 12.5
        let huge = ExactDecimal(units: Int128(1) << 70, scale: 0)!  // past Int64
        y[0] = (ExactDecimal(0), .sasaran)
        y[1] = (ExactDecimal(1234), .sum)
        y[2] = (half, .estimate)
        y[3] = (huge, .villages)
        y[4] = (ExactDecimal(Int(Int64.max)), .measured)
        y[5] = (ExactDecimal(7), .indicator(3))
        y[6] = (ExactDecimal(-2), .none)
        for k in 0..<7 { #expect(y[k] != nil, "\(k)") }
        #expect(y[7] == nil)
        #expect(y[0]!.0 == ExactDecimal(0) && y[0]!.1 == .sasaran)
        #expect(y[1]!.0 == ExactDecimal(1234) && y[1]!.1 == .sum)
        #expect(y[2]!.0 == half && y[2]!.0.scale == 1 && y[2]!.1 == .estimate)
        #expect(y[3]!.0 == huge && y[3]!.1 == .villages)
        #expect(y[4]!.0 == ExactDecimal(Int(Int64.max)) && y[4]!.1 == .measured)
        #expect(y[5]!.0 == ExactDecimal(7) && y[5]!.1 == .indicator(3))
        #expect(y[6]!.0 == ExactDecimal(-2) && y[6]!.1 == DenominatorSource.none)
    }

    /// Overwriting a value kept aside with a whole one (and a source with an index with a plain
    /// one), or with nil, leaves nothing of the old one.
    @Test func overwritingReplacesTheWholeCell() {
        var y = YearDenominators(count: 2)
        y[0] = (ExactDecimal(units: 5, scale: 1)!, .indicator(1))
        y[0] = (ExactDecimal(9), .sasaran)
        #expect(y[0]!.0 == ExactDecimal(9) && y[0]!.0.scale == 0 && y[0]!.1 == .sasaran)
        y[1] = (ExactDecimal(units: 5, scale: 1)!, .estimate)
        y[1] = nil
        #expect(y[1] == nil)
        y[1] = (ExactDecimal(3), .sum)
        #expect(y[1]!.0 == ExactDecimal(3) && y[1]!.1 == .sum)
    }
}
