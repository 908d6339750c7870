extension RunDiff {
    /// The console summary: what changed in the inputs, the row totals, the indicator rows, and
    /// the `top` largest indicator changes (at most 10 + `top` lines).
    public func summaryLines(top: Int = 10) -> [String] {
        let s = summary
        var lines = ["pws diff \(before) -> \(after)"]
        if asOf.before != asOf.after {
            lines.append("as-of month: \(asOf.before) -> \(asOf.after)")
        }
        if let format = rows.first(where: { $0.kind == "run" && $0.key == "csv_format" }) {
            lines.append("CSV format: \(format.before) -> \(format.after) (numbers are compared with a decimal point)")
        }
        let settings = rows.filter { $0.kind == "run" && $0.key.hasPrefix("pipeline/") }.map { String($0.key.dropFirst(9)) }
        lines.append(settings.isEmpty ? "pipeline: unchanged" : "pipeline: changed (\(settings.joined(separator: ", ")))")
        lines.append("input files: \(s.inputsAdded) added, \(s.inputsRemoved) removed, \(s.inputsChanged) changed, "
                     + "\(s.inputsUnchanged) unchanged")
        func change(_ name: String, _ x: Int, _ y: Int) -> String {
            "\(name) \(x) -> \(y) (\(y - x >= 0 ? "+" : "")\(y - x))"
        }
        lines.append("service rows: " + [change("read", s.rowsBefore.read, s.rowsAfter.read),
                                         change("rejected", s.rowsBefore.rejected, s.rowsAfter.rejected),
                                         change("used", s.rowsBefore.used, s.rowsAfter.used)].joined(separator: ", "))
        let files = Set(rows.lazy.filter { $0.kind == "rows" }.map(\.key)).count
        lines.append("files whose row counts changed: \(files)")
        lines.append("indicator rows: \(s.indicatorRowsCompared) in both runs, \(s.indicatorRowsChanged) changed "
                     + "(numerator \(s.numeratorChanges), denominator \(s.denominatorChanges), status \(s.statusChanges)); "
                     + "only in the first \(s.indicatorRowsOnlyBefore), only in the second \(s.indicatorRowsOnlyAfter)")
        var keys: [String] = []
        var fields: [String: [String]] = [:]
        for r in rows where r.kind == "indicator" {
            if fields[r.key] == nil {
                guard keys.count < top else { break }
                keys.append(r.key)
            }
            fields[r.key, default: []].append("\(r.field) \(r.before.isEmpty ? "-" : r.before) -> \(r.after.isEmpty ? "-" : r.after)")
        }
        if !keys.isEmpty {
            lines.append("largest indicator changes:")
            for k in keys { lines.append("  \(k): \(fields[k, default: []].joined(separator: ", "))") }
        }
        return lines
    }
}
