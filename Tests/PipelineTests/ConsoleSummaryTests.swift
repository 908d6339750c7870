import Foundation
import PWSCore
import Testing
import Validate
@testable import Pipeline

/// The console summary of `pws run` / `pws validate` (amendments §A8) and the progress line.
@Suite struct ConsoleSummaryTests {
    static func diagnostic(_ rule: RuleCode, line: Int) -> Diagnostic {
        Diagnostic(location: SourceLocation(source: "layanan/a.csv", line: line), recordID: "r\(line)", rule: rule,
                   field: "f", value: "", message: "m")
    }

    /// Every rule code 100 times: the by-rule lists still take at most 3 lines each.
    @Test func byRuleListWrapsIntoAtMostThreeLines() {
        let diagnostics = RuleCode.allCases.flatMap { rule in (0..<100).map { Self.diagnostic(rule, line: $0) } }
        let lines = ConsoleSummary.byRule("rejects by rule", diagnostics)
        #expect(lines.count <= ConsoleSummary.ruleLines)
        #expect(lines[0].hasPrefix("rejects by rule: "))
        #expect(lines.allSatisfy { $0.count <= ConsoleSummary.width + 40 })
    }

    /// E-DATE 3, E-AREA 1, W-AREA 2: most frequent first, ties by code.
    @Test func byRuleCountsMostFrequentFirst() {
        let d = [Self.diagnostic(.area, line: 1), Self.diagnostic(.date, line: 2), Self.diagnostic(.date, line: 3),
                 Self.diagnostic(.date, line: 4), Self.diagnostic(.sex, line: 5)]
        #expect(ConsoleSummary.byRule("rejects by rule", d) == ["rejects by rule: E-DATE 3, E-AREA 1, E-SEX 1"])
        #expect(ConsoleSummary.byRule("warnings by rule", []) == ["warnings by rule: none"])
    }

    /// The `--verbose` table a report carries: formatted from its accounts when asked for (a
    /// run without `--verbose` never formats it), the file names padded on the right and the
    /// counts on the left to the widest cell of their column, header first, total last.
    @Test func perFileTableIsFormattedFromTheReportsAccounts() {
        var a = FileAccount(source: "layanan/a.csv")
        a.rowsRead = 1_250; a.rowsRejected = 50; a.rowsAccepted = 1_200; a.rowsUsed = 1_190; a.rowsDuplicate = 10
        var b = FileAccount(source: "b.csv")
        b.rowsRead = 7; b.rowsAccepted = 7; b.rowsUsed = 5; b.rowsOutOfPeriod = 2; b.blankRows = 3
        var total = FileAccount(source: "TOTAL")
        total.rowsRead = 1_257; total.rowsRejected = 50; total.rowsAccepted = 1_207; total.rowsUsed = 1_195
        total.rowsDuplicate = 10; total.rowsOutOfPeriod = 2; total.blankRows = 3
        let report = RunReport(exitStatus: .success, lines: [], folder: nil, fileAccounts: [a, b, total])
        #expect(report.perFileLines == [
            "file           read  rejected  accepted  used  duplicate  out_of_period  blank",
            "layanan/a.csv  1250        50      1200  1190         10              0      0",
            "b.csv             7         0         7     5          0              2      3",
            "TOTAL          1257        50      1207  1195         10              2      3",
        ])
        #expect(RunReport(exitStatus: .success, lines: []).perFileLines.isEmpty)  // map, dedup, reduce: no table
    }

    /// The reject rate from the exact counts, two decimals, halves away from zero — as
    /// report.html and pws.xlsx round it (1 of 32 = 3.125 %: 3.13, where `%.2f` gave 3.12).
    @Test func rejectPercentRoundsAsTheReportAndWorkbook() {
        func rate(_ rejected: Int, _ read: Int) -> String {
            var t = FileAccount(source: "TOTAL")
            t.rowsRead = read; t.rowsRejected = rejected
            return ConsoleSummary.rejectPercent(t)
        }
        #expect(rate(1, 32) == "3.13")
        #expect(rate(2, 3) == "66.67")
        #expect(rate(1, 200) == "0.50")
        #expect(rate(1, 20_000) == "0.01")  // 0.005 %: half away from zero
        #expect(rate(1, 20_001) == "0.00")
        #expect(rate(7, 7) == "100.00")
        #expect(rate(0, 0) == "0.00")
    }

    /// 10 s for a quarter of the bytes: 30 s left at that rate.
    @Test func progressEstimatesTimeLeftFromBytes() throws {
        #expect(ProgressMeter.secondsLeft(done: 250, total: 1000, elapsed: 10) == 30)
        #expect(ProgressMeter.secondsLeft(done: 0, total: 1000, elapsed: 10) == nil)
        #expect(ProgressMeter.clock(30) == "0:30")
        #expect(ProgressMeter.clock(3725) == "1:02:05")  // 1 h 2 min 5 s
        var meter = ProgressMeter(filesTotal: 4, bytesTotal: 1000, interval: 1)
        // First file after 10 s: 250 of 1000 bytes, 30 s left; 250 bytes / 10 s = 0.000025 MB/s.
        let shown = meter.fileDone(bytes: 250, rows: 7, elapsed: 10)
        let line = try #require(shown)
        #expect(line == "reading 1/4 files, 7 rows, 0.0 MB/s, about 0:30 left")
        // Within the interval: nothing shown; the last file always is.
        #expect(meter.fileDone(bytes: 250, rows: 1, elapsed: 10.5) == nil)
        #expect(meter.fileDone(bytes: 250, rows: 1, elapsed: 10.6) == nil)
        #expect(meter.fileDone(bytes: 250, rows: 1, elapsed: 10.7)?.hasPrefix("reading 4/4 files, 10 rows") == true)
    }
}
