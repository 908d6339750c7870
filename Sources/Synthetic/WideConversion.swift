import CLibXlsxWriter
import Foundation
import CSV
import Ingest
import PWSCore

/// `pws generate --format wide`: the posyandu weighings of the generated folder moved into wide
/// registers (issue #13, spec §A2), one `layanan/register-<posyandu>-<year>.xlsx` per posyandu
/// and year, laid out as the default pipeline's `reshape` rule reads them (the sample register's
/// columns: `NO, NAMA, NIK, TGL LAHIR, JK, KODE DESA, RW, RT, KODE POSYANDU, JAN … DES, HB0, BCG,
/// POLIO1`, header on row 5 under three title rows). Every other record stays in its long CSV
/// file, byte for byte.
///
/// A long record becomes a register cell only when the reshape makes it back into the same
/// record (record_id aside), so a run on the wide folder gives the same `indicators.csv` as a
/// run on the long folder of the same options (the `--format csv --posyandu-day D` folder):
///
/// - it is a `TIMBANG` at a `posyandu` by a `kader`, with a non-empty result that is no mark
///   of a weighing not given (`0`, `x` …: `ReshapeRule.defaultAbsent`) and no
///   pregnancy_id, lmp_date or gestational_weeks (the rule sets `facility_type: posyandu` and
///   `provider: kader`; vaccines at the posyandu are given by a bidan, so they stay long);
/// - its visit date is day `day` of the file's month (the month column stands for that day);
///   a planted `E-BEFORE-BIRTH` has its birth 30 days or more after the visit (`Emitter`), so
///   never in the same month, where the register would date the weighing its birth date;
/// - it is a whole record on one line (not `E-PARSE`, not `E-FIELDS`);
/// - its record_id occurs once in the file (a planted `E-DUPLICATE-ID` and the row it copies
///   stay long, so the rule sees the same pair);
/// - no other record of the file wants the same cell — the same person columns in the same month
///   (a planted `W-DUPLICATE` and its original stay long: a register holds one weight per child
///   and month, so a second weighing in a month is kept as a long record, never dropped).
///
/// The register's person columns hold the record's cleaned fields (`NIK`, `TGL LAHIR` as a
/// date cell when it is a date, `JK`, `KODE DESA`, `RW`, `RT`, `KODE POSYANDU` = facility_id):
/// records that differ in any of them are different register rows, so a planted problem in a
/// person column (`E-SEX`, `E-PERSON`, `W-AREA` …) is a row of its own and rejected or warned
/// at its cell as in the long run. A weight that is a plain decimal is a number cell, anything
/// else (`tdk diukur`, `12,5 kg`) a text cell. A long file left with no record is removed.
enum WideConversion {
    static let monthColumns = ["JAN", "FEB", "MAR", "APR", "MEI", "JUN", "JUL", "AGS", "SEP", "OKT", "NOV", "DES"]
    static let header = ["NO", "NAMA", "NIK", "TGL LAHIR", "JK", "KODE DESA", "RW", "RT", "KODE POSYANDU"]
        + monthColumns + ["HB0", "BCG", "POLIO1"]
    /// Person columns of a register row, as service-record fields.
    static let keyFields = ["person_id", "birth_date", "sex", "village_code", "rw", "rt", "facility_id"]

    /// The second title row of each posyandu's register: `Posyandu Melati, Desa Sukajaya`.
    static func titles(_ plan: Plan) -> [String: String] {
        var out: [String: String] = [:]
        for f in plan.facilities where f.kind == .posyandu {
            let village = f.village >= 0 && f.village < plan.villages.count ? plan.villages[f.village].name : ""
            out[f.slug] = village.isEmpty ? f.name : "\(f.name), Desa \(village)"
        }
        return out
    }

    /// One register row: a child's person columns and a weight per month.
    struct RegisterRow {
        var key: [String]
        var name: String
        var weights: [String?] = Array(repeating: nil, count: 12)
    }

    /// Moves the weighings of every `layanan/YYYY-MM_posyandu-….csv` into registers; returns the
    /// paths after the move, the bytes of all `layanan/` files, and the records moved.
    static func convertServiceFiles(in directory: String, paths: [String], day: Int,
                                    titles: [String: String]) throws -> (paths: [String], bytes: Int, moved: Int) {
        // (slug, year) → the files of that posyandu and year, by month.
        var groups: [String: [(path: String, year: Int, month: Int)]] = [:]
        for path in paths {
            guard let (year, month, slug) = posyanduFile(path) else { continue }
            groups["\(slug)\u{1F}\(year)", default: []].append((path, year, month))
        }
        var removed: Set<String> = []
        var added: [String] = []
        var moved = 0
        for groupKey in groups.keys.sorted() {
            let files = groups[groupKey]!.sorted { $0.month < $1.month }
            let parts = groupKey.split(separator: "\u{1F}")
            let slug = String(parts[0])
            let year = files[0].year
            var rows: [RegisterRow] = []
            var rowIndex: [String: Int] = [:]
            for file in files {
                let result = try moveWeighings(directory + "/" + file.path, source: file.path, year: file.year,
                                               month: file.month, day: day, rows: &rows, rowIndex: &rowIndex)
                moved += result.moved
                if result.emptied { removed.insert(file.path) }
            }
            guard !rows.isEmpty else { continue }
            let relative = "layanan/register-\(slug)-\(year).xlsx"
            try writeRegister(directory + "/" + relative, title: titles[slug] ?? slug, year: year, rows: rows)
            added.append(relative)
        }
        let out = paths.filter { !removed.contains($0) } + added
        let bytes = out.filter { $0.hasPrefix("layanan/") }.reduce(0) { total, path in
            total + (((try? FileManager.default.attributesOfItem(atPath: directory + "/" + path)[.size]) as? Int) ?? 0)
        }
        return (out, bytes, moved)
    }

    /// `layanan/YYYY-MM_posyandu-….csv` → (year, month, slug).
    static func posyanduFile(_ path: String) -> (Int, Int, String)? {
        let prefix = "layanan/"
        guard path.hasPrefix(prefix), path.hasSuffix(".csv") else { return nil }
        let name = Array(path.utf8.dropFirst(prefix.utf8.count).dropLast(4))
        guard name.count > 8, name[4] == UInt8(ascii: "-"), name[7] == UInt8(ascii: "_"),
              let year = Int(String(decoding: name[0..<4], as: UTF8.self)),
              let month = Int(String(decoding: name[5..<7], as: UTF8.self)), (1...12).contains(month) else { return nil }
        let slug = String(decoding: name[8...], as: UTF8.self)
        guard slug.hasPrefix("posyandu-") else { return nil }
        return (year, month, slug)
    }

    private struct Candidate {
        var line: Int
        var id: String
        var key: [String]
        var name: String
        var result: String
    }

    /// Reads one posyandu month file, moves the records that fit into `rows`, and rewrites the
    /// file without their lines (or removes it when no record is left).
    private static func moveWeighings(_ path: String, source: String, year: Int, month: Int, day: Int,
                                      rows: inout [RegisterRow], rowIndex: inout [String: Int]) throws
        -> (moved: Int, emptied: Bool) {
        guard let visitDay = Day(year: year, month: month, day: min(day, Day.daysIn(month: month, year: year))) else {
            return (0, false)
        }
        let bytes: [UInt8]
        do {
            bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw PWSError(.outputNotWritable, "cannot read back \(path)", cause: String(describing: error))
        }
        let reader = CSVReader(bytes: bytes, source: source)
        var column: [String: Int] = [:]
        var nameColumn: Int?
        var width = -1
        var records = 0
        var idCounts: [String: Int] = [:]
        var cellCounts: [String: Int] = [:]
        var candidates: [Candidate] = []
        func cleaned(_ record: CSVRecord, _ field: String) -> String {
            guard let c = column[field], c < record.count else { return "" }
            return String(decoding: record.cleaned(c), as: UTF8.self)
        }
        try reader.read { event in
            guard case .record(let record) = event else {
                records += 1
                return
            }
            if width < 0 {
                width = record.count
                column = headerColumns(record)
                nameColumn = (0..<record.count).first { normalise(record.string($0)) == "nama" }
                return
            }
            records += 1
            let id = cleaned(record, "record_id")
            if column["record_id"] != nil { idCounts[id, default: 0] += 1 }
            guard record.count == width,
                  ["record_id", "visit_date", "person_id", "service_code", "facility_type", "provider", "result"]
                    .allSatisfy({ column[$0] != nil }),
                  cleaned(record, "service_code").uppercased() == "TIMBANG",
                  cleaned(record, "facility_type").lowercased() == "posyandu",
                  cleaned(record, "provider").lowercased() == "kader",
                  cleaned(record, "pregnancy_id").isEmpty, cleaned(record, "lmp_date").isEmpty,
                  cleaned(record, "gestational_weeks").isEmpty,
                  !id.isEmpty else { return }
            let result = cleaned(record, "result")
            // A result a register cell would read as "not weighed" (`0`, `x` …) or without its
            // growth code stays long: the register would make another record of it.
            guard !result.isEmpty, !ReshapeRule.defaultAbsent.contains(where: { $0.caseInsensitiveCompare(result) == .orderedSame }),
                  ReshapeSource.withoutGrowthCode(result) == result,
                  let c = column["visit_date"], Day.parse(record.cleaned(c)) == visitDay else { return }
            for f in 0..<record.count where record.raw(f).contains(where: { $0 == 0x0A || $0 == 0x0D }) { return }
            let key = keyFields.map { cleaned(record, $0) }
            cellCounts[key.joined(separator: "\u{1F}"), default: 0] += 1
            let name = nameColumn.map { $0 < record.count ? String(decoding: record.cleaned($0), as: UTF8.self) : "" } ?? ""
            candidates.append(Candidate(line: record.line, id: id, key: key, name: name, result: result))
        }
        var dropLines: Set<Int> = []
        for c in candidates where idCounts[c.id] == 1 {
            let joined = c.key.joined(separator: "\u{1F}")
            guard cellCounts[joined] == 1 else { continue }
            let r: Int
            if let existing = rowIndex[joined] {
                r = existing
            } else {
                r = rows.count
                rowIndex[joined] = r
                rows.append(RegisterRow(key: c.key, name: c.name))
            }
            guard rows[r].weights[month - 1] == nil else { continue }
            rows[r].weights[month - 1] = c.result
            dropLines.insert(c.line)
        }
        guard !dropLines.isEmpty else { return (0, false) }
        do {
            if dropLines.count == records {
                try FileManager.default.removeItem(atPath: path)
                return (dropLines.count, true)
            }
            try Data(withoutLines(dropLines, of: bytes)).write(to: URL(fileURLWithPath: path))
        } catch {
            throw PWSError(.outputNotWritable, "cannot rewrite \(path)", cause: String(describing: error))
        }
        return (dropLines.count, false)
    }

    /// Header column of each service-record field (names and aliases as `TableSchema.layanan`).
    private static func headerColumns(_ header: CSVRecord) -> [String: Int] {
        var out: [String: Int] = [:]
        for c in 0..<header.count {
            let name = normalise(header.string(c))
            for spec in TableSchema.layanan.fields where spec.name == name || spec.aliases.contains(name) {
                if out[spec.name] == nil { out[spec.name] = c }
            }
        }
        return out
    }

    private static func normalise(_ name: String) -> String { ReshapeSource.normalise(name) }

    /// The bytes without the given physical lines (1-based; a line ends at LF, CRLF or a lone CR,
    /// as `CSVReader` counts them).
    static func withoutLines(_ drop: Set<Int>, of bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var line = 1
        var start = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                var end = i + 1
                if b == 0x0D, end < bytes.count, bytes[end] == 0x0A { end += 1 }
                if !drop.contains(line) { out.append(contentsOf: bytes[start..<end]) }
                line += 1
                start = end
                i = end
            } else {
                i += 1
            }
        }
        if start < bytes.count, !drop.contains(line) { out.append(contentsOf: bytes[start...]) }
        return out
    }

    /// A weight written as a number cell: digits with at most one `.` or `,` and digits after it.
    static func plainNumber(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard (1...12).contains(bytes.count) else { return nil }
        var separators = 0
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: ".") || b == UInt8(ascii: ",") {
                guard i > 0, i < bytes.count - 1 else { return nil }
                separators += 1
            } else if !(0x30...0x39).contains(b) {
                return nil
            }
        }
        guard separators <= 1 else { return nil }
        return Double(text.replacingOccurrences(of: ",", with: "."))
    }

    /// Writes one register workbook, sheet `Register`, header on row 5.
    static func writeRegister(_ path: String, title: String, year: Int, rows: [RegisterRow]) throws {
        var options = lxw_workbook_options()
        options.constant_memory = 1
        guard let workbook = workbook_new_opt(path, &options),
              let sheet = workbook_add_worksheet(workbook, "Register") else {
            throw PWSError(.outputNotWritable, "cannot create \(path)")
        }
        // Fixed properties so the same records give the same bytes.
        var properties = lxw_doc_properties()
        var epoch = tm()
        epoch.tm_year = 100
        epoch.tm_mday = 1
        properties.created = timegm(&epoch)
        workbook_set_properties(workbook, &properties)
        let dateFormat = workbook_add_format(workbook)
        format_set_num_format(dateFormat, "dd/mm/yyyy")
        var failure: lxw_error = LXW_NO_ERROR
        func text(_ row: UInt32, _ col: Int, _ value: String) {
            guard !value.isEmpty else { return }
            let status = worksheet_write_string(sheet, row, lxw_col_t(col), value, nil)
            if status != LXW_NO_ERROR { failure = status }
        }
        func number(_ row: UInt32, _ col: Int, _ value: Double, _ format: UnsafeMutablePointer<lxw_format>? = nil) {
            let status = worksheet_write_number(sheet, row, lxw_col_t(col), value, format)
            if status != LXW_NO_ERROR { failure = status }
        }
        text(0, 0, "REGISTER BAYI DAN BALITA (FORMAT 2)")
        text(1, 0, title)
        text(2, 0, "Tahun \(year)")
        for (c, name) in header.enumerated() { text(4, c, name) }
        let excelEpoch = Day(year: 1899, month: 12, day: 30)?.raw ?? 0
        let firstMonth = header.firstIndex(of: "JAN") ?? 9
        for (i, r) in rows.enumerated() {
            let row = UInt32(5 + i)
            number(row, 0, Double(i + 1))
            text(row, 1, r.name)
            // NIK, TGL LAHIR, JK, KODE DESA, RW, RT, KODE POSYANDU in keyFields order.
            for (k, value) in r.key.enumerated() {
                if k == 1, let birth = Day.parse(value), birth.year >= 1901 {
                    number(row, 2 + k, Double(birth.raw - excelEpoch), dateFormat)
                } else {
                    text(row, 2 + k, value)
                }
            }
            for (m, weight) in r.weights.enumerated() {
                guard let weight else { continue }
                if let value = plainNumber(weight) {
                    number(row, firstMonth + m, value)
                } else {
                    text(row, firstMonth + m, weight)
                }
            }
        }
        let closed = workbook_close(workbook)
        guard failure == LXW_NO_ERROR, closed == LXW_NO_ERROR else {
            let code = failure != LXW_NO_ERROR ? failure : closed
            throw PWSError(.outputNotWritable, "cannot write \(path): \(String(cString: lxw_strerror(code)))")
        }
    }
}
