import Foundation
import Testing
@testable import Export

/// A run folder's name carries the publishing instant (`YYYYMMDDTHHMMSS.mmmZ`); retention keeps
/// the names that sort last, so the stamps of successive runs must never go backwards — also
/// when a second begins between the reading of the seconds and of the milliseconds.
@Suite struct PublisherStampTests {
    @Test func stampHasTheDocumentedShape() throws {
        let stamp = Publisher.stamp()
        #expect(stamp.count == 20)
        #expect(stamp.wholeMatch(of: /\d{8}T\d{6}\.\d{3}Z/) != nil, "\(stamp)")
    }

    /// Calls in a tight loop across at least two second boundaries: with the seconds and the
    /// milliseconds read from two clock calls, the stamp fell back by almost a second whenever
    /// a second began between them.
    @Test func stampsNeverGoBackwardsAcrossSecondBoundaries() {
        var last = Publisher.stamp()
        var boundaries = 0
        var calls = 0
        while boundaries < 2 {
            let stamp = Publisher.stamp()
            calls += 1
            if stamp < last {
                Issue.record("stamp went backwards: \(last) then \(stamp) after \(calls) calls")
                return
            }
            if stamp.prefix(15) != last.prefix(15) { boundaries += 1 }
            last = stamp
        }
        #expect(calls > 1000)
    }
}
