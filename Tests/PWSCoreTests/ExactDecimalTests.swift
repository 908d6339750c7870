import PWSCore
import Testing

/// Exact decimals for denominators (spec §A1): reading, arithmetic, rounding and printing.
@Suite struct ExactDecimalTests {
    static func d(_ text: String) -> ExactDecimal { ExactDecimal(text)! }

    @Test(arguments: [("16.0", 16, 0), ("16", 16, 0), ("0.08", 8, 2), ("1e-05", 1, 5), ("1.5E+2", 150, 0),
                      ("-0.5", -5, 1), ("+3", 3, 0), (".5", 5, 1), ("7.", 7, 0), ("0.0176", 176, 4),
                      ("101.2000", 1012, 1)])
    func readsDecimalTextNormalised(text: String, units: Int, scale: Int) {
        let v = ExactDecimal(text)
        #expect(v?.units == Int128(units))
        #expect(v?.scale == scale)
    }

    @Test(arguments: ["", "-", ".", "1.2.3", "abc", "1e", "1e+", "inf", "nan", "1,5", " 1",
                      "1e99999", "1e-40", "9999999999999999999999999999999999999999"])
    func refusesWhatItCannotHoldExactly(text: String) {
        #expect(ExactDecimal(text) == nil)
    }

    /// Equal values are equal whatever their written scale: 7.50 = 7.5, 2.0 = 2.
    @Test func equalValuesAreEqual() {
        #expect(Self.d("7.50") == Self.d("7.5"))
        #expect(Self.d("2.0") == ExactDecimal(2))
        #expect(Self.d("2.0").integerValue == 2)
        #expect(Self.d("2.5").integerValue == nil)
    }

    /// 3.25 + 4.5 = 7.75; 0.1 + 0.2 = 0.3 exactly; 0.0176 × 400 = 7.04; 1.1 × 0.016 = 0.0176.
    @Test func sumsAndProductsAreExact() {
        #expect(Self.d("3.25").adding(Self.d("4.5")) == Self.d("7.75"))
        #expect(Self.d("0.1").adding(Self.d("0.2")) == Self.d("0.3"))
        #expect(Self.d("0.0176").multiplied(by: 400) == Self.d("7.04"))
        #expect(Self.d("1.1").multiplied(by: Self.d("0.016")) == Self.d("0.0176"))
    }

    /// Overflow is nil, never a trap: Int128.max + 1; 10¹⁹ × 10¹⁹ = 10³⁸ > Int128.max (1.7 × 10³⁸
    /// holds it, so 10²⁰ × 10¹⁹); a product needing more than 30 places.
    @Test func overflowIsNil() {
        let max = ExactDecimal(units: Int128.max, scale: 0)!
        #expect(max.adding(1) == nil)
        let e19 = ExactDecimal(units: 10_000_000_000_000_000_000, scale: 0)!
        #expect(e19.multiplied(by: e19) != nil)
        #expect(e19.multiplied(by: 10).flatMap { $0.multiplied(by: e19) } == nil)
        #expect(Self.d("0.0000000000000001").multiplied(by: Self.d("0.0000000000000001")) == nil)  // 32 places
        #expect(Self.d("0.1").adding(max) == nil)   // aligning max to 1 place overflows
    }

    /// Half away from zero at 2 places: 2.345 → 2.35, 2.344 → 2.34, 1018.495 → 1018.5,
    /// 0.005 → 0.01, 0.004 → 0, -2.345 → -2.35; at 0 places 7.5 → 8, 13.2 → 13, 10.56 → 11.
    @Test(arguments: [("2.345", 2, "2.35"), ("2.344", 2, "2.34"), ("1018.495", 2, "1018.5"), ("0.005", 2, "0.01"),
                      ("0.004", 2, "0"), ("-2.345", 2, "-2.35"), ("7.5", 0, "8"), ("13.2", 0, "13"),
                      ("10.56", 0, "11"), ("96", 2, "96")])
    func roundsHalfAwayFromZero(value: String, places: Int, expected: String) {
        #expect(Self.d(value).rounded(places: places).description == expected)
    }

    /// What outputs print (spec §A1): at most 2 decimals, trailing zeros and mark removed.
    @Test(arguments: [("101.2", "101.2", "101,2"), ("96", "96", "96"), ("1018.5", "1018.5", "1018,5"),
                      ("101.2000", "101.2", "101,2"), ("7.0444", "7.04", "7,04"), ("99.996", "100", "100"),
                      ("0.0001", "0", "0"), ("12.375", "12.38", "12,38"), ("0.05", "0.05", "0,05")])
    func printsAtMostTwoDecimalsTrimmed(value: String, standard: String, excel: String) {
        #expect(Self.d(value).outputText() == standard)
        #expect(Self.d(value).outputText(decimalMark: ",") == excel)
    }
}

/// Exact percentages, gaps and comparisons over decimal denominators (spec §6, §A1).
@Suite struct ExactFractionTests {
    static func d(_ text: String) -> ExactDecimal { ExactDecimal(text)! }

    /// 2 / 2.5 = 80 %; 2 / 2.5001 = 79.99680… % → 80.00; 1 / 3.3 = 30.3030… → 30.30;
    /// 1 / 0.0003 = 333 333.33… % → 33 333 333 hundredths.
    @Test(arguments: [(2, "2.5", 8000), (2, "2.5001", 8000), (1, "3.3", 3030), (1, "0.0003", 33_333_333)])
    func percentages(n: Int, d: String, hundredths: Int) {
        #expect(ExactFraction.percentHundredths(n, Self.d(d)) == hundredths)
    }

    /// Monthly: 2 / 2.5001 − 80 % = (2·10⁴·10⁴ − 8000·25001) / 25001 = −8000 / 25001 < 0.
    /// Cumulative at m = 6, target 100 %: 3 / 6.5 − 50 % = (3·10⁴·12·10 − 10000·6·65) / (12·65)
    /// = (3 600 000 − 3 900 000) / 780 = −384.6… hundredths.
    @Test func gapsAreExactFractions() throws {
        let monthly = try #require(ExactFraction.gap(2, Self.d("2.5001"), targetHundredths: 8000, months: nil))
        #expect(monthly.num == -8000 && monthly.den == 25001)
        let cumulative = try #require(ExactFraction.gap(3, Self.d("6.5"), targetHundredths: 10_000, months: 6))
        #expect(cumulative.num == -300_000 && cumulative.den == 780)
        #expect(ExactFraction.roundHalfAway(cumulative.num, cumulative.den) == -385)
    }

    /// 1/2.5 vs 2/5 equal; 1/2.5 vs 1/2.4999 smaller; 3/1 vs 1/0.5 larger.
    @Test func comparesFractions() {
        #expect(ExactFraction.compare(1, Self.d("2.5"), 2, 5) == 0)
        #expect(ExactFraction.compare(1, Self.d("2.5"), 1, Self.d("2.4999")) == -1)
        #expect(ExactFraction.compare(3, 1, 1, Self.d("0.5")) == 1)
    }

    /// Two unrounded denominators of 15 places (an estimate from a 4-place population and a
    /// 6-place rate) of a large district: the cross products pass 2¹²⁷ (4·10¹⁹ × 5·10¹⁹),
    /// which made the comparison nil and the month's trend blank; in 256 bits it is exact.
    @Test func comparesBeyond128BitProducts() {
        let d = Self.d("50000.123456789012345"), twice = Self.d("100000.24691357802469")
        #expect(d.scale == 15)
        #expect(ExactFraction.compare(40_000, d, 40_001, d) == -1)
        #expect(ExactFraction.compare(40_001, d, 40_000, d) == 1)
        #expect(ExactFraction.compare(40_000, d, 80_000, twice) == 0)
        #expect(ExactFraction.compare(80_001, twice, 40_000, d) == 1)
        #expect(ExactFraction.compare(-40_000, d, 3, d) == -1)
        #expect(ExactFraction.compare(-40_000, d, -40_001, d) == 1)
    }

    /// Intermediates beyond 128 bits are nil, never a trap.
    @Test func overflowIsNil() {
        let tiny = ExactDecimal(units: 1, scale: 30)!
        #expect(ExactFraction.percentHundredths(Int.max, tiny) == nil)
        #expect(ExactFraction.gap(Int.max, tiny, targetHundredths: 8000, months: 12) == nil)
        #expect(ExactFraction.compare(Int.max, tiny, 1, ExactDecimal(units: Int128.max, scale: 0)!) == nil)
    }
}
