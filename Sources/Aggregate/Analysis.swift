import PWSCore

/// The PWS values of one run (spec §6), kept as per-area counts and year denominators — a few
/// tens of MB even for a district of 20 000 RTs — and turned into rows on demand.
///
/// A run for M months has `M × areas × indicators` rows (5.4 M at 10 M records); `forEach`
/// produces them one at a time in `indicators.csv` order without keeping any, so the file is
/// written as it is computed. `rows(where:)` materialises the subset a consumer needs (the
/// PWS tables, the report).
///
/// Every figure is exact integer arithmetic: each percentage is a fraction rounded once, half
/// away from zero, to hundredths. Denominators are `ExactDecimal`s (spec §A1); whole ones up to
/// 10¹² take 64-bit arithmetic, others `ExactFraction`'s 128-bit arithmetic.
public struct IndicatorValues: Sendable {
    /// The reporting year Y.
    public let year: Int
    /// The as-of month M: rows exist for months 1…M.
    public let asOfMonth: Int
    /// Every area of every level; `IndicatorFigures.area` indexes this.
    public let areas: [OutputArea]
    /// The catalogue, in catalogue order; `IndicatorFigures.indicator` indexes this.
    public let indicators: [IndicatorInfo]
    /// Area indices in output order: level (kabkota … rt), then code in byte order.
    public let order: [Int]

    /// What `figures` needs of each indicator.
    struct Definition: Sendable {
        var monthly: Bool
        var targetHundredths: Int?
        /// Index of the indicator whose numerator is the denominator (N_D ← D_S).
        var denominatorIndicator: Int?
        /// The plane of `counts` holding the indicator's counted denominator (`measured`).
        var denominatorPlane: Int? = nil
        /// Whether the catalogue names a base indicator (trend and previous coverage then use
        /// each month's own denominator).
        var namesBase: Bool
        /// Whether the indicator has a target group (year denominators in `yearly`).
        var hasGroup: Bool
        /// Whether a cumulative target is annual × m / 12 (false: the annual one every month,
        /// for ratios such as drop-out rates).
        var proratesTarget: Bool = true
        /// The status rule and ranking mirror for lower-is-better (§A4).
        var lowerIsBetter: Bool = false
        /// An area count (`UCI_DESA`): counted over villages, so it has no rows at RW and RT.
        var countsVillages: Bool = false
    }

    let definitions: [Definition]
    /// [area][plane][slot] → subjects attaining; slot 0 = December of Y−1, 1…12 = months of Y.
    /// Planes: each indicator in catalogue order, then the counted denominators. An area's
    /// planes lie together (`countBase`), as the rows read them, an area's indicators one
    /// after another: with the planes outermost each of them was on a page of its own (on the
    /// 3 M-record set `figures` took ~20 % fewer samples with this order).
    var counts: [Int32]
    /// The planes of `counts`.
    let planes: Int
    /// [area][indicator] → year denominator and its source, or nil for none (indicators with a
    /// target group); `yearIndex`.
    var yearly: YearDenominators
    /// The status of "below target and `tetap`" (mirrored: above, for lower-is-better):
    /// `cukup` or `jelek` (amendments §A5).
    var tetapBelowTarget: IndicatorStatus = .cukup

    static let slots = Aggregator.slots

    /// Where the slots of (`plane`, `area`) start in `counts`.
    @inline(__always)
    func countBase(plane: Int, area: Int) -> Int { Self.countBase(plane: plane, area: area, planes: planes) }

    @inline(__always)
    static func countBase(plane: Int, area: Int, planes: Int) -> Int { (area * planes + plane) * slots }

    /// Where (`indicator`, `area`) is in `yearly`.
    @inline(__always)
    func yearIndex(indicator: Int, area: Int) -> Int { Self.yearIndex(indicator: indicator, area: area, indicators: indicators.count) }

    @inline(__always)
    static func yearIndex(indicator: Int, area: Int, indicators: Int) -> Int { area * indicators + indicator }

    /// Rows of the run: months × areas × indicators, less the RW and RT rows of area counts
    /// (`hasRow`).
    public var rowCount: Int {
        let below = areas.lazy.filter { $0.level == .rw || $0.level == .rt }.count
        let villageCounts = definitions.lazy.filter(\.countsVillages).count
        return asOfMonth * (areas.count * indicators.count - below * villageCounts)
    }

    /// Whether (area, indicator) has a row: every pair but an area count (`UCI_DESA`, counted
    /// over villages: per desa, puskesmas, kecamatan and kab/kota) at an RW or RT.
    @inline(__always)
    public func hasRow(area a: Int, indicator i: Int) -> Bool {
        !definitions[i].countsVillages || (areas[a].level != .rw && areas[a].level != .rt)
    }

    /// The figures of one (month, area, indicator).
    ///
    /// - Complexity: O(month); no allocation.
    public func figures(month m: Int, area a: Int, indicator i: Int) -> IndicatorFigures {
        let def = definitions[i]
        let base = countBase(plane: i, area: a)
        let n = Int(counts[base + m]), prev = Int(counts[base + m - 1])
        let monthly = def.monthly
        var cumulative: Int?
        if !monthly {
            var c = 0
            for s in 1...m { c += Int(counts[base + s]) }
            cumulative = c
        }
        var denominator: ExactDecimal?, source = DenominatorSource.none, prevDenominator: ExactDecimal?
        // The denominator of the month's coverage when it is not `denominator` (a cumulative
        // indicator over another indicator's counts: the month's own count).
        var monthDenominator: ExactDecimal?
        if def.hasGroup {
            if let (v, s) = yearly[yearIndex(indicator: i, area: a)] {
                denominator = v
                prevDenominator = v
                source = s
            }
        } else if let b = def.denominatorIndicator ?? def.denominatorPlane {
            let bBase = countBase(plane: b, area: a)
            prevDenominator = ExactDecimal(Int(counts[bBase + m - 1]))
            source = def.denominatorPlane != nil ? .measured : .indicator(b)
            if monthly {
                denominator = ExactDecimal(Int(counts[bBase + m]))
            } else {
                // Cumulative coverage over the base's cumulative count; the month's over its
                // count of the month.
                var c = 0
                for s in 1...m { c += Int(counts[bBase + s]) }
                denominator = ExactDecimal(c)
                monthDenominator = ExactDecimal(Int(counts[bBase + m]))
            }
        }
        let d = denominator?.isPositive == true ? denominator : nil
        // The month's denominator: `d` unless the base gives one of its own.
        let dm = monthDenominator.map { $0.isPositive ? $0 : nil } ?? d
        let t = def.targetHundredths
        let prorated = !monthly && def.proratesTarget

        // Trend: monthly coverage of m against m−1.
        var trend = IndicatorTrend.none
        if def.namesBase {
            if let dm {
                let c: Int?
                if let pd = prevDenominator, pd.isPositive {
                    c = Analysis.compare(n, dm, prev, pd)
                } else {
                    c = Analysis.compare(n, dm, 0, ExactDecimal(1))
                }
                if let c { trend = c > 0 ? .naik : (c == 0 ? .tetap : .turun) }
            }
        } else {
            trend = n > prev ? .naik : (n == prev ? .tetap : .turun)
        }

        let covMonth = dm.flatMap { Analysis.percent(n, $0) }
        var covCum: Percent?
        if let d, let cumulative { covCum = Analysis.percent(cumulative, d) }
        let covPrev: Percent?
        if def.namesBase {
            covPrev = prevDenominator.flatMap { $0.isPositive ? Analysis.percent(prev, $0) : nil }
        } else {
            covPrev = d.flatMap { Analysis.percent(prev, $0) }
        }
        let targetPct = t.map { prorated ? Percent(hundredths: Analysis.roundHalfAway($0 * m, 12)) : Percent(hundredths: $0) }

        // Gap and status compare exact values: coverage% − target%, from the unrounded
        // denominator (spec §A1).
        var gap: Percent?
        var status = IndicatorStatus.none
        if let d, let t, let g = Analysis.gap(monthly ? n : cumulative ?? 0, d, target: t, months: prorated ? m : nil) {
            gap = Percent(hundredths: g.hundredths)
            if trend != .none {
                if def.lowerIsBetter {
                    // Mirrored (§A4): at or below target is good, rising is bad.
                    let up = trend == .naik
                    status = g.sign <= 0 ? (up ? .kurang : .baik)
                        : (up ? .jelek : (trend == .tetap ? tetapBelowTarget : .cukup))
                } else {
                    let down = trend == .turun
                    status = g.sign >= 0 ? (down ? .kurang : .baik)
                        : (down ? .jelek : (trend == .tetap ? tetapBelowTarget : .cukup))
                }
            }
        }
        return IndicatorFigures(
            month: m, area: a, indicator: i, numeratorMonth: n, numeratorPrevMonth: prev,
            numeratorCumulative: cumulative, denominator: denominator,
            denominatorSource: denominator == nil ? .none : source, coverageMonthPct: covMonth,
            coverageCumulativePct: covCum, coveragePrevMonthPct: covPrev,
            targetAnnualPct: t.map { Percent(hundredths: $0) }, targetPct: targetPct, gapPct: gap,
            trend: trend, status: status)
    }

    /// Calls `body` with every row of the months in `months` (default 1…M) whose area passes
    /// `include`, in `indicators.csv` order: month, level, area code, catalogue order.
    ///
    /// - Complexity: O(rows visited); nothing is kept between calls of `body`.
    public func forEach(months: ClosedRange<Int>? = nil, include: (AreaLevel, _ month: Int) -> Bool = { _, _ in true },
                        _ body: (IndicatorFigures) throws -> Void) rethrows {
        // Months outside 1…M have no rows (`clamped` would turn a range past M into M…M).
        let first = max(months?.lowerBound ?? 1, 1), last = min(months?.upperBound ?? asOfMonth, asOfMonth)
        guard first <= last else { return }
        for m in first...last {
            for a in order where include(areas[a].level, m) {
                for i in 0..<indicators.count where hasRow(area: a, indicator: i) {
                    try body(figures(month: m, area: a, indicator: i))
                }
            }
        }
    }

    /// The villages whose year denominators are not all from the targets: for each, in area
    /// order, the indicators with a target group whose denominator at the village is an
    /// estimate, a sum over RWs and RTs of which one is (or is such a sum), or absent
    /// (estimation off). What `denominator_source` above the RT cannot show: a sum of
    /// estimates is a `sum` (§A1). A village from the targets is not one, whatever its RTs.
    public func targetGaps() -> [(code: String, name: String, indicators: [String])] {
        let (villageIndex, parent) = villagesAndParents()
        let order = areas.indices.filter { areas[$0].level == .rt } + areas.indices.filter { areas[$0].level == .rw }
        var gaps: [Int: [Int]] = [:]
        var estimated = [Bool](repeating: false, count: areas.count)
        for i in indicators.indices where definitions[i].hasGroup {
            for a in areas.indices { estimated[a] = false }
            // Bottom up: an RT or RW is estimated when its source is, or it sums an estimated child.
            for a in order {
                let source = yearly[yearIndex(indicator: i, area: a)]?.1
                if source == .estimate { estimated[a] = true }
                if estimated[a], let p = parent[a], yearly[yearIndex(indicator: i, area: p)]?.1 == .sum { estimated[p] = true }
            }
            for v in villageIndex.values {
                let source = yearly[yearIndex(indicator: i, area: v)]?.1
                if source == nil || source == .estimate || estimated[v] { gaps[v, default: []].append(i) }
            }
        }
        return gaps.keys.sorted().map { v in (areas[v].code, areas[v].name, gaps[v]!.map { indicators[$0].id }) }
    }

    /// The villages by code, and each RW's village and each RT's RW (nil elsewhere, and for an
    /// area seen in records only, which has no denominator and is in no sum).
    private func villagesAndParents() -> (villages: [String: Int], parent: [Int?]) {
        var villageIndex: [String: Int] = [:], rwIndex: [String: Int] = [:]
        for (a, area) in areas.enumerated() {
            if area.level == .desa { villageIndex[area.code] = a } else if area.level == .rw { rwIndex[area.code] = a }
        }
        var parent = [Int?](repeating: nil, count: areas.count)
        for (a, area) in areas.enumerated() {
            if area.level == .rw { parent[a] = villageIndex[area.parentCode] } else if area.level == .rt { parent[a] = rwIndex[area.parentCode] }
        }
        return (villageIndex, parent)
    }

    /// A village's own target of a group and the sum of its RWs' estimates.
    public typealias OwnTargetOverEstimates = (code: String, name: String, own: ExactDecimal, below: ExactDecimal)

    /// Villages with a target of their own for a group (`sasaran`) whose RWs and RTs have none
    /// (their denominators are the register's estimates, summed at the RW): where the RWs' sum
    /// differs from the village's figure, as it does whenever the estimation shares are not the
    /// district's projections. Each area keeps its own (spec §5.1), so a village's PWS table
    /// shows RW and RT targets that do not add up to its own; `sasaranNotes` says so. Per plain
    /// target group (an indicator's share of one, `bumil × 20%`, is left out), villages in area
    /// order, with the two figures. A village with a target inside it too is `mixedLevelNotes`'.
    public func estimatesUnderOwnTargets() -> [(group: String, villages: [OwnTargetOverEstimates])] {
        let (villageIndex, parent) = villagesAndParents()
        // Each village's RWs, and the RTs under them.
        var rwsOf: [Int: [Int]] = [:], rtsOf: [Int: [Int]] = [:]
        for a in areas.indices {
            guard let p = parent[a] else { continue }
            if areas[a].level == .rw { rwsOf[p, default: []].append(a) } else if let v = parent[p] { rtsOf[v, default: []].append(a) }
        }
        var seen = Set<String>()
        var result: [(group: String, villages: [OwnTargetOverEstimates])] = []
        for (i, info) in indicators.enumerated() where definitions[i].hasGroup && !definitions[i].countsVillages {
            let group = info.denominator
            guard !group.isEmpty, !group.contains("×"), seen.insert(group).inserted else { continue }
            var villages: [OwnTargetOverEstimates] = []
            for v in villageIndex.values.sorted() {
                guard let (own, source) = yearly[yearIndex(indicator: i, area: v)], source == .sasaran,
                      let rws = rwsOf[v], !rws.isEmpty else { continue }
                let inside = rws + (rtsOf[v] ?? [])
                guard !inside.contains(where: { yearly[yearIndex(indicator: i, area: $0)]?.1 == .sasaran }) else { continue }
                var below: ExactDecimal? = .zero
                for rw in rws { below = yearly[yearIndex(indicator: i, area: rw)].flatMap { below?.adding($0.0) } }
                guard let below, below != own else { continue }
                villages.append((areas[v].code, areas[v].name, own, below))
            }
            if !villages.isEmpty { result.append((group, villages)) }
        }
        return result
    }

    /// The full row of `figures`.
    public func row(_ figures: IndicatorFigures) -> IndicatorRow {
        IndicatorRow(figures, year: year, area: areas[figures.area], indicators: indicators)
    }

    /// The rows whose (level, month) pass `include`, in `indicators.csv` order.
    public func rows(months: ClosedRange<Int>? = nil,
                     where include: (AreaLevel, _ month: Int) -> Bool = { _, _ in true }) -> [IndicatorRow] {
        var rows: [IndicatorRow] = []
        forEach(months: months, include: include) { rows.append(row($0)) }
        return rows
    }

    /// The row of (month, level, area code, indicator id), or nil (also for a pair without a
    /// row, `hasRow`). A linear search over the areas: for tests and single look-ups.
    public func row(month: Int, level: AreaLevel, area code: String, indicator id: String) -> IndicatorRow? {
        guard month >= 1, month <= asOfMonth,
              let a = areas.firstIndex(where: { $0.level == level && $0.code == code }),
              let i = indicators.firstIndex(where: { $0.id == id }), hasRow(area: a, indicator: i) else { return nil }
        return row(figures(month: month, area: a, indicator: i))
    }
}

/// Builds the `IndicatorValues` of a run from the per-RT counts: sums them up every area's
/// path and computes the year denominators (§5.1).
struct Analysis {
    /// `round(num / den)` half away from zero, for den > 0.
    static func roundHalfAway(_ num: Int, _ den: Int) -> Int {
        num >= 0 ? (2 * num + den) / (2 * den) : -((-2 * num + den) / (2 * den))
    }

    /// The largest whole denominator (and target, in hundredths) taken on the 64-bit path:
    /// n·10⁴·12 and t·12·d stay far inside `Int` for any count of a run.
    static let smallLimit: Int128 = 1_000_000_000_000

    /// `d` as an `Int` when it is whole and small enough for 64-bit arithmetic (every
    /// integer-only input), else nil: the fractions then go through `ExactFraction` in 128 bits.
    @inline(__always)
    static func small(_ d: ExactDecimal) -> Int? {
        d.scale == 0 && d.units <= smallLimit ? Int(d.units) : nil
    }

    /// n / d as a percentage in hundredths (d > 0); nil only when 128 bits overflow.
    static func percent(_ n: Int, _ d: ExactDecimal) -> Percent? {
        if let d = small(d) { return Percent(hundredths: roundHalfAway(n * 10_000, d)) }
        return ExactFraction.percentHundredths(n, d).map(Percent.init(hundredths:))
    }

    /// coverage% − target% in hundredths, rounded half away from zero, and the sign of the exact
    /// difference (1 above target, 0 at, −1 below); `months` nil for a target the same every
    /// month, else the months of the cumulative target t·m/12.
    static func gap(_ n: Int, _ d: ExactDecimal, target t: Int, months: Int?) -> (hundredths: Int, sign: Int)? {
        if let d = small(d), t.magnitude <= 1_000_000 {
            // (n·10⁴ − t·d) / d, or (n·10⁴·12 − t·m·d) / (12·d)
            let (num, den) = months.map { (n * 10_000 * 12 - t * $0 * d, 12 * d) } ?? (n * 10_000 - t * d, d)
            return (roundHalfAway(num, den), num.signum())
        }
        guard let f = ExactFraction.gap(n, d, targetHundredths: t, months: months),
              let h = Int(exactly: ExactFraction.roundHalfAway(f.num, f.den)) else { return nil }
        return (h, f.num > 0 ? 1 : (f.num == 0 ? 0 : -1))
    }

    /// Compares a/b with c/d (b, d > 0): -1, 0, 1; nil only when 128 bits overflow.
    static func compare(_ a: Int, _ b: ExactDecimal, _ c: Int, _ d: ExactDecimal) -> Int? {
        if let b = small(b), let d = small(d) {
            let l = a * d, r = c * b
            return l < r ? -1 : (l > r ? 1 : 0)
        }
        return ExactFraction.compare(a, b, c, d)
    }

    /// The values of `input` from `counts` ([indicator][rt][slot], as `Aggregator.run` fills it).
    /// `counts` is emptied once the areas' counts are summed from it (it is not needed after).
    static func values(input: AggregateInput, table: AreaTable, counts: inout [Int32], rtCount: Int,
                       denominatorPlanes: [Int?]) -> IndicatorValues {
        let slots = Aggregator.slots
        let indicators = input.indicators
        let areaCount = table.areas.count
        let planes = indicators.count + denominatorPlanes.lazy.compactMap { $0 }.count
        var areaCounts = [Int32](repeating: 0, count: planes * areaCount * slots)
        areaCounts.withUnsafeMutableBufferPointer { out in
            counts.withUnsafeBufferPointer { rt in
                for i in 0..<planes {
                    for r in 0..<rtCount {
                        let path = table.paths[r]
                        if path.isEmpty { continue }
                        let base = (i * rtCount + r) * slots
                        for s in 0..<slots {
                            let n = rt[base + s]
                            if n == 0 { continue }
                            for a in path { out[IndicatorValues.countBase(plane: i, area: a, planes: planes) + s] += n }
                        }
                    }
                }
            }
        }

        counts = []
        // Derived indicators (a rate's from − to): linear in the counted ones, so computed on
        // every area at once; their RT counts are zero.
        for (i, ind) in indicators.enumerated() {
            guard let derivation = ind.rule.planned.derivation(catalogue: indicators) else { continue }
            for a in 0..<areaCount {
                for s in 0..<slots {
                    var v: Int32 = 0
                    for (j, w) in derivation.terms {
                        v &+= w &* areaCounts[IndicatorValues.countBase(plane: j, area: a, planes: planes) + s]
                    }
                    areaCounts[IndicatorValues.countBase(plane: i, area: a, planes: planes) + s] = v
                }
            }
        }

        var denominators = Denominators(table: table, register: input.register, sasaran: input.sasaran,
                                        year: input.asOf.year, estimation: input.estimation)
        let byID = Dictionary(indicators.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var yearly = YearDenominators(count: indicators.count * areaCount)
        var definitions: [IndicatorValues.Definition] = []
        for (i, ind) in indicators.enumerated() {
            if let g = ind.targetGroup {
                // One §5.1 chain per group and area (memoised across indicators of a group).
                // A share of the group (`{group: bumil, percent: 20}`): exact, p / 100 × value;
                // an overflowing product leaves the area without a denominator.
                let share = ind.targetGroupPercent.flatMap { ExactDecimal(units: $0.units, scale: $0.scale + 2) }
                for a in 0..<areaCount {
                    let (whole, source) = denominators.value(area: a, group: g)
                    let v = share.map { s in whole.flatMap { $0.multiplied(by: s) } } ?? whole
                    if let v {
                        yearly[IndicatorValues.yearIndex(indicator: i, area: a, indicators: indicators.count)] = (v, source)
                    }
                }
            }
            // An indicator with a target group takes its denominator from it, even when it
            // also names a base indicator (as before: the group wins).
            let base = ind.targetGroup == nil ? ind.denominatorIndicator.flatMap { byID[$0] } : nil
            let plane = ind.targetGroup == nil && base == nil ? denominatorPlanes[i] : nil
            definitions.append(IndicatorValues.Definition(
                monthly: ind.scope == .monthly, targetHundredths: ind.targetHundredths,
                denominatorIndicator: base, denominatorPlane: plane,
                namesBase: ind.denominatorIndicator != nil || plane != nil,
                hasGroup: ind.targetGroup != nil || ind.rule.planned.areaCount(catalogue: indicators) != nil,
                proratesTarget: ind.proratesTarget, lowerIsBetter: ind.direction == .lowerIsBetter,
                countsVillages: ind.rule.planned.areaCount(catalogue: indicators) != nil))
        }
        var values = IndicatorValues(
            year: input.asOf.year, asOfMonth: input.asOf.month,
            areas: table.areas.map { OutputArea(level: $0.level, code: $0.code, name: $0.name, parentCode: $0.parentCode) },
            indicators: indicators.map(\.info), order: table.outputOrder, definitions: definitions,
            counts: areaCounts, planes: planes, yearly: yearly,
            tetapBelowTarget: input.tetapBelowTarget)
        // `values` alone holds the tables now, so the area-count pass writes into them rather
        // than into copies (at 30 M records a copy was 236 MB, the merge's peak).
        areaCounts = []
        yearly = YearDenominators(count: 0)
        countAreas(&values, table: table, indicators: indicators)
        return values
    }

    /// The area counts (`AreaCount`, `area_count`), from the other indicators' figures in
    /// `values`: per village and month, whether it passes; a parent sums its villages. Their
    /// denominators are the villages under each area (`villages`). `values` unchanged when the
    /// catalogue has none. Written in place: the figures an area count reads (its indicator's
    /// plane and base) are not area counts, so they are those before this pass; when one is
    /// (an area count of an area count), it reads a copy taken before, as it always did.
    static func countAreas(_ values: inout IndicatorValues, table: AreaTable, indicators: [IndicatorDefinition]) {
        let tests = indicators.enumerated().compactMap { i, ind in ind.rule.planned.areaCount(catalogue: indicators).map { (i, $0) } }
        guard !tests.isEmpty else { return }
        let areaCount = table.areas.count, months = values.asOfMonth
        let counted = Set(tests.map(\.0))
        let nested = tests.contains { _, test in
            counted.contains(test.of) || values.definitions[test.of].denominatorIndicator.map(counted.contains) == true
        }
        let before: IndicatorValues? = nested ? values : nil
        // Each village and the areas it counts in (itself, kecamatan, kab/kota, puskesmas).
        var index: [String: Int] = [:]
        for (a, area) in table.areas.enumerated() { index["\(area.level.rawValue)|\(area.code)"] = a }
        var villages: [(desa: Int, path: [Int])] = []
        for (a, area) in table.areas.enumerated() where area.level == .desa && area.registered {
            var path = [a]
            if let kec = index["kecamatan|\(area.parentCode)"] {
                path.append(kec)
                if let kab = index["kabkota|\(table.areas[kec].parentCode)"] { path.append(kab) }
            }
            if let p = table.villagePuskesmas[area.code], let pkm = index["puskesmas|\(p)"] { path.append(pkm) }
            villages.append((a, path))
        }
        for (i, test) in tests {
            var villageCount = [Int](repeating: 0, count: areaCount)
            for v in villages { for a in v.path { villageCount[a] += 1 } }
            for a in 0..<areaCount where villageCount[a] > 0 {
                values.yearly[values.yearIndex(indicator: i, area: a)] = (ExactDecimal(villageCount[a]), .villages)
            }
            // passing[m][a]: villages under a passing at m (m = 0: none, as coverage restarts).
            var previous = [Int32](repeating: 0, count: areaCount)
            for m in 1...max(months, 1) where m <= months {
                var now = [Int32](repeating: 0, count: areaCount)
                for v in villages {
                    let f = before?.figures(month: m, area: v.desa, indicator: test.of)
                        ?? values.figures(month: m, area: v.desa, indicator: test.of)
                    if test.passes(f) { for a in v.path { now[a] += 1 } }
                }
                for a in 0..<areaCount {
                    values.counts[values.countBase(plane: i, area: a) + m] = now[a] - previous[a]
                }
                previous = now
            }
        }
    }
}

/// The year denominators of [indicator][area] with their sources, compact: 9 bytes a cell when
/// the denominator is a whole number that fits an `Int64` (every integer-only input, rounded
/// estimates), a dictionary entry only for the others (decimal sasaran, unrounded estimates).
/// As `[ExactDecimal?]` and `[DenominatorSource]` they took 48 bytes a cell: at 30 M records
/// (70 593 areas, 49 indicators) 166 MB instead of 31.
struct YearDenominators: Sendable {
    /// The whole value, or `none` / `other` (then in `others`).
    private var whole: [Int64]
    /// `DenominatorSource` as a code (`code(_:)`); `sourceOther`: in `otherSources`.
    private var sources: [UInt8]
    private var others: [Int: ExactDecimal] = [:]
    private var otherSources: [Int: DenominatorSource] = [:]
    private static let none = Int64.min, other = Int64.min + 1
    private static let sourceOther: UInt8 = 255

    init(count: Int) {
        whole = [Int64](repeating: Self.none, count: count)
        sources = [UInt8](repeating: 0, count: count)
    }

    private static func code(_ s: DenominatorSource) -> UInt8 {
        switch s {
        case .none: 0
        case .sasaran: 1
        case .sum: 2
        case .estimate: 3
        case .measured: 4
        case .villages: 5
        case .indicator: sourceOther
        }
    }

    private static func source(_ c: UInt8) -> DenominatorSource {
        switch c {
        case 1: .sasaran
        case 2: .sum
        case 3: .estimate
        case 4: .measured
        case 5: .villages
        default: .none
        }
    }

    subscript(k: Int) -> (ExactDecimal, DenominatorSource)? {
        get {
            let w = whole[k]
            if w == Self.none { return nil }
            let value = w == Self.other ? others[k]! : ExactDecimal(Int(w))
            let c = sources[k]
            return (value, c == Self.sourceOther ? otherSources[k]! : Self.source(c))
        }
        set {
            if !others.isEmpty { others[k] = nil }
            if !otherSources.isEmpty { otherSources[k] = nil }
            guard let (value, source) = newValue else {
                whole[k] = Self.none
                sources[k] = 0
                return
            }
            if value.scale == 0, value.units > Int128(Self.other), value.units <= Int128(Int64.max) {
                whole[k] = Int64(value.units)
            } else {
                whole[k] = Self.other
                others[k] = value
            }
            let c = Self.code(source)
            sources[k] = c
            if c == Self.sourceOther { otherSources[k] = source }
        }
    }
}
