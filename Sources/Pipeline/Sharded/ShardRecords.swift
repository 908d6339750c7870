import Foundation
import PWSCore
import Validate

// The records inside the intermediate files (docs/scale.md, "Intermediate format"). Every key
// in them is global: a file is its index in the run's file order (the sorted listing of the
// data folder, the same in every task, checked by the run key), a row is (file, ordinal among
// the file's candidate rows), ids are their bytes, an RT is its register index when the register
// lists it and its labels otherwise.

extension ShardEncoder {
    mutating func diagnostic(_ d: Diagnostic) {
        string(d.location.source)
        int(d.location.line)
        string(d.recordID)
        string(d.rule.rawValue)
        string(d.field)
        string(d.value)
        string(d.message)
    }

    mutating func strings(_ list: [String]) {
        uint(UInt64(list.count))
        for s in list { string(s) }
    }

    mutating func double(_ v: Double) { uint(v.bitPattern) }
}

extension ShardDecoder {
    mutating func diagnostic() throws -> Diagnostic {
        let source = try string(), line = try int(), recordID = try string(), rule = try string()
        guard let code = RuleCode(rawValue: rule) else { throw corrupted() }
        return Diagnostic(location: SourceLocation(source: source, line: line), recordID: recordID, rule: code,
                          field: try string(), value: try string(), message: try string())
    }

    /// Steps over a diagnostic as `diagnostic()` reads it, checking it the same way but making
    /// no strings (a warm map copies its files' rejects into its summary as they are).
    mutating func skipDiagnostic() throws {
        try skipRaw()  // source
        _ = try int()  // line
        try skipRaw()  // record id
        guard RuleCode(rawValue: try string()) != nil else { throw corrupted() }
        for _ in 0..<3 { try skipRaw() }  // field, value, message
    }

    mutating func strings() throws -> [String] {
        try (0..<count()).map { _ in try string() }
    }

    mutating func double() throws -> Double { Double(bitPattern: try uint()) }

    /// A file index, ordinal, line or partition: a varint that fits an `Int`. A larger one (over
    /// 2^63, which no writer produces) is a corrupted file, not a trap in `Int(_:)`.
    mutating func index() throws -> Int {
        let v = try uint()
        guard v <= UInt64(Int.max) else { throw corrupted() }
        return Int(v)
    }
}

/// A candidate row as the map writes it into a person partition (and, its content only, into
/// a record-id partition for E-DUPLICATE-ID).
struct ShardRow {
    var file: Int
    var ordinal: Int
    var label: String
    var line: Int
    // The bytes are parts of an array (a decoded row's: of its block, not copied out).
    var recordID: ArraySlice<UInt8>
    /// The §2.4 content that E-DUPLICATE-ID compares, encoded with global keys: two rows have
    /// the same content exactly when these bytes are equal (`ServiceEvent.sameContent`).
    var content: ArraySlice<UInt8>
    var rawResultHash: Int
    var pending: [Diagnostic]
    /// The `name` column (`--keep-identifiers` only; empty otherwise): the reduce gives each
    /// person the name of its last candidate row with one, as `pws run` does.
    var name: ArraySlice<UInt8> = []

    /// The content bytes of a candidate: person, dates, gestation, service, codes, results, RT,
    /// pregnancy and facility ids.
    static func content(_ c: ShardCandidate) -> [UInt8] {
        // Written straight into the array's room: one allocation, nothing zeroed or copied.
        let bound = contentBound(c)
        return [UInt8](unsafeUninitializedCapacity: bound) { room, count in
            var w = RecordWriter(UnsafeMutableRawPointer(room.baseAddress!))
            writeContent(c, to: &w)
            precondition(w.at <= bound, "a row's content overran its bound")
            count = w.at
        }
    }

    /// A row's content (what `ShardContent` reads back), through a record writer; at most
    /// `contentBound(c)` bytes.
    static func writeContent(_ c: ShardCandidate, to w: inout RecordWriter) {
        let ev = c.event
        w.raw(c.person)
        w.int(Int(ev.visit.raw))
        w.int(Int(ev.birth.raw))
        w.int(Int(ev.lmp.raw))
        w.int(Int(ev.gestationalWeeks))
        w.uint(UInt64(ev.service))
        w.uint(UInt64(ev.sex.rawValue))
        w.uint(UInt64(ev.facilityType.rawValue))
        w.uint(UInt64(ev.provider.rawValue))
        w.fixed32(ev.result.bitPattern)
        w.fixed32(ev.result2.bitPattern)
        if let rt = c.unregisteredRT {
            w.bool(false)
            w.uint(UInt64(rt.village))
            w.string(rt.rw)
            w.string(rt.rt)
        } else {
            w.bool(true)
            w.uint(UInt64(ev.rt))
        }
        w.raw(c.pregnancyID)
        w.raw(c.facilityID)
    }

    /// The most bytes `writeContent(c)` writes: 14 varints, 2 × 4 bytes, a flag, the ids' bytes.
    static func contentBound(_ c: ShardCandidate) -> Int {
        var n = 14 * RecordWriter.varint + 8 + 1 + c.person.count + c.pregnancyID.count + c.facilityID.count
        if let rt = c.unregisteredRT { n += rt.rw.utf8.count + rt.rt.utf8.count }
        return n
    }

    /// Writes the row; its label only when it differs from the previous row's in this stream
    /// (`previous`), as a flag byte then the text: rows come in file order, so most repeat it.
    func encode(_ e: inout ShardEncoder, previous: inout String) {
        e.uint(UInt64(file))
        e.uint(UInt64(ordinal))
        e.bool(label != previous)
        if label != previous {
            e.string(label)
            previous = label
        }
        e.uint(UInt64(line))
        e.raw(recordID)
        e.raw(content)
        e.int(rawResultHash)
        e.uint(UInt64(pending.count))
        for d in pending { e.diagnostic(d) }
        e.raw(name)
    }

    static func decode(_ d: inout ShardDecoder, previous: inout String) throws -> ShardRow {
        try decode(&d, file: try d.index(), previous: &previous)
    }

    /// A row without its file index (a cache entry's section, MapEntry), of file `file`.
    static func decode(_ d: inout ShardDecoder, file: Int, previous: inout String) throws -> ShardRow {
        let ordinal = try d.index()
        if try d.bool() { previous = try d.string() }
        let label = previous, line = try d.index()
        let recordID = try d.rawSlice(), content = try d.rawSlice(), raw = try d.int()
        let pendingCount = try d.count()
        let pending = pendingCount == 0 ? [] : try (0..<pendingCount).map { _ in try d.diagnostic() }
        let name = try d.rawSlice()
        return ShardRow(file: file, ordinal: ordinal, label: label, line: line, recordID: recordID, content: content,
                        rawResultHash: raw, pending: pending, name: name)
    }
}

/// A row's content decoded back (in the reduce, which rebuilds events from it); the ids are
/// parts of the content's bytes, not copies.
struct ShardContent {
    var person: ArraySlice<UInt8>
    var visit: Day
    var birth: Day
    var lmp: Day
    var weeks: Int8
    var service: UInt16
    var sex: Sex
    var facilityType: FacilityType
    var provider: Provider
    var result: Float
    var result2: Float
    /// The register index, or the unregistered RT's village and labels.
    var rt: (index: UInt32?, village: UInt32, rw: String, rt: String)
    var pregnancyID: ArraySlice<UInt8>
    var facilityID: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>, path: String) throws {
        var d = ShardDecoder(bytes, path: path)
        person = try d.rawSlice()
        visit = Day(raw: Int32(truncatingIfNeeded: try d.int()))
        birth = Day(raw: Int32(truncatingIfNeeded: try d.int()))
        lmp = Day(raw: Int32(truncatingIfNeeded: try d.int()))
        weeks = Int8(truncatingIfNeeded: try d.int())
        service = UInt16(truncatingIfNeeded: try d.uint())
        guard let sex = Sex(rawValue: UInt8(truncatingIfNeeded: try d.uint())),
              let type = FacilityType(rawValue: UInt8(truncatingIfNeeded: try d.uint())),
              let provider = Provider(rawValue: UInt8(truncatingIfNeeded: try d.uint())) else { throw d.corrupted() }
        self.sex = sex
        facilityType = type
        self.provider = provider
        result = Float(bitPattern: try d.fixed32())
        result2 = Float(bitPattern: try d.fixed32())
        if try d.bool() {
            rt = (UInt32(truncatingIfNeeded: try d.uint()), 0, "", "")
        } else {
            rt = (nil, UInt32(truncatingIfNeeded: try d.uint()), try d.string(), try d.string())
        }
        pregnancyID = try d.rawSlice()
        facilityID = try d.rawSlice()
    }
}

/// A candidate's entry in a record-id partition: enough for the dedup task to decide
/// E-DUPLICATE-ID, to name the row in the reject, and to tell the reduce of its person.
struct ShardIDEntry {
    // Parts of an array (a decoded entry's: of its block, not copied out).
    var recordID: ArraySlice<UInt8>
    var file: Int
    var ordinal: Int
    var label: String
    var line: Int
    /// The person partition of the row (where its reduce is).
    var partition: Int
    var content: ArraySlice<UInt8>
    /// The hash of the raw result text when the result did not parse (`W-RESULT`), else 0:
    /// part of the content E-DUPLICATE-ID compares, as W-DUPLICATE does.
    var rawResultHash: Int
    var visit: Day

    /// Writes the entry; its label only when it differs from the previous entry's in this
    /// stream (`previous`), as a flag byte then the text, as `ShardRow.encode` does.
    func encode(_ e: inout ShardEncoder, previous: inout String) {
        e.raw(recordID)
        e.uint(UInt64(file))
        e.uint(UInt64(ordinal))
        e.bool(label != previous)
        if label != previous {
            e.string(label)
            previous = label
        }
        e.uint(UInt64(line))
        e.uint(UInt64(partition))
        e.raw(content)
        e.int(rawResultHash)
        e.int(Int(visit.raw))
    }

    static func decode(_ d: inout ShardDecoder, previous: inout String) throws -> ShardIDEntry {
        let recordID = try d.rawSlice()
        return try decode(&d, recordID: recordID, file: try d.index(), previous: &previous)
    }

    /// An entry without its file index (a cache entry's section, MapEntry), of file `file`.
    static func decode(_ d: inout ShardDecoder, file: Int, previous: inout String) throws -> ShardIDEntry {
        try decode(&d, recordID: try d.rawSlice(), file: file, previous: &previous)
    }

    private static func decode(_ d: inout ShardDecoder, recordID: ArraySlice<UInt8>, file: Int,
                               previous: inout String) throws -> ShardIDEntry {
        let ordinal = try d.index()
        if try d.bool() { previous = try d.string() }
        return ShardIDEntry(recordID: recordID, file: file, ordinal: ordinal, label: previous,
                            line: try d.index(), partition: try d.index(), content: try d.rawSlice(),
                            rawResultHash: try d.int(), visit: Day(raw: Int32(truncatingIfNeeded: try d.int())))
    }
}

/// A row rejected by E-DUPLICATE-ID (dedup output).
struct ShardDuplicateID {
    var file: Int
    var ordinal: Int
    var partition: Int
    var label: String
    var line: Int
    var recordID: String

    var diagnostic: Diagnostic {
        Diagnostic(location: SourceLocation(source: label, line: line), recordID: recordID, rule: .duplicateID,
                   field: "record_id", value: recordID, message: Validation.duplicateIDMessage(recordID))
    }
}

/// The row key (file, ordinal) packed into one integer for sets and sorting.
@inline(__always) func shardRowKey(_ file: Int, _ ordinal: Int) -> Int { file << 36 | ordinal }
