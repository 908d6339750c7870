import Aggregate
import Foundation
import PWSCore
import Yams

/// Reads the indicator catalogue (YAML, docs/indicators.md) into `IndicatorDefinition`s,
/// checking every entry; a problem stops the run with exit 64 and names `file:line`.
public enum IndicatorCatalogueLoader {
    /// The bytes of an indicator id: ASCII letters, digits and `_`.
    static let idBytes = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_".utf8)
    /// The longest indicator id (the built-in ones have at most 19 characters).
    static let maxIDLength = 64

    static let filterKeys: Set<String> = ["services", "sex", "age_days", "age_months", "age_years",
                                          "facility_type", "provider", "result_any", "days_after_delivery", "months"]
    /// The keys every indicator may have; each rule kind adds its own (`IndicatorRuleKind.keys`).
    static let commonKeys: Set<String> = filterKeys.union([
        "id", "name", "subject", "scope", "rule", "denominator", "target", "source", "direction",
    ])
    static let indicatorKeys: Set<String> = IndicatorRuleKinds.all.reduce(commonKeys) { $0.union($1.keys) }

    public static func load(path: String, services: ServiceCatalogue) throws -> [IndicatorDefinition] {
        let doc = try YAMLFile(path: path)
        let root = try doc.mapping(doc.root, "the indicator catalogue")
        if let v = root["version"], try doc.int(v, "version") != 1 {
            throw doc.error(v, "version must be 1")
        }
        let list = try doc.sequence(try doc.required(root, "indicators"), "indicators")
        var result: [IndicatorDefinition] = []
        // Ids are unique ignoring case: each names a file pws/<ID>.csv, and on Windows, macOS
        // or a FAT disk pws/k1.csv would replace pws/K1.csv.
        var lines: [String: (id: String, line: Int)] = [:]
        for node in list {
            let def = try indicator(node, doc: doc, services: services)
            if let first = lines[def.id.lowercased()] {
                let same = first.id == def.id ? "" : " as \(first.id), ignoring case (it names the file pws/\(def.id).csv)"
                throw doc.error(node, "indicator id \(def.id) is used twice\(same) (first on line \(first.line)); ids must be unique")
            }
            lines[def.id.lowercased()] = (def.id, doc.line(node))
            result.append(def)
        }
        // Cross-references: what a rule names, and a denominator indicator (any counted one
        // defined earlier, of a fitting scope: N_D's D_S).
        // Each error points at the line of the key that names the reference.
        for (def, node) in zip(result, list) {
            if let problem = def.rule.kind.checkReferences(of: def, in: result) {
                throw doc.error(node.mapping?[problem.key] ?? node, "\(def.id) \(problem.message)")
            }
            if let message = def.denominatorIndicatorProblem(in: result) {
                throw doc.error(node.mapping?["denominator"]?.mapping?["indicator"] ?? node, "\(def.id) \(message)")
            }
        }
        guard !result.isEmpty else { throw doc.error(doc.root, "the catalogue has no indicators") }
        return result
    }

    static func indicator(_ node: Node, doc: YAMLFile, services: ServiceCatalogue) throws -> IndicatorDefinition {
        let m = try doc.mapping(node, "an indicator")
        for (k, _) in m {
            let key = try doc.string(k, "a key")
            guard indicatorKeys.contains(key) else {
                throw doc.error(k, "unknown key \"\(key)\"; see docs/indicators.md for the keys an indicator takes")
            }
        }
        let id = try doc.string(try doc.required(m, "id", node, doc), "id")
        // ASCII only: an id names a file and a sheet, and letters outside ASCII case-fold
        // in ways file systems and Excel do not agree on (ı and I, ß and SS).
        guard !id.isEmpty, id.utf8.allSatisfy(Self.idBytes.contains) else {
            throw doc.error(node, "id \"\(id)\" must be letters A–Z, digits and _ (it becomes a file name)")
        }
        // A file name of pws/ (255 bytes at most with `.csv`): 300 letters were accepted and the
        // run failed at publishing, exit 73 "check that the folder is writable".
        guard id.utf8.count <= Self.maxIDLength else {
            throw doc.error(node, "id \"\(id.prefix(20))…\" is \(id.utf8.count) characters long; at most \(Self.maxIDLength) (it becomes a file name and a sheet name) — shorten it")
        }
        guard !DenominatorSource.reservedTexts.contains(id.lowercased()) else {
            throw doc.error(node, "id \"\(id)\" is a denominator_source word of indicators.csv (\(DenominatorSource.reservedTexts.sorted().joined(separator: ", "))); choose another")
        }
        let name = try m["name"].map { try doc.string($0, "name") } ?? id
        if let s = m["source"] { _ = try doc.string(s, "source") }   // read by IndicatorSources
        let subjectNode = try doc.required(m, "subject", node, doc)
        guard let subject = SubjectKind(rawValue: try doc.string(subjectNode, "subject")) else {
            throw doc.error(subjectNode, "\(id): subject must be person, pregnancy or delivery")
        }
        let scopeNode = try doc.required(m, "scope", node, doc)
        guard let scope = Scope(rawValue: try doc.string(scopeNode, "scope")) else {
            throw doc.error(scopeNode, "\(id): scope must be lifetime, year or monthly")
        }
        let common = try filter(m, doc: doc, services: services, id: id, subject: subject)
        let ruleNode = try doc.required(m, "rule", node, doc)
        let ruleName = try doc.string(ruleNode, "rule")
        guard let kind = IndicatorRuleKinds.named(ruleName) else {
            throw doc.error(ruleNode, "\(id): rule must be \(IndicatorRuleKinds.names)")
        }
        for (k, _) in m {
            let key = try doc.string(k, "a key")
            if !commonKeys.contains(key) && !kind.keys.contains(key) {
                throw doc.error(k, "\(id): \"\(key)\" is not a key of rule \(ruleName); see docs/indicators.md")
            }
            if filterKeys.contains(key), !kind.keys.contains(key), let why = kind.takesNoFilter {
                throw doc.error(k, "\(id): rule \(ruleName) takes no record filter (\"\(key)\" would be ignored): \(why)")
            }
        }
        let entry = YAMLRuleEntry(doc: doc, node: node, mapping: m, id: id, subject: subject, scope: scope,
                                  filter: common, services: services)
        let rule = IndicatorRule(try kind.parse(entry))
        var group: String?, denominatorIndicator: String?, counted: RecordFilter?, percent: ExactDecimal?
        func targetGroup(_ n: Node, _ key: String) throws -> String {
            let g = try doc.string(n, key)
            guard TargetGroup.all.contains(g) else {
                throw doc.error(n, "\(id): denominator \"\(g)\" is not a target group; use one of \(TargetGroup.all.joined(separator: ", "))")
            }
            return g
        }
        if let d = m["denominator"] {
            if let dm = d.mapping {
                if let g = dm["group"], let p = dm["percent"], dm.count == 2 {
                    group = try targetGroup(g, "denominator.group")
                    guard let text = p.scalar?.string, let v = ExactDecimal(text), v.isPositive,
                          v.scale <= 2, v.units <= 100 * ExactDecimal.power(v.scale) else {
                        throw doc.error(p, "\(id): denominator.percent must be a percentage above 0 and at most 100, up to two decimals (20 = one in five)")
                    }
                    percent = v
                } else if let records = dm["records"], dm.count == 1 {
                    counted = try checkedFilter(records, "denominator.records", doc: doc, services: services, id: id, subject: subject)
                } else {
                    guard let ref = dm["indicator"], dm.count == 1 else {
                        throw doc.error(d, "\(id): denominator is a target group, {group: G, percent: P}, {indicator: ID} or {records: FILTER}")
                    }
                    denominatorIndicator = try doc.string(ref, "denominator.indicator")
                }
            } else {
                group = try targetGroup(d, "denominator")
            }
        }
        var target: Int?
        if let t = m["target"] {
            let text = try doc.string(t, "target")
            // The whole text, strictly (Foundation's Decimal(string:) read a prefix: 92,5 was 92,
            // 0x64 was 0, 95abc 95 — every status of the indicator then judged against it).
            guard let v = ExactDecimal(text), v.units >= 0, v.units <= 1000 * ExactDecimal.power(v.scale) else {
                throw doc.error(t, "\(id): target \"\(text)\" must be a percentage from 0 to 1000 like 95 or 92.5 (a point before the decimals)")
            }
            guard v.scale <= 2 else { throw doc.error(t, "\(id): target has more than two decimals") }
            target = Int(v.units * ExactDecimal.power(2 - v.scale))
        }
        denominatorIndicator = denominatorIndicator ?? rule.kind.impliedDenominator
        var direction = IndicatorDirection.higherIsBetter
        if let d = m["direction"] {
            switch try doc.string(d, "direction") {
            case "higher_is_better": direction = .higherIsBetter
            case "lower_is_better": direction = .lowerIsBetter
            default: throw doc.error(d, "\(id): direction must be higher_is_better or lower_is_better")
            }
        }
        let ruleGivesDenominator = IndicatorDefinition(
            id: id, name: name, subject: subject, scope: scope, rule: rule, targetGroup: nil,
            denominatorIndicator: nil, targetHundredths: nil).hasOwnDenominator
        let ownDenominator = counted != nil || ruleGivesDenominator
        if ruleGivesDenominator && counted == nil && group == nil && denominatorIndicator == nil && target == nil {
            // "Give both or neither" would be wrong advice: the rule has its denominator already.
            throw doc.error(node, "\(id): rule \(ruleName) gives its own denominator (docs/indicators.md); give it a target")
        }
        if (target == nil) != (group == nil && denominatorIndicator == nil && !ownDenominator) {
            throw doc.error(node, "\(id): give both a denominator and a target, or neither (count only)")
        }
        return IndicatorDefinition(id: id, name: name, subject: subject, scope: scope, rule: rule, targetGroup: group,
                                   denominatorIndicator: denominatorIndicator, targetHundredths: target,
                                   direction: direction, countedDenominator: counted, targetGroupPercent: percent)
    }

    static func filter(_ m: Node.Mapping, doc: YAMLFile, services: ServiceCatalogue, id: String,
                       subject: SubjectKind) throws -> RecordFilter {
        var f = RecordFilter()
        if let s = m["services"] {
            let codes = try doc.sequence(s, "services")
            guard !codes.isEmpty else {
                throw doc.error(s, "\(id): services is empty; list the service codes, or remove the key for any service")
            }
            for code in codes {
                let text = try doc.string(code, "a service code")
                guard let index = services.index(of: text) else {
                    throw doc.error(code, "\(id): service \"\(text)\" is not in the service catalogue")
                }
                if let why = Self.cannotJoin(services.services[Int(index)], subject) {
                    throw doc.error(code, "\(id): \(why)")
                }
                f.services.append(index)
            }
        }
        if let s = m["sex"] {
            guard let sex = Sex.decoder.decode(try doc.string(s, "sex")) else { throw doc.error(s, "\(id): sex must be L or P") }
            f.sex = sex
        }
        for (key, unit) in [("age_days", AgeLimit.Unit.days), ("age_months", .months), ("age_years", .years)] {
            guard let a = m[key] else { continue }
            let (lo, hi) = try range(a, key, doc: doc, id: id)
            guard f.age == nil else { throw doc.error(a, "\(id): give one age limit") }
            if let bound = lo ?? hi, bound < 0 { throw doc.error(a, "\(id): \(key) counts from 0 (birth); \(bound) is before it") }
            f.age = AgeLimit(unit: unit, min: lo, max: hi)
        }
        if let d = m["days_after_delivery"] {
            let (lo, hi) = try range(d, "days_after_delivery", doc: doc, id: id)
            f.days = (lo ?? 0)...(hi ?? Int(Int32.max))
        }
        if let n = m["months"] {
            var bits: UInt16 = 0
            for item in try doc.sequence(n, "months") {
                let month = try doc.int(item, "months")
                guard (1...12).contains(month) else {
                    throw doc.error(item, "\(id): months lists calendar months 1-12 (2 = February); \(month) is not one")
                }
                bits |= 1 << UInt16(month)
            }
            guard bits != 0 else { throw doc.error(n, "\(id): months is empty; list the months, e.g. [2, 8], or remove it") }
            f.months = bits
        }
        if let t = m["facility_type"] {
            f.facilityTypes = Set(try doc.sequence(t, "facility_type").map { n in
                guard let v = FacilityType.decoder.decode(try doc.string(n, "a facility type")) else {
                    throw doc.error(n, "\(id): unknown facility type; use posyandu, pustu, puskesmas, rumah_sakit, klinik, rumah, lainnya")
                }
                return v
            })
        }
        if let p = m["provider"] {
            f.providers = Set(try doc.sequence(p, "provider").map { n in
                guard let v = Provider.decoder.decode(try doc.string(n, "a provider")) else {
                    throw doc.error(n, "\(id): unknown provider; use dokter, bidan, perawat, gizi, kader, lainnya")
                }
                return v
            })
        }
        if let r = m["result_any"] {
            for test in try doc.sequence(r, "result_any") {
                for (k, v) in try doc.mapping(test, "a result test") {
                    let operand: ResultTest.Operand
                    switch try doc.string(k, "result, sys or dia") {
                    case "result", "sys": operand = .result
                    case "dia": operand = .dia
                    default: throw doc.error(k, "\(id): a result test is on result, sys or dia")
                    }
                    let text = try doc.string(v, "a comparison").replacingOccurrences(of: " ", with: "")
                    var comparison: ResultTest.Comparison?
                    var rest = Substring(text)
                    for c in [ResultTest.Comparison.ge, .le, .gt, .lt] where text.hasPrefix(c.rawValue) {
                        comparison = c
                        rest = text.dropFirst(c.rawValue.count)
                        break
                    }
                    guard let comparison, let value = Float(rest.replacingOccurrences(of: ",", with: ".")) else {
                        throw doc.error(v, "\(id): write a comparison like \">= 140\"")
                    }
                    f.result.append(ResultTest(operand: operand, comparison: comparison, value: value))
                }
            }
        }
        return f
    }

    /// A record filter given as its own mapping (`denominator: {records: …}`, `measure:`): only
    /// filter keys, so a misspelt one (`age_year`) stops the run rather than drop a condition.
    static func checkedFilter(_ node: Node, _ what: String, doc: YAMLFile, services: ServiceCatalogue,
                              id: String, subject: SubjectKind) throws -> RecordFilter {
        let m = try doc.mapping(node, what)
        for (k, _) in m {
            let key = try doc.string(k, "a key")
            guard filterKeys.contains(key) else {
                throw doc.error(k, "\(id): \(what) takes record filter keys (\(filterKeys.sorted().joined(separator: ", "))), not \"\(key)\"")
            }
        }
        return try filter(m, doc: doc, services: services, id: id, subject: subject)
    }

    /// Why a pregnancy or delivery indicator can never see `service`'s records (they would
    /// count nothing, without a word): a pregnancy holds ANC records and those of services that
    /// join pregnancies, a delivery PERSALINAN and NIFAS records and those of services that
    /// join deliveries (`joins:` in the service catalogue).
    static func cannotJoin(_ service: ServiceDefinition, _ subject: SubjectKind) -> String? {
        let code = EnumDecoder<UInt16>.normalise(service.code)
        switch subject {
        case .person:
            return nil
        case .pregnancy:
            if code == "anc" || service.joins == .pregnancy { return nil }
            if code == "persalinan" || code == "nifas" {
                return "service \(service.code) is never in a pregnancy: its records belong to deliveries (spec §4.3); remove it from this indicator's services, or count it with subject: delivery"
            }
            return "service \(service.code) is not in any pregnancy: a pregnancy holds its ANC records and those of services with `joins: pregnancy` in the service catalogue (docs/services.md); add that to \(service.code)'s entry, or count it over persons (subject: person)"
        case .delivery:
            if code == "persalinan" || code == "nifas" || service.joins == .delivery { return nil }
            if code == "anc" {
                return "service \(service.code) is never in a delivery: its records form pregnancies (spec §4.2); remove it from this indicator's services, or count it with subject: pregnancy"
            }
            return "service \(service.code) is not in any delivery: a delivery holds its PERSALINAN and NIFAS records and those of services with `joins: delivery` in the service catalogue (docs/services.md); add that to \(service.code)'s entry, or count it over persons (subject: person)"
        }
    }

    static func range(_ node: Node, _ key: String, doc: YAMLFile, id: String) throws -> (Int?, Int?) {
        let s = try doc.sequence(node, key)
        guard s.count == 2 else { throw doc.error(node, "\(id): \(key) is [min, max] (null for open)") }
        func bound(_ n: Node) throws -> Int? {
            if n.scalar?.string == "null" || n.scalar?.string == "~" || n.scalar?.string == "" { return nil }
            return try doc.int(n, key)
        }
        let lo = try bound(s[0]), hi = try bound(s[1])
        if let lo, let hi, lo > hi { throw doc.error(node, "\(id): \(key) has min > max") }
        return (lo, hi)
    }
}

/// One catalogue entry as a rule kind reads it (`RuleEntry`), over the YAML nodes.
struct YAMLRuleEntry: RuleEntry {
    let doc: YAMLFile
    let node: Node
    let mapping: Node.Mapping
    let id: String
    let subject: SubjectKind
    let scope: Scope
    let filter: RecordFilter
    let services: ServiceCatalogue

    func has(_ key: String) -> Bool { mapping[key] != nil }

    func error(_ key: String?, _ message: String) -> any Error {
        doc.error(key.flatMap { mapping[$0] } ?? node, message)
    }

    func string(_ key: String) throws -> String? {
        try mapping[key].map { try doc.string($0, key) }
    }

    func int(_ key: String) throws -> Int? {
        try mapping[key].map { try doc.int($0, key) }
    }

    func ints(_ key: String) throws -> [Int]? {
        try mapping[key].map { try doc.sequence($0, key).map { try doc.int($0, "an item of \(key)") } }
    }

    func intsByName(_ key: String, names: [String]) throws -> [String: Int]? {
        guard let n = mapping[key] else { return nil }
        var out: [String: Int] = [:]
        for (k, v) in try doc.mapping(n, key) {
            let name = try doc.string(k, "a key of \(key)")
            guard names.contains(name) else {
                throw doc.error(k, "\(id): \(key) takes \(names.joined(separator: ", "))")
            }
            out[name] = try doc.int(v, "\(key).\(name)")
        }
        return out
    }

    func filter(_ key: String) throws -> RecordFilter? {
        guard let n = mapping[key] else { return nil }
        return try IndicatorCatalogueLoader.checkedFilter(n, key, doc: doc, services: services, id: id, subject: subject)
    }

    func filters(_ key: String) throws -> [RecordFilter]? {
        guard let n = mapping[key] else { return nil }
        return try doc.sequence(n, key).map { item in
            let im = try doc.mapping(item, "an item")
            for (k, _) in im {
                let name = try doc.string(k, "a key")
                guard IndicatorCatalogueLoader.filterKeys.contains(name) else {
                    throw doc.error(k, "\(id): unknown item key \"\(name)\"")
                }
            }
            return try IndicatorCatalogueLoader.filter(im, doc: doc, services: services, id: id, subject: subject)
        }
    }

    func items(_ key: String, extraKeys: Set<String>) throws -> [any RuleEntry]? {
        guard let n = mapping[key] else { return nil }
        return try doc.sequence(n, key).map { item in
            let im = try doc.mapping(item, "an item")
            for (k, _) in im {
                let name = try doc.string(k, "a key")
                guard IndicatorCatalogueLoader.filterKeys.contains(name) || extraKeys.contains(name) else {
                    throw doc.error(k, "\(id): unknown item key \"\(name)\"")
                }
            }
            let itemFilter = try IndicatorCatalogueLoader.filter(im, doc: doc, services: services, id: id, subject: subject)
            return YAMLRuleEntry(doc: doc, node: item, mapping: im, id: id, subject: subject, scope: scope,
                                 filter: itemFilter, services: services)
        }
    }
}

extension YAMLFile {
    func required(_ m: Node.Mapping, _ key: String, _ node: Node, _ doc: YAMLFile) throws -> Node {
        guard let n = m[key] else { throw error(node, "missing key \"\(key)\"") }
        return n
    }
}
