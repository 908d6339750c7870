/// RW and RT labels as spec §2.5 normalises them.
public enum AreaLabel {
    /// The normalised label, or nil when nothing is left (`E-REQUIRED`).
    ///
    /// Case-insensitively drops one leading `RW` or `RT`, then whitespace and punctuation at
    /// both ends. All digits: written as an integer zero-padded to 3 (`1`, `01`, `RT.001`,
    /// `rt 1`, `0001` → `001`; `1234` stays `1234`). Otherwise upper-cased with the inner
    /// characters kept (`01A` → `01A`, `rt 2b` → `2B`).
    ///
    /// The result is short, so Swift stores it inline: no allocation for labels of up to 15 bytes.
    ///
    /// A label holding a run of 16 or more digits is a NIK typed in the wrong column, not an RW
    /// or RT: the run is masked as a person id is (`3171**********05`,
    /// `PersonID.maskEmbeddedIdentifiers`), so the area it makes in every output — indicators,
    /// report, workbook, tindak-lanjut — never shows the number (spec §7: no person identifier in
    /// an output but rejects and warnings).
    ///
    /// - Complexity: O(n) in the field length.
    public static func normalise(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard let label = normaliseUnmasked(bytes) else { return nil }
        return label.utf8.count < PersonID.embeddedIdentifierDigits ? label : PersonID.maskEmbeddedIdentifiers(label)
    }

    private static func normaliseUnmasked(_ bytes: UnsafeRawBufferPointer) -> String? {
        var lo = 0, hi = bytes.count
        if hi - lo >= 2, asciiLower(bytes[0]) == UInt8(ascii: "r"),
           asciiLower(bytes[1]) == UInt8(ascii: "w") || asciiLower(bytes[1]) == UInt8(ascii: "t") {
            lo = 2
        }
        while lo < hi, isASCIISpace(bytes[lo]) || isASCIIPunctuation(bytes[lo]) { lo += 1 }
        while hi > lo, isASCIISpace(bytes[hi - 1]) || isASCIIPunctuation(bytes[hi - 1]) { hi -= 1 }
        guard lo < hi else { return nil }

        var allDigits = true
        for k in lo..<hi where !isDigit(bytes[k]) {
            allDigits = false
            break
        }
        if allDigits {
            // Leading zeros go as text, so a label longer than an Int can hold still works.
            while hi - lo > 1, bytes[lo] == asciiZero { lo += 1 }
            let padding = max(0, 3 - (hi - lo))
            return String(repeating: "0", count: padding) + makeString(bytes, lo..<hi)
        }
        var isASCII = true
        for k in lo..<hi where bytes[k] >= 0x80 {
            isASCII = false
            break
        }
        if !isASCII { return makeString(bytes, lo..<hi).uppercased() }
        return String(unsafeUninitializedCapacity: hi - lo) { out in
            for k in lo..<hi { out[k - lo] = asciiUpper(bytes[k]) }
            return hi - lo
        }
    }

    /// The normalised label of `text`, or nil when nothing is left.
    public static func normalise(_ text: String) -> String? {
        withBytes(of: text) { normalise($0) }
    }
}

/// Kemendagri village codes (spec §2.2): 10 digits `PPKKCCDDDD`, dots and spaces allowed.
public enum VillageCode {
    /// The 10-digit code with dots and spaces removed, or nil when what is left is not exactly
    /// 10 digits (`E-AREA`; a register error in `wilayah.csv`).
    ///
    /// - Complexity: O(n) in the field length; the 10-byte result is stored inline, without
    ///   allocation.
    public static func normalise(_ bytes: UnsafeRawBufferPointer) -> String? {
        var digits: (UInt64, UInt64) = (0, 0)  // 16 bytes of scratch, enough for 10 digits
        var count = 0
        let ok = withUnsafeMutableBytes(of: &digits) { scratch -> Bool in
            for b in bytes {
                if b == UInt8(ascii: ".") || b == UInt8(ascii: " ") { continue }
                guard isDigit(b), count < 10 else { return false }
                scratch[count] = b
                count += 1
            }
            return count == 10
        }
        guard ok else { return nil }
        return withUnsafeBytes(of: &digits) { makeString($0, 0..<10) }
    }

    /// The 10-digit code of `text`, or nil.
    public static func normalise(_ text: String) -> String? {
        withBytes(of: text) { normalise($0) }
    }
}
