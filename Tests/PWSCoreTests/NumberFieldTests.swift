import Testing
@testable import PWSCore

@Suite struct NumberFieldTests {
    static let decimals: [(String, Double?)] = [
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("0,1", 0.1),
        ("-3", -3),
        ("+4,25", 4.25),
        ("0", 0),
        ("007", 7),
        (",5", 0.5),
        ("5,", 5),
        ("250", 250),
        ("1.234,5", nil),     // thousands separator
        ("1,234.5", nil),
        ("1 234", nil),
        ("12,5kg", nil),      // units are the result reader's business
        ("1e3", nil),
        ("nan", nil),
        ("inf", nil),
        ("", nil),
        ("-", nil),
        (",", nil),
        ("--1", nil),
        ("1-", nil),
    ]

    @Test(arguments: decimals)
    func readsDecimalsWithPointOrComma(_ text: String, _ expected: Double?) {
        #expect(NumberField.double(text) == expected)
        #expect(bytes(text) { NumberField.double($0) } == expected)
    }

    @Test func longDigitStringsAreCorrectlyRounded() {
        // 24 significant digits: beyond the exact fast path.
        #expect(NumberField.double("123456789012345678901234,5") == Double("123456789012345678901234.5"))
        #expect(NumberField.double("0,12345678901234567890") == Double("0.12345678901234567890"))
    }

    static let integers: [(String, Int?)] = [
        ("42", 42),
        ("-7", -7),
        ("+3", 3),
        ("007", 7),
        ("0", 0),
        ("9223372036854775807", Int.max),
        ("-9223372036854775808", Int.min),
        ("9223372036854775808", nil),    // overflows
        ("4,0", nil),
        ("4.0", nil),
        ("4 ", nil),
        ("", nil),
        ("-", nil),
        ("12a", nil),
    ]

    @Test(arguments: integers)
    func readsIntegers(_ text: String, _ expected: Int?) {
        #expect(NumberField.integer(text) == expected)
    }
}
