/// The rule codes of spec §3, in the order the error rules are checked.
public enum RuleCode: String, Sendable, CaseIterable, Comparable {
    case parse = "E-PARSE"
    case fields = "E-FIELDS"
    case cell = "E-CELL"
    case columns = "E-COLUMNS"
    case fhir = "E-FHIR"
    case required = "E-REQUIRED"
    case date = "E-DATE"
    case future = "E-FUTURE"
    case beforeBirth = "E-BEFORE-BIRTH"
    case sex = "E-SEX"
    case person = "E-PERSON"
    case area = "E-AREA"
    case facility = "E-FACILITY"
    case service = "E-SERVICE"
    case eligibility = "E-ELIGIBILITY"
    case duplicateID = "E-DUPLICATE-ID"
    case duplicate = "W-DUPLICATE"
    case result = "W-RESULT"
    case gestation = "W-GESTATION"
    case areaWarning = "W-AREA"
    case nik = "W-NIK"
    case nifas = "W-NIFAS"
    case growth = "W-GROWTH"

    /// Errors reject the row; warnings keep it.
    public var severity: Severity { rawValue.hasPrefix("E-") ? .error : .warning }

    /// Rules sort by their text, as `rejects.csv` is sorted by source, line, rule.
    public static func < (lhs: RuleCode, rhs: RuleCode) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Whether a problem rejects the row (`error`) or only gets listed (`warning`).
public enum Severity: String, Sendable {
    case error
    case warning
}

/// Where something in an input file is: the path relative to the data folder and the physical
/// line (1-based) where the record starts.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var source: String
    public var line: Int

    public init(source: String, line: Int) {
        self.source = source
        self.line = line
    }

    public var description: String { "\(source):\(line)" }

    /// This place as a message written at `here` names it: `line N` in the same file (or
    /// sheet), else `FILE:SHEET:N` ("first on line 40" named a row of another sheet).
    public func named(from here: SourceLocation) -> String {
        source == here.source ? "line \(line)" : description
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.source.utf8.lexicographicallyPrecedes(rhs.source.utf8)) ||
            (lhs.source == rhs.source && lhs.line < rhs.line)
    }
}

/// One problem with one input row: a row of `rejects.csv` or `warnings.csv` (spec §3).
public struct Diagnostic: Sendable, Hashable {
    public var location: SourceLocation
    public var recordID: String
    public var rule: RuleCode
    public var field: String
    public var value: String
    public var message: String

    public init(location: SourceLocation, recordID: String, rule: RuleCode, field: String,
                value: String, message: String) {
        self.location = location
        self.recordID = recordID
        self.rule = rule
        self.field = field
        self.value = value
        self.message = message
    }

    public var severity: Severity { rule.severity }

    /// The compiler-style line people and editors can jump to:
    /// `layanan/2025-03.csv:1184: error: E-DATE visit_date "31/02/2025" is not a date`.
    public var compilerStyle: String {
        "\(location): \(severity.rawValue): \(rule.rawValue) \(message)"
    }
}
