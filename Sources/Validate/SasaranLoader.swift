import Foundation
import CSV
import Ingest
import PWSCore

/// Reads `sasaran.csv` (spec §2.3). Every problem is collected; any problem is fatal (exit 65).
struct SasaranLoader {
    var delimiter: UInt8?
    var aliases: [String: [String]]
    /// `sasaran.decimal_separator`; nil: `1.234` is ambiguous (spec §A1).
    var decimalSeparator: UInt8?
    /// Sheets and header row when the file is a workbook.
    var workbook = WorkbookReadOptions()
    /// `sasaran.group_columns`: more header names of the target groups' columns, for a table
    /// with a column per group (group → names).
    var groupColumns: [String: [String]] = [:]

    /// Hash the file's bytes as they are read (the digest returned; run.json's input list).
    var hashesContent = false

    /// The targets and the file's account (nil when there is no sasaran file); with
    /// `hashesContent`, the digest of a CSV file's bytes (nil for a workbook or a table read
    /// with a column per group); the reader's notes (sheets and rows not read).
    func load(path: String, source: String, register: AreaRegister)
        throws -> ([SasaranEntry], FileAccount?, digest: ContentDigest?, notes: [String]) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], nil, nil, []) }
        let schema = TableSchema.sasaran
        let fYear = SasaranField.year, fCode = SasaranField.villageCode, fRW = SasaranField.rw,
            fRT = SasaranField.rt, fGroup = SasaranField.targetGroup, fCount = SasaranField.count
        var options = CSVReadOptions()
        options.delimiter = delimiter
        var countsWorkbook = workbook
        countsWorkbook.numberCells = .counts(decimalSeparator: decimalSeparator)
        options.hashesContent = hashesContent
        let columnNames = try TableColumnNames(schema: schema, extraAliases: aliases)
        let reader = try TableReader.open(path: path, source: source, names: columnNames,
                                          options: options, workbook: countsWorkbook)

        // Registered RWs per village, for "RW not in the register".
        var registeredRW = Set<String>()
        for rt in register.rts where rt.registered { registeredRW.insert("\(rt.village)|\(rt.rw)") }

        var entries: [SasaranEntry] = []
        var problems: [String] = []
        var seen: [String: SourceLocation] = [:]
        // A table with a column per target group (WideSasaranSource): its rows' problems name
        // the group, and a row's own problem (its village) is said once, not once per group.
        var wide = false
        func problem(_ text: String) {
            if problems.last != text { problems.append(text) }
        }
        func check(_ row: TableRow) {
            let loc = row.location
            var bad = false
            for f in [fYear, fCode, fGroup, fCount] where row.isEmpty(f) {
                if wide && f == fYear {
                    problem("\(loc): year is empty; a table with a column per target group takes its year from a TAHUN column or from the sheet's name (2025)")
                } else {
                    problem("\(loc): \(schema.fields[f.rawValue].name) is empty")
                }
                bad = true
            }
            if bad { return }
            guard let year = Decode.int(row.cleaned(fYear)), (1900...2999).contains(year) else {
                problem("\(loc): year \(DecimalCount.shown(row.string(fYear))) is not a four-digit year")
                return
            }
            guard let code = Decode.villageCode(row.cleaned(fCode)), let village = register.village(code: code) else {
                problem("\(loc): village_code \(DecimalCount.shown(row.string(fCode))) is not in wilayah.csv; use a village of the register")
                return
            }
            let rwText = row.isEmpty(fRW) ? "" : row.string(fRW)
            let rtText = row.isEmpty(fRT) ? "" : row.string(fRT)
            var rw = "", rt = ""
            if !rwText.isEmpty {
                guard let l = Decode.label(row.cleaned(fRW)) else {
                    problem("\(loc): rw \(DecimalCount.shown(rwText)) has no label")
                    return
                }
                rw = l
            }
            if !rtText.isEmpty {
                guard !rw.isEmpty else {
                    problem("\(loc): rt \(DecimalCount.shown(rtText)) is given without rw; give the RW too, or leave rt blank")
                    return
                }
                guard let l = Decode.label(row.cleaned(fRT)) else {
                    problem("\(loc): rt \(DecimalCount.shown(rtText)) has no label")
                    return
                }
                rt = l
            }
            if !rw.isEmpty && !registeredRW.contains("\(village)|\(rw)") {
                problem("\(loc): RW \(rw) of village \(code) is not in wilayah.csv")
                return
            }
            if !rt.isEmpty && register.rt(village: village, rw: rw, rt: rt) == nil {
                problem("\(loc): RW \(rw) RT \(rt) of village \(code) is not in wilayah.csv")
                return
            }
            let group = row.string(fGroup).lowercased().replacingOccurrences(of: " ", with: "_")
                .replacingOccurrences(of: "-", with: "_")
            guard TargetGroup.all.contains(group) else {
                problem("\(loc): target_group \(DecimalCount.shown(row.string(fGroup))) is unknown; use one of \(TargetGroup.all.joined(separator: ", "))")
                return
            }
            let count: ExactDecimal
            switch DecimalCount.parse(row.cleaned(fCount), decimalSeparator: decimalSeparator) {
            case .success(let v): count = v
            case .failure(let failure):
                problem("\(loc): \(DecimalCount.message(failure, field: wide ? "count of \(group)" : "count", shown: DecimalCount.shown(row.string(fCount))))")
                return
            }
            let key = "\(year)|\(code)|\(rw)|\(rt)|\(group)"
            if let first = seen[key] {
                problem("\(loc): a second \(group) count for \(year) and this area (first on \(first.named(from: loc))); keep one")
                return
            }
            seen[key] = loc
            entries.append(SasaranEntry(year: year, village: village, rw: rw, rt: rt, group: group, count: count))
        }
        func diagnosed(_ diagnostic: Diagnostic) {
            problem("\(diagnostic.location): \(diagnostic.rule.rawValue) \(diagnostic.message)")
        }
        var summary = try reader.read(row: check, problem: diagnosed)
        var digest = summary.digest
        if summary.missingColumns.contains("target_group") {
            // No target_group column: a table with a column per target group? (A long file with
            // its count column misnamed keeps its E-COLUMNS.) A CSV table's delimiter is sniffed
            // on its first line, which may be a title without one: then each is tried.
            let saved = (entries, problems, seen)
            wide = true
            var lacking: (label: String, line: Int, groups: [String])?
            let groupNames = try SasaranGroupNames(extra: groupColumns, columns: columnNames)
            let isWorkbook = TableReader.isWorkbookName(source)
            let delimiters: [UInt8?] = isWorkbook || delimiter != nil ? [delimiter] : [nil, 0x3B, 0x2C, 0x09, 0x7C]
            for candidate in delimiters {
                var csvOptions = options
                csvOptions.delimiter = candidate
                let inner: RecordSource = isWorkbook
                    ? try WorkbookRecordSource(path: path, source: source, options: countsWorkbook)
                    : CSVRecordSource(reader: try CSVReader(path: path, source: source, options: csvOptions),
                                      headerLine: workbook.headerRow)
                let table = WideSasaranSource(inner: inner, names: columnNames, groups: groupNames, source: source)
                (entries, problems, seen) = ([], [], [:])
                let wideSummary = try TableReader(records: table, source: source, names: columnNames)
                    .read(row: check, problem: diagnosed)
                if table.foundHeader {
                    summary = wideSummary
                    digest = nil   // read as records: the caller hashes the file
                    lacking = nil
                    break
                }
                lacking = lacking ?? table.groupsWithoutCode
            }
            if summary.missingColumns.contains("target_group") {
                (entries, problems, seen) = saved
                if let lacking {
                    // Group columns without the village code: say that, not "target_group missing".
                    problems = ["\(lacking.label):\(lacking.line): the table has target group columns (\(lacking.groups.prefix(5).joined(separator: ", "))\(lacking.groups.count > 5 ? " …" : "")) but no village code column; name the column of the village codes KODE DESA (kode_desa), or give the targets as rows of year, village_code, rw, rt, target_group, count"]
                }
            }
        }
        if !problems.isEmpty {
            throw PWSError(.data, "\(source) has \(problems.count) problem\(problems.count == 1 ? "" : "s"); fix the targets and run again",
                           details: problems.map(PersonID.maskEmbeddedIdentifiers))
        }
        var account = FileAccount(source: source)
        account.rowsRead = summary.rowsRead
        account.blankRows = summary.blankRows
        account.sheets = summary.sheets
        return (entries, account, digest, summary.notes)
    }
}

extension SasaranLoader {
    /// The loader of a run with `settings`.
    init(settings: ValidationSettings, hashesContent: Bool = false) {
        self.init(delimiter: settings.delimiter, aliases: settings.columnAliases["sasaran"] ?? [:],
                  decimalSeparator: settings.decimalSeparator, workbook: settings.workbooks["sasaran"] ?? .init(),
                  groupColumns: settings.sasaranGroupColumns, hashesContent: hashesContent)
    }
}
