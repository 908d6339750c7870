/// Decodes a closed list of spellings (sex, facility type, provider, service code) to values,
/// straight from field bytes.
///
/// Spellings are compared the way spec §2.4 says: case-insensitively after turning spaces and
/// `-` into `_` (`Laki-laki` → `laki_laki`). The normalisation happens on the fly while
/// hashing and comparing, so a lookup neither allocates nor copies the field. Case folding is
/// ASCII only; other bytes must match exactly.
public struct EnumDecoder<Value: Sendable & Equatable>: Sendable {
    /// Open-addressing table of entry indices (`-1` = empty); its count is a power of two.
    @usableFromInline var slots: [Int32]
    /// The normalised keys back to back, and where each ends.
    @usableFromInline var keyBytes: [UInt8]
    @usableFromInline var keyEnds: [Int32]
    @usableFromInline var values: [Value]
    /// Every key as normalised text, in the order added (for messages).
    public private(set) var spellings: [String]

    /// A decoder for `entries` (spelling, value). A spelling given twice keeps its first value.
    public init(_ entries: [(String, Value)]) {
        slots = []
        keyBytes = []
        keyEnds = []
        values = []
        spellings = []
        rebuild(capacity: entries.count)
        for (spelling, value) in entries { _ = insert(spelling, value) }
    }

    /// The number of spellings known.
    public var count: Int { values.count }

    /// The spelling normalised as lookups compare it: ASCII lower case, spaces and `-` as `_`.
    public static func normalise(_ text: String) -> String {
        String(decoding: text.utf8.map(normalisedByte), as: UTF8.self)
    }

    @inlinable @inline(__always)
    static func normalisedByte(_ b: UInt8) -> UInt8 {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "-") ? UInt8(ascii: "_") : asciiLower(b)
    }

    /// FNV-1a over the normalised bytes.
    @inlinable @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h = (h ^ UInt64(normalisedByte(b))) &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// The value spelled by `bytes`, or nil when the spelling is not in the list.
    ///
    /// - Complexity: O(n) in the field length (one hash, usually one comparison); no allocation.
    @inlinable
    public func decode(_ bytes: UnsafeRawBufferPointer) -> Value? {
        guard let entry = find(bytes) else { return nil }
        return values[entry]
    }

    /// The value spelled by `text`, or nil.
    public func decode(_ text: String) -> Value? { withBytes(of: text) { decode($0) } }

    @inlinable
    func find(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(bytes)) & mask
        return keyBytes.withUnsafeBufferPointer { keys -> Int? in
            while true {
                let entry = Int(slots[slot])
                if entry < 0 { return nil }
                let start = entry == 0 ? 0 : Int(keyEnds[entry - 1])
                let end = Int(keyEnds[entry])
                if end - start == bytes.count {
                    var equal = true
                    for k in 0..<bytes.count where keys[start + k] != Self.normalisedByte(bytes[k]) {
                        equal = false
                        break
                    }
                    if equal { return entry }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Adds a spelling; false when it was already there (with any value).
    @discardableResult
    mutating func insert(_ spelling: String, _ value: Value) -> Bool {
        let key = Array(Self.normalise(spelling).utf8)
        if key.withUnsafeBytes({ find($0) }) != nil { return false }
        if (values.count + 1) * 2 > slots.count { rebuild(capacity: values.count + 1) }
        keyBytes.append(contentsOf: key)
        keyEnds.append(Int32(keyBytes.count))
        values.append(value)
        spellings.append(String(decoding: key, as: UTF8.self))
        place(values.count - 1)
        return true
    }

    private mutating func place(_ entry: Int) {
        let start = entry == 0 ? 0 : Int(keyEnds[entry - 1])
        let end = Int(keyEnds[entry])
        let mask = slots.count - 1
        var slot = keyBytes[start..<end].withUnsafeBytes { Int(truncatingIfNeeded: Self.hash($0)) } & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry)
    }

    /// Resizes the table to keep it at most half full.
    private mutating func rebuild(capacity: Int) {
        var size = 8
        while size < capacity * 2 { size *= 2 }
        slots = Array(repeating: -1, count: size)
        for entry in values.indices { place(entry) }
    }

    /// This decoder with more spellings from a pipeline: `aliases` maps a new spelling to one
    /// already known (`"laki": "L"`).
    ///
    /// - Throws: `PWSError(.pipelineDefinition)` when a target is not a known spelling, or an
    ///   alias is already a spelling of a different value. `what` names the field in messages.
    public func adding(aliases: [String: String], what: String,
                       location: SourceLocation? = nil) throws -> EnumDecoder {
        var copy = self
        // Sorted so the first problem reported does not depend on dictionary order.
        for (alias, target) in aliases.sorted(by: { $0.key < $1.key }) {
            guard let value = decode(target) else {
                throw PWSError(.pipelineDefinition,
                               "\(what) alias \"\(alias)\" points to \"\(target)\", which is not a "
                                   + "known \(what); use one of \(spellings.joined(separator: ", "))",
                               location: location)
            }
            if let existing = copy.decode(alias) {
                if existing != value {
                    throw PWSError(.pipelineDefinition,
                                   "\(what) alias \"\(alias)\" already means something else than "
                                       + "\"\(target)\"; remove the alias or pick another spelling",
                                   location: location)
                }
                continue
            }
            copy.insert(alias, value)
        }
        return copy
    }
}

extension Sex {
    /// The canonical spelling: `L` (laki-laki) or `P` (perempuan).
    public var code: String { self == .male ? "L" : "P" }

    /// The spellings of spec §2.4: `L`/`P`, `M`/`F`, `1`/`2`, `laki-laki`/`perempuan`,
    /// `pria`/`wanita`. A pipeline may add more with ``EnumDecoder/adding(aliases:what:location:)``.
    public static let decoder = EnumDecoder<Sex>([
        ("L", .male), ("P", .female),
        ("M", .male), ("F", .female),
        ("1", .male), ("2", .female),
        ("laki_laki", .male), ("perempuan", .female),
        ("pria", .male), ("wanita", .female),
    ])
}

extension FacilityType {
    /// The seven facility-type codes of spec §2.4.
    public static let decoder = EnumDecoder<FacilityType>(allCases.map { ($0.code, $0) })
}

extension Provider {
    /// The provider codes of spec §2.4 (`dokter` … `lainnya`).
    public static let decoder = EnumDecoder<Provider>(
        allCases.filter { $0 != .none }.map { ($0.code, $0) })

    /// The provider in `bytes`: `.none` when empty, `.lainnya` when not a known spelling.
    ///
    /// - Complexity: O(n) in the field length; no allocation.
    @inlinable
    public static func decode(_ bytes: UnsafeRawBufferPointer,
                              using decoder: EnumDecoder<Provider> = Provider.decoder) -> Provider {
        if bytes.isEmpty { return .none }
        return decoder.decode(bytes) ?? .lainnya
    }

    /// The provider in `text`: `.none` when empty, `.lainnya` when not a known spelling.
    public static func decode(_ text: String,
                              using decoder: EnumDecoder<Provider> = Provider.decoder) -> Provider {
        withBytes(of: text) { decode($0, using: decoder) }
    }
}
