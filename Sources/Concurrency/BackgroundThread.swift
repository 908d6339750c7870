import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Work on a thread of its own, started at once; the starting thread later waits for its
/// result (Validate's reading thread, the run's input hashing).
public final class BackgroundThread<Value: Sendable>: Sendable {
    private let outcome = Locked<Result<Value, any Error>?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `body` on a new thread (with a stack of `stackSize` bytes when given).
    ///
    /// `yielding: true` lowers the thread's scheduling priority (Linux nice +10, the thread
    /// alone): while the cores are busy it runs in the time the other threads leave, and as
    /// fast as any when they are not. For work that is not on the critical path but runs beside
    /// a thread that is (indicators.csv's formatting beside the workbook's single thread).
    public init(stackSize: Int? = nil, yielding: Bool = false, _ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [outcome, finished] in
            if yielding { BackgroundThread<Value>.yield() }
            let result = Result { try body() }
            outcome.withLock { $0 = result }
            finished.signal()
        }
        if let stackSize { thread.stackSize = stackSize }
        thread.start()
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
