import Foundation

/// Work on a thread of its own, started at once; the starting thread later waits for its
/// result (Validate's reading thread, the run's input hashing).
public final class BackgroundThread<Value: Sendable>: Sendable {
    private let outcome = Locked<Result<Value, any Error>?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `body` on a new thread (with a stack of `stackSize` bytes when given).
    public init(stackSize: Int? = nil, _ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [outcome, finished] in
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
}
