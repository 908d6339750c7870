@testable import Ingest
import Testing

/// ST_Xstring escapes (ECMA-376 §22.9.2.19) in shared and inline strings: `_xHHHH_` is the
/// character, `_x005F_` a literal underscore, a lone surrogate U+FFFD; anything else as written.
@Suite struct XStringEscapesTests {
    func decoded(_ text: String, from start: Int = 0) -> String {
        var bytes = Array(text.utf8)
        XStringEscapes.decode(&bytes, from: start)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func escapesAreDecoded() {
        #expect(decoded("Tegal_x0001_manik") == "Tegal\u{1}manik")
        #expect(decoded("a_x005F_x0001_b") == "a_x0001_b")          // a literal `_x0001_`, escaped by Excel
        #expect(decoded("_x00e9__x00C9_") == "éÉ")                   // hex of either case, back to back
        #expect(decoded("x_xD83D_y") == "x\u{FFFD}y")                 // a lone surrogate
        #expect(decoded("_x12_ _x00G1_ _x0041 _X0041_ x0041_") == "_x12_ _x00G1_ _x0041 _X0041_ x0041_")
        #expect(decoded("tail _x0041") == "tail _x0041")             // cut at the end
        #expect(decoded("_x0041__x0042_", from: 7) == "_x0041_B")    // only from `start`
        #expect(decoded("") == "" && decoded("no underscore") == "no underscore")
    }
}
