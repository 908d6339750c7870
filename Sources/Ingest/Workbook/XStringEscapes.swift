/// The escapes of an OOXML string (ECMA-376 Part 1, §22.9.2.19 ST_Xstring): a character XML
/// cannot hold (a control character such as U+0001) is written `_x0001_`, and a literal `_x`
/// that would read as one is written `_x005F_` before it. Excel writes them in shared and
/// inline strings; read without decoding, a register name with a stray control character came
/// out as `Tegal_x0001_manik` (and pws.xlsx wrote the raw character back).
enum XStringEscapes {
    /// Decodes the escapes of `bytes[start...]` in place: each `_xHHHH_` (four hex digits, any
    /// case) becomes its UTF-16 code unit as UTF-8 — a surrogate, alone, U+FFFD. Never longer.
    static func decode(_ bytes: inout [UInt8], from start: Int = 0) {
        guard start < bytes.count, bytes[start...].contains(0x5F) else { return }
        var read = start, write = start
        let n = bytes.count
        while read < n {
            if bytes[read] == 0x5F, read + 6 < n, bytes[read + 1] == 0x78, bytes[read + 6] == 0x5F,
               let unit = hex4(bytes, read + 2) {
                let scalar = Unicode.Scalar(unit) ?? "\u{FFFD}"
                for b in String(Character(scalar)).utf8 {
                    bytes[write] = b
                    write += 1
                }
                read += 7
            } else {
                bytes[write] = bytes[read]
                write += 1
                read += 1
            }
        }
        bytes.removeLast(n - write)
    }

    private static func hex4(_ b: [UInt8], _ at: Int) -> UInt16? {
        var v: UInt16 = 0
        for k in at..<at + 4 {
            let c = b[k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt16(d)
        }
        return v
    }
}
