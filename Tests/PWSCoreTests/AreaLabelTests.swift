import Testing
@testable import PWSCore

@Suite struct AreaLabelTests {
    static let labels: [(String, String?)] = [
        ("1", "001"),
        ("01", "001"),
        ("001", "001"),
        ("RT.001", "001"),
        ("rt 1", "001"),
        ("0001", "001"),
        ("1234", "1234"),
        ("RW 05", "005"),
        ("RW-05.", "005"),
        ("Rt:03", "003"),
        ("(3)", "003"),
        ("  7 ", "007"),
        ("0", "000"),
        ("000", "000"),
        ("01A", "01A"),
        ("rt 2b", "2B"),
        ("2 b", "2 B"),             // inner characters kept
        ("a", "A"),
        ("RW01/RT02", "01/RT02"),   // only one leading RW/RT is dropped
        ("123456789012345", "123456789012345"),          // longer than 3 digits: kept
        ("12345678901234567890", "1234**************90"),   // 16+ digits: a NIK, masked
        ("RT 3171 9901 0000 0005", "3171*************05"),  // a NIK as written
        ("3171990100000005A", "3171**********05A"),
        ("RT", nil),
        ("rw", nil),
        ("", nil),
        ("-", nil),
        ("RT. .", nil),
    ]

    @Test(arguments: labels)
    func labelsNormaliseAsSection2_5Says(_ text: String, _ expected: String?) {
        #expect(AreaLabel.normalise(text) == expected)
        #expect(bytes(text) { AreaLabel.normalise($0) } == expected)
    }

    static let villageCodes: [(String, String?)] = [
        ("8272012001", "8272012001"),
        ("82.72.01.2001", "8272012001"),
        ("82 72 01 2001", "8272012001"),
        ("82.72.01 .2001", "8272012001"),
        ("827201200", nil),       // 9 digits
        ("82720120011", nil),     // 11 digits
        ("82-72-01-2001", nil),   // dashes are not removed
        ("82.72.01.200A", nil),
        ("", nil),
        ("..........", nil),
    ]

    @Test(arguments: villageCodes)
    func villageCodeIsTenDigitsAfterDotsAndSpaces(_ text: String, _ expected: String?) {
        #expect(VillageCode.normalise(text) == expected)
    }
}
