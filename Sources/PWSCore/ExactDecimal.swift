/// A decimal number held exactly: `units × 10^-scale` in a 128-bit integer (spec §A1).
///
/// Denominators — sasaran counts, RT populations, their sums and estimates — are values of this
/// type from input to output, so no binary floating point ever touches them. The representation
/// is normalised (no trailing zero digit in `units` unless `scale` is 0), so two equal values
/// are `==` and hash alike. Every operation that could overflow is checked and returns nil
/// instead of trapping.
public struct ExactDecimal: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The value × 10^scale.
    public private(set) var units: Int128
    /// Decimal places, 0…`maxScale`.
    public private(set) var scale: Int

    /// The largest scale a value may have (10^38 is the first power of ten past `Int128`).
    public static let maxScale = 30

    public static let zero = ExactDecimal(0)

    /// `n` as a decimal with no fraction.
    public init(_ n: Int) {
        units = Int128(n)
        scale = 0
    }

    public init(integerLiteral n: Int) { self.init(n) }

    /// `units × 10^-scale`, normalised; nil when `scale` is outside 0…`maxScale`.
    public init?(units: Int128, scale: Int) {
        guard scale >= 0, scale <= Self.maxScale else { return nil }
        var u = units, s = scale
        while s > 0, u % 10 == 0 {
            u /= 10
            s -= 1
        }
        self.units = u
        self.scale = s
    }

    /// 10^k for 0 ≤ k ≤ 38.
    @inlinable
    public static func power(_ k: Int) -> Int128 {
        var p: Int128 = 1
        for _ in 0..<k { p &*= 10 }
        return p
    }

    /// `units` brought to `scale` s ≥ self.scale, or nil on overflow.
    @inlinable
    public func units(atScale s: Int) -> Int128? {
        guard s >= scale, s <= 38 else { return nil }
        let (r, o) = units.multipliedReportingOverflow(by: Self.power(s - scale))
        return o ? nil : r
    }

    public var isZero: Bool { units == 0 }
    public var isPositive: Bool { units > 0 }

    /// The value as an `Int` when it is a whole number that fits, else nil.
    public var integerValue: Int? {
        guard scale == 0, units >= Int128(Int.min), units <= Int128(Int.max) else { return nil }
        return Int(units)
    }

    /// The exact sum, or nil on overflow.
    public func adding(_ other: ExactDecimal) -> ExactDecimal? {
        let s = max(scale, other.scale)
        guard let a = units(atScale: s), let b = other.units(atScale: s) else { return nil }
        let (sum, o) = a.addingReportingOverflow(b)
        return o ? nil : ExactDecimal(units: sum, scale: s)
    }

    /// The exact product, or nil on overflow or when it needs more than `maxScale` places.
    public func multiplied(by other: ExactDecimal) -> ExactDecimal? {
        let (p, o) = units.multipliedReportingOverflow(by: other.units)
        return o ? nil : ExactDecimal(units: p, scale: scale + other.scale)
    }

    /// The value rounded to `places` decimals, half away from zero (`2.345` → `2.35`,
    /// `-0.5` → `-1` at 0 places).
    public func rounded(places: Int) -> ExactDecimal {
        guard places >= 0, scale > places else { return self }
        let den = Self.power(scale - places)
        let q = units / den, r = units % den
        // |r| ≥ den/2 rounds away from zero; compare without doubling (no overflow).
        let away = r.magnitude >= den.magnitude - r.magnitude
        let rounded = away ? (units < 0 ? q - 1 : q + 1) : q
        return ExactDecimal(units: rounded, scale: places)!
    }

    /// Plain decimal text with `.`, all places (`101.2`, `96`, `-0.0005`).
    public var description: String { text(decimalMark: ".") }

    /// The value as printed in outputs (spec §A1): rounded to at most 2 decimals half away
    /// from zero, trailing zeros and a trailing mark removed (`101.2`, `96`, `1018.5`).
    public func outputText(decimalMark: Character = ".") -> String {
        rounded(places: 2).text(decimalMark: decimalMark)
    }

    /// All places, with `decimalMark` (the value is normalised, so no trailing zeros).
    public func text(decimalMark: Character) -> String {
        let digits = String(units.magnitude)
        let sign = units < 0 ? "-" : ""
        guard scale > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        let cut = padded.index(padded.endIndex, offsetBy: -scale)
        return sign + padded[..<cut] + String(decimalMark) + padded[cut...]
    }

    /// Reads plain decimal text as Swift prints a number — `[+-]digits[.digits][(e|E)[+-]digits]`
    /// (`16.0`, `0.08`, `1e-05`) — for rates from the pipeline; nil for anything else or a value
    /// this type cannot hold.
    public init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let s = bytes.first, s == UInt8(ascii: "-") || s == UInt8(ascii: "+") {
            negative = s == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var units: Int128 = 0
        var exponent = 0, digits = 0, seenPoint = false
        while let b = bytes.first, b != UInt8(ascii: "e") && b != UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if b == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = units.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int128(b - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            units = a
            digits += 1
            if seenPoint { exponent -= 1 }
        }
        guard digits > 0 else { return nil }
        if !bytes.isEmpty {
            bytes = bytes.dropFirst()
            var expNegative = false
            if let s = bytes.first, s == UInt8(ascii: "-") || s == UInt8(ascii: "+") {
                expNegative = s == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            guard !bytes.isEmpty, bytes.count <= 3 else { return nil }
            var e = 0
            for b in bytes {
                guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
                e = e * 10 + Int(b - UInt8(ascii: "0"))
            }
            exponent += expNegative ? -e : e
        }
        if negative { units = -units }
        if exponent > 0 {
            guard exponent <= 38 else { return nil }
            let (m, o) = units.multipliedReportingOverflow(by: Self.power(exponent))
            if o { return nil }
            units = m
            exponent = 0
        }
        guard let v = ExactDecimal(units: units, scale: -exponent) else { return nil }
        self = v
    }
}

/// Exact fractions over `ExactDecimal` denominators, in 128-bit integers: the percentages, gaps
/// and comparisons of spec §6 (§A1: computed from the unrounded values). Every function returns
/// nil rather than trapping when an intermediate would overflow.
public enum ExactFraction {
    /// `round(num / den)` half away from zero, for den > 0.
    @inlinable
    public static func roundHalfAway(_ num: Int128, _ den: Int128) -> Int128 {
        let q = num / den, r = num % den
        let away = r.magnitude >= den.magnitude - r.magnitude
        return away ? (num < 0 ? q - 1 : q + 1) : q
    }

    /// n / d × 100 in hundredths, rounded half away from zero; d > 0.
    public static func percentHundredths(_ n: Int, _ d: ExactDecimal) -> Int? { percent(n, d, per: 10_000) }

    /// n / d × 100 in tenths (the report's chart labels), rounded once, half away from zero;
    /// d > 0.
    public static func percentTenths(_ n: Int, _ d: ExactDecimal) -> Int? { percent(n, d, per: 1_000) }

    /// n / d × `per`, rounded half away from zero.
    private static func percent(_ n: Int, _ d: ExactDecimal, per: Int128) -> Int? {
        // n / (u·10^-s) × per = n·per·10^s / u
        guard let scaled = ExactDecimal(n).units(atScale: d.scale) else { return nil }
        let num = scaled.multipliedReportingOverflow(by: per)
        guard !num.overflow else { return nil }
        return Int(exactly: roundHalfAway(num.partialValue, d.units))
    }

    /// coverage% − target% as the exact fraction `(num, den)` in hundredths (den > 0), where
    /// coverage = `n / d` and the target is `targetHundredths × months / 12` (cumulative) or
    /// `targetHundredths` (monthly, `months` nil).
    public static func gap(_ n: Int, _ d: ExactDecimal, targetHundredths t: Int, months: Int?) -> (num: Int128, den: Int128)? {
        // monthly:    (n·10⁴·10^s − t·u) / u
        // cumulative: (n·10⁴·12·10^s − t·m·u) / (12·u)
        let twelve: Int128 = months == nil ? 1 : 12
        let tm = Int128(t) * Int128(months ?? 1)
        guard let scaled = ExactDecimal(n).units(atScale: d.scale) else { return nil }
        let a = scaled.multipliedReportingOverflow(by: 10_000 * twelve)
        let b = tm.multipliedReportingOverflow(by: d.units)
        guard !a.overflow, !b.overflow else { return nil }
        let num = a.partialValue.subtractingReportingOverflow(b.partialValue)
        let den = d.units.multipliedReportingOverflow(by: twelve)
        guard !num.overflow, !den.overflow else { return nil }
        return (num.partialValue, den.partialValue)
    }

    /// Compares a/b with c/d (b, d > 0): -1, 0, 1; nil on overflow.
    public static func compare(_ a: Int, _ b: ExactDecimal, _ c: Int, _ d: ExactDecimal) -> Int? {
        // a/(u_b·10^-s_b) vs c/(u_d·10^-s_d)  ⇔  a·10^s_b·u_d vs c·10^s_d·u_b
        guard let l0 = ExactDecimal(a).units(atScale: b.scale), let r0 = ExactDecimal(c).units(atScale: d.scale) else {
            return nil
        }
        // The products in 256 bits: two unrounded denominators of a large district (15 places:
        // an estimate from a 4-place population and a 6-place rate) overflowed 128 bits here,
        // and the month's trend went blank.
        let l = l0.multipliedFullWidth(by: d.units), r = r0.multipliedFullWidth(by: b.units)
        if l.high != r.high { return l.high < r.high ? -1 : 1 }
        return l.low < r.low ? -1 : (l.low > r.low ? 1 : 0)
    }
}
