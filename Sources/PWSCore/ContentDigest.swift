/// The SHA-256 of a file's bytes and their count, as run.json lists every input (spec §7).
///
/// Computed by the CSV reader on the bytes it reads (so an input is read once), or by Export's
/// `FileDigest` for a file read otherwise. PWSCore only holds the value: the 32 digest bytes
/// inline (no allocation per file; a run keeps one per input file), written out by `hex`.
public struct ContentDigest: Sendable, Hashable {
    /// The digest bytes, 8 a word, the first byte the most significant of word 0.
    public var words: SIMD4<UInt64>
    /// Bytes hashed (the file's size as read).
    public var bytes: Int

    /// The digest `digest` (its first 32 bytes) of `bytes` bytes.
    public init(digest: some Sequence<UInt8>, bytes: Int) {
        var words = SIMD4<UInt64>()
        var i = 0
        for b in digest where i < 32 {
            words[i / 8] |= UInt64(b) << UInt64(56 - 8 * (i % 8))
            i += 1
        }
        self.words = words
        self.bytes = bytes
    }

    /// Lower-case hexadecimal, 64 digits.
    public var hex: String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for k in 0..<4 {
            for shift in stride(from: 60, through: 0, by: -4) {
                out.append(ContentDigest.digits[Int((words[k] >> UInt64(shift)) & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The digest written as `hex` (64 lower-case hexadecimal digits, as `hex` gives them) of
    /// `bytes` bytes; nil for any other text.
    public init?(hex: String, bytes: Int) {
        let text = Array(hex.utf8)
        guard text.count == 64 else { return nil }
        var words = SIMD4<UInt64>()
        for (i, c) in text.enumerated() {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            default: return nil
            }
            words[i / 16] |= UInt64(v) << UInt64(60 - 4 * (i % 16))
        }
        self.words = words
        self.bytes = bytes
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)
}
