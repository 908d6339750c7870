import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fork–join over the machine's cores, for the stages that split their work into independent
/// parts (Aggregate's persons).
///
/// The parts must only read shared state; each returns its own result, and the caller merges
/// the results in part order, so the outcome does not depend on how many threads ran.
public enum Parallel {
    /// The processors online (at least 1). A `taskset` affinity is not seen: with fewer cores
    /// than threads, the threads simply take turns, and the results are the same.
    public static let processorCount = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Threads a stage uses by default: one per processor, at most 8. Each part of a stage
    /// keeps state of its own (Aggregate: its counts, ~20 MB for a district of 20 000 RTs;
    /// Export: two blocks of ~2 MB), and the stages split here read memory at random, so more
    /// threads would cost memory for little time.
    public static let defaultWorkers = min(processorCount, 8)

    /// `body(k)` for every k in `0..<count`, on up to `count` threads at once; the results in
    /// k order. One part runs on the calling thread without any hand-over.
    ///
    /// - Complexity: the longest part, plus thread hand-over (microseconds).
    public static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        guard count > 1 else { return count == 1 ? [body(0)] : [] }
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { out in
            withoutActuallyEscaping(body) { body in
                // The parts only read what they share, and each writes only its own element:
                // what the compiler cannot check here is the caller's contract above.
                nonisolated(unsafe) let out = out, body = body
                DispatchQueue.concurrentPerform(iterations: count) { k in out[k] = body(k) }
            }
        }
        return results.map { $0! }
    }

    /// `first` and `second` at once, on two threads when there are cores for them: both
    /// results. For two independent pieces of work (each reads only what they share).
    public static func pair<A, B>(_ first: () -> A, _ second: () -> B) -> (A, B) {
        var a: A?, b: B?
        withUnsafeMutablePointer(to: &a) { pa in
            withUnsafeMutablePointer(to: &b) { pb in
                withoutActuallyEscaping(first) { first in
                    withoutActuallyEscaping(second) { second in
                        // Each part writes only its own result: the caller's contract above.
                        nonisolated(unsafe) let pa = pa, pb = pb, first = first, second = second
                        DispatchQueue.concurrentPerform(iterations: 2) { k in
                            if k == 0 { pa.pointee = first() } else { pb.pointee = second() }
                        }
                    }
                }
            }
        }
        return (a!, b!)
    }

    /// `body` on up to `workers` threads at once (one per part at most, and at least one, so
    /// there is a result even with no parts), each handed a `next` that claims the first part
    /// of `0..<count` no thread has claimed yet, in order, and nil once every part is claimed:
    /// the threads' results, one per thread. A thread that finishes its part early claims
    /// another, so parts of unequal cost still keep every thread busy to the end. Which thread
    /// gets which part depends on timing: the caller must combine the results so that it does
    /// not matter (sums; or results kept with their part number and joined in part order).
    public static func claiming<T>(_ count: Int, workers: Int, _ body: (_ next: () -> Int?) -> T) -> [T] {
        let claimed = Locked(0)
        return map(max(1, min(workers, count))) { _ in
            body {
                claimed.withLock { k -> Int? in
                    guard k < count else { return nil }
                    k += 1
                    return k - 1
                }
            }
        }
    }

    /// `0..<total` cut into at most `parts` contiguous ranges of about equal length, each cut
    /// moved forward to the next position where `boundary` holds (so a group that must stay
    /// whole, such as one person's records, is never split). Empty ranges are left out.
    public static func ranges(_ total: Int, parts: Int, boundary: (Int) -> Bool = { _ in true }) -> [Range<Int>] {
        let parts = max(1, min(parts, total))
        var ranges: [Range<Int>] = []
        var lower = 0
        for p in 1...parts {
            var upper = p == parts ? total : max(lower, total * p / parts)
            while upper < total && upper > lower && !boundary(upper) { upper += 1 }
            if upper > lower { ranges.append(lower..<upper) }
            lower = upper
        }
        return ranges
    }

    /// `0..<weights.count` cut into at most `parts` contiguous ranges of about equal total
    /// weight: a range closes once its weight reaches the share (total / parts, rounded up), so
    /// an item heavier than a share is a range of its own. Empty when there are no items.
    /// Weights are taken as 0…2^48 (a negative one as 0).
    public static func ranges(weights: [Int], parts: Int) -> [Range<Int>] {
        guard !weights.isEmpty else { return [] }
        let parts = max(1, parts)
        // Each weight is clamped to 0…2^48, so no sum overflows.
        let clamped = weights.map { min(max($0, 0), 1 << 48) }
        let share = max(1, (clamped.reduce(0, +) + parts - 1) / parts)
        var ranges: [Range<Int>] = []
        var lower = 0, sum = 0
        for (k, weight) in clamped.enumerated() {
            sum += weight
            if sum >= share || k == weights.count - 1 {
                ranges.append(lower..<(k + 1))
                lower = k + 1
                sum = 0
            }
        }
        return ranges
    }
}
