import PWSCore
import Testing
import Aggregate

/// `completeness.csv` rows from the events (spec §7): per facility and month of the as-of year.
@Suite struct CompletenessTests {
    static func event(person: UInt32, facility: UInt32, type: FacilityType = .puskesmas, _ y: Int, _ m: Int,
                      _ d: Int) -> ServiceEvent {
        let day = Day(year: y, month: m, day: d)!
        return ServiceEvent(person: person, record: 0, visit: day, birth: Day(year: 1990, month: 1, day: 1)!,
                            service: 0, sex: .female, rt: 0, facility: facility, facilityType: type)
    }

    /// PKM-A: January 3 records of 2 persons (person 0 twice), February none. A posyandu without
    /// a code: 1 record in February. A home visit without a code in March only (after the as-of
    /// month, but in the year): listed, with nothing in January and February. "Bidan Desa" has a
    /// record in December 2024 only: not listed. Sorted by facility name bytes ("(" before "P").
    @Test func countsRecordsAndDistinctPersonsPerFacilityAndMonth() {
        var set = EventSet()
        set.facilityIDs.append(Array("PKM-A".utf8))
        set.facilityIDs.append(Array("Bidan Desa".utf8))
        set.events = [
            Self.event(person: 0, facility: 1, 2025, 1, 5),
            Self.event(person: 0, facility: 1, 2025, 1, 20),
            Self.event(person: 1, facility: 1, 2025, 1, 21),
            Self.event(person: 1, facility: 0, type: .posyandu, 2025, 2, 2),
            Self.event(person: 2, facility: 2, 2024, 12, 30),
            Self.event(person: 2, facility: 0, type: .rumah, 2025, 3, 1),
        ]
        let rows = Completeness.rows(set, asOf: YearMonth(year: 2025, month: 2))
        func row(_ f: String, _ t: String, _ m: Int, _ n: Int, _ p: Int) -> CompletenessRow {
            CompletenessRow(facility: f, facilityType: t, year: 2025, month: m, records: n, persons: p, reported: n > 0)
        }
        #expect(rows == [
            row("(posyandu tanpa kode)", "posyandu", 1, 0, 0), row("(posyandu tanpa kode)", "posyandu", 2, 1, 1),
            row("(rumah tanpa kode)", "rumah", 1, 0, 0), row("(rumah tanpa kode)", "rumah", 2, 0, 0),
            row("PKM-A", "", 1, 3, 2), row("PKM-A", "", 2, 0, 0),
        ])
    }

    @Test func noEventsNoRows() {
        #expect(Completeness.rows(EventSet(), asOf: YearMonth(year: 2025, month: 6)).isEmpty)
    }
}

/// Rows for unreadable service files (`--skip-unreadable`).
@Suite struct UnreadableCompletenessTests {
    /// "layanan/2025-02.csv" carries February, in the as-of year up to March: that month.
    /// "layanan/2024-12.csv" is of another year and "rusak.csv" carries no month: both March.
    @Test func unreadableFileIsNotReportedInTheMonthItsNameCarries() {
        let rows = Completeness.unreadableRows(["layanan/2025-02.csv", "layanan/2024-12.csv", "rusak.csv"],
                                               asOf: YearMonth(year: 2025, month: 3))
        #expect(rows.map(\.month) == [2, 3, 3])
        #expect(rows.map(\.facility) == ["(tidak terbaca) layanan/2025-02.csv", "(tidak terbaca) layanan/2024-12.csv",
                                         "(tidak terbaca) rusak.csv"])
        #expect(rows.allSatisfy { !$0.reported && $0.records == 0 })
    }

    /// The table merges them into facility order: "(posyandu …" < "(tidak terbaca) …" < "PKM-A"
    /// (bytes: "(p" < "(t" < "P").
    @Test func tableSortsUnreadableRowsAmongFacilities() {
        var set = EventSet()
        set.facilityIDs.append(Array("PKM-A".utf8))
        set.events = [CompletenessTests.event(person: 0, facility: 1, 2025, 1, 5),
                      CompletenessTests.event(person: 1, facility: 0, type: .posyandu, 2025, 1, 6)]
        let rows = Completeness.table(set, unreadable: ["x.csv"], asOf: YearMonth(year: 2025, month: 1))
        #expect(rows.map(\.facility) == ["(posyandu tanpa kode)", "(tidak terbaca) x.csv", "PKM-A"])
    }
}
