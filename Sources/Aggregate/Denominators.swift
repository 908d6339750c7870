import Foundation
import PWSCore

/// Denominators per area and target group for one year (spec §5.1): sasaran, else the sum of
/// registered children, else an estimate from population, else none.
///
/// Areas and groups are array indices, and estimates are exact integer arithmetic on the
/// decimal rates (`ExactDecimal`), so the whole chain for tens of thousands of areas costs
/// milliseconds; `Decimal` is only the fallback for rates too long for 64-bit integers.
struct Denominators {
    let table: AreaTable
    let register: AreaRegister
    let estimation: EstimationSettings
    /// Group name → group index.
    private var groups: [String: Int] = [:]
    private var groupNames: [String] = []
    /// [group][area] → sasaran count of the year.
    private var sasaran: [[Int?]] = []
    /// [group][area] → memoised result.
    private var memo: [[(Int?, DenominatorSource)?]] = []
    /// [group] → f of §5.1, computed once (outer nil: not yet computed).
    private var factors: [Factor??] = []

    init(table: AreaTable, register: AreaRegister, sasaran entries: [SasaranEntry], year: Int,
         estimation: EstimationSettings) {
        self.table = table
        self.register = register
        self.estimation = estimation
        var codes: [String: Int] = [:]
        for (i, a) in table.areas.enumerated() where a.level == .desa || a.level == .rw || a.level == .rt {
            codes["\(a.level.rawValue)|\(a.code)"] = i
        }
        for e in entries where e.year == year {
            let v = register.villages[Int(e.village)].code
            let key: String
            if e.rw.isEmpty { key = "desa|\(v)" } else if e.rt.isEmpty { key = "rw|\(v)-\(e.rw)" } else {
                key = "rt|\(v)-\(e.rw)-\(e.rt)"
            }
            if let area = codes[key] {
                let g = group(e.group)
                sasaran[g][area] = e.count
            }
        }
    }

    /// The index of `name`, adding the group on first sight.
    private mutating func group(_ name: String) -> Int {
        if let g = groups[name] { return g }
        let g = groupNames.count
        groups[name] = g
        groupNames.append(name)
        sasaran.append(Array(repeating: nil, count: table.areas.count))
        memo.append(Array(repeating: nil, count: table.areas.count))
        factors.append(nil)
        return g
    }

    /// The denominator of `area` for `group` and where it came from (`.none` without one).
    mutating func value(area: Int, group name: String) -> (Int?, source: DenominatorSource) {
        value(area: area, group: group(name))
    }

    private mutating func value(area: Int, group g: Int) -> (Int?, source: DenominatorSource) {
        if let m = memo[g][area] { return m }
        let result = compute(area: area, group: g)
        memo[g][area] = result
        return result
    }

    private mutating func compute(area: Int, group g: Int) -> (Int?, DenominatorSource) {
        if let s = sasaran[g][area] { return (s, .sasaran) }
        let a = table.areas[area]
        if !a.children.isEmpty {
            var sum = 0
            var complete = true
            for c in a.children {
                let (v, source) = value(area: c, group: g)
                guard let v, source == .sasaran || source == .sum else {
                    complete = false
                    break
                }
                sum += v
            }
            if complete { return (sum, .sum) }
        }
        if estimation.enabled, a.registered, !a.rts.isEmpty, let factor = factor(g) {
            var population = 0
            for r in a.rts {
                guard let p = register.rts[r].population else { return (nil, .none) }
                population += p
            }
            return (factor.roundHalfUp(times: population), .estimate)
        }
        return (nil, .none)
    }

    private mutating func factor(_ g: Int) -> Factor? {
        if let f = factors[g] { return f }
        let f = Denominators.factor(groupNames[g], estimation)
        factors[g] = .some(f)
        return f
    }

    /// f of spec §5.1 for `group`, exact: bumil 1.10 × CBR, bulin 1.05 × CBR, bayi and
    /// bayi_lahir_hidup CBR (per person), others the configured share.
    static func factor(_ group: String, _ estimation: EstimationSettings) -> Factor? {
        guard let cbr = ExactDecimal(estimation.cbrPer1000) else {
            // Not plain decimal text: let Foundation read it, as before.
            return decimalFactor(group, estimation).map(Factor.decimal)
        }
        let perPerson = cbr.scaled(byPowerOf10: -3)
        let f: ExactDecimal?
        switch group {
        case "bumil": f = ExactDecimal(significand: 110, exponent: -2).multiplied(by: perPerson)
        case "bulin": f = ExactDecimal(significand: 105, exponent: -2).multiplied(by: perPerson)
        case "bayi", "bayi_lahir_hidup": f = perPerson
        default:
            guard let text = estimation.shares[group] else { return nil }
            guard let share = ExactDecimal(text) else { return decimalFactor(group, estimation).map(Factor.decimal) }
            f = share
        }
        if let f { return .exact(f) }
        return decimalFactor(group, estimation).map(Factor.decimal)
    }

    /// f as a Foundation `Decimal` (38 digits): the fallback for rates `ExactDecimal` cannot hold.
    static func decimalFactor(_ group: String, _ estimation: EstimationSettings) -> Decimal? {
        guard let cbr = Decimal(string: estimation.cbrPer1000) else { return nil }
        let perPerson = cbr / 1000
        switch group {
        case "bumil": return Decimal(string: "1.10")! * perPerson
        case "bulin": return Decimal(string: "1.05")! * perPerson
        case "bayi", "bayi_lahir_hidup": return perPerson
        default: return estimation.shares[group].flatMap { Decimal(string: $0) }
        }
    }

    static func roundHalfUp(_ value: Decimal) -> Int {
        var v = value
        var out = Decimal()
        NSDecimalRound(&out, &v, 0, .plain)
        return NSDecimalNumber(decimal: out).intValue
    }

    /// An estimation rate: exact in 64-bit integers, or a `Decimal` when it does not fit.
    enum Factor {
        case exact(ExactDecimal)
        case decimal(Decimal)

        /// round_half_up(f × population): half away from zero, as `NSDecimalRound(.plain)`.
        func roundHalfUp(times population: Int) -> Int {
            switch self {
            case .exact(let f):
                if let n = f.roundHalfAway(times: population) { return n }
                return Denominators.roundHalfUp(f.decimal * Decimal(population))
            case .decimal(let d):
                return Denominators.roundHalfUp(d * Decimal(population))
            }
        }
    }
}

/// A decimal number `significand × 10^exponent`, held exactly in an `Int`.
struct ExactDecimal: Equatable {
    var significand: Int
    var exponent: Int

    init(significand: Int, exponent: Int) {
        self.significand = significand
        self.exponent = exponent
    }

    /// Reads `[+-]digits[.digits][(e|E)[+-]digits]` (what Swift prints for a `Double`: `16.0`,
    /// `0.08`, `1e-05`); nil for anything else or more digits than an `Int` holds.
    init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let s = bytes.first, s == UInt8(ascii: "-") || s == UInt8(ascii: "+") {
            negative = s == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var significand = 0, exponent = 0, digits = 0, seenPoint = false
        while let b = bytes.first, b != UInt8(ascii: "e") && b != UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if b == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = significand.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            significand = a
            digits += 1
            if seenPoint { exponent -= 1 }
        }
        guard digits > 0 else { return nil }
        if !bytes.isEmpty {
            bytes = bytes.dropFirst()
            var expNegative = false
            if let s = bytes.first, s == UInt8(ascii: "-") || s == UInt8(ascii: "+") {
                expNegative = s == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            guard !bytes.isEmpty, bytes.count <= 4 else { return nil }
            var e = 0
            for b in bytes {
                guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
                e = e * 10 + Int(b - UInt8(ascii: "0"))
            }
            exponent += expNegative ? -e : e
        }
        self.init(significand: negative ? -significand : significand, exponent: exponent)
    }

    /// This number × 10^k.
    func scaled(byPowerOf10 k: Int) -> ExactDecimal { ExactDecimal(significand: significand, exponent: exponent + k) }

    /// The exact product, or nil on overflow.
    func multiplied(by other: ExactDecimal) -> ExactDecimal? {
        let (p, overflow) = significand.multipliedReportingOverflow(by: other.significand)
        return overflow ? nil : ExactDecimal(significand: p, exponent: exponent + other.exponent)
    }

    /// round(self × n), half away from zero; nil when an intermediate overflows.
    func roundHalfAway(times n: Int) -> Int? {
        var (num, overflow) = significand.multipliedReportingOverflow(by: n)
        if overflow { return nil }
        if exponent >= 0 {
            for _ in 0..<exponent {
                (num, overflow) = num.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
            }
            return num
        }
        // num / 10^-exponent, rounded half away from zero: (2|num| + den) / (2 den).
        var den = 1
        for _ in 0..<(-exponent) {
            (den, overflow) = den.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
        }
        let (twiceDen, o1) = den.multipliedReportingOverflow(by: 2)
        let (twiceNum, o2) = num.magnitude.multipliedReportingOverflow(by: 2)
        guard !o1, !o2, twiceNum <= UInt.max - UInt(den) else { return nil }
        let q = (twiceNum + UInt(den)) / UInt(twiceDen)
        guard q <= UInt(Int.max) else { return nil }
        return num < 0 ? -Int(q) : Int(q)
    }

    /// The same value as a Foundation `Decimal`.
    var decimal: Decimal {
        Decimal(sign: significand < 0 ? .minus : .plus, exponent: exponent,
                significand: Decimal(significand.magnitude))
    }
}
