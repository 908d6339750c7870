import Foundation
import PWSCore

/// A growable scratch buffer owned by the checker: the normalised person id of the row being
/// checked, and the keys of `FieldComboCache`. Reused row after row, so neither allocates.
///
/// A struct (pointer and sizes read per row are plain stored properties of the checker; a
/// class's would pay a dynamic exclusivity check per access) whose allocation is owned by a
/// class, so it is freed with its last copy. Copies share the buffer until one of them grows:
/// that one then takes a buffer of its own, so no copy is left pointing at freed memory.
struct ByteScratch {
    private final class Allocation {
        var pointer: UnsafeMutablePointer<UInt8>
        init(_ capacity: Int) { pointer = .allocate(capacity: capacity) }
        deinit { pointer.deallocate() }
    }

    private var allocation: Allocation
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Bytes in use (set by whoever filled the buffer).
    var count = 0

    init(capacity: Int = 256) {
        allocation = Allocation(capacity)
        base = allocation.pointer
        self.capacity = capacity
    }

    /// Makes room for `n` bytes; the contents are not kept.
    @inline(__always) mutating func reserve(_ n: Int) {
        if n > capacity { grow(n) }
    }

    private mutating func grow(_ n: Int) {
        capacity = max(n, capacity * 2)
        if isKnownUniquelyReferenced(&allocation) {
            allocation.pointer.deallocate()
            allocation.pointer = .allocate(capacity: capacity)
        } else {
            allocation = Allocation(capacity)  // another copy keeps the old buffer
        }
        base = allocation.pointer
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// Decoded values for a combination of raw field spellings seen before: the sex, facility
/// type, service code and provider of a row (`Codes`), or its village, RW and RT (`Area`).
///
/// Districts spell these few fields in a few hundred ways at most, and a row's combination
/// almost always repeats an earlier row's. One hash lookup on the combined raw bytes replaces
/// the separate decodes (each a hash and compare with case folding) and, for the area, the RT
/// lookup. Only combinations that passed every rule on those fields are stored, so a hit means
/// the rules would pass again; a miss takes the full path, which reports any problem.
struct FieldComboCache<Value> {
    private var keys = ByteInterner(capacity: 1024)
    private var values: [Value] = []
    /// Distinct combinations kept; past this, new ones are decoded every time (a file of
    /// free-text garbage cannot make the cache grow without bound).
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Writes three fields into `scratch`, each behind its length byte (so no two field lists
    /// give the same key); false when a field is 255 bytes or longer (such rows skip the cache).
    /// Written out per arity: a variadic parameter would allocate an array per row.
    ///
    /// - Complexity: O(total field length); no allocation once `scratch` has grown to fit.
    @inline(__always)
    static func key(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, _ c: UnsafeRawBufferPointer,
                    into scratch: inout ByteScratch) -> Bool {
        guard a.count < 255, b.count < 255, c.count < 255 else { return false }
        scratch.reserve(a.count + b.count + c.count + 3)
        var at = put(a, &scratch, 0)
        at = put(b, &scratch, at)
        scratch.count = put(c, &scratch, at)
        return true
    }

    /// `key(_:_:_:into:)` for four fields.
    @inline(__always)
    static func key(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, _ c: UnsafeRawBufferPointer,
                    _ d: UnsafeRawBufferPointer, into scratch: inout ByteScratch) -> Bool {
        guard a.count < 255, b.count < 255, c.count < 255, d.count < 255 else { return false }
        scratch.reserve(a.count + b.count + c.count + d.count + 4)
        var at = put(a, &scratch, 0)
        at = put(b, &scratch, at)
        at = put(c, &scratch, at)
        scratch.count = put(d, &scratch, at)
        return true
    }

    @inline(__always)
    private static func put(_ f: UnsafeRawBufferPointer, _ scratch: inout ByteScratch, _ at: Int) -> Int {
        scratch.base[at] = UInt8(truncatingIfNeeded: f.count)
        if let src = f.baseAddress, f.count > 0 { copyShort(src, to: scratch.base + at + 1, count: f.count) }
        return at + 1 + f.count
    }

    /// Copies `count` (> 0) bytes. These fields are a few bytes long and seven are copied per
    /// row: up to 16 bytes take two possibly overlapping loads and stores of the same width
    /// (reading nothing outside the source), not a call to `memmove`, which the profile showed
    /// as a cost of its own.
    @inline(__always)
    static func copyShort(_ src: UnsafeRawPointer, to dst: UnsafeMutablePointer<UInt8>, count n: Int) {
        let d = UnsafeMutableRawPointer(dst)
        if n >= 8 && n <= 16 {
            d.storeBytes(of: src.loadUnaligned(as: UInt64.self), as: UInt64.self)
            d.storeBytes(of: src.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), toByteOffset: n - 8,
                         as: UInt64.self)
        } else if n >= 4 && n < 8 {
            d.storeBytes(of: src.loadUnaligned(as: UInt32.self), as: UInt32.self)
            d.storeBytes(of: src.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self), toByteOffset: n - 4,
                         as: UInt32.self)
        } else if n >= 2 && n < 4 {
            d.storeBytes(of: src.loadUnaligned(as: UInt16.self), as: UInt16.self)
            d.storeBytes(of: src.loadUnaligned(fromByteOffset: n - 2, as: UInt16.self), toByteOffset: n - 2,
                         as: UInt16.self)
        } else if n == 1 {
            d.storeBytes(of: src.load(as: UInt8.self), as: UInt8.self)
        } else {
            d.copyMemory(from: src, byteCount: n)
        }
    }

    /// The value stored for the key in `scratch`.
    ///
    /// - Complexity: O(key length) expected: one hash and usually one comparison.
    @inline(__always)
    func find(_ scratch: ByteScratch) -> Value? {
        guard let i = keys.find(scratch.bytes) else { return nil }
        return values[Int(i)]
    }

    /// Stores `value` for the key in `scratch` (a key already present keeps its value).
    mutating func store(_ value: Value, _ scratch: ByteScratch) {
        guard values.count < limit else { return }
        if keys.intern(scratch.bytes).isNew { values.append(value) }
    }

    var count: Int { values.count }
}

/// What `FieldComboCache` keeps for sex, facility_type, service_code and provider.
struct CachedCodes {
    var sex: Sex
    var facilityType: FacilityType
    var service: UInt16
    var provider: Provider
}

/// What `FieldComboCache` keeps for village_code, rw and rt: the village, the RT index and
/// whether that RT is missing from the register (W-AREA).
struct CachedArea {
    var village: UInt32
    var rtIndex: UInt32
    var unregistered: Bool
}
