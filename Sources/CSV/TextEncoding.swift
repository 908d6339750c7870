/// The character encoding a CSV file was read in (spec §2.1).
public enum TextEncoding: String, Sendable, Hashable {
    /// Valid UTF-8, with or without a byte-order mark.
    case utf8 = "UTF-8"
    /// Not valid UTF-8, so read as Windows-1252 (what Excel on Indonesian Windows writes);
    /// every record is converted to UTF-8 before it reaches the caller.
    case windows1252 = "Windows-1252"
}

/// Checks that a byte stream is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF), fed in blocks of any size.
struct UTF8Validator {
    /// Continuation bytes still expected for the sequence in progress.
    private var pending = 0
    /// The allowed range of the next continuation byte (narrower right after E0, ED, F0, F4).
    private var low: UInt8 = 0x80
    private var high: UInt8 = 0xBF
    private(set) var isValid = true
    /// Whether a whole non-ASCII character was seen, a byte-order mark at the very start aside
    /// (it is dropped from line 1 in either encoding). A sequence still open at the end of a
    /// block does not count yet: its line cannot be complete before the sequence is.
    private(set) var sawNonASCII = false
    /// Bytes consumed so far (only the first three matter, for the byte-order mark).
    private var offset = 0
    /// The sequence in progress started at offset 0 with EF and has followed with BB BF so far.
    private var sequenceIsBOM = false

    /// - Complexity: O(n); 8 bytes per step while the text is ASCII.
    mutating func consume(_ block: UnsafeRawBufferPointer) {
        guard isValid, let start = block.baseAddress else { return }
        let count = block.count
        var i = 0
        while i < count {
            if pending == 0 {
                // ASCII fast path: a whole word without a high bit needs no further look.
                while i + 8 <= count,
                      start.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                }
                guard i < count else { break }
            }
            let byte = start.load(fromByteOffset: i, as: UInt8.self)
            let position = offset + i
            i += 1
            if pending > 0 {
                guard byte >= low, byte <= high else { isValid = false; return }
                pending -= 1
                low = 0x80
                high = 0xBF
                if sequenceIsBOM { sequenceIsBOM = (position == 1 && byte == 0xBB) || (position == 2 && byte == 0xBF) }
                if pending == 0 {
                    if !sequenceIsBOM { sawNonASCII = true }
                    sequenceIsBOM = false
                }
                continue
            }
            if byte >= 0x80 { sequenceIsBOM = position == 0 && byte == 0xEF }
            switch byte {
            case 0x00...0x7F: continue
            case 0xC2...0xDF: pending = 1
            case 0xE0: pending = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: pending = 2
            case 0xED: pending = 2; high = 0x9F
            case 0xF0: pending = 3; low = 0x90
            case 0xF1...0xF3: pending = 3
            case 0xF4: pending = 3; high = 0x8F
            default: isValid = false; return
            }
        }
        offset += count
    }

    /// Whether everything consumed was valid and no sequence was cut off at the end.
    var isComplete: Bool { isValid && pending == 0 }
}

/// Windows-1252 → UTF-8, for files that are not valid UTF-8.
enum Windows1252 {
    /// Code points of 0x80…0x9F; the five bytes Windows leaves undefined map to the C1 controls
    /// of the same value, as the WHATWG encoding standard does. 0xA0…0xFF equal Latin-1.
    private static let high: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// Whether the bytes are all ASCII, in which case they read the same in both encodings.
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte >= 0x80 { return false }
        return true
    }

    /// Appends the UTF-8 form of the Windows-1252 `bytes` to `output`.
    static func transcode(_ bytes: UnsafeRawBufferPointer, into output: inout ByteStorage) {
        for byte in bytes {
            if byte < 0x80 {
                output.append(byte: byte)
                continue
            }
            let scalar = byte < 0xA0 ? UInt32(high[Int(byte - 0x80)]) : UInt32(byte)
            if scalar < 0x800 {
                output.append(byte: UInt8(0xC0 | (scalar >> 6)))
                output.append(byte: UInt8(0x80 | (scalar & 0x3F)))
            } else {
                output.append(byte: UInt8(0xE0 | (scalar >> 12)))
                output.append(byte: UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                output.append(byte: UInt8(0x80 | (scalar & 0x3F)))
            }
        }
    }
}

/// Decides a file's encoding while it is read, so each byte is read once (spec §2.1: UTF-8,
/// else Windows-1252 for the whole file).
///
/// Every block is checked before any of its lines is delivered. While the text is ASCII (a
/// leading byte-order mark aside) nothing needs deciding: ASCII reads the same either way. An
/// invalid byte in that state makes the file Windows-1252 from then on, and the lines already
/// delivered read the same in both. The first other non-ASCII byte forces the decision before
/// its line is delivered: in the last block the block itself decides; otherwise the rest of the
/// input is checked ahead (`rest`, up to its first invalid byte), the one case where bytes are
/// read twice.
struct EncodingDecision {
    private var validator = UTF8Validator()
    private(set) var decided: TextEncoding?
    /// Bytes `rest` read ahead (read twice); 0 in the common case.
    private(set) var checkedAhead = 0

    /// Admits the next block; returns the encoding its lines are to be read in.
    /// - Parameters:
    ///   - isLast: whether no bytes follow `block`.
    ///   - rest: checks the bytes after `block` with the validator given and returns how many it
    ///     read (called at most once).
    mutating func admit(_ block: UnsafeRawBufferPointer, isLast: Bool,
                        rest: (inout UTF8Validator) throws -> Int) rethrows -> TextEncoding {
        if let decided { return decided }
        validator.consume(block)
        if !validator.isValid {
            decided = .windows1252
            return .windows1252
        }
        guard validator.sawNonASCII else { return .utf8 }
        if !isLast { checkedAhead += try rest(&validator) }
        let encoding: TextEncoding = validator.isComplete ? .utf8 : .windows1252
        decided = encoding
        return encoding
    }

    /// The encoding once the whole input was admitted.
    var final: TextEncoding { decided ?? (validator.isComplete ? .utf8 : .windows1252) }
}
