/// Markup of the report's repeated parts — tables, SVG charts, the block of each puskesmas in an
/// indicator section and of each village in the drill-down — written straight into an
/// `HTMLWriter` (see there for why not through Mustache, and how text is escaped). The page
/// skeleton around them is the Mustache template `ReportTemplates.page`.
extension HTMLWriter {
    // MARK: - Tables

    /// A table. Body rows omit the optional `</td>`/`</th>` end tags (valid HTML; it saves about
    /// a megabyte on a district page), their `<th>` is a row header by position (no `scope`), and
    /// numbers are right-aligned by default (no class).
    /// - Complexity: O(cells).
    mutating func table(_ t: Table) {
        tableOpen(t)
        for row in t.rows {
            rowOpen(row.rc, th: row.th)
            for cell in row.cells { td(cell) }
            rowClose()
        }
        tableClose()
    }

    /// The start of a table up to its first body row: caption and header rows (`t.rows` is not
    /// written). The big tables write their rows one by one with `rowOpen`, `td`, `rowClose`,
    /// without an array of cells per row.
    mutating func tableOpen(_ t: Table) {
        raw("<div class=\"scroll\"><table class=\"")
        raw(t.tcls)
        raw("\">")
        if let caption = t.caption {
            raw("<caption>")
            text(caption)
            raw("</caption>")
        }
        raw("<thead>")
        for row in t.head {
            raw("<tr>")
            for h in row.hcells {
                raw("<th scope=\"col\"")
                if let n = h.colspan {
                    raw(" colspan=\"")
                    int(n)
                    raw("\"")
                }
                if let n = h.rowspan {
                    raw(" rowspan=\"")
                    int(n)
                    raw("\"")
                }
                if let tip = h.htip {
                    raw(" title=\"")
                    text(tip)
                    raw("\"")
                }
                if let c = h.hc {
                    raw(" class=\"")
                    raw(c)
                    raw("\"")
                }
                raw(">")
                text(h.ht)
                raw("</th>")
            }
            raw("</tr>")
        }
        raw("</thead><tbody>\n")
    }

    /// A body row's start and its row header cell.
    mutating func rowOpen(_ rc: StaticString?, th: Cell) {
        if let rc {
            raw("<tr class=\"")
            raw(rc)
            raw("\"><th>")
        } else {
            raw("<tr><th>")
        }
        cellContent(th)
    }

    /// A data cell.
    mutating func td(_ cell: Cell) {
        raw("<td")
        if let c = cell.c {
            // One [a-z0-9] token: unquoted is valid and saves two bytes a cell.
            raw(" class=")
            raw(c)
        }
        if let tip = cell.tip {
            raw(" title=\"")
            value(tip)
            raw("\"")
        }
        raw(">")
        cellContent(cell)
    }

    mutating func rowClose() {
        raw("</tr>\n")
    }

    mutating func tableClose() {
        raw("</tbody></table></div>")
    }

    private mutating func cellContent(_ cell: Cell) {
        if let href = cell.href {
            raw("<a href=\"")
            text(href)
            raw("\">")
        }
        value(cell.t)
        if cell.letter.utf8CodeUnitCount > 0 {
            raw(" ")
            raw(cell.letter)
        }
        if cell.href != nil { raw("</a>") }
    }

    /// A cell's value (or tooltip), formatted.
    mutating func value(_ v: CellValue) {
        switch v {
        case .text(let s): text(s)
        case .literal(let s): raw(s)
        case .count(let n): count(n)
        case .pct(let p): pct(p)
        case .gap(let p): gap(p)
        case .fraction(let n, let d):
            count(n)
            raw("/")
            count(d)
        case .sasaran(let d): sasaran(d)
        case .ofSasaran(let n, let d):
            count(n)
            raw("/")
            sasaran(d)
        case .share(let v):
            oneDecimal(v)
            raw(" %")
        case .records(let records, let persons):
            count(records)
            raw(" catatan, ")
            count(persons)
            raw(" orang")
        case .prevalence(let p, let letter, let n, let d):
            pct(p)
            if letter.utf8CodeUnitCount > 0 {
                raw(" ")
                raw(letter)
            }
            raw("<small>")
            count(n)
            raw("/")
            sasaran(d)
            raw("</small>")
        }
    }

    // MARK: - Blocks repeated per puskesmas and per village

    /// One puskesmas in an indicator section: heading, PWS chart, status table (`rows` writes
    /// the table's body rows).
    mutating func puskesmasBlock(anchor: String, indicator: String, title: String, chartLabel: String,
                                 chart: ReportCharts.BarChart, table t: Table, rows: (inout HTMLWriter) -> Void) {
        raw("<div class=\"pkm\" id=\"")
        text(anchor)
        raw("\">\n<h3>")
        text(indicator)
        raw(" · ")
        text(title)
        raw("</h3>\n<figure class=\"pws\">")
        barChart(chart, indicator: indicator)
        raw("<figcaption>")
        text(chartLabel)
        raw(". Tabel di bawah memuat angka yang sama.</figcaption></figure>\n")
        tableOpen(t)
        rows(&self)
        tableClose()
        raw("\n</div>\n")
    }

    /// One village of the RW/RT drill-down: a collapsed entry with its table (`rows` writes the
    /// body rows) and, when rows were left out, the note saying so.
    mutating func drillVillage(anchor: String, name: String, counts: String, table t: Table, note: String?,
                               rows: (inout HTMLWriter) -> Void) {
        raw("<details class=\"drill\" id=\"")
        text(anchor)
        raw("\"><summary>")
        text(name)
        raw(" <span class=\"muted\">(")
        text(counts)
        raw(")</span></summary>")
        tableOpen(t)
        rows(&self)
        tableClose()
        if let note {
            raw("<p class=\"muted\">")
            text(note)
            raw("</p>")
        }
        raw("</details>\n")
    }

    // MARK: - Charts

    private mutating func chartOpening(kind: StaticString, indicator: String, width: Int, height: Int,
                                       minWidth: Int, label: String) {
        raw("<svg class=\"chart ")
        raw(kind)
        raw("-chart\" data-chart=\"")
        raw(kind)
        raw("\" data-indicator=\"")
        text(indicator)
        raw("\" viewBox=\"0 0 ")
        int(width)
        raw(" ")
        int(height)
        raw("\" style=\"min-width:")
        int(minWidth)
        raw("px;max-width:")
        int(width)
        raw("px\" role=\"img\" aria-label=\"")
        text(label)
        raw("\"><title>")
        text(label)
        raw("</title>\n")
    }

    /// Horizontal grid lines at the ticks as one path, then the tick labels.
    private mutating func grid(_ ticks: [ReportCharts.Tick], from x1: Int, to x2: Int, tickX: Int) {
        raw("<path class=\"grid\" d=\"")
        for t in ticks {
            raw("M")
            int(x1)
            raw(" ")
            int(t.y)
            raw("H")
            int(x2)
        }
        raw("\"/>")
        for t in ticks {
            raw("<text class=\"tick\" x=\"")
            int(tickX)
            raw("\" y=\"")
            int(t.y)
            raw("\">")
            text(t.text)
            raw("</text>")
        }
        raw("\n")
    }

    private mutating func axis(_ left: Int, _ right: Int, _ bottom: Int) {
        raw("<line class=\"axis\" x1=\"")
        int(left)
        raw("\" x2=\"")
        int(right)
        raw("\" y1=\"")
        int(bottom)
        raw("\" y2=\"")
        int(bottom)
        raw("\"/>")
    }

    /// The classic PWS chart. `data-chart` and `aria-label` are what `.ci/browser-check` counts.
    /// - Complexity: O(bars).
    mutating func barChart(_ c: ReportCharts.BarChart, indicator: String) {
        chartOpening(kind: "pws", indicator: indicator, width: c.width, height: c.height, minWidth: c.minWidth,
                     label: c.label)
        grid(c.ticks, from: c.plotLeft, to: c.plotRight, tickX: c.tickX)
        for b in c.bars {
            raw(b.isTotal ? "<g class=\"total\"><rect class=\"" : "<g><rect class=\"")
            raw(b.statusClass)
            raw("\" x=\"")
            int(b.x)
            raw("\" y=\"")
            int(b.y)
            raw("\" width=\"")
            int(b.width)
            raw("\" height=\"")
            int(b.height)
            raw("\"/>")
            if b.isBroken {
                raw("<path class=\"break\" d=\"M")
                int(b.x)
                raw(" ")
                int(b.breakY)
                raw("l")
                int(b.width)
                raw(" -6v6l-")
                int(b.width)
                raw(" 6z\"/>")
            }
            raw("<text class=\"v\" x=\"")
            int(b.cx)
            raw("\" y=\"")
            int(b.valueY)
            raw("\">")
            text(b.valueText)
            raw("</text><text class=\"l\" x=\"")
            int(b.cx)
            raw("\" y=\"")
            int(c.letterY)
            raw("\">")
            raw(b.statusLetter)
            raw("</text><text class=\"n\" transform=\"translate(")
            int(b.cx)
            raw(",")
            int(c.nameY)
            raw(") rotate(-45)\">")
            text(b.shortName)
            raw("</text></g>\n")
        }
        axis(c.plotLeft, c.plotRight, c.plotBottom)
        if let t = c.target {
            raw("<line class=\"target\" x1=\"")
            int(t.x1)
            raw("\" x2=\"")
            int(t.x2)
            raw("\" y1=\"")
            int(t.y)
            raw("\" y2=\"")
            int(t.y)
            raw("\"/><text class=\"target-label\" x=\"")
            int(t.x2)
            raw("\" dx=\"4\" y=\"")
            int(t.y)
            raw("\" dy=\"4\">")
            text(t.text)
            raw("</text>")
        }
        raw("</svg>")
    }

    /// The month names under a chart's axis (`LineChart`, `MultiLineChart`).
    private mutating func monthLabels(_ months: [ReportCharts.XLabel], y: Int) {
        for m in months {
            raw("<text class=\"month\" x=\"")
            int(m.x)
            raw("\" y=\"")
            int(y)
            raw("\">")
            text(m.text)
            raw("</text>")
        }
    }

    /// The monthly trend chart of the kabupaten/kota against the target line.
    mutating func lineChart(_ c: ReportCharts.LineChart, indicator: String) {
        chartOpening(kind: "trend", indicator: indicator, width: c.width, height: c.height, minWidth: 480,
                     label: c.label)
        grid(c.ticks, from: c.plotLeft, to: c.plotRight, tickX: c.tickX)
        monthLabels(c.months, y: c.labelY)
        raw("\n")
        axis(c.plotLeft, c.plotRight, c.plotBottom)
        raw("\n")
        if let points = c.targetPoints {
            raw("<polyline class=\"target\" points=\"")
            text(points)
            raw("\"/>")
        }
        if let t = c.targetLabel {
            raw("<text class=\"target-label\" x=\"")
            int(t.x2)
            raw("\" y=\"")
            int(t.y)
            raw("\" dy=\"4\">")
            text(t.text)
            raw("</text>")
        }
        raw("\n<polyline class=\"trendline\" points=\"")
        text(c.linePoints)
        raw("\"/>")
        for p in c.points {
            raw("<circle class=\"pt\" cx=\"")
            int(p.x)
            raw("\" cy=\"")
            int(p.y)
            raw("\" r=\"4\"><title>")
            text(p.month)
            raw(": ")
            text(p.text)
            raw("</title></circle><text class=\"v\" x=\"")
            int(p.x)
            raw("\" y=\"")
            int(p.y)
            raw("\" dy=\"-9\">")
            text(p.text)
            raw("</text>")
        }
        raw("</svg>")
    }

    /// The growth section's trend chart of one area: a line per indicator, each in its style
    /// (`g0`…`g7`) with its id written at its last point, so it reads without colour.
    /// - Complexity: O(points).
    mutating func multiLineChart(_ c: ReportCharts.MultiLineChart, indicators: String) {
        chartOpening(kind: "growth", indicator: indicators, width: c.width, height: c.height, minWidth: 420,
                     label: c.label)
        grid(c.ticks, from: c.plotLeft, to: c.plotRight, tickX: c.tickX)
        monthLabels(c.months, y: c.labelY)
        raw("\n")
        axis(c.plotLeft, c.plotRight, c.plotBottom)
        raw("\n")
        for s in c.series where !s.points.isEmpty {
            raw("<g class=\"")
            raw(s.style)
            raw("\"><polyline class=\"gl\" points=\"")
            text(s.linePoints)
            raw("\"/>")
            for p in s.points {
                raw("<circle class=\"gp\" cx=\"")
                int(p.x)
                raw("\" cy=\"")
                int(p.y)
                raw("\" r=\"3\"><title>")
                text(s.key)
                raw(", ")
                text(p.month)
                raw(": ")
                text(p.text)
                raw(" %</title></circle>")
            }
            raw("<text class=\"ge\" x=\"")
            int(s.keyX)
            raw("\" y=\"")
            int(s.keyY)
            raw("\">")
            text(s.key)
            raw("</text></g>\n")
        }
        raw("</svg>")
    }

    /// One area of the growth section's trend part: heading, chart, and the same values as a
    /// collapsible table (`table` with its rows).
    mutating func growthTrendBlock(anchor: String, title: String, chart: ReportCharts.MultiLineChart,
                                   indicators: String, table: Table) {
        raw("<div class=\"pkm\" id=\"")
        text(anchor)
        raw("\">\n<h3>")
        text(title)
        raw("</h3>\n<figure class=\"growth-trend\">")
        multiLineChart(chart, indicators: indicators)
        raw("<figcaption>")
        text(chart.label)
        raw(".</figcaption></figure>\n<details class=\"trend-table\"><summary>Tabel tren (teks pengganti grafik)</summary>")
        self.table(table)
        raw("</details>\n</div>\n")
    }
}
