// Small byte-level helpers shared by the field decoders. Fields arrive as
// `UnsafeRawBufferPointer` views into the record buffer Ingest reuses; nothing here allocates.

@usableFromInline let asciiZero: UInt8 = 0x30
@usableFromInline let asciiNine: UInt8 = 0x39

/// True for `0`…`9`.
@inlinable @inline(__always)
func isDigit(_ b: UInt8) -> Bool { b &- asciiZero < 10 }

/// True for ASCII letters.
@inlinable @inline(__always)
func isASCIILetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }

/// ASCII lower-casing; other bytes unchanged (so UTF-8 sequences pass through intact).
@inlinable @inline(__always)
func asciiLower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }

/// ASCII upper-casing; other bytes unchanged.
@inlinable @inline(__always)
func asciiUpper(_ b: UInt8) -> UInt8 { b &- 0x61 < 26 ? b & 0xDF : b }

/// Space, tab, CR, LF, VT, FF.
@inlinable @inline(__always)
func isASCIISpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

/// ASCII punctuation: `!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~`.
@inlinable @inline(__always)
func isASCIIPunctuation(_ b: UInt8) -> Bool {
    (b >= 0x21 && b <= 0x2F) || (b >= 0x3A && b <= 0x40) || (b >= 0x5B && b <= 0x60)
        || (b >= 0x7B && b <= 0x7E)
}

/// The bytes with surrounding ASCII whitespace removed, as a range of indices.
@inlinable
func trimmedRange(_ bytes: UnsafeRawBufferPointer) -> Range<Int> {
    var lo = 0, hi = bytes.count
    while lo < hi, isASCIISpace(bytes[lo]) { lo += 1 }
    while hi > lo, isASCIISpace(bytes[hi - 1]) { hi -= 1 }
    return lo..<hi
}

/// Whether `bytes[range]` ends with `suffix`, compared ASCII case-insensitively.
@inlinable
func hasSuffixCaseInsensitive(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>,
                              _ suffix: UnsafeRawBufferPointer) -> Bool {
    guard suffix.count > 0, suffix.count <= range.count else { return false }
    let start = range.upperBound - suffix.count
    for k in 0..<suffix.count where asciiLower(bytes[start + k]) != asciiLower(suffix[k]) {
        return false
    }
    return true
}

/// Runs `body` over the UTF-8 bytes of `text` (the `String` convenience overloads use this).
@inlinable
func withBytes<R>(of text: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    var text = text
    return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
}

/// A `String` made from bytes (only where one is kept or reported).
@inlinable
func makeString(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
}

/// A short decimal rendering of a range bound: `0.5`, `250` (no trailing `.0`).
func formatBound(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
}
