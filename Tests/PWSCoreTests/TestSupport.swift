@testable import PWSCore

/// Runs `body` over `text`'s UTF-8 bytes, as Ingest hands a field to the decoders.
func bytes<R>(_ text: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    Array(text.utf8).withUnsafeBytes(body)
}

/// A date that must exist (test tables only).
func day(_ year: Int, _ month: Int, _ day: Int) -> Day {
    guard let d = Day(year: year, month: month, day: day) else {
        preconditionFailure("test table has an impossible date \(year)-\(month)-\(day)")
    }
    return d
}
