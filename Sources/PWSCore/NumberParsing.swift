/// Numbers as spec §2.1 writes them, read straight from field bytes.
///
/// A decimal is an optional sign (`+`/`-`), digits, and at most one decimal mark, `.` or `,`
/// (`12,5` = 12.5), with at least one digit in all (`,5` and `5,` are read as 0.5 and 5).
/// There are no thousands separators: `1.234,5` and `1,234.5` are not numbers, and neither is
/// anything with spaces, exponents, `inf` or `nan` in it.
public enum NumberField {
    /// Powers of ten that are exact in a `Double`.
    @usableFromInline static let exactPowersOfTen: [Double] = [
        1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The decimal number in `bytes`, or nil when it is not one.
    ///
    /// - Complexity: O(n) in the field length, without allocating for up to 15 significant
    ///   digits (every realistic measurement); longer ones fall back to the standard library's
    ///   correctly rounded conversion.
    @inlinable
    public static func double(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let n = bytes.count
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var seenMark = false
        var significant = 0  // digits after leading zeros, to know when UInt64 is exact
        while i < n {
            let b = bytes[i]
            if isDigit(b) {
                digits += 1
                if seenMark { fractionDigits += 1 }
                if mantissa != 0 || b != asciiZero { significant += 1 }
                if significant <= 19 { mantissa = mantissa &* 10 &+ UInt64(b &- asciiZero) }
            } else if (b == UInt8(ascii: ".") || b == UInt8(ascii: ",")) && !seenMark {
                seenMark = true
            } else {
                return nil
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        if significant <= 15, fractionDigits < exactPowersOfTen.count {
            // Both operands exact, so the one division is correctly rounded.
            let value = Double(mantissa) / exactPowersOfTen[fractionDigits]
            return negative ? -value : value
        }
        return slowDouble(bytes)
    }

    /// Correctly rounded conversion for long digit strings, via the standard library.
    @usableFromInline
    static func slowDouble(_ bytes: UnsafeRawBufferPointer) -> Double? {
        var text = String(decoding: bytes, as: UTF8.self)
        text = String(text.map { $0 == "," ? "." : $0 })
        if text.hasPrefix(".") || text.hasPrefix("-.") || text.hasPrefix("+.") {
            text = text.replacingFirst(".", with: "0.")
        }
        if text.hasSuffix(".") { text += "0" }
        return Double(text)
    }

    /// The decimal number in `text`, or nil.
    public static func double(_ text: String) -> Double? { withBytes(of: text) { double($0) } }

    /// The integer in `bytes` (optional sign, digits only), or nil when it is not one or does
    /// not fit in an `Int`.
    ///
    /// - Complexity: O(n) in the field length; no allocation.
    @inlinable
    public static func integer(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let n = bytes.count
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        guard i < n else { return nil }
        var value = 0
        while i < n {
            let b = bytes[i]
            guard isDigit(b) else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = negative
                ? times10.subtractingReportingOverflow(Int(b &- asciiZero))
                : times10.addingReportingOverflow(Int(b &- asciiZero))
            guard !o1, !o2 else { return nil }
            value = sum
            i += 1
        }
        return value
    }

    /// The integer in `text`, or nil.
    public static func integer(_ text: String) -> Int? { withBytes(of: text) { integer($0) } }
}

extension String {
    fileprivate func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let index = firstIndex(of: target) else { return self }
        return String(self[..<index]) + replacement + String(self[self.index(after: index)...])
    }
}
