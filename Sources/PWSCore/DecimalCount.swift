/// A sasaran `count` or an RT `population` (spec §A1): a decimal number 0…10⁹ with at most 4
/// decimals and `.` or `,` as the decimal separator, read exactly from a field's bytes.
///
/// `1.234` and `12,500` (one separator, exactly three digits after it) are ambiguous — the
/// separator may group thousands — unless the pipeline fixes the decimal separator; with it
/// fixed, the other character is a thousands separator and the value is refused. Thousands
/// groups, signs, exponents and text are refused too: a count is never guessed.
public enum DecimalCount {
    /// The largest value accepted.
    public static let maximum = 1_000_000_000
    /// The most decimals accepted.
    public static let maximumDecimals = 4

    /// Why a field is not a count.
    public enum Problem: Error, Equatable, Sendable {
        /// `-5`, `+5`.
        case sign
        /// `1e5`, `1,2E3`.
        case exponent
        /// `1.234.567`, `1.234,5`, `1 234`, or (with the setting) `1.234` when `,` is the decimal separator.
        case thousands
        /// One separator followed by exactly three digits, and no pipeline setting.
        case ambiguous
        /// A separator other than the pipeline's `sasaran.decimal_separator`, not before three digits.
        case otherSeparator(expected: UInt8)
        /// More than `maximumDecimals` digits after the separator.
        case tooManyDecimals
        /// Over `maximum`.
        case tooLarge
        /// Anything else: text, a lone separator, `.5`.
        case notANumber
    }

    /// The value in `bytes` (trimmed), or why it is not one. `decimalSeparator` is the pipeline's
    /// `sasaran.decimal_separator` (`.` or `,`), nil when not set.
    ///
    /// - Complexity: O(n) in the field length; no allocation.
    public static func parse(_ bytes: UnsafeRawBufferPointer, decimalSeparator: UInt8? = nil) -> Result<ExactDecimal, Problem> {
        let dot = UInt8(ascii: "."), comma = UInt8(ascii: ",")
        guard !bytes.isEmpty else { return .failure(.notANumber) }
        var separators = 0, separatorAt = -1, digits = 0
        var sawSign = false, sawExponent = false, sawGroupSpace = false, sawOther = false
        for (i, b) in bytes.enumerated() {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case dot, comma:
                separators += 1
                separatorAt = i
            // A sign leads (`-4`) or follows an exponent's `e` (`1e-5`); a dash inside (a date
            // `2025-01-15`, a range `100-120`) is not a sign: the value is no number.
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                if i == 0 || bytes[i - 1] == UInt8(ascii: "e") || bytes[i - 1] == UInt8(ascii: "E") { sawSign = true } else { sawOther = true }
            case UInt8(ascii: "e"), UInt8(ascii: "E"): sawExponent = true
            case UInt8(ascii: " "), UInt8(ascii: "'"), 0xA0, 0xC2: sawGroupSpace = true  // 0xC2 0xA0: NBSP
            default: sawOther = true
            }
        }
        if sawOther || digits == 0 { return .failure(.notANumber) }
        if sawSign && !sawExponent { return .failure(.sign) }
        if sawExponent { return .failure(.exponent) }
        if sawGroupSpace || separators > 1 { return .failure(.thousands) }
        var fractionDigits = 0
        if separators == 1 {
            let sep = bytes[separatorAt]
            fractionDigits = bytes.count - separatorAt - 1
            guard separatorAt > 0, fractionDigits > 0 else { return .failure(.notANumber) }
            if let expected = decimalSeparator, expected != sep {
                return .failure(fractionDigits == 3 ? .thousands : .otherSeparator(expected: expected))
            }
            if decimalSeparator == nil && fractionDigits == 3 { return .failure(.ambiguous) }
            if fractionDigits > maximumDecimals { return .failure(.tooManyDecimals) }
        }
        // At most 10 integer digits (after leading zeros) can be ≤ 10⁹; stop before overflowing.
        var units: Int128 = 0
        var significant = 0
        for b in bytes where b != dot && b != comma {
            if units != 0 || b != UInt8(ascii: "0") { significant += 1 }
            if significant > 10 + fractionDigits { return .failure(.tooLarge) }
            units = units * 10 + Int128(b - UInt8(ascii: "0"))
        }
        guard let value = ExactDecimal(units: units, scale: fractionDigits) else { return .failure(.notANumber) }
        if value.units(atScale: maximumDecimals).map({ $0 > Int128(maximum) * 10_000 }) ?? true {
            return .failure(.tooLarge)
        }
        return .success(value)
    }

    /// `parse` of a `String` (tests, cold paths).
    public static func parse(_ text: String, decimalSeparator: UInt8? = nil) -> Result<ExactDecimal, Problem> {
        var t = text
        return t.withUTF8 { parse(UnsafeRawBufferPointer($0), decimalSeparator: decimalSeparator) }
    }

    /// The message for `problem` with the field `name` whose text was `shown` (already quoted,
    /// or a description when the text must not be printed): what is wrong and what to do.
    public static func message(_ problem: Problem, field name: String, shown: String) -> String {
        switch problem {
        case .sign:
            return "\(name) \(shown) has a sign; write a number ≥ 0 without + or -"
        case .exponent:
            return "\(name) \(shown) is in exponent notation; write the number in full, e.g. 1200 or 101.25"
        case .thousands:
            return "\(name) \(shown) has a thousands separator; write the number without it (12500, or 101.25 with one decimal separator)"
        case .ambiguous:
            // The two readings of the value itself when it is shown (`"1.028"`): 1028 or 1.0280.
            var readings = "without a thousands separator (1234) or with a different number of decimals (1.2340)"
            if shown.count > 2, shown.first == "\"", shown.last == "\"" {
                let text = shown.dropFirst().dropLast()
                let digits = text.filter { $0 != "." && $0 != "," }
                // As a whole number, without the zeros before it (`0.500` is 500).
                let whole = digits.drop { $0 == "0" }.isEmpty ? "0" : String(digits.drop { $0 == "0" })
                if digits.allSatisfy(\.isASCII) && !digits.isEmpty {
                    readings = "as \(whole) if it is a whole number, or as \(text)0 if it has decimals"
                }
            }
            return "\(name) \(shown) is ambiguous: the separator before 3 digits may group thousands; write it \(readings), or set sasaran.decimal_separator in the pipeline"
        case .otherSeparator(let expected):
            return "\(name) \(shown) uses a decimal separator the pipeline does not (sasaran.decimal_separator is \"\(Character(Unicode.Scalar(expected)))\"); write it with that one"
        case .tooManyDecimals:
            return "\(name) \(shown) has more than \(maximumDecimals) decimals; round it to at most \(maximumDecimals)"
        case .tooLarge:
            return "\(name) \(shown) is over \(maximum); check the column (a NIK or a phone number pasted in?) and write the number of people"
        case .notANumber:
            return "\(name) \(shown) is not a number; write a number ≥ 0 with at most \(maximumDecimals) decimals, e.g. 96 or 101.25"
        }
    }

    /// `"text"` for a message, or a description without the digits when it holds 12 digits or
    /// more (a NIK, a phone number: never printed, spec §3).
    public static func shown(_ text: String) -> String {
        let digits = text.utf8.filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        return digits >= 12 ? "(a value of \(digits) digits, not shown)" : "\"\(text)\""
    }
}
