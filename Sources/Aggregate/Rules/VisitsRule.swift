import PWSCore

/// `rule: visits` (spec §5.2), pregnancies only: at least `minimum` visits (distinct dates) in
/// each trimester and `doctor` of them with a doctor; attains at the first visit after which
/// every minimum holds (that visit's first record).
public struct VisitsRule: PlannedRule {
    public static let name = "visits"
    public static let keys: Set<String> = ["minimum", "doctor"]
    public static let takesNoFilter: String? = "it counts the pregnancy's ANC visits per trimester (spec §5.2)"

    /// Per trimester (TM1, TM2, TM3).
    public var minimum: [Int]
    public var doctor: [Int]

    public init(minimum: [Int], doctor: [Int]) {
        self.minimum = minimum
        self.doctor = doctor
    }

    public static func parse(_ entry: some RuleEntry) throws -> VisitsRule {
        guard entry.subject == .pregnancy else {
            throw entry.error("rule", "\(entry.id): visits counts are for pregnancy indicators")
        }
        func perTrimester(_ key: String) throws -> [Int] {
            let names = ["tm1", "tm2", "tm3"]
            guard let map = try entry.intsByName(key, names: names) else { return [0, 0, 0] }
            return try names.map { name in
                let n = map[name] ?? 0
                guard n >= 0 else { throw entry.error(key, "\(entry.id): \(key).\(name) must be ≥ 0") }
                return n
            }
        }
        return VisitsRule(minimum: try perTrimester("minimum"), doctor: try perTrimester("doctor"))
    }

    func compile(_ plan: inout RulePlan.Builder, catalogue: [IndicatorDefinition]) -> any CompiledRule {
        // Int32 counts keep the compiled rule within an existential's inline storage.
        func three(_ list: [Int]) -> (Int32, Int32, Int32) {
            func at(_ k: Int) -> Int32 { k < list.count ? Int32(clamping: list[k]) : 0 }
            return (at(0), at(1), at(2))
        }
        return Compiled(minimum: three(minimum), doctor: three(doctor))
    }

    struct Compiled: CompiledRule {
        let minimum: (Int32, Int32, Int32)
        let doctor: (Int32, Int32, Int32)

        func attain(pregnancy ep: Episode, _ c: RuleContext) -> (Day, Int)? {
            var n: (Int32, Int32, Int32) = (0, 0, 0), dr: (Int32, Int32, Int32) = (0, 0, 0)
            for v in ep.visits {
                switch v.trimester {
                case 1: n.0 += 1; if v.doctor { dr.0 += 1 }
                case 2: n.1 += 1; if v.doctor { dr.1 += 1 }
                case 3: n.2 += 1; if v.doctor { dr.2 += 1 }
                default: continue
                }
                if n.0 >= minimum.0 && n.1 >= minimum.1 && n.2 >= minimum.2
                    && dr.0 >= doctor.0 && dr.1 >= doctor.1 && dr.2 >= doctor.2 {
                    return (v.date, v.firstRecord)
                }
            }
            return nil
        }
    }
}

extension IndicatorRule {
    public static func visits(minimum: [Int], doctor: [Int]) -> IndicatorRule {
        IndicatorRule(VisitsRule(minimum: minimum, doctor: doctor))
    }
}
