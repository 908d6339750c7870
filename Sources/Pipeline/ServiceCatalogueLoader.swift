import Foundation
import PWSCore
import Yams

/// Loads the service catalogue (spec §2.6) from YAML — `pipelines/services.yaml` by default —
/// and checks it, reporting every problem as `file:line: message`. The format is described in
/// `docs/services.md`.
public enum ServiceCatalogueLoader {
    /// The catalogue in the YAML file at `path`; `source` is how messages name it (default:
    /// the path as given).
    ///
    /// - Throws: `PWSError(.pipelineDefinition)` (exit 64, like the other catalogues and the
    ///   pipeline itself): when the file cannot be read (missing, unreadable, a FIFO or a
    ///   device: `YAMLFile.text`), or with the first problem's location (bytes that are not
    ///   UTF-8 included), and every further problem in `details`, when it is not a valid
    ///   catalogue.
    public static func load(path: String, source: String? = nil) throws -> ServiceCatalogue {
        let text: String
        do {
            text = try YAMLFile.text(path: path, givenBy: nil)
        } catch let error as PWSError where error.location == nil {
            throw PWSError(.pipelineDefinition, "the service catalogue: \(error.message)")
        }
        return try load(yaml: text, source: source ?? path)
    }

    /// The catalogue in `yaml`; `source` names the file in messages.
    ///
    /// - Throws: `PWSError(.pipelineDefinition)`, located at the first problem, with every
    ///   further one in `details`.
    public static func load(yaml: String, source: String) throws -> ServiceCatalogue {
        var reader = Reader(source: source)
        try YAMLSize.check(yaml, limit: YAMLFile.maxNodes, path: source)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            let (line, problem) = describe(error)
            throw PWSError(.pipelineDefinition, "not valid YAML: \(problem)",
                           location: SourceLocation(source: source, line: line))
        }
        let services = reader.catalogue(root)
        // Events keep the service as a 16-bit index.
        if services.count > Int(UInt16.max) {
            throw PWSError(.pipelineDefinition, "the catalogue has \(services.count) service codes; at most \(UInt16.max) are supported — split it or remove unused codes",
                           location: SourceLocation(source: source, line: 1))
        }
        if let first = reader.problems.first {
            throw PWSError(.pipelineDefinition, first.message, location: first.location,
                           details: reader.problems.dropFirst().map { "\($0.location): error: \($0.message)" })
        }
        return ServiceCatalogue(services)
    }

    /// The line and a sentence for a Yams error, without the quoted line and caret Yams adds.
    static func describe(_ error: YamlError) -> (Int, String) {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let start = context.flatMap { $0.text.isEmpty ? nil : "\($0.text) that starts at line \($0.mark.line): " }
            return (mark.line, (start ?? "") + problem)
        case let .duplicatedKeysInMapping(duplicates, context):
            return (context.mark.line, "key \(duplicates.sorted().joined(separator: ", ")) given twice "
                + "in one mapping; keep one")
        case let .reader(problem, _, _, _):
            return (1, problem)
        default:
            return (1, String(describing: error))
        }
    }
}

/// Walks the YAML tree, collecting problems instead of stopping at the first.
private struct Reader {
    struct Problem {
        var location: SourceLocation
        var message: String
    }

    let source: String
    var problems: [Problem] = []

    init(source: String) { self.source = source }

    mutating func problem(_ node: Node?, fallback line: Int = 1, _ message: String) {
        problems.append(Problem(location: SourceLocation(source: source, line: node?.mark?.line ?? line),
                                message: message))
    }

    mutating func catalogue(_ root: Node?) -> [ServiceDefinition] {
        guard let root, let mapping = root.mapping else {
            problem(root, "a service catalogue is a mapping with a `services:` list; see docs/services.md")
            return []
        }
        let fields = self.fields(of: mapping, at: root, allowed: ["version", "services"], what: "the catalogue")
        if let version = fields["version"], version.string != "1" {
            problem(version, "unsupported catalogue version \"\(version.string ?? "")\"; this pws reads version 1")
        }
        guard let list = fields["services"] else {
            problem(root, "missing `services:`, the list of service codes")
            return []
        }
        guard let sequence = list.sequence, !sequence.isEmpty else {
            problem(list, "`services:` must be a non-empty list of service entries (`- code: …`)")
            return []
        }
        var services: [ServiceDefinition] = []
        var seen: [String: Int] = [:]  // normalised code → line of its first entry
        for entry in sequence {
            guard let service = self.service(entry) else { continue }
            let key = EnumDecoder<UInt16>.normalise(service.code)
            let line = entry.mark?.line ?? 1
            if let first = seen[key] {
                problem(entry, "service code \(service.code) is already defined at line \(first); "
                    + "keep one entry per code")
                continue
            }
            seen[key] = line
            services.append(service)
        }
        return services
    }

    mutating func service(_ node: Node) -> ServiceDefinition? {
        guard let mapping = node.mapping else {
            problem(node, "a service entry is a mapping (`- code: …`, `name: …`, …)")
            return nil
        }
        let fields = self.fields(of: mapping, at: node,
                                 allowed: ["code", "name", "cluster", "sex", "age", "result", "joins"],
                                 what: "a service entry")
        let code = requiredText(fields["code"], at: node, key: "code")
        let label = code.map { "service \($0)" } ?? "service entry"
        if let code, let codeNode = fields["code"] {
            let normalised = EnumDecoder<UInt16>.normalise(code)
            if !normalised.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }) {
                problem(codeNode, "service code \"\(code)\" may hold only letters, digits, `_`, `-` and spaces")
            }
        }
        let name = requiredText(fields["name"], at: node, key: "name", owner: label)
        let cluster = requiredText(fields["cluster"], at: node, key: "cluster", owner: label)
        let before = problems.count
        let sex = self.sex(fields["sex"], owner: label)
        let age = self.age(fields["age"], owner: label)
        let result = self.result(fields["result"], owner: label)
        let joins = self.joins(fields["joins"], code: code, owner: label, sex: sex ?? nil, age: age ?? nil)
        guard let code, let name, let cluster, problems.count == before else { return nil }
        return ServiceDefinition(code: code, name: name, cluster: cluster, sex: sex ?? nil,
                                 age: age ?? nil, result: result ?? ResultKind.none, joins: joins ?? nil)
    }

    /// nil = problem; .some(nil) = not given (the code's default).
    mutating func joins(_ node: Node?, code: String?, owner: String, sex: Sex?, age: AgeLimit?) -> EpisodeJoin?? {
        guard let node else { return .some(nil) }
        guard let text = node.scalar?.string, let joins = EpisodeJoin(rawValue: text) else {
            problem(node, "`joins:` of \(owner) must be pregnancy, delivery or none")
            return nil
        }
        // A service no mother can receive would join nothing: its indicators would count 0.
        if joins != .none, let why = Self.neverAMother(sex: sex, age: age) {
            problem(node, "`joins: \(joins.rawValue)` of \(owner): its records are \(why), never a pregnant or delivering woman's (10–55 years, as ANC); remove the key, or widen `sex:`/`age:`")
            return nil
        }
        // The codes that form the episodes (spec §4.2–4.3) join nothing else.
        if let code, let forming = ["ANC", "PERSALINAN", "NIFAS"].first(where: {
            EnumDecoder<UInt16>.normalise($0) == EnumDecoder<UInt16>.normalise(code)
        }) {
            problem(node, "`joins:` of \(owner): \(forming) records \(forming == "ANC" ? "form the pregnancies" : forming == "NIFAS" ? "attach to the deliveries" : "form the deliveries") (spec §4.2–4.3) whatever the key says; remove it")
            return nil
        }
        return .some(joins)
    }

    /// Why a service with `sex` and `age` is never given to a woman of 10–55 years (ANC's
    /// limits), or nil.
    static func neverAMother(sex: Sex?, age: AgeLimit?) -> String? {
        if sex == .male { return "of men (sex: L)" }
        guard let age else { return nil }
        // The limits in whole years, rounded outwards.
        let perYear: Int
        switch age.unit {
        case .years: perYear = 1
        case .months: perYear = 12
        case .days: perYear = 365
        }
        let lo = (age.min ?? 0) / perYear, hi = age.max.map { ($0 + perYear - 1) / perYear }
        if let hi, hi < 10 { return "of people under 10 years (age max \(age.max!) \(age.unit.rawValue))" }
        if lo > 55 { return "of people over 55 years (age min \(age.min!) \(age.unit.rawValue))" }
        return nil
    }

    // MARK: Fields

    /// The mapping's values by key; unknown keys are reported.
    mutating func fields(of mapping: Node.Mapping, at node: Node, allowed: [String],
                         what: String) -> [String: Node] {
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string, allowed.contains(name) else {
                problem(key, "unknown key \"\(key.string ?? "?")\" in \(what); expected "
                    + allowed.joined(separator: ", "))
                continue
            }
            result[name] = value
        }
        return result
    }

    mutating func requiredText(_ node: Node?, at parent: Node, key: String,
                               owner: String? = nil) -> String? {
        let whose = owner.map { " of \($0)" } ?? ""
        guard let node else {
            problem(parent, "missing `\(key):`\(whose)")
            return nil
        }
        guard node.scalar != nil, let text = node.string?.trimmingCharacters(in: .whitespaces),
              !text.isEmpty else {
            problem(node, "`\(key):`\(whose) must be non-empty text")
            return nil
        }
        return text
    }

    /// nil = problem; .some(nil) = any sex.
    mutating func sex(_ node: Node?, owner: String) -> Sex?? {
        guard let node else { return .some(nil) }
        guard let text = node.scalar?.string else {
            problem(node, "`sex:` of \(owner) must be P, L or any")
            return nil
        }
        if text.lowercased() == "any" { return .some(nil) }
        guard let sex = Sex.decoder.decode(text) else {
            problem(node, "`sex:` of \(owner) is \"\(text)\"; write P, L or any")
            return nil
        }
        return .some(sex)
    }

    /// nil = problem; .some(nil) = any age.
    mutating func age(_ node: Node?, owner: String) -> AgeLimit?? {
        guard let node else { return .some(nil) }
        if node.scalar?.string.lowercased() == "any" { return .some(nil) }
        guard let mapping = node.mapping else {
            problem(node, "`age:` of \(owner) must be a mapping like {unit: years, min: 10, max: 55}, or any")
            return nil
        }
        let fields = self.fields(of: mapping, at: node, allowed: ["unit", "min", "max"],
                                 what: "`age:` of \(owner)")
        let before = problems.count
        var unit: AgeLimit.Unit?
        if let unitNode = fields["unit"] {
            unit = unitNode.scalar.flatMap { AgeLimit.Unit(rawValue: $0.string.lowercased()) }
            if unit == nil {
                problem(unitNode, "age unit of \(owner) is \"\(unitNode.string ?? "")\"; write days, months or years")
            }
        } else {
            problem(node, "`age:` of \(owner) needs `unit:` (days, months or years)")
        }
        let min = integer(fields["min"], what: "age min of \(owner)", minimum: 0)
        let max = integer(fields["max"], what: "age max of \(owner)", minimum: 0)
        if fields["min"] == nil && fields["max"] == nil {
            problem(node, "`age:` of \(owner) needs `min:`, `max:` or both (or write `age: any`)")
        }
        if let lo = min ?? nil, let hi = max ?? nil, lo > hi {
            problem(node, "age min \(lo) of \(owner) is above its max \(hi)")
        }
        guard problems.count == before, let unit, let min, let max else { return nil }
        return .some(AgeLimit(unit: unit, min: min, max: max))
    }

    /// nil = problem; .some(.none) = no result.
    mutating func result(_ node: Node?, owner: String) -> ResultKind? {
        guard let node else { return ResultKind.none }
        if node.scalar?.string.lowercased() == "none" { return ResultKind.none }
        guard let mapping = node.mapping else {
            problem(node, "`result:` of \(owner) must be a mapping like {kind: number, unit: kg, min: 0.5, max: 250}")
            return nil
        }
        let kindNode = mapping["kind"]
        switch kindNode?.scalar?.string {
        case "number":
            let fields = self.fields(of: mapping, at: node, allowed: ["kind", "unit", "min", "max"],
                                     what: "the number result of \(owner)")
            let unit = requiredText(fields["unit"], at: node, key: "unit", owner: "the result of \(owner)")
            guard let range = doubleRange(fields, at: node, owner: owner), let unit else { return nil }
            return .number(unit: unit, range: range)
        case "score":
            let fields = self.fields(of: mapping, at: node, allowed: ["kind", "min", "max"],
                                     what: "the score result of \(owner)")
            guard let range = intRange(fields, at: node, what: "score of \(owner)") else { return nil }
            return .score(range: range)
        case "blood_pressure":
            let fields = self.fields(of: mapping, at: node, allowed: ["kind", "unit", "sys", "dia"],
                                     what: "the blood-pressure result of \(owner)")
            if let unitNode = fields["unit"], unitNode.string?.lowercased() != "mmhg" {
                problem(unitNode, "blood pressure of \(owner) is read in mmHg; remove `unit:` or write mmHg")
            }
            let sys = nestedIntRange(fields["sys"], at: node, what: "sys", owner: owner)
            let dia = nestedIntRange(fields["dia"], at: node, what: "dia", owner: owner)
            guard let sys, let dia else { return nil }
            return .bloodPressure(sys: sys, dia: dia)
        default:
            problem(kindNode ?? node, "`result:` of \(owner) needs `kind:` number, score or blood_pressure"
                + (kindNode?.string.map { ", not \"\($0)\"" } ?? ""))
            return nil
        }
    }

    // MARK: Numbers

    /// nil = problem; .some(nil) = absent.
    mutating func integer(_ node: Node?, what: String, minimum: Int? = nil) -> Int?? {
        guard let node else { return .some(nil) }
        guard let text = node.scalar?.string, let value = Int(text) else {
            problem(node, "\(what) must be a whole number, not \"\(node.string ?? "…")\"")
            return nil
        }
        if let minimum, value < minimum {
            problem(node, "\(what) must be at least \(minimum), not \(value)")
            return nil
        }
        return .some(value)
    }

    mutating func doubleRange(_ fields: [String: Node], at node: Node, owner: String) -> ClosedRange<Double>? {
        var bounds: [Double] = []
        for key in ["min", "max"] {
            guard let bound = fields[key] else {
                problem(node, "the result of \(owner) needs `\(key):`")
                continue
            }
            guard let text = bound.scalar?.string, let value = NumberField.double(text) else {
                problem(bound, "result \(key) of \(owner) must be a number, not \"\(bound.string ?? "…")\"")
                continue
            }
            bounds.append(value)
        }
        guard bounds.count == 2 else { return nil }
        guard bounds[0] <= bounds[1] else {
            problem(node, "result min \(bounds[0]) of \(owner) is above its max \(bounds[1])")
            return nil
        }
        return bounds[0]...bounds[1]
    }

    mutating func intRange(_ fields: [String: Node], at node: Node, what: String) -> ClosedRange<Int>? {
        let before = problems.count
        let lo = integer(fields["min"], what: "\(what) min")
        let hi = integer(fields["max"], what: "\(what) max")
        guard problems.count == before else { return nil }
        guard let lo = lo ?? nil, let hi = hi ?? nil else {
            problem(node, "\(what) needs both `min:` and `max:`")
            return nil
        }
        guard lo <= hi else {
            problem(node, "\(what) min \(lo) is above its max \(hi)")
            return nil
        }
        return lo...hi
    }

    mutating func nestedIntRange(_ node: Node?, at parent: Node, what: String, owner: String) -> ClosedRange<Int>? {
        guard let node else {
            problem(parent, "the blood-pressure result of \(owner) needs `\(what): {min: …, max: …}`")
            return nil
        }
        guard let mapping = node.mapping else {
            problem(node, "`\(what):` of \(owner) must be a mapping {min: …, max: …}")
            return nil
        }
        let fields = self.fields(of: mapping, at: node, allowed: ["min", "max"], what: "`\(what):` of \(owner)")
        return intRange(fields, at: node, what: "\(what.uppercased()) of \(owner)")
    }
}
