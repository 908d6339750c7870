/// An area as the output tables name it: one area of one level (spec §2.5).
public struct OutputArea: Sendable, Hashable {
    public var level: AreaLevel
    public var code: String
    public var name: String
    /// The code of the area one level up (empty for kabkota).
    public var parentCode: String

    public init(level: AreaLevel, code: String, name: String, parentCode: String) {
        self.level = level
        self.code = code
        self.name = name
        self.parentCode = parentCode
    }
}

/// Where a row's denominator came from: the `denominator_source` column (spec §5.1).
public enum DenominatorSource: Sendable, Hashable {
    /// No denominator (the column is empty).
    case none
    case sasaran
    /// The sum of the registered children's denominators.
    case sum
    /// Estimated from population.
    case estimate
    /// The numerator of another indicator of the catalogue (its index), as `D_S` is for `N_D`.
    case indicator(Int)
    /// Counted by the indicator itself: the subjects with a qualifying record (children measured,
    /// pregnancies tested; amendments §A4).
    case measured
    /// The number of registered villages under the area (an area count, `UCI_DESA`; §A5).
    case villages
}

/// `trend` (spec §6): monthly coverage of m against m−1.
public enum IndicatorTrend: UInt8, Sendable, Hashable {
    /// Empty: no coverage to compare.
    case none, naik, tetap, turun

    /// The column text (`naik`, `tetap`, `turun`, or empty).
    public var text: String {
        switch self {
        case .none: ""
        case .naik: "naik"
        case .tetap: "tetap"
        case .turun: "turun"
        }
    }
}

/// `status` (spec §6): coverage against target, and the trend.
public enum IndicatorStatus: UInt8, Sendable, Hashable {
    /// Empty: no denominator, no target or no trend.
    case none, baik, kurang, cukup, jelek

    /// The column text (`baik`, `kurang`, `cukup`, `jelek`, or empty).
    public var text: String {
        switch self {
        case .none: ""
        case .baik: "baik"
        case .kurang: "kurang"
        case .cukup: "cukup"
        case .jelek: "jelek"
        }
    }
}

/// The numbers of one `indicators.csv` row, with the area and the indicator as indices into the
/// run's area list and catalogue: a plain value with no `String`, so millions of rows can be
/// produced and written one at a time without allocating.
public struct IndicatorFigures: Sendable, Hashable {
    public var month: Int
    /// Index into the run's `OutputArea` list.
    public var area: Int
    /// Index into the catalogue (`IndicatorInfo` list).
    public var indicator: Int
    public var numeratorMonth: Int
    /// Subjects attaining in the month before (December of the year before for January).
    public var numeratorPrevMonth: Int
    /// nil for monthly scope.
    public var numeratorCumulative: Int?
    /// Exact, unrounded (spec §A1); printed with at most 2 decimals.
    public var denominator: ExactDecimal?
    public var denominatorSource: DenominatorSource
    public var coverageMonthPct: Percent?
    public var coverageCumulativePct: Percent?
    public var coveragePrevMonthPct: Percent?
    public var targetAnnualPct: Percent?
    public var targetPct: Percent?
    public var gapPct: Percent?
    public var trend: IndicatorTrend
    public var status: IndicatorStatus

    public init(month: Int, area: Int, indicator: Int, numeratorMonth: Int, numeratorPrevMonth: Int,
                numeratorCumulative: Int?, denominator: ExactDecimal?, denominatorSource: DenominatorSource,
                coverageMonthPct: Percent?, coverageCumulativePct: Percent?, coveragePrevMonthPct: Percent?,
                targetAnnualPct: Percent?, targetPct: Percent?, gapPct: Percent?, trend: IndicatorTrend,
                status: IndicatorStatus) {
        self.month = month
        self.area = area
        self.indicator = indicator
        self.numeratorMonth = numeratorMonth
        self.numeratorPrevMonth = numeratorPrevMonth
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

extension DenominatorSource {
    /// The column texts of the year's figures, the same every month: a target group's
    /// sasaran, their sum, an estimate, and the number of villages of an area count.
    public static let yearFigureTexts: Set<String> = ["sasaran", "sum", "estimate", "villages"]

    /// Every column text that is not an indicator's id; no indicator may be named so (ignoring
    /// case), or its rates' denominator_source would read as one of them.
    public static let reservedTexts: Set<String> = yearFigureTexts.union(["measured"])

    /// The column text, with `indicators` the catalogue the indices point into.
    public func text(indicators: [IndicatorInfo]) -> String {
        switch self {
        case .none: ""
        case .sasaran: "sasaran"
        case .sum: "sum"
        case .estimate: "estimate"
        case .indicator(let i): indicators[i].id
        case .measured: "measured"
        case .villages: "villages"
        }
    }
}

extension IndicatorRow {
    /// The full row of `figures`, naming its area and indicator.
    public init(_ figures: IndicatorFigures, year: Int, area: OutputArea, indicators: [IndicatorInfo]) {
        let info = indicators[figures.indicator]
        self.init(year: year, month: figures.month, level: area.level, areaCode: area.code, areaName: area.name,
                  parentCode: area.parentCode, indicator: info.id, scope: info.scope,
                  numeratorMonth: figures.numeratorMonth, numeratorCumulative: figures.numeratorCumulative,
                  denominator: figures.denominator,
                  denominatorSource: figures.denominatorSource.text(indicators: indicators),
                  coverageMonthPct: figures.coverageMonthPct, coverageCumulativePct: figures.coverageCumulativePct,
                  coveragePrevMonthPct: figures.coveragePrevMonthPct, targetAnnualPct: figures.targetAnnualPct,
                  targetPct: figures.targetPct, gapPct: figures.gapPct, trend: figures.trend.text,
                  status: figures.status.text)
        numeratorPrevMonth = figures.numeratorPrevMonth
    }
}
