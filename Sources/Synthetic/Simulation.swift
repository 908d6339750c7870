import PWSCore

/// Where a service was given and by whom, and whose register records it.
struct Place {
    var owner: Int32
    var type: FacilityType
    var site: Int32
    var provider: Provider
}

/// Issues NIK serial numbers: unique per (kecamatan, sex, birth date) as Dukcapil's are.
/// Reset per kecamatan, so its size never depends on the number of records.
struct NIKCounter {
    private var next = [UInt16](repeating: 0, count: 2 * 372 * 100)

    mutating func reset() {
        for i in next.indices { next[i] = 0 }
    }

    /// `PPKKCC` + `DDMMYY` (day + 40 for women) + a 4-digit serial.
    mutating func make(prefix: ArraySlice<UInt8>, birth: Day, sex: Sex) -> [UInt8] {
        let c = birth.civil
        let yy = c.year % 100
        let slot = ((sex == .female ? 372 : 0) + (c.month - 1) * 31 + (c.day - 1)) * 100 + yy
        next[slot] = next[slot] >= 9_999 ? 1 : next[slot] + 1
        var out = [UInt8]()
        out.reserveCapacity(16)
        out.append(contentsOf: prefix)
        Format.digits(c.day + (sex == .female ? 40 : 0), width: 2, into: &out)
        Format.digits(c.month, width: 2, into: &out)
        Format.digits(yy, width: 2, into: &out)
        Format.digits(Int(next[slot]), width: 4, into: &out)
        return out
    }
}

/// Target-group tallies of one RT, in `TargetGroup.all` order (the §5.1 groups, then the SPM ones).
enum Group: Int, CaseIterable {
    case bumil, bulin, bayiLahirHidup, bayi, baduta, balita, remaja, remajaPutri, usiaProduktif
    case dewasa, lansia, penduduk
    case usiaPendidikanDasar, penderitaHipertensi, penderitaDM, odgjBerat, terdugaTB, risikoHIV
}

/// Simulates the residents of one village, one person at a time, and hands every service to
/// the emitter. Holds nothing per person once that person is done.
final class VillageSimulator {
    let plan: Plan
    let village: SynthVillage
    let emitter: Emitter
    let seed: UInt64
    let year: Int
    let windowStart: Day
    let windowEnd: Day
    private let midYear: Day
    private let yearStart: Day
    /// Per RT, per group: the true counts that `sasaran.csv` is derived from.
    private(set) var tally: [[Int]]
    private(set) var persons = 0
    private var otherIDs = 0
    private var pregnancies = 0
    /// Every posyandu session on this day of the month (the month's last day when shorter);
    /// nil: each posyandu on its own day ± 2 (`GeneratorOptions.posyanduDay`).
    var posyanduDay: Int?

    /// Share of residents per 5-year age band (0–4 … 80–84), Indonesia around 2020.
    private static let ageBands: [Double] = {
        let share = [8.0, 8.3, 8.4, 8.2, 8.0, 7.8, 7.6, 7.4, 7.0, 6.4, 5.6, 4.7, 3.8, 2.8, 1.8, 1.2, 0.8]
        var c: [Double] = []
        var s = 0.0
        for x in share { s += x; c.append(s) }
        return c
    }()

    /// Median weight (tenths of kg) by month of age, 0–24.
    private static let weightCurve: [Double] = [33, 45, 56, 64, 70, 75, 79, 83, 86, 89, 92, 94, 96,
                                                98, 100, 102, 104, 106, 108, 110, 112, 114, 116, 118, 120]
    /// Median length (tenths of cm) by month of age, 0–12.
    private static let heightCurve: [Double] = [500, 547, 584, 614, 639, 659, 676, 692, 706, 719, 731,
                                                743, 757]

    init(plan: Plan, village: SynthVillage, emitter: Emitter, seed: UInt64, year: Int) {
        self.plan = plan
        self.village = village
        self.emitter = emitter
        self.seed = seed
        self.year = year
        windowStart = emitter.windowStart
        windowEnd = emitter.windowEnd
        midYear = Day(year: year, month: 7, day: 1)!
        yearStart = Day(year: year, month: 1, day: 1)!
        tally = Array(repeating: Array(repeating: 0, count: Group.allCases.count), count: village.rts.count)
    }

    /// Whether the village has a strong immunisation programme (every other village, which
    /// half by the seed): most families keep to the schedule and a dose is rarely missed, so its
    /// complete-immunisation coverage reaches the UCI threshold. The others keep the former rates.
    private var strongImmunisation: Bool { (village.index + Int(seed % 2)) % 2 == 0 }

    /// Children born at most this many days before the window have the doses they were given
    /// before it entered back (the immunisation register, `Event.backEntered`).
    private static let backEntryDays = 365

    private var puskesmasFacility: Int32 { Int32(plan.puskesmas[village.puskesmas].facility) }
    private var pustu: Int32 { Int32(village.pustu) }

    // MARK: The loop

    /// Simulates every resident of the village.
    func run(nik: inout NIKCounter) throws {
        for r in village.rts.indices {
            for _ in 0..<village.rts[r].population {
                var rng = SplitMix64(seed, UInt64(village.index) << 32 | UInt64(persons), 0x5045_5253)
                try resident(rt: Int32(r), rng: &rng, nik: &nik)
            }
        }
    }

    private func resident(rt: Int32, rng: inout SplitMix64, nik: inout NIKCounter) throws {
        let band = rng.pick(cumulative: Self.ageBands)
        let birth = windowStart.adding(days: -(band * 1826 + rng.below(1826)) - 1)
        let sex: Sex = rng.chance(0.5) ? .female : .male
        let p = makePerson(birth: birth, sex: sex, rt: rt, nikShare: 0.97, rng: &rng, nik: &nik)
        // The SPM services draw from a stream of their own, so every other record is the same
        // as before they were added.
        var spm = SplitMix64(seed, UInt64(village.index) << 32 | UInt64(persons), 0x5350_4D31)
        // Whether a person in hypertension or diabetes care keeps to the monthly visits: a stream
        // of its own too, so the SPM stream (and the target groups it tallies) is unchanged.
        var adherence = SplitMix64(seed, UInt64(village.index) << 32 | UInt64(persons), 0x4144_4852)
        countResident(p)

        let ageAtStart = Age.years(birth: birth, at: windowStart)
        if ageAtStart < 5 { try child(p, born: nil, rng: &rng) }
        if ageAtStart >= 9 && ageAtStart <= 18 { try adolescent(p, rng: &rng) }
        var conditions = Conditions()
        if ageAtStart >= 14 { conditions = try adult(p, rng: &rng) }
        if sex == .female && ageAtStart >= 14 && ageAtStart <= 49 {
            try pregnancy(p, rng: &rng, nik: &nik)
        }
        if rng.chance(0.015) {
            let day = randomDay(rng: &rng)
            try emitter.emit(Event(day: day, service: .skriningTB, owner: puskesmasFacility,
                                   type: .puskesmas, site: -1, provider: .perawat),
                             person: p, village: village)
        }
        try spmServices(p, conditions: conditions, rng: &spm, adherence: &adherence)
    }

    /// What `adult` decided about a person's health, for the care visits of `spmServices`.
    struct Conditions {
        var hypertensive = false
        var diabetic = false
    }

    // MARK: SPM services

    /// The services only the SPM catalogue counts (docs/spm.md): school-age screening, care
    /// visits of hypertensives and diabetics, care of severe mental disorders, the examination
    /// of presumptive TB cases and HIV tests of key populations (pregnant women's tests are
    /// planted with their ANC). Care starts in a month of the year at random, so every quarter
    /// has first visits.
    private func spmServices(_ p: Person, conditions: Conditions, rng: inout SplitMix64,
                             adherence: inout SplitMix64) throws {
        let age = Age.years(birth: p.birth, at: midYear)
        let r = Int(p.rt0)
        let puskesmas = Place(owner: puskesmasFacility, type: .puskesmas, site: -1, provider: .perawat)
        func day(_ m: Int, _ rng: inout SplitMix64) -> Day {
            Day(year: year, month: m, day: rng.int(1...Day.daysIn(month: m, year: year)))!
        }
        if (7...15).contains(age) && rng.chance(0.75) {
            // Penjaringan at school, recorded by the puskesmas.
            let school = Place(owner: puskesmasFacility, type: .lainnya, site: -2, provider: .perawat)
            let m = rng.int(1...12)
            try emit(.skriningDikdas, Day(year: year, month: m, day: rng.int(3...25))!, school, p)
        }
        if age >= 15 {
            // Follow-up care: a first month, then most months of the rest of the year.
            func care(_ service: Service, _ share: Double, result: (inout SplitMix64) -> Measure,
                      _ rng: inout SplitMix64) throws {
                guard rng.chance(share) else { return }
                // Half keep to the monthly visits (the SPM standard): a month the others miss
                // (30 %) they mostly come anyway, drawn from `adherence` so that `rng` gives
                // every other record as before.
                let keeps = adherence.chance(0.5)
                func visit(_ m: Int, _ rng: inout SplitMix64) throws {
                    let place = rng.chance(0.7) ? Place(owner: puskesmasFacility, type: .puskesmas, site: -1,
                                                         provider: rng.chance(0.5) ? .dokter : .perawat)
                                                : Place(owner: pustu, type: .pustu, site: -1, provider: .perawat)
                    try emit(service, day(m, &rng), place, p, result: result(&rng))
                }
                for m in rng.int(1...12)...12 {
                    if rng.chance(0.7) {
                        try visit(m, &rng)
                    } else if keeps && adherence.chance(0.9) {
                        try visit(m, &adherence)
                    }
                }
            }
            if conditions.hypertensive { tally[r][Group.penderitaHipertensi.rawValue] += 1 }
            if conditions.diabetic { tally[r][Group.penderitaDM.rawValue] += 1 }
            if conditions.hypertensive {
                try care(.layananHT, 0.6, result: { .pressure(Int16($0.int(125...175)), Int16($0.int(75...105))) }, &rng)
            }
            if conditions.diabetic {
                try care(.layananDM, 0.55, result: { .integer(Int32($0.int(90...320))) }, &rng)
            }
            if rng.chance(0.0025) {
                tally[r][Group.odgjBerat.rawValue] += 1
                try care(.layananODGJ, 0.8, result: { _ in .none }, &rng)
            }
            if age <= 49 && rng.chance(0.008) {
                // A key population (sex workers, MSM, people who inject drugs …).
                tally[r][Group.risikoHIV.rawValue] += 1
                if rng.chance(0.75) { try emit(.tesHIV, randomDay(rng: &rng), puskesmas, p) }
            }
        }
        if rng.chance(0.007) {
            // A presumptive TB case, most of them examined.
            tally[r][Group.terdugaTB.rawValue] += 1
            if rng.chance(0.85) { try emit(.pemeriksaanTB, randomDay(rng: &rng), puskesmas, p) }
        }
    }

    private func makePerson(birth: Day, sex: Sex, rt: Int32, nikShare: Double,
                            rng: inout SplitMix64, nik: inout NIKCounter) -> Person {
        persons += 1
        let id: [UInt8]
        let hasNIK = rng.chance(nikShare)
        if hasNIK {
            if rng.chance(0.02) {
                // Registered elsewhere (moved in): another kabupaten's prefix.
                let prefix = Array("32730\(1 + rng.below(9))".utf8)
                id = nik.make(prefix: prefix[...], birth: birth, sex: sex)
            } else {
                id = nik.make(prefix: village.codeBytes[0..<6], birth: birth, sex: sex)
            }
        } else {
            // No NIK on the register: a medical-record or KIA-book number.
            otherIDs += 1
            var b = Array((Age.years(birth: birth, at: windowStart) < 6 ? "KIA-" : "RM-").utf8)
            b.append(contentsOf: village.codeBytes)
            b.append(0x2D)
            Format.digits(otherIDs, width: 5, into: &b)
            id = b
        }
        let first = UInt8(rng.below(sex == .female ? Names.femaleFirst.count : Names.maleFirst.count))
        let last = UInt8(rng.below(Names.lastNames.count))
        var p = Person(id: id, hasNIK: hasNIK, birth: birth, sex: sex, first: first, last: last,
                       rt0: rt, rt1: rt)
        if village.rts.count > 1 && rng.chance(0.03) {
            // Moves to another RT of the village during the window.
            p.moveDay = windowStart.adding(days: rng.below(windowStart.days(to: windowEnd)))
            let other = rng.below(village.rts.count - 1)
            p.rt1 = Int32(other >= Int(rt) ? other + 1 : other)
        }
        return p
    }

    private func countResident(_ p: Person) {
        let r = Int(p.rt0)
        let months = Age.months(birth: p.birth, at: midYear)
        let years = Age.years(birth: p.birth, at: midYear)
        tally[r][Group.penduduk.rawValue] += 1
        if months < 24 { tally[r][Group.baduta.rawValue] += 1 }
        if months < 60 { tally[r][Group.balita.rawValue] += 1 }
        if years >= 10 && years <= 18 { tally[r][Group.remaja.rawValue] += 1 }
        if p.sex == .female && years >= 12 && years <= 18 { tally[r][Group.remajaPutri.rawValue] += 1 }
        if years >= 15 && years <= 59 { tally[r][Group.usiaProduktif.rawValue] += 1 }
        if years >= 18 && years <= 59 { tally[r][Group.dewasa.rawValue] += 1 }
        if years >= 60 { tally[r][Group.lansia.rawValue] += 1 }
        if years >= 7 && years <= 15 { tally[r][Group.usiaPendidikanDasar.rawValue] += 1 }
    }

    // MARK: Calendar helpers

    /// The posyandu session of a month, or nil when it was not held (about 3 % of months).
    private func posyanduDate(_ facility: Int32, _ y: Int, _ m: Int) -> Day? {
        let h = SplitMix64.mix(seed ^ 0x5053_4459, UInt64(facility), UInt64(y * 12 + m))
        if h % 100 < 3 { return nil }
        if let posyanduDay { return Day(year: y, month: m, day: min(posyanduDay, Day.daysIn(month: m, year: y))) }
        let base = plan.facilities[Int(facility)].baseDay
        let d = min(max(1, base + Int((h >> 8) % 5) - 2), Day.daysIn(month: m, year: y))
        return Day(year: y, month: m, day: d)
    }

    /// The first posyandu session on or after `day`, within the window.
    private func nextPosyandu(_ facility: Int32, onOrAfter day: Day) -> Day? {
        var ym = YearMonth(day)
        for _ in 0..<24 {
            if ym.firstDay > windowEnd { return nil }
            if let s = posyanduDate(facility, ym.year, ym.month), s >= day { return s }
            ym = ym.month == 12 ? YearMonth(year: ym.year + 1, month: 1) : YearMonth(year: ym.year, month: ym.month + 1)
        }
        return nil
    }

    private func posyandu(of p: Person, at day: Day) -> Int32 {
        Int32(village.rts[Int(p.rt(at: day))].posyandu)
    }

    private func randomDay(rng: inout SplitMix64) -> Day {
        yearStart.adding(days: rng.below(Day.isLeap(year) ? 366 : 365))
    }

    // MARK: Places

    private func deliveryPlace(rng: inout SplitMix64) -> Place {
        let u = rng.unit()
        if u < 0.25 {
            return Place(owner: puskesmasFacility, type: .rumahSakit,
                         site: Int32(plan.hospitalSites[rng.below(plan.hospitalSites.count)]),
                         provider: rng.chance(0.8) ? .dokter : .bidan)
        } else if u < 0.58 {
            return Place(owner: puskesmasFacility, type: .puskesmas, site: -1,
                         provider: rng.chance(0.85) ? .bidan : .dokter)
        } else if u < 0.72 {
            return Place(owner: pustu, type: .pustu, site: -1, provider: .bidan)
        } else if u < 0.88 {
            return Place(owner: puskesmasFacility, type: .klinik,
                         site: Int32(plan.clinicSites[rng.below(plan.clinicSites.count)]),
                         provider: rng.chance(0.9) ? .bidan : .dokter)
        } else {
            let v = rng.unit()
            return Place(owner: pustu, type: .rumah, site: -2,
                         provider: v < 0.5 ? .bidan : v < 0.75 ? .kader : .lainnya)
        }
    }

    /// A bidan's home visit, recorded in the pustu register.
    private var homeVisit: Place { Place(owner: pustu, type: .rumah, site: -2, provider: .bidan) }

    private func followUpPlace(rng: inout SplitMix64) -> Place {
        let u = rng.unit()
        if u < 0.5 { return homeVisit }
        if u < 0.85 { return Place(owner: pustu, type: .pustu, site: -1, provider: .bidan) }
        return Place(owner: puskesmasFacility, type: .puskesmas, site: -1, provider: .bidan)
    }

    private func emit(_ service: Service, _ day: Day, _ place: Place, _ p: Person,
                      result: Measure = .none) throws {
        try emitter.emit(Event(day: day, service: service, owner: place.owner, type: place.type,
                               site: place.site, provider: place.provider, result: result),
                         person: p, village: village)
    }

    // MARK: Children

    private static let sessionAges = [30, 60, 90, 120, 270, 365, 540]
    private static let sessionDoses: [[Service]] = [
        [.bcg, .polio1], [.dpt1, .polio2, .pcv1, .rv1], [.dpt2, .polio3, .pcv2, .rv2],
        [.dpt3, .polio4, .ipv1, .rv3], [.mr1, .ipv2], [.pcv3], [.dpt4, .mr2],
    ]

    /// Neonatal visits, immunisation and monthly posyandu from birth to 59 months.
    private func child(_ p: Person, born: Place?, rng: inout SplitMix64) throws {
        let b = p.birth
        var place = born ?? deliveryPlace(rng: &rng)
        if place.provider == .kader || place.provider == .lainnya { place = homeVisit }

        // Neonatal visits (KN) and HB0 at birth.
        if rng.chance(0.92) { try emit(.kn, b.adding(days: rng.int(0...2)), place, p) }
        let kn2 = rng.chance(0.85)
        if kn2 { try emit(.kn, b.adding(days: rng.int(3...7)), followUpPlace(rng: &rng), p) }
        if rng.chance(kn2 ? 0.8 : 0.55) {
            try emit(.kn, b.adding(days: rng.int(8...28)), followUpPlace(rng: &rng), p)
        }
        // Doses given before the window are entered back for children under one year at its
        // start (the register of the window's first month), so their series are complete.
        let backEntered = windowStart.days(to: b) >= -Self.backEntryDays
        func dose(_ service: Service, _ day: Day, _ site: Place) throws {
            var e = Event(day: day, service: service, owner: site.owner, type: site.type, site: site.site,
                          provider: site.provider)
            e.backEntered = backEntered
            try emitter.emit(e, person: p, village: village)
        }
        let strong = strongImmunisation
        if rng.chance(strong ? 0.99 : 0.88) { try dose(.hb0, b.adding(days: rng.int(0...1)), place) }

        // Immunisation sessions, with delays and drop-outs by the family's compliance.
        let c = rng.unit()
        let (good, middling) = strong ? (0.95, 0.99) : (0.65, 0.9)
        let (attend, delayMax, dropOut) = c < good ? (0.95, 7, 0.01) : c < middling ? (0.8, 30, 0.03) : (0.55, 75, 0.08)
        let atPuskesmas = rng.chance(0.2)
        var due = b.adding(days: Self.sessionAges[0])
        for k in 0..<Self.sessionAges.count {
            if rng.chance(dropOut) { break }
            var target = due.adding(days: rng.int(0...delayMax))
            if !rng.chance(attend) { target = target.adding(days: 30) }
            let date: Day?
            let site: Place
            if atPuskesmas {
                date = target
                site = Place(owner: puskesmasFacility, type: .puskesmas, site: -1,
                             provider: rng.chance(0.7) ? .bidan : .perawat)
            } else {
                let fac = posyandu(of: p, at: target)
                date = nextPosyandu(fac, onOrAfter: target)
                site = Place(owner: fac, type: .posyandu, site: -1, provider: .bidan)
            }
            guard let date, date <= windowEnd else { break }
            for service in Self.sessionDoses[k] where rng.chance(strong ? 0.998 : 0.97) {
                try dose(service, date, site)
            }
            if k + 1 < Self.sessionAges.count {
                due = max(b.adding(days: Self.sessionAges[k + 1]), date.adding(days: 28))
            }
        }

        // Monthly weighing with growth; height, arm, head, vitamin A, development checks.
        let propensity = 0.65 + 0.35 * rng.unit()
        let f = 0.85 + 0.27 * rng.unit()
        let fh = 0.95 + 0.09 * rng.unit()
        var weight = Double(rng.chance(0.08) ? rng.int(20...24) : rng.int(25...38))
        var ym = YearMonth(b)
        var index = 0
        let first = emitter.firstMonth
        while ym.firstDay <= windowEnd && index <= 60 {
            if index > 0 {
                let curve = Self.weight(index)
                var delta = (curve - Self.weight(index - 1)) * f + rng.normal()
                if rng.chance(0.12) { delta = -Double(rng.below(3)) }
                weight += delta + (curve * f - weight) / 5
            }
            if ym >= first {
                let fac = posyandu(of: p, at: ym.firstDay.adding(days: 14))
                if let date = posyanduDate(fac, ym.year, ym.month), date >= b {
                    let months = Age.months(birth: b, at: date)
                    let ageFactor = months < 12 ? 1.0 : months < 24 ? 0.9 : 0.75
                    // February and August are the vitamin A months (bulan vitamin A): most
                    // children come, whatever their usual attendance.
                    let campaign = ym.month == 2 || ym.month == 8
                    if months <= 59 && rng.chance(campaign ? max(0.9, propensity * ageFactor) : propensity * ageFactor) {
                        let kader = Place(owner: fac, type: .posyandu, site: -1, provider: .kader)
                        try emit(.timbang, date, kader, p, result: .tenths(Int32(max(15, weight.rounded()))))
                        if (months < 24 && rng.chance(0.5)) || (campaign && rng.chance(0.8)) {
                            let h = Self.height(months) * fh + rng.normal() * 5
                            try emit(.ukurTB, date, kader, p, result: .tenths(Int32(h.rounded())))
                        }
                        if months >= 6 && campaign && rng.chance(0.5) {
                            try emit(.lila, date, kader, p, result: .tenths(Int32(rng.int(125...165))))
                        }
                        if months < 24 && rng.chance(0.25) {
                            let head = 345 + Double(min(months, 24)) * 5.5 + rng.normal() * 6
                            try emit(.lk, date, kader, p, result: .tenths(Int32(head.rounded())))
                        }
                        if campaign && months >= 6 && rng.chance(0.85) {
                            try emit(.vita, date, Place(owner: fac, type: .posyandu, site: -1,
                                                        provider: .bidan), p)
                        }
                        // Development checks mostly in the February and August rounds.
                        if rng.chance(campaign ? 0.75 : 0.05) {
                            try emit(.sdidtk, date, Place(owner: fac, type: .posyandu, site: -1,
                                                          provider: .bidan), p)
                        }
                    }
                }
            }
            index += 1
            ym = ym.month == 12 ? YearMonth(year: ym.year + 1, month: 1) : YearMonth(year: ym.year, month: ym.month + 1)
        }
    }

    private static func weight(_ month: Int) -> Double {
        month <= 24 ? weightCurve[month] : 120 + Double(month - 24) * 1.7
    }

    private static func height(_ month: Int) -> Double {
        if month <= 12 { return heightCurve[max(0, month)] }
        if month <= 24 { return 757 + Double(month - 12) * 9 }
        return 865 + Double(month - 24) * 6.4
    }

    // MARK: Adolescents

    private func adolescent(_ p: Person, rng: inout SplitMix64) throws {
        if rng.chance(0.55) {
            let m = rng.int(1...12)
            let atSchool = rng.chance(0.4)
            let place: Place
            let day: Day?
            if atSchool {
                day = Day(year: year, month: m, day: rng.int(3...25))
                place = Place(owner: puskesmasFacility, type: .lainnya, site: -2, provider: .perawat)
            } else {
                let fac = posyandu(of: p, at: Day(year: year, month: m, day: 1)!)
                day = posyanduDate(fac, year, m)
                place = Place(owner: fac, type: .posyandu, site: -1, provider: .bidan)
            }
            if let day, (10...18).contains(Age.years(birth: p.birth, at: day)) {
                try emit(.skriningRemaja, day, place, p)
                if rng.chance(0.8) {
                    try emit(.imt, day, place, p, result: .tenths(Int32(rng.int(150...240))))
                }
                if rng.chance(0.3) {
                    try emit(.tensi, day, place, p, result: .pressure(Int16(rng.int(100...125)),
                                                                     Int16(rng.int(60...80))))
                }
                if p.sex == .female && rng.chance(0.3) {
                    try emit(.hb, day, place, p, result: .tenths(Int32(rng.int(95...135))))
                }
            }
        }
        if p.sex == .female && rng.chance(0.45) {
            // Weekly iron tablets at school, recorded once a month by the puskesmas.
            let school = Place(owner: puskesmasFacility, type: .lainnya, site: -2, provider: .perawat)
            for m in rng.int(1...6)...12 where rng.chance(0.8) {
                let day = Day(year: year, month: m, day: 5 + (village.index * 7 + m) % 15)!
                if (12...18).contains(Age.years(birth: p.birth, at: day)) {
                    try emit(.ttdRemaja, day, school, p)
                }
            }
        }
    }

    // MARK: Adults and the elderly

    @discardableResult
    private func adult(_ p: Person, rng: inout SplitMix64) throws -> Conditions {
        let age = Age.years(birth: p.birth, at: midYear)
        let hypertensive = rng.chance(age < 40 ? 0.08 : age < 60 ? 0.3 : 0.45)
        let diabetic = rng.chance(age < 40 ? 0.03 : 0.12)
        let bmi = min(400, max(150, 225 + rng.normal() * 35))
        var screen = p.sex == .female ? 0.5 : 0.35
        if age >= 40 { screen += 0.1 }
        var screenMonths: (Int, Int) = (0, 0)

        func pressure(_ rng: inout SplitMix64) -> Measure {
            hypertensive
                ? .pressure(Int16(rng.int(135...185)), Int16(rng.int(85...110)))
                : .pressure(Int16(rng.int(100...135)), Int16(rng.int(60...85)))
        }

        if rng.chance(screen) {
            let m1 = rng.int(1...12)
            var m2 = 0
            if rng.chance(0.25) { m2 = 1 + (m1 + rng.int(2...9) - 1) % 12 }
            screenMonths = (m1, m2)
            for m in [m1, m2] where m > 0 {
                let fac = posyandu(of: p, at: Day(year: year, month: m, day: 1)!)
                guard let day = posyanduDate(fac, year, m) else { continue }
                let atPustu = rng.chance(0.2)
                let kader = atPustu ? Place(owner: pustu, type: .pustu, site: -1, provider: .perawat)
                                    : Place(owner: fac, type: .posyandu, site: -1, provider: .kader)
                let nakes = atPustu ? kader : Place(owner: fac, type: .posyandu, site: -1,
                                                    provider: rng.chance(0.6) ? .bidan : .perawat)
                if rng.chance(0.85) {
                    try emit(.imt, day, kader, p, result: .tenths(Int32((bmi + rng.normal() * 3).rounded())))
                }
                if rng.chance(0.55) {
                    let waist = 700 + (bmi - 225) * 2.5 + (p.sex == .male ? 40 : 0) + rng.normal() * 30
                    try emit(.lingkarPerut, day, kader, p, result: .tenths(Int32(waist.rounded())))
                }
                if rng.chance(0.95) { try emit(.tensi, day, kader, p, result: pressure(&rng)) }
                if rng.chance(0.5) {
                    let g = diabetic ? rng.int(200...350) : rng.int(80...180)
                    try emit(.gds, day, nakes, p, result: .integer(Int32(g)))
                }
                if age >= 15 && rng.chance(0.25) {
                    try emit(.srq20, day, nakes, p, result: .integer(Int32(rng.chance(0.8) ? rng.int(0...5) : rng.int(6...14))))
                }
                if age >= 40 && rng.chance(0.3) {
                    try emit(.puma, day, nakes, p, result: .integer(Int32(rng.int(0...8))))
                }
                if rng.chance(0.35) { try emit(.skriningTB, day, nakes, p) }
                if age >= 60 && rng.chance(0.55) { try emit(.skilas, day, nakes, p) }
            }
        } else if age >= 60 && rng.chance(0.3) {
            let m = rng.int(1...12)
            let fac = posyandu(of: p, at: Day(year: year, month: m, day: 1)!)
            if let day = posyanduDate(fac, year, m) {
                try emit(.skilas, day, Place(owner: fac, type: .posyandu, site: -1, provider: .kader), p)
            }
        }
        // Hypertensives in follow-up have their pressure taken most months.
        if hypertensive && screenMonths.0 > 0 && rng.chance(0.35) {
            for m in 1...12 where m != screenMonths.0 && m != screenMonths.1 && rng.chance(0.7) {
                let fac = posyandu(of: p, at: Day(year: year, month: m, day: 1)!)
                if let day = posyanduDate(fac, year, m) {
                    try emit(.tensi, day, Place(owner: fac, type: .posyandu, site: -1, provider: .kader),
                             p, result: pressure(&rng))
                }
            }
        }
        if p.sex == .female && age >= 30 && age <= 69 && rng.chance(0.06) {
            let day = randomDay(rng: &rng)
            let place = Place(owner: puskesmasFacility, type: .puskesmas, site: -1,
                              provider: rng.chance(0.8) ? .bidan : .dokter)
            try emit(.iva, day, place, p)
            if rng.chance(0.9) { try emit(.sadanis, day, place, p) }
        }
        return Conditions(hypertensive: hypertensive, diabetic: diabetic)
    }

    // MARK: Pregnancy, delivery, postpartum, newborn

    private static let fertility: [Double] = [0.026, 0.10, 0.11, 0.09, 0.055, 0.02, 0.005]

    private func pregnancy(_ mother: Person, rng: inout SplitMix64, nik: inout NIKCounter) throws {
        let age = Age.years(birth: mother.birth, at: windowStart)
        let asfr = age < 15 ? 0.01 : Self.fertility[min(6, (age - 15) / 5)]
        let span = windowStart.days(to: windowEnd) + 280
        guard rng.chance(asfr * Double(span) / 365.25) else { return }
        let delivery = windowStart.adding(days: rng.below(span))
        let lmp = delivery.adding(days: -(rng.chance(0.08) ? rng.int(224...258) : rng.int(259...294)))
        let lost = rng.chance(0.08)
        let end = lost ? lmp.adding(days: rng.int(56...140)) : delivery
        let r = Int(mother.rt(at: lmp.adding(days: 91)))
        if lmp.adding(days: 91).year == year {
            tally[r][Group.bumil.rawValue] += 1
            tally[r][Group.risikoHIV.rawValue] += 1   // every pregnant woman is at risk (SPM)
        }

        // ANC visits.
        pregnancies += 1
        let pregnancyNumber = UInt32(pregnancies)
        let hasID = rng.chance(0.35)
        let lmpKnown = rng.chance(0.65)
        let noGestation = !lmpKnown && rng.chance(0.06)
        var firstANC: (Day, Place)?
        // The §A5 maternal records (LILA at the first visit, tablet counts on TTD_BUMIL, a risk
        // found by a health worker) draw from a stream of their own, so every other record is
        // what it was before they were added.
        var maternal = SplitMix64(seed, UInt64(village.index) << 32 | UInt64(pregnancies), 0x4D41_544E)
        let lilaMeasured = maternal.chance(0.9), kek = maternal.chance(0.15)
        let ristiVisit = maternal.chance(0.25) ? maternal.int(0...4) : -1
        var held = 0
        if rng.chance(0.96) {
            let firstGA = rng.chance(0.8) ? rng.int(35...84) : rng.int(91...196)
            let planned = [firstGA, rng.int(112...140), rng.int(154...168), rng.int(196...210),
                           rng.int(224...238), rng.int(252...266)]
            let doctorTM1 = firstGA <= 84 && rng.chance(0.6)
            var doctorTM3 = rng.chance(0.55)
            var missed = false
            for (i, ga) in planned.enumerated() {
                if i > 0 {
                    if ga <= firstGA + 14 { continue }
                    if !rng.chance(missed ? 0.75 : 0.9) { missed = true; continue }
                }
                let day = lmp.adding(days: ga)
                if day >= end { break }
                var place: Place
                if (i == 0 && doctorTM1) || (ga >= 175 && doctorTM3) {
                    if ga >= 175 { doctorTM3 = false }
                    place = Place(owner: puskesmasFacility, type: .puskesmas, site: -1, provider: .dokter)
                } else {
                    let u = rng.unit()
                    if u < 0.55 {
                        place = Place(owner: pustu, type: .pustu, site: -1, provider: .bidan)
                    } else if u < 0.8 {
                        place = Place(owner: posyandu(of: mother, at: day), type: .posyandu, site: -1,
                                      provider: .bidan)
                    } else {
                        place = Place(owner: puskesmasFacility, type: .puskesmas, site: -1, provider: .bidan)
                    }
                }
                var e = Event(day: day, service: .anc, owner: place.owner, type: place.type,
                              site: place.site, provider: place.provider)
                if hasID && rng.chance(0.95) { e.pregnancy = pregnancyNumber }
                if lmpKnown && rng.chance(0.9) { e.lmp = lmp }
                if !noGestation && (!lmpKnown || rng.chance(0.4)) {
                    var w = ga / 7
                    if rng.chance(0.15) { w += rng.chance(0.5) ? 1 : -1 }
                    e.weeks = Int8(max(0, w))
                }
                try emitter.emit(e, person: mother, village: village)
                if firstANC == nil { firstANC = (day, place) }
                if rng.chance(0.6) {
                    // Tablets handed out: a month's supply mostly, sometimes less or two months'.
                    let u = maternal.unit()
                    let tablets = u < 0.75 ? 30 : u < 0.85 ? 15 : u < 0.92 ? 10 : 60
                    try emit(.ttdBumil, day, place, mother, result: .integer(Int32(tablets)))
                }
                if i == 0 && place.owner == puskesmasFacility && rng.chance(0.6) {
                    try emit(.hb, day, place, mother, result: .tenths(Int32(rng.int(95...135))))
                }
                if held == 0 && lilaMeasured {
                    // Mid-upper-arm circumference at the first visit; KEK below 23.5 cm.
                    let tenths = kek ? maternal.int(190...234) : maternal.int(235...320)
                    try emit(.lila, day, place, mother, result: .tenths(Int32(tenths)))
                }
                if held == ristiVisit {
                    // A risk factor found by the bidan or doctor of this visit.
                    try emit(.ristiNakes, day, place, mother)
                }
                held += 1
            }
        }
        if let (day, place) = firstANC {
            // HIV test at the first ANC visit (SPM: every pregnant woman is at risk), from a
            // stream of its own.
            var hiv = SplitMix64(seed, UInt64(village.index) << 32 | UInt64(pregnancies), 0x4849_5654)
            if hiv.chance(0.75) { try emit(.tesHIV, day, place, mother) }
        }
        if lost { return }

        // Delivery.
        let place = deliveryPlace(rng: &rng)
        if delivery.year == year { tally[Int(mother.rt(at: delivery))][Group.bulin.rawValue] += 1 }
        try emit(.persalinan, delivery, place, mother)
        if rng.chance(0.03) {
            // The bidan desa records it again in the pustu register the next day.
            try emit(.persalinan, delivery.adding(days: 1),
                     Place(owner: pustu, type: place.type, site: place.site, provider: .bidan), mother)
        }

        // Postpartum visits (KF1–KF4) with drop-outs.
        let windows = [(0, 2, 0.92), (3, 7, 0.85), (8, 28, 0.75), (29, 42, 0.62)]
        var missed = false
        for (k, w) in windows.enumerated() {
            guard rng.chance(missed ? w.2 * 0.7 : w.2) else { missed = true; continue }
            var at = k == 0 ? place : followUpPlace(rng: &rng)
            if at.provider == .kader || at.provider == .lainnya { at = homeVisit }
            var e = Event(day: delivery.adding(days: rng.int(w.0...w.1)), service: .nifas,
                          owner: at.owner, type: at.type, site: at.site, provider: at.provider)
            e.delivery = delivery
            try emitter.emit(e, person: mother, village: village)
        }

        // The newborn.
        guard delivery <= windowEnd, rng.chance(0.985) else { return }
        let rt = mother.rt(at: delivery)
        if delivery.year == year {
            tally[Int(rt)][Group.bayiLahirHidup.rawValue] += 1
            tally[Int(rt)][Group.bayi.rawValue] += 1
            if delivery <= midYear {
                tally[Int(rt)][Group.baduta.rawValue] += 1
                tally[Int(rt)][Group.balita.rawValue] += 1
            }
        }
        let sex: Sex = rng.chance(0.5) ? .female : .male
        var baby = makePerson(birth: delivery, sex: sex, rt: rt, nikShare: 0.88, rng: &rng, nik: &nik)
        baby.moveDay = .unknown
        baby.rt1 = rt
        if !mother.moveDay.isUnknown && mother.moveDay > delivery {
            baby.moveDay = mother.moveDay
            baby.rt1 = mother.rt1
        }
        try child(baby, born: place, rng: &rng)
    }
}
