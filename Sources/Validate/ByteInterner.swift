import PWSCore

/// Interns byte strings to dense indices without a `String` per value: open addressing over a
/// `StringArena`. Person ids, record ids, pregnancy and facility ids go through one of these.
///
/// - Complexity: amortised O(length) per lookup.
struct ByteInterner {
    private(set) var arena = StringArena()
    private var slots: [UInt32]  // 0 = empty, else index + 1
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { arena.count }

    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The index of `bytes`, adding it when new.
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> (index: UInt32, isNew: Bool) {
        if arena.count * 2 >= slots.count { grow() }
        var i = ByteInterner.hash(bytes) & mask
        while true {
            let s = slots[i]
            if s == 0 {
                let index = arena.append(bytes)
                slots[i] = index + 1
                return (index, true)
            }
            if equal(Int(s - 1), bytes) { return (s - 1, false) }
            i = (i + 1) & mask
        }
    }

    /// The index of `bytes` if present.
    func find(_ bytes: UnsafeRawBufferPointer) -> UInt32? {
        var i = ByteInterner.hash(bytes) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if equal(Int(s - 1), bytes) { return s - 1 }
            i = (i + 1) & mask
        }
    }

    private func equal(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = index == 0 ? 0 : Int(arena.ends[index - 1])
        let end = Int(arena.ends[index])
        guard end - start == bytes.count else { return false }
        return arena.bytes.withUnsafeBufferPointer { buf in
            for k in 0..<bytes.count where buf[start + k] != bytes[k] { return false }
            return true
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var next = [UInt32](repeating: 0, count: size)
        let m = size - 1
        arena.bytes.withUnsafeBytes { all in
            for index in 0..<arena.count {
                let start = index == 0 ? 0 : Int(arena.ends[index - 1])
                let end = Int(arena.ends[index])
                var i = ByteInterner.hash(UnsafeRawBufferPointer(rebasing: all[start..<end])) & m
                while next[i] != 0 { i = (i + 1) & m }
                next[i] = UInt32(index + 1)
            }
        }
        slots = next
        mask = m
    }
}
