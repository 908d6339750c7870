import Concurrency
import Foundation
import Logging
@testable import Pipeline
import PWSCore
import PWSTestSupport
import Testing
import Validate

/// A map task stops at its next file once it is asked to — a map task before it in
/// `pws run --partitions` has failed, or its own write has (docs/scale.md, "Map tasks at
/// once") — instead of reading the rest of its share first.
@Suite struct MapStopTests {
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// Two at once: task 0 fails at once; task 1, still running, sees `stopRequested()` turn
    /// true and gives up (`StopRequested`): the error thrown is task 0's. The other way round,
    /// task 0 is never asked to stop when task 1 fails — a run in turn would have run it
    /// first — and runs to its end: the error thrown is task 1's. Needs two cores.
    @Test(.enabled(if: Parallel.defaultWorkers >= 2)) func tasksAfterTheFailureGiveWay() throws {
        let sawStop = Locked(false)
        let secondStarted = DispatchSemaphore(value: 0)
        var thrown = ""
        do {
            try ShardedRun.eachTask(2, atOnce: 2) { j, stopRequested in
                if j == 0 {
                    // Task 1 is claimed before task 0 fails (no task is claimed after a failure).
                    #expect(secondStarted.wait(timeout: .now() + 20) == .success)
                    throw PWSError(.outputNotWritable, "task 0")
                }
                secondStarted.signal()
                // Bounded waits, so the test fails rather than hangs when no stop comes.
                let deadline = Date().addingTimeInterval(20)
                while !stopRequested() && Date() < deadline { usleep(1000) }
                sawStop.withLock { $0 = stopRequested() }
                throw StopRequested(done: 0)
            }
        } catch let error as PWSError {
            thrown = error.message
        }
        #expect(thrown == "task 0")
        #expect(sawStop.withLock { $0 })

        let oneFailed = DispatchSemaphore(value: 0)
        let firstAsked = Locked([Bool]())
        thrown = ""
        do {
            try ShardedRun.eachTask(2, atOnce: 2) { j, stopRequested in
                if j == 1 {
                    defer { oneFailed.signal() }
                    throw PWSError(.data, "task 1")
                }
                firstAsked.withLock { $0.append(stopRequested()) }
                #expect(oneFailed.wait(timeout: .now() + 20) == .success)
                usleep(10_000)
                firstAsked.withLock { $0.append(stopRequested()) }
            }
        } catch let error as PWSError {
            thrown = error.message
        }
        #expect(thrown == "task 1")
        #expect(firstAsked.withLock { $0 } == [false, false])

        // In turn no task sees a stop: none is claimed after a failure.
        let asked = Locked([Bool]())
        do {
            try ShardedRun.eachTask(3, atOnce: 1) { j, stopRequested in
                asked.withLock { $0.append(stopRequested()) }
                if j == 1 { throw PWSError(.data, "task 1") }
            }
        } catch {}
        #expect(asked.withLock { $0 } == [false, false])

        // A task that stops unasked (none failed below it) is an internal failure, never swallowed
        // nor shown as a bare StopRequested.
        let unasked = #expect(throws: PWSError.self) {
            try ShardedRun.eachTask(2, atOnce: 1) { _, _ in throw StopRequested(done: 3) }
        }
        #expect(unasked?.code == .internalFailure)
    }

    /// `Validation.runMap` asked to stop once the first file's rows were handed on: no row of a
    /// later file is handed on, and it throws `StopRequested` saying one file was checked whole.
    /// Without a stop, the same first file gives the same rows, and every file is checked.
    @Test func theMapChecksNoFileAfterTheStop() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try ShardedRunTests.randomData(seed: 41, at: data, files: 6, rowsPerFile: 20...30, persons: 12, badShare: 0)
        let runner = PipelineRunner(request: ShardedRunTests.request(data: data, out: tmp.url.path + "/out"),
                                    logger: Self.quiet)
        let settings = runner.validationSettings(try runner.loadPipeline(indicators: false))
        let register = try Validation.loadRegister(dataDirectory: data, settings: settings).register
        let files = Validation.serviceListing(in: data).files
        #expect(files.count == 6)

        var whole: [Int] = []
        let outcome = try Validation.runMap(dataDirectory: data, settings: settings, register: register, sources: files) {
            whole.append($0.file)
        }
        #expect(outcome.accounts.count == 6)
        #expect(Set(whole) == Set(0..<6))
        let firstFile = whole.filter { $0 == 0 }.count
        #expect(firstFile > 0)

        let handedOn = Locked([Int]())
        var done = -1
        do {
            _ = try Validation.runMap(dataDirectory: data, settings: settings, register: register, sources: files,
                                      stop: { !handedOn.withLock { $0.isEmpty } }) { c in
                handedOn.withLock { $0.append(c.file) }
            }
        } catch let stopped as StopRequested {
            done = stopped.done
        }
        #expect(done == 1)
        #expect(handedOn.withLock { $0 } == [Int](repeating: 0, count: firstFile))
    }

    /// A map task asked to stop before its first file throws `StopRequested` (no file checked)
    /// and leaves nothing in the shared folder: its partition files are discarded.
    @Test func aStoppedMapTaskLeavesNoFiles() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try ShardedRunTests.randomData(seed: 43, at: data, files: 4, rowsPerFile: 10...20, persons: 8)
        let shared = tmp.url.path + "/shared"
        let run = ShardedRun(runner: PipelineRunner(request: ShardedRunTests.request(data: data, out: tmp.url.path + "/out"),
                                                    logger: Self.quiet),
                             shared: shared)
        var done = -1
        do {
            _ = try run.map(task: 0, tasks: 2, partitions: 3, stop: { true })
        } catch let stopped as StopRequested {
            done = stopped.done
        }
        #expect(done == 0)
        let left = FileManager.default.enumerator(atPath: shared)?.compactMap { $0 as? String }
            .filter { !$0.hasSuffix("/") && !FileManager.default.isDirectory(shared + "/" + $0) } ?? []
        #expect(left.isEmpty, "\(left)")
        // The same task not stopped writes its 3 partitions (and their record_id shares).
        _ = try run.map(task: 0, tasks: 2, partitions: 3)
        #expect(FileManager.default.fileExists(atPath: run.partPath(0, 2)))
    }
}

extension MapStopTests {
    /// A dedup or reduce task of `runStages` asked to stop (a task before it, run at once, has
    /// failed) gives way at its next map task's part — a reduce also before counting — throwing
    /// `StopRequested` with the parts it read whole, and writes nothing; the same task not
    /// asked writes its output.
    @Test func stoppedDedupAndReduceTasksWriteNothing() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path + "/data"
        try ShardedRunTests.randomData(seed: 47, at: data, files: 4, rowsPerFile: 10...20, persons: 8)
        let run = ShardedRun(runner: PipelineRunner(request: ShardedRunTests.request(data: data, out: tmp.url.path + "/out"),
                                                    logger: Self.quiet),
                             shared: tmp.url.path + "/shared")
        for i in 0..<2 { _ = try run.map(task: i, tasks: 2, partitions: 3) }

        /// `StopRequested.done` of `body` run with a stop that turns true at its `at`-th asking.
        func stopped(at: Int, _ body: (ShardedRun) throws -> Void) throws -> Int? {
            let asked = Locked(0)
            var task = run
            task.stop = { asked.withLock { $0 += 1; return $0 >= at } }
            do { try body(task) } catch let stop as StopRequested { return stop.done }
            return nil
        }
        let fm = FileManager.default
        #expect(try stopped(at: 1) { _ = try $0.dedup(task: 1, tasks: 3) } == 0)
        #expect(try stopped(at: 2) { _ = try $0.dedup(task: 1, tasks: 3) } == 1)
        #expect(!fm.fileExists(atPath: run.dedupPath(1)))
        for j in 0..<3 { _ = try run.dedup(task: j, tasks: 3) }
        #expect(fm.fileExists(atPath: run.dedupPath(1)))

        #expect(try stopped(at: 1) { _ = try $0.reduce(task: 1, tasks: 3) } == 0)
        // Asked before each of the 2 map tasks' parts, then before counting.
        #expect(try stopped(at: 3) { _ = try $0.reduce(task: 1, tasks: 3) } == 2)
        #expect(!fm.fileExists(atPath: run.reducePath(1)))
        _ = try run.reduce(task: 1, tasks: 3)
        #expect(fm.fileExists(atPath: run.reducePath(1)))
    }

    /// The dedup and reduce stages hand each task a run whose `stop` is its `stopRequested`:
    /// with two at once, task 1's turns true once task 0 has failed, and the error thrown is
    /// task 0's. Needs two cores.
    @Test(.enabled(if: Parallel.defaultWorkers >= 2)) func stageTasksAreHandedTheirStop() throws {
        let tmp = try TemporaryFolder()
        let run = ShardedRun(runner: PipelineRunner(request: ShardedRunTests.request(data: tmp.url.path, out: tmp.url.path + "/out"),
                                                    logger: Self.quiet),
                             shared: tmp.url.path + "/shared")
        let secondStarted = DispatchSemaphore(value: 0)
        let sawStop = Locked([Bool]())
        var thrown = ""
        do {
            try run.eachStopping(2, atOnce: 2) { j, task in
                if j == 0 {
                    #expect(task.stop?() == false)
                    #expect(secondStarted.wait(timeout: .now() + 20) == .success)
                    throw PWSError(.outputNotWritable, "partition 0")
                }
                sawStop.withLock { $0.append(task.stop?() ?? true) }
                secondStarted.signal()
                let deadline = Date().addingTimeInterval(20)
                while task.stop?() == false && Date() < deadline { usleep(1000) }
                sawStop.withLock { $0.append(task.stop?() ?? false) }
                try task.checkStop(done: 0)
            }
        } catch let error as PWSError {
            thrown = error.message
        }
        #expect(thrown == "partition 0")
        #expect(sawStop.withLock { $0 } == [false, true])
    }
}

private extension FileManager {
    func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
