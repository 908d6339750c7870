import Export
import Foundation
import PWSCore
import Yams

/// The mapping file of `pws export dhis2` (§A6; format in docs/dhis2.md): which DHIS2 data
/// element (and category option combo) receives each indicator's numerator and denominator,
/// which org unit each area is, and the period type.
///
/// Every problem is a usage error (exit 64) naming `file:line`: unknown keys, duplicate keys
/// (refused by Yams, see `YAMLFile`),
/// malformed uids, two targets that would overwrite each other in DHIS2, and (checked against
/// a run with `check(indicators:)`) indicators the run does not have.
public struct DHIS2Mapping: Sendable {
    public var path: String
    public var periodType: DHIS2PeriodType
    /// How data elements and category option combos are named below (`UID` or `CODE`).
    public var idScheme: DHIS2IDScheme
    /// How org units are named in `orgUnits.areas`.
    public var orgUnitIDScheme: DHIS2IDScheme
    public var dataSet: String?
    public var attributeOptionCombo: String?
    public var storedBy: String?
    /// Indicator id → part → target, with the line of the indicator's key.
    public var dataElements: [String: (line: Int, parts: [DHIS2Part: DHIS2Target])]
    /// Area code → org unit.
    public var orgUnits: [String: String]

    /// Loads and checks `path`.
    public static func load(path: String) throws -> DHIS2Mapping {
        let doc = try YAMLFile(path: path, givenBy: "--mapping")
        let root = try doc.mapping(doc.root, "the mapping")
        try doc.allowKeys(root, ["periodType", "idScheme", "dataSet", "attributeOptionCombo", "storedBy",
                                 "dataElements", "orgUnits"], in: "the mapping")
        var mapping = DHIS2Mapping(path: path, periodType: .monthly, idScheme: .uid, orgUnitIDScheme: .uid,
                                   dataSet: nil, attributeOptionCombo: nil, storedBy: nil, dataElements: [:],
                                   orgUnits: [:])
        if let n = root["periodType"] {
            let text = try doc.string(n, "periodType")
            guard let p = DHIS2PeriodType(rawValue: text) else {
                throw doc.error(n, "periodType \"\(text)\" is not supported; use Monthly (YYYYMM) or Quarterly (YYYYQn)")
            }
            mapping.periodType = p
        }
        mapping.idScheme = try root["idScheme"].map { try doc.idScheme($0, "idScheme") } ?? .uid
        mapping.orgUnitIDScheme = mapping.idScheme
        if let n = root["dataSet"] { mapping.dataSet = try doc.identifier(n, "dataSet", scheme: mapping.idScheme) }
        if let n = root["attributeOptionCombo"] {
            mapping.attributeOptionCombo = try doc.identifier(n, "attributeOptionCombo", scheme: mapping.idScheme)
        }
        if let n = root["storedBy"] { mapping.storedBy = try doc.string(n, "storedBy") }

        // Targets already used, so two entries never write the same DHIS2 value.
        var used: [String: String] = [:]
        let elements = try doc.mapping(try doc.required(root, "dataElements"), "dataElements")
        for (key, value) in elements {
            let indicator = try doc.string(key, "an indicator id")
            let parts = try doc.mapping(value, "dataElements.\(indicator)")
            try doc.allowKeys(parts, ["numerator", "denominator"], in: "dataElements.\(indicator)")
            guard !parts.isEmpty else {
                throw doc.error(value, "dataElements.\(indicator): give a numerator and/or a denominator")
            }
            var targets: [DHIS2Part: DHIS2Target] = [:]
            for part in DHIS2Part.allCases {
                guard let n = parts[part.rawValue] else { continue }
                let what = "dataElements.\(indicator).\(part.rawValue)"
                let m = try doc.mapping(n, what)
                try doc.allowKeys(m, ["dataElement", "categoryOptionCombo"], in: what)
                let element = try doc.identifier(try doc.required(m, "dataElement", in: n, what), "\(what).dataElement",
                                                 scheme: mapping.idScheme)
                let combo = try m["categoryOptionCombo"].map {
                    try doc.identifier($0, "\(what).categoryOptionCombo", scheme: mapping.idScheme)
                }
                let target = DHIS2Target(dataElement: element, categoryOptionCombo: combo)
                let slot = element + "/" + (combo ?? "")
                if let other = used[slot] {
                    throw doc.error(n, "\(what): data element \(element)\(combo.map { " with category option combo \($0)" } ?? "") is already the target of \(other); each DHIS2 value can receive one figure")
                }
                used[slot] = "\(what) (line \(doc.line(n)))"
                targets[part] = target
            }
            mapping.dataElements[indicator] = (doc.line(key), targets)
        }

        let units = try doc.mapping(try doc.required(root, "orgUnits"), "orgUnits")
        try doc.allowKeys(units, ["idScheme", "areas"], in: "orgUnits")
        if let n = units["idScheme"] { mapping.orgUnitIDScheme = try doc.idScheme(n, "orgUnits.idScheme") }
        var seen: [String: String] = [:]
        let areasNode = try doc.required(units, "areas", in: root["orgUnits"]!, "orgUnits")
        for (key, value) in try doc.mapping(areasNode, "orgUnits.areas") {
            let area = try doc.string(key, "an area code")
            let unit = try doc.identifier(value, "orgUnits.areas.\(area)", scheme: mapping.orgUnitIDScheme)
            if let other = seen[unit] {
                throw doc.error(key, "orgUnits.areas: org unit \(unit) is already the org unit of area \(other); two areas would overwrite each other's values")
            }
            seen[unit] = "\(area) (line \(doc.line(key)))"
            mapping.orgUnits[area] = unit
        }
        return mapping
    }

    /// Refuses indicators the run does not have (a typo would silently export nothing).
    public func check(indicators: Set<String>) throws {
        for (id, entry) in dataElements.sorted(by: { $0.value.line < $1.value.line }) where !indicators.contains(id) {
            throw PWSError(.usage, "dataElements: indicator \"\(id)\" is not in this run (its indicators: \(indicators.sorted().joined(separator: ", "))); fix the id or remove the entry",
                           location: SourceLocation(source: path, line: entry.line))
        }
    }
}

/// DHIS2's ways of naming metadata in an import.
public enum DHIS2IDScheme: String, Sendable {
    case uid = "UID", code = "CODE"
}

extension YAMLFile {
    /// Refuses keys outside `allowed` (a misspelt key would otherwise be ignored).
    func allowKeys(_ m: Node.Mapping, _ allowed: [String], in what: String) throws {
        for (key, _) in m {
            let k = try string(key, "a key of \(what)")
            guard allowed.contains(k) else {
                throw error(key, "\(what): unknown key \"\(k)\"; use \(allowed.joined(separator: ", "))")
            }
        }
    }

    /// `key` of `m`, or an error at `node` (the mapping's own line).
    func required(_ m: Node.Mapping, _ key: String, in node: Node, _ what: String) throws -> Node {
        guard let n = m[key] else { throw error(node, "\(what): missing key \"\(key)\"") }
        return n
    }

    func idScheme(_ node: Node, _ what: String) throws -> DHIS2IDScheme {
        let text = try string(node, what)
        guard let s = DHIS2IDScheme(rawValue: text.uppercased()) else {
            throw error(node, "\(what) \"\(text)\" is not supported; use UID or CODE")
        }
        return s
    }

    /// A DHIS2 identifier: with `UID`, 11 characters, a letter then letters or digits; with
    /// `CODE`, any text without leading or trailing spaces.
    func identifier(_ node: Node, _ what: String, scheme: DHIS2IDScheme) throws -> String {
        let text = try string(node, what)
        switch scheme {
        case .uid:
            guard DHIS2UID.isValid(text) else {
                throw error(node, "\(what) \"\(text)\" is not a DHIS2 uid (11 characters: a letter, then letters or digits); copy it from DHIS2, or set idScheme: CODE to use codes")
            }
        case .code:
            guard !text.isEmpty, text.trimmingCharacters(in: .whitespaces) == text else {
                throw error(node, "\(what) \"\(text)\" is not a usable code (empty, or spaces around it)")
            }
        }
        return text
    }
}
