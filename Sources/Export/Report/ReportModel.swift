import Mustache
import PWSCore

// View models of the report: plain values with the text already formatted, which the
// templates place.
//
// Speed: swift-mustache resolves a name on a plain struct through `Mirror`, and a name that is
// missing or nil is looked up again in every enclosing context, up to the page. On a district
// page (≈140 000 cells) that made rendering take minutes in debug builds. So the repeated types
// answer lookups themselves (`MustacheParent`), and answer `false` — not nil — for an absent
// optional, which ends the lookup there and renders an empty section.
//
// Field names are unique across nesting levels on purpose, so a name that is meant to be found
// in an enclosing context (a chart's `plotLeft` inside its bars) is never shadowed.

/// A table cell: text, CSS class (none: a right-aligned number), an optional second line, link
/// and tooltip. The class is one token of `[a-z0-9]` and written unquoted: a district page has
/// a quarter of a million cells.
struct Cell: MustacheParent {
    var t: String
    var c: String? = nil
    var s: String? = nil
    var href: String? = nil
    var tip: String? = nil

    func child(named name: String) -> Any? {
        switch name {
        case "t": t
        case "c": c ?? false
        case "s": s ?? false
        case "href": href ?? false
        case "tip": tip ?? false
        default: nil
        }
    }
}

/// A header cell.
struct Head: MustacheParent {
    var ht: String
    var colspan: Int? = nil
    var rowspan: Int? = nil
    var htip: String? = nil
    var hc: String? = nil

    func child(named name: String) -> Any? {
        switch name {
        case "ht": ht
        case "colspan": colspan ?? false
        case "rowspan": rowspan ?? false
        case "htip": htip ?? false
        case "hc": hc ?? false
        default: nil
        }
    }
}

struct HeadRow: MustacheParent {
    var hcells: [Head]

    func child(named name: String) -> Any? { name == "hcells" ? hcells : nil }
}

/// A body row: a row header cell and data cells.
struct TRow: MustacheParent {
    var rc: String?
    var th: Cell
    var cells: [Cell]

    func child(named name: String) -> Any? {
        switch name {
        case "rc": rc ?? false
        case "th": th
        case "cells": cells
        default: nil
        }
    }
}

struct Table: MustacheParent {
    var tcls: String
    var caption: String?
    var head: [HeadRow]
    var rows: [TRow]

    func child(named name: String) -> Any? {
        switch name {
        case "tcls": tcls
        case "caption": caption ?? false
        case "head": head
        case "rows": rows
        default: nil
        }
    }
}

struct TocItem {
    var tocAnchor: String
    var tocID: String
    var tocName: String
}

/// One puskesmas block of an indicator: its PWS chart and status table.
struct PuskesmasBlock {
    var ganchor: String
    var gname: String
    var chart: ReportCharts.BarChart
    var table: Table
}

struct IndicatorSection {
    var anchor: String
    var indID: String
    var indName: String
    var scopeText: String
    var subjectText: String
    var denominatorText: String
    var targetText: String
    var measureText: String
    var isCount: Bool
    var isMonthly: Bool
    var trendChart: ReportCharts.LineChart
    var trendTitle: String
    var trendNote: String?
    var trendTable: Table
    var groups: [PuskesmasBlock]
}

struct DrillVillage {
    var danchor: String
    var dname: String
    var dcounts: String
    var dtable: Table
}

struct DrillPuskesmas {
    var dpname: String
    var villages: [DrillVillage]
}

struct KeyValue {
    var key: String
    var value: String
}

struct Identity {
    var formula: String
    var ok: Bool
}

struct QualityModel {
    var accounting: [KeyValue]
    var identities: [Identity]
    var rejectRate: String
    var byRule: Table
    var hasRules: Bool
    var bySource: Table
    var hasSources: Bool
    var completeness: Table
    var hasCompleteness: Bool
    var completenessNote: String
}

struct PageModel {
    var title: String
    var regency: String
    var districts: String?
    var period: String
    var version: String
    var chartCount: Int
    var indicatorIDs: String
    var toc: [TocItem]
    var summary: Table
    var sections: [IndicatorSection]
    var drill: [DrillPuskesmas]
    var hasDrill: Bool
    var quality: QualityModel
}
