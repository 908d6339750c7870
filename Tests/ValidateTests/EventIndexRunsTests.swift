import PWSCore
import Testing
@testable import Validate

/// The run-coded per-event and per-record indices: exact values back, few runs.
@Suite struct RunCodedIndicesTests {
    @Test func recordContentKeepsOneRunPerBreakInTheStep() {
        // New record ids with a new event each (0, 1, 2), one whose row was a duplicate (side
        // entry 0), two more events (3, 4), another duplicate, an event (5): runs [0 1 2],
        // [side 0], [3 4], [side 1], [5].
        let side = ServiceRowChecker.sideFlag
        let values: [UInt32] = [0, 1, 2, side | 0, 3, 4, side | 1, 5]
        var r = RunCodedIndices(step: 1)
        for v in values { r.append(v) }
        #expect(r.count == 8 && r.runCount == 5)
        #expect(Array(r) == values)
    }

    @Test func sourcesKeepOneRunPerFile() {
        var s = RunCodedIndices(step: 0)
        for v: UInt16 in [0, 0, 0, 1, 1, 3, 3, 3, 3] { s.append(v) }
        #expect(s.runCount == 3)
        #expect(Array(s) == [0, 0, 0, 1, 1, 3, 3, 3, 3])
        #expect(s[5] == 3 && s[4] == 1)
    }

    @Test func keepDropsValuesAndRecodesRuns() {
        var s = RunCodedIndices(step: 1)
        for v: UInt32 in [10, 11, 12, 13, 14, 20, 21] { s.append(v) }
        s.keep { $0 != 2 && $0 != 5 }
        // 10 11 | 13 14 | 21: dropping 12 and 20 breaks the step twice.
        #expect(Array(s) == [10, 11, 13, 14, 21] && s.runCount == 3)
    }

    @Test func emptyStaysEmpty() {
        var s = RunCodedIndices(step: 1)
        #expect(s.isEmpty && s.runCount == 0)
        s.keep { _ in true }
        #expect(s.isEmpty)
    }
}

@Suite struct EventLinesTests {
    @Test func linesOverSixteenBitsRoundTrip() {
        // A long file (lines past 65 535 = 0xFFFF), then the next file from line 2.
        let lines: [UInt32] = [2, 3, 65_535, 65_536, 65_537, 131_072, 200_000, 2, 5, 70_000]
        var l = EventLines()
        for line in lines { l.append(line) }
        #expect(Array(l) == lines)
        l.keep { $0 % 2 == 0 }
        #expect(Array(l) == [2, 65_535, 65_537, 200_000, 5])
    }
}

@Suite struct EventLocationTests {
    @Test func droppingEventsAfterTheAsOfMonthKeepsFilesAndLinesAligned() throws {
        let w = "3201014506900001,05/06/1990,P,3201010001,1,1,posyandu"
        let h = DuplicateTests.header
        let folder = try DataFolder(layanan: [
            "layanan/a.csv": "\(h)\na,2025-02-01,\(w),TIMBANG,60\nc,2025-04-30,\(w),TIMBANG,62\nb,2025-03-01,\(w),TIMBANG,61\n",
            "layanan/b.csv": "\(h)\nd,2025-04-02,\(w),TIMBANG,63\ne,2025-01-15,\(w),TIMBANG,64\n",
        ])
        defer { folder.remove() }
        let o = try Validation.run(dataDirectory: folder.path,
                                   settings: DataFolder.settings(asOf: YearMonth(year: 2025, month: 3)))
        // Kept in read order: a (a.csv line 2), b (a.csv line 4), e (b.csv line 3).
        #expect(o.events.events.map { o.events.recordIDs[$0.record] } == ["a", "b", "e"])
        #expect(Array(o.eventSources) == [0, 0, 1])
        #expect(Array(o.eventLines) == [2, 4, 3])
        #expect(o.sources == ["layanan/a.csv", "layanan/b.csv"])
    }
}
