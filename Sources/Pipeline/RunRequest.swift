import Foundation
import PWSCore
import Validate

/// What the command line asked for, for `pws run` and `pws validate`.
public struct RunRequest: Sendable {
    /// `run` or `validate`.
    public var command: String
    /// The arguments as given, for the manifest.
    public var arguments: [String]
    public var pipelinePath: String
    public var dataDirectory: String
    /// `--out`; for `validate` nil means print only.
    public var outputDirectory: String?
    public var asOf: YearMonth?
    public var today: Day
    public var keepIdentifiers: Bool
    /// Write CSVs for Indonesian-locale Excel (`;`, decimal comma, BOM).
    public var excel: Bool
    /// Go on without service files that cannot be read, listing them (`--skip-unreadable`).
    public var skipUnreadable = false
    /// Whether `--data` was given rather than defaulted: dedup, reduce and merge read the map's
    /// data folder and refuse another one given.
    public var dataDirectoryGiven = false

    public init(command: String, arguments: [String], pipelinePath: String, dataDirectory: String,
                outputDirectory: String?, asOf: YearMonth?, today: Day, keepIdentifiers: Bool, excel: Bool) {
        self.command = command
        self.arguments = arguments
        self.pipelinePath = pipelinePath
        self.dataDirectory = dataDirectory
        self.outputDirectory = outputDirectory
        self.asOf = asOf
        self.today = today
        self.keepIdentifiers = keepIdentifiers
        self.excel = excel
    }

    /// The machine's local date, the default `--today`.
    public static func localToday() -> Day {
        let c = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        return Day(year: c.year!, month: c.month!, day: c.day!)!
    }
}

/// What a finished command reports back: the exit status and lines for people.
public struct RunReport: Sendable {
    public var exitStatus: ExitStatus
    /// The accounting table and where things landed.
    public var lines: [String]
    /// The published folder (`OUT/YYYY-MM`), the refused folder, or the dry-run folder.
    public var folder: String?
    /// Each file's §3 accounting in read order, then the total: the table `--verbose` prints.
    public var fileAccounts: [FileAccount] = []
    /// Lines `--quiet` still prints when the command succeeds: what took data out of the
    /// month (`ConsoleSummary.attention`); they are among `lines` too.
    public var attention: [String] = []

    /// The per-file §3 table, printed before `lines` with `--verbose` (it is in run.json too);
    /// none for a report without accounts (`pws map`, `dedup`, `reduce`). Formatted only when
    /// asked for: at 10 000 files it is ~0.15 s a run without `--verbose` would spend at its
    /// very end, on one core.
    public var perFileLines: [String] { fileAccounts.isEmpty ? [] : ConsoleSummary.perFileLines(fileAccounts) }
}
