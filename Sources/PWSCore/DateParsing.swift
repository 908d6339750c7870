extension Day {
    /// Reads a date in one of the two forms spec §2.1 allows, straight from field bytes.
    ///
    /// Accepted: year-month-day (`2025-03-04`, `2025/3/4`) or day-month-year (`04/03/2025`,
    /// `4-3-2025`); the separator is `-` or `/` and the same in both places; day and month have
    /// one or two digits, the year exactly four. A space or `T` may follow, and then anything
    /// (a time), which is ignored. Nothing else is a date: two-digit years, month names,
    /// month-first US order, spreadsheet serial numbers and dates that do not exist (31/02/2025,
    /// 29/02/2023) all give nil.
    ///
    /// - Parameter bytes: the cleaned field (trimmed, Excel's leading `'` already removed).
    /// - Complexity: O(1): at most ten bytes are looked at before the optional suffix, which is
    ///   not read.
    @inlinable
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Day? {
        let n = bytes.count
        guard n >= 8 else { return nil }  // shortest: `2025-3-4`, `4-3-2025`
        // The first run of digits decides the order: 4 digits = year first, 1–2 = day first.
        var i = 0
        var first = 0
        while i < n, i < 5, isDigit(bytes[i]) {
            first = first * 10 + Int(bytes[i] &- asciiZero)
            i += 1
        }
        let firstLength = i
        guard i < n else { return nil }
        let separator = bytes[i]
        guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/") else { return nil }
        i += 1

        @inline(__always) func number(_ minLength: Int, _ maxLength: Int) -> Int? {
            var value = 0
            let start = i
            while i < n, i - start < maxLength, isDigit(bytes[i]) {
                value = value * 10 + Int(bytes[i] &- asciiZero)
                i += 1
            }
            return i - start >= minLength ? value : nil
        }
        @inline(__always) func skipSeparator() -> Bool {
            guard i < n, bytes[i] == separator else { return false }
            i += 1
            return true
        }

        let year: Int, month: Int, day: Int
        switch firstLength {
        case 4:
            year = first
            guard let m = number(1, 2), skipSeparator(), let d = number(1, 2) else { return nil }
            month = m
            day = d
        case 1, 2:
            day = first
            guard let m = number(1, 2), skipSeparator(), let y = number(4, 4) else { return nil }
            month = m
            year = y
        default:
            return nil
        }
        // After the date: the end, or a space/`T` and anything. A further digit means the last
        // number ran on (`2025-03-045`, `04/03/20251`), which is not a date.
        if i < n {
            let next = bytes[i]
            guard next == UInt8(ascii: " ") || next == UInt8(ascii: "T") else { return nil }
        }
        return Day(year: year, month: month, day: day)
    }

    /// Reads a date from text; see ``parse(_:)-(UnsafeRawBufferPointer)`` for the forms.
    public static func parse(_ text: String) -> Day? {
        withBytes(of: text) { parse($0) }
    }
}
