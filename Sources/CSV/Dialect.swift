/// The byte-level rules of the CSV dialect (spec §2.1) that are not libcsv's job.
public enum Dialect {
    static let quote: UInt8 = 0x22
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Delimiter candidates in tie-break order: Indonesian Excel writes `;`, but `,` wins a tie.
    static let delimiterCandidates: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C] // , ; TAB |

    /// The candidate occurring most often outside quotes on the header line; `,` when none does.
    static func sniffDelimiter(_ line: UnsafeRawBufferPointer) -> UInt8 {
        var counts = [0, 0, 0, 0]
        var inQuotes = false
        for byte in line {
            if byte == quote {
                inQuotes.toggle()
            } else if !inQuotes, let k = delimiterCandidates.firstIndex(of: byte) {
                counts[k] += 1
            }
        }
        var best = 0
        for k in 1..<counts.count where counts[k] > counts[best] { best = k }
        return delimiterCandidates[best]
    }

    /// Whether a line holds nothing but whitespace and its line end.
    static func isBlankLine(_ line: UnsafeRawBufferPointer) -> Bool {
        for byte in line where !isASCIIWhitespace(byte) { return false }
        return true
    }

    @inline(__always)
    static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// The cleaned part of a field, as offsets into it: surrounding whitespace (ASCII and the
    /// no-break space U+00A0 that spreadsheets leave) trimmed, one leading `'` (Excel's text
    /// marker) removed, and a lone `-` or `.` made empty.
    /// - Complexity: O(whitespace trimmed); O(1) for an already clean field.
    @inline(__always)
    public static func cleanedRange(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int> {
        if end > start, isClean(first: base[start], last: base[end &- 1], count: end &- start) {
            return start..<end
        }
        var lower = skipLeadingSpace(base, start, end)
        var upper = end
        while upper > lower {
            let last = base[upper - 1]
            if isASCIIWhitespace(last) {
                upper -= 1
            } else if last == 0xA0, upper - 1 > lower, base[upper - 2] == 0xC2 {
                upper -= 2
            } else {
                break
            }
        }
        if lower < upper, base[lower] == 0x27 { // '
            lower = skipLeadingSpace(base, lower + 1, upper)
        }
        if upper - lower == 1, base[lower] == 0x2D || base[lower] == 0x2E { // - or .
            return lower..<lower
        }
        return lower..<upper
    }

    /// The fast path, true for almost every field: two or more bytes and neither end needing a
    /// look (no whitespace, no leading `'`, no no-break space).
    @inline(__always)
    static func isClean(first: UInt8, last: UInt8, count: Int) -> Bool {
        count >= 2 && first > 0x20 && first != 0x27 && first != 0xC2 && last > 0x20 && last != 0xA0
    }

    @inline(__always)
    private static func skipLeadingSpace(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var i = start
        while i < end {
            if isASCIIWhitespace(base[i]) {
                i += 1
            } else if base[i] == 0xC2, i + 1 < end, base[i + 1] == 0xA0 {
                i += 2
            } else {
                break
            }
        }
        return i
    }
}
