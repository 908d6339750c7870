import PWSCore

/// FHIR dateTimes as the district's calendar has them. SATUSEHAT asks for instants in UTC
/// (`2025-12-09T19:30:00+00:00`, `…Z`): that is 02:30 on 10 December in Jakarta, and a visit is
/// counted on the day it took place there. A dateTime with a time and a zone is written again at
/// the pipeline's offset (`fhir.utc_offset`, WIB +07:00 by default); a date, or a time without a
/// zone, is the local date already and stays as written, as does text whose time or zone cannot
/// be read (Validate judges its date as it judges a CSV cell).
public enum FHIRDateTime {
    /// `text` at `offsetMinutes` east of UTC: `2025-12-09T19:30:00+00:00` at +420 is
    /// `2025-12-10T02:30:00+07:00` (seconds and their fraction kept as written). Read leniently,
    /// as exports write it: `T`, `t` or a space before the time; the zone `Z`, `z`, `UTC`,
    /// `±hh:mm`, `±hhmm` or `±hh`, after an optional space. Text at that offset already, or
    /// not of this form, is returned as it is.
    public static func local(_ text: String, offsetMinutes: Int) -> String {
        let b = Array(text.utf8)
        // YYYY-MM-DD, a separator, hh:mm.
        guard b.count > 16, b[4] == dash, b[7] == dash, [UInt8(ascii: "T"), UInt8(ascii: "t"), space].contains(b[10]),
              b[13] == colon,
              let year = number(b[0..<4]), let month = number(b[5..<7]), let day = number(b[8..<10]),
              let hour = number(b[11..<13]), let minute = number(b[14..<16]), hour < 24, minute < 60,
              let date = Day(year: year, month: month, day: day) else { return text }
        // :ss and .fraction, kept as written.
        var i = 16
        if i < b.count, b[i] == colon {
            guard i + 3 <= b.count, number(b[i + 1..<i + 3]) != nil else { return text }
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") {
                let start = i + 1
                i = start
                while i < b.count, isDigit(b[i]) { i += 1 }
                guard i > start else { return text }
            }
        }
        let seconds = String(decoding: b[16..<i], as: UTF8.self)
        if i < b.count, b[i] == space { i += 1 }
        guard let source = zone(b[i...]), source != offsetMinutes else { return text }
        let minutes = hour * 60 + minute - source + offsetMinutes
        let shift = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440)
        let inDay = minutes - shift * 1440
        return "\(date.adding(days: shift))T\(two(inDay / 60)):\(two(inDay % 60))\(seconds)\(offsetText(offsetMinutes))"
    }

    /// `+07:00` for 420.
    static func offsetText(_ minutes: Int) -> String {
        (minutes < 0 ? "-" : "+") + two(abs(minutes) / 60) + ":" + two(abs(minutes) % 60)
    }

    /// The `fhir.utc_offset` setting in minutes east of UTC: an offset as `local` reads a zone
    /// (`+07:00`, `+0800`, `+9`, `-03`), or Indonesia's zones `WIB` (+07:00), `WITA` (+08:00),
    /// `WIT` (+09:00); nil for anything else.
    public static func offset(setting: String) -> Int? {
        switch setting.uppercased() {
        case "WIB": return 420
        case "WITA": return 480
        case "WIT": return 540
        default: return zone(Array(setting.utf8)[...])
        }
    }

    /// A zone's minutes east of UTC: `Z`, `z`, `UTC`, or a sign, one or two digits of hours
    /// (at most 14) and, optionally after `:`, two of minutes; nil for anything else.
    static func zone(_ z: ArraySlice<UInt8>) -> Int? {
        if z.elementsEqual("Z".utf8) || z.elementsEqual("z".utf8) || z.elementsEqual("UTC".utf8) { return 0 }
        guard let sign = z.first, sign == UInt8(ascii: "+") || sign == dash else { return nil }
        let rest = Array(z.dropFirst())
        let hoursEnd = rest.firstIndex { !isDigit($0) } ?? rest.count
        let hourDigits = hoursEnd > 2 && rest.count == 4 && !rest.contains(colon) ? 2 : hoursEnd
        guard (1...2).contains(hourDigits), let hours = number(rest[0..<hourDigits]), hours <= 14 else { return nil }
        var minutes = 0
        var tail = rest[hourDigits...]
        if !tail.isEmpty {
            if tail.first == colon && hourDigits == 2 { tail = tail.dropFirst() }
            guard tail.count == 2, let m = number(tail), m < 60 else { return nil }
            minutes = m
        }
        return (sign == dash ? -1 : 1) * (hours * 60 + minutes)
    }

    private static let dash = UInt8(ascii: "-"), colon = UInt8(ascii: ":"), space = UInt8(ascii: " ")

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// The decimal number of the ASCII digits `digits` (at least one), or nil.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.allSatisfy(isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
