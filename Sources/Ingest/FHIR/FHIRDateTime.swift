import PWSCore

/// FHIR dateTimes as the district's calendar has them. SATUSEHAT asks for instants in UTC
/// (`2025-12-09T19:30:00+00:00`, `…Z`): that is 02:30 on 10 December in Jakarta, and a visit is
/// counted on the day it took place there. A dateTime with a time and an offset is written again
/// at the pipeline's offset (`fhir.utc_offset`, WIB +07:00 by default); a date, or a time without
/// an offset, is the local date already and stays as written, as does text that is no dateTime
/// (Validate judges it as it judges a CSV cell).
public enum FHIRDateTime {
    /// `text` at `offsetMinutes` east of UTC: `2025-12-09T19:30:00+00:00` at +420 is
    /// `2025-12-10T02:30:00+07:00` (seconds and their fraction kept as written). Text already at
    /// that offset is returned as it is.
    public static func local(_ text: String, offsetMinutes: Int) -> String {
        let b = Array(text.utf8)
        // YYYY-MM-DDThh:mm, then :ss and .fraction optional, then Z or ±hh:mm.
        guard b.count >= 17, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"),
              let year = number(b, 0, 4), let month = number(b, 5, 2), let day = number(b, 8, 2),
              let hour = number(b, 11, 2), let minute = number(b, 14, 2), hour < 24, minute < 60,
              let date = Day(year: year, month: month, day: day) else { return text }
        var i = 16
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard number(b, i + 1, 2) != nil else { return text }
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                let start = i
                while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
                guard i > start else { return text }
            }
        }
        let seconds = String(decoding: b[16..<i], as: UTF8.self)
        let source: Int
        if i == b.count - 1, b[i] == UInt8(ascii: "Z") {
            source = 0
        } else if i == b.count - 6, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), b[i + 3] == UInt8(ascii: ":"),
                  let h = number(b, i + 1, 2), let m = number(b, i + 4, 2), h <= 14, m < 60 {
            source = (b[i] == UInt8(ascii: "-") ? -1 : 1) * (h * 60 + m)
        } else {
            return text
        }
        if source == offsetMinutes { return text }
        let minutes = hour * 60 + minute - source + offsetMinutes
        let shift = Int((Double(minutes) / 1440).rounded(.down))
        let inDay = minutes - shift * 1440
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(date.adding(days: shift))T\(two(inDay / 60)):\(two(inDay % 60))\(seconds)\(offsetText(offsetMinutes))"
    }

    /// `+07:00` for 420.
    static func offsetText(_ minutes: Int) -> String {
        let m = abs(minutes)
        return (minutes < 0 ? "-" : "+") + (m / 60 < 10 ? "0" : "") + "\(m / 60):" + (m % 60 < 10 ? "0" : "") + "\(m % 60)"
    }

    /// An offset setting's minutes east of UTC: `+07:00`, `+0800`, `+9`, or Indonesia's zones
    /// `WIB` (+07:00), `WITA` (+08:00), `WIT` (+09:00); nil for anything else.
    public static func offset(setting: String) -> Int? {
        switch setting.uppercased() {
        case "WIB": return 420
        case "WITA": return 480
        case "WIT": return 540
        default: break
        }
        let b = Array(setting.utf8)
        guard let sign = b.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        let digits = b.dropFirst().filter { $0 != UInt8(ascii: ":") }
        guard b.dropFirst().filter({ $0 == UInt8(ascii: ":") }).count <= 1, [1, 2, 4].contains(digits.count),
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let d = Array(digits)
        let hours = digits.count == 1 ? Int(d[0] - 48) : Int(d[0] - 48) * 10 + Int(d[1] - 48)
        let minutes = digits.count == 4 ? Int(d[2] - 48) * 10 + Int(d[3] - 48) : 0
        guard hours <= 14, minutes < 60, b.count == 1 + digits.count + (setting.contains(":") ? 1 : 0),
              !setting.contains(":") || (digits.count == 4 && b[3] == UInt8(ascii: ":")) else { return nil }
        return (sign == UInt8(ascii: "-") ? -1 : 1) * (hours * 60 + minutes)
    }

    /// The decimal number of `count` ASCII digits at `start`, or nil.
    private static func number(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= b.count else { return nil }
        var n = 0
        for k in start..<start + count {
            guard b[k] >= UInt8(ascii: "0"), b[k] <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + Int(b[k] - UInt8(ascii: "0"))
        }
        return n
    }
}
