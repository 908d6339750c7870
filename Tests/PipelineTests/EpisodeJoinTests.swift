import Foundation
@testable import Aggregate
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing

/// `joins:` in the service catalogue (audit P, finding 1): a service a district adds joins
/// pregnancies or deliveries as the catalogue says, so its pregnancy or delivery indicators
/// count it; one that joins neither is refused by such an indicator at load, instead of
/// counting 0 without a word.
@Suite struct EpisodeJoinTests {
    /// The bundled services with `HB2` (a second haemoglobin code, `joins: pregnancy`) and
    /// `KB_PASCA` (post-partum family planning, `joins: delivery`), and `USG` (joins nothing).
    static let services: ServiceCatalogue = {
        var text = try! String(contentsOf: DefaultCatalogue.folder.appendingPathComponent("services.yaml"), encoding: .utf8)
        text += """
          - code: HB2
            name: haemoglobin, second method
            cluster: ibu_anak
            result: {kind: number, unit: g/dL, min: 2, max: 25}
            joins: pregnancy
          - code: KB_PASCA
            name: post-partum family planning
            cluster: ibu_anak
            sex: P
            joins: delivery
          - code: USG
            name: ultrasound
            cluster: ibu_anak

        """
        return try! ServiceCatalogueLoader.load(yaml: text, source: "services.yaml")
    }()

    static func indicators(_ yaml: String) throws -> [IndicatorDefinition] {
        let path = NSTemporaryDirectory() + "pws-indicators-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ("version: 1\nindicators:\n" + yaml).write(toFile: path, atomically: true, encoding: .utf8)
        return try IndicatorCatalogueLoader.load(path: path, services: services)
    }

    static let catalogue = """
      - id: ANEMIA2
        subject: pregnancy
        scope: lifetime
        rule: first
        services: [HB2]
        result_any: [{result: "< 11"}]
      - id: KB_PASCA42
        subject: delivery
        scope: lifetime
        rule: first
        services: [KB_PASCA]
        days_after_delivery: [0, 42]

    """

    @Test func theCatalogueSaysWhatJoins() throws {
        let s = Self.services
        #expect(s.joining(.pregnancy) == Set(["TTD_BUMIL", "LILA", "HB", "RISTI_NAKES", "HB2"].map { s.index(of: $0)! }))
        #expect(s.joining(.delivery) == [s.index(of: "KB_PASCA")!])
        #expect(s.service("USG")?.joins == EpisodeJoin.none)
        // A catalogue written before the key: the four still join pregnancies; `none` opts out.
        let old = try ServiceCatalogueLoader.load(yaml: """
            version: 1
            services:
              - {code: ANC, name: a, cluster: ibu_anak}
              - {code: HB, name: b, cluster: ibu_anak}
              - {code: lila, name: c, cluster: ibu_anak, joins: none}
            """, source: "old.yaml")
        #expect(old.joining(.pregnancy) == [1])

        func refused(_ entry: String) -> String {
            do {
                _ = try ServiceCatalogueLoader.load(yaml: "version: 1\nservices:\n  - {code: X, name: x, cluster: ibu_anak}\n  - " + entry + "\n", source: "s.yaml")
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(refused("{code: Y, name: y, cluster: ibu_anak, joins: nifas}").contains("s.yaml:4: error: `joins:` of service Y must be pregnancy, delivery or none"))
        #expect(refused("{code: nifas, name: y, cluster: ibu_anak, joins: delivery}").contains("s.yaml:4: error: `joins:` of service nifas: NIFAS records attach to the deliveries"))
        #expect(refused("{code: ANC, name: y, cluster: ibu_anak, joins: none}").contains("ANC records form the pregnancies"))
        // Review 17: a service no mother receives would join nothing.
        #expect(refused("{code: Y, name: y, cluster: ibu_anak, sex: L, joins: pregnancy}").contains("s.yaml:4: error: `joins: pregnancy` of service Y: its records are of men (sex: L), never a pregnant or delivering woman's"))
        #expect(refused("{code: KN2, name: y, cluster: ibu_anak, age: {unit: days, min: 0, max: 28}, joins: delivery}").contains("`joins: delivery` of service KN2: its records are of people under 10 years (age max 28 days)"))
        #expect(refused("{code: Y, name: y, cluster: ibu_anak, age: {unit: years, min: 60}, joins: pregnancy}").contains("of people over 55 years (age min 60 years)"))
        #expect(refused("{code: Y, name: y, cluster: ibu_anak, sex: L, joins: none}") == "accepted")
        #expect(refused("{code: Y, name: y, cluster: ibu_anak, age: {unit: months, min: 100, max: 121}, joins: pregnancy}") == "accepted")
    }

    /// A pregnancy or delivery indicator over a service that joins neither is refused at the
    /// service's line, saying what to add; over persons it is fine.
    @Test func anIndicatorOverAServiceOutsideItsEpisodesIsRefused() throws {
        let cases: [(String, Int, String)] = [
            ("  - {id: U, subject: pregnancy, scope: lifetime, rule: first, services: [ANC, USG]}\n", 3,
             "U: service USG is not in any pregnancy: a pregnancy holds its ANC records and those of services with `joins: pregnancy`"),
            ("  - {id: K, subject: delivery, scope: lifetime, rule: first, services: [HB2]}\n", 3,
             "K: service HB2 is not in any delivery: a delivery holds its PERSALINAN and NIFAS records"),
            // Review 17: the codes that form the other episode say to remove them (adding joins: is refused).
            ("  - {id: K, subject: pregnancy, scope: lifetime, rule: first, services: [ANC, PERSALINAN]}\n", 3,
             "K: service PERSALINAN is never in a pregnancy: its records belong to deliveries (spec §4.3); remove it from this indicator's services"),
            ("  - {id: K, subject: delivery, scope: lifetime, rule: first, services: [ANC]}\n", 3,
             "K: service ANC is never in a delivery: its records form pregnancies (spec §4.2); remove it from this indicator's services"),
            ("  - id: D\n    subject: pregnancy\n    scope: lifetime\n    rule: first\n    services: [ANC]\n    denominator: {records: {services: [KB_PASCA]}}\n    target: 50\n", 8,
             "D: service KB_PASCA is not in any pregnancy"),
        ]
        for (yaml, line, message) in cases {
            let error = #expect(throws: PWSError.self) { _ = try Self.indicators(yaml) }
            #expect(error?.location?.line == line, "\(yaml)")
            #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        }
        #expect(try Self.indicators("  - {id: P, subject: person, scope: year, rule: first, services: [USG]}\n").count == 1)
    }

    /// HB2 in a pregnancy's span counts as HB would; KB_PASCA 0–42 days after a delivery counts
    /// in its month, one 50 days after counts nowhere and gives no W-NIFAS.
    ///
    /// - A: ANC 01-10 (LMP 2024-12-01, span to 2025-09-21), HB2 9.5 on 03-05 → ANEMIA2 in March.
    /// - B: HB2 8 on 02-01 without ANC → no pregnancy, counts nowhere.
    /// - C: PERSALINAN 02-01, KB_PASCA 02-20 (19 days) → KB_PASCA42 in February.
    /// - D: PERSALINAN 01-05, KB_PASCA 02-24 (50 days) → not attached: nowhere, no W-NIFAS.
    @Test func joinedRecordsCountForTheirEpisodes() throws {
        var w = World(services: Self.services, indicators: try Self.indicators(Self.catalogue))
        w.add("ANC", "A", "2025-01-10", born: "1995-01-01", lmp: "2024-12-01")
        w.add("HB2", "A", "2025-03-05", born: "1995-01-01", result: 9.5)
        w.add("HB2", "B", "2025-02-01", born: "1995-01-01", result: 8)
        w.add("PERSALINAN", "C", "2025-02-01", born: "1995-01-01")
        w.add("KB_PASCA", "C", "2025-02-20", born: "1995-01-01")
        w.add("PERSALINAN", "D", "2025-01-05", born: "1995-01-01")
        w.add("KB_PASCA", "D", "2025-02-24", born: "1995-01-01")
        let r = w.run(asOf: "2025-04")
        #expect((1...4).map { r.row($0, .desa, World.v1, "ANEMIA2")!.numeratorMonth } == [0, 0, 1, 0])
        #expect((1...4).map { r.row($0, .desa, World.v1, "KB_PASCA42")!.numeratorMonth } == [0, 1, 0, 0])
        #expect(r.unattachedNifas.isEmpty)
        #expect(Aggregator.unattachedNifas(events: w.set, services: Self.services, asOf: YearMonth("2025-04")!).isEmpty)
    }
}
