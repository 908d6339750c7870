import Foundation
import PWSCore
#if canImport(Glibc)
import Glibc
#endif

/// Work on a thread of its own, started at once; the starting thread later waits for its
/// result (Validate's reading thread, the run's input hashing).
///
/// The thread is a pthread made here rather than a Foundation `Thread`, whose `start()` says
/// nothing when the system refuses the thread: under a tight `ulimit -v` a run's indicators.csv
/// threads were never made and the run waited for them for ever, holding the lock. A thread
/// that cannot be made is `startFailure`, and `wait()` throws it at once.
public final class BackgroundThread<Value: Sendable>: Sendable {
    private let outcome: Locked<Result<Value, any Error>?>
    private let finished: DispatchSemaphore
    /// Why the system would not make the thread (nil: it runs). Work coordinated through a
    /// queue with this thread must stop that queue, or its other side waits for ever.
    public let startFailure: PWSError?

    /// Starts `body` on a new thread (with a stack of `stackSize` bytes when given).
    ///
    /// `yielding: true` lowers the thread's scheduling priority (Linux nice +10, the thread
    /// alone): while the cores are busy it runs in the time the other threads leave, and as
    /// fast as any when they are not. For work that is not on the critical path but runs beside
    /// a thread that is (indicators.csv's formatting beside the workbook's single thread).
    public init(stackSize: Int? = nil, yielding: Bool = false, _ body: @escaping @Sendable () throws -> Value) {
        let outcome = Locked<Result<Value, any Error>?>(nil)
        let finished = DispatchSemaphore(value: 0)
        self.outcome = outcome
        self.finished = finished
        let start = ThreadStart {
            if yielding { BackgroundThread<Value>.yield() }
            let result = Result { try body() }
            outcome.withLock { $0 = result }
            finished.signal()
        }
        let status = BackgroundThread<Value>.refusedByTest() ? EAGAIN : start.spawn(stackSize: stackSize)
        if status == 0 {
            startFailure = nil
        } else {
            let failure = PWSError(.internalFailure, "cannot start a thread: \(String(cString: strerror(status))); "
                                   + "the machine, or this process's limits (ulimit -v, ulimit -u), leave too little memory or too few threads — nothing was published; rerun with more")
            startFailure = failure
            outcome.withLock { $0 = .failure(failure) }
            finished.signal()
        }
    }

    /// A test harness (unset in normal use): with `PWS_REFUSE_THREADS_AFTER=n` the process's
    /// background threads after the first `n` are refused as the system refuses them (EAGAIN),
    /// so a test can fail each one in turn without memory limits, which fail them by chance.
    private static func refusedByTest() -> Bool {
        guard let refusal else { return false }
        return refusal.made.withLock { n in
            n += 1
            return n > refusal.allowed
        }
    }

    /// Waits for the thread to finish; a second wait returns at once.
    /// - Returns: what the body returned.
    /// - Throws: what the body threw.
    public func wait() throws -> Value {
        finished.wait()
        finished.signal()
        // The body stored its outcome before signalling, so it is there.
        guard let result = outcome.withLock({ $0 }) else { preconditionFailure("finished without an outcome") }
        return try result.get()
    }

    /// Lowers the calling thread's priority; best effort (a failure only costs the gain).
    private static func yield() {
        #if os(Linux)
        // On Linux a nice value belongs to the thread, and `who` 0 is the calling thread.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}

/// A body to run on a new detached pthread (`spawn`): the thread takes the one reference
/// `spawn` hands it and runs the body.
private final class ThreadStart: @unchecked Sendable {  // immutable after init
    let run: () -> Void

    init(_ run: @escaping () -> Void) { self.run = run }

    /// Makes the thread; 0, or the errno-style status `pthread_create` returned (the body then
    /// never runs).
    func spawn(stackSize: Int?) -> Int32 {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if let stackSize { _ = pthread_attr_setstacksize(&attributes, stackSize) }
        _ = pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { context in
            Unmanaged<ThreadStart>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        if status != 0 { Unmanaged<ThreadStart>.fromOpaque(context).release() }
        return status
    }
}

/// `PWS_REFUSE_THREADS_AFTER` (see `BackgroundThread.refusedByTest`) and the threads asked for.
private let refusal = ProcessInfo.processInfo.environment["PWS_REFUSE_THREADS_AFTER"].flatMap(Int.init)
    .map { (allowed: $0, made: Locked(0)) }
