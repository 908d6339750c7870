import Foundation
import PWSCore
@testable import Synthetic

/// A fresh temporary folder, removed by `cleanup()`.
struct TempFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "pws-synth-" + UUID().uuidString
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// A deliberately simple, independent CSV reader for checking what the generator wrote:
/// RFC 4180 quoting, any line end; after a closing quote stray text is kept (lenient), so a
/// planted `E-PARSE` row still splits into its fields.
enum TestCSV {
    struct File {
        var name: String
        var bom: Bool
        var crlf: Bool
        var delimiter: Character
        var header: [String]
        /// Canonical field name (§2.4) → column index.
        var columns: [String: Int]
        /// Records after the header that have at least one non-empty field.
        var rows: [[String]]
        /// All-empty records (Excel's `;;;;`).
        var blankRows: Int
    }

    static let aliases: [String: String] = [
        "record_id": "record_id", "id_kunjungan": "record_id", "id": "record_id",
        "visit_date": "visit_date", "tanggal_kunjungan": "visit_date", "tanggal": "visit_date",
        "tgl_kunjungan": "visit_date",
        "person_id": "person_id", "nik": "person_id", "id_pasien": "person_id", "no_identitas": "person_id",
        "birth_date": "birth_date", "tanggal_lahir": "birth_date", "tgl_lahir": "birth_date",
        "sex": "sex", "jenis_kelamin": "sex", "jk": "sex",
        "village_code": "village_code", "kode_desa": "village_code", "kode_kelurahan": "village_code",
        "rw": "rw", "rt": "rt",
        "facility_type": "facility_type", "jenis_fasilitas": "facility_type", "tempat_layanan": "facility_type",
        "facility_id": "facility_id", "kode_fasilitas": "facility_id", "kode_posyandu": "facility_id",
        "service_code": "service_code", "kode_layanan": "service_code", "layanan": "service_code",
        "result": "result", "hasil": "result", "nilai": "result",
        "provider": "provider", "nakes": "provider", "pemberi_layanan": "provider",
        "pregnancy_id": "pregnancy_id", "id_kehamilan": "pregnancy_id",
        "lmp_date": "lmp_date", "hpht": "lmp_date",
        "gestational_weeks": "gestational_weeks", "usia_kehamilan": "gestational_weeks",
    ]

    static func normalise(_ header: String) -> String {
        header.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    static func read(_ path: String) throws -> File {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let bom = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        if bom { bytes.removeFirst(3) }
        let text = String(decoding: bytes, as: UTF8.self)
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" && $0 != "\r" }
        let delimiter = [",", ";", "\t", "|"].map(Character.init).max { a, b in
            firstLine.filter { $0 == a }.count < firstLine.filter { $0 == b }.count
        }!
        let records = parse(bytes, delimiter: UInt8(delimiter.asciiValue!))
        let header = records.first ?? []
        var columns: [String: Int] = [:]
        for (i, h) in header.enumerated() {
            if let c = aliases[normalise(h)], columns[c] == nil { columns[c] = i }
        }
        var rows: [[String]] = []
        var blank = 0
        for r in records.dropFirst() {
            if r.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { blank += 1 } else { rows.append(r) }
        }
        return File(name: (path as NSString).lastPathComponent, bom: bom,
                    crlf: text.contains("\r\n"), delimiter: delimiter, header: header,
                    columns: columns, rows: rows, blankRows: blank)
    }

    static func parse(_ bytes: [UInt8], delimiter: UInt8) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var i = 0
        func endField() { record.append(String(decoding: field, as: UTF8.self)); field.removeAll() }
        func endRecord() { endField(); records.append(record); record.removeAll() }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == 0x22 {
                    if i + 1 < bytes.count && bytes[i + 1] == 0x22 { field.append(0x22); i += 1 } else { inQuotes = false }
                } else {
                    field.append(b)
                }
            } else if b == 0x22 && field.isEmpty {
                inQuotes = true
            } else if b == delimiter {
                endField()
            } else if b == 0x0D || b == 0x0A {
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                endRecord()
            } else {
                field.append(b)
            }
            i += 1
        }
        if !field.isEmpty || !record.isEmpty { endRecord() }
        return records
    }

    /// Every `layanan/*.csv` of a folder, in name order.
    static func layanan(_ folder: String) throws -> [File] {
        let dir = folder + "/layanan"
        return try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            .map { try read(dir + "/" + $0) }
    }

    /// A §2.1 date: y-m-d or d-m-y with `-` or `/`, optional time after a space or `T`.
    static func date(_ text: String) -> Day? {
        let core = text.split(whereSeparator: { $0 == " " || $0 == "T" }).first.map(String.init) ?? ""
        let parts = core.split(whereSeparator: { $0 == "-" || $0 == "/" }).map(String.init)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return nil }
        if parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) {
            return Day(year: y, month: m, day: d)
        }
        if parts[2].count == 4, let y = Int(parts[2]), let m = Int(parts[1]), let d = Int(parts[0]) {
            return Day(year: y, month: m, day: d)
        }
        return nil
    }
}

/// Generates a folder for a test and returns its summary.
func generate(_ options: GeneratorOptions, into folder: TempFolder) throws -> GenerationSummary {
    try SyntheticGenerator(options: options).generate(into: folder.path)
}
