

/// A percentage already rounded once, half away from zero, to two decimals, kept exactly as
/// hundredths of a percent (`12.35 %` is 1235).
public struct Percent: Sendable, Hashable, Comparable {
    public var hundredths: Int

    public init(hundredths: Int) { self.hundredths = hundredths }

    /// `12.35`, `-5.00`, `100.00`.
    public var text: String {
        let sign = hundredths < 0 ? "-" : ""
        let a = abs(hundredths)
        let frac = a % 100
        return "\(sign)\(a / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    /// `part` of `whole` in percent, rounded half away from zero from the exact counts (the
    /// reject rate of the console, the report and the workbook alike); nil when `whole` ≤ 0.
    public static func of(_ part: Int, _ whole: Int) -> Percent? {
        guard whole > 0 else { return nil }
        return ExactFraction.percentHundredths(part, ExactDecimal(whole)).map(Percent.init(hundredths:))
    }

    /// For drawing only (charts); never for decisions.
    public var value: Double { Double(hundredths) / 100 }

    public static func < (lhs: Percent, rhs: Percent) -> Bool { lhs.hundredths < rhs.hundredths }
}

/// The area levels of spec §2.5, in output order.
public enum AreaLevel: String, Sendable, CaseIterable, Comparable {
    case kabkota, kecamatan, puskesmas, desa, rw, rt

    public var order: Int { AreaLevel.allCases.firstIndex(of: self)! }
    public static func < (lhs: AreaLevel, rhs: AreaLevel) -> Bool { lhs.order < rhs.order }
}

/// What the report and `pws indicators` show about an indicator of the catalogue.
public struct IndicatorInfo: Sendable, Hashable {
    public var id: String
    public var name: String
    /// `lifetime`, `year` or `monthly`.
    public var scope: String
    /// `person`, `pregnancy` or `delivery`.
    public var subject: String
    /// A target group, `indicator:ID`, or empty for count-only.
    public var denominator: String
    /// Annual target; nil for count-only.
    public var targetAnnual: Percent?
    /// Which way coverage is better: villages are ranked best first (§A6). Every indicator of
    /// today's catalogue is higher-is-better; the growth indicators (§A4) will be lower-is-better.
    public var direction: IndicatorDirection
    /// The rule kind's catalogue name (`first`, `growth_zscore`, …); empty when not known.
    public var rule: String
    /// Whether the cumulative target of month m is the annual one × m / 12 (a target group's
    /// coverage) rather than the annual one every month (a ratio: a rate, a prevalence among
    /// the measured, an area count).
    public var proratesTarget: Bool

    public init(id: String, name: String, scope: String, subject: String, denominator: String, targetAnnual: Percent?,
                direction: IndicatorDirection = .higherIsBetter, rule: String = "", proratesTarget: Bool = true) {
        self.id = id
        self.name = name
        self.scope = scope
        self.subject = subject
        self.denominator = denominator
        self.targetAnnual = targetAnnual
        self.direction = direction
        self.rule = rule
        self.proratesTarget = proratesTarget
    }

    public var isCountOnly: Bool { targetAnnual == nil && denominator.isEmpty }
}

/// Which way an indicator's coverage is better.
public enum IndicatorDirection: String, Sendable, Hashable {
    /// More is better (coverage of a service): ranked descending.
    case higherIsBetter
    /// Less is better (stunting, drop-out): ranked ascending.
    case lowerIsBetter
}

/// One row of `indicators.csv` (spec §7): one (month, level, area, indicator).
public struct IndicatorRow: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var level: AreaLevel
    public var areaCode: String
    public var areaName: String
    public var parentCode: String
    public var indicator: String
    public var scope: String
    public var numeratorMonth: Int
    /// Subjects attaining in the month before (December of the year before for January); not a
    /// column of indicators.csv, used by the PWS tables and the report.
    public var numeratorPrevMonth: Int = 0
    /// Empty for monthly scope.
    public var numeratorCumulative: Int?
    /// Exact, unrounded (spec §A1); printed with at most 2 decimals.
    public var denominator: ExactDecimal?
    public var denominatorSource: String
    public var coverageMonthPct: Percent?
    public var coverageCumulativePct: Percent?
    public var coveragePrevMonthPct: Percent?
    public var targetAnnualPct: Percent?
    public var targetPct: Percent?
    public var gapPct: Percent?
    /// `naik`, `tetap`, `turun` or empty.
    public var trend: String
    /// `baik`, `kurang`, `cukup`, `jelek` or empty.
    public var status: String

    public init(year: Int, month: Int, level: AreaLevel, areaCode: String, areaName: String, parentCode: String,
                indicator: String, scope: String, numeratorMonth: Int, numeratorCumulative: Int?,
                denominator: ExactDecimal?, denominatorSource: String, coverageMonthPct: Percent?,
                coverageCumulativePct: Percent?, coveragePrevMonthPct: Percent?, targetAnnualPct: Percent?,
                targetPct: Percent?, gapPct: Percent?, trend: String, status: String) {
        self.year = year
        self.month = month
        self.level = level
        self.areaCode = areaCode
        self.areaName = areaName
        self.parentCode = parentCode
        self.indicator = indicator
        self.scope = scope
        self.numeratorMonth = numeratorMonth
        self.numeratorCumulative = numeratorCumulative
        self.denominator = denominator
        self.denominatorSource = denominatorSource
        self.coverageMonthPct = coverageMonthPct
        self.coverageCumulativePct = coverageCumulativePct
        self.coveragePrevMonthPct = coveragePrevMonthPct
        self.targetAnnualPct = targetAnnualPct
        self.targetPct = targetPct
        self.gapPct = gapPct
        self.trend = trend
        self.status = status
    }
}

/// One row of `completeness.csv`: a facility's reporting in one month.
public struct CompletenessRow: Sendable, Hashable {
    public var facility: String
    public var facilityType: String
    public var year: Int
    public var month: Int
    public var records: Int
    public var persons: Int
    public var reported: Bool

    public init(facility: String, facilityType: String, year: Int, month: Int, records: Int, persons: Int, reported: Bool) {
        self.facility = facility
        self.facilityType = facilityType
        self.year = year
        self.month = month
        self.records = records
        self.persons = persons
        self.reported = reported
    }
}
