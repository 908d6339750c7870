import PWSCore
import Testing
@testable import Aggregate

/// `RulePlan` answers as `RecordFilter.matches` does, for every kind of condition.
@Suite struct RulePlanTests {
    static let services = TestCatalogue.services
    static func code(_ c: String) -> UInt16 { services.index(of: c)! }

    /// Filters covering each condition alone and combined, including an empty facility set
    /// (matches nothing) and a service index past the first 64 (a second mask word).
    static let filters: [RecordFilter] = {
        var list: [RecordFilter] = [RecordFilter()]
        var f = RecordFilter()
        f.services = [code("ANC"), code("SKILAS")]
        list.append(f)
        f = RecordFilter()
        f.sex = .female
        f.age = AgeLimit(unit: .years, min: 15, max: 59)
        list.append(f)
        f = RecordFilter()
        f.age = AgeLimit(unit: .months, min: nil, max: 59)
        list.append(f)
        f = RecordFilter()
        f.age = AgeLimit(unit: .days, min: 3, max: nil)
        f.facilityTypes = [.puskesmas, .rumahSakit]
        list.append(f)
        f = RecordFilter()
        f.facilityTypes = []
        list.append(f)
        f = RecordFilter()
        f.providers = [.dokter, .bidan]
        f.services = [code("PERSALINAN")]
        list.append(f)
        f = RecordFilter()
        f.result = [ResultTest(operand: .result, comparison: .ge, value: 140),
                    ResultTest(operand: .dia, comparison: .gt, value: 90)]
        list.append(f)
        f = RecordFilter()
        f.result = [ResultTest(operand: .result, comparison: .lt, value: 10),
                    ResultTest(operand: .result, comparison: .le, value: 10.5)]
        f.sex = .male
        list.append(f)
        f = RecordFilter()
        f.days = 0...2
        list.append(f)
        f = RecordFilter()
        f.days = 8...28
        f.services = [code("NIFAS"), code("KN")]
        f.providers = []
        list.append(f)
        return list
    }()

    /// A deterministic spread of events: services, sexes, ages from days to decades, every
    /// facility type and provider, results with and without values.
    static let events: [ServiceEvent] = {
        var list: [ServiceEvent] = []
        var seed: UInt64 = 42
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        let visit = Day(year: 2025, month: 3, day: 31)!
        let ages = [0, 1, 2, 3, 7, 8, 28, 29, 364, 365, 1_795, 1_826, 5_478, 5_479, 21_914, 21_915, 30_000]
        let results: [Float] = [.nan, 9.9, 10, 10.5, 11, 139, 140, 141]
        for _ in 0..<3000 {
            let birth = visit.adding(days: -ages[next(ages.count)])
            list.append(ServiceEvent(
                person: 0, record: 0, visit: visit, birth: birth,
                service: UInt16(next(services.services.count)), sex: next(2) == 0 ? .female : .male, rt: 0,
                result: results[next(results.count)], result2: [Float.nan, 90, 91][next(3)],
                facilityType: FacilityType.allCases[next(FacilityType.allCases.count)],
                provider: Provider.allCases[next(Provider.allCases.count)]))
        }
        return list
    }()

    @Test func planMatchesWhatTheFiltersMatch() {
        let indicators = [IndicatorDefinition(id: "E", name: "E", subject: .person, scope: .lifetime,
                                              rule: .eachOf(Self.filters), targetGroup: nil,
                                              denominatorIndicator: nil, targetHundredths: nil)]
        let plan = RulePlan(indicators, serviceCount: Self.services.services.count)
        defer { plan.deallocate() }
        guard let items = (plan.rules[0] as? EachOfRule.Compiled)?.items else {
            Issue.record("eachOf not compiled to eachOf")
            return
        }
        #expect(items.count == Self.filters.count)
        let reference = Day(year: 2025, month: 3, day: 20)!
        var agreed = 0, matched = 0
        for (k, filter) in zip(items, Self.filters) {
            for e in Self.events {
                for ref in [nil, reference] {
                    let expected = filter.matches(e, reference: ref)
                    #expect(plan.matches(k, e, reference: ref) == expected)
                    agreed += 1
                    if expected { matched += 1 }
                }
            }
        }
        // Both answers occur often: a test that only ever saw `false` could not fail.
        #expect(matched > agreed / 10 && matched < agreed * 9 / 10)
    }

    /// A service index past 64 lands in the second word of the mask.
    @Test func serviceMaskSpansWords() {
        var f = RecordFilter()
        f.services = [70, 3]
        let ind = IndicatorDefinition(id: "F", name: "F", subject: .person, scope: .lifetime,
                                      rule: .first(f, firstVisitTrimesters: [1], attainOnSubjectStart: false),
                                      targetGroup: nil, denominatorIndicator: nil, targetHundredths: nil)
        let plan = RulePlan([ind], serviceCount: 5)
        defer { plan.deallocate() }
        #expect(plan.words == 2)
        let day = Day(year: 2025, month: 1, day: 1)!
        func event(_ s: UInt16) -> ServiceEvent {
            ServiceEvent(person: 0, record: 0, visit: day, birth: day, service: s, sex: .female, rt: 0,
                         facilityType: .posyandu)
        }
        #expect(plan.matches(0, event(70)) && plan.matches(0, event(3)))
        #expect(!plan.matches(0, event(6)) && !plan.matches(0, event(134)) && !plan.matches(0, event(200)))
        guard let first = plan.rules[0] as? FirstRule.Compiled else {
            Issue.record("first not compiled to first")
            return
        }
        let trimesters = first.trimesters, onStart = first.onStart
        #expect(trimesters == 0b10 && !onStart)
    }

    /// `months: [2, 8]`: a visit in February or August passes, in no other month (the plan and
    /// `RecordFilter.matches` agree); merged under an item, an indicator-wide `months` applies.
    @Test func monthsFilterTestsTheVisitMonth() {
        var f = RecordFilter()
        f.months = 1 << 2 | 1 << 8
        let ind = IndicatorDefinition(id: "V", name: "V", subject: .person, scope: .year,
                                      rule: .first(f, firstVisitTrimesters: nil, attainOnSubjectStart: false),
                                      targetGroup: nil, denominatorIndicator: nil, targetHundredths: nil)
        let plan = RulePlan([ind], serviceCount: 5)
        defer { plan.deallocate() }
        let birth = Day(year: 2022, month: 1, day: 1)!
        var passing: [Int] = []
        for m in 1...12 {
            let e = ServiceEvent(person: 0, record: 0, visit: Day(year: 2025, month: m, day: 15)!,
                                 birth: birth, service: 0, sex: .female, rt: 0, facilityType: .posyandu)
            #expect(plan.matches(0, e) == f.matches(e))
            if f.matches(e) { passing.append(m) }
        }
        #expect(passing == [2, 8])
        var item = RecordFilter()
        item.services = [0]
        #expect(item.merged(with: f).months == f.months)
    }
}
