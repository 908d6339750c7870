import PWSCore

/// Everything `report.html` shows, as plain values the run already has: the indicator rows of
/// `indicators.csv`, the catalogue, the area grouping, diagnostics, completeness and the §3 counts.
///
/// The renderer picks what it needs from `rows`: the as-of month at every level for the charts
/// and tables, the months 1…M of the kabupaten and puskesmas totals for the trend lines, and
/// the as-of month of RW and RT rows for the drill-down.
public struct ReportInput: Sendable {
    /// Kabupaten/kota name (`regency_name`), shown in the title.
    public var regencyName: String
    /// Kecamatan names in the area, in display order (empty: taken from the kecamatan rows).
    public var districtNames: [String]
    /// The as-of month M: charts and tables are for this month, trends run from 1 to M.
    public var asOf: YearMonth
    /// The reporting year Y (normally `asOf.year`).
    public var year: Int
    /// The catalogue, in catalogue order: one report section per indicator.
    public var indicators: [IndicatorInfo]
    /// The rows of `indicators.csv` (any months and levels; rows of other years are ignored).
    public var rows: ReportRows
    /// Village (desa) code → puskesmas code. A village missing here is shown under "(tanpa puskesmas)".
    public var villagePuskesmas: [String: String]
    /// Puskesmas code → name (empty: taken from the puskesmas rows).
    public var puskesmasNames: [String: String]
    /// Rows of `rejects.csv` (severity error).
    public var rejects: [Diagnostic]
    /// Rows of `warnings.csv` (severity warning).
    public var warnings: [Diagnostic]
    /// Source file (path relative to the data folder) → facility name, when known. A file
    /// without a name is shown by its path: one file per posyandu per month is the usual layout.
    public var sourceFacilityNames: [String: String]
    /// Rows of `completeness.csv`.
    public var completeness: [CompletenessRow]
    /// The §3 accounting totals of the run.
    public var accounting: ReportAccounting
    /// The rows of `tindak-lanjut.csv` (§A4) of the run: the growth section counts them per
    /// posyandu. Shown only when the catalogue has a growth indicator (`ReportBuilder.growthIndicators`).
    public var followUp: [FollowUpRow]
    /// Tool version for the footer (no wall-clock time: the page must be byte-identical across
    /// reruns of the same inputs).
    public var toolVersion: String
    /// How deep the per-village drill-down goes. RT rows are most of a district page's bytes
    /// (see `bench/report/README.md`). Whatever the depth, a village shows at most the rows
    /// `ReportLimits` allows (its RWs only when its RTs do not fit).
    public var drillDown: ReportDrillDown
    /// Villages without a target of the year (nil: every village has one).
    public var estimatedTargets: EstimatedTargets?
    /// Villages with targets of their own whose RWs' estimates add up to another figure (nil:
    /// none), said under the drill-down, where RW and RT sasaran are shown.
    public var ownTargetsOverEstimates: OwnTargetsOverEstimates?
    /// The status of "short of the target and `tetap`" (`status.tetap_below_target`: cukup or
    /// jelek), as the legend says it.
    public var tetapBelowTarget: IndicatorStatus = .cukup
    /// The follow-up list's z-score limits, as its column tips say them.
    public var followUpThresholds = FollowUpThresholds()
    /// How many drill-down rows and source files a big district shows (docs/report.md, "Size").
    var limits = ReportLimits()

    public init(regencyName: String, districtNames: [String] = [], asOf: YearMonth, year: Int? = nil,
                indicators: [IndicatorInfo], rows: [IndicatorRow],
                villagePuskesmas: [String: String], puskesmasNames: [String: String] = [:],
                rejects: [Diagnostic] = [], warnings: [Diagnostic] = [],
                sourceFacilityNames: [String: String] = [:], completeness: [CompletenessRow] = [],
                accounting: ReportAccounting, toolVersion: String = PWSVersion.current,
                drillDown: ReportDrillDown = .rt, followUp: [FollowUpRow] = []) {
        self.init(regencyName: regencyName, districtNames: districtNames, asOf: asOf, year: year, indicators: indicators,
                  reportRows: ReportRows(rows), villagePuskesmas: villagePuskesmas, puskesmasNames: puskesmasNames,
                  rejects: rejects, warnings: warnings, sourceFacilityNames: sourceFacilityNames,
                  completeness: completeness, accounting: accounting, toolVersion: toolVersion,
                  drillDown: drillDown, followUp: followUp)
    }

    /// The same, with the rows as `ReportRows` (a run's: positions in its values).
    public init(regencyName: String, districtNames: [String] = [], asOf: YearMonth, year: Int? = nil,
                indicators: [IndicatorInfo], reportRows rows: ReportRows,
                villagePuskesmas: [String: String], puskesmasNames: [String: String] = [:],
                rejects: [Diagnostic] = [], warnings: [Diagnostic] = [],
                sourceFacilityNames: [String: String] = [:], completeness: [CompletenessRow] = [],
                accounting: ReportAccounting, toolVersion: String = PWSVersion.current,
                drillDown: ReportDrillDown = .rt, followUp: [FollowUpRow] = []) {
        self.regencyName = regencyName
        self.districtNames = districtNames
        self.asOf = asOf
        self.year = year ?? asOf.year
        self.indicators = indicators
        self.rows = rows
        self.villagePuskesmas = villagePuskesmas
        self.puskesmasNames = puskesmasNames
        self.rejects = rejects
        self.warnings = warnings
        self.sourceFacilityNames = sourceFacilityNames
        self.completeness = completeness
        self.accounting = accounting
        self.toolVersion = toolVersion
        self.drillDown = drillDown
        self.followUp = followUp
    }
}

/// Villages whose target-group denominators of the report's year are not all from the targets
/// file (no row for some group there), which the page says at its top: those coverages are
/// against the register's population estimates, or have none with estimation off
/// (`denominator_source` says `sum` above the RT either way — spec §A1).
public struct EstimatedTargets: Sendable, Equatable {
    /// Their names, in area order.
    public var villages: [String]
    /// The targets file has no row for the year at all.
    public var yearMissing: Bool
    /// The data folder has no targets file at all.
    public var noFile: Bool
    /// The pipeline estimates denominators (else those villages have none).
    public var estimated: Bool
    /// The targets file's name (`sasaran.csv`, `sasaran.xlsx`).
    public var file: String

    public init(villages: [String], yearMissing: Bool, noFile: Bool, estimated: Bool, file: String = "sasaran.csv") {
        self.villages = villages
        self.yearMissing = yearMissing
        self.noFile = noFile
        self.estimated = estimated
        self.file = file
    }
}

/// Villages with a target of their own for a group whose RW and RT denominators are
/// estimates adding up to another figure (`IndicatorValues.estimatesUnderOwnTargets`): how many,
/// and one example with both figures.
public struct OwnTargetsOverEstimates: Sendable, Equatable {
    public var villages: Int
    public var group: String
    public var village: String
    public var villageCode: String
    public var own: ExactDecimal
    public var below: ExactDecimal

    public init(villages: Int, group: String, village: String, villageCode: String, own: ExactDecimal, below: ExactDecimal) {
        self.villages = villages
        self.group = group
        self.village = village
        self.villageCode = villageCode
        self.own = own
        self.below = below
    }
}

/// The levels the report's RW/RT drill-down shows, for the as-of month.
public enum ReportDrillDown: String, Sendable, CaseIterable {
    /// Each village's RWs and the RTs under them.
    case rt
    /// Each village's RWs only.
    case rw
    /// No drill-down section.
    case off
}

/// The §3 accounting of the service-record rows:
/// `read = rejected + accepted` and `accepted = used + duplicate + outOfPeriod`.
public struct ReportAccounting: Sendable, Hashable {
    public var rowsRead: Int
    public var rowsRejected: Int
    public var rowsAccepted: Int
    public var rowsUsed: Int
    public var rowsDuplicate: Int
    public var rowsOutOfPeriod: Int

    public init(rowsRead: Int, rowsRejected: Int, rowsAccepted: Int, rowsUsed: Int,
                rowsDuplicate: Int, rowsOutOfPeriod: Int) {
        self.rowsRead = rowsRead
        self.rowsRejected = rowsRejected
        self.rowsAccepted = rowsAccepted
        self.rowsUsed = rowsUsed
        self.rowsDuplicate = rowsDuplicate
        self.rowsOutOfPeriod = rowsOutOfPeriod
    }

    /// `read = rejected + accepted`.
    public var readBalances: Bool { rowsRead == rowsRejected + rowsAccepted }
    /// `accepted = used + duplicate + out of period`.
    public var acceptedBalances: Bool { rowsAccepted == rowsUsed + rowsDuplicate + rowsOutOfPeriod }
}

/// Why a report could not be rendered (a template that does not parse: a programming error
/// caught by the tests, never by input).
public struct ReportError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "report: \(message)" }
}
