import CSV
import PWSCore

/// A column of a service-record file, by meaning (spec §2.4), plus the extras real exports carry.
enum Column: Sendable {
    case recordID, rowNumber, visitDate, personID, name, birthDate, sex, villageCode, rw, rt
    case facilityType, facilityID, serviceCode, result, provider, pregnancyID, lmpDate
    case gestationalWeeks
}

/// How dates are written.
enum DateStyle: Sendable {
    /// `04/03/2025`
    case dayMonthYear
    /// `2025-03-04`
    case iso
    /// `4/3/2025`
    case dayMonthYearLoose
    /// `2025-03-04 09:15` (visit dates only; birth dates without the time)
    case isoWithTime
}

/// The CSV dialects the generator writes: the ways Indonesian registers really reach a district.
enum Dialect: Int, Sendable, CaseIterable {
    /// Indonesian Excel: `;`, CRLF, UTF-8 BOM, decimal comma, Indonesian headers, `DD/MM/YYYY`.
    case excel
    /// An application export: `,`, LF, canonical English headers, ISO dates.
    case app
    /// A kader's spreadsheet: `,`, LF, other Indonesian aliases, a row-number column, `D/M/YYYY`,
    /// `Laki-laki/Perempuan`, `RW 01`/`RT.003`, dotted village codes, decimal comma (so quoted).
    case kader
    /// A SIMPUS export: TAB, CRLF, `Title Case` headers with spaces, ISO dates with a time, `M/F`.
    case simpus

    /// Short name used in docs and tests.
    var name: String {
        switch self {
        case .excel: "excel"
        case .app: "app"
        case .kader: "kader"
        case .simpus: "simpus"
        }
    }

    var writeOptions: CSVWriteOptions {
        switch self {
        case .excel: CSVWriteOptions(delimiter: 0x3B, lineEnding: [0x0D, 0x0A], bom: true)
        case .app: CSVWriteOptions(delimiter: 0x2C, lineEnding: [0x0A], bom: false)
        case .kader: CSVWriteOptions(delimiter: 0x2C, lineEnding: [0x0A], bom: true)
        case .simpus: CSVWriteOptions(delimiter: 0x09, lineEnding: [0x0D, 0x0A], bom: false)
        }
    }

    /// Columns in file order with their header text.
    var columns: [(Column, String)] {
        switch self {
        case .excel:
            [(.recordID, "id_kunjungan"), (.visitDate, "tanggal_kunjungan"), (.personID, "nik"),
             (.name, "nama"), (.birthDate, "tanggal_lahir"), (.sex, "jenis_kelamin"),
             (.villageCode, "kode_desa"), (.rw, "rw"), (.rt, "rt"), (.facilityType, "tempat_layanan"),
             (.facilityID, "kode_posyandu"), (.serviceCode, "kode_layanan"), (.result, "hasil"),
             (.provider, "nakes"), (.pregnancyID, "id_kehamilan"), (.lmpDate, "hpht"),
             (.gestationalWeeks, "usia_kehamilan")]
        case .app:
            [(.recordID, "record_id"), (.visitDate, "visit_date"), (.personID, "person_id"),
             (.birthDate, "birth_date"), (.sex, "sex"), (.villageCode, "village_code"), (.rw, "rw"),
             (.rt, "rt"), (.facilityType, "facility_type"), (.facilityID, "facility_id"),
             (.serviceCode, "service_code"), (.result, "result"), (.provider, "provider"),
             (.pregnancyID, "pregnancy_id"), (.lmpDate, "lmp_date"),
             (.gestationalWeeks, "gestational_weeks")]
        case .kader:
            [(.rowNumber, "no"), (.recordID, "id"), (.visitDate, "tanggal"), (.personID, "no_identitas"),
             (.name, "nama"), (.birthDate, "tgl_lahir"), (.sex, "jk"), (.villageCode, "kode_kelurahan"),
             (.rw, "rw"), (.rt, "rt"), (.facilityType, "jenis_fasilitas"),
             (.facilityID, "kode_fasilitas"), (.serviceCode, "layanan"), (.result, "nilai"),
             (.provider, "pemberi_layanan"), (.lmpDate, "hpht"), (.gestationalWeeks, "usia_kehamilan")]
        case .simpus:
            [(.recordID, "Record ID"), (.visitDate, "Visit Date"), (.personID, "Person ID"),
             (.birthDate, "Birth Date"), (.sex, "Sex"), (.villageCode, "Village Code"), (.rw, "RW"),
             (.rt, "RT"), (.facilityType, "Facility Type"), (.facilityID, "Facility ID"),
             (.serviceCode, "Service Code"), (.result, "Result"), (.provider, "Provider"),
             (.pregnancyID, "Pregnancy ID"), (.lmpDate, "LMP Date"),
             (.gestationalWeeks, "Gestational Weeks")]
        }
    }

    var dateStyle: DateStyle {
        switch self {
        case .excel: .dayMonthYear
        case .app: .iso
        case .kader: .dayMonthYearLoose
        case .simpus: .isoWithTime
        }
    }

    var decimalComma: Bool { self == .excel || self == .kader }
}

/// Appends ASCII renderings to a byte buffer without making `String`s.
enum Format {
    @inline(__always)
    static func digits(_ n: Int, width: Int, into out: inout some ByteAppender) {
        var buf: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = n < 0 ? -n : n
        var len = 0
        withUnsafeMutableBytes(of: &buf) { p in
            repeat {
                p[19 - len] = UInt8(0x30 + v % 10)
                v /= 10
                len += 1
            } while v > 0 && len < 20
            while len < width && len < 20 {
                p[19 - len] = 0x30
                len += 1
            }
            if n < 0 { out.appendByte(0x2D) }
            out.appendBytes(UnsafeRawBufferPointer(rebasing: p[(20 - len)...]))
        }
    }

    @inline(__always)
    static func int(_ n: Int, into out: inout some ByteAppender) { digits(n, width: 1, into: &out) }

    /// A date in the given style; `time` adds ` HH:MM` for `.isoWithTime`.
    static func date(_ y: Int, _ m: Int, _ d: Int, style: DateStyle, time: Int = -1,
                     into out: inout some ByteAppender) {
        switch style {
        case .dayMonthYear:
            digits(d, width: 2, into: &out); out.appendByte(0x2F)
            digits(m, width: 2, into: &out); out.appendByte(0x2F)
            digits(y, width: 4, into: &out)
        case .dayMonthYearLoose:
            digits(d, width: 1, into: &out); out.appendByte(0x2F)
            digits(m, width: 1, into: &out); out.appendByte(0x2F)
            digits(y, width: 4, into: &out)
        case .iso, .isoWithTime:
            digits(y, width: 4, into: &out); out.appendByte(0x2D)
            digits(m, width: 2, into: &out); out.appendByte(0x2D)
            digits(d, width: 2, into: &out)
            if style == .isoWithTime && time >= 0 {
                out.appendByte(0x20)
                digits(time / 60, width: 2, into: &out); out.appendByte(0x3A)
                digits(time % 60, width: 2, into: &out)
            }
        }
    }

    @inline(__always)
    static func date(_ day: Day, style: DateStyle, time: Int = -1, into out: inout some ByteAppender) {
        let c = day.civil
        date(c.year, c.month, c.day, style: style, time: time, into: &out)
    }

    /// Tenths as a decimal with one fraction digit (`125` → `12.5` or `12,5`); whole values
    /// keep the `.0`, as scales print.
    @inline(__always)
    static func tenths(_ t: Int, comma: Bool, into out: inout some ByteAppender) {
        if t < 0 { out.appendByte(0x2D) }
        let v = abs(t)
        int(v / 10, into: &out)
        out.appendByte(comma ? 0x2C : 0x2E)
        out.appendByte(UInt8(0x30 + v % 10))
    }

    @inline(__always)
    static func append(_ s: StaticString, into out: inout some ByteAppender) {
        out.appendBytes(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
}

/// Somewhere bytes can be appended: a `[UInt8]`, or the emitter's fixed row buffer.
protocol ByteAppender {
    mutating func appendByte(_ b: UInt8)
    mutating func appendBytes(_ p: UnsafeRawBufferPointer)
}

extension ByteAppender {
    @inline(__always)
    mutating func appendBytes(_ a: [UInt8]) { a.withUnsafeBytes { appendBytes($0) } }
}

extension Array: ByteAppender where Element == UInt8 {
    @inline(__always)
    mutating func appendByte(_ b: UInt8) { append(b) }
    @inline(__always)
    mutating func appendBytes(_ p: UnsafeRawBufferPointer) { append(contentsOf: p) }
}

/// A fixed buffer for one row: no uniqueness checks or growth on the hot path. Bytes beyond
/// its capacity are dropped (rows are a few hundred bytes; the capacity is 16 KiB).
struct RowBuffer: ByteAppender {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    var count = 0

    @inline(__always)
    mutating func appendByte(_ b: UInt8) {
        if count < capacity {
            base[count] = b
            count += 1
        }
    }

    @inline(__always)
    mutating func appendBytes(_ p: UnsafeRawBufferPointer) {
        let n = min(p.count, capacity - count)
        if n > 0 {
            (base + count).update(from: p.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
            count += n
        }
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
