import PWSCore
import Aggregate

/// A small area register and an event builder for the Aggregate and Pipeline tests (a target of
/// its own so both test targets share one copy).
///
/// Register (1 kabkota, 1 kecamatan, 2 puskesmas, 3 villages; populations per RT):
///
/// ```
/// 3201 Kab. Contoh
///   320101 Kec. Satu
///     PKM01 ─ 3201012001 Sukamaju   RW 001: RT 001 (400), RT 002 (600); RW 002: RT 001 (500)
///     PKM01 ─ 3201012002 Sukajadi   RW 001: RT 001 (1000)
///     PKM02 ─ 3201012003 Cibening   RW 001: RT 001 (750), RT 002 (no population)
/// ```
public struct World {
    public static let v1 = "3201012001", v2 = "3201012002", v3 = "3201012003"
    /// RT codes of the register, `<village>-<rw>-<rt>`.
    public static let rt1 = "3201012001-001-001", rt2 = "3201012001-001-002", rt3 = "3201012001-002-001"
    public static let rt4 = "3201012002-001-001", rt5 = "3201012003-001-001", rt6 = "3201012003-001-002"

    public var register = AreaRegister()
    public var set = EventSet()
    public let services: ServiceCatalogue
    public var indicators: [IndicatorDefinition]
    public var sasaran: [SasaranEntry] = []
    public var estimation = EstimationSettings.off
    private var persons: [String: UInt32] = [:]
    private var pregnancies: [String: UInt32] = [:]
    private var nextRecord = 0

    public init(services: ServiceCatalogue, indicators: [IndicatorDefinition], extraKecamatan: Bool = false) {
        self.services = services
        self.indicators = indicators
        let villages = [
            Village(code: World.v1, name: "Sukamaju", districtName: "Satu", regencyName: "Kab. Contoh",
                    puskesmasCode: "PKM01", puskesmasName: "Puskesmas Satu"),
            Village(code: World.v2, name: "Sukajadi", districtName: "Satu", regencyName: "Kab. Contoh",
                    puskesmasCode: "PKM01", puskesmasName: "Puskesmas Satu"),
            Village(code: World.v3, name: "Cibening", districtName: "Satu", regencyName: "Kab. Contoh",
                    puskesmasCode: "PKM02", puskesmasName: "Puskesmas Dua"),
        ]
        for v in villages { register.addVillage(v) }
        let rts: [(UInt32, String, String, Int?)] = [
            (0, "001", "001", 400), (0, "001", "002", 600), (0, "002", "001", 500),
            (1, "001", "001", 1000), (2, "001", "001", 750), (2, "001", "002", nil),
        ]
        for (v, rw, rt, pop) in rts {
            _ = register.addRT(RTArea(village: v, rw: rw, rt: rt, population: pop.map { ExactDecimal($0) }, registered: true))
        }
        if extraKecamatan {
            let v = register.addVillage(Village(code: "3201022004", name: "Mekar", districtName: "Dua",
                                                regencyName: "Kab. Contoh", puskesmasCode: "PKM02",
                                                puskesmasName: "Puskesmas Dua"))
            _ = register.addRT(RTArea(village: v, rw: "001", rt: "001", population: 300, registered: true))
            _ = register.addRT(RTArea(village: v, rw: "003", rt: "004", population: 200, registered: true))
        }
    }

    /// The RT index of `code` (`<village>-<rw>-<rt>`), added as unregistered when not in the register.
    /// Sets the population of the registered RT `code` (decimals allowed, spec §A1).
    public mutating func setPopulation(_ code: String, _ population: ExactDecimal?) {
        let parts = code.split(separator: "-").map(String.init)
        var rebuilt = AreaRegister()
        for v in register.villages { rebuilt.addVillage(v) }
        for var rt in register.rts {
            if register.villages[Int(rt.village)].code == parts[0], rt.rw == parts[1], rt.rt == parts[2] {
                rt.population = population
            }
            _ = rebuilt.addRT(rt)
        }
        register = rebuilt
    }

    public mutating func rtIndex(_ code: String) -> UInt32 {
        let parts = code.split(separator: "-").map(String.init)
        let village = register.village(code: parts[0])!
        return register.rtAddingUnregistered(village: village, rw: parts[1], rt: parts[2])
    }

    /// Adds one accepted record and returns its event index. Record ids default to `r000001`,
    /// `r000002`, … (byte order = the order added).
    @discardableResult
    public mutating func add(_ service: String, _ person: String, _ visit: String, born: String,
                      rt: String = World.rt1, sex: Sex = .female, provider: Provider = .none,
                      facility: FacilityType = .posyandu, result: Float? = nil, dia: Float? = nil,
                      lmp: String? = nil, weeks: Int? = nil, pregnancy: String? = nil,
                      record: String? = nil) -> Int {
        nextRecord += 1
        let digits = String(nextRecord)
        let id = record ?? "r" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        let p: UInt32
        if let known = persons[person] { p = known } else {
            p = set.personIDs.append(Array(person.utf8))
            persons[person] = p
        }
        var preg: UInt32 = 0
        if let pregnancy {
            if let known = pregnancies[pregnancy] { preg = known } else {
                preg = set.pregnancyIDs.append(Array(pregnancy.utf8)) + 1
                pregnancies[pregnancy] = preg
            }
        }
        let event = ServiceEvent(
            person: p, record: set.recordIDs.append(Array(id.utf8)), visit: day(visit), birth: day(born),
            lmp: lmp.map(day) ?? .unknown, service: services.index(of: service)!,
            gestationalWeeks: Int8(weeks ?? -1), sex: sex, rt: rtIndex(rt), pregnancy: preg,
            result: result ?? .nan, result2: dia ?? .nan, facilityType: facility, provider: provider)
        set.events.append(event)
        return set.events.count - 1
    }

    /// Adds a sasaran value for `area` (`<village>`, `<village>-<rw>` or `<village>-<rw>-<rt>`).
    public mutating func target(_ group: String, _ area: String, _ count: Int, year: Int = 2025) {
        target(group, area, ExactDecimal(count), year: year)
    }

    /// Adds a decimal sasaran value (`ExactDecimal("101.2")!`) for `area`.
    public mutating func target(_ group: String, _ area: String, _ count: ExactDecimal, year: Int = 2025) {
        let parts = area.split(separator: "-").map(String.init)
        sasaran.append(SasaranEntry(year: year, village: register.village(code: parts[0])!,
                                    rw: parts.count > 1 ? parts[1] : "", rt: parts.count > 2 ? parts[2] : "",
                                    group: group, count: count))
    }

    public func input(asOf: String) -> AggregateInput {
        AggregateInput(events: set, register: register, sasaran: sasaran, services: services,
                       indicators: indicators, asOf: YearMonth(asOf)!, estimation: estimation)
    }

    public func run(asOf: String) -> AggregateResult { Aggregator.run(input(asOf: asOf)) }
}

/// `YYYY-MM-DD` as a `Day`.
public func day(_ text: String) -> Day {
    let p = text.split(separator: "-").map { Int($0)! }
    return Day(year: p[0], month: p[1], day: p[2])!
}

extension AggregateResult {
    /// The row of (month, level, area, indicator), or nil.
    public func row(_ month: Int, _ level: AreaLevel, _ area: String, _ indicator: String) -> IndicatorRow? {
        values.row(month: month, level: level, area: area, indicator: indicator)
    }

    /// numerator_month of (month, level, area, indicator); -1 when the row is missing.
    public func n(_ indicator: String, _ month: Int, _ level: AreaLevel = .kabkota, _ area: String = "3201") -> Int {
        row(month, level, area, indicator)?.numeratorMonth ?? -1
    }

    /// numerator_cumulative of (month, level, area, indicator); -1 when missing or empty.
    public func cum(_ indicator: String, _ month: Int, _ level: AreaLevel = .kabkota, _ area: String = "3201") -> Int {
        row(month, level, area, indicator)?.numeratorCumulative ?? -1
    }

    /// The (month → numerator_month) of an indicator at one area, months 1…M.
    public func months(_ indicator: String, _ level: AreaLevel = .kabkota, _ area: String = "3201") -> [Int] {
        (1...max(values.asOfMonth, 1)).compactMap { row($0, level, area, indicator)?.numeratorMonth }
    }
}
