import PWSCore

/// What `pws generate` should produce. Every choice that changes the output is here, so the
/// same options give the same bytes.
public struct GeneratorOptions: Sendable, Hashable {
    /// Seed of every random choice.
    public var seed: UInt64
    /// Approximate number of service records (rows in `layanan/`); the population is scaled
    /// to it.
    public var records: Int
    /// The reporting year; records cover it plus `historyMonths` before it.
    public var year: Int
    /// Number of villages; nil = derived from `records` (8 for the default 50 000, at most 120).
    public var villages: Int?
    /// Months of the previous year also written (default 3: October–December), so pregnancies
    /// and weighings that start before January have their history.
    public var historyMonths: Int
    /// Share of service records that carry an injected §3 problem (default 1.5 %).
    public var problemRate: Double
    /// Also write one small file that lacks a required column (`E-COLUMNS`): it rejects every
    /// row of the file, so it is off by default.
    public var columnsProblemFile: Bool
    /// The 4-digit kabupaten/kota code (`PPKK`) of every village.
    public var regencyCode: String
    /// Write the service files as `.xlsx` workbooks holding the same records (`--format xlsx`).
    public var workbooks = false
    /// Write the service records as a FHIR R4 NDJSON export in `fhir/` (`--format fhir`).
    public var fhir = false
    /// Every posyandu session on this day of the month, 1…31 (the month's last day when
    /// shorter); nil = each posyandu on its own day ± 2 (`--posyandu-day`).
    public var posyanduDay: Int?
    /// Move the posyandu weighings into wide registers, one `.xlsx` per posyandu and year
    /// (`--format wide`; needs `posyanduDay`, the registers' visit day). See `WideConversion`.
    public var wideRegisters = false

    /// Creates options; `year` has no default here because it depends on today's date.
    public init(seed: UInt64 = 1, records: Int = 50_000, year: Int, villages: Int? = nil,
                historyMonths: Int = 3, problemRate: Double = 0.015,
                columnsProblemFile: Bool = false, regencyCode: String = "3201") {
        self.seed = seed
        self.records = records
        self.year = year
        self.villages = villages
        self.historyMonths = historyMonths
        self.problemRate = problemRate
        self.columnsProblemFile = columnsProblemFile
        self.regencyCode = regencyCode
    }

    /// The villages to build: the given count, or one per ~6 000 records within 4…120.
    public var effectiveVillages: Int {
        if let villages { return max(1, villages) }
        return min(120, max(4, (records + 3_000) / 6_000))
    }

    /// The most villages a generated register has: 99 kecamatan (two-digit codes) of 12.
    public static let maxVillages = 99 * 12

    /// Checks the options; the message says what to change.
    public func validate() throws {
        guard records >= 1 else { throw PWSError(.usage, "--records must be at least 1") }
        guard records <= 2_000_000_000 else { throw PWSError(.usage, "--records is too large") }
        guard (1900...2999).contains(year) else {
            throw PWSError(.usage, "--year must be 1900…2999, got \(year)")
        }
        // Twelve villages a kecamatan and two-digit kecamatan codes (§2.2): beyond 99 × 12 the
        // codes of two kecamatan collided and the register was one `pws run` refuses.
        if let villages, !(1...Self.maxVillages).contains(villages) {
            throw PWSError(.usage, "--villages must be 1…\(Self.maxVillages) (99 kecamatan of 12 villages), got \(villages)")
        }
        guard (0...12).contains(historyMonths) else {
            throw PWSError(.usage, "--history-months must be 0…12, got \(historyMonths)")
        }
        guard problemRate >= 0, problemRate <= 0.5 else {
            throw PWSError(.usage, "--problem-rate must be between 0 and 0.5, got \(problemRate)")
        }
        if let posyanduDay, !(1...31).contains(posyanduDay) {
            throw PWSError(.usage, "--posyandu-day must be 1…31, got \(posyanduDay)")
        }
        if wideRegisters && posyanduDay == nil {
            throw PWSError(.usage, "wide registers need a posyandu day (the day their month columns stand for)")
        }
        guard regencyCode.utf8.count == 4, regencyCode.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              regencyCode.first != "0" else {
            throw PWSError(.usage, "--regency-code must be 4 digits (PPKK), got \"\(regencyCode)\"")
        }
    }
}

/// What a generation wrote: counts people and tests check.
public struct GenerationSummary: Sendable {
    /// Rows written to `layanan/` files (headers and blank lines excluded).
    public var records: Int = 0
    /// Service-record files written.
    public var files: Int = 0
    /// Total bytes of every file written.
    public var bytes: Int = 0
    /// Residents simulated (register population plus births).
    public var persons: Int = 0
    /// Villages in the register.
    public var villages: Int = 0
    /// RT rows in the register.
    public var rts: Int = 0
    /// Injected problems by the rule they should trigger (W-DUPLICATE counts the extra rows).
    public var injected: [RuleCode: Int] = [:]
    /// Paths written, relative to the output folder, in byte order.
    public var paths: [String] = []
    /// Of `records`, the weighings written as cells of wide registers (`--format wide`).
    public var registerRecords = 0
    /// Immunisation doses given before the window to children under one year at its start,
    /// entered back into the registers of the window's first month (before planted duplicates).
    public var backEntered = 0

    /// All injected problems.
    public var injectedTotal: Int { injected.values.reduce(0, +) }
    /// Injected problems whose rule rejects the row.
    public var injectedErrors: Int {
        injected.filter { $0.key.severity == .error }.values.reduce(0, +)
    }
}
