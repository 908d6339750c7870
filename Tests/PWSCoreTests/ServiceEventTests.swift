import Testing
@testable import PWSCore

/// The 40-byte event: the small fields share `packed`, the LMP is kept as days before the visit.
@Suite struct ServiceEventTests {
    static func event(visit: Day = day(2025, 3, 10), lmp: Day = .unknown, weeks: Int8 = -1, sex: Sex = .female,
                      facilityType: FacilityType = .posyandu, provider: Provider = .none) -> ServiceEvent {
        ServiceEvent(person: 1, record: 2, visit: visit, birth: day(1995, 5, 1), lmp: lmp, service: 3,
                     gestationalWeeks: weeks, sex: sex, rt: 4, facilityType: facilityType, provider: provider)
    }

    @Test func isFortyBytes() {
        // 9 four-byte fields (person, record, visit, birth, rt, pregnancy, facility, result,
        // result2) + service (2) + packed (2) = 40, alignment 4: no padding.
        #expect(MemoryLayout<ServiceEvent>.size == 40)
        #expect(MemoryLayout<ServiceEvent>.stride == 40)
    }

    static let lmps: [(Day, Day, UInt16)] = [
        // visit, LMP, gestation code (1 + days before the visit)
        (day(2025, 3, 10), day(2025, 3, 10), 1),      // same day: 0 days
        (day(2025, 3, 10), day(2025, 3, 3), 8),       // one week
        (day(2025, 3, 10), day(2025, 1, 6), 64),      // 25 (Jan) + 28 (Feb) + 10 = 63 days
        // 2024-04-23 → 2025-03-10: 7 (rest of Apr) + 31+30+31+31+30+31+30+31 (May–Dec) + 31 + 28
        // + 10 = 321 days = 45 weeks 6 days, the farthest Validate keeps.
        (day(2025, 3, 10), day(2024, 4, 23), 322),
        (day(2024, 3, 1), day(2024, 2, 28), 3),       // across 29 Feb 2024: 2 days
    ]

    @Test(arguments: lmps)
    func lmpRoundTripsAsDaysBeforeTheVisit(_ visit: Day, _ lmp: Day, _ code: UInt16) {
        let e = Self.event(visit: visit, lmp: lmp)
        #expect(e.lmp == lmp)
        #expect(e.packed & 0x1FF == code)
        #expect(e.gestationalWeeks == -1)
        #expect(e.visit == visit)
    }

    @Test(arguments: [day(2025, 3, 11), day(2024, 4, 22), day(2023, 1, 1)])
    func anLMPOutsideZeroTo45WeeksIsUnknown(_ lmp: Day) {
        // Visit 2025-03-10: the day after (−1 day), 322 days before (one more than 45 weeks 6
        // days), and 799 days before — what Validate drops with W-GESTATION.
        let e = Self.event(lmp: lmp, weeks: 20)
        #expect(e.lmp.isUnknown)
        #expect(e.gestationalWeeks == 20)  // the LMP is dropped, so the weeks stand (§4.2)
        #expect(e.packed & 0x1FF == 323 + 20)
        // Without weeks nothing is left.
        let bare = Self.event(lmp: lmp)
        #expect(bare.lmp.isUnknown && bare.gestationalWeeks == -1 && bare.packed & 0x1FF == 0)
        // Setting an out-of-range LMP on an event with a usable one drops it, keeping nothing else.
        var moved = Self.event(lmp: day(2025, 3, 1))
        moved.lmp = lmp
        #expect(moved.lmp.isUnknown && moved.gestationalWeeks == -1)
    }

    @Test func noLMPAndNoWeeksIsCodeZero() {
        let e = Self.event()
        #expect(e.lmp.isUnknown && e.gestationalWeeks == -1 && e.packed & 0x1FF == 0)
    }

    @Test(arguments: [Int8(0), 1, 32, 45])
    func weeksAreKeptWithoutAnLMP(_ weeks: Int8) {
        var e = Self.event(weeks: weeks)
        #expect(e.gestationalWeeks == weeks && e.lmp.isUnknown)
        #expect(e.packed & 0x1FF == 323 + UInt16(weeks))
        e.lmp = .unknown  // clearing an absent LMP leaves the weeks
        #expect(e.gestationalWeeks == weeks)
        e.gestationalWeeks = -1
        #expect(e.gestationalWeeks == -1 && e.packed & 0x1FF == 0)
    }

    @Test func anLMPDecidesTheGestationAndReplacesWeeks() {
        // As Validate does: weeks only when there is no LMP (spec §4.2).
        let both = Self.event(lmp: day(2025, 1, 6), weeks: 30)
        #expect(both.lmp == day(2025, 1, 6) && both.gestationalWeeks == -1)
        var e = Self.event(weeks: 30)
        e.lmp = day(2025, 3, 3)
        #expect(e.lmp == day(2025, 3, 3) && e.gestationalWeeks == -1)
        e.lmp = .unknown
        #expect(e.lmp.isUnknown && e.gestationalWeeks == -1)
    }

    @Test func smallFieldsDoNotDisturbEachOther() {
        for sex in Sex.allCases {
            for type in FacilityType.allCases {
                for provider in Provider.allCases {
                    let e = Self.event(lmp: day(2024, 4, 23), sex: sex, facilityType: type, provider: provider)
                    #expect(e.sex == sex && e.facilityType == type && e.provider == provider)
                    #expect(e.lmp == day(2024, 4, 23) && e.service == 3 && e.visit == day(2025, 3, 10))
                }
            }
        }
        var e = Self.event(weeks: 45, sex: .male, facilityType: .lainnya, provider: .lainnya)
        e.sex = .female
        e.provider = .dokter
        #expect(e.sex == .female && e.facilityType == .lainnya && e.provider == .dokter && e.gestationalWeeks == 45)
    }

    @Test func theEnumerationsFitTheirBits() {
        // facility type and provider have 3 bits each, sex 1.
        #expect(FacilityType.allCases.allSatisfy { $0.rawValue < 8 })
        #expect(Provider.allCases.allSatisfy { $0.rawValue < 8 })
        #expect(Sex.allCases.count == 2)
    }

    @Test func sameContentComparesEveryField() {
        let a = Self.event(lmp: day(2025, 1, 6))
        #expect(a.sameContent(as: a))
        #expect(!a.sameContent(as: Self.event(lmp: day(2025, 1, 7))))
        #expect(!a.sameContent(as: Self.event()))
        #expect(!a.sameContent(as: Self.event(lmp: day(2025, 1, 6), provider: .bidan)))
        #expect(!Self.event(weeks: 10).sameContent(as: Self.event(weeks: 11)))
        var b = a
        b.result2 = 80
        #expect(!a.sameContent(as: b))
        // No result on both sides (NaN) is the same content.
        #expect(Self.event().sameContent(as: Self.event()))
    }
}

/// Front-coded string arena: exact round trips, byte order, and the bytes it saves.
@Suite struct StringArenaTests {
    static func arena(_ values: [String], blockSize: Int) -> StringArena {
        var a = StringArena(blockSize: blockSize)
        for v in values { a.append(Array(v.utf8)) }
        return a
    }

    @Test(arguments: [1, 16])
    func entriesRoundTripAcrossBlocks(blockSize: Int) {
        let values = (0..<100).map { "2410-0147-\(String(repeating: "0", count: 5 - String($0 * 7).count))\($0 * 7)" }
            + ["", "x", "", String(repeating: "é", count: 100), String(repeating: "a", count: 20_000), "a", "ab"]
        let a = Self.arena(values, blockSize: blockSize)
        #expect(a.count == values.count && a.blockSize == blockSize)
        for (i, v) in values.enumerated() {
            #expect(a[UInt32(i)] == v)
            #expect(Array(v.utf8).withUnsafeBytes { a.equals(UInt32(i), $0) })
        }
        // Not equal: a prefix, a longer string, one changed byte.
        #expect(!Array("2410-0147-0000".utf8).withUnsafeBytes { a.equals(0, $0) })
        #expect(!Array("2410-0147-000000".utf8).withUnsafeBytes { a.equals(0, $0) })
        #expect(!Array("2410-0147-00001".utf8).withUnsafeBytes { a.equals(0, $0) })
    }

    @Test func sequentialIdsShareTheirPrefix() {
        // "2410-0147-00000" … "2410-0147-00031", 15 bytes each, blocks of 16. Per entry: shared
        // length and rest length (one byte each), then the rest. Block 0, first "…00000" in full
        // (2 + 15 = 17); 1–9 share 14 bytes with it (3 each: 27); 10–15 share 13 ("…000",
        // 4 each: 24): 68. Block 1, first "…00016" (17); 17–19 share 14 (9); 20–31 share 13
        // (12 × 4 = 48): 74.
        let values = (0..<32).map { "2410-0147-000\($0 < 10 ? "0" : "")\($0)" }
        let a = Self.arena(values, blockSize: 16)
        #expect(a.byteCount == 68 + 74)
        // Block size 1: every entry in full, 2 + 15 bytes.
        #expect(Self.arena(values, blockSize: 1).byteCount == 32 * 17)
        #expect(values.indices.allSatisfy { a[UInt32($0)] == values[$0] })
    }

    @Test(arguments: [1, 16])
    func compareIsByteOrder(blockSize: Int) {
        let values = ["2410-0147-00002", "2410-0147-00001", "abc", "abcd", "b", "", "2410-0147-00010", "Z", "é"]
        let a = Self.arena(values, blockSize: blockSize)
        for i in values.indices {
            for j in values.indices {
                let c = a.compare(UInt32(i), UInt32(j))
                let x = Array(values[i].utf8), y = Array(values[j].utf8)
                if x == y { #expect(c == 0) } else if x.lexicographicallyPrecedes(y) { #expect(c < 0) } else { #expect(c > 0) }
            }
        }
        // By hand: "…00001" before "…00002"; a prefix before the longer string; "b" after "abcd";
        // "é" (0xC3 0xA9) after "b" (0x62).
        #expect(a.compare(1, 0) < 0 && a.compare(2, 3) < 0 && a.compare(4, 3) > 0 && a.compare(8, 4) > 0)
    }
}
