import Mustache
import PWSCore

// View models of the report: plain values with the text already formatted, which the
// templates place. Hot, repeated types answer Mustache lookups directly (MustacheParent)
// instead of through Mirror, which matters for a 300-village district.
//
// Field names are unique across nesting levels on purpose: Mustache looks a missing (nil)
// name up in the enclosing contexts, so a nil `href` on a cell must not find another one above.

/// A table cell: text, CSS class, an optional second line, link and tooltip.
struct Cell: MustacheParent {
    var t: String
    var c: String = ""
    var s: String? = nil
    var href: String? = nil
    var tip: String? = nil

    func child(named name: String) -> Any? {
        switch name {
        case "t": t
        case "c": c
        case "s": s
        case "href": href
        case "tip": tip
        default: nil
        }
    }
}

/// A header cell.
struct Head {
    var ht: String
    var colspan: Int? = nil
    var rowspan: Int? = nil
    var htip: String? = nil
    var hc: String = ""
}

struct HeadRow {
    var hcells: [Head]
}

/// A body row: a row header cell and data cells.
struct TRow: MustacheParent {
    var rc: String
    var th: Cell
    var cells: [Cell]

    func child(named name: String) -> Any? {
        switch name {
        case "rc": rc
        case "th": th
        case "cells": cells
        default: nil
        }
    }
}

struct Table {
    var tcls: String
    var caption: String?
    var head: [HeadRow]
    var rows: [TRow]
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
