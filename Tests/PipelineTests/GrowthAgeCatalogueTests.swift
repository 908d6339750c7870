import PWSCore
import Testing
@testable import Aggregate
@testable import Pipeline

/// `age_months` on a growth_zscore indicator (audit P, finding 4): within 0–59, and its
/// denominator indicator counting the same ages — a BGM over a D_S edited to 0–23 months mixed
/// a 0–59 numerator with a 0–23 denominator without a word.
@Suite struct GrowthAgeCatalogueTests {
    static func ds(_ ages: String) -> String {
        "  - {id: D_S, subject: person, scope: monthly, rule: monthly_presence, services: [TIMBANG], \(ages)denominator: balita, target: 80}\n"
    }

    @Test func agesAreReadAndCheckedAgainstTheDenominator() throws {
        let baduta = "  - {id: SB, subject: person, scope: monthly, rule: growth_zscore, measure: length_height_for_age, below: -2, age_months: [0, 23], target: 14}\n"
        let loaded = try EpisodeJoinTests.indicators(baduta)
        #expect((loaded[0].rule.kind as? GrowthZScoreRule)?.ageMonths == 0...23)
        // Over a D_S of the same ages (in years too), and the default pair.
        let bgm = "  - {id: BGM, subject: person, scope: monthly, rule: growth_zscore, measure: weight_for_age, below: -3, denominator: {indicator: D_S}, target: 1}\n"
        let bgmBaduta = "  - {id: BGMB, subject: person, scope: monthly, rule: growth_zscore, measure: weight_for_age, below: -3, age_months: [0, 23], denominator: {indicator: D_S}, target: 1}\n"
        #expect(try EpisodeJoinTests.indicators(Self.ds("age_months: [0, 59], ") + bgm).count == 2)
        #expect(try EpisodeJoinTests.indicators(Self.ds("age_years: [0, 4], ") + bgm).count == 2)
        #expect(try EpisodeJoinTests.indicators(Self.ds("age_months: [0, 23], ") + bgmBaduta).count == 2)

        let cases: [(String, Int, String)] = [
            (Self.ds("age_months: [0, 23], ") + bgm, 4,
             "BGM counts children 0–59 months old, but its denominator D_S counts ages 0–23 months; give D_S the same age_months"),
            (Self.ds("age_months: [0, 59], ") + bgmBaduta, 4, "BGMB counts children 0–23 months old, but its denominator D_S counts ages 0–59 months"),
            // Review 17: a D_S of every age, or of ages in days (0–365 days over BGM's 0–59 months).
            (Self.ds("") + bgm, 4, "BGM counts children 0–59 months old, but its denominator D_S counts every age; give D_S age_months: [0, 59]"),
            (Self.ds("age_days: [0, 365], ") + bgm, 4, "BGM counts children 0–59 completed months old, but its denominator D_S gives its ages in days"),
            (baduta.replacingOccurrences(of: "[0, 23]", with: "[0, 70]"), 3, "SB: age_months of a growth_zscore rule lies within 0–59"),
            (baduta.replacingOccurrences(of: "age_months: [0, 23]", with: "age_years: [0, 1]"), 3,
             "SB: rule growth_zscore takes no record filter (\"age_years\" would be ignored)"),
        ]
        for (yaml, line, message) in cases {
            let error = #expect(throws: PWSError.self) { _ = try EpisodeJoinTests.indicators(yaml) }
            #expect(error?.location?.line == line, "\(yaml)")
            #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        }
    }
}
