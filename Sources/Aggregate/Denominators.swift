import Foundation
import PWSCore

/// Denominators per area and target group for one year (spec §5.1): sasaran, else the sum of
/// registered children, else an estimate from population, else none.
struct Denominators {
    let table: AreaTable
    let register: AreaRegister
    let estimation: EstimationSettings
    /// (area index, group) → sasaran count of the year.
    private var sasaran: [String: Int] = [:]
    private var memo: [String: (Int?, String)] = [:]

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
            if let area = codes[key] { sasaran["\(area)|\(e.group)"] = e.count }
        }
    }

    /// The denominator of `area` for `group` and where it came from.
    mutating func value(area: Int, group: String) -> (Int?, source: String) {
        let key = "\(area)|\(group)"
        if let m = memo[key] { return m }
        let result = compute(area: area, group: group)
        memo[key] = result
        return result
    }

    private mutating func compute(area: Int, group: String) -> (Int?, String) {
        if let s = sasaran["\(area)|\(group)"] { return (s, "sasaran") }
        let a = table.areas[area]
        if !a.children.isEmpty {
            var sum = 0
            var complete = true
            for c in a.children {
                let (v, source) = value(area: c, group: group)
                guard let v, source == "sasaran" || source == "sum" else {
                    complete = false
                    break
                }
                sum += v
            }
            if complete { return (sum, "sum") }
        }
        if estimation.enabled, a.registered, !a.rts.isEmpty, let factor = factor(group) {
            var population = 0
            for r in a.rts {
                guard let p = register.rts[r].population else { return (nil, "") }
                population += p
            }
            return (Denominators.roundHalfUp(factor * Decimal(population)), "estimate")
        }
        return (nil, "")
    }

    /// f of spec §5.1 as an exact decimal.
    func factor(_ group: String) -> Decimal? {
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
}
