/// SplitMix64: a small, fast generator whose output is fixed by its seed on every platform and
/// Swift version. The generator never uses `SystemRandomNumberGenerator` or the standard
/// library's `random(in:)` algorithms, whose output may change between releases.
struct SplitMix64 {
    private(set) var state: UInt64

    init(seed: UInt64) { state = seed }

    /// Independent stream for a tuple of keys (e.g. seed, village, person).
    init(_ a: UInt64, _ b: UInt64, _ c: UInt64 = 0) {
        state = SplitMix64.mix(a, b, c)
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform integer in `0..<n` (n > 0), by the multiply-high method.
    @inline(__always)
    mutating func below(_ n: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform integer in `range`.
    @inline(__always)
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// Uniform double in `[0, 1)`.
    @inline(__always)
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// True with probability `p`.
    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Roughly standard-normal (Irwin–Hall with four terms): arithmetic only, so the same on
    /// every libm.
    @inline(__always)
    mutating func normal() -> Double {
        (unit() + unit() + unit() + unit() - 2.0) * 1.7320508075688772
    }

    /// An element of a non-empty array.
    @inline(__always)
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// An index drawn with the given cumulative weights (last element = total).
    mutating func pick(cumulative: [Double]) -> Int {
        let u = unit() * cumulative[cumulative.count - 1]
        var lo = 0
        while lo < cumulative.count - 1 && cumulative[lo] <= u { lo += 1 }
        return lo
    }

    /// A stateless 64-bit hash of up to three keys (SplitMix64 finaliser over a combination).
    static func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64 = 0) -> UInt64 {
        var g = SplitMix64(seed: a ^ 0x6A09_E667_F3BC_C908)
        let x = g.next() ^ b
        var h = SplitMix64(seed: x &* 0x9E37_79B9_7F4A_7C15)
        let y = h.next() ^ c
        var k = SplitMix64(seed: y)
        return k.next()
    }
}
