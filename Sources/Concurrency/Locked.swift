import Foundation

/// A value behind a mutex: every read and write goes through `withLock`.
public final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `value` is only reached inside `withLock`, which holds `lock`; that is the
    // whole point of the type, and what the compiler cannot see.
    private var value: Value
    private let lock = NSLock()

    /// A lock around `value`.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the value while holding the lock.
    @discardableResult
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
