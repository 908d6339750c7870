#if canImport(Glibc)
import Glibc
#endif

/// One accepted, used service record, integer-coded: what Validate hands to Aggregate.
///
/// Strings are dictionary-encoded before this point (persons, record ids, pregnancy ids,
/// facility ids, leaf areas, service codes). Ten million of these are most of a run's memory,
/// so an event is 40 bytes: the small fields (sex, facility type, provider and the gestation —
/// LMP or weeks) share one 16-bit word (`packed`), and the LMP is kept as its distance in days
/// before the visit, which Validate bounds to 0–321 (0–45 weeks).
public struct ServiceEvent: Sendable, Hashable {
    /// Index into `EventSet.personIDs` (the normalised person_id).
    public var person: UInt32
    /// Index into `EventSet.recordIDs`; compare ids with `EventSet.recordIDs.compare`.
    public var record: UInt32
    /// The visit date. The LMP is stored relative to it: set `visit` before `lmp`.
    public var visit: Day
    public var birth: Day
    /// Index of the residence RT in `AreaRegister.rts` (registered or seen unregistered).
    public var rt: UInt32
    /// 0 = none; otherwise 1 + index into `EventSet.pregnancyIDs`.
    public var pregnancy: UInt32
    /// 0 = none; otherwise 1 + index into `EventSet.facilityIDs`.
    public var facility: UInt32
    /// The parsed result (weight kg, height cm, SYS for blood pressure, score…); NaN when none.
    public var result: Float
    /// DIA for blood pressure; NaN otherwise.
    public var result2: Float
    /// Index into the run's `ServiceCatalogue.services`.
    public var service: UInt16
    /// Bits 0–8: the gestation (`Gestation`); bit 9: sex (set = female); bits 10–12: the
    /// facility type's raw value; bits 13–15: the provider's raw value.
    @usableFromInline var packed: UInt16

    /// The gestation code in bits 0–8 of `packed`: 0 = none; 1…322 = an LMP 0…321 days before
    /// the visit; 323…368 = 0…45 gestational weeks (kept only when there is no LMP).
    @usableFromInline enum Gestation {
        @usableFromInline static let mask: UInt16 = 0x1FF
        @usableFromInline static let firstWeeks: UInt16 = 323
        /// The most days an LMP may lie before the visit: 45 weeks and 6 days.
        @usableFromInline static let maxLMPDays = 45 * 7 + 6
    }

    @inlinable @inline(__always)
    public init(person: UInt32, record: UInt32, visit: Day, birth: Day, lmp: Day = .unknown,
                service: UInt16, gestationalWeeks: Int8 = -1, sex: Sex, rt: UInt32,
                pregnancy: UInt32 = 0, facility: UInt32 = 0, result: Float = .nan,
                result2: Float = .nan, facilityType: FacilityType, provider: Provider = .none) {
        self.person = person
        self.record = record
        self.visit = visit
        self.birth = birth
        self.service = service
        self.rt = rt
        self.pregnancy = pregnancy
        self.facility = facility
        self.result = result
        self.result2 = result2
        packed = 0
        self.sex = sex
        self.facilityType = facilityType
        self.provider = provider
        self.lmp = lmp
        // Weeks only count when there is no usable LMP (spec §4.2): the LMP decides the
        // gestation, and an LMP outside 0–45 weeks is dropped, so the weeks stand.
        if self.lmp.isUnknown { self.gestationalWeeks = gestationalWeeks }
    }

    public var hasResult: Bool { !result.isNaN }

    @inlinable var gestation: UInt16 {
        get { packed & Gestation.mask }
        set { packed = packed & ~Gestation.mask | newValue }
    }

    /// LMP date; `Day.unknown` when absent or dropped (W-GESTATION).
    ///
    /// Stored as days before `visit`: an LMP 0…321 days (0–45 weeks) before the visit is kept
    /// and replaces any gestational weeks; any other date is stored as unknown (keeping the
    /// weeks), as Validate drops it (W-GESTATION) and Aggregate ignores it.
    @inlinable public var lmp: Day {
        get {
            let g = gestation
            return g != 0 && g < Gestation.firstWeeks ? visit.adding(days: 1 - Int(g)) : .unknown
        }
        set {
            if newValue.isUnknown {
                if gestation < Gestation.firstWeeks { gestation = 0 }
                return
            }
            let days = newValue.days(to: visit)
            if (0...Gestation.maxLMPDays).contains(days) {
                gestation = UInt16(days + 1)
            } else if gestation < Gestation.firstWeeks {
                gestation = 0  // an earlier LMP goes; recorded weeks stay
            }
        }
    }

    /// Gestational weeks as recorded (0–45); -1 when absent, dropped, or when the event has an
    /// LMP (which decides the gestation instead).
    @inlinable public var gestationalWeeks: Int8 {
        get {
            let g = gestation
            return g >= Gestation.firstWeeks ? Int8(g - Gestation.firstWeeks) : -1
        }
        set {
            if newValue < 0 {
                if gestation >= Gestation.firstWeeks { gestation = 0 }
                return
            }
            precondition(newValue <= 45 && lmp.isUnknown,
                         "gestational weeks are 0–45 and kept only for an event without an LMP")
            gestation = Gestation.firstWeeks + UInt16(newValue)
        }
    }

    /// The person's sex (bit 9 of `packed`).
    @inlinable public var sex: Sex {
        get { packed & 0x200 != 0 ? .female : .male }
        set { packed = packed & ~0x200 | (newValue == .female ? 0x200 : 0) }
    }

    /// Where the service was given (bits 10–12 of `packed`).
    @inlinable public var facilityType: FacilityType {
        get { FacilityType(rawValue: UInt8(truncatingIfNeeded: packed >> 10) & 7) ?? .lainnya }
        set { packed = packed & ~(7 << 10) | UInt16(newValue.rawValue) << 10 }
    }

    /// Who gave the service (bits 13–15 of `packed`).
    @inlinable public var provider: Provider {
        get { Provider(rawValue: UInt8(truncatingIfNeeded: packed >> 13)) ?? .none }
        set { packed = packed & ~(7 << 13) | UInt16(newValue.rawValue) << 13 }
    }

    /// Same §2.4 content: every field equal, results compared by bit pattern (NaN = no result).
    @inlinable
    public func sameContent(as other: ServiceEvent) -> Bool {
        person == other.person && record == other.record && visit == other.visit && birth == other.birth &&
            service == other.service && packed == other.packed && rt == other.rt &&
            pregnancy == other.pregnancy && facility == other.facility &&
            result.bitPattern == other.result.bitPattern && result2.bitPattern == other.result2.bitPattern
    }
}

extension Day {
    /// The "no date" sentinel used inside compact structs.
    public static let unknown = Day(raw: Int32.min)
    public var isUnknown: Bool { raw == Int32.min }
}

/// Strings stored back to back in one byte buffer, addressed by index: record ids, person ids.
/// Keeps millions of short strings without a `String` (and its allocation) each.
///
/// Entries are grouped in blocks of `blockSize`; the first entry of a block is stored whole and
/// its offset kept, each other one as the length of the prefix it shares with its block's first
/// entry, the length of the rest, then the rest (lengths as LEB128, one byte below 128). With
/// the default block size of 1 every entry stands alone and is read in place (person ids,
/// looked up on every row). Record ids use blocks of 4: ids exported in sequence share most of
/// their bytes (`2410-0147-00001`, `2410-0147-00002`), so ten million 15-byte ids take about
/// 75 MB instead of 190 MB (bytes plus a 4-byte offset each). Reading an entry skips at most
/// 3 headers in its block and copies no more than the entry.
///
/// - Complexity: `append` O(length); reading an entry O(length + `blockSize`).
public struct StringArena: Sendable {
    private var bytes: [UInt8] = []
    /// Offset in `bytes` of entries 0, `blockSize`, 2 × `blockSize`, …
    private var blocks: [UInt32] = []
    /// The length of the longest entry (sizes the buffer entries are decoded into).
    private var longest = 0
    public private(set) var count = 0
    /// The bytes the entries take (with their length headers), without the block offsets.
    public var byteCount: Int { bytes.count }

    /// log2 of the entries per block.
    private let blockShift: Int
    /// Entries per block (a power of two): 1, or more to front-code entries within a block.
    public var blockSize: Int { 1 << blockShift }

    /// An empty arena whose blocks hold `blockSize` entries (rounded up to a power of two).
    public init(blockSize: Int = 1) {
        var shift = 0
        while 1 << shift < blockSize { shift += 1 }
        blockShift = shift
    }

    /// Appends a string given as bytes and returns its index.
    @discardableResult
    public mutating func append<C: Collection>(_ value: C) -> UInt32 where C.Element == UInt8 {
        Array(value).withUnsafeBytes { append($0) }
    }

    /// Appends raw bytes and returns their index (the hot path: no generic dispatch).
    @discardableResult
    public mutating func append(_ value: UnsafeRawBufferPointer) -> UInt32 {
        let n = value.count
        var shared = 0
        if count & (blockSize - 1) == 0 {
            blocks.append(UInt32(bytes.count))
        } else {
            // The prefix shared with the block's first entry (written whole, just before).
            let start = Int(blocks[blocks.count - 1])
            shared = bytes.withUnsafeBufferPointer { all in
                let first = StringArena.firstEntry(all, start)
                let m = Swift.min(n, first.count)
                var k = 0
                while k + 8 <= m && first.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                        == value.loadUnaligned(fromByteOffset: k, as: UInt64.self) {
                    k += 8
                }
                while k < m && first[k] == value[k] { k += 1 }
                return k
            }
        }
        // Header and rest in one append: this runs once per row for record ids.
        let restCount = n - shared
        withUnsafeTemporaryAllocation(byteCount: restCount + 20, alignment: 1) { entry in
            var k = StringArena.writeLength(shared, into: entry, at: 0)
            k = StringArena.writeLength(restCount, into: entry, at: k)
            if restCount > 0 {
                (entry.baseAddress! + k).copyMemory(from: value.baseAddress! + shared, byteCount: restCount)
            }
            bytes.append(contentsOf: UnsafeBufferPointer(start: entry.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                                         count: k + restCount))
        }
        longest = Swift.max(longest, n)
        count += 1
        return UInt32(count - 1)
    }

    /// Writes `value` as LEB128 at `at`; returns the offset after it (at most 10 bytes).
    @inline(__always)
    private static func writeLength(_ value: Int, into buffer: UnsafeMutableRawBufferPointer, at: Int) -> Int {
        var v = value, k = at
        while v >= 0x80 {
            buffer[k] = UInt8(truncatingIfNeeded: v) | 0x80
            v >>= 7
            k += 1
        }
        buffer[k] = UInt8(v)
        return k + 1
    }

    @inline(__always)
    private static func readLength(_ bytes: UnsafeBufferPointer<UInt8>, _ at: inout Int) -> Int {
        var v = 0, shift = 0
        while true {
            let b = bytes[at]
            at += 1
            v |= Int(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    /// Reserves room for `count` entries of `bytes` bytes in all (pages are only touched when used).
    public mutating func reserve(count: Int, bytes: Int) {
        self.bytes.reserveCapacity(bytes)
        blocks.reserveCapacity(count >> blockShift + 1)
    }

    // The readers below are static and given only pointers and numbers, so that no closure
    // captures (and retains) the arena's arrays: Validate looks up a person id on every row and
    // Aggregate compares record ids millions of times.

    /// The whole first entry of the block starting at `start`, in place.
    @inline(__always)
    private static func firstEntry(_ all: UnsafeBufferPointer<UInt8>, _ start: Int) -> UnsafeRawBufferPointer {
        var at = start
        _ = readLength(all, &at)  // 0: shares nothing
        let length = readLength(all, &at)
        return UnsafeRawBufferPointer(start: all.baseAddress! + at, count: length)
    }

    /// Entry `steps` of the block starting at `start`: the prefix it shares with the block's
    /// first entry (in place), and its own rest (in place).
    @inline(__always)
    private static func parts(_ all: UnsafeBufferPointer<UInt8>, start: Int, steps: Int)
        -> (first: UnsafeRawBufferPointer, shared: Int, rest: UnsafeRawBufferPointer) {
        let first = firstEntry(all, start)
        if steps == 0 { return (first, 0, UnsafeRawBufferPointer(start: first.baseAddress, count: first.count)) }
        var at = UnsafeRawPointer(all.baseAddress!).distance(to: first.baseAddress!) + first.count
        for _ in 1..<steps {
            _ = readLength(all, &at)
            let skip = readLength(all, &at)
            at += skip
        }
        let shared = readLength(all, &at)
        let rest = readLength(all, &at)
        return (first, shared, UnsafeRawBufferPointer(start: all.baseAddress! + at, count: rest))
    }

    /// Where entry `index`'s block starts in `bytes`, and how many entries precede it there.
    @inline(__always)
    private func locate(_ index: UInt32) -> (start: Int, steps: Int) {
        let i = Int(index)
        precondition(i < count, "no entry \(i) in an arena of \(count)")
        return (Int(blocks[i >> blockShift]), i & ((1 << blockShift) - 1))
    }

    @inline(__always)
    private static func decode<R>(_ all: UnsafeBufferPointer<UInt8>, start: Int, steps: Int, longest: Int,
                                  _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let (first, shared, rest) = parts(all, start: start, steps: steps)
        if shared == 0 { return try body(rest) }
        return try withUnsafeTemporaryAllocation(byteCount: Swift.max(longest, 1), alignment: 1) { buffer in
            buffer.baseAddress!.copyMemory(from: first.baseAddress!, byteCount: shared)
            if !rest.isEmpty { (buffer.baseAddress! + shared).copyMemory(from: rest.baseAddress!, byteCount: rest.count) }
            return try body(UnsafeRawBufferPointer(rebasing: buffer[..<(shared + rest.count)]))
        }
    }

    /// Calls `body` with the bytes of entry `index`: in place when it shares no prefix, else
    /// assembled in a temporary buffer.
    public func withEntry<R>(_ index: UInt32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let (start, steps) = locate(index)
        let longest = self.longest
        return try bytes.withUnsafeBufferPointer { all in
            try StringArena.decode(all, start: start, steps: steps, longest: longest, body)
        }
    }

    /// Whether entry `index` holds exactly `value` (compared in place, nothing copied).
    public func equals(_ index: UInt32, _ value: UnsafeRawBufferPointer) -> Bool {
        let (start, steps) = locate(index)
        return bytes.withUnsafeBufferPointer { all in
            let (first, shared, rest) = StringArena.parts(all, start: start, steps: steps)
            guard shared + rest.count == value.count else { return false }
            if shared > 0 && memcmp(first.baseAddress!, value.baseAddress!, shared) != 0 { return false }
            return rest.isEmpty || memcmp(rest.baseAddress!, value.baseAddress! + shared, rest.count) == 0
        }
    }

    /// The string at `index`.
    public subscript(index: UInt32) -> String {
        withEntry(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Byte-order comparison of two entries: negative, zero or positive.
    public func compare(_ a: UInt32, _ b: UInt32) -> Int {
        if a == b { return 0 }
        let (startA, stepsA) = locate(a), (startB, stepsB) = locate(b)
        let longest = self.longest
        return bytes.withUnsafeBufferPointer { all in
            StringArena.decode(all, start: startA, steps: stepsA, longest: longest) { x in
                StringArena.decode(all, start: startB, steps: stepsB, longest: longest) { y in
                    let n = Swift.min(x.count, y.count)
                    let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
                    return c != 0 ? Int(c) : x.count - y.count
                }
            }
        }
    }
}

/// The events of one run and the dictionaries their integer codes point into.
public struct EventSet: Sendable {
    public var events: [ServiceEvent] = []
    public var personIDs = StringArena()
    public var recordIDs = StringArena()
    public var pregnancyIDs = StringArena()
    public var facilityIDs = StringArena()
    /// Person names (the optional `name` column), read only when the run keeps identifiers
    /// (`--keep-identifiers`): they go to `tindak-lanjut.csv` and nowhere else.
    public var personNames = StringArena()
    /// By person index: 0 = no name; otherwise 1 + index into `personNames` (the name of the
    /// person's last accepted row that had one, in read order). Shorter than `personIDs` when
    /// the last persons had none; empty without `--keep-identifiers`.
    public var nameOfPerson: [UInt32] = []

    public init() {}

    /// The name of person `index`, or nil.
    public func name(ofPerson index: UInt32) -> String? {
        let i = Int(index)
        guard i < nameOfPerson.count, nameOfPerson[i] > 0 else { return nil }
        return personNames[nameOfPerson[i] - 1]
    }
}
