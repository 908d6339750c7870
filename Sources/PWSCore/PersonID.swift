/// Person identifiers (spec §2.4 `person_id`, §3 `E-PERSON`, `W-NIK`, masking).
public enum PersonID {
    /// What kind of identifier a usable `person_id` is.
    public enum Kind: Sendable, Hashable {
        /// A 16-digit NIK (separators removed).
        case nik
        /// Any other identifier (a register number, a passport…), kept as written.
        case other
    }

    /// Why a `person_id` cannot be used (`E-PERSON`); `reason` says what to fix.
    public struct Problem: Error, Sendable, Hashable {
        public var reason: String
        public init(reason: String) { self.reason = reason }
    }

    /// A usable identifier and its kind (the `String` overload's answer).
    public struct Normalised: Sendable, Hashable {
        public var id: String
        public var kind: Kind
        public init(id: String, kind: Kind) {
            self.id = id
            self.kind = kind
        }
    }

    /// Normalises `bytes` into `output` (cleared first; the caller reuses it between records).
    ///
    /// When the id is made of digits, spaces, dots and dashes only (and has a digit), the
    /// separators are removed and the rest must be a NIK: 16 digits, not all the same digit.
    /// Any other id is kept as written and must contain a letter or digit.
    ///
    /// - Complexity: O(n) in the field length; no allocation once `output` has grown to fit.
    public static func normalise(_ bytes: UnsafeRawBufferPointer,
                                 into output: inout [UInt8]) -> Result<Kind, Problem> {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: repeatElement(0, count: max(bytes.count, 1)))
        var written = 0
        let result = output.withUnsafeMutableBufferPointer {
            normalise(bytes, into: $0.baseAddress!, written: &written)
        }
        output.removeLast(output.count - written)
        return result
    }

    /// `normalise(_:into:)` writing into `output`, which has room for `bytes.count` bytes, and
    /// setting `written` to the number of bytes of the normalised id (the validation hot path:
    /// no array to resize per row).
    ///
    /// - Complexity: O(n) in the field length; no allocation.
    @inlinable
    public static func normalise(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>,
                                 written: inout Int) -> Result<Kind, Problem> {
        var digits = 0
        var separators = 0
        var numeric = true
        for b in bytes {
            if isDigit(b) {
                digits += 1
            } else if b == UInt8(ascii: " ") || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") {
                separators += 1
            } else {
                numeric = false
                break
            }
        }
        if numeric && digits > 0 {
            if separators == 0 {
                output.update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: digits)
            } else {
                var n = 0
                for b in bytes where isDigit(b) {
                    output[n] = b
                    n += 1
                }
            }
            written = digits
            guard digits == 16 else { return .failure(nikLength(digits)) }
            var same = true
            for k in 1..<16 where output[k] != output[0] {
                same = false
                break
            }
            if same { return .failure(nikPlaceholder(output[0])) }
            return .success(.nik)
        }
        if let src = bytes.baseAddress, !bytes.isEmpty {
            output.update(from: src.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
        written = bytes.count
        if !hasLetterOrDigit(bytes) {
            return .failure(Problem(reason: "has no letter or digit: enter the NIK or another "
                + "identifier of the person"))
        }
        return .success(.other)
    }

    @usableFromInline
    static func nikLength(_ digits: Int) -> Problem {
        Problem(reason: "has \(digits) digit\(digits == 1 ? "" : "s"); a NIK "
            + "has 16: check for a missing or extra digit, or give another id with letters")
    }

    @usableFromInline
    static func nikPlaceholder(_ digit: UInt8) -> Problem {
        Problem(reason: "is 16 times the digit \(Character(Unicode.Scalar(digit))), "
            + "a placeholder rather than a NIK: enter the person's real NIK")
    }

    /// Normalises `text`; see ``normalise(_:into:)``.
    public static func normalise(_ text: String) -> Result<Normalised, Problem> {
        var output: [UInt8] = []
        return withBytes(of: text) { bytes in
            normalise(bytes, into: &output).map {
                Normalised(id: String(decoding: output, as: UTF8.self), kind: $0)
            }
        }
    }

    @usableFromInline
    static func hasLetterOrDigit(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var nonASCII = false
        for b in bytes {
            if isDigit(b) || isASCIILetter(b) { return true }
            if b >= 0x80 { nonASCII = true }
        }
        guard nonASCII else { return false }
        // Rare: an id in another script. Ask Unicode.
        return String(decoding: bytes, as: UTF8.self).unicodeScalars.contains {
            $0.properties.isAlphabetic || $0.properties.numericType != nil
        }
    }

    /// A disagreement between a NIK and the record's birth date or sex (`W-NIK`).
    public struct NIKMismatch: Sendable, Hashable {
        /// The NIK's day, month or two-digit year differs from `birth_date`.
        public var birthDate: Bool
        /// Day + 40 (woman) or not (man) differs from `sex`.
        public var sex: Bool
        /// What disagrees and what to check, for `warnings.csv`.
        public var message: String
    }

    /// Checks a normalised 16-digit NIK against the record: digits 7–12 are the birth date as
    /// DDMMYY, with 40 added to the day for women. Nil when they agree (or `nik` is not 16
    /// digits, which ``normalise(_:into:)`` rejects before this is asked).
    ///
    /// - Complexity: O(1); allocates only for the message of a mismatch.
    public static func checkNIK(_ nik: UnsafeRawBufferPointer, birth: Day, sex: Sex) -> NIKMismatch? {
        guard nik.count == 16, nik.allSatisfy(isDigit) else { return nil }
        @inline(__always) func pair(_ i: Int) -> Int { Int(nik[i] &- asciiZero) * 10 + Int(nik[i + 1] &- asciiZero) }
        var day = pair(6)
        let month = pair(8), year = pair(10)
        let nikSex: Sex = day > 40 ? .female : .male
        if day > 40 { day -= 40 }
        let b = birth.civil
        let dateDiffers = day != b.day || month != b.month || year != b.year % 100
        let sexDiffers = nikSex != sex
        guard dateDiffers || sexDiffers else { return nil }

        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var parts: [String] = []
        if dateDiffers {
            parts.append("birth date \(two(day))-\(two(month))-\(two(year)) but birth_date is "
                + "\(two(b.day))-\(two(b.month))-\(two(b.year % 100))")
        }
        if sexDiffers {
            parts.append("sex \(nikSex.code) but sex is \(sex.code)")
        }
        let digits = makeString(nik, 6..<12)
        let message = "NIK digits 7–12 \"\(digits)\" give " + parts.joined(separator: " and ")
            + ": check the NIK, birth_date and sex against the person's KTP/KK"
        return NIKMismatch(birthDate: dateDiffers, sex: sexDiffers, message: message)
    }

    /// Checks a NIK given as text; see ``checkNIK(_:birth:sex:)``.
    public static func checkNIK(_ nik: String, birth: Day, sex: Sex) -> NIKMismatch? {
        withBytes(of: nik) { checkNIK($0, birth: birth, sex: sex) }
    }

    /// The id as `rejects.csv`/`warnings.csv` show it by default (spec §3): ids of 7 or more
    /// characters keep their first 4 and last 2 with `*` between (`3271**********01`); shorter
    /// ids are all `*`. Characters, not bytes, are counted.
    public static func mask(_ id: String) -> String {
        let characters = Array(id)
        guard characters.count >= 7 else { return String(repeating: "*", count: characters.count) }
        return String(characters[..<4]) + String(repeating: "*", count: characters.count - 6)
            + String(characters[(characters.count - 2)...])
    }

    /// Digits a run must have to be taken for an identifier inside other text: a NIK's 16.
    public static let embeddedIdentifierDigits = 16

    /// `text` with every number that may be a NIK masked like a person id (spec §3; §A8): a run
    /// of at least 16 digits, possibly split by single spaces, dots, dashes or underscores as
    /// NIKs are written (`3271 0112 0395 0001`, `PSY_3271_0112_0395_0001`), keeps its first 4
    /// and last 2 digits and shows `*` for everything between. For cells that can hold any
    /// part of a raw line — a record id read from a row that broke the dialect, a value, a
    /// message quoting one — so no NIK leaves in rejects.csv or warnings.csv unless the run
    /// keeps identifiers. Shorter numbers (dates,
    /// record ids such as `2410-0009-00059`) are left as they are.
    /// - Complexity: O(n); returns `text` itself when it has fewer than 16 digits.
    public static func maskEmbeddedIdentifiers(_ text: String) -> String {
        var digits = 0
        for b in text.utf8 where b >= 48 && b <= 57 { digits += 1 }
        guard digits >= embeddedIdentifierDigits else { return text }
        var utf8 = Array(text.utf8)
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        // The bytes of a separator at `j`, 0 for none: a space, `.`, `-` or `_` as NIKs are
        // typed (and as ids are joined); a tab or NUL; a no-break space (U+00A0, what a copy
        // from Excel or the web gives) and the narrow, figure, thin and hair spaces (U+202F,
        // U+2007, U+2009, U+200A).
        func separator(at j: Int) -> Int {
            switch utf8[j] {
            case 32, 46, 45, 95, 9, 0: return 1
            case 0xC2 where j + 1 < utf8.count && utf8[j + 1] == 0xA0: return 2
            case 0xE2 where j + 2 < utf8.count && utf8[j + 1] == 0x80 && [0xAF, 0x87, 0x89, 0x8A].contains(utf8[j + 2]):
                return 3
            default: return 0
            }
        }
        var changed = false
        var i = 0
        while i < utf8.count {
            guard isDigit(utf8[i]) else { i += 1; continue }
            // The run: digits, with single separators between digits.
            var end = i
            var digitPositions: [Int] = []
            while end < utf8.count {
                if isDigit(utf8[end]) {
                    digitPositions.append(end)
                    end += 1
                } else if case let n = separator(at: end), n > 0, end + n < utf8.count, isDigit(utf8[end + n]) {
                    end += n
                } else {
                    break
                }
            }
            if digitPositions.count >= embeddedIdentifierDigits {
                let first = digitPositions[3] + 1
                let last = digitPositions[digitPositions.count - 2]
                for k in first..<last { utf8[k] = UInt8(ascii: "*") }
                changed = true
            }
            i = end
        }
        return changed ? String(decoding: utf8, as: UTF8.self) : text
    }

    /// `name` — an input file's path, as outputs and the console show it — with every run of
    /// 16 or more digits in a row masked like a person id (`layanan/2025-11_ibu-3201**********01.csv`,
    /// a file per mother), and a NIK written in its usual groups, split by single spaces, dots,
    /// dashes or underscores: 4-4-4-4 (`3201 0115 0520 9050`, as on the card), 6-6-4
    /// (`320101-150520-9050`) and 2-2-2-6-4 (`32.01.01.150520.9050`, province, regency, district,
    /// birth date, number). Unlike `maskEmbeddedIdentifiers`, other groupings of 16 digits stay:
    /// a name such as `2025-11-3201012001.csv` (a month and a village code, 4-2-10) or an RT code
    /// in a message (`3201012001-001-001`, 10-3-3) is not a NIK.
    /// - Complexity: O(n); returns `name` itself when nothing is masked.
    public static func maskIdentifiersInName(_ name: String) -> String {
        var digits = 0
        for b in name.utf8 where b >= 48 && b <= 57 { digits += 1 }
        guard digits >= embeddedIdentifierDigits else { return name }
        var utf8 = Array(name.utf8)
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        func isSeparator(_ b: UInt8) -> Bool { b == 32 || b == 46 || b == 45 || b == 95 }
        var changed = false
        // Stars from after the 4th digit of `groups` to before its second-last (16 digits or
        // more, so the range is never empty), separators included.
        func mask(_ groups: ArraySlice<Range<Int>>) {
            var positions: [Int] = []
            for g in groups { positions += Array(g) }
            for k in (positions[3] + 1)..<positions[positions.count - 2] { utf8[k] = UInt8(ascii: "*") }
            changed = true
        }
        var i = 0
        while i < utf8.count {
            guard isDigit(utf8[i]) else { i += 1; continue }
            // A run of digit groups joined by single separators.
            var groups: [Range<Int>] = []
            var end = i
            while true {
                let start = end
                while end < utf8.count, isDigit(utf8[end]) { end += 1 }
                groups.append(start..<end)
                guard end + 1 < utf8.count, isSeparator(utf8[end]), isDigit(utf8[end + 1]) else { break }
                end += 1
            }
            for g in groups.indices where groups[g].count >= embeddedIdentifierDigits { mask(groups[g...g]) }
            // Every alignment: in `2025_3201_0115_0520_9050` the first four groups match too, and
            // masking only them would show the NIK's last six digits.
            for g in groups.indices {
                for pattern in Self.nikGroupings where g + pattern.count <= groups.count
                    && zip(pattern, groups[g..<g + pattern.count]).allSatisfy({ $0 == $1.count }) {
                    mask(groups[g..<g + pattern.count])
                }
            }
            i = end
        }
        return changed ? String(decoding: utf8, as: UTF8.self) : name
    }

    /// The groups a NIK is written in with separators (`maskIdentifiersInName`).
    static let nikGroupings: [[Int]] = [[4, 4, 4, 4], [6, 6, 4], [2, 2, 2, 6, 4]]
}
