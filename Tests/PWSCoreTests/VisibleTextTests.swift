import PWSCore
import Testing

/// `VisibleText.escapingControls`: what could forge or disguise a line, written `\xNN` per
/// UTF-8 byte; everything else, Indonesian and other letters included, kept.
@Suite struct VisibleTextTests {
    @Test(arguments: [
        ("Kunjungan", "Kunjungan"), ("Posyandu Mawar – Maret", "Posyandu Mawar – Maret"), ("", ""),
        ("E\nx", "E\\x0Ax"), ("a\r\tb", "a\\x0D\\x09b"), ("\u{1B}[31mRED", "\\x1B[31mRED"), ("x\u{7F}", "x\\x7F"),
        ("\u{9B}31m", "\\xC2\\x9B31m"), ("\u{202E}live", "\\xE2\\x80\\xAElive"), ("\u{2066}a\u{2069}", "\\xE2\\x81\\xA6a\\xE2\\x81\\xA9"),
        ("\u{200B}zero width", "\u{200B}zero width"),
    ])
    func controlsAreWrittenAsBytes(text: String, expected: String) {
        #expect(VisibleText.escapingControls(text) == expected)
    }
}
