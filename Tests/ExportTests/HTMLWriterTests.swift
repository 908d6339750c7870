import Foundation
import Testing
import PWSCore
@testable import Export

@Suite struct HTMLWriterTests {
    static func written(_ write: (inout HTMLWriter) -> Void) -> String {
        var w = HTMLWriter()
        write(&w)
        return w.html.markup
    }

    @Test(arguments: [
        (#"<b>Desa & "Baru"</b>"#, "&lt;b&gt;Desa &amp; &quot;Baru&quot;&lt;/b&gt;"),
        ("Ma'arif", "Ma&#39;arif"),
        ("Cimanggu Ⅱ — é ✓ 👩🏽‍⚕️", "Cimanggu Ⅱ — é ✓ 👩🏽‍⚕️"),
        ("&amp;", "&amp;amp;"),
        ("", ""),
        ("<<>>", "&lt;&lt;&gt;&gt;"),
        // A quote or bracket followed by a combining mark is one Character ("≯", "\"̸"); an
        // escaper that compares Characters lets the byte through and the quote ends an attribute.
        ("x\"\u{338} onmouseover=alert(1)", "x&quot;\u{338} onmouseover=alert(1)"),
        ("<\u{338}script>", "&lt;\u{338}script&gt;"),
        ("=HYPERLINK(\"a\")", "=HYPERLINK(&quot;a&quot;)"),
        // Control characters (a NUL in a facility id) are not HTML text: U+FFFD each; tab and
        // line ends stay.
        ("PS\u{0}Y1\u{1B}[0m\u{7F}", "PS\u{FFFD}Y1\u{FFFD}[0m\u{FFFD}"),
        ("a\tb\r\nc", "a\tb\r\nc"),
        // C1 controls too (two bytes in UTF-8); other two-byte letters stay.
        ("x\u{85}y\u{9F}é\u{A0}", "x\u{FFFD}y\u{FFFD}é\u{A0}"),
        // The noncharacters U+FFFE and U+FFFF (three bytes), which fail an HTML parse; U+FFFD
        // and U+FFFC stay.
        ("a\u{FFFE}b\u{FFFF}\u{FFFD}\u{FFFC}", "a\u{FFFD}b\u{FFFD}\u{FFFD}\u{FFFC}"),
    ])
    func textIsEscapedByteByByte(input: String, expected: String) {
        #expect(Self.written { $0.text(input) } == expected)
        #expect(Self.written { $0.text(Substring(input)) } == expected)
    }

    /// Every other noncharacter too — U+FDD0–U+FDEF and the last two of each plane, which
    /// HTML's parser refuses as U+FFFE (a file name holding U+FDD0 failed the report's strict
    /// parse); their neighbours (U+FDCF, U+FDF0, U+1FFFD, U+10000) stay. (Built from scalars:
    /// Swift takes some of them in no string literal.)
    @Test func everyNoncharacterIsReplaced() {
        func text(_ values: [UInt32]) -> String { String(String.UnicodeScalarView(values.map { Unicode.Scalar($0)! })) }
        let input = text([0xFDD0, 0xFDEF, 0xFDCF, 0xFDF0, 0x1FFFE, 0x2FFFF, 0x10FFFF, 0x1FFFD, 0x10000, 0x41])
        let expected = text([0xFFFD, 0xFFFD, 0xFDCF, 0xFDF0, 0xFFFD, 0xFFFD, 0xFFFD, 0x1FFFD, 0x10000, 0x41])
        #expect(Self.written { $0.text(input) } == expected)
    }

    @Test func rawWritesLiteralsAsTheyAre() {
        #expect(Self.written { $0.raw("<td class=sb>"); $0.text("<"); $0.raw("</tr>") } == "<td class=sb>&lt;</tr>")
    }

    @Test(arguments: [
        (0, "0"), (7, "7"), (999, "999"), (1_000, "1.000"), (1_250, "1.250"), (12_345, "12.345"),
        (100_001, "100.001"), (1_234_567, "1.234.567"), (-1_000, "-1.000"), (-5, "-5"),
    ])
    func countsHaveThousandsDots(n: Int, expected: String) {
        #expect(Self.written { $0.count(n) } == expected)
        #expect(ReportText.int(n) == expected)
    }

    /// Sasaran (spec §A1) the Indonesian way: thousands dots, at most 2 decimals after a comma,
    /// half away from zero, trailing zeros dropped; a whole one as `count` writes it.
    @Test(arguments: [
        ("96", "96"), ("1018.5", "1.018,5"), ("101.2", "101,2"), ("12345.678", "12.345,68"), ("0.05", "0,05"),
        ("0.004", "0"), ("99.996", "100"), ("1234567.25", "1.234.567,25"), ("-0.5", "-0,5"), ("7.0444", "7,04"),
        // Beyond Int (it trapped on a negative count of zeros): the digits, without dots.
        ("80000000000000000000", "80000000000000000000"), ("80000000000000000000.5", "80000000000000000000,5"),
        ("80000000000000000000.004", "80000000000000000000"),
    ])
    func sasaranHasThousandsDotsAndADecimalComma(value: String, expected: String) {
        #expect(Self.written { $0.sasaran(ExactDecimal(value)) } == expected)
    }

    @Test func missingSasaranIsADash() {
        #expect(Self.written { $0.sasaran(nil) } == "–")
    }

    @Test(arguments: [(0, "0"), (10, "10"), (1_000_000, "1000000"), (-340, "-340"), (Int.max, "\(Int.max)")])
    func plainIntegers(n: Int, expected: String) {
        #expect(Self.written { $0.int(n) } == expected)
    }

    @Test(arguments: [
        (5_714, "57,14", "+57,14"), (10_000, "100,00", "+100,00"), (5, "0,05", "+0,05"), (0, "0,00", "0,00"),
        (-350, "-3,50", "-3,50"), (-1_200, "-12,00", "-12,00"), (123_456, "1234,56", "+1234,56"),
    ])
    func percentagesHaveTheDecimalComma(hundredths: Int, pct: String, gap: String) {
        let p = Percent(hundredths: hundredths)
        #expect(Self.written { $0.pct(p) } == pct)
        #expect(Self.written { $0.gap(p) } == gap)
        // The same text as the CSVs, with a comma.
        #expect(pct == p.text.replacingOccurrences(of: ".", with: ","))
    }

    @Test func undefinedValuesAreADash() {
        #expect(Self.written { $0.count(nil) } == "–")
        #expect(Self.written { $0.pct(nil) } == "–")
        #expect(Self.written { $0.gap(nil) } == "–")
    }

    @Test(arguments: [(57.14, "57,1"), (57.25, "57,3"), (0, "0,0"), (100, "100,0"), (-3.46, "-3,5"), (9.96, "10,0")])
    func chartLabelsHaveOneDecimal(v: Double, expected: String) {
        #expect(Self.written { $0.oneDecimal(v) } == expected)
        #expect(ReportCharts.oneDecimal(v) == expected)
    }

    @Test func cellsCarryValueLetterClassLinkAndTip() {
        let table = Table(tcls: "drill", caption: "A & B", head: [HeadRow(hcells: [
            Head(ht: "Wilayah", rowspan: 2), Head(ht: "K1", colspan: 2, htip: "Kunjungan \"pertama\"", hc: "main"),
        ])], rows: [
            TRow(rc: "total", th: Cell(t: .text("Desa <X>"), href: "#rinci-1"), cells: [
                Cell(t: .fraction(714, 1_250), letter: "B", c: "sb"),
                Cell(t: .pct(Percent(hundredths: 5_712)), tip: .text("K1: baik")),
            ]),
            TRow(rc: nil, th: Cell(t: .literal("RT 001")), cells: [Cell(t: .share(87.5)), Cell(t: .literal("–")),
                                                                   Cell(t: .count(1_250), c: "h2", tip: .records(1_250, persons: 980))]),
        ])
        let html = Self.written { $0.table(table) }
        #expect(html == """
            <div class="scroll"><table class="drill"><caption>A &amp; B</caption><thead><tr>\
            <th scope="col" rowspan="2">Wilayah</th>\
            <th scope="col" colspan="2" title="Kunjungan &quot;pertama&quot;" class="main">K1</th></tr></thead><tbody>
            <tr class="total"><th><a href="#rinci-1">Desa &lt;X&gt;</a><td class=sb>714/1.250 B<td title="K1: baik">57,12</tr>
            <tr><th>RT 001<td>87,5 %<td>–<td class=h2 title="1.250 catatan, 980 orang">1.250</tr>
            </tbody></table></div>
            """)
    }

    /// `{{{…}}}` places markup unescaped, so the template may use it only for `HTML` fragments
    /// that `HTMLWriter` escaped; `{{&…}}` (the other unescaped form) not at all.
    @Test func templatePlacesOnlyFragmentsUnescaped() throws {
        for (name, text) in ReportTemplates.all {
            #expect(!text.contains("{{&"), "\(name)")
            let regex = try NSRegularExpression(pattern: #"\{\{\{\s*([^}\s]+)\s*\}\}\}"#)
            let names = regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
                String(text[Range($0.range(at: 1), in: text)!])
            }
            #expect(Set(names) == ReportTemplates.fragmentNames, "\(name)")
        }
        // And each of those names answers an HTML fragment.
        let model = ReportBuilder(ReportFixture.small()).build()
        let section = try #require(model.sections.first)
        let drill = try #require(model.drill.first)
        for name in ["trendChart", "trendTable", "groups"] {
            #expect(section.child(named: name) is HTML, "\(name)")
        }
        #expect(drill.child(named: "villages") is HTML)
        #expect(model.child(named: "summary") is HTML)
        for name in ["byRule", "bySource", "completeness"] {
            #expect(model.quality.child(named: name) is HTML, "\(name)")
        }
    }
}
