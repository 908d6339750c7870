import CYAJL
import PWSCore

/// What a `JSONStream` hands over while it parses one JSON document.
enum JSONStreamEvent {
    /// Entry `index` (1-based) of a Bundle's `entry` array closed: its `resource` (nil when the
    /// entry has none, e.g. a DELETE of a transaction) and its `fullUrl`.
    case entry(index: Int, resource: JSONValue?, fullUrl: String?)
    /// Entry `index` closed, but its resource names one key twice in an object (`duplicateKey`):
    /// which value is meant is not said (JSON readers differ), so it is not read.
    case duplicateKey(index: Int, key: String)
    /// Entry `index` closed, but it nests objects and arrays deeper than the limit: it was
    /// parsed (so the entries after it are read) but not built, and is not read.
    case tooDeep(index: Int)
    /// The document ended: its top-level object without the `entry` array.
    case top(JSONValue)
}

/// Limits that keep one document (an NDJSON line, a Bundle entry) from taking the machine.
public struct JSONLimits: Sendable {
    /// The most bytes one resource may take (an NDJSON line; a Bundle entry).
    public var maxResourceBytes = 16 << 20
    /// The deepest nesting of objects and arrays accepted (FHIR resources need ~10).
    public var maxDepth = 64

    public init(maxResourceBytes: Int = 16 << 20, maxDepth: Int = 64) {
        self.maxResourceBytes = maxResourceBytes
        self.maxDepth = maxDepth
    }
}

/// A streaming JSON reader over yajl (a SAX parser): text is fed in pieces of any size, and
/// only one resource at a time is built as a `JSONValue` — the top-level object, or, for a
/// Bundle, each `entry[i].resource` as its entry closes. A Bundle of any size is read in
/// memory bounded by its largest entry.
/// - Complexity: linear in the input; the entry array is never held.
final class JSONStream {
    private var handle: yajl_handle?
    fileprivate var builder = TreeBuilder()
    fileprivate var entryBuilder: TreeBuilder?
    fileprivate var depth = 0
    fileprivate var topKey = ""
    fileprivate var entryKey = ""
    fileprivate var entryIndex = 0
    fileprivate var fullUrl: String?
    fileprivate var entryResource: JSONValue?
    fileprivate var entryDuplicate: String?
    fileprivate var inEntryArray = false
    /// The current Bundle entry went deeper than the limit: the rest of it is parsed, not built.
    fileprivate var entryTooDeep = false
    /// The keys of the current Bundle entry's own object (`fullUrl`, `resource`, `request` …).
    fileprivate var entryKeys = Set<String>()
    /// The top-level `entry` was not an array (an object, a string): no entry was read from it.
    fileprivate(set) var entryNotArray = false
    fileprivate var pending: [JSONStreamEvent] = []
    private let limits: JSONLimits
    /// Bytes fed since the current entry (or the document) began.
    private var bytesInResource = 0
    private var lastEntryIndex = 0

    init(limits: JSONLimits) {
        self.limits = limits
    }

    deinit {
        if let handle { yajl_free(handle) }
    }

    /// The 1-based index of the Bundle entry being read (0 before the first).
    var currentEntry: Int { entryIndex }

    /// Starts a new document (each NDJSON line is one).
    func reset() {
        if let handle { yajl_free(handle) }
        handle = nil
        builder = TreeBuilder()
        entryBuilder = nil
        depth = 0
        topKey = ""
        entryKey = ""
        entryIndex = 0
        lastEntryIndex = 0
        fullUrl = nil
        entryResource = nil
        entryDuplicate = nil
        inEntryArray = false
        entryTooDeep = false
        entryKeys = []
        entryNotArray = false
        pending = []
        bytesInResource = 0
    }

    /// Feeds `bytes`, calling `body` with what completed.
    /// - Throws: `JSONStreamError` on malformed JSON, too deep nesting or an oversized resource.
    func feed(_ bytes: UnsafeRawBufferPointer, _ body: (JSONStreamEvent) throws -> Void) throws {
        let h = try open()
        var offset = 0
        // Pieces of at most 64 KiB, so an oversized entry is noticed within one piece of the limit.
        while offset < bytes.count {
            let n = Swift.min(64 << 10, bytes.count - offset)
            let status = yajl_parse(h, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset, n)
            offset += n
            if entryIndex != lastEntryIndex {
                lastEntryIndex = entryIndex
                bytesInResource = 0
            }
            bytesInResource += n
            // What completed before an error counts: the entries before a bad one are read.
            for event in pending { try body(event) }
            pending.removeAll(keepingCapacity: true)
            try check(status, h)
            if bytesInResource > limits.maxResourceBytes {
                throw JSONStreamError(message: "a resource larger than \(limits.maxResourceBytes >> 20) MiB")
            }
        }
    }

    /// Ends the document.
    /// - Throws: `JSONStreamError` when the text ended early.
    func finish(_ body: (JSONStreamEvent) throws -> Void) throws {
        let h = try open()
        let status = yajl_complete_parse(h)
        for event in pending { try body(event) }
        pending.removeAll()
        try check(status, h)
        if let key = builder.duplicateKey {
            throw JSONStreamError(message: "the key \"\(VisibleText.quoting(key, limit: 64))\" appears twice in one object")
        }
        if let top = builder.result { try body(.top(top)) }
    }

    /// The top-level value, once it is complete (text after it is what failed, if anything).
    var completedDocument: JSONValue? { depth == 0 && !builder.isOpen ? builder.result : nil }

    /// A key found twice in one object of the top-level value (a Bundle's entries aside).
    var topLevelDuplicate: String? { builder.duplicateKey }

    private func open() throws -> yajl_handle {
        if let handle { return handle }
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let h = yajl_alloc(jsonStreamCallbacks, nil, context) else {
            throw JSONStreamError(message: "the JSON parser could not be started (out of memory)")
        }
        handle = h
        return h
    }

    private func check(_ status: yajl_status, _ h: yajl_handle) throws {
        switch status {
        case yajl_status_ok: return
        case yajl_status_client_canceled:
            throw JSONStreamError(message: "objects or arrays nested deeper than \(limits.maxDepth) levels")
        default:
            // Not verbose: the verbose form quotes the input, which may hold a NIK.
            var message = "malformed JSON"
            if let text = yajl_get_error(h, 0, nil, 0) {
                message = String(cString: text).trimmingSuffix()
                yajl_free_error(h, text)
            }
            throw JSONStreamError(message: message)
        }
    }

    fileprivate var maxDepth: Int { limits.maxDepth }
}

/// Malformed or oversized JSON; `message` names no value from the input.
struct JSONStreamError: Error {
    var message: String
}

private extension String {
    func trimmingSuffix() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

/// Builds one `JSONValue` from parse events, with an explicit stack (no recursion). Open
/// containers live in their own stacks and are appended to in place: an enum frame would be
/// taken apart and rebuilt on every value, copying its array each time.
struct TreeBuilder {
    private var isObject: [Bool] = []
    private var members: [[(key: String, value: JSONValue)]] = []
    private var keys: [String] = []
    private var items: [[JSONValue]] = []
    /// The keys of each open object, once it has more than `scanLimit` members (fewer are
    /// compared one by one): a duplicate is found in O(1) whatever the object's size.
    private var keySets: [Set<String>?] = []
    private static let scanLimit = 16
    private(set) var result: JSONValue?
    /// The first key found twice in one object, if any.
    private(set) var duplicateKey: String?

    var isOpen: Bool { !isObject.isEmpty }

    mutating func startObject() {
        isObject.append(true)
        members.append([])
        keys.append("")
        keySets.append(nil)
    }

    mutating func startArray() {
        isObject.append(false)
        items.append([])
    }

    mutating func key(_ k: String) {
        guard isObject.last == true else { return }
        keys[keys.count - 1] = k
    }

    mutating func value(_ v: JSONValue) {
        guard let object = isObject.last else {
            result = v
            return
        }
        if object {
            let key = keys[keys.count - 1], top = members.count - 1
            if duplicateKey == nil {
                if keySets[top] == nil && members[top].count < Self.scanLimit {
                    if members[top].contains(where: { $0.key == key }) { duplicateKey = key }
                } else {
                    if keySets[top] == nil { keySets[top] = Set(members[top].map(\.key)) }
                    if !keySets[top]!.insert(key).inserted { duplicateKey = key }
                }
            }
            members[top].append((key, v))
        } else {
            items[items.count - 1].append(v)
        }
    }

    mutating func end() {
        guard let object = isObject.popLast() else { return }
        if object {
            keys.removeLast()
            keySets.removeLast()
            value(.object(members.removeLast()))
        } else {
            value(.array(items.removeLast()))
        }
    }
}

// MARK: - yajl callbacks (file scope, context through the void pointer; see STYLE.md)

private func stream(_ context: UnsafeMutableRawPointer?) -> JSONStream {
    Unmanaged<JSONStream>.fromOpaque(context!).takeUnretainedValue()
}

/// Where an event goes: the current entry's resource, the top-level object, or nowhere.
private enum Route { case entry, top, skip }

private func route(_ s: JSONStream) -> Route {
    if s.entryBuilder != nil { return .entry }
    if s.depth >= 1 && s.topKey == "entry" { return .skip }
    return .top
}

private func scalar(_ s: JSONStream, _ v: JSONValue) -> Int32 {
    switch route(s) {
    case .entry: s.entryBuilder!.value(v)
    case .top: s.builder.value(v)
    case .skip:
        if s.depth == 3 && s.entryKey == "fullUrl", case .string(let url) = v { s.fullUrl = url }
        if s.depth == 2 && s.inEntryArray {  // an entry that is a number or a string: no resource
            s.entryIndex += 1
            s.pending.append(.entry(index: s.entryIndex, resource: nil, fullUrl: nil))
        }
        if s.depth == 1 {  // `"entry": 5` — not an array; nothing to read
            s.topKey = ""
            s.entryNotArray = true
        }
    }
    return 1
}

private func text(_ p: UnsafePointer<UInt8>?, _ n: Int) -> String {
    guard let p else { return "" }
    return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
}

private func onNull(_ c: UnsafeMutableRawPointer?) -> Int32 { scalar(stream(c), .null) }
private func onBool(_ c: UnsafeMutableRawPointer?, _ b: Int32) -> Int32 { scalar(stream(c), .bool(b != 0)) }
private func onNumber(_ c: UnsafeMutableRawPointer?, _ p: UnsafePointer<CChar>?, _ n: Int) -> Int32 {
    let s = stream(c)
    let value = p.map { $0.withMemoryRebound(to: UInt8.self, capacity: n) { text($0, n) } } ?? ""
    return scalar(s, .number(value))
}
private func onString(_ c: UnsafeMutableRawPointer?, _ p: UnsafePointer<UInt8>?, _ n: Int) -> Int32 {
    scalar(stream(c), .string(text(p, n)))
}

private func onKey(_ c: UnsafeMutableRawPointer?, _ p: UnsafePointer<UInt8>?, _ n: Int) -> Int32 {
    let s = stream(c)
    let k = text(p, n)
    switch route(s) {
    case .entry: s.entryBuilder!.key(k)
    case .top:
        if s.depth == 1 { s.topKey = k }
        if k != "entry" || s.depth != 1 { s.builder.key(k) }
    case .skip:
        if s.depth == 3 {
            s.entryKey = k
            // A key twice in an entry (`resource` twice: the later one was read silently).
            if !s.entryKeys.insert(k).inserted && s.entryDuplicate == nil { s.entryDuplicate = k }
        }
    }
    return 1
}

private func onStart(_ c: UnsafeMutableRawPointer?, object: Bool) -> Int32 {
    let s = stream(c)
    if s.depth >= s.maxDepth {
        // Inside a Bundle entry (depth ≥ 3): drop what was built of it and parse the rest
        // without building, so the document stays in step and the entries after it are read;
        // the entry's bytes are still bounded by `maxResourceBytes` (and so yajl's own stack,
        // a byte a level). Elsewhere — a resource alone, an NDJSON line, the Bundle's own
        // fields — nothing after it can be read: stop.
        guard s.inEntryArray && s.depth >= 3 else { return 0 }
        s.entryTooDeep = true
        s.entryBuilder = nil
        s.entryResource = nil
        s.depth += 1
        return 1
    }
    switch route(s) {
    case .entry:
        if object { s.entryBuilder!.startObject() } else { s.entryBuilder!.startArray() }
    case .top:
        if object { s.builder.startObject() } else { s.builder.startArray() }
    case .skip:
        if s.depth == 1 && !object {
            s.inEntryArray = true
        } else if s.depth == 1 {
            s.entryNotArray = true
        } else if s.depth == 2 && s.inEntryArray {
            // An entry; one that is an array (no resource in it) counts too, so the entries
            // after it keep their numbers.
            s.entryIndex += 1
            s.entryKeys.removeAll(keepingCapacity: true)
            s.fullUrl = nil
            s.entryResource = nil
            s.entryKey = ""
        } else if s.depth == 3 && object && s.entryKey == "resource" && !s.entryTooDeep {
            var b = TreeBuilder()
            b.startObject()
            s.entryBuilder = b
        }
    }
    s.depth += 1
    return 1
}

private func onEnd(_ c: UnsafeMutableRawPointer?) -> Int32 {
    let s = stream(c)
    s.depth -= 1
    switch route(s) {
    case .entry:
        s.entryBuilder!.end()
        if !s.entryBuilder!.isOpen {
            s.entryResource = s.entryBuilder!.result
            s.entryDuplicate = s.entryDuplicate ?? s.entryBuilder!.duplicateKey
            s.entryBuilder = nil
        }
    case .top:
        s.builder.end()
    case .skip:
        if s.depth == 2 && s.inEntryArray {
            if s.entryTooDeep {
                s.pending.append(.tooDeep(index: s.entryIndex))
            } else if let key = s.entryDuplicate {
                s.pending.append(.duplicateKey(index: s.entryIndex, key: key))
            } else {
                s.pending.append(.entry(index: s.entryIndex, resource: s.entryResource, fullUrl: s.fullUrl))
            }
            s.entryResource = nil
            s.entryDuplicate = nil
            s.entryTooDeep = false
        } else if s.depth == 1 {
            s.inEntryArray = false
            s.topKey = ""
        }
    }
    return 1
}

private func onStartMap(_ c: UnsafeMutableRawPointer?) -> Int32 { onStart(c, object: true) }
private func onStartArray(_ c: UnsafeMutableRawPointer?) -> Int32 { onStart(c, object: false) }

/// yajl keeps the pointer it is given (it does not copy the table), so the table lives for the
/// whole process: allocated once, never freed.
private nonisolated(unsafe) let jsonStreamCallbacks: UnsafeMutablePointer<yajl_callbacks> = {
    let table = UnsafeMutablePointer<yajl_callbacks>.allocate(capacity: 1)
    table.initialize(to: callbackTable)
    return table
}()

private let callbackTable = yajl_callbacks(
    yajl_null: onNull,
    yajl_boolean: onBool,
    yajl_integer: nil,
    yajl_double: nil,
    yajl_number: onNumber,
    yajl_string: onString,
    yajl_start_map: onStartMap,
    yajl_map_key: onKey,
    yajl_end_map: onEnd,
    yajl_start_array: onStartArray,
    yajl_end_array: onEnd
)
