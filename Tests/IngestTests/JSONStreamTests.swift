import Foundation
import Testing
@testable import Ingest

/// The streaming JSON reader over yajl: the same entries whatever the piece size, down to one
/// byte at a time; only one entry is built at a time.
@Suite struct JSONStreamTests {
    static let bundle = #"""
    {"resourceType":"Bundle","id":"b","type":"collection","entry":[
     {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"p","name":[{"text":"Siti \"Aisyah\" \u00e9"}],"multipleBirthInteger":2}},
     {"request":{"method":"DELETE","url":"Patient/q"}},
     {"resource":{"resourceType":"Observation","id":"o","valueQuantity":{"value":12.50},"x":[true,false,null,[],{}]}}
    ],"total":3}
    """#

    private enum Seen: Equatable {
        case entry(Int, String?, JSONValue?)
        case duplicateKey(Int, String)
        case tooDeep(Int)
        case top(JSONValue)
    }

    private func events(_ text: String, piece: Int) throws -> [Seen] {
        let stream = JSONStream(limits: JSONLimits())
        var seen: [Seen] = []
        func note(_ e: JSONStreamEvent) {
            switch e {
            case .entry(let i, let r, let url): seen.append(.entry(i, url, r))
            case .duplicateKey(let i, let key): seen.append(.duplicateKey(i, key))
            case .tooDeep(let i): seen.append(.tooDeep(i))
            case .top(let t): seen.append(.top(t))
            }
        }
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let n = min(piece, bytes.count - i)
            try bytes[i..<i + n].withUnsafeBytes { try stream.feed($0, note) }
            i += n
        }
        try stream.finish(note)
        return seen
    }

    /// An entry nested past the limit is parsed, not built: `.tooDeep` at its index, the entries
    /// around it as ever, whatever the piece size.
    @Test(arguments: [1, 7, 1 << 20])
    func aTooDeepEntryIsSkippedInStep(piece: Int) throws {
        let deep = String(repeating: "[", count: 80) + "1" + String(repeating: "]", count: 80)
        let text = #"{"resourceType":"Bundle","entry":[{"resource":{"id":"a"}},{"resource":{"id":"b","x":"# + deep
            + #"},"fullUrl":"u"},{"resource":{"id":"c"}}]}"#
        #expect(try events(text, piece: piece) == [
            .entry(1, nil, .object([("id", .string("a"))])),
            .tooDeep(2),
            .entry(3, nil, .object([("id", .string("c"))])),
            .top(.object([("resourceType", .string("Bundle"))])),
        ])
    }

    /// A key twice in an entry's own object (`resource` twice) is a duplicate key of that entry,
    /// as one inside its resource is: the later resource was read silently.
    @Test func aKeyTwiceInAnEntryIsADuplicate() throws {
        let text = #"{"resourceType":"Bundle","entry":[{"resource":{"id":"a"},"resource":{"id":"b"}},{"fullUrl":"u","resource":{"id":"c"},"fullUrl":"v"},{"resource":{"id":"d"}}]}"#
        #expect(try events(text, piece: 1 << 20) == [
            .duplicateKey(1, "resource"),
            .duplicateKey(2, "fullUrl"),
            .entry(3, nil, .object([("id", .string("d"))])),
            .top(.object([("resourceType", .string("Bundle"))])),
        ])
    }

    /// Entries that are not objects (an array, a number) have no resource but keep their
    /// numbers, so a later entry's position is its place in the Bundle (an array entry used to
    /// leave the next one numbered as itself).
    @Test func entriesThatAreNotObjectsKeepTheirNumbers() throws {
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        let text = #"{"resourceType":"Bundle","entry":[[1],{"resource":{"id":"a"}},"# + deep + #",5,{"resource":{"id":"b"}}]}"#
        #expect(try events(text, piece: 1 << 20) == [
            .entry(1, nil, nil),
            .entry(2, nil, .object([("id", .string("a"))])),
            .tooDeep(3),
            .entry(4, nil, nil),
            .entry(5, nil, .object([("id", .string("b"))])),
            .top(.object([("resourceType", .string("Bundle"))])),
        ])
    }

    @Test(arguments: [1, 2, 3, 7, 64, 1 << 20])
    func everyPieceSizeGivesTheSameEntries(piece: Int) throws {
        let whole = try events(Self.bundle, piece: 1 << 20)
        #expect(try events(Self.bundle, piece: piece) == whole)
        // Entries 1–3 (the DELETE without a resource), then the top object without `entry`.
        #expect(whole.count == 4)
        guard whole.count == 4, case .entry(1, "urn:uuid:1", let patient?) = whole[0],
              case .entry(2, nil, nil) = whole[1], case .entry(3, nil, let observation?) = whole[2],
              case .top(let top) = whole[3] else {
            Issue.record("unexpected events \(whole)")
            return
        }
        #expect(patient["name"].elements.first?["text"] == .string("Siti \"Aisyah\" é"))
        #expect(patient["multipleBirthInteger"] == .number("2"))
        #expect(observation["valueQuantity"]?["value"] == .number("12.50"))
        #expect(observation["x"] == .array([.bool(true), .bool(false), .null, .array([]), .object([])]))
        #expect(top["total"] == .number("3") && top["entry"] == nil && top["type"] == .string("collection"))
    }

    @Test func invalidUTF8AndTrailingGarbageAreErrors() throws {
        #expect(throws: JSONStreamError.self) { _ = try events("{\"a\":\"\u{FF}\"} x", piece: 4) }
        let stream = JSONStream(limits: JSONLimits())
        #expect(throws: JSONStreamError.self) {
            try [UInt8]([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]).withUnsafeBytes { try stream.feed($0) { _ in } }
            try stream.finish { _ in }
        }
    }
}
