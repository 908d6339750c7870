/// One JSON value, built for one FHIR resource at a time (never for a whole file). Numbers keep
/// the text they were written with, so `12.50` stays `12.50` on its way to a `result` field.
public indirect enum JSONValue: Sendable, Equatable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let x), .array(let y)): return x == y
        case (.string(let x), .string(let y)), (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// The member `key` of an object (the first, if written twice); nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The elements of an array; a single value reads as one element, nothing as none.
    public var elements: [JSONValue] {
        if case .array(let items) = self { return items }
        return [self]
    }

    /// A string's text, or a number's (FHIR decimals are JSON numbers).
    public var text: String? {
        switch self {
        case .string(let s), .number(let s): return s
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }
}

extension JSONValue {
    /// A Reference's `reference` as the export's resources are keyed (`Type/id`, a Bundle's
    /// `fullUrl`): an absolute URL of a server (`https://…/fhir/Patient/p1`) and a version
    /// (`Patient/p1/_history/2`) name the resource `Patient/p1` of the export.
    var reference: String? {
        guard let text = self["reference"]?.text else { return nil }
        return FHIRReference.local(text)
    }
}

enum FHIRReference {
    /// `reference` without a `/_history/…` version and, when it is an http(s) URL, without the
    /// server's base: its last two segments, `Type/id`. Other forms (`Type/id`, `urn:uuid:…`,
    /// `#contained`) as they are.
    static func local(_ reference: String) -> String {
        var text = Substring(reference)
        if let history = text.range(of: "/_history/") { text = text[..<history.lowerBound] }
        if text.hasPrefix("http://") || text.hasPrefix("https://") {
            let segments = text.split(separator: "/", omittingEmptySubsequences: true)
            if segments.count >= 4 { return segments.suffix(2).joined(separator: "/") }
        }
        return String(text)
    }
}

extension Optional where Wrapped == JSONValue {
    /// The elements of an optional array (none when absent).
    var elements: [JSONValue] { self?.elements ?? [] }
}
