import Testing
@testable import PWSCore

@Suite struct DayParsingTests {
    /// (text, year, month, day): every form §2.1 allows.
    static let valid: [(String, Int, Int, Int)] = [
        ("2025-03-04", 2025, 3, 4),
        ("2025/3/4", 2025, 3, 4),
        ("2025/03/04", 2025, 3, 4),
        ("04/03/2025", 2025, 3, 4),
        ("4-3-2025", 2025, 3, 4),
        ("4/03/2025", 2025, 3, 4),
        ("2025-3-4T10:00", 2025, 3, 4),
        ("04/03/2025 08:00", 2025, 3, 4),
        ("2025-03-04T", 2025, 3, 4),
        ("2025-03-04 anything at all", 2025, 3, 4),
        ("2024-02-29", 2024, 2, 29),       // 2024 is a leap year
        ("29/02/2000", 2000, 2, 29),       // divisible by 400: leap
        ("31/12/2025", 2025, 12, 31),
        ("2025-04-30", 2025, 4, 30),
        ("1/1/1950", 1950, 1, 1),
    ]

    @Test(arguments: valid)
    func readsAllowedForms(_ text: String, _ year: Int, _ month: Int, _ d: Int) {
        #expect(Day.parse(text) == day(year, month, d))
        #expect(bytes(text) { Day.parse($0) } == day(year, month, d))
    }

    static let invalid: [String] = [
        "25-03-04",          // two-digit year
        "03/04/25",          // two-digit year
        "2025-13-01",        // month 13
        "2025-00-10",        // month 0
        "00/03/2025",        // day 0
        "31/02/2025",        // no 31 February
        "29/02/2023",        // 2023 not a leap year
        "29/02/1900",        // divisible by 100, not by 400: not leap
        "31/04/2025",        // April has 30 days
        "2025-04-31",
        "12/31/2025",        // US month-first order is not accepted
        "44927",             // spreadsheet serial number
        "2025-03/04",        // mixed separators
        "04-03/2025",
        "2025.03.04",        // dot is not a separator
        "20250304",
        "2025-003-04",       // three-digit month
        "2025-03-045",       // day runs on
        "04/03/20251",       // five-digit year
        "004/03/2025",
        "03-2025-04",
        "4 Mar 2025",        // month names
        "4-Mar-2025",
        "2025-03-04x",       // only a space or T may follow
        "2025-03-04_10:00",
        "",
        "-",
        "2025-3",
    ]

    @Test(arguments: invalid)
    func rejectsEverythingElse(_ text: String) {
        #expect(Day.parse(text) == nil)
    }

    /// ISO text with a four-digit year, also before year 1000 (a visit dated 0001-01-01 was
    /// reported as "1-01-01").
    @Test func descriptionHasAFourDigitYear() {
        #expect(day(1, 1, 1).description == "0001-01-01")
        #expect(day(999, 12, 31).description == "0999-12-31")
        #expect(day(2025, 3, 4).description == "2025-03-04")
        #expect(YearMonth(year: 1, month: 2).description == "0001-02")
        #expect(YearMonth(year: 2025, month: 11).description == "2025-11")
    }

    @Test func readsOnlyTheFieldItIsGiven() {
        // The field is the first 10 bytes of a longer record buffer; the byte after it is a digit
        // that would make the day run on if the parser read past the end.
        let record = Array("2025-03-041;x".utf8)
        let parsed = record.withUnsafeBytes { Day.parse(UnsafeRawBufferPointer(rebasing: $0[0..<10])) }
        #expect(parsed == day(2025, 3, 4))
    }
}

/// `Day.civil` reads a table for 1900–2099: it must agree with the arithmetic everywhere,
/// and the dates just outside the table must still convert.
@Suite struct DayCivilTableTests {
    @Test func tableAgreesWithArithmeticOnEveryDay() {
        for raw in (Day.tableStart - 3)..<(Day.tableStart + Day.tableCount + 3) {
            let d = Day(raw: Int32(raw))
            let c = d.civil, e = Day.civilFromDays(raw)
            #expect(c.year == e.year && c.month == e.month && c.day == e.day)
        }
    }

    @Test func tableEdges() {
        #expect(Day(year: 1900, month: 1, day: 1)!.raw == Int32(Day.tableStart))
        #expect(Day(year: 1899, month: 12, day: 31)!.description == "1899-12-31")
        #expect(Day(year: 2099, month: 12, day: 31)!.description == "2099-12-31")
        #expect(Day(year: 2100, month: 1, day: 1)!.description == "2100-01-01")
        #expect(Day(year: 2024, month: 2, day: 29)!.description == "2024-02-29")
        #expect(Day(raw: 0).description == "1970-01-01")
    }
}
