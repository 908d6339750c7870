import Concurrency
import Export
import Foundation
import PWSCore
import Testing
@testable import Pipeline

/// The hand-over of `pws run`'s early workbooks thread (`EarlyWorkbooks`): the thread, started
/// inside Aggregate, gets the accounting and the SPM values later, or stops when the run fails.
@Suite struct EarlyWorkbooksTests {
    static let quality = WorkbookQuality(
        files: [], total: WorkbookQuality.File(source: "TOTAL", read: 10, rejected: 3, accepted: 7, used: 6,
                                               duplicate: 1, outOfPeriod: 0, blank: 2),
        rejectRate: 0.3, rejectsByRule: ["E-DATE": 3], warningsByRule: [:])

    /// A thread already waiting is woken by `finish` and gets what was handed over; a later
    /// wait returns the same at once, and `abandon` after `finish` changes nothing.
    @Test func waitingThreadGetsWhatFinishHandsOver() throws {
        let early = EarlyWorkbooks()
        let started = DispatchSemaphore(value: 0)
        let thread = BackgroundThread { () throws -> Int in
            started.signal()
            return try early.waitForLate().quality?.total.read ?? -1
        }
        started.wait()
        usleep(20_000)  // let it reach its wait
        early.finish(EarlyWorkbooks.Late(quality: Self.quality, spm: nil))
        #expect(try thread.wait() == 10)
        early.abandon()
        let late = try early.waitForLate()
        #expect(late.quality?.rejectsByRule == ["E-DATE": 3])
        #expect(late.spm == nil)
    }

    /// After `abandon` (the run failed before Export), a waiting thread throws instead of
    /// waiting forever, and so does any later wait.
    @Test func abandonStopsTheWaitWithAnError() throws {
        let early = EarlyWorkbooks()
        let thread = BackgroundThread { () throws -> Int in
            _ = try early.waitForLate()
            return 1
        }
        usleep(20_000)
        early.abandon()
        #expect(throws: PWSError.self) { try thread.wait() }
        #expect(throws: PWSError.self) { try early.waitForLate() }
    }
}
