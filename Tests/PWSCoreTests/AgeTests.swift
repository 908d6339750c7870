import Testing
@testable import PWSCore

@Suite struct AgeTests {
    static let years: [(Day, Day, Int)] = [
        // birth, visit, completed years
        (day(2020, 6, 15), day(2025, 6, 14), 4),   // birthday not yet reached
        (day(2020, 6, 15), day(2025, 6, 15), 5),
        (day(2024, 2, 29), day(2025, 2, 28), 0),   // 29 Feb: not older on 28 Feb…
        (day(2024, 2, 29), day(2025, 3, 1), 1),    // …but on 1 Mar in a non-leap year
        (day(2024, 2, 29), day(2028, 2, 28), 3),
        (day(2024, 2, 29), day(2028, 2, 29), 4),   // leap year: on the day itself
        (day(2025, 3, 4), day(2025, 3, 4), 0),
        (day(1970, 3, 1), day(2026, 2, 28), 55),
    ]

    @Test(arguments: years)
    func completedYears(_ birth: Day, _ visit: Day, _ expected: Int) {
        #expect(Age.completedYears(birth: birth, visit: visit) == expected)
    }

    static let months: [(Day, Day, Int)] = [
        (day(2025, 1, 31), day(2025, 2, 28), 0),   // no 31 Feb: not yet a month…
        (day(2025, 1, 31), day(2025, 3, 1), 1),    // …reached on 1 Mar (2 − 1, day 1 < 31 → 1)
        (day(2025, 1, 31), day(2025, 3, 30), 1),
        (day(2025, 1, 31), day(2025, 3, 31), 2),
        (day(2025, 1, 31), day(2025, 4, 30), 2),   // no 31 Apr
        (day(2025, 1, 31), day(2025, 5, 1), 3),
        (day(2024, 2, 29), day(2024, 3, 28), 0),
        (day(2024, 2, 29), day(2024, 3, 29), 1),
        (day(2024, 2, 29), day(2025, 2, 28), 11),  // 12 − 1: consistent with the year rule
        (day(2024, 2, 29), day(2025, 3, 1), 12),
        (day(2020, 6, 15), day(2025, 6, 14), 59),  // 60 − 1
        (day(2020, 6, 15), day(2025, 6, 15), 60),
        (day(2024, 12, 15), day(2025, 1, 15), 1),  // across a year end
    ]

    @Test(arguments: months)
    func completedMonths(_ birth: Day, _ visit: Day, _ expected: Int) {
        #expect(Age.completedMonths(birth: birth, visit: visit) == expected)
    }

    @Test func daysAreTheDifference() {
        #expect(Age.days(birth: day(2025, 1, 1), visit: day(2025, 3, 1)) == 59)  // 31 + 28
        #expect(Age.days(birth: day(2024, 1, 1), visit: day(2024, 3, 1)) == 60)  // 31 + 29
        #expect(Age.days(birth: day(2025, 3, 4), visit: day(2025, 3, 4)) == 0)
    }
}

@Suite struct EligibilityTests {
    static let anc = ServiceDefinition(code: "ANC", name: "antenatal visit", cluster: "ibu_anak",
                                       sex: .female, age: AgeLimit(unit: .years, min: 10, max: 55),
                                       result: .none)
    static let kn = ServiceDefinition(code: "KN", name: "neonatal visit", cluster: "ibu_anak", sex: nil,
                                      age: AgeLimit(unit: .days, min: 0, max: 28), result: .none)
    static let vita = ServiceDefinition(code: "VITA", name: "vitamin A", cluster: "ibu_anak", sex: nil,
                                        age: AgeLimit(unit: .months, min: 6, max: 59), result: .none)
    static let skilas = ServiceDefinition(code: "SKILAS", name: "elderly screening", cluster: "dewasa_lansia",
                                          sex: nil, age: AgeLimit(unit: .years, min: 60, max: nil),
                                          result: .none)

    static let cases: [(ServiceDefinition, Sex, Day, Day, Bool)] = [
        (anc, .female, day(2000, 5, 10), day(2025, 5, 9), true),     // 24 y
        (anc, .male, day(2000, 5, 10), day(2025, 5, 9), false),      // men do not have ANC
        (anc, .female, day(1970, 3, 1), day(2026, 2, 28), true),     // 55 y: max inclusive
        (anc, .female, day(1970, 3, 1), day(2026, 3, 1), false),     // 56 y
        (anc, .female, day(2015, 3, 2), day(2025, 3, 1), false),     // 9 y
        (anc, .female, day(2015, 3, 1), day(2025, 3, 1), true),      // 10 y: min inclusive
        (kn, .male, day(2025, 1, 1), day(2025, 1, 29), true),        // 28 days
        (kn, .male, day(2025, 1, 1), day(2025, 1, 30), false),       // 29 days
        (vita, .female, day(2020, 3, 31), day(2020, 9, 30), false),  // 5 months (no 31 Sep)
        (vita, .female, day(2020, 3, 31), day(2020, 10, 1), true),   // 6 months
        (vita, .female, day(2020, 3, 31), day(2025, 3, 30), true),   // 59 months
        (vita, .female, day(2020, 3, 31), day(2025, 3, 31), false),  // 60 months
        (skilas, .male, day(1965, 2, 28), day(2025, 2, 27), false),  // 59 y
        (skilas, .male, day(1965, 2, 28), day(2025, 2, 28), true),   // 60 y, no max
    ]

    @Test(arguments: cases)
    func eligibilityFollowsTheCatalogueLimits(_ service: ServiceDefinition, _ sex: Sex, _ birth: Day,
                                              _ visit: Day, _ expected: Bool) {
        #expect(service.isEligible(sex: sex, birth: birth, visit: visit) == expected)
    }

    @Test func violationNamesTheLimit() {
        let tooOld = Self.anc.eligibility(sex: .female, birth: day(1970, 3, 1), visit: day(2026, 3, 1))
        #expect(tooOld == .age(limit: AgeLimit(unit: .years, min: 10, max: 55), actual: 56))
        #expect(tooOld?.message(service: "ANC")
            == "ANC is for age 10–55 years but the person is 56 years at the visit: "
            + "check birth_date, visit_date and service_code")
        let man = Self.anc.eligibility(sex: .male, birth: day(2000, 5, 10), visit: day(2025, 5, 9))
        #expect(man == .sex(required: .female, given: .male))
        #expect(man?.message(service: "ANC") == "ANC is for sex P only but the record says L: check sex and service_code")
    }
}

@Suite struct ServiceCatalogueTests {
    static let catalogue = ServiceCatalogue([
        ServiceDefinition(code: "TIMBANG", name: "weighing", cluster: "ibu_anak", sex: nil, age: nil,
                          result: .number(unit: "kg", range: 0.5...250)),
        ServiceDefinition(code: "SKRINING_TB", name: "TB symptom screen", cluster: "penyakit_menular",
                          sex: nil, age: nil, result: .none),
        ServiceDefinition(code: "DPTHBHIB1", name: "immunisation dose DPTHBHIB1", cluster: "ibu_anak",
                          sex: nil, age: AgeLimit(unit: .years, min: 0, max: 6), result: .none),
    ])

    static let lookups: [(String, UInt16?)] = [
        ("TIMBANG", 0), ("timbang", 0), ("Skrining TB", 1), ("skrining-tb", 1), ("SKRINING_TB", 1),
        ("dpthbhib1", 2), ("DPT", nil), ("", nil), ("SKRININGTB", nil),
    ]

    @Test(arguments: lookups)
    func codesLookUpLikeEnumerations(_ text: String, _ expected: UInt16?) {
        #expect(Self.catalogue.index(of: text) == expected)
        #expect(bytes(text) { Self.catalogue.index(of: $0) } == expected)
    }

    @Test func aliasesAddSpellings() throws {
        let extended = try Self.catalogue.adding(aliases: ["BB": "timbang"])
        #expect(extended.index(of: "bb") == 0)
        #expect(extended.service("BB")?.code == "TIMBANG")
        #expect(throws: PWSError.self) { try Self.catalogue.adding(aliases: ["x": "NOPE"]) }
    }
}
