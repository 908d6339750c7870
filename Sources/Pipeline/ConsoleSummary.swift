import Export
import Foundation
import PWSCore
import Validate

/// What `pws run` and `pws validate` print: a summary that fits a screen whatever the number of
/// input files (amendments §A8: at most `maxLines` lines, 6,760 files or one) — the §3 totals
/// and identities, rejects and warnings by rule, the files with the most rejected rows, and
/// (added by the run) where the outputs went. The per-file table is in `run.json` and, with
/// `--verbose`, on the console (`perFileLines`).
enum ConsoleSummary {
    /// The most lines a summary has, the run's output lines included.
    static let maxLines = 40
    /// Files listed by rejected rows.
    static let worstFiles = 5
    /// Width the by-rule lists wrap at, and the most lines each takes.
    static let width = 100, ruleLines = 3

    /// The totals, identities, skipped and left-out inputs, rules and worst files of `outcome` (at most 31 lines).
    /// `lost`: `lostFiles(outcome)` when the caller has it (for `attention` too), else made here.
    static func lines(_ outcome: ValidationOutcome, maxRejectRate: Double, lost: [String]? = nil) -> [String] {
        let t = outcome.total
        let files = outcome.files.count
        var lines = ["\(files) service file\(files == 1 ? "" : "s") read: \(t.rowsRead) rows"
                     + (t.blankRows > 0 ? " (and \(t.blankRows) blank rows skipped)" : "")]
        let counts = [("rejected", t.rowsRejected), ("accepted", t.rowsAccepted), ("  used", t.rowsUsed),
                      ("  duplicate", t.rowsDuplicate), ("  out of period", t.rowsOutOfPeriod)]
        let digits = counts.map { "\($0.1)".count }.max() ?? 1
        for (name, n) in counts {
            let number = String(repeating: " ", count: digits - "\(n)".count) + "\(n)"
            lines.append("  " + name.padding(toLength: 16, withPad: " ", startingAt: 0) + number)
        }
        lines.append("reject rate \(rejectPercent(t)) % (\(t.rowsRejected) of \(t.rowsRead) rows); "
                     + String(format: "the pipeline's limit is %.2f %%", maxRejectRate * 100))
        lines.append("identities: read = rejected + accepted: \(t.rowsRead == t.rowsRejected + t.rowsAccepted ? "yes" : "NO"); "
                     + "accepted = used + duplicate + out_of_period: "
                     + "\(t.rowsAccepted == t.rowsUsed + t.rowsDuplicate + t.rowsOutOfPeriod ? "yes" : "NO")")
        lines += skippedLines(outcome)
        lines += leftOutLines(outcome, at: 1)
        // FHIR resources that are not rows (spec §A3): one line; run.json's notes count them per type.
        let fhir = outcome.notes.filter { $0.hasPrefix("fhir/") }
        let ignoring = fhir.filter { $0.contains(": ignored, not mapped") }.count
        let notGiven = fhir.filter { $0.contains(": ignored, no service given") }.count
        if ignoring + notGiven > 0 {
            let parts = (ignoring > 0 ? ["resources not mapped to a service were ignored in \(ignoring) file(s)"] : [])
                + (notGiven > 0 ? ["resources recorded as not done, entered in error or cancelled in \(notGiven) file(s)"] : [])
            lines.append("FHIR: " + parts.joined(separator: "; ") + "; run.json notes count them per type")
        }
        lines += byRule("rejects by rule", outcome.rejects)
        lines += byRule("warnings by rule", outcome.warnings)
        lines += lost ?? lostFiles(outcome)
        let worst = outcome.files.filter { $0.rowsRejected > 0 }
            .sorted { ($0.rowsRejected, $1.source) > ($1.rowsRejected, $0.source) }
            .prefix(worstFiles)
        if !worst.isEmpty {
            lines.append("most rejected rows (of \(outcome.files.filter { $0.rowsRejected > 0 }.count) files with rejects; "
                         + "each file is one facility's records):")
            for a in worst {
                let rate = a.rowsRead == 0 ? 0 : Double(a.rowsRejected) / Double(a.rowsRead) * 100
                lines.append("  \(a.source)  \(a.rowsRejected) of \(a.rowsRead) rows (" + String(format: "%.1f %%", rate) + ")")
            }
        }
        return lines
    }

    /// The share of rows rejected in percent with two decimals, rounded half away from zero
    /// from the exact counts — as report.html and pws.xlsx give it (`%.2f` of the double gave
    /// 1 of 32 as 3.12 where they say 3,13).
    static func rejectPercent(_ t: FileAccount) -> String {
        (Percent.of(t.rowsRejected, t.rowsRead) ?? Percent(hundredths: 0)).text
    }

    /// The inputs `--skip-unreadable` left out, each (spec §A8: "each is listed in the console
    /// and run.json"; a month published without them must say which).
    static func skippedLines(_ outcome: ValidationOutcome) -> [String] {
        guard !outcome.unreadable.isEmpty else { return [] }
        var lines = ["skipped \(outcome.unreadable.count) input(s) that cannot be read (--skip-unreadable):"]
        lines += outcome.unreadable.map { "  \($0.path): \($0.reason)" }
        return lines
    }

    /// Files listed by `lostFiles`.
    static let lostFilesListed = 3

    /// The files of which no row was accepted although each had rows or a reject of its own (a
    /// wrong template, an empty upload, a broken column): its facility's month then counts as
    /// not reported (at most 1 + `lostFilesListed` lines). With each its most frequent rule.
    static func lostFiles(_ outcome: ValidationOutcome) -> [String] {
        let candidates = outcome.files.filter { $0.rowsAccepted == 0 }
        guard !candidates.isEmpty else { return [] }
        let wanted = Set(candidates.map(\.source))
        var rules: [String: [RuleCode: Int]] = [:]
        // A workbook's rejects are at `FILE:SHEET` (`layanan/x.xlsx:Sheet1`): filed under FILE.
        for d in outcome.rejects {
            var source = d.location.source
            if !wanted.contains(source) {
                guard let colon = source.lastIndex(of: ":"), wanted.contains(String(source[..<colon])) else { continue }
                source = String(source[..<colon])
            }
            rules[source, default: [:]][d.rule, default: 0] += 1
        }
        // Rows read and all rejected, or none read and a reject of the file itself (E-COLUMNS of
        // an empty file); a file of a header alone is a month without services.
        let files = candidates.filter { $0.rowsRejected > 0 || rules[$0.source] != nil }
        guard !files.isEmpty else { return [] }
        var lines = ["no row accepted from \(files.count) file\(files.count == 1 ? "" : "s") (each facility-month counts as not reported; rejects.csv says why — fix and resend):"]
        for a in files.prefix(lostFilesListed) {
            let rule = rules[a.source]?.max { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }?.key.rawValue
            let what = a.rowsRead == 0 ? "no rows" : "\(a.rowsRejected) of \(a.rowsRead) rows rejected"
            lines.append("  \(a.source): \(what)" + (rule.map { " (\($0))" } ?? ""))
        }
        if files.count > lostFilesListed { lines[lines.count - 1] += "; … and \(files.count - lostFilesListed) more (run.json lists every file)" }
        return lines
    }

    /// What `--quiet` still prints of a run that publishes (or a validation that passes): the
    /// files of which no row was accepted (`lost`, `lostFiles`), the inputs `--skip-unreadable` skipped, and the notes
    /// on inputs left out (a subfolder of `layanan/`, an Excel lock file) — what takes data out
    /// of a published month, which a nightly mail must show.
    static func attention(_ outcome: ValidationOutcome, lost: [String]) -> [String] {
        lost + skippedLines(outcome) + leftOutLines(outcome, at: 2)
    }

    /// The notes on inputs left out — a subfolder of `layanan/`, an Excel lock file —, `shown`
    /// of them, and the count of the rest (run.json's notes have them all): `--quiet`, whose
    /// lines are all there is, shows two and a line for the rest; the summary, within its 40
    /// lines, one with the rest counted on the same line.
    static func leftOutLines(_ outcome: ValidationOutcome, at shown: Int) -> [String] {
        let leftOut = outcome.notes.filter(InputFiles.isLeftOutNote)
        var lines = Array(leftOut.prefix(shown))
        guard leftOut.count > shown else { return lines }
        let rest = "… and \(leftOut.count - shown) more inputs not read (run.json notes)"
        if shown == 1 { lines[0] += "; " + rest } else { lines.append(rest) }
        return lines
    }

    /// `title: RULE n, RULE n, …`, most frequent first, wrapped at `width` into at most
    /// `ruleLines` lines (the rest summed as "… n more rules").
    static func byRule(_ title: String, _ diagnostics: [Diagnostic]) -> [String] {
        var counts: [RuleCode: Int] = [:]
        for d in diagnostics { counts[d.rule, default: 0] += 1 }
        guard !counts.isEmpty else { return ["\(title): none"] }
        let items = counts.sorted { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }
            .map { "\($0.key.rawValue) \($0.value)" }
        var lines = [title + ":"]
        for (k, item) in items.enumerated() {
            let last = lines.count - 1
            if lines[last].count + item.count + 2 <= width {
                lines[last] += (lines[last].hasSuffix(":") ? " " : ", ") + item
            } else if lines.count < ruleLines {
                lines.append("  " + item)
            } else {
                lines[last] += ", … \(items.count - k) more rules (see run.json)"
                break
            }
        }
        return lines
    }

    /// Where a published run's files are: the folder, then the files with their row counts,
    /// the PWS tables as one item (at most 4 lines).
    static func outputLines(folder: String, outputs: [Manifest.OutputEntry]) -> [String] {
        let tables = outputs.filter { $0.path.hasPrefix("pws/") }.count
        var items = outputs.filter { !$0.path.hasPrefix("pws/") }.map { o in
            o.path + (o.rows.map { " (\($0) rows)" } ?? "")
        }
        if tables > 0 { items.append("pws/ (\(tables) PWS tables)") }
        items.append("run.json (the per-file accounting; --verbose prints it)")
        var lines = ["outputs in \(folder)/:"]
        for item in items {
            let last = lines.count - 1
            if lines[last].count + item.count + 2 <= width {
                lines[last] += (lines[last].hasSuffix(":") ? " " : ", ") + item
            } else {
                lines.append("  " + item)
            }
        }
        return lines
    }

    /// The per-file §3 table (`--verbose`): a line per file and the total.
    static func perFileLines(_ accounts: [FileAccount]) -> [String] {
        let header = ["file", "read", "rejected", "accepted", "used", "duplicate", "out_of_period", "blank"]
        var rows = [header]
        for a in accounts {
            rows.append([a.source, "\(a.rowsRead)", "\(a.rowsRejected)", "\(a.rowsAccepted)", "\(a.rowsUsed)",
                         "\(a.rowsDuplicate)", "\(a.rowsOutOfPeriod)", "\(a.blankRows)"])
        }
        let widths = (0..<header.count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { r in
            r.enumerated().map { c, cell in
                c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  ")
        }
    }
}
