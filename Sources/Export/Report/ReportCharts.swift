/// Geometry of the report's SVG charts: positions as whole numbers of viewBox units. Nothing
/// here writes markup (that is `ReportMarkup.swift`).

enum ReportCharts {
    /// A bar of the classic PWS chart.
    struct Bar {
        var x: Int
        var y: Int
        var width: Int
        var height: Int
        /// Centre of the bar, for its labels.
        var cx: Int
        var statusClass: StaticString
        var statusLetter: StaticString
        var valueText: String
        var valueY: Int
        var shortName: String
        var isTotal: Bool
        /// A count-only total far above the village bars is drawn cut, with a break mark.
        var isBroken: Bool
        var breakY: Int
    }

    struct Tick {
        var y: Int
        var text: String
    }

    struct HLine {
        var y: Int
        var x1: Int
        var x2: Int
        var text: String
    }

    /// The classic PWS bar chart of one puskesmas for one indicator.
    struct BarChart {
        var label: String
        var width: Int
        var height: Int
        var minWidth: Int
        var plotLeft: Int
        var plotRight: Int
        var plotTop: Int
        var plotBottom: Int
        var letterY: Int
        var nameY: Int
        var tickX: Int
        var ticks: [Tick]
        var bars: [Bar]
        var target: HLine?
    }

    /// Input to `barChart`: one village (or the total), already sorted.
    struct BarValue {
        var name: String
        var value: Double?
        var valueText: String
        var status: String
        var isTotal: Bool
    }

    static let plotHeight = 220

    /// Lays out bars (villages sorted descending, then the total) on a 0…max scale with a
    /// horizontal target line. `isCount` draws counts: the scale follows the villages and a total
    /// that does not fit is drawn cut with its value written.
    static func barChart(label: String, values: [BarValue], target: Double?, targetText: String,
                         isCount: Bool) -> BarChart {
        // The left margin holds the y ticks and the overhang of the first rotated village name.
        let left = 84, top = 28, right = 112
        let bottomLabels = 132
        let villages = values.filter { !$0.isTotal }
        let villageMax = villages.compactMap(\.value).max() ?? 0
        let total = values.first(where: \.isTotal)?.value ?? 0
        var top0 = isCount ? villageMax : max(100, villageMax, total, target ?? 0)
        if top0 <= 0 { top0 = isCount ? 10 : 100 }
        let (yMax, step) = niceScale(top0)
        let plotBottom = top + plotHeight
        let n = values.count
        // A puskesmas with few villages gets wider bars (up to 72 units) so the chart does not
        // shrink to a strip; with many, 40 units per bar and the chart scrolls on a phone.
        let barStep = max(40, min(72, 400 / max(n, 1)))
        let barWidth = barStep * 7 / 10
        let plotW = n * barStep + (values.contains(where: \.isTotal) ? 12 : 0)
        let width = max(480, left + plotW + right)
        // A negative value (a drop-out rate with more MR1 than DPT1) sits on the axis with its
        // value written; below it a bar had a negative height (an SVG error) and a label over the names.
        func y(_ v: Double) -> Int { plotBottom - Int((min(max(v, 0), yMax) / yMax * Double(plotHeight)).rounded()) }

        var bars: [Bar] = []
        var x = left + (barStep - barWidth) / 2
        for v in values {
            if v.isTotal { x += 12 }
            let value = v.value ?? 0
            let broken = isCount && v.isTotal && value > yMax
            let by = broken ? top - 8 : y(value)
            let h = plotBottom - by
            bars.append(Bar(x: x, y: by, width: barWidth, height: h, cx: x + barWidth / 2,
                            statusClass: isCount ? (v.isTotal ? "cnt-total" : "cnt")
                                : ReportText.statusClass(v.status),
                            statusLetter: ReportText.statusLetter(v.status),
                            valueText: v.valueText, valueY: by - 4,
                            shortName: shorten(v.name, to: 20), isTotal: v.isTotal,
                            isBroken: broken, breakY: top + 10))
            x += barStep
        }
        var ticks: [Tick] = []
        var t = 0.0
        while t <= yMax + 1e-9 {
            ticks.append(Tick(y: y(t), text: tickText(t)))
            t += step
        }
        var targetLine: HLine?
        if let target {
            targetLine = HLine(y: y(target), x1: left, x2: left + plotW, text: targetText)
        }
        return BarChart(label: label, width: width, height: plotBottom + bottomLabels, minWidth: min(width, 560),
                        plotLeft: left, plotRight: left + plotW, plotTop: top, plotBottom: plotBottom,
                        letterY: plotBottom + 13, nameY: plotBottom + 22,
                        tickX: left - 6, ticks: ticks, bars: bars,
                        target: targetLine)
    }

    struct Point {
        var x: Int
        var y: Int
        var text: String
        var month: String
    }

    struct XLabel {
        var x: Int
        var text: String
    }

    /// The monthly trend chart: one line of values for months 1…M, the target line over the
    /// whole year (rising for cumulative indicators, flat for monthly ones).
    struct LineChart {
        var label: String
        var width: Int
        var height: Int
        var plotLeft: Int
        var plotRight: Int
        var plotTop: Int
        var plotBottom: Int
        var labelY: Int
        var tickX: Int
        var ticks: [Tick]
        var months: [XLabel]
        var linePoints: String
        var points: [Point]
        var targetPoints: String?
        var targetLabel: HLine?
    }

    static func lineChart(label: String, values: [(month: Int, value: Double?, text: String)],
                          target: [(month: Int, value: Double)], targetText: String, isCount: Bool) -> LineChart {
        let left = 48, right = 110, top = 20, plotH = 200, width = 680
        let plotBottom = top + plotH
        let plotW = width - left - right
        let maxV = max(values.compactMap(\.value).max() ?? 0, target.map(\.value).max() ?? 0)
        let (yMax, step) = niceScale(isCount ? max(maxV, 10) : max(maxV, 100))
        // Months sit 16 units in from the axes so the first value label clears the y ticks.
        func x(_ m: Int) -> Int { left + 16 + Int((Double(m - 1) / 11 * Double(plotW - 32)).rounded()) }
        func y(_ v: Double) -> Int { plotBottom - Int((min(max(v, 0), yMax) / yMax * Double(plotH)).rounded()) }
        var ticks: [Tick] = []
        var t = 0.0
        while t <= yMax + 1e-9 {
            ticks.append(Tick(y: y(t), text: tickText(t)))
            t += step
        }
        let months = (1...12).map { XLabel(x: x($0), text: ReportText.monthShortName($0)) }
        var points: [Point] = []
        for v in values {
            guard let value = v.value else { continue }
            points.append(Point(x: x(v.month), y: y(value), text: v.text, month: ReportText.monthName(v.month)))
        }
        let line = points.map { "\($0.x),\($0.y)" }.joined(separator: " ")
        var targetPoints: String?
        var targetLabel: HLine?
        if let last = target.last {
            targetPoints = target.map { "\(x($0.month)),\(y($0.value))" }.joined(separator: " ")
            targetLabel = HLine(y: y(last.value), x1: x(last.month), x2: x(last.month) + 6, text: targetText)
        }
        return LineChart(label: label, width: width, height: plotBottom + 30, plotLeft: left,
                         plotRight: left + plotW, plotTop: top, plotBottom: plotBottom, labelY: plotBottom + 16,
                         tickX: left - 6, ticks: ticks, months: months, linePoints: line, points: points,
                         targetPoints: targetPoints, targetLabel: targetLabel)
    }

    /// One line of a `MultiLineChart`: an indicator's values by month.
    struct Series {
        /// The indicator id, written at the line's last point.
        var key: String
        /// The line style (`g0`…`g7`: colour, dash and marker; CSS of the growth section).
        var style: StaticString
        var linePoints: String
        var points: [Point]
        /// Where the key is written: right of the last point, moved up or down so that keys
        /// of lines ending close together do not overlap.
        var keyX: Int
        var keyY: Int
    }

    /// The growth section's trend chart of one area: a line per indicator over months 1…M, on
    /// the month axis of `LineChart`, with no target lines (each indicator has its own; the
    /// table under the chart is coloured by status).
    struct MultiLineChart {
        var label: String
        var width: Int
        var height: Int
        var plotLeft: Int
        var plotRight: Int
        var plotTop: Int
        var plotBottom: Int
        var labelY: Int
        var tickX: Int
        var ticks: [Tick]
        var months: [XLabel]
        var series: [Series]
    }

    /// The line styles of a multi-line chart, by the indicator's place in the growth list.
    static let lineStyles: [StaticString] = ["g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7"]

    /// Lays out one line per series on a 0…max scale of percentages (at least 0–5 %, so a
    /// district with no case does not draw noise as a slope). Values are drawn from their
    /// `value`; `text` is what a point's tooltip says.
    static func multiLineChart(label: String,
                               series: [(key: String, style: Int, values: [(month: Int, value: Double?, text: String)])])
        -> MultiLineChart {
        let left = 48, right = 110, top = 20, plotH = 200, width = 680
        let plotBottom = top + plotH
        let plotW = width - left - right
        let maxV = series.flatMap { $0.values.compactMap(\.value) }.max() ?? 0
        let (yMax, step) = niceScale(max(maxV, 5))
        func x(_ m: Int) -> Int { left + 16 + Int((Double(m - 1) / 11 * Double(plotW - 32)).rounded()) }
        func y(_ v: Double) -> Int { plotBottom - Int((min(max(v, 0), yMax) / yMax * Double(plotH)).rounded()) }
        var ticks: [Tick] = []
        var t = 0.0
        while t <= yMax + 1e-9 {
            ticks.append(Tick(y: y(t), text: tickText(t)))
            t += step
        }
        let months = (1...12).map { XLabel(x: x($0), text: ReportText.monthShortName($0)) }
        var out: [Series] = []
        for s in series {
            let points = s.values.compactMap { v in
                v.value.map { Point(x: x(v.month), y: y($0), text: v.text, month: ReportText.monthName(v.month)) }
            }
            let last = points.last
            out.append(Series(key: s.key, style: lineStyles[s.style % lineStyles.count],
                              linePoints: points.map { "\($0.x),\($0.y)" }.joined(separator: " "), points: points,
                              keyX: (last?.x ?? x(1)) + 7, keyY: last?.y ?? plotBottom))
        }
        spreadKeys(&out, minGap: 12, top: top, bottom: plotBottom + 4)
        return MultiLineChart(label: label, width: width, height: plotBottom + 30, plotLeft: left,
                              plotRight: left + plotW, plotTop: top, plotBottom: plotBottom, labelY: plotBottom + 16,
                              tickX: left - 6, ticks: ticks, months: months, series: out)
    }

    /// Moves the keys of lines that end at the same x at least `minGap` apart, keeping their
    /// order by height, within `top…bottom`.
    static func spreadKeys(_ series: inout [Series], minGap: Int, top: Int, bottom: Int) {
        let byX = Dictionary(grouping: series.indices.filter { !series[$0].points.isEmpty }) { series[$0].keyX }
        for (_, group) in byX {
            let order = group.sorted { (series[$0].keyY, $0) < (series[$1].keyY, $1) }
            var ys = order.map { series[$0].keyY }
            for i in ys.indices.dropFirst() where ys[i] < ys[i - 1] + minGap { ys[i] = ys[i - 1] + minGap }
            // Pushed below the plot: shift the whole run back up.
            if let last = ys.last, last > bottom {
                let shift = last - bottom
                for i in ys.indices { ys[i] -= shift }
                for i in ys.indices.reversed().dropFirst() where ys[i] > ys[i + 1] - minGap { ys[i] = ys[i + 1] - minGap }
            }
            for (k, i) in order.enumerated() { series[i].keyY = max(top, ys[k]) }
        }
    }

    /// A scale maximum ≥ `v` on a 1-2-2.5-5 step grid with about five steps.
    static func niceScale(_ v: Double) -> (max: Double, step: Double) {
        let raw = v / 5
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw, magnitude > 1 { magnitude /= 10 }
        var step = magnitude
        for m in [1.0, 2.0, 2.5, 5.0, 10.0] where m * magnitude >= raw {
            step = m * magnitude
            break
        }
        step = max(step, 1)
        return ((v / step).rounded(.up) * step, step)
    }

    static func tickText(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(v).replacingOccurrences(of: ".", with: ",")
    }

    /// `tenths` / 10 with the decimal comma (`-12,5`).
    static func tenths(_ tenths: Int) -> String {
        (tenths < 0 ? "-" : "") + "\(tenths.magnitude / 10),\(tenths.magnitude % 10)"
    }

    /// Chart value label of a value known only as a double: one decimal, decimal comma, half
    /// away from zero (the tables carry the exact two decimals; a coverage's label is rounded
    /// from its exact fraction instead, `ReportBuilder.mainLabel`).
    static func oneDecimal(_ v: Double) -> String { tenths(Int((v * 10).rounded())) }

    static func shorten(_ s: String, to n: Int) -> String {
        s.count <= n ? s : String(s.prefix(n - 1)) + "…"
    }
}
