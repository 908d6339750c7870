import Concurrency
import Growth
import PWSCore

/// A flagged z-score of a child's measurement of the month (§A4): a `W-GROWTH` warning at
/// `record` (the weight record for WAZ and WHZ, the length/height record for HAZ).
public struct GrowthFlag: Sendable, Equatable {
    /// Where the warning goes: an index into the event array.
    public var record: Int
    public var indicator: GrowthIndicator
    /// The unrounded z-score.
    public var z: Double
    /// The measurement scored: the weight (kg) for WAZ and WHZ, the length/height (cm) for HAZ.
    public var value: Float
    /// For WHZ, the length/height record it was scored with; nil otherwise.
    public var lengthRecord: Int?
    /// For WHZ, that length/height (cm); nil otherwise.
    public var length: Float?
    /// Age in days at the visit.
    public var ageDays: Int

    public init(record: Int, indicator: GrowthIndicator, z: Double, value: Float, lengthRecord: Int?,
                length: Float?, ageDays: Int) {
        self.record = record
        self.indicator = indicator
        self.z = z
        self.value = value
        self.lengthRecord = lengthRecord
        self.length = length
        self.ageDays = ageDays
    }
}

/// Why a child is on the follow-up list (`tindak-lanjut.csv`, §A4), in the list's order.
public struct FollowUpReasons: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// WAZ of the as-of month's weight < −3 (bawah garis merah; the catalogue's BGM limit).
    public static let bgm = FollowUpReasons(rawValue: 1)
    /// `2T`: not gaining weight two months running (§A4).
    public static let twoT = FollowUpReasons(rawValue: 2)
    /// HAZ of the as-of month's length/height < −2.
    public static let stunting = FollowUpReasons(rawValue: 4)
    /// WHZ of the as-of month < −2.
    public static let wasting = FollowUpReasons(rawValue: 8)
    /// Weighed before, but not in the as-of month nor the month before.
    public static let notWeighedTwoMonths = FollowUpReasons(rawValue: 16)

    /// The codes the list writes, in order.
    public static let codes: [(FollowUpReasons, String)] = [
        (.bgm, "BGM"), (.twoT, "2T"), (.stunting, "STUNTING"), (.wasting, "WASTING"),
        (.notWeighedTwoMonths, "TIDAK_DITIMBANG_2_BULAN"),
    ]

    /// The codes of these reasons, in the list's order, separated by spaces (`BGM 2T`).
    public var text: String {
        Self.codes.filter { contains($0.0) }.map(\.1).joined(separator: " ")
    }
}

/// One child of the follow-up list, as indices (Pipeline turns them into text).
public struct FollowUpChild: Sendable, Equatable {
    /// Index into `EventSet.personIDs`.
    public var person: UInt32
    /// The child's latest counting growth record up to the as-of month: the list shows its
    /// facility_id and residence (village, RW, RT).
    public var areaRecord: Int
    public var reasons: FollowUpReasons
    /// Completed months on the last day of the as-of month.
    public var ageMonths: Int
    /// The latest valid weight up to the as-of month, with its WAZ at that visit.
    public var lastWeight: GrowthMonth.Measurement?
    /// The latest valid length/height up to the as-of month, with its HAZ at that visit.
    public var lastLength: GrowthMonth.Measurement?
    /// The latest date up to the as-of month with both, with its WHZ.
    public var lastWeightForLength: GrowthMonth.WeightForLength?
}

/// What the growth pass finds: the `W-GROWTH` flags and the follow-up list.
public struct GrowthReview: Sendable {
    /// Flagged z-scores, in person order, each person's months in order, each month's WAZ,
    /// HAZ, WHZ.
    public var flags: [GrowthFlag]
    /// The children of `tindak-lanjut.csv`, in person order (Pipeline sorts them by area).
    public var followUp: [FollowUpChild]
}

extension Aggregator {
    /// The follow-up list's limits from `catalogue`: the `below:` of its `BGM`, `STUNTING` and
    /// `WASTING` indicators when each is a `growth_zscore` rule over the reason's measure (the
    /// bundled catalogue's −3, −2, −2); §A4's limit otherwise (an indicator removed or changed
    /// into another kind).
    public static func followUpThresholds(_ catalogue: [IndicatorDefinition]) -> FollowUpThresholds {
        var t = FollowUpThresholds()
        func below(_ id: String, _ measure: GrowthZScoreRule.Measure) -> Int? {
            guard let rule = catalogue.first(where: { $0.id == id })?.rule.kind as? GrowthZScoreRule,
                  rule.measure == measure else { return nil }
            return rule.below
        }
        if let b = below("BGM", .weightForAge) { t.bgm = b }
        if let b = below("STUNTING", .lengthHeightForAge) { t.stunting = b }
        if let b = below("WASTING", .weightForLengthHeight) { t.wasting = b }
        return t
    }

    /// The growth pass (§A4), independent of the indicator catalogue but for the limits
    /// (`thresholds`, `followUpThresholds(_:)` of the run's catalogue): every child's measurement
    /// of the month (`GrowthMonth`) for every calendar month with records up to the end of
    /// `asOf`, the flagged z-scores among them (`W-GROWTH`), and the follow-up list of the
    /// as-of month m:
    /// - `BGM`: WAZ of m's weight < −3; `STUNTING`: HAZ of m's length/height < −2; `WASTING`:
    ///   WHZ of m < −2 (the default limits; flagged z-scores never count);
    /// - `2T`: `GrowthMonth.isTwoT` over m, m−1, m−2 (weights only);
    /// - `TIDAK_DITIMBANG_2_BULAN`: no valid weight in m nor m−1, and one in an earlier month;
    /// only children 0–59 completed months old on the first day of m are listed.
    ///
    /// Persons are independent: up to `workers` threads each take runs of whole persons, and
    /// the results are joined in person order, so they do not depend on `workers`.
    ///
    /// `order`: the events by person up to the end of `asOf` (`personOrder` of an input with
    /// these events and as-of month), when the caller has it from the counting phase; nil:
    /// sorted here.
    ///
    /// - Complexity: the sort by person (`sortedOrder`) unless given, then O(n); a
    ///   `GrowthMonth` per (person, month) with growth records, no allocation per record.
    public static func growthReview(events set: EventSet, services: GrowthServices, standards: GrowthStandards,
                                    asOf: YearMonth, thresholds: FollowUpThresholds = FollowUpThresholds(),
                                    workers: Int = Parallel.defaultWorkers,
                                    order given: [Int]? = nil) -> GrowthReview {
        guard services.weight != nil || services.length != nil else { return GrowthReview(flags: [], followUp: []) }
        let order = given ?? sortedOrder(set, through: asOf.lastDay, parts: max(1, workers))
        let events = set.events
        // Many more parts than threads (the threads take the next part as they finish one):
        // persons differ in cost, and halves left one thread working alone.
        let parts = Parallel.ranges(order.count, parts: max(1, workers) * rangesPerWorker) { k in
            events[order[k]].person != events[order[k - 1]].person
        }
        let m = monthKey(asOf)
        let firstOfM = asOf.firstDay, lastOfM = asOf.lastDay
        /// The flags and follow-up of the persons of `parts[part]`.
        func review(_ part: Int) -> GrowthReview {
            var review = GrowthReview(flags: [], followUp: [])
            func flag(_ month: GrowthMonth) {
                // WAZ, HAZ, WHZ of one month (Pipeline groups them by record: WAZ and WHZ may
                // share the weight record).
                if let w = month.weight, w.flagged, let z = w.z {
                    review.flags.append(GrowthFlag(record: w.record, indicator: .weightForAge, z: z, value: w.value,
                                            lengthRecord: nil, length: nil, ageDays: w.ageDays))
                }
                if let l = month.length, l.flagged, let z = l.z {
                    review.flags.append(GrowthFlag(record: l.record, indicator: .lengthHeightForAge, z: z, value: l.value,
                                            lengthRecord: nil, length: nil, ageDays: l.ageDays))
                }
                if let p = month.weightForLength, p.flagged, let z = p.z {
                    review.flags.append(GrowthFlag(record: p.weightRecord, indicator: .weightForLengthHeight, z: z,
                                            value: p.weight, lengthRecord: p.lengthRecord, length: p.length,
                                            ageDays: p.ageDays))
                }
                if let b = month.bmiForAge, b.flagged, let z = b.z {
                    review.flags.append(GrowthFlag(record: b.weightRecord, indicator: .bmiForAge, z: z,
                                            value: b.weight, lengthRecord: b.lengthRecord, length: b.length,
                                            ageDays: b.ageDays))
                }
            }
            var start = parts[part].lowerBound
            let end = parts[part].upperBound
            while start < end {
                let person = events[order[start]].person
                var stop = start + 1
                while stop < end && events[order[stop]].person == person { stop += 1 }
                // The person's months with growth records, in order.
                var now = GrowthMonth(), before = GrowthMonth(), beforeThat = GrowthMonth()
                var lastWeight: GrowthMonth.Measurement?, lastLength: GrowthMonth.Measurement?
                var lastPair: GrowthMonth.WeightForLength?
                var weighedEarlier = false  // a valid weight in a month before m−1
                var lastGrowth = -1
                var groupStart = -1, groupKey = Int.min
                func close(_ upTo: Int) {
                    guard groupStart >= 0 else { return }
                    let month = GrowthMonth(records: order[groupStart..<upTo], events: events, services: services,
                                            standards: standards)
                    if month.hasFlag { flag(month) }
                    if let w = month.weight { lastWeight = w }
                    if let l = month.length { lastLength = l }
                    if let p = month.weightForLength { lastPair = p }
                    switch m - groupKey {
                    case 0: now = month
                    case 1: before = month
                    case 2: beforeThat = month
                    default: break
                    }
                    if m - groupKey >= 2 && month.weight != nil { weighedEarlier = true }
                    groupStart = -1
                }
                for position in start..<stop {
                    let e = events[order[position]]
                    guard e.service == services.weight || e.service == services.length else { continue }
                    let key = monthKey(YearMonth(e.visit))
                    if key != groupKey {
                        close(position)
                        groupStart = position
                        groupKey = key
                    }
                    if GrowthMonth.counts(e) { lastGrowth = order[position] }
                }
                close(stop)

                if lastGrowth >= 0 {
                    let birth = events[lastGrowth].birth
                    if Age.completedMonths(birth: birth, visit: firstOfM) <= GrowthMonth.lastMonthOfAge {
                        var reasons: FollowUpReasons = []
                        if let z = now.weight?.usableZ, z < Double(thresholds.bgm) { reasons.insert(.bgm) }
                        if GrowthMonth.isTwoT(now: now, before: before, beforeThat: beforeThat) { reasons.insert(.twoT) }
                        if let z = now.length?.usableZ, z < Double(thresholds.stunting) { reasons.insert(.stunting) }
                        if let z = now.weightForLength?.usableZ, z < Double(thresholds.wasting) { reasons.insert(.wasting) }
                        if now.weight == nil && before.weight == nil && weighedEarlier {
                            reasons.insert(.notWeighedTwoMonths)
                        }
                        if !reasons.isEmpty {
                            review.followUp.append(FollowUpChild(
                                person: person, areaRecord: lastGrowth, reasons: reasons,
                                ageMonths: Age.completedMonths(birth: birth, visit: lastOfM),
                                lastWeight: lastWeight, lastLength: lastLength, lastWeightForLength: lastPair))
                        }
                    }
                }
                start = stop
            }
            return review
        }
        let claimed = Parallel.claiming(parts.count, workers: workers) { next -> [(part: Int, GrowthReview)] in
            var done: [(part: Int, GrowthReview)] = []
            while let part = next() { done.append((part, review(part))) }
            return done
        }
        var review = GrowthReview(flags: [], followUp: [])
        for (_, r) in claimed.flatMap({ $0 }).sorted(by: { $0.part < $1.part }) {
            review.flags += r.flags
            review.followUp += r.followUp
        }
        return review
    }

    /// Months since year 0: consecutive months differ by 1.
    @inline(__always)
    static func monthKey(_ month: YearMonth) -> Int { month.year * 12 + month.month - 1 }
}
