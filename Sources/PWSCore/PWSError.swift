/// The process exit codes of spec §7, mapped in this one place.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Success.
    case success = 0
    /// Usage or pipeline-definition error.
    case usage = 64
    /// Data error: fatal register or sasaran errors, reject rate over the limit.
    case dataError = 65
    /// An input is missing.
    case noInput = 66
    /// Output not writable.
    case cannotCreate = 73
    /// Another run holds the lock.
    case tempFail = 75
}

/// An error a person can act on: what went wrong, what to do, where, and why underneath.
public struct PWSError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, which decides the exit status.
    public enum Code: Sendable {
        case usage, pipelineDefinition, data, inputMissing, outputNotWritable, locked, internalFailure
        /// An input file changed while the run read it (an upload or copy still going): run again.
        case inputChanged
    }

    public var code: Code
    public var message: String
    public var location: SourceLocation?
    /// Further `file:line: message` lines (e.g. every register problem).
    public var details: [String]
    public var cause: String?

    public init(_ code: Code, _ message: String, location: SourceLocation? = nil,
                details: [String] = [], cause: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.details = details
        self.cause = cause
    }

    /// The exit status this error maps to (spec §7).
    public var exitStatus: ExitStatus {
        switch code {
        case .usage, .pipelineDefinition: .usage
        case .data: .dataError
        case .inputMissing: .noInput
        case .outputNotWritable, .internalFailure: .cannotCreate
        case .locked, .inputChanged: .tempFail
        }
    }

    public var description: String {
        var text = location.map { "\($0): error: \(message)" } ?? "error: \(message)"
        for line in details { text += "\n" + line }
        if let cause { text += "\n  caused by: \(cause)" }
        return text
    }
}
