import PWSTestSupport
import PWSCore
import Testing
@testable import Aggregate

/// Aggregate splits the persons over threads (`AggregateInput.workers`); the figures must not
/// depend on the split. A seeded mixed district is run with 1 worker and with 2, 3 and 7, and
/// every row of every month and area, and the W-NIFAS list, must be equal.
@Suite struct AggregateWorkersTests {
    /// About 400 persons over the World's six RTs, 2024-10 … 2025-06: mothers (ANC with LMP or
    /// weeks, doctor visits, a delivery at a varied place, NIFAS; some pregnancies span the
    /// year), NIFAS with no delivery (W-NIFAS), infants (KN, doses, weighing with growth),
    /// toddlers, adolescents and adults (screenings with results).
    static func district() -> World {
        var w = DefaultCatalogue.world()
        w.target("bumil", World.v1, 40)
        w.target("balita", World.v2, 60)
        var g = SeededRandom(seed: 7)
        let rts = [World.rt1, World.rt2, World.rt3, World.rt4, World.rt5, World.rt6]
        let origin = day("2024-10-01")
        func date(_ d: Day) -> String { d.description }
        for p in 0..<400 {
            let person = "p\(p)"
            var rt = rts[Int(g.next() % 6)]
            let start = origin.adding(days: Int(g.next() % 240))
            switch g.next() % 10 {
            case 0..<3:   // mother
                let lmp = start.adding(days: -Int(g.next() % 240))
                for k in 0..<Int(g.next() % 7) {
                    let v = lmp.adding(days: 42 + k * 33)
                    w.add("ANC", person, date(v), born: "1996-05-05", rt: rt, provider: k % 3 == 0 ? .dokter : .bidan,
                          facility: .puskesmas, lmp: k == 0 ? date(lmp) : nil, weeks: k == 0 ? nil : (42 + k * 33) / 7)
                }
                if g.next() % 4 != 0 {
                    let birth = lmp.adding(days: 270 + Int(g.next() % 14))
                    w.add("PERSALINAN", person, date(birth), born: "1996-05-05", rt: rt,
                          provider: g.next() % 5 == 0 ? .none : .bidan,
                          facility: g.next() % 3 == 0 ? .rumahSakit : .puskesmas)
                    for d in [1, 5, 20, 35] where g.next() % 4 != 0 {
                        w.add("NIFAS", person, date(birth.adding(days: d)), born: "1996-05-05", rt: rt)
                    }
                }
            case 3:       // a NIFAS visit with no delivery
                w.add("NIFAS", person, date(start), born: "1990-01-01", rt: rt)
            case 4..<6:   // infant, moving RT halfway through
                let born = date(start)
                for d in [1, 4, 12] where g.next() % 3 != 0 {
                    w.add("KN", person, date(start.adding(days: d)), born: born, rt: rt, sex: .male)
                }
                for (k, dose) in ["HB0", "BCG", "POLIO1", "DPTHBHIB1", "POLIO2"].enumerated() where g.next() % 5 != 0 {
                    w.add(dose, person, date(start.adding(days: k * 30 + 1)), born: born, rt: rt, sex: .male)
                }
                for m in 0..<8 {
                    if m == 4 { rt = rts[Int(g.next() % 6)] }
                    w.add("TIMBANG", person, date(start.adding(days: m * 30 + 2)), born: born, rt: rt, sex: .male,
                          result: 3 + Float(m) * 0.5 - Float(g.next() % 3) * 0.4)
                }
            case 6:       // toddler
                let born = date(start.adding(days: -600))
                for m in 0..<6 {
                    w.add("TIMBANG", person, date(start.adding(days: m * 31)), born: born, rt: rt,
                          result: 10 + Float(g.next() % 20) / 10)
                }
            case 7:       // adolescent girl
                let born = date(start.adding(days: -365 * 14))
                w.add("SKRINING_REMAJA", person, date(start), born: born, rt: rt)
                w.add("TTD_REMAJA", person, date(start.adding(days: 20)), born: born, rt: rt)
            default:      // adult
                let born = date(start.adding(days: -365 * Int(20 + g.next() % 50)))
                for s in ["IMT", "TENSI", "GDS", "SKRINING_TB", "LINGKAR_PERUT"] where g.next() % 2 == 0 {
                    w.add(s, person, date(start.adding(days: Int(g.next() % 90))), born: born, rt: rt,
                          sex: g.next() % 2 == 0 ? .male : .female,
                          result: Float(100 + g.next() % 80), dia: Float(60 + g.next() % 50))
                }
            }
        }
        // Ingest order is by file, not by person.
        w.set.events.shuffle(using: &g)
        return w
    }

    @Test func figuresDoNotDependOnTheNumberOfWorkers() {
        let world = Self.district()
        var input = world.input(asOf: "2025-06")
        input.workers = 1
        let one = Aggregator.run(input)
        let rows = one.rows
        // The district exercises what the split could get wrong: persons of every kind,
        // deliveries spanning December, W-NIFAS.
        let kab = { (id: String) in one.cum(id, 6) }
        #expect(kab("K1") > 10 && kab("PF") > 10 && kab("KF_LENGKAP") > 5 && kab("KN1") > 10)
        #expect(one.n("D_S", 3) > 10 && kab("SKRINING_TB") > 10)
        #expect(!one.unattachedNifas.isEmpty)
        for workers in [2, 3, 7] {
            input.workers = workers
            let many = Aggregator.run(input)
            let other = many.rows
            let differing = zip(other, rows).filter { $0 != $1 }
            #expect(other.count == rows.count && differing.isEmpty,
                    "workers: \(workers); first differing: \(String(describing: differing.first))")
            #expect(many.unattachedNifas == one.unattachedNifas, "workers: \(workers)")
        }
    }

    /// The sort by (person, visit, record id) gives the same order however the persons are cut.
    @Test func sortedOrderDoesNotDependOnParts() {
        let world = Self.district()
        let one = Aggregator.sortedOrder(world.set, through: day("2025-06-30"), parts: 1)
        #expect(one.count > 1000)
        for parts in [2, 3, 7] {
            #expect(Aggregator.sortedOrder(world.set, through: day("2025-06-30"), parts: parts) == one)
        }
    }
}
