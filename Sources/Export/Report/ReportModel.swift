import Mustache
import PWSCore

// View models of the report. Two kinds:
//
// - Tables (`Table`, `TRow`, `Cell`) are data that `HTMLWriter.table` turns into markup; their
//   numbers stay numbers until written.
// - The page (`PageModel` and what it holds) is what the Mustache page template places: words,
//   and the finished tables, charts and per-puskesmas/per-village blocks as `HTML` fragments, so
//   the template has a few hundred tags to resolve even on a district page, not millions.
//
// Speed: swift-mustache resolves a name on a plain struct through `Mirror`, and a name that is
// missing or nil is looked up again in every enclosing context, up to the page. So the types
// that repeat (per indicator, per puskesmas, per village) answer lookups themselves
// (`MustacheParent`), and answer `false` — not nil — for an absent optional, which ends the
// lookup there and renders an empty section. Field names are unique across nesting levels on
// purpose, so a name meant for an enclosing context is never shadowed.

/// What a table cell says. Numbers stay numbers until the writer formats them, so the quarter
/// of a million cells of a district page allocate no strings.
enum CellValue {
    /// Text (escaped when written).
    case text(String)
    /// A fixed word of the report.
    case literal(StaticString)
    /// A count with thousands dots (`1.250`); `–` when nil.
    case count(Int?)
    /// A percentage, two decimals, decimal comma (`57,14`); `–` when nil.
    case pct(Percent?)
    /// A gap with its sign (`+3,50`); `–` when nil.
    case gap(Percent?)
    /// A count over another (`3/12`).
    case fraction(Int?, Int?)
    /// A sasaran, with thousands dots and at most 2 decimals (`1.018,5`); `–` when nil.
    case sasaran(ExactDecimal?)
    /// Numerator over sasaran (`3/12`, `3/101,2`).
    case ofSasaran(Int?, ExactDecimal?)
    /// A share with one decimal and a percent sign (`87,5 %`).
    case share(Double)
    /// Records and persons of a facility-month (`1.250 catatan, 980 orang`).
    case records(Int, persons: Int)
    /// A prevalence with its status letter, and numerator/denominator on a second line
    /// (`12,50 C<small>2/16</small>`): a growth section cell, where "2 of 16 children" matters.
    case prevalence(Percent?, letter: StaticString, numerator: Int?, denominator: ExactDecimal?)
}

/// A table cell: text with an optional status letter after it, CSS class (none: a
/// right-aligned number), link and tooltip. The class is one token of `[a-z0-9]` and written
/// unquoted: a district page has a quarter of a million cells.
struct Cell {
    var t: CellValue
    /// Status letter (`B`, `K`, `C`, `J`) written after the text, or empty.
    var letter: StaticString = ""
    var c: StaticString? = nil
    var href: String? = nil
    var tip: CellValue? = nil
}

/// A header cell.
struct Head {
    var ht: String
    var colspan: Int? = nil
    var rowspan: Int? = nil
    var htip: String? = nil
    var hc: StaticString? = nil
}

struct HeadRow {
    var hcells: [Head]
}

/// A body row: a row header cell and data cells.
struct TRow {
    var rc: StaticString?
    var th: Cell
    var cells: [Cell]
}

struct Table {
    var tcls: StaticString
    var caption: String?
    var head: [HeadRow]
    var rows: [TRow]
}

struct TocItem: MustacheParent {
    var tocAnchor: String
    var tocID: String
    var tocName: String

    func child(named name: String) -> Any? {
        switch name {
        case "tocAnchor": tocAnchor
        case "tocID": tocID
        case "tocName": tocName
        default: nil
        }
    }
}

struct IndicatorSection: MustacheParent {
    var anchor: String
    var indID: String
    var indName: String
    var scopeText: String
    var subjectText: String
    /// `Sasaran` for a target group, `Penyebut` for any other denominator (those measured, another
    /// indicator's numerator, the villages): "sasaran" means the projected target population.
    var denominatorLabel: String
    var denominatorText: String
    var targetText: String
    var measureText: String
    var isCount: Bool
    var trendChart: HTML
    var trendTitle: String
    var trendNote: String?
    var trendTable: HTML
    /// The puskesmas blocks: for each puskesmas its PWS chart and status table (`ReportMarkup`).
    var groups: HTML
    /// How many PWS charts `groups` holds.
    var groupCount: Int

    func child(named name: String) -> Any? {
        switch name {
        case "anchor": anchor
        case "indID": indID
        case "indName": indName
        case "scopeText": scopeText
        case "subjectText": subjectText
        case "denominatorLabel": denominatorLabel
        case "denominatorText": denominatorText
        case "targetText": targetText
        case "measureText": measureText
        case "isCount": isCount
        case "trendChart": trendChart
        case "trendTitle": trendTitle
        case "trendNote": trendNote ?? false
        case "trendTable": trendTable
        case "groups": groups
        default: nil
        }
    }
}

struct DrillPuskesmas: MustacheParent {
    var dpname: String
    /// One collapsible entry per village (`ReportMarkup`).
    var villages: HTML

    func child(named name: String) -> Any? {
        switch name {
        case "dpname": dpname
        case "villages": villages
        default: nil
        }
    }
}

struct KeyValue: MustacheParent {
    var key: String
    var value: String

    func child(named name: String) -> Any? {
        switch name {
        case "key": key
        case "value": value
        default: nil
        }
    }
}

struct Identity: MustacheParent {
    var formula: String
    var ok: Bool

    func child(named name: String) -> Any? {
        switch name {
        case "formula": formula
        case "ok": ok
        default: nil
        }
    }
}

struct QualityModel: MustacheParent {
    var accounting: [KeyValue]
    var identities: [Identity]
    var rejectRate: String
    var byRule: HTML
    var hasRules: Bool
    var bySource: HTML
    var hasSources: Bool
    /// Says how many source files the table leaves out (see `ReportLimits`).
    var sourcesNote: String?
    var completeness: HTML
    var hasCompleteness: Bool
    var completenessNote: String

    func child(named name: String) -> Any? {
        switch name {
        case "accounting": accounting
        case "identities": identities
        case "rejectRate": rejectRate
        case "byRule": byRule
        case "hasRules": hasRules
        case "bySource": bySource
        case "hasSources": hasSources
        case "sourcesNote": sourcesNote ?? false
        case "completeness": completeness
        case "hasCompleteness": hasCompleteness
        case "completenessNote": completenessNote
        default: nil
        }
    }
}

/// The growth section (§A4, `ReportBuilder+Growth.swift`): prevalence per desa, the monthly
/// trend per area, and the follow-up list counted per posyandu.
struct GrowthSection: MustacheParent {
    /// The growth indicators shown, in catalogue order (`T, 2T, BGM`).
    var growthList: String
    /// The prevalence table: kabupaten, then each puskesmas and its villages.
    var growthTable: HTML
    /// The line-style key of the trend charts.
    var growthKey: HTML
    /// The trend charts with their tables: the kabupaten, then each puskesmas.
    var growthTrends: HTML
    /// The follow-up counts per posyandu.
    var followUpTable: HTML
    var hasFollowUp: Bool
    var followUpNote: String

    func child(named name: String) -> Any? {
        switch name {
        case "growthList": growthList
        case "growthTable": growthTable
        case "growthKey": growthKey
        case "growthTrends": growthTrends
        case "followUpTable": followUpTable
        case "hasFollowUp": hasFollowUp
        case "followUpNote": followUpNote
        default: nil
        }
    }
}

struct PageModel: MustacheParent {
    var title: String
    var regency: String
    var districts: String?
    var period: String
    var version: String
    var chartCount: Int
    var indicatorIDs: String
    /// The lower-is-better indicators, for the legend (nil: none).
    var lowerList: String?
    /// The legend's words for cukup and jelek, higher- and lower-is-better: where "short of the
    /// target and `tetap`" goes follows `status.tetap_below_target` (`StatusWords`).
    var words: StatusWords
    var toc: [TocItem]
    var summary: HTML
    var sections: [IndicatorSection]
    var drill: [DrillPuskesmas]
    var hasDrill: Bool
    var drillNote: String?
    /// Said at the top when villages' denominators are not from sasaran.csv.
    var targetsNotice: String?
    var quality: QualityModel
    /// The growth section; nil when the catalogue has no growth indicator (the page is then
    /// byte for byte what it was before the section existed).
    var growth: GrowthSection?

    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "regency": regency
        case "districts": districts ?? false
        case "period": period
        case "version": version
        case "chartCount": chartCount
        case "indicatorIDs": indicatorIDs
        case "lowerList": lowerList ?? false
        case "higherC": words.higherC
        case "higherJ": words.higherJ
        case "lowerC": words.lowerC
        case "lowerJ": words.lowerJ
        case "toc": toc
        case "summary": summary
        case "sections": sections
        case "drill": drill
        case "hasDrill": hasDrill
        case "drillNote": drillNote ?? false
        case "targetsNotice": targetsNotice ?? false
        case "quality": quality
        case "growth": growth ?? false
        default: nil
        }
    }
}

/// The status rule's words for cukup and jelek (Indonesian, escaped by the template), by where
/// `status.tetap_below_target` puts a `tetap` short of the target: cukup (the default) or jelek.
struct StatusWords {
    var higherC, higherJ, lowerC, lowerJ: String

    init(tetapBelowTarget: IndicatorStatus) {
        if tetapBelowTarget == .jelek {
            (higherC, higherJ) = ("capaian < target dan tren naik", "capaian < target, tren turun/tetap")
            (lowerC, lowerJ) = ("> target dan turun", "> target, naik/tetap")
        } else {
            (higherC, higherJ) = ("capaian < target, tren naik/tetap", "capaian < target dan tren turun")
            (lowerC, lowerJ) = ("> target, turun/tetap", "> target dan naik")
        }
    }
}
