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

    mutating func append(_ buffer: UnsafeRawBufferPointer) {
        append(buffer.baseAddress, buffer.count)
    }

    mutating func append(byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    mutating func removeAll() { count = 0 }

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
