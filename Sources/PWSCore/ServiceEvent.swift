#if canImport(Glibc)
import Glibc
#endif

/// One accepted, used service record, integer-coded: what Validate hands to Aggregate.
///
/// Strings are dictionary-encoded before this point (persons, record ids, pregnancy ids,
/// facility ids, leaf areas, service codes), so ten million events fit in well under 1 GiB.
public struct ServiceEvent: Sendable, Hashable {
    /// Index into `EventSet.personIDs` (the normalised person_id).
    public var person: UInt32
    /// Index into `EventSet.recordIDs`; compare ids with `EventSet.recordIDs.compare`.
    public var record: UInt32
    public var visit: Day
    public var birth: Day
    /// LMP date; `Day.unknown` when absent or dropped (W-GESTATION).
    public var lmp: Day
    /// Index into the run's `ServiceCatalogue.services`.
    public var service: UInt16
    /// Gestational weeks as recorded (0–45); -1 when absent or dropped.
    public var gestationalWeeks: Int8
    public var sex: Sex
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
    public var facilityType: FacilityType
    public var provider: Provider

    public init(person: UInt32, record: UInt32, visit: Day, birth: Day, lmp: Day = .unknown,
                service: UInt16, gestationalWeeks: Int8 = -1, sex: Sex, rt: UInt32,
                pregnancy: UInt32 = 0, facility: UInt32 = 0, result: Float = .nan,
                result2: Float = .nan, facilityType: FacilityType, provider: Provider = .none) {
        self.person = person
        self.record = record
        self.visit = visit
        self.birth = birth
        self.lmp = lmp
        self.service = service
        self.gestationalWeeks = gestationalWeeks
        self.sex = sex
        self.rt = rt
        self.pregnancy = pregnancy
        self.facility = facility
        self.result = result
        self.result2 = result2
        self.facilityType = facilityType
        self.provider = provider
    }

    public var hasResult: Bool { !result.isNaN }
}

extension Day {
    /// The "no date" sentinel used inside compact structs.
    public static let unknown = Day(raw: Int32.min)
    public var isUnknown: Bool { raw == Int32.min }
}

/// Strings stored back to back in one byte buffer, addressed by index: record ids, person ids.
/// Keeps millions of short strings without a `String` (and its allocation) each.
public struct StringArena: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var ends: [UInt32] = []

    public init() {}

    public var count: Int { ends.count }

    /// Appends a string given as bytes and returns its index.
    @discardableResult
    public mutating func append<C: Collection>(_ value: C) -> UInt32 where C.Element == UInt8 {
        bytes.append(contentsOf: value)
        ends.append(UInt32(bytes.count))
        return UInt32(ends.count - 1)
    }

    /// Appends raw bytes and returns their index (the hot path: no generic dispatch).
    @discardableResult
    public mutating func append(_ value: UnsafeRawBufferPointer) -> UInt32 {
        bytes.append(contentsOf: UnsafeBufferPointer(start: value.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                                     count: value.count))
        ends.append(UInt32(bytes.count))
        return UInt32(ends.count - 1)
    }

    /// Reserves room for `count` entries of `bytes` bytes in all (pages are only touched when used).
    public mutating func reserve(count: Int, bytes: Int) {
        self.bytes.reserveCapacity(bytes)
        ends.reserveCapacity(count)
    }

    /// Whether entry `index` holds exactly `value`.
    public func equals(_ index: UInt32, _ value: UnsafeRawBufferPointer) -> Bool {
        let i = Int(index)
        let start = i == 0 ? 0 : Int(ends[i - 1])
        let end = Int(ends[i])
        guard end - start == value.count else { return false }
        if value.isEmpty { return true }
        return bytes.withUnsafeBytes { all in
            memcmp(all.baseAddress! + start, value.baseAddress!, value.count) == 0
        }
    }

    @inlinable func range(_ i: Int) -> Range<Int> {
        (i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i])
    }

    /// The string at `index`.
    public subscript(index: UInt32) -> String {
        String(decoding: bytes[range(Int(index))], as: UTF8.self)
    }

    /// Byte-order comparison of two entries: negative, zero or positive.
    public func compare(_ a: UInt32, _ b: UInt32) -> Int {
        let ra = range(Int(a)), rb = range(Int(b))
        return bytes.withUnsafeBufferPointer { buf in
            let n = min(ra.count, rb.count)
            for k in 0..<n {
                let x = buf[ra.lowerBound + k], y = buf[rb.lowerBound + k]
                if x != y { return Int(x) - Int(y) }
            }
            return ra.count - rb.count
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

    public init() {}
}
