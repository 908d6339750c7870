import Foundation
import PWSCore
import Testing
@testable import Export

/// The fast path of `indicators.csv` (`IndicatorRowEncoder`): whole rows encoded straight into
/// bytes, the same bytes as the general path (`IndicatorRowFormatter` through `CSVWriter`).
@Suite struct IndicatorRowEncoderTests {
    typealias W = IndicatorsCSVWriterTests

    static func encoder(_ format: OutputFormat) -> IndicatorRowEncoder? {
        IndicatorRowEncoder(cells: IndicatorCells(areas: W.areas, indicators: W.indicators), year: 2025, format: format)
    }

    /// The rows encoded one after another into a buffer, as a worker encodes a block.
    static func encoded(_ figures: [IndicatorFigures], _ encoder: IndicatorRowEncoder) -> [UInt8] {
        var buffer = EncodedBlockBuffer(capacity: 1)  // grows from 4 KiB several times
        for f in figures {
            let out = buffer.reserve(encoder.longestRow)
            let n = encoder.encode(f, to: out)
            #expect(n <= encoder.longestRow)
            buffer.count += n
        }
        return buffer.take()
    }

    /// The general path's data rows (the file without BOM and header).
    static func general(_ figures: [IndicatorFigures], format: OutputFormat) throws -> [UInt8] {
        let file = try W.stream(figures, format: format)
        let ending = format.crlf ? 2 : 1
        let header = IndicatorsCSV.header.joined(separator: String(UnicodeScalar(format.delimiter))).utf8.count + ending
        return Array(file.dropFirst((format.bom ? 3 : 0) + header))
    }

    /// Every area (quoting, formula marks, newline, non-ASCII) × indicator × source, trend,
    /// status, negative and empty numbers, repeated past the buffer's first capacity.
    @Test(arguments: [OutputFormat.standard, .excel,
                      OutputFormat(delimiter: UInt8(ascii: "\t"), decimalComma: true, bom: false, crlf: true)])
    func bytesEqualTheGeneralPath(format: OutputFormat) throws {
        let encoder = try #require(Self.encoder(format))
        let rows = Array(repeating: W.all, count: 20).flatMap { $0 }
        let fast = Self.encoded(rows, encoder)
        #expect(fast.count > 8192)
        #expect(IndicatorsCSVParallelTests.difference(fast, try Self.general(rows, format: format)) == nil)
    }

    /// The row of `IndicatorsCSVWriterTests.oneRowByHand`, spelled out by hand again: quoted
    /// text cells, an empty cumulative numerator, negative percentages.
    @Test func oneRowByHand() throws {
        let f = IndicatorFigures(
            month: 3, area: 3, indicator: 2, numeratorMonth: 12, numeratorPrevMonth: 9, numeratorCumulative: nil,
            denominator: ExactDecimal("40.125"), denominatorSource: .indicator(2),
            coverageMonthPct: Percent(hundredths: 3000), coverageCumulativePct: nil,
            coveragePrevMonthPct: Percent(hundredths: -5), targetAnnualPct: nil,
            targetPct: Percent(hundredths: 10_000), gapPct: Percent(hundredths: -7000), trend: .turun, status: .jelek)
        let standard = String(decoding: Self.encoded([f], try #require(Self.encoder(.standard))), as: UTF8.self)
        #expect(standard == "2025,3,rw,3201012001-001,\"'=HYPERLINK(\"\"x\"\")\",3201012001,\"'-N,D\",monthly,12,,40.13,"
            + "\"'-N,D\",30.00,,-0.05,,100.00,-70.00,turun,jelek\n")
        let excel = String(decoding: Self.encoded([f], try #require(Self.encoder(.excel))), as: UTF8.self)
        #expect(excel == "2025;3;rw;3201012001-001;\"'=HYPERLINK(\"\"x\"\")\";3201012001;'-N,D;monthly;12;;40,13;"
            + "'-N,D;30,00;;-0,05;;100,00;-70,00;turun;jelek\r\n")
        // A row whose every optional cell is empty: the empty cells keep their delimiters, and
        // the last cell (no status) ends the row.
        let empty = IndicatorFigures(
            month: 12, area: 0, indicator: 1, numeratorMonth: 0, numeratorPrevMonth: 0, numeratorCumulative: nil,
            denominator: nil, denominatorSource: .none, coverageMonthPct: nil, coverageCumulativePct: nil,
            coveragePrevMonthPct: nil, targetAnnualPct: nil, targetPct: nil, gapPct: nil, trend: .none, status: .none)
        let line = String(decoding: Self.encoded([empty], try #require(Self.encoder(.standard))), as: UTF8.self)
        #expect(line == "2025,12,kabkota,3201,Kab. Contoh,,D_S,monthly,0,,,,,,,,,,,\n")
        #expect(IndicatorsCSVParallelTests.difference(Array(line.utf8), try Self.general([empty], format: .standard)) == nil)
    }

    /// A dialect where a number would need quoting (decimal comma with `,` as delimiter, or `.`
    /// as delimiter, or a digit as quote) has no fast path; the parallel writer then keeps the
    /// general one and still writes the reference bytes.
    @Test func dialectsWhereNumbersNeedQuotingHaveNoFastPath() throws {
        #expect(Self.encoder(OutputFormat(delimiter: UInt8(ascii: ","), decimalComma: true, bom: false, crlf: false)) == nil)
        #expect(Self.encoder(OutputFormat(delimiter: UInt8(ascii: "."), decimalComma: false, bom: false, crlf: false)) == nil)
        #expect(Self.encoder(OutputFormat(delimiter: UInt8(ascii: "-"), decimalComma: false, bom: false, crlf: false)) == nil)
        #expect(Self.encoder(OutputFormat(delimiter: UInt8(ascii: ";"), decimalComma: true, bom: false, crlf: false)) != nil)

        let odd = OutputFormat(delimiter: UInt8(ascii: ","), decimalComma: true, bom: false, crlf: false)
        let values = IndicatorsCSVParallelTests.small
        let reference = try IndicatorsCSVParallelTests.reference(values, format: odd)
        let out = try IndicatorsCSVParallelTests.parallel(values, format: odd, workers: 2, rowsPerBlock: 37)
        #expect(IndicatorsCSVParallelTests.difference(out.bytes, reference.bytes) == nil)
        // The percentages are quoted there (K1's annual target "95,00"), which the fast path would not do.
        #expect(String(decoding: reference.bytes, as: UTF8.self).contains(",\"95,00\","))
    }
}
