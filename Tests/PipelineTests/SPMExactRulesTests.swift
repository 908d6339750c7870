@testable import Aggregate
import Foundation
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing

/// The rule kinds that compute the SPM balita, hypertension and diabetes standards exactly
/// (`counts`, `monthly_all`; docs/spm.md), on the built-in SPM catalogue and hand-made records
/// of 2025 in Sukamaju (PKM01). Every expectation is worked out in the comments.
@Suite struct SPMExactRulesTests {
    typealias W = World

    static let services = try! ServiceCatalogueLoader.load(path: SPMFiguresTests.pipelines + "/services.yaml")
    static let spm = try! SPMCatalogue.load(path: SPMFiguresTests.pipelines + "/spm.yaml", services: services)

    static func world() -> World { World(services: services, indicators: spm) }

    /// The 15th of each month of 2025 in `months`.
    static func days(_ months: ClosedRange<Int>) -> [String] {
        months.map { "2025-" + ($0 < 10 ? "0" : "") + "\($0)-15" }
    }

    /// SPM04 as the catalogue writes it: TIMBANG in 8 months, UKUR_TB in 2, SDIDTK in 2, VITA in 2
    /// for children 6–59 months on 1 January, over records at 0–59 months.
    @Test func balitaRuleOfTheCatalogue() throws {
        let def = try #require(Self.spm.first { $0.id == "SPM04_BALITA" })
        var age = RecordFilter()
        age.age = AgeLimit(unit: .months, min: 0, max: 59)
        func item(_ code: String, _ minimum: Int, when: AgeLimit? = nil) -> CountsRule.Item {
            var f = age
            f.services = [Self.services.index(of: code)!]
            return CountsRule.Item(f, minimum: minimum, when: when)
        }
        #expect(def.rule == .counts([item("TIMBANG", 8), item("UKUR_TB", 2), item("SDIDTK", 2),
                                     item("VITA", 2, when: AgeLimit(unit: .months, min: 6, max: 59))]))
        #expect(def.scope == .year && def.subject == .person && def.targetGroup == "balita")
    }

    /// Balita (sasaran 10 at Sukamaju), as-of December:
    /// - A (born 2022-03-10, 33 months on 1 January): weighed on the 15th of January–August and
    ///   again on 20 March (two in March: one month), so the 8th month is reached on 15 August;
    ///   UKUR_TB and VITA in February and August; SDIDTK 15 February and 10 September → served
    ///   on 10 September, the SDIDTK being met last;
    /// - B: as A, but weighed January–July (8 weighings, 7 months) → not served;
    /// - C (born 2024-10-05, 2 months on 1 January, 6 months from 5 April): weighed
    ///   January–August, UKUR_TB January and July, SDIDTK March and June, one VITA (August):
    ///   vitamin A is not asked of a child under 6 months on 1 January → served on 15 August;
    /// - D (born 2024-07-01: exactly 6 months on 1 January) as C with one VITA (February):
    ///   vitamin A is asked, one capsule is not two → not served;
    /// - D2 (born 2024-07-02: 5 months on 1 January) as D → served on 15 August.
    /// Months: August 2 (C, D2), September 1 (A); cumulative 3 / 10 = 30.00 %.
    /// As-of August the September SDIDTK is not read: A is not served yet, 2 in August.
    @Test func balitaCountsDistinctMonthsAndAgeConditionedItems() {
        var w = Self.world()
        w.target("balita", W.v1, 10)
        for child in ["A", "B"] {
            let weighed = child == "A" ? Self.days(1...8) : Self.days(1...7)
            for d in weighed + ["2025-03-20"] { w.add("TIMBANG", child, d, born: "2022-03-10", result: 120) }
            for d in ["2025-02-15", "2025-08-15"] {
                w.add("UKUR_TB", child, d, born: "2022-03-10", result: 900)
                w.add("VITA", child, d, born: "2022-03-10", provider: .bidan)
            }
            for d in ["2025-02-15", "2025-09-10"] { w.add("SDIDTK", child, d, born: "2022-03-10", provider: .bidan) }
        }
        for (child, born, vita) in [("C", "2024-10-05", "2025-08-15"), ("D", "2024-07-01", "2025-02-15"),
                                    ("D2", "2024-07-02", "2025-02-15")] {
            for d in Self.days(1...8) { w.add("TIMBANG", child, d, born: born, result: 70) }
            for d in ["2025-01-15", "2025-07-15"] { w.add("UKUR_TB", child, d, born: born, result: 650) }
            for d in ["2025-03-15", "2025-06-15"] { w.add("SDIDTK", child, d, born: born, provider: .bidan) }
            w.add("VITA", child, vita, born: born, provider: .bidan)
        }
        let r = w.run(asOf: "2025-12")
        #expect(r.months("SPM04_BALITA") == [0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0])
        let row = r.row(12, .desa, W.v1, "SPM04_BALITA")!
        #expect(row.numeratorCumulative == 3 && row.denominator == 10 && row.coverageCumulativePct?.hundredths == 3000)
        #expect(w.run(asOf: "2025-08").months("SPM04_BALITA") == [0, 0, 0, 0, 0, 0, 0, 2])
    }

    /// `counts` with every minimum 1 and no `when` attains as `each_of` does (date and area):
    /// P weighed at Sukamaju in March and at Sukajadi in May, SDIDTK at Sukamaju in April and at
    /// Sukajadi in May → both count P in April at Sukamaju (the SDIDTK met last, its first
    /// record); Q with no SDIDTK in neither.
    @Test func countsWithMinimumOneIsEachOf() throws {
        let yaml = RuleKindTests.head + """
              - id: EACH
                subject: person
                scope: year
                rule: each_of
                items:
                  - services: [TIMBANG]
                  - services: [SDIDTK]
              - id: COUNTS
                subject: person
                scope: year
                rule: counts
                items:
                  - services: [TIMBANG]
                  - services: [SDIDTK]
                    minimum: 1

            """
        var w = World(services: DefaultCatalogue.services, indicators: try RuleKindTests.load(yaml))
        w.add("TIMBANG", "P", "2025-03-10", born: "2023-01-01", rt: W.rt1, result: 100)
        w.add("SDIDTK", "P", "2025-04-10", born: "2023-01-01", rt: W.rt1)
        w.add("TIMBANG", "P", "2025-05-10", born: "2023-01-01", rt: W.rt4, result: 105)
        w.add("SDIDTK", "P", "2025-05-10", born: "2023-01-01", rt: W.rt4)
        w.add("TIMBANG", "Q", "2025-03-10", born: "2023-01-01", rt: W.rt1, result: 100)
        let r = w.run(asOf: "2025-06")
        #expect(r.months("EACH") == [0, 0, 0, 1, 0, 0])
        #expect(r.months("COUNTS") == r.months("EACH"))
        #expect(r.cum("COUNTS", 6, .desa, W.v1) == 1 && r.cum("COUNTS", 6, .desa, W.v2) == 0)
    }

    /// Hipertensi (sasaran 10 at Sukamaju), LAYANAN_HT at the puskesmas on the given days:
    /// - h1 the 10th of January–June → served, counted in January (first visit of the year);
    /// - h2 5 March, 5 and 25 April (two in one month), 5 May, 5 June → served, March;
    /// - h3 February, March, May, June: April missed → not served;
    /// - h4 20 June only: the first month is the as-of month → served, June;
    /// - h5 January–May, none in June → not served as-of June (served as-of May, January);
    /// - h6 at the posyandu in February (not a health facility), then at the pustu March–June →
    ///   served, March;
    /// - h7 is 14 (born 2011-01-01), every month → not counted (15+);
    /// - h8 December 2024 and January–June → served, January (the year starts again);
    /// - h9 November and December 2024, then February–June: the year's first visit is in
    ///   February, so January is not asked → served, February.
    /// As-of June: January 2 (h1, h8), February 1 (h9), March 2 (h2, h6), June 1 (h4) = 6 / 10.
    /// As-of May: h1, h5, h8 (January), h9 (February), h2, h6 (March); h3 misses April, h4 has
    /// no record yet → [3, 1, 2, 0, 0] = 6.
    @Test func hipertensiNeedsEveryMonthFromTheFirstToTheAsOfMonth() {
        var w = Self.world()
        w.target("penderita_hipertensi", W.v1, 10)
        func care(_ person: String, _ days: [String], born: String = "1960-01-01",
                  facility: FacilityType = .puskesmas) {
            for d in days {
                w.add("LAYANAN_HT", person, d, born: born, provider: .perawat, facility: facility, result: 150, dia: 95)
            }
        }
        func tenth(_ months: [Int]) -> [String] { months.map { "2025-" + ($0 < 10 ? "0" : "") + "\($0)-10" } }
        care("h1", tenth(Array(1...6)))
        care("h2", ["2025-03-05", "2025-04-05", "2025-04-25", "2025-05-05", "2025-06-05"])
        care("h3", tenth([2, 3, 5, 6]))
        care("h4", ["2025-06-20"])
        care("h5", tenth(Array(1...5)))
        care("h6", ["2025-02-07"], facility: .posyandu)
        care("h6", tenth(Array(3...6)), facility: .pustu)
        care("h7", tenth(Array(1...6)), born: "2011-01-01")
        care("h8", ["2024-12-10"] + tenth(Array(1...6)))
        care("h9", ["2024-11-10", "2024-12-10"] + tenth(Array(2...6)))
        let june = w.run(asOf: "2025-06")
        #expect(june.months("SPM08_HIPERTENSI") == [2, 1, 2, 0, 0, 1])
        let row = june.row(6, .desa, W.v1, "SPM08_HIPERTENSI")!
        #expect(row.numeratorCumulative == 6 && row.coverageCumulativePct?.hundredths == 6000)
        #expect(w.run(asOf: "2025-05").months("SPM08_HIPERTENSI") == [3, 1, 2, 0, 0])
    }

    /// Diabetes melitus, the same rule on LAYANAN_DM, as-of April: d1 at a clinic January–April
    /// → served (January); d2 monthly but at the posyandu → not; d3 January, February, April →
    /// not (March missed).
    @Test func diabetesUsesTheSameMonthlyRule() {
        var w = Self.world()
        for m in 1...4 {
            let d = "2025-0\(m)-12"
            w.add("LAYANAN_DM", "d1", d, born: "1970-01-01", provider: .dokter, facility: .klinik, result: 180)
            w.add("LAYANAN_DM", "d2", d, born: "1970-01-01", provider: .kader, facility: .posyandu, result: 180)
            if m != 3 { w.add("LAYANAN_DM", "d3", d, born: "1970-01-01", provider: .dokter, facility: .puskesmas, result: 180) }
        }
        #expect(w.run(asOf: "2025-04").months("SPM09_DIABETES_MELITUS") == [1, 0, 0, 0])
    }

    /// What the catalogue refuses: `counts` outside person/year, minimums outside 1–12, a `when`
    /// that is not one age limit, an unknown item key; `monthly_all` outside person/year.
    @Test func brokenRulesAreRejected() throws {
        func entry(subject: String = "person", scope: String = "year", rule: String, _ rest: String) -> String {
            RuleKindTests.head + "  - id: X\n    subject: \(subject)\n    scope: \(scope)\n    rule: \(rule)\n" + rest
        }
        let items = "    items:\n      - services: [TIMBANG]\n        minimum: 8\n"
        #expect(try Self.loadable(entry(rule: "counts", items)))
        for bad in [entry(scope: "lifetime", rule: "counts", items), entry(subject: "pregnancy", rule: "counts", items),
                    entry(rule: "counts", "    items:\n      - services: [TIMBANG]\n        minimum: 0\n"),
                    entry(rule: "counts", "    items:\n      - services: [TIMBANG]\n        minimum: 13\n"),
                    entry(rule: "counts", "    items:\n      - services: [VITA]\n        when: {sex: P}\n"),
                    entry(rule: "counts", "    items:\n      - services: [VITA]\n        when: {age_months: [6, 59], sex: P}\n"),
                    entry(rule: "counts", "    items:\n      - services: [VITA]\n        maximum: 2\n"),
                    entry(rule: "counts", "    items: []\n"),
                    entry(scope: "monthly", rule: "monthly_all", "    services: [LAYANAN_HT]\n"),
                    entry(subject: "pregnancy", scope: "lifetime", rule: "monthly_all", "    services: [LAYANAN_HT]\n")] {
            #expect(!(try Self.loadable(bad)), "\(bad)")
        }
        #expect(try Self.loadable(entry(rule: "monthly_all", "    services: [LAYANAN_HT]\n")))
    }

    static func loadable(_ yaml: String) throws -> Bool {
        do {
            _ = try RuleKindTests.load(yaml)
            return true
        } catch is PWSError {
            return false
        }
    }
}
