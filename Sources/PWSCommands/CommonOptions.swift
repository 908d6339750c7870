import ArgumentParser
import Export
import Foundation
import Logging
import Pipeline
import PWSCore

/// Options shared by `run` and `validate`.
struct CommonOptions: ParsableArguments {
    @Option(help: "Pipeline definition (YAML). Default: the built-in one (`pws pipeline show`).")
    var pipeline: String?

    @Option(help: "Data folder with wilayah.csv, sasaran.csv and layanan/ (default: sample-data).")
    var data: String?

    @Option(name: .customLong("as-of"), help: "Report year and month, YYYY-MM. Default: the month of the latest accepted visit.")
    var asOf: String?

    @Option(help: "The run's today, YYYY-MM-DD: later visit dates are rejected (E-FUTURE). Default: the machine's date.")
    var today: String?

    @Flag(name: .customLong("keep-identifiers"), help: "Write person identifiers unmasked into rejects.csv and warnings.csv, and each person's full NIK and name into tindak-lanjut.csv.")
    var keepIdentifiers = false

    @Flag(help: "Write CSV files for Indonesian-locale Excel: ';' separator, decimal comma, UTF-8 BOM.")
    var excel = false

    @Flag(help: "Print only errors: no summary, no progress (for cron). A refused run (exit 65) still prints its summary, which says why.")
    var quiet = false

    @Flag(name: .customLong("skip-unreadable"),
          help: "Go on without service files that cannot be read (FIFO, device, directory, broken symlink, unreadable, non-UTF-8 name), listing them; without it such inputs stop the run with exit 66.")
    var skipUnreadable = false

    @Flag(help: "Also print the per-file row accounting (it is always in run.json).")
    var verbose = false

    func validate() throws {
        if data?.isEmpty == true { throw ValidationError("--data is empty; give the data folder (wilayah.csv, layanan/ …)") }
        if let asOf, YearMonth(asOf) == nil {
            throw ValidationError("--as-of \"\(asOf)\" is not a month; write it as YYYY-MM, e.g. 2025-03")
        }
        if let today, parseToday(today) == nil {
            throw ValidationError("--today \"\(today)\" is not a date; write it as YYYY-MM-DD")
        }
        // Visits after today are rejected (E-FUTURE), so a later month would publish a run of
        // zeros as if it were a report.
        if let asOf, let month = YearMonth(asOf) {
            let day = today.flatMap(parseToday) ?? RunRequest.localToday()
            if month > YearMonth(day) {
                throw ValidationError("--as-of \(asOf) is after the run's today (\(day)): visits after today are rejected, so that month has none; give a month up to \(YearMonth(day))\(today == nil ? ", or set --today" : "")")
            }
        }
    }

    func parseToday(_ text: String) -> Day? {
        let p = text.split(separator: "-")
        guard p.count == 3, p[0].count == 4, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]) else { return nil }
        return Day(year: y, month: m, day: d)
    }

    func request(command: String, output: String?) -> RunRequest {
        var request = RunRequest(command: command, arguments: Array(CommandLine.arguments.dropFirst()),
                   pipelinePath: pipeline ?? PipelineDefinition.defaultPath(), dataDirectory: data ?? "sample-data",
                   outputDirectory: output, asOf: asOf.flatMap(YearMonth.init),
                   today: today.flatMap(parseToday) ?? RunRequest.localToday(),
                   keepIdentifiers: keepIdentifiers, excel: excel)
        request.skipUnreadable = skipUnreadable
        request.dataDirectoryGiven = data != nil
        return request
    }

    /// Logs plain lines to stderr when it is not a terminal (cron); on a terminal, a progress
    /// line (stage, files, rows, ETA) takes the place of the info lines. `--quiet` keeps errors
    /// only, and no progress.
    func makeLogger() -> (Logger, (@Sendable (String) -> Void)?) {
        let quiet = self.quiet
        let terminal = isatty(2) == 1
        var logger = Logger(label: "pws") { label in
            ConsoleLogHandler(inner: StreamLogHandler.standardError(label: label), clearsProgress: terminal && !quiet)
        }
        logger.logLevel = quiet ? .error : terminal ? .warning : .info
        guard terminal && !quiet else { return (logger, nil) }
        let progress: @Sendable (String) -> Void = { line in
            FileHandle.standardError.write(Data("\r\u{1B}[K\(consoleText(line))".utf8))
        }
        return (logger, progress)
    }
}

/// Writes `data` to standard output after the lines `print` has buffered.
/// - Throws: `PWSError` (exit 73) when the write fails.
func writeStandardOutput(_ data: Data) throws {
    try flushStandardOutput()
    // POSIX writes, whose errno is the reason: FileHandle's error said "NSCocoaErrorDomain error
    // 512" for a closed pipe.
    if let failure = OutputFile.writeAll(data, to: 1) {
        throw PWSError(.outputNotWritable, "cannot write to standard output (\(String(cString: strerror(failure)))); check where it goes (a full disk, a closed pipe)")
    }
}

/// Flushes what `print` has buffered. A write that failed — a full disk under `> file`, a
/// closed descriptor — is an output error (exit 73) rather than a silent loss.
func flushStandardOutput() throws {
    guard fflush(nil) == 0 else {
        throw PWSError(.outputNotWritable, "cannot write to standard output (\(String(cString: strerror(errno)))); check where it goes (a full disk, a closed pipe)")
    }
}

/// Console text with the control characters of what it quotes (a file name, a value) made
/// harmless: an escape sequence in a file name must not recolour or clear the operator's
/// terminal. C0 controls but tab and line feed, DEL and C1 controls become U+FFFD. A NIK in
/// what it quotes — a file named after a mother — is masked (`PersonID.maskIdentifiersInName`:
/// 16 digits in a row; an RT code `3201012001-001-001` stays).
func consoleText(_ text: String) -> String {
    let text = PersonID.maskIdentifiersInName(text)
    guard text.unicodeScalars.contains(where: isConsoleControl) else { return text }
    return String(String.UnicodeScalarView(text.unicodeScalars.map { isConsoleControl($0) ? "\u{FFFD}" : $0 }))
}

private func isConsoleControl(_ u: Unicode.Scalar) -> Bool {
    (u.value < 0x20 && u != "\n" && u != "\t") || (0x7F...0x9F).contains(u.value)
}

/// Prints a line of a command's report on standard output (`consoleText`).
func printLine(_ line: String) { print(consoleText(line)) }

/// Writes `pws: TEXT` to standard error (`consoleText`); a standard error that cannot be
/// written loses the line, never traps (the exit status still tells).
func printError(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data("pws: \(consoleText(text))\n".utf8))
}

/// A log handler that passes each message through `consoleText` to standard error. On a
/// terminal with a progress line (`clearsProgress`), it clears that line first, so a warning
/// starts a line of its own instead of being glued to "aggregating 63448 events"; the next
/// progress update draws the line again below it.
struct ConsoleLogHandler: LogHandler {
    var inner: StreamLogHandler
    var clearsProgress = false
    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }
    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }
    func log(event: LogEvent) {
        var event = event
        event.message = "\(consoleText(event.message.description))"
        if clearsProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        inner.log(event: event)
    }
}

/// Runs a pipeline command and turns its outcome or error into output and the exit status.
func finish(_ body: () throws -> RunReport, options: CommonOptions) throws {
    let quiet = options.quiet
    do {
        let report = try body()
        if isatty(2) == 1 && !quiet { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if !quiet || report.exitStatus != .success {
            if options.verbose { for line in report.perFileLines { printLine(line) } }
            for line in report.lines { printLine(line) }
        } else {
            // --quiet on success: only what took data out of the month, for the nightly mail.
            for line in report.attention { printLine(line) }
        }
        try flushStandardOutput()
        if report.exitStatus != .success { throw ExitCode(report.exitStatus.rawValue) }
    } catch let error as PWSError {
        if isatty(2) == 1 && !quiet { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        printError("\(error)")
        throw ExitCode(error.exitStatus.rawValue)
    }
}
