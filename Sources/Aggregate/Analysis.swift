import PWSCore

/// Turns attainment counts into the PWS rows of spec §6, with exact integer arithmetic:
/// every percentage is a fraction rounded once, half away from zero, to hundredths.
struct Analysis {
    let input: AggregateInput
    let table: AreaTable
    /// [indicator][area][slot] → subjects attaining.
    private var areaCounts: [[[Int]]]

    init(input: AggregateInput, table: AreaTable, counts: [Int32], rtCount: Int) {
        self.input = input
        self.table = table
        let slots = Aggregator.slots
        var areaCounts = Array(repeating: Array(repeating: Array(repeating: 0, count: slots), count: table.areas.count),
                               count: input.indicators.count)
        for i in input.indicators.indices {
            for r in 0..<rtCount {
                let path = table.paths[r]
                if path.isEmpty { continue }
                let base = (i * rtCount + r) * slots
                for s in 0..<slots {
                    let n = Int(counts[base + s])
                    if n == 0 { continue }
                    for a in path { areaCounts[i][a][s] += n }
                }
            }
        }
        self.areaCounts = areaCounts
    }

    /// `round(num / den)` half away from zero, for den > 0.
    static func roundHalfAway(_ num: Int, _ den: Int) -> Int {
        num >= 0 ? (2 * num + den) / (2 * den) : -((-2 * num + den) / (2 * den))
    }

    /// n / d as a percentage in hundredths.
    static func percent(_ n: Int, _ d: Int) -> Percent { Percent(hundredths: roundHalfAway(n * 10_000, d)) }

    /// Compares a/b with c/d (b, d > 0): -1, 0, 1.
    static func compare(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Int {
        let l = a * d, r = c * b
        return l < r ? -1 : (l > r ? 1 : 0)
    }

    func rows() -> [IndicatorRow] {
        var denominators = Denominators(table: table, register: input.register, sasaran: input.sasaran,
                                        year: input.asOf.year, estimation: input.estimation)
        let byID = Dictionary(input.indicators.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let order = table.outputOrder
        // Per indicator, the year's denominator of every area (one §5.1 chain per group and area).
        let yearly: [[(Int?, String)]?] = input.indicators.map { ind in
            ind.targetGroup.map { g in table.areas.indices.map { denominators.value(area: $0, group: g) } }
        }
        var rows: [IndicatorRow] = []
        rows.reserveCapacity(input.asOf.month * order.count * input.indicators.count)
        for m in 1...input.asOf.month {
            for a in order {
                let area = table.areas[a]
                for (i, ind) in input.indicators.enumerated() {
                    let counts = areaCounts[i][a]
                    let n = counts[m], prev = counts[m - 1]
                    let monthly = ind.scope == .monthly
                    let cumulative = monthly ? nil : counts[1...m].reduce(0, +)
                    var denominator: Int?, source = "", prevDenominator: Int?
                    if let values = yearly[i] {
                        (denominator, source) = values[a]
                        prevDenominator = denominator
                    } else if let base = ind.denominatorIndicator, let b = byID[base] {
                        denominator = areaCounts[b][a][m]
                        prevDenominator = areaCounts[b][a][m - 1]
                        source = base
                    }
                    let d = (denominator ?? 0) > 0 ? denominator : nil
                    let t = ind.targetHundredths

                    // Trend: monthly coverage of m against m−1.
                    var trend = ""
                    if ind.denominatorIndicator != nil {
                        if let d {
                            let pd = prevDenominator ?? 0
                            let c = pd > 0 ? Analysis.compare(n, d, prev, pd) : Analysis.compare(n, d, 0, 1)
                            trend = c > 0 ? "naik" : (c == 0 ? "tetap" : "turun")
                        }
                    } else {
                        trend = n > prev ? "naik" : (n == prev ? "tetap" : "turun")
                    }

                    let covMonth = d.map { Analysis.percent(n, $0) }
                    let covCum = d.flatMap { dd in cumulative.map { Analysis.percent($0, dd) } }
                    let covPrev: Percent?
                    if ind.denominatorIndicator != nil {
                        covPrev = (prevDenominator ?? 0) > 0 ? Analysis.percent(prev, prevDenominator!) : nil
                    } else {
                        covPrev = d.map { Analysis.percent(prev, $0) }
                    }
                    let targetPct = t.map { monthly ? Percent(hundredths: $0) : Percent(hundredths: Analysis.roundHalfAway($0 * m, 12)) }

                    // Gap and status compare exact values: coverage% − target%.
                    var gap: Percent?
                    var status = ""
                    if let d, let t {
                        // coverage − target as a fraction in hundredths: (num*10000*12 − t*m*d) / (12*d)
                        let (num, den): (Int, Int) = monthly
                            ? (n * 10_000 - t * d, d)
                            : (cumulative! * 10_000 * 12 - t * m * d, 12 * d)
                        gap = Percent(hundredths: Analysis.roundHalfAway(num, den))
                        if !trend.isEmpty {
                            let atOrAbove = num >= 0
                            let down = trend == "turun"
                            status = atOrAbove ? (down ? "kurang" : "baik") : (down ? "jelek" : "cukup")
                        }
                    }
                    var row = IndicatorRow(
                        year: input.asOf.year, month: m, level: area.level, areaCode: area.code, areaName: area.name,
                        parentCode: area.parentCode, indicator: ind.id, scope: ind.scope.rawValue,
                        numeratorMonth: n, numeratorCumulative: cumulative, denominator: denominator,
                        denominatorSource: denominator == nil ? "" : source, coverageMonthPct: covMonth,
                        coverageCumulativePct: covCum, coveragePrevMonthPct: covPrev,
                        targetAnnualPct: t.map { Percent(hundredths: $0) }, targetPct: targetPct, gapPct: gap,
                        trend: trend, status: status)
                    row.numeratorPrevMonth = prev
                    rows.append(row)
                }
            }
        }
        return rows
    }
}
