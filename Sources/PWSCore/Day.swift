/// A calendar date as days since 1970-01-01 (proleptic Gregorian). Small, comparable, and
/// cheap to subtract: the date type of every event.
public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var raw: Int32

    public init(raw: Int32) { self.raw = raw }

    /// The date for a civil year, month (1–12) and day, or nil when it does not exist (31/02).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(month: month, year: year) else {
            return nil
        }
        raw = Int32(Day.daysFromCivil(year: year, month: month, day: day))
    }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.raw < rhs.raw }

    /// Days from `self` to `other` (positive when `other` is later).
    @inlinable public func days(to other: Day) -> Int { Int(other.raw) - Int(raw) }

    /// The date `n` days later.
    @inlinable public func adding(days n: Int) -> Day { Day(raw: raw + Int32(n)) }

    /// Year, month and day of this date.
    ///
    /// - Complexity: O(1): a table read for 1900–2099 (every row converts two or three dates),
    ///   the arithmetic of `civilFromDays` outside it.
    @inlinable
    public var civil: (year: Int, month: Int, day: Int) {
        let i = Int(raw) &- Day.tableStart
        if i >= 0 && i < Day.tableCount {
            let packed = Day.civilTable[i]
            return (Int(packed >> 9), Int((packed >> 5) & 15), Int(packed & 31))
        }
        return Day.civilFromDays(Int(raw))
    }

    /// Days since 1970 of 1900-01-01, the first day of `civilTable`.
    @usableFromInline static let tableStart = -25_567
    /// Days in 1900–2099.
    @usableFromInline static let tableCount = 73_049
    /// Per day of 1900–2099: `year << 9 | month << 5 | day`. Allocated once, never freed.
    // nonisolated(unsafe): a pointer is not Sendable; the table is filled once by this
    // initializer (a lazy global, so exactly once) and only read afterwards, from any thread.
    @usableFromInline nonisolated(unsafe) static let civilTable: UnsafePointer<UInt32> = {
        let table = UnsafeMutablePointer<UInt32>.allocate(capacity: tableCount)
        for i in 0..<tableCount {
            let c = civilFromDays(tableStart + i)
            table[i] = UInt32(c.year) << 9 | UInt32(c.month) << 5 | UInt32(c.day)
        }
        return UnsafePointer(table)
    }()

    public var year: Int { civil.year }
    public var month: Int { civil.month }

    /// ISO `YYYY-MM-DD` (the year in at least four digits: `0001-01-01`).
    public var description: String {
        let c = civil
        return "\(Day.yearText(c.year))-\(c.month < 10 ? "0" : "")\(c.month)-\(c.day < 10 ? "0" : "")\(c.day)"
    }

    /// A year in at least four digits (`0001`), as ISO dates write it.
    static func yearText(_ year: Int) -> String {
        guard year >= 0 && year < 1000 else { return String(year) }
        let digits = String(year)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    @usableFromInline
    static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// A reporting month (year and month 1–12), ordered in time.
public struct YearMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    public init(_ day: Day) {
        let c = day.civil
        self.init(year: c.year, month: c.month)
    }

    /// Parses `YYYY-MM`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, (1...2).contains(parts[1].count),
              let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) else { return nil }
        self.init(year: y, month: m)
    }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    /// The month before (December of the year before for January).
    public var previous: YearMonth { month == 1 ? YearMonth(year: year - 1, month: 12) : YearMonth(year: year, month: month - 1) }

    public var firstDay: Day { Day(year: year, month: month, day: 1)! }
    public var lastDay: Day { Day(year: year, month: month, day: Day.daysIn(month: month, year: year))! }

    /// `YYYY-MM` (the year in at least four digits).
    public var description: String { "\(Day.yearText(year))-\(month < 10 ? "0" : "")\(month)" }
}
