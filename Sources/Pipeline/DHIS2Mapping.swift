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
            // Case as idScheme's: `monthly` was refused while `idScheme: code` was taken.
            guard let p = [DHIS2PeriodType.monthly, .quarterly].first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
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
        if let n = root["storedBy"] {
            let text = try doc.string(n, "storedBy")
            guard !doc.isNull(n), !text.isEmpty, text.unicodeScalars.count <= 255 else {
                throw doc.error(n, "storedBy must be a name of 1 to 255 characters (DHIS2 keeps no more); write the name, or leave storedBy out")
            }
            try doc.refuseUnwritable(text, n, "storedBy")
            mapping.storedBy = text
        }

        // Targets already used, so two entries never write the same DHIS2 value.
        var used: [DHIS2Target: (text: String, combo: String?)] = [:]
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
                let slot = Self.slot(target, scheme: mapping.idScheme)
                if let other = used[slot] {
                    let defaultNote = slot.categoryOptionCombo == nil && other.combo != combo
                        ? " (no categoryOptionCombo is DHIS2's default one, \(mapping.idScheme.defaultCategoryOptionCombo): the same value)" : ""
                    throw doc.error(n, "\(what): data element \(element)\(combo.map { " with category option combo \($0)" } ?? "") is already the target of \(other.text)\(defaultNote); each DHIS2 value can receive one figure")
                }
                used[slot] = ("\(what) (line \(doc.line(n)))", combo)
                targets[part] = target
            }
            mapping.dataElements[indicator] = (doc.line(key), targets)
        }

        let units = try doc.mapping(try doc.required(root, "orgUnits"), "orgUnits")
        try doc.allowKeys(units, ["idScheme", "areas"], in: "orgUnits")
        if let n = units["idScheme"] { mapping.orgUnitIDScheme = try doc.idScheme(n, "orgUnits.idScheme") }
        var seen: [String: String] = [:]
        let areasNode = try doc.required(units, "areas", in: root["orgUnits"]!, "orgUnits")
        // Keys as written, by the code they stand for (`32.01` and `3201` are one area).
        var written: [String: String] = [:]
        for (key, value) in try doc.mapping(areasNode, "orgUnits.areas") {
            let text = try doc.string(key, "an area code")
            let area = Self.areaCode(text)
            if let other = written.updateValue("\(text) (line \(doc.line(key)))", forKey: area) {
                throw doc.error(key, "orgUnits.areas: \(text) is area \(area), already mapped as \(other); keep one")
            }
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

    /// The DHIS2 value a target writes, per data element and category option combo: no combo
    /// and DHIS2's default one (`HllvX50cXC0`, code `default`) are the same value — both were
    /// accepted, and DHIS2 kept one of the two figures.
    /// The combo is nil for the default one (a struct, not `element/combo` text: with codes,
    /// `DE/` and `DE` with combo `/` were one key).
    public static func slot(_ target: DHIS2Target, scheme: DHIS2IDScheme) -> DHIS2Target {
        DHIS2Target(dataElement: target.dataElement,
                    categoryOptionCombo: target.categoryOptionCombo == scheme.defaultCategoryOptionCombo ? nil : target.categoryOptionCombo)
    }

    /// An area key as the run writes area codes: a code of digits written with dots or spaces,
    /// as the register may write it (`32.01.01.2001`, `32.01`), loses them, as the register's
    /// codes do (docs/input-format.md); other keys (`P3201010101`, an RT's code) are kept.
    static func areaCode(_ key: String) -> String {
        let bytes = key.utf8
        guard bytes.contains(where: { $0 >= 0x30 && $0 <= 0x39 }),
              bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: " ") }) else {
            return key
        }
        return String(key.filter { $0 != "." && $0 != " " })
    }
}

/// DHIS2's ways of naming metadata in an import.
public enum DHIS2IDScheme: String, Sendable {
    case uid = "UID", code = "CODE"

    /// DHIS2's default category option combo (of a data element without disaggregation), as
    /// this scheme names it: the same uid and code in every DHIS2.
    public var defaultCategoryOptionCombo: String {
        switch self {
        case .uid: "HllvX50cXC0"
        case .code: "default"
        }
    }
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

    /// Refuses text that the import files cannot carry as written: control characters and
    /// U+FFFE/U+FFFF (ADX, an XML file, was not well-formed with them), or a first character
    /// `=`, `+`, `-` or `@`, which a spreadsheet opening the CSV import runs as a formula (and a
    /// `'` before it would change the code DHIS2 looks up). DHIS2 codes and names have none.
    func refuseUnwritable(_ text: String, _ node: Node, _ what: String) throws {
        if text.unicodeScalars.contains(where: { VisibleText.isControl($0) || $0.value == 0xFFFE || $0.value == 0xFFFF }) {
            throw error(node, "\(what) \"\(VisibleText.quoting(text, limit: 64))\" holds a control character; copy the code from DHIS2 again")
        }
        // Invisible characters (a byte order mark, a zero-width space, a direction mark, a line
        // separator) pasted with a code: it was exported as written and matched nothing.
        if let hidden = text.unicodeScalars.first(where: {
            [.format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory)
        }) {
            throw error(node, "\(what) holds the invisible character U+\(String(hidden.value, radix: 16, uppercase: true)); type the code again, or copy it from DHIS2 again")
        }
        if let first = text.first, "=+-@".contains(first) {
            throw error(node, "\(what) \"\(VisibleText.quoting(text, limit: 64))\" begins with \(first), which a spreadsheet opening the CSV import takes for a formula; DHIS2 codes do not — copy the code from DHIS2 again")
        }
    }

    /// Whether `node` is YAML's null: tagged `!!null`, or plain `~`, `null`, `Null`, `NULL` or
    /// nothing without a tag of its own (`!!str null` is the text "null").
    func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar else { return false }
        let tag = node.tag.rawValue
        if tag == "tag:yaml.org,2002:null" { return true }
        guard scalar.style == .plain, tag.isEmpty || tag == "?" else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
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
        // `~` and `null` are YAML's "nothing": exported as the text "null" or "~".
        guard !isNull(node) else {
            throw error(node, "\(what) is empty (YAML null); write the \(scheme == .uid ? "uid" : "code"), or remove the entry")
        }
        try refuseUnwritable(text, node, what)
        switch scheme {
        case .uid:
            guard DHIS2UID.isValid(text) else {
                throw error(node, "\(what) \"\(text)\" is not a DHIS2 uid (11 characters: a letter, then letters or digits); copy it from DHIS2, or set idScheme: CODE to use codes")
            }
        case .code:
            guard !text.isEmpty, text.trimmingCharacters(in: .whitespaces) == text else {
                throw error(node, "\(what) \"\(text)\" is not a usable code (empty, or spaces around it)")
            }
            // DHIS2 keeps codes of up to 50 characters; a longer one matches nothing there (a
            // 50 MB code was written into the import).
            // Counted as PostgreSQL counts a varchar(50): code points (é written as e and a
            // combining accent is two).
            guard text.unicodeScalars.count <= 50 else {
                throw error(node, "\(what) is \(text.unicodeScalars.count) characters long; DHIS2 codes have at most 50 — copy the code from DHIS2")
            }
        }
        return text
    }
}
