#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable run of bytes behind a plain pointer.
///
/// The reader's buffers live here rather than in `[UInt8]` so the hot path has no
/// copy-on-write checks and no exclusivity bookkeeping, and so libcsv's callbacks can append
/// through a raw context pointer. The owner calls `deallocate()` exactly once (in its `deinit`).
struct ByteStorage {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Appends `length` bytes from `source`.
    /// - Complexity: amortised O(`length`).
    @inline(__always)
    mutating func append(_ source: UnsafeRawPointer?, _ length: Int) {
        guard length > 0, let source else { return }
        if count + length > capacity { grow(to: count + length) }
        (base + count).update(from: source.assumingMemoryBound(to: UInt8.self), count: length)
        count += length
    }

    /// Appends a field. Short fields are copied as two 8-byte words instead of through
    /// `memmove`, which the profile showed as the largest cost after libcsv itself; that reads
    /// up to 16 bytes from `source`, so the caller must guarantee they are readable.
    /// Keeps 16 bytes of slack at the end so the over-wide store stays inside the buffer.
    /// - Complexity: O(`length`).
    @inline(__always)
    mutating func appendField(_ source: UnsafeRawPointer, _ length: Int, sourceHasSixteenBytes: Bool) {
        if count &+ length &+ 16 > capacity { grow(to: count + length + 16) }
        let destination = UnsafeMutableRawPointer(base + count)
        if sourceHasSixteenBytes && length <= 16 {
            destination.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            destination.storeBytes(of: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                                   toByteOffset: 8, as: UInt64.self)
        } else {
            destination.copyMemory(from: source, byteCount: length)
        }
        count &+= length
    }

    mutating func append(_ buffer: UnsafeRawBufferPointer) {
        append(buffer.baseAddress, buffer.count)
    }

    mutating func append(byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    mutating func removeAll() { count = 0 }

    /// Drops the first `n` bytes, moving the rest to the front.
    /// - Complexity: O(`count` − `n`).
    mutating func removeFirst(_ n: Int) {
        let rest = count - n
        if rest > 0 { memmove(base, base + n, rest) }
        count = Swift.max(0, rest)
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    func deallocate() { base.deallocate() }
}
