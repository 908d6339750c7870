import Foundation
import PWSCore
import Testing
@testable import Export

/// `indicators.csv` written a row at a time from `IndicatorFigures` (`IndicatorsCSVWriter`).
@Suite struct IndicatorsCSVWriterTests {
    // MARK: numbers

    static func int(_ n: Int) -> String {
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: 32)
        defer { out.deallocate() }
        return String(decoding: UnsafeBufferPointer(start: out, count: NumberText.write(n, to: out)), as: UTF8.self)
    }

    static func pct(_ hundredths: Int, mark: UInt8 = UInt8(ascii: ".")) -> String {
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: 32)
        defer { out.deallocate() }
        let n = NumberText.write(Percent(hundredths: hundredths), decimalMark: mark, to: out)
        return String(decoding: UnsafeBufferPointer(start: out, count: n), as: UTF8.self)
    }

    static func denominator(_ d: ExactDecimal, mark: UInt8 = UInt8(ascii: ".")) -> String {
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: 48)
        defer { out.deallocate() }
        let n = NumberText.write(d, decimalMark: mark, to: out)
        return String(decoding: UnsafeBufferPointer(start: out, count: n), as: UTF8.self)
    }

    /// Denominators (spec §A1): at most 2 decimals, half away from zero, trailing zeros and
    /// mark dropped, as `ExactDecimal.outputText` spells them; the largest value fits the room.
    @Test(arguments: ["96", "101.2", "1018.5", "12.375", "0.05", "0.004", "99.996", "7.0444", "-2.345", "0",
                      "170141183460469231731687303715884105727", "0.000000000000000000000000000001",
                      "1701411834604692317316873037.1588410572"])
    func denominatorsAreSpelledAsOutputTextDoes(text: String) throws {
        let d = try #require(ExactDecimal(text))
        #expect(Self.denominator(d) == d.outputText())
        #expect(Self.denominator(d, mark: UInt8(ascii: ",")) == d.outputText(decimalMark: ","))
    }

    /// Hand-checked spellings of the above.
    @Test func denominatorSpellings() {
        #expect(Self.denominator(ExactDecimal("12.375")!) == "12.38")
        #expect(Self.denominator(ExactDecimal("101.20")!, mark: UInt8(ascii: ",")) == "101,2")
        #expect(Self.denominator(ExactDecimal("0.05")!) == "0.05")
        #expect(Self.denominator(ExactDecimal("99.996")!) == "100")
        #expect(Self.denominator(ExactDecimal("-2.345")!) == "-2.35")
    }

    @Test(arguments: [(0, "0"), (7, "7"), (-5, "-5"), (10, "10"), (-100, "-100"), (1_234_567_890_123, "1234567890123"),
                      (Int.max, "9223372036854775807"), (Int.min, "-9223372036854775808")])
    func integersAreSpelledAsStringDoes(value: Int, text: String) {
        #expect(Self.int(value) == text)
        #expect(String(value) == text)
    }

    /// Two decimals, half away from zero already applied (hundredths): the sign goes before the
    /// integer part even when it is 0 (`-0.05`), and 100 % is `100.00`.
    @Test(arguments: [(0, "0.00"), (1, "0.01"), (-1, "-0.01"), (5, "0.05"), (-5, "-0.05"), (99, "0.99"),
                      (-99, "-0.99"), (100, "1.00"), (10_000, "100.00"), (-10_000, "-100.00"), (1235, "12.35"),
                      (-12_345, "-123.45"), (123_456_789, "1234567.89")])
    func percentagesAreSpelledAsPercentTextDoes(hundredths: Int, text: String) {
        #expect(Self.pct(hundredths) == text)
        #expect(Percent(hundredths: hundredths).text == text)
        #expect(Self.pct(hundredths, mark: UInt8(ascii: ",")) == text.replacingOccurrences(of: ".", with: ","))
    }

    // MARK: rows

    /// Areas whose texts need every rule: quoting (delimiter of either format, quote, newline),
    /// the formula guard (`=`, `+`, `-`, `@`), and non-ASCII.
    static let areas = [
        OutputArea(level: .kabkota, code: "3201", name: "Kab. Contoh", parentCode: ""),
        OutputArea(level: .puskesmas, code: "PKM01", name: "Puskesmas \"Satu\"", parentCode: "3201"),
        OutputArea(level: .desa, code: "3201012001", name: "Suka;maju, Kidul", parentCode: "320101"),
        OutputArea(level: .rw, code: "3201012001-001", name: "=HYPERLINK(\"x\")", parentCode: "3201012001"),
        OutputArea(level: .rt, code: "-3201", name: "@RT\n001 Čibening", parentCode: "+62"),
    ]
    static let indicators = [
        IndicatorInfo(id: "K1", name: "K1", scope: "lifetime", subject: "pregnancy", denominator: "bumil",
                      targetAnnual: Percent(hundredths: 10_000)),
        IndicatorInfo(id: "D_S", name: "D/S", scope: "monthly", subject: "person", denominator: "balita",
                      targetAnnual: Percent(hundredths: 8000)),
        IndicatorInfo(id: "-N,D", name: "N/D", scope: "monthly", subject: "person", denominator: "indicator:D_S",
                      targetAnnual: nil),
    ]

    static func figures(month: Int, area: Int, indicator: Int, n: Int, source: DenominatorSource,
                        denominator: Int?, gap: Int?, trend: IndicatorTrend, status: IndicatorStatus) -> IndicatorFigures {
        IndicatorFigures(month: month, area: area, indicator: indicator, numeratorMonth: n, numeratorPrevMonth: 0,
                         numeratorCumulative: indicator == 0 ? n * 2 : nil, denominator: denominator.map { ExactDecimal($0) },
                         denominatorSource: source, coverageMonthPct: denominator.map { _ in Percent(hundredths: 250) },
                         coverageCumulativePct: indicator == 0 ? Percent(hundredths: 500) : nil,
                         coveragePrevMonthPct: Percent(hundredths: -5), targetAnnualPct: Percent(hundredths: 10_000),
                         targetPct: Percent(hundredths: 1667), gapPct: gap.map { Percent(hundredths: $0) },
                         trend: trend, status: status)
    }

    /// Every area × indicator, with every source, trend and status somewhere.
    static let all: [IndicatorFigures] = {
        let sources: [DenominatorSource] = [.sasaran, .sum, .estimate, .indicator(1), .none]
        let trends: [IndicatorTrend] = [.naik, .tetap, .turun, .none]
        let statuses: [IndicatorStatus] = [.baik, .kurang, .cukup, .jelek, .none]
        var list: [IndicatorFigures] = []
        var k = 0
        for month in 1...2 {
            for a in areas.indices {
                for i in indicators.indices {
                    let source = sources[k % sources.count]
                    list.append(figures(month: month, area: a, indicator: i, n: k * 37 - 5, source: source,
                                        denominator: source == .none ? nil : k * 1000, gap: k % 3 == 0 ? nil : -k * 7,
                                        trend: trends[k % trends.count], status: statuses[k % statuses.count]))
                    k += 1
                }
            }
        }
        return list
    }()

    static func temporaryPath() -> String { NSTemporaryDirectory() + "pws-indicators-\(UUID().uuidString).csv" }

    static func stream(_ figures: [IndicatorFigures], format: OutputFormat) throws -> [UInt8] {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try IndicatorsCSVWriter(path: path, format: format, year: 2025, areas: areas, indicators: indicators)
        for f in figures { try writer.write(f) }
        try writer.close()
        #expect(writer.rows == figures.count)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func row(_ f: IndicatorFigures) -> IndicatorRow {
        IndicatorRow(f, year: 2025, area: areas[f.area], indicators: indicators)
    }

    /// How `indicators.csv` was written before rows were streamed: a `String` per cell, every cell
    /// through `CellText.safe` and `TableWriter`. Kept here as the reference for the bytes.
    static func stringPath(_ rows: [IndicatorRow], format: OutputFormat) throws -> [UInt8] {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let table = try TableWriter(path: path, header: IndicatorsCSV.header, format: format)
        func pct(_ p: Percent?) -> String { p.map { format.decimal($0.text) } ?? "" }
        for r in rows {
            try table.row([String(r.year), String(r.month), r.level.rawValue, r.areaCode, r.areaName, r.parentCode,
                           r.indicator, r.scope, String(r.numeratorMonth), r.numeratorCumulative.map(String.init) ?? "",
                           r.denominator.map(String.init) ?? "", r.denominatorSource, pct(r.coverageMonthPct),
                           pct(r.coverageCumulativePct), pct(r.coveragePrevMonthPct), pct(r.targetAnnualPct),
                           pct(r.targetPct), pct(r.gapPct), r.trend, r.status])
        }
        try table.close()
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test(arguments: [OutputFormat.standard, .excel])
    func streamedBytesEqualTheStringPath(format: OutputFormat) throws {
        let streamed = try Self.stream(Self.all, format: format)
        #expect(streamed == (try Self.stringPath(Self.all.map(Self.row), format: format)))
    }

    /// The digest taken while writing is the file's: BOM and header included, across many
    /// buffer flushes (the rows repeated past the 256 KiB write buffer).
    @Test(arguments: [OutputFormat.standard, .excel])
    func digestWhileWritingIsTheFilesDigest(format: OutputFormat) throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try IndicatorsCSVWriter(path: path, format: format, year: 2025, areas: Self.areas,
                                             indicators: Self.indicators)
        let once = try Self.stream(Self.all, format: format).count
        for _ in 0...(300_000 / once) {
            for f in Self.all { try writer.write(f) }
        }
        try writer.close()
        let file = try FileDigest.sha256(path: path)
        #expect(writer.digest.hex == file.hex)
        #expect(writer.digest.bytes == file.bytes)
        #expect(file.bytes > 256 * 1024)
        if format == .excel {
            #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(3)) == [0xEF, 0xBB, 0xBF])
        }
    }

    @Test(arguments: [OutputFormat.standard, .excel])
    func materialisedRowsWriteTheSameBytes(format: OutputFormat) throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let n = try IndicatorsCSV.write(Self.all.map(Self.row), to: path, format: format)
        #expect(n == Self.all.count)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == (try Self.stream(Self.all, format: format)))
    }

    /// One row spelled out by hand: the RW "=HYPERLINK(…)" gets a leading `'` and is quoted (it
    /// holds `"`); the indicator `-N,D` is text, not a number, so it gets a `'` too, and is
    /// quoted in the standard format (it holds `,`) but not for Excel (`;`). Numbers keep their
    /// `-` without a `'`; the denominator source of an indicator is its (safe) id.
    @Test func oneRowByHand() throws {
        let f = IndicatorFigures(
            month: 3, area: 3, indicator: 2, numeratorMonth: 12, numeratorPrevMonth: 9, numeratorCumulative: nil,
            denominator: 40, denominatorSource: .indicator(2), coverageMonthPct: Percent(hundredths: 3000),
            coverageCumulativePct: nil, coveragePrevMonthPct: Percent(hundredths: -5), targetAnnualPct: nil,
            targetPct: Percent(hundredths: 10_000), gapPct: Percent(hundredths: -7000), trend: .turun, status: .jelek)
        let standard = String(decoding: try Self.stream([f], format: .standard), as: UTF8.self)
        #expect(standard == IndicatorsCSV.header.joined(separator: ",") + "\n"
            + "2025,3,rw,3201012001-001,\"'=HYPERLINK(\"\"x\"\")\",3201012001,\"'-N,D\",monthly,12,,40,\"'-N,D\","
            + "30.00,,-0.05,,100.00,-70.00,turun,jelek\n")
        let excel = try Self.stream([f], format: .excel)
        #expect(Array(excel.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: excel.dropFirst(3), as: UTF8.self) == IndicatorsCSV.header.joined(separator: ";") + "\r\n"
            + "2025;3;rw;3201012001-001;\"'=HYPERLINK(\"\"x\"\")\";3201012001;'-N,D;monthly;12;;40;'-N,D;"
            + "30,00;;-0,05;;100,00;-70,00;turun;jelek\r\n")
    }

    /// The RT's name holds a newline and a formula mark; its code is a negative number (kept as is)
    /// and its parent `+62` too.
    @Test func quotedNewlineAndNumberLikeCodes() throws {
        let f = Self.figures(month: 1, area: 4, indicator: 0, n: 1, source: .estimate, denominator: 7, gap: 0,
                             trend: .tetap, status: .baik)
        let text = String(decoding: try Self.stream([f], format: .standard), as: UTF8.self)
        #expect(text.hasSuffix("\n2025,1,rt,-3201,\"'@RT\n001 Čibening\",+62,K1,lifetime,1,2,7,estimate,"
            + "2.50,5.00,-0.05,100.00,16.67,0.00,tetap,baik\n"))
    }
}
