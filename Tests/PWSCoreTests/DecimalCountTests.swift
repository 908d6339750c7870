import PWSCore
import Testing

/// Sasaran counts and RT populations (spec §A1): decimals 0…10⁹ with at most 4 places, `.` or
/// `,`, the ambiguous `1.234` decided only by `sasaran.decimal_separator`, everything else refused.
@Suite struct DecimalCountTests {
    static let dot = UInt8(ascii: "."), comma = UInt8(ascii: ",")

    static func value(_ text: String, _ separator: UInt8? = nil) -> ExactDecimal? {
        if case .success(let v) = DecimalCount.parse(text, decimalSeparator: separator) { return v }
        return nil
    }

    static func problem(_ text: String, _ separator: UInt8? = nil) -> DecimalCount.Problem? {
        if case .failure(let p) = DecimalCount.parse(text, decimalSeparator: separator) { return p }
        return nil
    }

    @Test(arguments: [("96", "96"), ("0", "0"), ("007", "7"), ("101.2", "101.2"), ("101,2", "101.2"),
                      ("1018.5", "1018.5"), ("12.50", "12.5"), ("0,0001", "0.0001"), ("1000000000", "1000000000"),
                      ("1000000000.0000", "1000000000"), ("12.5000", "12.5"), ("3.14", "3.14")])
    func readsDecimals(text: String, expected: String) {
        #expect(Self.value(text) == ExactDecimal(expected))
    }

    /// One separator before exactly three digits may be a thousands separator.
    @Test(arguments: ["1.234", "12,500", "0.125", "1000,000"])
    func threeDigitsAfterOneSeparatorAreAmbiguous(text: String) {
        #expect(Self.problem(text) == .ambiguous)
    }

    /// With `sasaran.decimal_separator` set, it decides: the same character is the decimal
    /// separator (1.234 = 1.234); the other one groups thousands, which is refused.
    @Test func theSettingDecides() {
        #expect(Self.value("1.234", Self.dot) == ExactDecimal("1.234"))
        #expect(Self.value("12,500", Self.comma) == ExactDecimal("12.5"))
        #expect(Self.problem("1.234", Self.comma) == .thousands)
        #expect(Self.problem("12,500", Self.dot) == .thousands)
        #expect(Self.problem("101,2", Self.dot) == .otherSeparator(expected: Self.dot))
        #expect(Self.value("101.2", Self.dot) == ExactDecimal("101.2"))
        #expect(Self.value("96", Self.comma) == 96)
    }

    @Test(arguments: [
        ("-5", DecimalCount.Problem.sign), ("+5", .sign), ("-0,5", .sign),
        ("1e5", .exponent), ("1,2E3", .exponent), ("-1e5", .exponent), ("1e-5", .exponent),
        // A dash inside is no sign: a date (a date cell of a workbook), a range — not numbers
        // ("has a sign; write … without + or -" was the wrong advice).
        ("2025-01-15", .notANumber), ("100-120", .notANumber), ("5+", .notANumber),
        ("1.234.567", .thousands), ("1.234,5", .thousands), ("1,234.5", .thousands), ("1 234", .thousands),
        ("12'500", .thousands),
        ("1.23456", .tooManyDecimals), ("0,00001", .tooManyDecimals),
        ("1000000000.0001", .tooLarge), ("1000000001", .tooLarge), ("3201011234567890", .tooLarge),
        ("9223372036854775807", .tooLarge), ("99999999999999999999999999999999999999999999", .tooLarge),
        ("abc", .notANumber), ("12a", .notANumber), (".5", .notANumber), ("5.", .notANumber), (",", .notANumber),
        ("", .notANumber), ("½", .notANumber),
    ])
    func refusesEveryOtherForm(text: String, problem: DecimalCount.Problem) {
        #expect(Self.problem(text) == problem)
    }

    /// Each message says what is wrong and what to do.
    @Test func messagesSayWhatToDo() {
        let shown = DecimalCount.shown("1.234")
        #expect(DecimalCount.message(.ambiguous, field: "count", shown: shown)
            == "count \"1.234\" is ambiguous: the separator before 3 digits may group thousands; write it as 1234 if it is a whole number, or as 1.2340 if it has decimals, or set sasaran.decimal_separator in the pipeline")
        // The whole-number reading has no zeros before it.
        #expect(DecimalCount.message(.ambiguous, field: "count", shown: DecimalCount.shown("0.500"))
            == "count \"0.500\" is ambiguous: the separator before 3 digits may group thousands; write it as 500 if it is a whole number, or as 0.5000 if it has decimals, or set sasaran.decimal_separator in the pipeline")
        #expect(DecimalCount.message(.sign, field: "population", shown: "\"-5\"")
            == "population \"-5\" has a sign; write a number ≥ 0 without + or -")
        #expect(DecimalCount.message(.tooLarge, field: "count", shown: "\"1000000001\"")
            == "count \"1000000001\" is over 1000000000; check the column (a NIK or a phone number pasted in?) and write the number of people")
        #expect(DecimalCount.message(.otherSeparator(expected: Self.dot), field: "count", shown: "\"101,2\"")
            == "count \"101,2\" uses a decimal separator the pipeline does not (sasaran.decimal_separator is \".\"); write it with that one")
    }

    /// A NIK (16 digits) or any value of 12 digits or more is never echoed.
    @Test func longDigitStringsAreNotShown() {
        #expect(DecimalCount.shown("3201011234567890") == "(a value of 16 digits, not shown)")
        #expect(DecimalCount.shown("3201.0112.3456.7890") == "(a value of 16 digits, not shown)")
        #expect(DecimalCount.shown("12345678901") == "\"12345678901\"")
    }
}
