import Testing
@testable import PWSCore

@Suite struct ResultParsingTests {
    static let weight = ResultKind.number(unit: "kg", range: 0.5...250)
    static let bmi = ResultKind.number(unit: "kg/m2", range: 8...80)
    static let haemoglobin = ResultKind.number(unit: "g/dL", range: 2...25)
    static let bloodPressure = ResultKind.bloodPressure(sys: 50...300, dia: 30...200)
    static let srq20 = ResultKind.score(range: 0...20)

    /// The two values of a `.value` result (NaN never equals itself, so compare by hand).
    func value(_ result: ParsedResult) -> (Float, Float)? {
        if case let .value(a, b) = result { return (a, b) }
        return nil
    }

    func reason(_ result: ParsedResult) -> String? {
        if case let .invalid(reason, _, _) = result { return reason }
        return nil
    }

    static let weights: [(String, Float?)] = [
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("12,5 kg", 12.5),
        ("12.5KG", 12.5),
        (" 3 Kg ", 3),
        ("0,5", 0.5),        // lower bound is inclusive
        ("250", 250),        // upper bound is inclusive
        ("0,4", nil),        // below 0.5
        ("251", nil),        // above 250
        ("12,5 cm", nil),    // another unit is not dropped
        ("12 kg kg", nil),   // only one unit is dropped
        ("kg", nil),
        ("dua belas", nil),
        ("1.234,5", nil),
    ]

    @Test(arguments: weights)
    func weightDropsItsUnitAndKeepsToTheRange(_ text: String, _ expected: Float?) {
        let result = Self.weight.parse(text)
        if let expected {
            #expect(value(result)?.0 == expected)
            #expect(value(result)?.1.isNaN == true)
        } else {
            #expect(reason(result) != nil, "\(text) should be invalid, got \(result)")
        }
    }

    @Test(arguments: [("22,4 kg/m2", Float(22.4)), ("22,4 KG/M2", 22.4), ("22,4kg/m²", 22.4), ("8", 8)])
    func bodyMassIndexReadsItsCompoundUnit(_ text: String, _ expected: Float) {
        #expect(value(Self.bmi.parse(text))?.0 == expected)
    }

    @Test func haemoglobinUnitIsCaseInsensitive() {
        #expect(value(Self.haemoglobin.parse("11,2 g/dl"))?.0 == Float(11.2))
        #expect(reason(Self.haemoglobin.parse("1,9 g/dL")) != nil)
    }

    static let pressures: [(String, Float?, Float?)] = [
        ("120/80", 120, 80),
        ("120 / 80", 120, 80),
        ("120/80 mmHg", 120, 80),
        ("120/80MMHG", 120, 80),
        ("300/200", 300, 200),   // both upper bounds inclusive
        ("50/30", 50, 30),       // both lower bounds inclusive
        ("80/120", nil, nil),    // SYS below DIA
        ("120/120", nil, nil),   // SYS must be above DIA, not equal
        ("320/80", nil, nil),    // SYS above 300
        ("49/30", nil, nil),
        ("120/29", nil, nil),    // DIA below 30
        ("120", nil, nil),
        ("120/80/60", nil, nil),
        ("12a/80", nil, nil),
        ("120,5/80", nil, nil),  // integers only
        ("/80", nil, nil),
        ("-120/80", nil, nil),
    ]

    @Test(arguments: pressures)
    func bloodPressureIsSysOverDia(_ text: String, _ sys: Float?, _ dia: Float?) {
        let result = Self.bloodPressure.parse(text)
        if let sys, let dia {
            #expect(value(result)?.0 == sys)
            #expect(value(result)?.1 == dia)
        } else {
            #expect(reason(result) != nil, "\(text) should be invalid, got \(result)")
        }
    }

    @Test func reversedPressureSaysWhatToFix() {
        #expect(reason(Self.bloodPressure.parse("80/120"))
            == "SYS 80 is not above DIA 120: write SYS/DIA with the higher (systolic) value first, e.g. 120/80")
    }

    @Test func outOfRangeWeightNamesTheRange() {
        #expect(reason(Self.weight.parse("300 kg"))
            == "300 kg is outside the plausible 0.5–250 kg: check the value and its unit")
    }

    static let scores: [(String, Float?)] = [
        ("7", 7), ("0", 0), ("20", 20), ("21", nil), ("-1", nil), ("7,5", nil), ("tujuh", nil),
    ]

    @Test(arguments: scores)
    func scoresAreIntegersInRange(_ text: String, _ expected: Float?) {
        let result = Self.srq20.parse(text)
        if let expected {
            #expect(value(result)?.0 == expected)
        } else {
            #expect(reason(result) != nil)
        }
    }

    @Test func resultOnServiceWithoutKindIsIgnored() {
        #expect(ResultKind.none.parse("apa saja") == .ignored)
        #expect(ResultKind.none.parse("") == .ignored)
    }

    @Test func emptyResultIsIgnored() {
        #expect(Self.weight.parse("") == .ignored)
        #expect(Self.weight.parse("   ") == .ignored)
    }
}
