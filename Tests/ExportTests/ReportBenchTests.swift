import Foundation
import Testing
import PWSCore
@testable import Export

/// Size and time of the report for a whole district, and sample pages for `.ci/browser-check`.
///
/// The full-size run (300 villages × 19 indicators × 12 months) is opt-in, since a debug build
/// takes long: `PWS_REPORT_BENCH=/tmp/district.html swift test -c release --filter ReportBenchTests`
/// (see `bench/report/run`). `PWS_REPORT_SAMPLE=/tmp/sample.html` writes the small test page.
@Suite struct ReportBenchTests {
    @Test func writesSamplePageWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["PWS_REPORT_SAMPLE"] else { return }
        let html = try ReportRenderer.render(ReportFixture.small())
        try html.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A small catalogue-sized district always runs: the page grows with the areas, not worse.
    @Test func sizeGrowsLinearlyWithVillages() throws {
        let small = try ReportRenderer.render(ReportFixture.district(
            puskesmas: 1, villagesPer: 3, rws: 3, rts: 3, indicators: ReportFixture.catalogue, months: 12))
        let double = try ReportRenderer.render(ReportFixture.district(
            puskesmas: 2, villagesPer: 3, rws: 3, rts: 3, indicators: ReportFixture.catalogue, months: 12))
        // 19 indicators × (1 trend + 1 or 2 PWS charts).
        #expect(small.occurrences(of: "<svg class=\"chart") == 38)
        #expect(double.occurrences(of: "<svg class=\"chart") == 57)
        let perVillage = (double.utf8.count - small.utf8.count) / 3
        // One village with 3 RW × 3 RT across 19 indicators: well under 40 KB of page.
        #expect(perVillage < 40_000, "\(perVillage) bytes per village")
    }

    /// Where render time goes for the 300-village district: indexing the rows, building the
    /// model (tables and charts written as HTML), and the Mustache page around them.
    /// `PWS_REPORT_TIMING=1 swift test -c release -Xswiftc -enable-testing --filter timingBreakdown`
    @Test func timingBreakdown() throws {
        guard ProcessInfo.processInfo.environment["PWS_REPORT_TIMING"] != nil else { return }
        let input = ReportFixture.district(puskesmas: 25, villagesPer: 12, rws: 5, rts: 4,
                                           indicators: ReportFixture.catalogue, months: 12)
        let clock = ContinuousClock()
        for _ in 0..<3 {
            var builder: ReportBuilder?
            let index = clock.measure { builder = ReportBuilder(input) }
            var model: PageModel?
            let build = clock.measure { model = builder!.build() }
            var html = ""
            let render = try clock.measure { html = try ReportRenderer.render(input) }
            let template = render - index - build
            print("timing: index \(index), build \(build), template ≈ \(template), whole render \(render), "
                  + "\(html.utf8.count) bytes, \(model!.sections.count) sections")
        }
    }

    @Test func districtOfThreeHundredVillages() throws {
        guard let path = ProcessInfo.processInfo.environment["PWS_REPORT_BENCH"] else { return }
        var input = ReportFixture.district(puskesmas: 25, villagesPer: 12, rws: 5, rts: 4,
                                           indicators: ReportFixture.catalogue, months: 12)
        let clock = ContinuousClock()
        for depth in ReportDrillDown.allCases {
            input.drillDown = depth
            var html = ""
            let elapsed = try clock.measure { html = try ReportRenderer.render(input) }
            if depth == .rt { try html.write(toFile: path, atomically: true, encoding: .utf8) }
            let mib = Double(html.utf8.count) / 1_048_576
            print("report bench: \(input.rows.count) rows (300 villages, 1500 RW, 6000 RT, 19 indicators, 12 months),"
                  + " drill-down \(depth): \(html.utf8.count) bytes (\(String(format: "%.2f", mib)) MiB) in \(elapsed)")
            #expect(html.occurrences(of: "<svg class=\"chart") == 19 * 26)
        }
    }
}
