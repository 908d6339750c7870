import Testing
@testable import PWSCore

@Suite struct PersonIDTests {
    static let usable: [(String, String, PersonID.Kind)] = [
        ("3271011503900001", "3271011503900001", .nik),
        ("3271 0115 0390 0001", "3271011503900001", .nik),
        ("3271.0115.0390.0001", "3271011503900001", .nik),
        ("3271-0115-0390-0001", "3271011503900001", .nik),
        ("P-12345", "P-12345", .other),              // has a letter: kept as written
        ("RM 2025/001", "RM 2025/001", .other),
        ("12345/A", "12345/A", .other),
        ("Ñ#", "Ñ#", .other),                        // a letter outside ASCII
    ]

    @Test(arguments: usable)
    func usableIdsNormalise(_ text: String, _ expected: String, _ kind: PersonID.Kind) {
        #expect(PersonID.normalise(text) == .success(PersonID.Normalised(id: expected, kind: kind)))
    }

    static let unusable: [(String, String)] = [
        ("327101150390001", "has 15 digits"),
        ("32710115039000012", "has 17 digits"),
        ("12345", "has 5 digits"),
        ("1", "has 1 digit;"),
        ("1111111111111111", "16 times the digit 1"),
        ("0000-0000-0000-0000", "16 times the digit 0"),
        ("---", "no letter or digit"),
        ("#/#", "no letter or digit"),
        ("...", "no letter or digit"),
    ]

    @Test(arguments: unusable)
    func unusableIdsSayWhy(_ text: String, _ fragment: String) {
        guard case let .failure(problem) = PersonID.normalise(text) else {
            Issue.record("\(text) should be rejected")
            return
        }
        #expect(problem.reason.contains(fragment), "\(problem.reason)")
    }

    @Test func outputBufferIsReusedAndCleared() {
        var buffer: [UInt8] = Array("left over from the previous record".utf8)
        let kind = bytes("3271-0115-0390-0001") { PersonID.normalise($0, into: &buffer) }
        #expect(kind == .success(.nik))
        #expect(String(decoding: buffer, as: UTF8.self) == "3271011503900001")
    }

    // Digits 7–12 of 3271011503900001 are 150390: born 15 March (19)90, a man.
    // For a woman the day is 15 + 40 = 55: 3271015503900001.
    static let man = "3271011503900001"
    static let woman = "3271015503900001"

    static let nikChecks: [(String, Day, Sex, Bool, Bool)] = [
        // nik, birth, sex, date differs, sex differs
        (man, day(1990, 3, 15), .male, false, false),
        (woman, day(1990, 3, 15), .female, false, false),
        (man, day(2090, 3, 15), .male, false, false),      // only two year digits are compared
        (man, day(1990, 3, 16), .male, true, false),       // day
        (man, day(1990, 4, 15), .male, true, false),       // month
        (man, day(1991, 3, 15), .male, true, false),       // year
        (man, day(1990, 3, 15), .female, false, true),     // a woman's NIK has day + 40
        (woman, day(1990, 3, 15), .male, false, true),
        (woman, day(1990, 4, 15), .male, true, true),
        ("3271019903900001", day(1990, 3, 19), .female, true, false),  // day 99 − 40 = 59: no such day
    ]

    @Test(arguments: nikChecks)
    func nikEmbeddedBirthDateAndSex(_ nik: String, _ birth: Day, _ sex: Sex,
                                    _ dateDiffers: Bool, _ sexDiffers: Bool) {
        let mismatch = PersonID.checkNIK(nik, birth: birth, sex: sex)
        #expect(mismatch?.birthDate ?? false == dateDiffers)
        #expect(mismatch?.sex ?? false == sexDiffers)
        #expect((mismatch == nil) == (!dateDiffers && !sexDiffers))
    }

    @Test func nikMismatchMessagesSayWhatDisagrees() {
        #expect(PersonID.checkNIK(Self.man, birth: day(1990, 3, 16), sex: .male)?.message
            == "NIK digits 7–12 \"150390\" give birth date 15-03-90 but birth_date is 16-03-90: "
            + "check the NIK, birth_date and sex against the person's KTP/KK")
        #expect(PersonID.checkNIK(Self.man, birth: day(1990, 3, 15), sex: .female)?.message
            == "NIK digits 7–12 \"150390\" give sex L but sex is P: "
            + "check the NIK, birth_date and sex against the person's KTP/KK")
    }

    @Test func nonNIKIdsAreNotChecked() {
        #expect(PersonID.checkNIK("P-12345", birth: day(1990, 3, 15), sex: .male) == nil)
    }

    static let masks: [(String, String)] = [
        ("3271011503900001", "3271**********01"),   // the §3 example shape: 4 + 10 + 2
        ("ABC1234", "ABC1*34"),                     // 7 characters: the shortest kept partly
        ("ABC123", "******"),                       // 6: fully masked
        ("P-1", "***"),
        ("", ""),
        ("ÄÖÜabcde", "ÄÖÜa**de"),                   // counted in characters, not bytes
    ]

    @Test(arguments: masks)
    func identifiersAreMaskedForOutputs(_ id: String, _ expected: String) {
        #expect(PersonID.mask(id) == expected)
    }

    /// Numbers that may be a NIK inside other text (a raw line in a record id, a merged result):
    /// 16 or more digits, single spaces, dots or dashes allowed between them, keep their first 4
    /// and last 2 digits; everything shorter stays.
    static let embedded: [(String, String)] = [
        ("3201010304210002", "3201**********02"),
        ("R2;2025-03-04;3201010304210002;2021-04-03", "R2;2025-03-04;3201**********02;2021-04-03"),
        // Spaces and dots between groups: the run is 19 characters, 16 of them digits.
        ("nik 3201 0103 0421 0004.", "nik 3201*************04."),
        ("32.01.01.030421.0002", "32.01*************02"),
        // 15 digits, a record id and dates: not identifiers.
        ("320101030421000", "320101030421000"),
        ("2410-0009-00059", "2410-0009-00059"),
        ("visit_date 2024-10-14 is before birth_date 2024-12-06", "visit_date 2024-10-14 is before birth_date 2024-12-06"),
        // Two separators in a row end the run: 8 + 8 digits are two short numbers.
        ("12345678--87654321", "12345678--87654321"),
        // Two NIKs in one cell, both masked; a longer run is masked as one.
        ("3201010304210002,3201010304210003", "3201**********02,3201**********03"),
        ("12345678901234567890", "1234**************90"),
        // A no-break space (a copy from Excel), a tab, a NUL, a narrow no-break space between
        // the groups: masked too (the separators' bytes become stars).
        ("3201\u{A0}0165\u{A0}0912\u{A0}0001", "3201" + String(repeating: "*", count: 16) + "01"),
        ("3201\t0165\t0912\t0001", "3201" + String(repeating: "*", count: 13) + "01"),
        ("32010165\u{0}09120001", "3201***********01"),
        ("id 3201\u{202F}0150\u{202F}0493\u{202F}0001.", "id 3201" + String(repeating: "*", count: 19) + "01."),
        // Underscores, as ids are joined (a facility id of a posyandu and a NIK): masked too;
        // two in a row end the run.
        ("PSY_3201_0115_0520_9045", "PSY_3201*************45"),
        ("Puskesmas Girijaya 3201_0115_0520_9067", "Puskesmas Girijaya 3201*************67"),
        ("12345678__87654321", "12345678__87654321"),
        // Two separators in a row still end the run.
        ("12345678\u{A0}\u{A0}87654321", "12345678\u{A0}\u{A0}87654321"),
        ("", ""),
    ]

    @Test(arguments: embedded)
    func identifiersInsideTextAreMasked(_ text: String, _ expected: String) {
        #expect(PersonID.maskEmbeddedIdentifiers(text) == expected)
    }

    /// File names and console text: 16 or more digits in a row are masked, and so is a NIK in
    /// its written groups (4-4-4-4, 6-6-4, 2-2-2-6-4 split by a space, `.`, `-` or `_`); other
    /// groupings of digits (a month and a village code, an RT code) stay.
    static let names: [(String, String)] = [
        ("layanan/2025-11_ibu-3201016509120001.csv", "layanan/2025-11_ibu-3201**********01.csv"),
        ("ibu-32010165091200012.csv:7", "ibu-3201***********12.csv:7"),
        ("a3201016509120001b3201016509120002", "a3201**********01b3201**********02"),
        ("layanan/2025-11-3201012001.csv", "layanan/2025-11-3201012001.csv"),
        ("3201012001-001-001", "3201012001-001-001"),
        ("nik 3201 0103 0421 0004", "nik 3201*************04"),
        ("layanan/2025-11_ibu-3201.0115.0520.9050.csv", "layanan/2025-11_ibu-3201*************50.csv"),
        ("layanan/2025-11_ibu 3201 0115 0520 9052.csv", "layanan/2025-11_ibu 3201*************52.csv"),
        ("fhir/anak_3201_0115_0520_9053.ndjson", "fhir/anak_3201*************53.ndjson"),
        ("ibu 320101-150520-9050.csv", "ibu 3201************50.csv"),
        ("32.01.01.150520.9050.xlsx", "32.01*************50.xlsx"),
        // The NIK's groups after a month: only they are masked.
        ("2025-11-3201-0115-0520-9050.csv", "2025-11-3201*************50.csv"),
        // After a year in groups of 4 too: 2025 3201 0115 0520 matches as well, and masking only
        // that showed the NIK's last six digits (20_9050); every alignment is masked.
        ("layanan/2025_3201_0115_0520_9050.csv", "layanan/2025" + String(repeating: "*", count: 18) + "50.csv"),
        // Other groupings of 16 digits: a month and a village code (4-2-10), a dotted village
        // code and an RT (2-2-2-4-3-3), groups of 4 short of four.
        ("layanan/2025-11-3201012001.csv", "layanan/2025-11-3201012001.csv"),
        ("32.01.01.2001-001-001", "32.01.01.2001-001-001"),
        ("2025 0115 0520", "2025 0115 0520"),
        ("320101650912000", "320101650912000"),
        ("", ""),
    ]

    @Test(arguments: names)
    func identifiersInNamesAreMasked(_ name: String, _ expected: String) {
        #expect(PersonID.maskIdentifiersInName(name) == expected)
    }
}
