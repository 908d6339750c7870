import PWSTestSupport
import Foundation
import PWSCore
import Testing
import Aggregate

/// Times `Aggregator.run` with the default catalogue over synthetic in-memory events
/// (bench/aggregate/README.md). Skipped unless `PWS_BENCH_AGGREGATE=1`; sizes from
/// `PWS_BENCH_EVENTS` (comma-separated, default `1000000,10000000`). Run in release mode:
///
///     PWS_BENCH_AGGREGATE=1 swift test -c release --filter IndicatorCatalogueBenchmarkTests
@Suite(.serialized) struct IndicatorCatalogueBenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["PWS_BENCH_AGGREGATE"] == "1"
    static let sizes = (ProcessInfo.processInfo.environment["PWS_BENCH_EVENTS"] ?? "1000000,10000000")
        .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }

    @Test(.enabled(if: enabled)) func aggregateTimings() {
        for size in Self.sizes {
            let (input, persons) = Self.input(events: size)
            let rssBefore = Self.status("VmRSS")
            let clock = ContinuousClock()
            let start = clock.now
            let result = Aggregator.run(input)
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(String(format: "aggregate: %d events, %d persons, %d RTs, %d rows: %.2f s (%.0f k events/s); "
                         + "RSS before %d MiB, peak (VmHWM) %d MiB",
                         size, persons, input.register.rts.count, result.values.rowCount, seconds,
                         Double(size) / seconds / 1000, rssBefore / 1024, Self.status("VmHWM") / 1024))
            #expect(result.values.rowCount > 0)
        }
    }

    /// A field of /proc/self/status in KiB (0 where there is none).
    static func status(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
        }
        return 0
    }

    /// A kabupaten of 20 kecamatan × 15 villages × 12 RTs (3 600 RTs), and about `events` records
    /// of a life-cycle mix: mothers (ANC ×6, delivery, NIFAS ×4), infants (KN ×3, 12 doses,
    /// monthly weighing), toddlers (monthly weighing), adults (a few screenings), 2024-01 … 2025-12.
    static func input(events target: Int) -> (AggregateInput, Int) {
        var register = AreaRegister()
        for k in 0..<20 {
            for v in 0..<15 {
                let code = "3201\(k < 9 ? "0" : "")\(k + 1)2\(v < 9 ? "00" : "0")\(v + 1)"
                let vi = register.addVillage(Village(code: code, name: "Desa \(k)-\(v)", districtName: "Kec \(k)",
                                                     regencyName: "Kab", puskesmasCode: "PKM\(k * 2 + v % 2)",
                                                     puskesmasName: "Puskesmas \(k * 2 + v % 2)"))
                for r in 0..<12 {
                    _ = register.addRT(RTArea(village: vi, rw: "00\(r / 4 + 1)", rt: "00\(r % 4 + 1)",
                                              population: ExactDecimal(300 + r * 10), registered: true))
                }
            }
        }
        let services = DefaultCatalogue.services
        func code(_ c: String) -> UInt16 { services.index(of: c)! }
        let anc = code("ANC"), persalinan = code("PERSALINAN"), nifas = code("NIFAS"), kn = code("KN")
        let timbang = code("TIMBANG")
        let doses = ["HB0", "BCG", "POLIO1", "POLIO2", "POLIO3", "POLIO4", "DPTHBHIB1", "DPTHBHIB2", "DPTHBHIB3",
                     "IPV1", "MR1", "DPTHBHIB4"].map(code)
        let adult = ["IMT", "TENSI", "GDS", "SKRINING_TB", "SKILAS", "LINGKAR_PERUT"].map(code)
        var set = EventSet()
        set.events.reserveCapacity(target + 64)
        var g = SeededRandom(seed: 42)
        let rtCount = UInt64(register.rts.count)
        let origin = day("2024-01-01")
        var digits = [UInt8](repeating: 0, count: 12)
        var person: UInt32 = 0
        func add(_ service: UInt16, _ visit: Day, _ birth: Day, _ rt: UInt32, lmp: Day = .unknown,
                 result: Float = .nan, result2: Float = .nan, provider: Provider = .bidan,
                 facility: FacilityType = .posyandu) {
            var n = set.events.count, k = digits.count
            repeat { k -= 1; digits[k] = UInt8(48 + n % 10); n /= 10 } while n > 0
            let record = set.recordIDs.append(digits[k...])
            set.events.append(ServiceEvent(person: person, record: record, visit: visit, birth: birth, lmp: lmp,
                                           service: service, sex: .female, rt: rt, result: result, result2: result2,
                                           facilityType: facility, provider: provider))
        }
        while set.events.count < target {
            let rt = UInt32(g.next() % rtCount)
            let start = origin.adding(days: Int(g.next() % 600))
            switch g.next() % 20 {
            case 0..<3:   // mother
                let lmp = start
                for k in 0..<6 { add(anc, lmp.adding(days: 40 + k * 35), day("1995-01-01"), rt, lmp: k == 0 ? lmp : .unknown,
                                     provider: k == 0 || k == 5 ? .dokter : .bidan) }
                let birth = lmp.adding(days: 275)
                add(persalinan, birth, day("1995-01-01"), rt, facility: .puskesmas)
                for d in [1, 5, 20, 35] { add(nifas, birth.adding(days: d), day("1995-01-01"), rt) }
            case 3..<5:   // infant
                for d in [1, 5, 15] { add(kn, start.adding(days: d), start, rt) }
                for (k, dose) in doses.enumerated() { add(dose, start.adding(days: k * 30 + 1), start, rt) }
                for m in 0..<12 { add(timbang, start.adding(days: m * 30 + 3), start, rt, result: 3 + Float(m) * 0.6) }
            case 5..<9:   // toddler
                let birth = start.adding(days: -700)
                for m in 0..<12 { add(timbang, start.adding(days: m * 30), birth, rt, result: 10 + Float(g.next() % 30) / 10) }
            default:      // adult
                let birth = start.adding(days: -365 * Int(20 + g.next() % 55))
                for s in adult where g.next() % 2 == 0 {
                    add(s, start.adding(days: Int(g.next() % 200)), birth, rt, result: Float(100 + g.next() % 80),
                        result2: Float(60 + g.next() % 50))
                }
            }
            person += 1
        }
        // Ingest order is by file (facility, month), not by person.
        set.events.shuffle(using: &g)
        for _ in 0..<person { _ = set.personIDs.append([UInt8]("p".utf8)) }
        let input = AggregateInput(events: set, register: register, sasaran: [], services: services,
                                   indicators: DefaultCatalogue.indicators, asOf: YearMonth(year: 2025, month: 12),
                                   estimation: EstimationSettings(enabled: true, cbrPer1000: "16", shares: [
                                       "balita": "0.08", "baduta": "0.016", "remaja": "0.15", "remaja_putri": "0.055",
                                       "usia_produktif": "0.66", "dewasa": "0.60", "lansia": "0.11", "penduduk": "1.0"]))
        return (input, Int(person))
    }
}
