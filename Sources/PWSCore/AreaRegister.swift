/// A village (desa/kelurahan) of the register (spec §2.2).
public struct Village: Sendable, Hashable {
    /// 10-digit Kemendagri code.
    public var code: String
    public var name: String
    public var districtName: String
    public var regencyName: String
    public var puskesmasCode: String
    public var puskesmasName: String

    public init(code: String, name: String, districtName: String, regencyName: String,
                puskesmasCode: String, puskesmasName: String) {
        self.code = code
        self.name = name
        self.districtName = districtName
        self.regencyName = regencyName
        self.puskesmasCode = puskesmasCode
        self.puskesmasName = puskesmasName
    }

    /// Kecamatan code: the first 6 digits.
    public var districtCode: String { String(code.prefix(6)) }
    /// Kabupaten/kota code: the first 4 digits.
    public var regencyCode: String { String(code.prefix(4)) }
}

/// One RT (the leaf area): registered in `wilayah.csv`, or seen in used records only.
public struct RTArea: Sendable, Hashable {
    /// Index into `AreaRegister.villages`.
    public var village: UInt32
    /// Normalised RW label (§2.5), e.g. `001`.
    public var rw: String
    /// Normalised RT label (§2.5).
    public var rt: String
    public var hamlet: String
    /// Residents (a projection may carry decimals, spec §A1); nil when the register gives none.
    public var population: ExactDecimal?
    /// False for an RT seen only in service records (W-AREA).
    public var registered: Bool

    public init(village: UInt32, rw: String, rt: String, hamlet: String = "",
                population: ExactDecimal? = nil, registered: Bool) {
        self.village = village
        self.rw = rw
        self.rt = rt
        self.hamlet = hamlet
        self.population = population
        self.registered = registered
    }
}

/// The area register: villages and their RTs, with lookups by code and label.
public struct AreaRegister: Sendable {
    public private(set) var villages: [Village] = []
    public private(set) var rts: [RTArea] = []
    private var villageIndex: [String: UInt32] = [:]
    private var rtIndex: [RTKey: UInt32] = [:]

    private struct RTKey: Hashable, Sendable {
        var village: UInt32
        var rw: String
        var rt: String
    }

    public init() {}

    /// Adds a village (or returns the existing one with that code).
    @discardableResult
    public mutating func addVillage(_ village: Village) -> UInt32 {
        if let i = villageIndex[village.code] { return i }
        let i = UInt32(villages.count)
        villages.append(village)
        villageIndex[village.code] = i
        return i
    }

    /// Adds an RT; returns its index, or nil when (village, rw, rt) is already there.
    public mutating func addRT(_ area: RTArea) -> UInt32? {
        let key = RTKey(village: area.village, rw: area.rw, rt: area.rt)
        if rtIndex[key] != nil { return nil }
        let i = UInt32(rts.count)
        rts.append(area)
        rtIndex[key] = i
        return i
    }

    /// The index of a village by its 10-digit code.
    public func village(code: String) -> UInt32? { villageIndex[code] }

    /// The index of an RT by village index and normalised labels.
    public func rt(village: UInt32, rw: String, rt: String) -> UInt32? {
        rtIndex[RTKey(village: village, rw: rw, rt: rt)]
    }

    /// The RT's index, adding it as unregistered when the register does not have it.
    public mutating func rtAddingUnregistered(village: UInt32, rw: String, rt: String) -> UInt32 {
        if let i = self.rt(village: village, rw: rw, rt: rt) { return i }
        return addRT(RTArea(village: village, rw: rw, rt: rt, registered: false))!
    }
}

/// One row of `sasaran.csv` after validation (spec §2.3).
public struct SasaranEntry: Sendable, Hashable {
    public var year: Int
    /// Index into `AreaRegister.villages`.
    public var village: UInt32
    /// Normalised RW label, empty for village level.
    public var rw: String
    /// Normalised RT label, empty for RW (or village) level.
    public var rt: String
    public var group: String
    /// Up to 4 decimals, 0…10⁹ (spec §A1).
    public var count: ExactDecimal

    public init(year: Int, village: UInt32, rw: String, rt: String, group: String, count: ExactDecimal) {
        self.year = year
        self.village = village
        self.rw = rw
        self.rt = rt
        self.group = group
        self.count = count
    }
}

/// The target groups: the twelve of spec §5.1, then the SPM ones (issue 16, docs/spm.md) that
/// the §5.1 groups do not cover.
public enum TargetGroup {
    /// The groups of spec §5.1, in that order (the generator's `sasaran.csv` writes these).
    public static let ilp = ["bumil", "bulin", "bayi_lahir_hidup", "bayi", "baduta", "balita",
                             "remaja", "remaja_putri", "usia_produktif", "dewasa", "lansia",
                             "penduduk"]
    /// The SPM target populations that are not §5.1 groups: children of basic-education age
    /// (grades 1–9, 7–15 years), people ≥ 15 with hypertension or diabetes, people with a severe
    /// mental disorder, presumptive TB cases, people at risk of HIV infection.
    public static let spm = ["usia_pendidikan_dasar", "penderita_hipertensi", "penderita_dm", "odgj_berat",
                             "terduga_tb", "risiko_hiv"]
    /// Every group a sasaran row, a denominator or an estimation share may name.
    public static let all = ilp + spm
}
