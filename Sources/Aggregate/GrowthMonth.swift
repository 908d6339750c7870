import Growth
import PWSCore

/// The services a growth month reads, as indices into the run's `ServiceCatalogue`: `TIMBANG`
/// (result = weight in kg) and `UKUR_TB` (result = length/height in cm). Resolve once per run.
public struct GrowthServices: Sendable, Hashable {
    /// `TIMBANG`; nil when the catalogue has no such code (then no month has a weight).
    public var weight: UInt16?
    /// `UKUR_TB`; nil when the catalogue has no such code (then no month has a length).
    public var length: UInt16?

    public init(weight: UInt16?, length: UInt16?) {
        self.weight = weight
        self.length = length
    }

    /// `TIMBANG` and `UKUR_TB` of `services`.
    public init(_ services: ServiceCatalogue) {
        self.init(weight: services.index(of: "TIMBANG"), length: services.index(of: "UKUR_TB"))
    }
}

/// One child's **measurement of the month** and its z-scores (amendments §A4): what the growth
/// rule kinds (`T`, `2T`, `BGM`, `UNDERWEIGHT`, `STUNTING`, `WASTING`, `GIZI_BURUK`,
/// `OVERWEIGHT`), the `W-GROWTH` warnings and `tindak-lanjut.csv` read.
///
/// Built from the event indices of one person's records of one calendar month, in
/// (visit_date, record_id) order — `Aggregator.PersonRecords.month(s).now`, or any slice of
/// `Aggregator.sortedOrder` within one person and month. Only records that §A4 counts are
/// read: `TIMBANG` / `UKUR_TB` with a result (not NaN, > 0) of a child 0–59 completed months old
/// at the visit (the age of `D_S`). Every other record is skipped, so the caller passes the
/// month's whole slice.
///
/// - `weight`: the latest such `TIMBANG` of the month, with its WAZ;
/// - `length`: the latest such `UKUR_TB`, with its HAZ (a length below 731 days of age, a
///   height from 731 days: the position is not recorded);
/// - `weightForLength`: the latest visit_date of the month with both a weight and a length,
///   the last of each on that date, with its WHZ (weight-for-length below 731 days,
///   weight-for-height from 731 days, both scored at the weight record's age).
///
/// A z-score is nil when the standards have none (a length outside the WHZ range, an age
/// outside the tables). A z-score beyond WHO's flags (`GrowthIndicator.isFlagged`) is kept in
/// `z` with `flagged` set: §A4 leaves it out of every indicator's numerator *and* denominator
/// and the run gives `W-GROWTH` at the record it came from (the weight record for WAZ and WHZ,
/// the length record for HAZ). Read `usableZ` for "the z-score indicators count".
///
/// How the rule kinds map onto it (m = this month, `prev` = the month before, `prev2` = two
/// months before, each a `GrowthMonth` of the same child):
/// - `T`: `weight` and `prev.weight` both present and `weight.value <= prev.weight.value`
///   (weights only, flags do not matter: like `N_D`); `2T`: `T`, `prev2.weight` present and
///   `prev.weight.value <= prev2.weight.value`. `GrowthMonth.isT(now:before:)` and
///   `isTwoT(now:before:beforeThat:)` say exactly this. Counted at the `D_S` record's area.
/// - `BGM`: `weight?.usableZ < -3`; `UNDERWEIGHT`: `weight?.usableZ < -2` over the children with
///   `weight?.usableZ != nil`; both at `weight.record`'s area.
/// - `STUNTING`: `length?.usableZ < -2` over `length?.usableZ != nil`, at `length.record`'s area.
/// - `WASTING` (< −2), `GIZI_BURUK` (< −3), `OVERWEIGHT` (> 2): `weightForLength?.usableZ` over
///   `weightForLength?.usableZ != nil`, at `weightForLength.weightRecord`'s area.
/// Thresholds compare the unrounded z (never `ZScoreText`).
///
/// Values are the recorded `Float` results turned back into the decimal they were written as,
/// to 3 decimals (`GrowthMonth.decimal`): `9.7` kg is scored as 9.7, not as the float's
/// 9.69999980926513671875.
///
/// - Complexity: O(records of the month); no allocation (a struct of integers and doubles).
public struct GrowthMonth: Sendable, Equatable {
    /// One measurement (weight or length/height) and its age-based z-score.
    public struct Measurement: Sendable, Equatable {
        /// The record it came from: an index into the event array.
        public var record: Int
        /// The visit date.
        public var day: Day
        /// The result as recorded (kg for a weight, cm for a length/height).
        public var value: Float
        /// Age in days at the visit (visit_date − birth_date).
        public var ageDays: Int
        /// WAZ for a weight, HAZ for a length/height; nil when the standards have none.
        public var z: Double?
        /// Whether `z` is implausible by WHO's flags (§A4).
        public var flagged: Bool

        /// `z` unless flagged: what the indicators count (nil = the child is in neither the
        /// numerator nor the denominator of the indicators that use it).
        @inlinable public var usableZ: Double? { flagged ? nil : z }

        public init(record: Int, day: Day, value: Float, ageDays: Int, z: Double?, flagged: Bool) {
            self.record = record
            self.day = day
            self.value = value
            self.ageDays = ageDays
            self.z = z
            self.flagged = flagged
        }
    }

    /// The weight and length/height of one date and their WHZ.
    public struct WeightForLength: Sendable, Equatable {
        /// The weight record (where WASTING & co. are counted and WHZ's `W-GROWTH` goes).
        public var weightRecord: Int
        /// The length/height record of the same date.
        public var lengthRecord: Int
        public var day: Day
        public var weight: Float
        public var length: Float
        /// Age in days at `day` (from the weight record).
        public var ageDays: Int
        /// WHZ; nil outside weight-for-length's 45.0–110.0 cm (< 731 days) or
        /// weight-for-height's 65.0–120.0 cm (≥ 731 days).
        public var z: Double?
        public var flagged: Bool

        /// `z` unless flagged.
        @inlinable public var usableZ: Double? { flagged ? nil : z }

        public init(weightRecord: Int, lengthRecord: Int, day: Day, weight: Float, length: Float, ageDays: Int,
                    z: Double?, flagged: Bool) {
            self.weightRecord = weightRecord
            self.lengthRecord = lengthRecord
            self.day = day
            self.weight = weight
            self.length = length
            self.ageDays = ageDays
            self.z = z
            self.flagged = flagged
        }
    }

    /// The latest valid weight of the month and its WAZ.
    public var weight: Measurement?
    /// The latest valid length/height of the month and its HAZ.
    public var length: Measurement?
    /// The latest date of the month with both, and its WHZ.
    public var weightForLength: WeightForLength?
    /// The same date's weight and length/height as BMI-for-age (BAZ, `z`; BMI = weight /
    /// (length in m)², at the weight record's age): no indicator counts it, but an implausible
    /// BAZ (§A4: < −5 or > 5) gives a `W-GROWTH` warning at the weight record.
    public var bmiForAge: WeightForLength?

    /// The oldest age, in completed months, whose records count (§A4: 0–59, as `D_S`).
    public static let lastMonthOfAge = 59

    /// An empty month (no valid weight, no valid length).
    public init() {}

    /// Which of the month's three measurements to build (the growth rule kinds need one each).
    public struct Parts: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let weight = Parts(rawValue: 1)
        public static let length = Parts(rawValue: 2)
        public static let weightForLength = Parts(rawValue: 4)
        /// BMI-for-age of the weight-for-length date (the warnings read it; no indicator does).
        public static let bmi = Parts(rawValue: 8)
        public static let all: Parts = [.weight, .length, .weightForLength, .bmi]
    }

    /// The measurement of the month of `records` (one person, one calendar month, in
    /// (visit_date, record_id) order; other records of the slice are skipped). Only `parts`
    /// are built (scored); the others stay nil.
    ///
    /// `events` and `standards` are borrowed: an initialiser takes its arguments owned by
    /// default, and the caller's copy of each (a retain of the events array and of the
    /// standards, released here) cost more than building a month.
    public init<Records: Collection<Int>>(records: Records, events: borrowing [ServiceEvent], services: GrowthServices,
                standards: borrowing GrowthStandards, parts: Parts = .all) {
        guard services.weight != nil || services.length != nil else { return }
        var lastWeight = -1, lastLength = -1
        // The weight and length of the date being read, and the latest date with both.
        var date = Day.unknown, dateWeight = -1, dateLength = -1
        var pairWeight = -1, pairLength = -1
        for r in records {
            let e = events[r]
            let isWeight = e.service == services.weight, isLength = e.service == services.length
            guard isWeight || isLength, Self.counts(e) else { continue }
            if e.visit != date {
                date = e.visit
                dateWeight = -1
                dateLength = -1
            }
            if isWeight {
                lastWeight = r
                dateWeight = r
            } else {
                lastLength = r
                dateLength = r
            }
            if dateWeight >= 0 && dateLength >= 0 {
                pairWeight = dateWeight
                pairLength = dateLength
            }
        }
        if lastWeight >= 0 && parts.contains(.weight) {
            let e = events[lastWeight]
            let age = Age.days(birth: e.birth, visit: e.visit)
            let z = standards.weightForAgeZ(weightKg: Self.decimal(e.result), ageDays: age, sex: e.sex)
            weight = Measurement(record: lastWeight, day: e.visit, value: e.result, ageDays: age, z: z,
                                 flagged: z.map(GrowthIndicator.weightForAge.isFlagged) ?? false)
        }
        if lastLength >= 0 && parts.contains(.length) {
            let e = events[lastLength]
            let age = Age.days(birth: e.birth, visit: e.visit)
            let z = standards.lengthHeightForAgeZ(lengthCm: Self.decimal(e.result), ageDays: age, sex: e.sex)
            length = Measurement(record: lastLength, day: e.visit, value: e.result, ageDays: age, z: z,
                                 flagged: z.map(GrowthIndicator.lengthHeightForAge.isFlagged) ?? false)
        }
        if pairWeight >= 0 && parts.contains(.weightForLength) {
            let w = events[pairWeight], l = events[pairLength]
            let age = Age.days(birth: w.birth, visit: w.visit)
            let z = standards.weightForLengthHeightZ(weightKg: Self.decimal(w.result), lengthCm: Self.decimal(l.result),
                                                     ageDays: age, sex: w.sex)
            weightForLength = WeightForLength(
                weightRecord: pairWeight, lengthRecord: pairLength, day: w.visit, weight: w.result, length: l.result,
                ageDays: age, z: z, flagged: z.map(GrowthIndicator.weightForLengthHeight.isFlagged) ?? false)
        }
        if pairWeight >= 0 && parts.contains(.bmi) {
            let w = events[pairWeight], l = events[pairLength]
            let age = Age.days(birth: w.birth, visit: w.visit)
            let metres = Self.decimal(l.result) / 100
            let z = standards.bmiForAgeZ(bmi: Self.decimal(w.result) / (metres * metres), ageDays: age, sex: w.sex)
            bmiForAge = WeightForLength(
                weightRecord: pairWeight, lengthRecord: pairLength, day: w.visit, weight: w.result, length: l.result,
                ageDays: age, z: z, flagged: z.map(GrowthIndicator.bmiForAge.isFlagged) ?? false)
        }
    }

    /// Whether a `TIMBANG`/`UKUR_TB` record counts for growth (§A4): a result that is a
    /// positive number, of a child 0–59 completed months old at the visit.
    @inlinable
    public static func counts(_ e: ServiceEvent) -> Bool {
        guard !e.result.isNaN, e.result > 0, e.visit >= e.birth else { return false }
        return Age.completedMonths(birth: e.birth, visit: e.visit) <= lastMonthOfAge
    }

    /// Whether any z-score of the month is flagged (a `W-GROWTH` warning is due).
    public var hasFlag: Bool {
        weight?.flagged == true || length?.flagged == true || weightForLength?.flagged == true
            || bmiForAge?.flagged == true
    }

    /// `T` in this month (§A4): a valid weight in this month and in the month before (the last
    /// valid of each), and this month's not above the one before (`≤`: "tidak naik").
    @inlinable
    public static func isT(now: GrowthMonth, before: GrowthMonth) -> Bool {
        guard let w = now.weight, let p = before.weight else { return false }
        return w.value <= p.value
    }

    /// `2T` in this month (§A4): `T` in this month, a valid weight two months before, and the
    /// month before's weight not above it.
    @inlinable
    public static func isTwoT(now: GrowthMonth, before: GrowthMonth, beforeThat: GrowthMonth) -> Bool {
        guard isT(now: now, before: before), let p = before.weight, let q = beforeThat.weight else { return false }
        return p.value <= q.value
    }

    /// A recorded result as the decimal it was written as, to 3 decimals (grams; 0.01 mm):
    /// results are kept as `Float`, whose 24 bits hold any value up to 250.000 with 3 decimals.
    @inlinable
    public static func decimal(_ value: Float) -> Double {
        (Double(value) * 1000).rounded() / 1000
    }
}

/// The growth months of one part of the per-person loop, built once per person-month and shared
/// by every growth rule of the catalogue: `BGM`, `UNDERWEIGHT` and their measured denominators
/// all read the month's WAZ, the three weight-for-length indicators and theirs its WHZ. Each
/// month is built with every part any rule of the plan reads (`RulePlan.growthParts`), so each
/// measurement is scored once.
///
/// Direct-mapped by the month's first position in the sorted order: positions are unique
/// within a run of the loop, so an entry is only ever the same person-month (a colliding month
/// is built again, never confused). Unsafe buffers: no reference counting in the loop; one
/// cache per thread, freed with `deallocate()`.
struct GrowthMonthCache {
    private static let size = 32
    /// Per entry: the month's first and end positions (-1: empty), and its growth month.
    private let bounds: UnsafeMutableBufferPointer<(Int, Int)>
    private let months: UnsafeMutableBufferPointer<GrowthMonth>
    /// What every month is built with.
    let parts: GrowthMonth.Parts
    /// The standards, behind a pointer like the rest of the cache, so that the rule context
    /// that carries the cache is copied without reference counting.
    private let standards: UnsafeMutablePointer<GrowthStandards>

    init(parts: GrowthMonth.Parts, standards: GrowthStandards) {
        self.parts = parts
        self.standards = .allocate(capacity: 1)
        self.standards.initialize(to: standards)
        bounds = .allocate(capacity: Self.size)
        bounds.initialize(repeating: (-1, -1))
        months = .allocate(capacity: Self.size)
        months.initialize(repeating: GrowthMonth())
    }

    func deallocate() {
        bounds.deallocate()
        months.deallocate()
        standards.deinitialize(count: 1)
        standards.deallocate()
    }

    /// The growth month of `records` (one person's records of one month), built on first use.
    /// A pointer into the cache, valid until the next call: the rules read a field or two of
    /// it, where returning the month copied its ~260 bytes for each of the 14 growth units.
    func month(_ records: Positions, events: [ServiceEvent], services: GrowthServices) -> UnsafePointer<GrowthMonth> {
        let k = records.startIndex & (Self.size - 1)
        if bounds[k] != (records.startIndex, records.endIndex) {
            months[k] = GrowthMonth(records: records, events: events, services: services, standards: standards.pointee,
                                    parts: parts)
            bounds[k] = (records.startIndex, records.endIndex)
        }
        return UnsafePointer(months.baseAddress! + k)
    }
}
