import Foundation
import CSV
import Ingest
import PWSCore

/// Reads `wilayah.csv` into an `AreaRegister` (spec §2.2). Every problem is collected; any
/// problem is fatal (exit 65) and all of them are listed as `file:line: message`.
struct RegisterLoader {
    /// C0 controls, DEL, C1 controls, and U+FFFE and U+FFFF (not characters; XML, and so
    /// pws.xlsx, cannot hold them): never part of a name.
    static func isControl(_ u: Unicode.Scalar) -> Bool {
        VisibleText.isControl(u) || u.value == 0xFFFE || u.value == 0xFFFF
    }

    /// The most characters a name of the register may have: Excel's limit for a cell, 32,767,
    /// less the `TOTAL ` pws.xlsx writes before a puskesmas's or regency's name.
    static let maxTextLength = 32_767 - 6

    var delimiter: UInt8?
    var aliases: [String: [String]]
    /// `sasaran.decimal_separator`, which RT populations follow too; nil: `1.234` is ambiguous.
    var decimalSeparator: UInt8?
    /// Sheets and header row when the file is a workbook.
    var workbook = WorkbookReadOptions()
    /// Hash the file's bytes as they are read (`digest`; run.json's input list).
    var hashesContent = false

    /// Register and the notes on names that disagree between RT rows of one area; with
    /// `hashesContent`, the digest of a CSV register's bytes (nil for a workbook).
    func load(path: String, source: String)
        throws -> (AreaRegister, notes: [String], account: FileAccount, digest: ContentDigest?) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PWSError(.inputMissing, "\(source) is missing; the data folder needs the area register wilayah.csv (spec §2.2)")
        }
        let schema = TableSchema.wilayah
        let fCode = WilayahField.villageCode, fName = WilayahField.villageName, fDistrict = WilayahField.districtName,
            fRegency = WilayahField.regencyName, fPkmCode = WilayahField.puskesmasCode,
            fPkmName = WilayahField.puskesmasName, fHamlet = WilayahField.hamlet, fRW = WilayahField.rw,
            fRT = WilayahField.rt, fPop = WilayahField.population

        var options = CSVReadOptions()
        options.delimiter = delimiter
        var countsWorkbook = workbook
        countsWorkbook.numberCells = .counts(decimalSeparator: decimalSeparator)
        options.hashesContent = hashesContent
        let reader = try TableReader.open(path: path, source: source,
                                          names: TableColumnNames(schema: schema, extraAliases: aliases),
                                          options: options, workbook: countsWorkbook)
        var register = AreaRegister()
        var problems: [String] = []
        var notes: [String] = []
        var puskesmasOf: [String: (code: String, at: SourceLocation)] = [:]
        var names: [String: (name: String, at: SourceLocation)] = [:]
        /// The first line of each RT (village|rw|rt), for a repeated one.
        var rtLines: [String: SourceLocation] = [:]
        /// Each puskesmas's kabupaten/kota (the village code's first 4 digits) and its first line.
        var regencyOf: [String: (regency: String, at: SourceLocation)] = [:]

        // One note per area whose name disagrees, with the count of its rows that do: a typo
        // on the first of 20,000 rows made 20,000 notes (a 2.4 MB run.json).
        var disagreements: [String: (note: Int, rows: Int)] = [:]
        func note(_ key: String, _ name: String, _ what: String, _ loc: SourceLocation) {
            if let first = names[key] {
                if first.name != name {
                    if let seen = disagreements[key] {
                        disagreements[key] = (seen.note, seen.rows + 1)
                    } else {
                        disagreements[key] = (notes.count, 1)
                        notes.append("\(loc): \(what) is \"\(name)\" here but \"\(first.name)\" on \(first.at.named(from: loc)); the first is used")
                    }
                }
            } else {
                names[key] = (name, loc)
            }
        }

        // Names with control characters (a stray ^A from a copy) are shown the same way in every
        // output — the CSVs kept the bytes, pws.xlsx wrote `_x0001_`, report.html U+FFFD —
        // each as U+FFFD, with a note the first time.
        var controlNoted = Set<String>()
        let summary = try reader.read(row: { row in
            let loc = row.location
            func visible(_ f: WilayahField) -> String {
                let text = row.string(f)
                guard text.unicodeScalars.contains(where: RegisterLoader.isControl) else { return text }
                let shown = String(String.UnicodeScalarView(text.unicodeScalars.map { RegisterLoader.isControl($0) ? "\u{FFFD}" : $0 }))
                if controlNoted.insert("\(f.rawValue):\(text)").inserted {
                    notes.append("\(loc): \(schema.fields[f.rawValue].name) \"\(PersonID.maskIdentifiersInName(shown))\" holds a control character, shown as \u{FFFD} in every output; remove it from the register")
                }
                return shown
            }
            // Every problem of the line is listed (spec §2.2), not only the first: the checks
            // go on past one, and only a line without any adds its RT.
            let before = problems.count
            for f in [fCode, fName, fDistrict, fRegency, fPkmCode, fPkmName, fRW, fRT] where row.isEmpty(f) {
                problems.append("\(loc): \(schema.fields[f.rawValue].name) is empty; every RT row needs it")
            }
            // Names go into cells of pws.xlsx, which holds at most 32,767 characters a cell: a
            // longer one is a register problem here, not a failed workbook at the end. (RW, RT and
            // hamlet labels are not in the workbook.) Excel counts UTF-16 units: an emoji is two.
            for f in [fName, fDistrict, fRegency, fPkmCode, fPkmName] {
                let length = row.string(f).utf16.count
                if length > Self.maxTextLength {
                    problems.append("\(loc): \(schema.fields[f.rawValue].name) is \(length) characters long; at most \(Self.maxTextLength) fit a cell of pws.xlsx (with TOTAL before it) — shorten it")
                }
            }
            // A register holds no person identifier: a NIK pasted in a name or an RW/RT label
            // was published in every output (a name) or taken for an RT (a label).
            for f in [fName, fDistrict, fRegency, fPkmCode, fPkmName, fHamlet, fRW, fRT] where !row.isEmpty(f) {
                let text = row.string(f)
                if PersonID.maskEmbeddedIdentifiers(text) != text {
                    problems.append("\(loc): \(schema.fields[f.rawValue].name) \(DecimalCount.shown(text)) looks like a NIK (a number of 16 digits); a register holds no person identifiers — correct the column")
                }
            }
            let code = row.isEmpty(fCode) ? nil : Decode.villageCode(row.cleaned(fCode))
            if code == nil && !row.isEmpty(fCode) {
                problems.append("\(loc): village_code \(DecimalCount.shown(row.string(fCode))) is not a 10-digit Kemendagri code (PPKKCCDDDD; dots and spaces are allowed)")
            }
            let rw = row.isEmpty(fRW) ? nil : Decode.label(row.cleaned(fRW))
            if rw == nil && !row.isEmpty(fRW) {
                problems.append("\(loc): rw \(DecimalCount.shown(row.string(fRW))) has no label left after dropping \"RW\" and punctuation")
            }
            let rt = row.isEmpty(fRT) ? nil : Decode.label(row.cleaned(fRT))
            if rt == nil && !row.isEmpty(fRT) {
                problems.append("\(loc): rt \(DecimalCount.shown(row.string(fRT))) has no label left after dropping \"RT\" and punctuation")
            }
            var population: ExactDecimal?
            if !row.isEmpty(fPop) {
                // Projections may carry decimals; the rules of sasaran counts (spec §A1).
                switch DecimalCount.parse(row.cleaned(fPop), decimalSeparator: decimalSeparator) {
                case .success(let p): population = p
                case .failure(let problem):
                    problems.append("\(loc): \(DecimalCount.message(problem, field: "population", shown: DecimalCount.shown(row.string(fPop))))")
                }
            }
            let pkmCode = visible(fPkmCode)
            if let code, !row.isEmpty(fPkmCode) {
                if let first = puskesmasOf[code], first.code != pkmCode {
                    problems.append("\(loc): village \(code) is mapped to puskesmas \(pkmCode) here but to \(first.code) on \(first.at.named(from: loc)); a village belongs to exactly one puskesmas")
                }
                if puskesmasOf[code] == nil { puskesmasOf[code] = (pkmCode, loc) }
                // A puskesmas is counted under one kabupaten/kota: villages of two made its
                // figures add up to more than the kabupaten's (spec §4, parents are sums).
                let regency = String(code.prefix(4))
                if let first = regencyOf[pkmCode], first.regency != regency {
                    problems.append("\(loc): puskesmas \(pkmCode) has village \(code) of kabupaten/kota \(regency) here but a village of \(first.regency) on \(first.at.named(from: loc)); a puskesmas belongs to one kabupaten/kota")
                }
                if regencyOf[pkmCode] == nil { regencyOf[pkmCode] = (regency, loc) }
            }
            // A repeated RT is told whatever else is wrong with either line.
            if let code, let rw, let rt, let first = rtLines.updateValue(loc, forKey: "\(code)|\(rw)|\(rt)") {
                rtLines["\(code)|\(rw)|\(rt)"] = first
                problems.append("\(loc): RW \(rw) RT \(rt) of village \(code) is listed twice (first on \(first.named(from: loc))); keep one row per RT")
            }
            guard problems.count == before, let code, let rw, let rt else { return }
            let village = Village(code: code, name: visible(fName), districtName: visible(fDistrict),
                                  regencyName: visible(fRegency), puskesmasCode: pkmCode,
                                  puskesmasName: visible(fPkmName))
            note("desa:\(code)", village.name, "village_name of \(code)", loc)
            note("kec:\(village.districtCode)", village.districtName, "district_name of \(village.districtCode)", loc)
            note("kab:\(village.regencyCode)", village.regencyName, "regency_name of \(village.regencyCode)", loc)
            note("pkm:\(pkmCode)", village.puskesmasName, "puskesmas_name of \(pkmCode)", loc)
            let v = register.addVillage(village)
            let area = RTArea(village: v, rw: rw, rt: rt, hamlet: visible(fHamlet), population: population,
                              registered: true)
            _ = register.addRT(area)
        }, problem: { diagnostic in
            problems.append("\(diagnostic.location): \(diagnostic.rule.rawValue) \(diagnostic.message)")
        })
        for (_, d) in disagreements where d.rows > 1 {
            notes[d.note] += "; \(d.rows - 1) more row\(d.rows == 2 ? "" : "s") differ from the first too"
        }
        notes += summary.notes
        var account = FileAccount(source: source)
        account.rowsRead = summary.rowsRead
        account.blankRows = summary.blankRows
        account.sheets = summary.sheets
        account.encoding = summary.encoding == .utf8 ? "utf-8" : "windows-1252"
        account.unknownColumns = summary.unknownColumns
        if summary.rowsRead == 0 && problems.isEmpty {
            problems.append("\(source):1: the register has no RT rows")
        }
        if !problems.isEmpty {
            throw PWSError(.data, "\(source) has \(problems.count) problem\(problems.count == 1 ? "" : "s"); fix the register and run again",
                           details: problems.map(PersonID.maskEmbeddedIdentifiers))
        }
        // A NIK put in a name or label column is not echoed in full (the console is often kept).
        return (register, notes.map(PersonID.maskEmbeddedIdentifiers), account, summary.digest)
    }
}
