import Foundation
import Growth
import PWSCore
import PWSTestSupport
import Testing
@testable import Aggregate
@testable import Pipeline

/// `pws run` counts the SPM catalogue in the same walk over each person's records as the
/// indicator catalogue (`Aggregator.countPhase(_:also:order:)`). Its counts must be those of
/// two separate counting phases, one per catalogue, on any data: here a seeded random district
/// with every kind of person both catalogues count, with 1, 2 and 3 workers.
@Suite struct JointCountTests {
    static let spm = try! SPMCatalogue.load(path: DefaultCatalogue.folder.appendingPathComponent("spm.yaml").path,
                                            services: DefaultCatalogue.services)
    static let standards = try! GrowthStandards.load(
        folder: DefaultCatalogue.folder.appendingPathComponent("growth/who2006").path)

    /// `AggregateWorkersTests.district()` (mothers, deliveries spanning December, W-NIFAS,
    /// infants with growth records, adults), six mothers meeting SPM 1, and 300 persons more
    /// with the SPM services:
    /// hypertension and diabetes care visits in runs of months (with gaps), balita with
    /// weighings, length, SDIDTK and vitamin A, school-age screenings, the elderly, HIV tests,
    /// TB examinations and mental-health visits, at random facilities.
    static func district(seed: UInt64) -> World {
        var w = AggregateWorkersTests.district()
        var g = SeededRandom(seed: seed)
        let rts = [World.rt1, World.rt2, World.rt3, World.rt4, World.rt5, World.rt6]
        let facilities: [FacilityType] = [.puskesmas, .pustu, .posyandu, .rumahSakit, .klinik]
        // Mothers whose ANC visits meet SPM 1's 1-1-2 (TM1 day 44, TM2 day 131, TM3 days 200
        // and 221 from an LMP of 2024-09-01: met on 2025-04-10), one in each RT.
        for (k, rt) in rts.enumerated() {
            for d in ["2024-10-15", "2025-01-10", "2025-03-20", "2025-04-10"] {
                w.add("ANC", "anc\(k)", d, born: "1995-05-05", rt: rt, provider: .bidan, lmp: "2024-09-01")
            }
        }
        for p in 0..<300 {
            let person = "s\(p)"
            let rt = rts[Int(g.next() % 6)]
            let facility = { facilities[Int(g.next() % UInt64(facilities.count))] }
            switch g.next() % 6 {
            case 0:       // hypertension or diabetes care, from a random month, with gaps
                let service = g.next() % 2 == 0 ? "LAYANAN_HT" : "LAYANAN_DM"
                let born = "19\(50 + g.next() % 40)-03-03"
                for m in Int(1 + g.next() % 6)...6 where g.next() % 6 != 0 {
                    w.add(service, person, "2025-0\(m)-\(10 + g.next() % 18)", born: born, rt: rt,
                          facility: facility(), result: Float(120 + g.next() % 60), dia: Float(70 + g.next() % 30))
                }
            case 1:       // balita: weighed, measured, development, vitamin A (some in December 2024)
                let born = "202\(2 + g.next() % 3)-0\(1 + g.next() % 9)-15"
                for m in 0..<7 where g.next() % 4 != 0 {
                    let date = m == 0 ? "2024-12-11" : "2025-0\(m)-11"
                    w.add("TIMBANG", person, date, born: born, rt: rt, sex: g.next() % 2 == 0 ? .male : .female,
                          result: Float(8 + g.next() % 6))
                    if g.next() % 3 == 0 { w.add("UKUR_TB", person, date, born: born, rt: rt, result: Float(70 + g.next() % 25)) }
                    if g.next() % 3 == 0 { w.add("SDIDTK", person, date, born: born, rt: rt) }
                    if m == 2 || m == 6 { w.add("VITA", person, date, born: born, rt: rt) }
                }
            case 2:       // school age
                w.add(g.next() % 2 == 0 ? "SKRINING_DIKDAS" : "SKRINING_REMAJA", person, "2025-0\(1 + g.next() % 6)-05",
                      born: "201\(g.next() % 10)-06-06", rt: rt)
            case 3:       // elderly (some under 60)
                w.add("SKILAS", person, "2025-0\(1 + g.next() % 6)-07", born: "19\(40 + g.next() % 30)-01-01", rt: rt,
                      facility: facility())
            case 4:       // HIV test, TB examination, mental-health care
                let service = ["TES_HIV", "PEMERIKSAAN_TB", "LAYANAN_ODGJ"][Int(g.next() % 3)]
                w.add(service, person, "202\(4 + g.next() % 2)-0\(1 + g.next() % 9)-09", born: "1985-08-08", rt: rt,
                      facility: facility())
            default:      // productive age: BMI or waist, blood pressure, glucose
                let born = "19\(70 + g.next() % 30)-02-02"
                for s in ["IMT", "LINGKAR_PERUT", "TENSI", "GDS"] where g.next() % 3 != 0 {
                    w.add(s, person, "2025-0\(1 + g.next() % 6)-1\(g.next() % 10)", born: born, rt: rt,
                          result: Float(90 + g.next() % 80), dia: Float(60 + g.next() % 40))
                }
            }
        }
        w.set.events.shuffle(using: &g)
        return w
    }

    @Test(arguments: [1, 2, 3])
    func jointCountsAreThoseOfSeparatePasses(workers: Int) {
        let world = Self.district(seed: 21)
        var input = world.input(asOf: "2025-06")
        input.workers = workers
        input.growthStandards = Self.standards
        var spmInput = input
        spmInput.indicators = Self.spm

        var order: [Int]?
        let (joint, jointSPM) = Aggregator.countPhase(input, also: Self.spm, order: &order)
        #expect(order == Aggregator.personOrder(input))
        let main = Aggregator.countPhase(input)
        let spm = Aggregator.countPhase(spmInput)

        #expect(joint.counts == main.counts)
        #expect(joint.seenRTs == main.seenRTs)
        #expect(joint.unattachedNifas == main.unattachedNifas)
        #expect(joint.completeness == main.completeness)
        #expect(jointSPM.counts == spm.counts)
        #expect(jointSPM.seenRTs == spm.seenRTs)
        #expect(jointSPM.unattachedNifas == spm.unattachedNifas)
        #expect(jointSPM.completeness.isEmpty)

        // Not vacuous: every SPM service but the balita one (8 weighings: not before August)
        // counts someone (the six SPM 1 mothers in April), the W-NIFAS list is
        // not empty, and the indicators count as much as they do alone.
        let plane = Aggregator.slotCount * world.register.rts.count
        let perService = (0..<Self.spm.count).map { k in jointSPM.counts[k * plane..<(k + 1) * plane].reduce(0, +) }
        let counted = zip(Self.spm.map(\.id), perService).filter { $0.1 > 0 }.map(\.0)
        #expect(Set(counted).isSuperset(of: ["SPM01_IBU_HAMIL", "SPM02_IBU_BERSALIN", "SPM03_BAYI_BARU_LAHIR",
                                             "SPM05_USIA_PENDIDIKAN_DASAR", "SPM06_USIA_PRODUKTIF", "SPM07_USIA_LANJUT",
                                             "SPM08_HIPERTENSI", "SPM09_DIABETES_MELITUS", "SPM10_ODGJ_BERAT",
                                             "SPM11_TERDUGA_TB", "SPM12_RISIKO_HIV"]), "counted: \(counted)")
        #expect(!joint.unattachedNifas.isEmpty)
        #expect(joint.counts.reduce(0, +) > 1000)

        // And the values finished from them are the separate runs'.
        var jointCounts: AggregateCounts? = jointSPM
        var noUnreadable = spmInput
        noUnreadable.unreadableSources = []
        #expect(Aggregator.finishPhase(noUnreadable, counts: &jointCounts).rows == Aggregator.run(spmInput).rows)
        #expect(jointCounts == nil)
    }

    /// With one catalogue the joint pass is the plain counting phase (the SPM catalogue empty).
    @Test func anEmptySecondCatalogueCountsNothing() {
        var input = Self.district(seed: 5).input(asOf: "2025-03")
        input.growthStandards = Self.standards
        var order: [Int]?
        let (joint, none) = Aggregator.countPhase(input, also: [], order: &order)
        #expect(joint.counts == Aggregator.countPhase(input).counts)
        #expect(none.counts.isEmpty && none.seenRTs == joint.seenRTs)
    }
}
