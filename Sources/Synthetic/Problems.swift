import PWSCore

/// A §3 problem the generator plants in one record.
enum Problem: Int, CaseIterable, Sendable {
    case parse, fields, required, date, future, beforeBirth, sex, person, area, facility
    case service, eligibility, duplicateID, duplicate, result, gestation, areaWarning, nik, nifas

    /// The rule the validator should report for it.
    var rule: RuleCode {
        switch self {
        case .parse: .parse
        case .fields: .fields
        case .required: .required
        case .date: .date
        case .future: .future
        case .beforeBirth: .beforeBirth
        case .sex: .sex
        case .person: .person
        case .area: .area
        case .facility: .facility
        case .service: .service
        case .eligibility: .eligibility
        case .duplicateID: .duplicateID
        case .duplicate: .duplicate
        case .result: .result
        case .gestation: .gestation
        case .areaWarning: .areaWarning
        case .nik: .nik
        case .nifas: .nifas
        }
    }
}

/// Decides which records carry a problem.
///
/// Each record draws once: with probability `rate` it gets a problem kind drawn uniformly.
/// Kinds that need a particular record (a result, an ANC or NIFAS visit, an earlier id in the
/// file, a NIK) wait as *pending* until a record that fits comes by, so every kind keeps its
/// share of `rate / 19` however rare the records it needs.
struct Injector {
    private var rng: SplitMix64
    let rate: Double
    private var pending = [Int](repeating: 0, count: Problem.allCases.count)
    private var pendingTotal = 0
    private(set) var counts = [Int](repeating: 0, count: Problem.allCases.count)

    init(seed: UInt64, rate: Double) {
        rng = SplitMix64(seed, 0x494E_4A45_4354)
        self.rate = rate
    }

    /// Random draws for the mutation itself, from the injector's own stream.
    mutating func draw(_ n: Int) -> Int { rng.below(n) }
    mutating func chance(_ p: Double) -> Bool { rng.chance(p) }

    /// The problem for the next record, given which kinds can apply to it.
    mutating func next(applies: (Problem) -> Bool) -> Problem? {
        if rate <= 0 { return nil }
        if pendingTotal > 0 {
            for k in Problem.allCases where pending[k.rawValue] > 0 && applies(k) {
                pending[k.rawValue] -= 1
                pendingTotal -= 1
                return k
            }
        }
        guard rng.unit() < rate else { return nil }
        let kind = Problem(rawValue: rng.below(Problem.allCases.count))!
        if applies(kind) { return kind }
        if pending[kind.rawValue] < 1_000 {
            pending[kind.rawValue] += 1
            pendingTotal += 1
        }
        return nil
    }

    /// Records that a problem was written.
    mutating func count(_ p: Problem) { counts[p.rawValue] += 1 }

    /// Gives a problem back (it turned out not to apply after all).
    mutating func giveBack(_ p: Problem) {
        pending[p.rawValue] += 1
        pendingTotal += 1
    }
}
