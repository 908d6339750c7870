import PWSCore

/// The service codes of the default catalogue (spec §2.6) that the generator emits.
enum Service: UInt8, CaseIterable, Sendable {
    case anc, persalinan, nifas, ttdBumil, kn
    case hb0, bcg, polio1, polio2, polio3, polio4, dpt1, dpt2, dpt3, dpt4, ipv1, ipv2
    case pcv1, pcv2, pcv3, rv1, rv2, rv3, mr1, mr2
    case timbang, ukurTB, lila, lk, vita, sdidtk, hb
    case skriningRemaja, ttdRemaja, imt, lingkarPerut, tensi, gds, srq20, puma, skriningTB
    case iva, sadanis, skilas
    // For the SPM catalogue (pipelines/spm.yaml); after the others so their raw values stay.
    case skriningDikdas, layananHT, layananDM, layananODGJ, pemeriksaanTB, tesHIV
    // For the §A5 maternal indicators (DETEKSI_RISTI_NAKES); last, so the raw values above stay.
    case ristiNakes

    var code: String {
        switch self {
        case .anc: "ANC"
        case .persalinan: "PERSALINAN"
        case .nifas: "NIFAS"
        case .ttdBumil: "TTD_BUMIL"
        case .kn: "KN"
        case .hb0: "HB0"
        case .bcg: "BCG"
        case .polio1: "POLIO1"
        case .polio2: "POLIO2"
        case .polio3: "POLIO3"
        case .polio4: "POLIO4"
        case .dpt1: "DPTHBHIB1"
        case .dpt2: "DPTHBHIB2"
        case .dpt3: "DPTHBHIB3"
        case .dpt4: "DPTHBHIB4"
        case .ipv1: "IPV1"
        case .ipv2: "IPV2"
        case .pcv1: "PCV1"
        case .pcv2: "PCV2"
        case .pcv3: "PCV3"
        case .rv1: "RV1"
        case .rv2: "RV2"
        case .rv3: "RV3"
        case .mr1: "MR1"
        case .mr2: "MR2"
        case .timbang: "TIMBANG"
        case .ukurTB: "UKUR_TB"
        case .lila: "LILA"
        case .lk: "LK"
        case .vita: "VITA"
        case .sdidtk: "SDIDTK"
        case .hb: "HB"
        case .skriningRemaja: "SKRINING_REMAJA"
        case .ttdRemaja: "TTD_REMAJA"
        case .imt: "IMT"
        case .lingkarPerut: "LINGKAR_PERUT"
        case .tensi: "TENSI"
        case .gds: "GDS"
        case .srq20: "SRQ20"
        case .puma: "PUMA"
        case .skriningTB: "SKRINING_TB"
        case .iva: "IVA"
        case .sadanis: "SADANIS"
        case .skilas: "SKILAS"
        case .skriningDikdas: "SKRINING_DIKDAS"
        case .layananHT: "LAYANAN_HT"
        case .layananDM: "LAYANAN_DM"
        case .layananODGJ: "LAYANAN_ODGJ"
        case .pemeriksaanTB: "PEMERIKSAAN_TB"
        case .tesHIV: "TES_HIV"
        case .ristiNakes: "RISTI_NAKES"
        }
    }

    /// Codes as bytes, upper and lower case, indexed by raw value.
    static let upperBytes: [[UInt8]] = allCases.map { Array($0.code.utf8) }
    static let lowerBytes: [[UInt8]] = allCases.map { Array($0.code.lowercased().utf8) }

    /// The unit a measurement may carry (`12,5 kg`), empty for none.
    var unit: String {
        switch self {
        case .timbang: "kg"
        case .ukurTB, .lila, .lk, .lingkarPerut: "cm"
        case .hb: "g/dL"
        case .imt: "kg/m2"
        case .gds, .layananDM: "mg/dL"
        case .tensi, .layananHT: "mmHg"
        default: ""
        }
    }

    static let unitBytes: [[UInt8]] = allCases.map { Array($0.unit.utf8) }

    var isMaternal: Bool {
        self == .anc || self == .persalinan || self == .nifas || self == .ttdBumil || self == .ristiNakes
    }

    /// Whether the catalogue (§2.6) accepts this service for that sex and age at the visit.
    func eligible(birth: Day, sex: Sex, at visit: Day) -> Bool {
        eligible(birth: birth, birthCivil: birth.civil, sex: sex, at: visit, visitCivil: visit.civil)
    }

    /// The same, with the dates' civil parts already at hand (the emitter's hot path).
    func eligible(birth: Day, birthCivil b: (year: Int, month: Int, day: Int), sex: Sex, at visit: Day,
                  visitCivil v: (year: Int, month: Int, day: Int)) -> Bool {
        let days = birth.days(to: visit)
        if days < 0 { return false }
        var years: Int {
            var y = v.year - b.year
            if v.month < b.month || (v.month == b.month && v.day < b.day) { y -= 1 }
            return y
        }
        switch self {
        case .anc, .persalinan, .nifas, .ttdBumil, .ristiNakes:
            let y = years
            return sex == .female && y >= 10 && y <= 55
        case .kn: return days <= 28
        case .hb0, .bcg, .polio1, .polio2, .polio3, .polio4, .dpt1, .dpt2, .dpt3, .dpt4, .ipv1,
             .ipv2, .pcv1, .pcv2, .pcv3, .rv1, .rv2, .rv3, .mr1, .mr2, .lk, .sdidtk:
            return years <= 6
        case .timbang, .ukurTB, .lila, .hb, .skriningTB, .layananODGJ, .pemeriksaanTB, .tesHIV: return true
        case .vita:
            var m = (v.year - b.year) * 12 + (v.month - b.month)
            if v.day < b.day { m -= 1 }
            return m >= 6 && m <= 59
        case .skriningRemaja:
            let y = years
            return y >= 10 && y <= 19
        case .ttdRemaja:
            let y = years
            return sex == .female && y >= 10 && y <= 19
        case .imt: return years >= 5
        case .lingkarPerut, .srq20: return years >= 15
        case .tensi, .gds: return years >= 10
        case .puma: return years >= 40
        case .iva, .sadanis:
            let y = years
            return sex == .female && y >= 30 && y <= 69
        case .skilas: return years >= 60
        case .skriningDikdas:
            let y = years
            return y >= 5 && y <= 18
        case .layananHT, .layananDM: return years >= 15
        }
    }
}

/// Completed calendar years and months, as spec §2.4 defines them.
enum Age {
    static func years(birth: Day, at visit: Day) -> Int {
        let b = birth.civil, v = visit.civil
        var y = v.year - b.year
        if v.month < b.month || (v.month == b.month && v.day < b.day) { y -= 1 }
        return y
    }

    static func months(birth: Day, at visit: Day) -> Int {
        let b = birth.civil, v = visit.civil
        var m = (v.year - b.year) * 12 + (v.month - b.month)
        if v.day < b.day { m -= 1 }
        return m
    }
}

/// A measurement as the generator holds it.
enum Measure: Sendable {
    case none
    /// One decimal: kg, cm, g/dL, kg/m², in tenths.
    case tenths(Int32)
    /// A whole number: mg/dL, a score.
    case integer(Int32)
    /// Blood pressure `SYS/DIA`.
    case pressure(Int16, Int16)

    var isNone: Bool { if case .none = self { true } else { false } }
}
