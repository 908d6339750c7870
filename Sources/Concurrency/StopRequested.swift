/// Thrown by work that gave up because it was asked to, not because it failed: a task of a
/// run that stops at its next unit of work once another task of the run has failed (or its
/// own write has). Whoever asked knows the failure; this only says where the work stopped.
public struct StopRequested: Error, Sendable {
    /// The units (files, for a map task) finished before the work stopped.
    public let done: Int

    public init(done: Int) { self.done = done }
}
