import PWSCore

/// `completeness.csv` (spec §7): reporting per facility and month of the as-of year, from the
/// events Aggregate counts (used records), plus a row for each service file that could not be read.
public enum Completeness {
    /// Rows per facility and month of the as-of year (January up to the as-of month) for every
    /// facility with a record in that year, facilities in byte order of their names.
    ///
    /// Facilities are counted in (facility, month) buckets; distinct persons per bucket come from
    /// one counting sort of the persons by bucket and a last-seen mark per person, so 10 M
    /// events take a fraction of a second and no hashing (a `Set` per facility and month took
    /// 2 s).
    ///
    /// - Complexity: O(events + facilities × 12).
    public static func rows(_ set: EventSet, asOf: YearMonth) -> [CompletenessRow] {
        let types = FacilityType.allCases
        // Bucket key: a facility without a code counts per facility type (keys 0..<types), a
        // facility with one by its id (types + id − 1).
        let keyCount = types.count + set.facilityIDs.count
        let first = YearMonth(year: asOf.year, month: 1).firstDay
        let next = YearMonth(year: asOf.year + 1, month: 1).firstDay
        let monthOfDay: [UInt8] = (0..<first.days(to: next)).map { UInt8(first.adding(days: $0).civil.month - 1) }
        func bucket(_ e: ServiceEvent) -> Int? {
            guard e.visit >= first, e.visit < next else { return nil }
            let key = e.facility == 0 ? Int(e.facilityType.rawValue) : types.count + Int(e.facility) - 1
            return key * 12 + Int(monthOfDay[first.days(to: e.visit)])
        }
        var records = [Int](repeating: 0, count: keyCount * 12)
        for e in set.events {
            if let b = bucket(e) { records[b] += 1 }
        }
        // Persons grouped by bucket (counting sort), then counted once each per bucket.
        var starts = [Int](repeating: 0, count: keyCount * 12 + 1)
        for b in 0..<records.count { starts[b + 1] = starts[b] + records[b] }
        var fill = starts
        var persons = [UInt32](repeating: 0, count: starts[records.count])
        for e in set.events {
            guard let b = bucket(e) else { continue }
            persons[fill[b]] = e.person
            fill[b] += 1
        }
        let personCount = Int(set.events.lazy.map(\.person).max() ?? 0) + 1
        var seenIn = [Int32](repeating: -1, count: personCount)
        var distinct = [Int](repeating: 0, count: keyCount * 12)
        for b in 0..<records.count where records[b] > 0 {
            for k in starts[b]..<starts[b + 1] where seenIn[Int(persons[k])] != Int32(b) {
                seenIn[Int(persons[k])] = Int32(b)
                distinct[b] += 1
            }
        }

        func name(_ key: Int) -> (String, String) {
            key < types.count ? ("(\(types[key].code) tanpa kode)", types[key].code)
                : (set.facilityIDs[UInt32(key - types.count)], "")
        }
        let keys = (0..<keyCount).filter { k in (0..<12).contains { records[k * 12 + $0] > 0 } }
            .map { ($0, name($0)) }
            .sorted { $0.1.0.utf8.lexicographicallyPrecedes($1.1.0.utf8) }
        var rows: [CompletenessRow] = []
        for (k, (facility, type)) in keys {
            for m in 1...asOf.month {
                let n = records[k * 12 + m - 1]
                rows.append(CompletenessRow(facility: facility, facilityType: type, year: asOf.year, month: m,
                                            records: n, persons: distinct[k * 12 + m - 1], reported: n > 0))
            }
        }
        return rows
    }

    /// Rows for the service files skipped as unreadable (`--skip-unreadable`), by path: the
    /// facility is unknown, so the row names the file, and it is marked not reported in the
    /// month the file name carries (`YYYY-MM` anywhere in it, as the generator and most
    /// districts name monthly files) when that is in the as-of year up to the as-of month, else
    /// in the as-of month.
    public static func unreadableRows(_ paths: [String], asOf: YearMonth) -> [CompletenessRow] {
        paths.map { path in
            let name = path.split(separator: "/").last.map(String.init) ?? path
            var month = asOf.month
            let bytes = Array(name.utf8)
            if bytes.count >= 7 {
                for i in 0...(bytes.count - 7) where bytes[i + 4] == UInt8(ascii: "-") {
                    let digits = bytes[i..<i + 4] + bytes[i + 5..<i + 7]
                    guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                          let candidate = YearMonth(String(decoding: bytes[i..<i + 7], as: UTF8.self)),
                          candidate.year == asOf.year, candidate.month <= asOf.month else { continue }
                    month = candidate.month
                    break
                }
            }
            return CompletenessRow(facility: "(tidak terbaca) \(path)", facilityType: "", year: asOf.year,
                                   month: month, records: 0, persons: 0, reported: false)
        }
    }

    /// Every row of `completeness.csv`: the facilities' rows and, when files were unreadable,
    /// theirs, in the table's order (facility, then month).
    public static func table(_ set: EventSet, unreadable: [String], asOf: YearMonth) -> [CompletenessRow] {
        let rows = rows(set, asOf: asOf)
        guard !unreadable.isEmpty else { return rows }
        return (rows + unreadableRows(unreadable, asOf: asOf)).sorted { a, b in
            a.facility != b.facility ? a.facility.utf8.lexicographicallyPrecedes(b.facility.utf8) : a.month < b.month
        }
    }
}
