/// Sex as recorded (spec §2.4).
public enum Sex: UInt8, Sendable, Hashable, CaseIterable {
    case male = 1
    case female = 2
}

/// Where the service was given (spec §2.4).
public enum FacilityType: UInt8, Sendable, Hashable, CaseIterable {
    case posyandu, pustu, puskesmas, rumahSakit, klinik, rumah, lainnya

    /// The canonical spelling used in files and catalogues.
    public var code: String {
        switch self {
        case .posyandu: "posyandu"
        case .pustu: "pustu"
        case .puskesmas: "puskesmas"
        case .rumahSakit: "rumah_sakit"
        case .klinik: "klinik"
        case .rumah: "rumah"
        case .lainnya: "lainnya"
        }
    }
}

/// Who gave the service (spec §2.4). `none` when the column is absent or empty; an unknown
/// value reads as `lainnya`.
public enum Provider: UInt8, Sendable, Hashable, CaseIterable {
    case none, dokter, bidan, perawat, gizi, kader, lainnya

    public var code: String {
        switch self {
        case .none: ""
        case .dokter: "dokter"
        case .bidan: "bidan"
        case .perawat: "perawat"
        case .gizi: "gizi"
        case .kader: "kader"
        case .lainnya: "lainnya"
        }
    }
}
