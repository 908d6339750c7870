import Foundation
import CSV
import PWSCore

/// What changed between two published runs (`pws diff A B`, amendments §A8): the run settings,
/// the input files (by sha256), the §3 row counts per file, and the `indicators.csv` rows whose
/// numerators, denominator or status changed, largest change first. Format of `diff.csv`:
/// docs/operations.md.
public struct RunDiff: Sendable {
    /// One row of `diff.csv`.
    public struct Row: Sendable, Equatable {
        /// `run`, `input`, `rows`, `indicator` or `indicator_rows`.
        public var kind: String
        public var key: String
        public var field: String
        public var before: String
        public var after: String

        public init(kind: String, key: String, field: String, before: String, after: String) {
            self.kind = kind
            self.key = key
            self.field = field
            self.before = before
            self.after = after
        }
    }

    /// Counts for the console summary.
    public struct Summary: Sendable, Equatable {
        public var inputsAdded = 0, inputsRemoved = 0, inputsChanged = 0, inputsUnchanged = 0
        /// Service-file totals before and after: rows read, rejected, used.
        public var rowsBefore = (read: 0, rejected: 0, used: 0)
        public var rowsAfter = (read: 0, rejected: 0, used: 0)
        /// Indicator rows present in both runs, and those of them that changed.
        public var indicatorRowsCompared = 0, indicatorRowsChanged = 0
        public var numeratorChanges = 0, denominatorChanges = 0, statusChanges = 0
        /// Indicator rows present in one run only.
        public var indicatorRowsOnlyBefore = 0, indicatorRowsOnlyAfter = 0

        public static func == (a: Summary, b: Summary) -> Bool {
            a.inputsAdded == b.inputsAdded && a.inputsRemoved == b.inputsRemoved && a.inputsChanged == b.inputsChanged
                && a.inputsUnchanged == b.inputsUnchanged && a.rowsBefore == b.rowsBefore && a.rowsAfter == b.rowsAfter
                && a.indicatorRowsCompared == b.indicatorRowsCompared && a.indicatorRowsChanged == b.indicatorRowsChanged
                && a.numeratorChanges == b.numeratorChanges && a.denominatorChanges == b.denominatorChanges
                && a.statusChanges == b.statusChanges && a.indicatorRowsOnlyBefore == b.indicatorRowsOnlyBefore
                && a.indicatorRowsOnlyAfter == b.indicatorRowsOnlyAfter
        }
    }

    public var before: String
    public var after: String
    public var asOf: (before: String, after: String)
    /// Every row of `diff.csv`, in file order.
    public var rows: [Row]
    public var summary: Summary

    /// Compares the published run folders `before` and `after`.
    ///
    /// - Throws: `PWSError(.inputMissing)` when a folder, its `run.json` or its
    ///   `indicators.csv` is missing; `PWSError(.data)` when one of them is not what pws writes.
    /// - Complexity: O(rows) time; memory for the indicator rows of the smaller
    ///   `indicators.csv` (the other is streamed) and for the rows that changed.
    public static func compare(before: String, after: String) throws -> RunDiff {
        let a = try PublishedRun.load(folder: before), b = try PublishedRun.load(folder: after)
        var diff = RunDiff(before: before, after: after, asOf: (a.asOf ?? "", b.asOf ?? ""), rows: [], summary: Summary())
        diff.compareSettings(a, b)
        diff.compareInputs(a, b)
        try diff.compareIndicators(before + "/indicators.csv", after + "/indicators.csv")
        return diff
    }

    /// Writes `diff.csv` (header `kind,key,field,before,after`) and returns its row count.
    /// - Throws: `PWSError(.outputNotWritable)`.
    public func write(to path: String) throws -> Int {
        let writer = try CSVWriter(path: path)
        try writer.writeRow(["kind", "key", "field", "before", "after"])
        for r in rows { try writer.writeRow([r.kind, r.key, r.field, r.before, r.after]) }
        try writer.close()
        return rows.count
    }

    // MARK: - Settings and inputs

    private mutating func compareSettings(_ a: PublishedRun, _ b: PublishedRun) {
        if a.asOf != b.asOf { rows.append(Row(kind: "run", key: "as_of", field: "value", before: a.asOf ?? "", after: b.asOf ?? "")) }
        if a.today != b.today { rows.append(Row(kind: "run", key: "today", field: "value", before: a.today ?? "", after: b.today ?? "")) }
        if a.csvFormat != b.csvFormat {
            rows.append(Row(kind: "run", key: "csv_format", field: "value", before: a.csvFormat, after: b.csvFormat))
        }
        // Pipeline files by name: a copied pipeline in another folder with the same bytes is
        // the same pipeline.
        func byName(_ run: PublishedRun) -> [String: String] {
            Dictionary(run.pipeline.map { (($0.path as NSString).lastPathComponent, $0.sha256) }, uniquingKeysWith: { x, _ in x })
        }
        let pa = byName(a), pb = byName(b)
        for name in Set(pa.keys).union(pb.keys).sorted() where pa[name] != pb[name] {
            rows.append(Row(kind: "run", key: "pipeline/" + name, field: "sha256", before: pa[name] ?? "", after: pb[name] ?? ""))
        }
    }

    /// The inputs of two runs paired by path. Names that look alike once masked (two mothers'
    /// files whose NIKs end in the same two digits: `ibu-3201**********01.csv`) are paired by
    /// content first, then in their order, and keyed `NAME (2)`, `NAME (3)` … after the first,
    /// so no file is lost to another of the same shown name.
    static func paired(_ a: [PublishedRun.Input], _ b: [PublishedRun.Input])
        -> [(key: String, before: PublishedRun.Input?, after: PublishedRun.Input?)] {
        func groups(_ inputs: [PublishedRun.Input]) -> [String: [PublishedRun.Input]] {
            Dictionary(grouping: inputs, by: \.path)
        }
        let ga = groups(a), gb = groups(b)
        var out: [(key: String, before: PublishedRun.Input?, after: PublishedRun.Input?)] = []
        for path in Set(ga.keys).union(gb.keys).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let xs = ga[path] ?? [], ys = gb[path] ?? []
            var pairs: [(PublishedRun.Input?, PublishedRun.Input?)] = []
            var usedY = Array(repeating: false, count: ys.count)
            var leftX: [PublishedRun.Input] = []
            for x in xs {
                if xs.count > 1 || ys.count > 1, let k = ys.indices.first(where: { !usedY[$0] && ys[$0].sha256 == x.sha256 }) {
                    usedY[k] = true
                    pairs.append((x, ys[k]))
                } else {
                    leftX.append(x)
                }
            }
            var restY = ys.indices.filter { !usedY[$0] }.map { ys[$0] }[...]
            for x in leftX { pairs.append((x, restY.popFirst())) }
            for y in restY { pairs.append((nil, y)) }
            for (k, pair) in pairs.enumerated() { out.append((k == 0 ? path : "\(path) (\(k + 1))", pair.0, pair.1)) }
        }
        return out
    }

    private mutating func compareInputs(_ a: PublishedRun, _ b: PublishedRun) {
        let pairs = Self.paired(a.inputs, b.inputs)
        for (path, x, y) in pairs {
            switch (x, y) {
            case (nil, _?): summary.inputsAdded += 1
            case (_?, nil): summary.inputsRemoved += 1
            case let (x?, y?) where x.sha256 != y.sha256: summary.inputsChanged += 1
            default: summary.inputsUnchanged += 1; continue
            }
            rows.append(Row(kind: "input", key: path, field: "sha256", before: x?.sha256 ?? "", after: y?.sha256 ?? ""))
        }
        for input in a.inputs where input.kind == "layanan" {
            summary.rowsBefore.read += input.rowsRead
            summary.rowsBefore.rejected += input.rowsRejected ?? 0
            summary.rowsBefore.used += input.rowsUsed ?? 0
        }
        for input in b.inputs where input.kind == "layanan" {
            summary.rowsAfter.read += input.rowsRead
            summary.rowsAfter.rejected += input.rowsRejected ?? 0
            summary.rowsAfter.used += input.rowsUsed ?? 0
        }
        // Row counts of each file that changed, the file with the largest change first.
        var changed: [(path: String, size: Int, rows: [Row])] = []
        for (path, x, y) in pairs {
            let before = x?.counts ?? [], after = y?.counts ?? []
            var fileRows: [Row] = []
            var size = 0
            for k in 0..<max(before.count, after.count) {
                let field = (k < before.count ? before[k] : after[k]).field
                let x = k < before.count ? before[k].value : nil, y = k < after.count ? after[k].value : nil
                guard x != y else { continue }
                size = max(size, abs((y ?? 0) - (x ?? 0)))
                fileRows.append(Row(kind: "rows", key: path, field: field, before: x.map(String.init) ?? "",
                                    after: y.map(String.init) ?? ""))
            }
            if !fileRows.isEmpty { changed.append((path, size, fileRows)) }
        }
        // Stable: equal sizes keep path order.
        for file in changed.enumerated().sorted(by: { ($1.element.size, $0.offset) < ($0.element.size, $1.offset) }) {
            rows += file.element.rows
        }
    }
}
