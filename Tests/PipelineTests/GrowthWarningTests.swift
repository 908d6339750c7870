import Aggregate
import Growth
import PWSCore
import Testing
@testable import Pipeline

/// The text of `W-GROWTH` (amendments §A4): each flagged z-score with its measurement, age and
/// limit, and what to check.
@Suite struct GrowthWarningTests {
    static let boy = ServiceEvent(person: 0, record: 0, visit: day("2025-03-20"), birth: day("2024-01-01"), service: 0,
                                  sex: .male, rt: 0, result: 3.0, facilityType: .posyandu)

    static func day(_ text: String) -> Day {
        let p = text.split(separator: "-").map { Int($0)! }
        return Day(year: p[0], month: p[1], day: p[2])!
    }

    @Test func weightForAgeMessage() {
        let flag = GrowthFlag(record: 7, indicator: .weightForAge, z: -8.019049, value: 3.0, lengthRecord: nil,
                              length: nil, ageDays: 444)
        let text = PipelineRunner.growthMessage([flag], event: Self.boy) { _ in "unused" }
        #expect(text == "WAZ -8.02 is implausible (WHO flag: below -6) for weight 3 kg at 444 days — left out of the "
                + "growth indicators and the follow-up list; check the weight (kg), the birth_date and the sex "
                + "(boy, born 2024-01-01)")
    }

    /// WAZ and WHZ of one weight record in one row; WHZ names its length record's file:line.
    @Test func weightForAgeAndWeightForLengthInOneRow() {
        let waz = GrowthFlag(record: 7, indicator: .weightForAge, z: 5.31, value: 19.7, lengthRecord: nil,
                             length: nil, ageDays: 800)
        let whz = GrowthFlag(record: 7, indicator: .weightForLengthHeight, z: 5.004, value: 19.7, lengthRecord: 9,
                             length: 80.5, ageDays: 800)
        let text = PipelineRunner.growthMessage([waz, whz], event: Self.boy) { record in
            record == 9 ? "layanan/2025-03.csv:12" : "?"
        }
        #expect(text == "WAZ 5.31 is implausible (WHO flag: above 5) for weight 19.7 kg at 800 days; "
                + "WHZ 5.00 is implausible (WHO flag: above 5) for weight 19.7 kg with height 80.5 cm "
                + "(layanan/2025-03.csv:12) at 800 days — left out of the growth indicators and the follow-up "
                + "list; check the weight, the length/height, the birth_date and the sex (boy, born 2024-01-01)")
    }

    /// BAZ (no indicator uses it) names the weight and the length/height like WHZ, and asks for
    /// the birth date and sex too (BMI-for-age depends on age).
    @Test func bmiForAgeMessage() {
        let baz = GrowthFlag(record: 7, indicator: .bmiForAge, z: 10.474336, value: 7.0, lengthRecord: 9,
                             length: 45.0, ageDays: 444)
        let text = PipelineRunner.growthMessage([baz], event: Self.boy) { record in
            record == 9 ? "layanan/2025-03.csv:12" : "?"
        }
        #expect(text == "BAZ 10.47 is implausible (WHO flag: above 5) for weight 7 kg with length 45 cm "
                + "(layanan/2025-03.csv:12) at 444 days — no indicator uses BAZ; check the weight, the "
                + "length/height, the birth_date and the sex (boy, born 2024-01-01)")
    }

    @Test func lengthMessageSaysLengthBelow731Days() {
        let haz = GrowthFlag(record: 7, indicator: .lengthHeightForAge, z: -11.327, value: 50, lengthRecord: nil,
                             length: nil, ageDays: 427)
        let text = PipelineRunner.growthMessage([haz], event: Self.boy) { _ in "" }
        #expect(text.hasPrefix("HAZ -11.33 is implausible (WHO flag: below -6) for length 50 cm at 427 days"))
        #expect(text.contains("check the length/height (cm), the birth_date and the sex"))
    }
}
