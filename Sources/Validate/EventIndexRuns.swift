/// A sequence of `UInt32`s in which each value is mostly the one before plus a fixed `step`,
/// kept as the runs where that holds: the file of each event (step 0: files are read in
/// order) and, for each record id, the event holding its first content (step 1: new ids and
/// new events mostly come together). A run breaks at each new file and, for record contents,
/// at each W-DUPLICATE row with a new id (two runs each): at 10 M rows with ~8 k duplicates,
/// tens of thousands of runs (well under 1 MB) instead of 20–40 MB.
///
/// - Complexity: `append` O(1) amortised; reading O(log runs).
public struct RunCodedIndices: RandomAccessCollection, Sendable {
    /// Where each run starts (index into the sequence) and its first value; a run's values
    /// grow by `step` per index.
    private var starts: [UInt32] = []
    private var firsts: [UInt32] = []
    public let step: UInt32
    public private(set) var endIndex = 0
    /// The value that continues the last run.
    private var next: UInt32 = 0

    /// An empty sequence whose values grow by `step` within a run.
    public init(step: UInt32) { self.step = step }

    public var startIndex: Int { 0 }

    /// Appends `value` (which must fit in 32 bits).
    @inline(__always)
    public mutating func append<T: BinaryInteger>(_ value: T) {
        let v = UInt32(value)
        if v != next || endIndex == 0 {
            starts.append(UInt32(endIndex))
            firsts.append(v)
        }
        next = v &+ step
        endIndex += 1
    }

    /// The value at `index`.
    public subscript(index: Int) -> UInt32 {
        precondition(index >= 0 && index < endIndex, "index \(index) out of range 0..<\(endIndex)")
        // The last run starting at or before `index`.
        var lo = 0, hi = starts.count
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if Int(starts[mid]) <= index { lo = mid } else { hi = mid }
        }
        return firsts[lo] &+ step &* (UInt32(index) &- starts[lo])
    }

    /// Keeps only the values at the indices `isKept` accepts, in order.
    public mutating func keep(where isKept: (Int) -> Bool) {
        var kept = RunCodedIndices(step: step)
        for r in starts.indices {
            let start = Int(starts[r])
            let end = r + 1 < starts.count ? Int(starts[r + 1]) : endIndex
            for i in start..<end where isKept(i) {
                kept.append(firsts[r] &+ step &* UInt32(i - start))
            }
        }
        self = kept
    }

    /// The number of runs (what the sequence costs: 8 bytes each).
    public var runCount: Int { starts.count }
}

/// The physical line of each event: the low 16 bits per event, and the high bits as runs (they
/// change only on a file of more than 65 535 lines, and back at the next file). Half the
/// memory of a `[UInt32]`.
///
/// - Complexity: `append` O(1) amortised; reading O(log runs).
public struct EventLines: RandomAccessCollection, Sendable {
    private var low: [UInt16] = []
    private var high = RunCodedIndices(step: 0)

    /// No lines.
    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { low.count }

    /// Makes room for `count` lines without reallocating.
    public mutating func reserveCapacity(_ count: Int) { low.reserveCapacity(count) }

    /// Appends the line of the next event.
    @inline(__always)
    public mutating func append(_ line: UInt32) {
        low.append(UInt16(truncatingIfNeeded: line))
        high.append(line >> 16)
    }

    /// The line of event `index`.
    public subscript(index: Int) -> UInt32 { high[index] << 16 | UInt32(low[index]) }

    /// Keeps only the lines at the indices `isKept` accepts, in order.
    public mutating func keep(where isKept: (Int) -> Bool) {
        var highs = RunCodedIndices(step: 0)
        var kept = 0
        for i in 0..<low.count where isKept(i) {
            highs.append(high[i])
            low[kept] = low[i]
            kept += 1
        }
        low.removeLast(low.count - kept)
        high = highs
    }
}
