import Growth
import PWSCore
import PWSTestSupport
import Testing
@testable import Aggregate

/// `Aggregator.growthReview`: the follow-up list of the as-of month (§A4) and the flagged
/// z-scores (W-GROWTH). As-of month m = 2025-03; boys born 2024-01-01 (14 completed months on
/// 2025-03-31) unless said otherwise. z-scores by hand as in `GrowthMonthTests`.
@Suite struct GrowthReviewTests {
    struct Fixture {
        var world = TestCatalogue.world([])
        var records: [String: Int] = [:]

        mutating func add(_ name: String, _ service: String, _ date: String, _ kg: Float?,
                          born: String = "2024-01-01", rt: String = World.rt1) {
            records[name + " " + date + " " + service] = world.add(service, name, date, born: born, rt: rt,
                                                                   sex: .male, result: kg)
        }

        func review(workers: Int = 1) -> GrowthReview {
            Aggregator.growthReview(events: world.set, services: WHOTables.services, standards: WHOTables.standards,
                                    asOf: YearMonth(year: 2025, month: 3), workers: workers)
        }

        func person(_ name: String) -> UInt32 {
            (0..<UInt32(world.set.personIDs.count)).first { world.set.personIDs[$0] == name }!
        }
    }

    static func fixture() -> Fixture {
        var f = Fixture()
        // WAZ of 7.0 kg at day 444: −3 + (7.0 − 7.33259)/(8.19581 − 7.33259) = −3.38528 → BGM.
        f.add("bgm", "TIMBANG", "2025-03-20", 7.0)
        // 10.0 → 9.8 → 9.8: T in March (9.8 ≤ 9.8) and February's 9.8 ≤ January's 10.0 → 2T.
        f.add("dua_t", "TIMBANG", "2025-01-15", 10.0)
        f.add("dua_t", "TIMBANG", "2025-02-15", 9.8)
        f.add("dua_t", "TIMBANG", "2025-03-15", 9.8)
        // 10.0 → 10.2 → 10.1: T in March, but February went up: not 2T, not listed.
        f.add("naik_lalu", "TIMBANG", "2025-01-15", 10.0)
        f.add("naik_lalu", "TIMBANG", "2025-02-15", 10.2)
        f.add("naik_lalu", "TIMBANG", "2025-03-15", 10.1)
        // HAZ of 71.0 cm at day 427: (71/78.0817 − 1)/0.03175 = −2.85657 → STUNTING; never weighed,
        // so not "not weighed for 2 months".
        f.add("pendek", "UKUR_TB", "2025-03-03", 71.0, rt: World.rt2)
        // WHZ of 8.0 kg at 75.0 cm: −2.14001 → WASTING; WAZ −2.11288 is above −3: no BGM.
        f.add("kurus", "TIMBANG", "2025-03-03", 8.0)
        f.add("kurus", "UKUR_TB", "2025-03-03", 75.0)
        // Weighed in December (m−3) only, then in January (m−2) only: both "not weighed 2 months".
        f.add("hilang", "TIMBANG", "2024-12-15", 9.0, rt: World.rt4)
        f.add("hilang_jan", "TIMBANG", "2025-01-15", 9.0)
        // Weighed in February (m−1): not listed.
        f.add("feb", "TIMBANG", "2025-02-15", 9.0)
        // Born 2020-01-15: 59 months in December 2024, 61 on 2025-03-01: not listed.
        f.add("tua", "TIMBANG", "2024-12-20", 15.0, born: "2020-01-15")
        // WAZ of 3.0 kg at day 444 = −8.01905, flagged: no BGM, a W-GROWTH flag.
        f.add("salah", "TIMBANG", "2025-03-20", 3.0)
        return f
    }

    @Test func followUpListOfTheAsOfMonth() throws {
        let f = Self.fixture()
        let review = f.review()
        var byName: [String: FollowUpChild] = [:]
        for child in review.followUp { byName[f.world.set.personIDs[child.person]] = child }
        #expect(byName.keys.sorted() == ["bgm", "dua_t", "hilang", "hilang_jan", "kurus", "pendek"])
        #expect(byName["bgm"]?.reasons == .bgm)
        #expect(byName["dua_t"]?.reasons == .twoT)
        #expect(byName["pendek"]?.reasons == .stunting)
        #expect(byName["kurus"]?.reasons == .wasting)
        #expect(byName["hilang"]?.reasons == .notWeighedTwoMonths)
        #expect(byName["hilang_jan"]?.reasons == .notWeighedTwoMonths)

        let bgm = try #require(byName["bgm"])
        #expect(bgm.ageMonths == 14 && bgm.areaRecord == f.records["bgm 2025-03-20 TIMBANG"])
        #expect(near(bgm.lastWeight?.z, -3.38528))
        #expect(bgm.lastLength == nil && bgm.lastWeightForLength == nil)

        let kurus = try #require(byName["kurus"])
        #expect(near(kurus.lastWeightForLength?.z, -2.14001))
        #expect(near(kurus.lastWeight?.z, -2.11288))

        // The last weight of a child not weighed lately is December's, at day 349:
        // wfa boys day 349 → WAZ of 9.0 kg = −0.51669; the list's area is that record's RT.
        let hilang = try #require(byName["hilang"])
        #expect(hilang.lastWeight?.day == day("2024-12-15") && hilang.lastWeight?.value == 9.0)
        #expect(near(hilang.lastWeight?.z, -0.51669))
        #expect(hilang.areaRecord == f.records["hilang 2024-12-15 TIMBANG"])
        #expect(f.world.set.events[hilang.areaRecord].rt == 3)  // World.rt4

        let pendek = try #require(byName["pendek"])
        #expect(pendek.lastWeight == nil && near(pendek.lastLength?.z, -2.85657))
    }

    /// Audit P, finding 2: the list's limits are the catalogue's `below:` of BGM, STUNTING and
    /// WASTING. With BGM at −2 and STUNTING at −3: kurus (WAZ −2.11288, WHZ −2.14001) is BGM
    /// and WASTING; pendek (HAZ −2.85657) is no longer listed; bgm (WAZ −3.38528) stays BGM.
    @Test func theListFollowsTheCataloguesLimits() throws {
        let f = Self.fixture()
        func definition(_ id: String, _ rule: IndicatorRule) -> IndicatorDefinition {
            IndicatorDefinition(id: id, name: id, subject: .person, scope: .monthly, rule: rule, targetGroup: nil,
                                denominatorIndicator: nil, targetHundredths: nil)
        }
        let limits = Aggregator.followUpThresholds([
            definition("BGM", .growthZScore(.weightForAge, below: -2)),
            definition("STUNTING", .growthZScore(.lengthHeightForAge, below: -3)),
            // Another measure under the id: §A4's limit stays.
            definition("WASTING", .growthZScore(.weightForAge, below: -1)),
        ])
        #expect(limits.bgm == -2 && limits.stunting == -3 && limits.wasting == -2)
        #expect(Aggregator.followUpThresholds([]) == FollowUpThresholds())
        let review = Aggregator.growthReview(events: f.world.set, services: WHOTables.services, standards: WHOTables.standards,
                                             asOf: YearMonth(year: 2025, month: 3), thresholds: limits, workers: 1)
        var byName: [String: FollowUpReasons] = [:]
        for child in review.followUp { byName[f.world.set.personIDs[child.person]] = child.reasons }
        #expect(byName["kurus"] == [.bgm, .wasting])
        #expect(byName["pendek"] == nil)
        #expect(byName["bgm"] == .bgm)
        #expect(byName.keys.sorted() == ["bgm", "dua_t", "hilang", "hilang_jan", "kurus"])
    }

    @Test func flaggedZScoresAreListedNotCounted() throws {
        let f = Self.fixture()
        let review = f.review()
        #expect(review.flags.count == 1)
        let flag = try #require(review.flags.first)
        #expect(flag.record == f.records["salah 2025-03-20 TIMBANG"])
        #expect(flag.indicator == .weightForAge && flag.value == 3.0 && flag.ageDays == 444 && flag.lengthRecord == nil)
        #expect(abs(flag.z - -8.01905) < 1e-4)
        #expect(!review.followUp.contains { $0.person == f.person("salah") })
    }

    /// A BGM weight and an implausible length on one date: BGM stands (WAZ −3.38528 is not
    /// flagged); HAZ of 45.0 cm at day 444 ((45/78.6973 − 1)/0.03187 = −13.43548) and WHZ of 7.0 kg
    /// at 45.0 cm (wfl boys 45.0: M 2.441, far above +5) are flagged — HAZ at the length record,
    /// WHZ at the weight record naming the length record — so no STUNTING, no WASTING. BAZ too:
    /// BMI 7.0 / 0.45² = 34.56790, bfa boys day 444 L −0.4769, M 16.4871, S 0.07944, restricted
    /// tail 3 + (34.56790 − SD3)/(SD3 − SD2) = 10.47434 (SDk = M·(1 + L·S·k)^(1/L)), at the weight
    /// record; no indicator uses BAZ, so it only warns.
    @Test func flaggedWHZAndHAZBesideBGM() throws {
        var f = Fixture()
        f.add("campur", "TIMBANG", "2025-03-20", 7.0)
        f.add("campur", "UKUR_TB", "2025-03-20", 45.0)
        let review = f.review()
        let child = try #require(review.followUp.first)
        #expect(review.followUp.count == 1 && child.reasons == .bgm)
        #expect(child.lastLength?.flagged == true && child.lastWeightForLength?.flagged == true)
        #expect(review.flags.map(\.indicator) == [.lengthHeightForAge, .weightForLengthHeight, .bmiForAge])
        let haz = review.flags[0], whz = review.flags[1], baz = review.flags[2]
        #expect(baz.record == f.records["campur 2025-03-20 TIMBANG"] && abs(baz.z - 10.47434) < 1e-4)
        #expect(baz.lengthRecord == f.records["campur 2025-03-20 UKUR_TB"] && baz.value == 7.0 && baz.length == 45.0)
        #expect(haz.record == f.records["campur 2025-03-20 UKUR_TB"] && abs(haz.z - -13.43548) < 1e-4)
        #expect(whz.record == f.records["campur 2025-03-20 TIMBANG"] && whz.z > 5)
        #expect(whz.lengthRecord == f.records["campur 2025-03-20 UKUR_TB"] && whz.length == 45.0)
    }

    /// Flags come from every month up to the as-of month, not only m; none after it.
    @Test func flagsOfEveryMonthUpToAsOf() {
        var f = Fixture()
        f.add("a", "TIMBANG", "2024-11-20", 3.0)   // day 324: WAZ far below −6
        f.add("a", "TIMBANG", "2025-03-20", 9.5)
        f.add("a", "TIMBANG", "2025-04-20", 3.0)   // after the as-of month: not read
        let review = f.review()
        #expect(review.flags.map(\.record) == [f.records["a 2024-11-20 TIMBANG"]!])
    }

    /// The result does not depend on the number of workers.
    @Test func workersDoNotChangeTheResult() {
        let f = Self.fixture()
        let one = f.review(workers: 1), three = f.review(workers: 3)
        #expect(one.followUp == three.followUp && one.flags == three.flags)
    }

    @Test func reasonCodesInTheListOrder() {
        let all: FollowUpReasons = [.notWeighedTwoMonths, .wasting, .bgm, .twoT, .stunting]
        #expect(all.text == "BGM 2T STUNTING WASTING TIDAK_DITIMBANG_2_BULAN")
        #expect(FollowUpReasons.twoT.text == "2T")
    }
}
