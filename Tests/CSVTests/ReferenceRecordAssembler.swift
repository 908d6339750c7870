@testable import CSV

// The record assembler as it was before recovery became linear (commit c005047): it re-reads
// every later line of a bad record, which is quadratic on a file whose every line reopens a
// quote. Kept only as the reference the linear one must match event for event
// (`RecordRecoveryTests`).
//
/// Lines go to libcsv one at a time, so the line where a record starts is always known and at
/// most one record completes per line. The complete lines of a record still in progress (a
/// quoted field spanning lines) are kept in `pending`; when the record turns out to be bad it
/// is reported at its first line and its later lines are read again (`replay`) as if the first
/// line had not been there, so one bad record never costs the rest of the file. `pending` is
/// capped at `maxRecordBytes`, which keeps memory bounded whatever the input.
final class ReferenceRecordAssembler {
    /// A line kept for later: its number, its bytes in a `ByteStorage`, and whether it was too
    /// long to keep (then it has no bytes and is rejected when read again).
    private struct LineSpan {
        var number: Int
        var start: Int
        var end: Int
        var overlong: Bool
    }

    let parser: LibCSVParser
    private let maxFieldBytes: Int
    private let maxRecordBytes: Int

    private(set) var blankRows = 0
    private var recordIndex = 0
    /// The physical line where the record in progress started.
    private var recordStart = 0

    private var pending = ByteStorage(capacity: 4096)
    private var pendingLines: [LineSpan] = []
    private var replay = ByteStorage(capacity: 16)
    private var replayLines: [LineSpan] = []
    private var replayCursor = 0
    private var scratch = ByteStorage(capacity: 4096)

    init(delimiter: UInt8, maxFieldBytes: Int, maxRecordBytes: Int) {
        parser = LibCSVParser(delimiter: delimiter)
        self.maxFieldBytes = maxFieldBytes
        self.maxRecordBytes = maxRecordBytes
    }

    deinit {
        pending.deallocate()
        replay.deallocate()
        scratch.deallocate()
    }

    /// Reads one physical line (with its line end, if it has one).
    /// - Parameter overlong: the line was longer than `maxRecordBytes` and its bytes were dropped.
    /// - Complexity: O(line length) on the good path.
    @inline(__always)
    func feedLine(_ line: UnsafeRawBufferPointer, number: Int, overlong: Bool,
                  emit: (CSVEvent) throws -> Void) throws {
        try feedOne(line, number: number, overlong: overlong, emit: emit)
        if replayCursor < replayLines.count { try drainReplay(emit: emit) }
    }

    /// Ends the input: completes or rejects the record in progress.
    func finish(emit: (CSVEvent) throws -> Void) throws {
        while true {
            try drainReplay(emit: emit)
            if parser.isBetweenRecords { return }
            if parser.finish() {
                let sink = parser.sink
                if sink.pointee.rowComplete {
                    if sink.pointee.longestField > maxFieldBytes {
                        try reject(ParseMessage.fieldTooLarge(maxFieldBytes), current: nil, number: 0,
                                   overlong: false, emit: emit)
                    } else {
                        try completeRecord(emit: emit)
                    }
                }
            } else {
                try reject(ParseMessage.unclosedQuote, current: nil, number: 0, overlong: false, emit: emit)
            }
        }
    }

    @inline(__always)
    private func feedOne(_ line: UnsafeRawBufferPointer, number: Int, overlong: Bool,
                         emit: (CSVEvent) throws -> Void) throws {
        let fresh = parser.isBetweenRecords
        if fresh { recordStart = number }
        if overlong {
            if fresh {
                try emit(.malformed(line: number, message: ParseMessage.lineTooLong(maxRecordBytes)))
            } else {
                try reject(ParseMessage.recordTooLarge(maxRecordBytes), current: line, number: number,
                           overlong: true, emit: emit)
            }
            return
        }
        switch parser.parse(line) {
        case .ok: break
        case .textAfterClosingQuote:
            return try reject(ParseMessage.textAfterClosingQuote, current: line, number: number,
                              overlong: false, emit: emit)
        case .outOfMemory:
            return try reject(ParseMessage.outOfMemory, current: line, number: number,
                              overlong: false, emit: emit)
        }
        let sink = parser.sink
        if sink.pointee.rowComplete {
            if sink.pointee.longestField > maxFieldBytes {
                return try reject(ParseMessage.fieldTooLarge(maxFieldBytes), current: line, number: number,
                                  overlong: false, emit: emit)
            }
            return try completeRecord(emit: emit)
        }
        if parser.isBetweenRecords {
            // Nothing but whitespace and a line end.
            blankRows += 1
            return
        }
        // The record goes on past this line (a quoted field with a line break, or the last line
        // of the file without a line end): keep the line in case the record has to be re-read.
        if parser.fieldBytesInProgress > maxFieldBytes || sink.pointee.longestField > maxFieldBytes {
            return try reject(ParseMessage.fieldTooLarge(maxFieldBytes), current: line, number: number,
                              overlong: false, emit: emit)
        }
        if pending.count + line.count > maxRecordBytes {
            return try reject(ParseMessage.recordTooLarge(maxRecordBytes), current: line, number: number,
                              overlong: false, emit: emit)
        }
        pendingLines.append(LineSpan(number: number, start: pending.count, end: pending.count + line.count,
                                     overlong: false))
        pending.append(line)
    }

    @inline(__always)
    private func completeRecord(emit: (CSVEvent) throws -> Void) throws {
        let sink = parser.sink
        defer {
            sink.pointee.reset()
            if !pendingLines.isEmpty {
                pending.removeAll()
                pendingLines.removeAll(keepingCapacity: true)
            }
        }
        guard sink.pointee.hasContent else {
            // Every field empty once cleaned: a blank spreadsheet row such as `;;;;`.
            blankRows += 1
            return
        }
        let record = CSVRecord(line: recordStart, index: recordIndex, count: sink.pointee.fieldCount,
                               bytes: sink.pointee.bytes.base, fields: sink.pointee.fields)
        recordIndex += 1
        try emit(.record(record))
    }

    /// Reports the record in progress as malformed at its first line, and queues its later lines
    /// (and `current`, the line being read, when that is not the first) to be read again before
    /// anything else.
    private func reject(_ message: String, current: UnsafeRawBufferPointer?, number: Int, overlong: Bool,
                        emit: (CSVEvent) throws -> Void) throws {
        let first = recordStart
        parser.reset()
        var newReplay = ByteStorage(capacity: 4096)
        var newLines: [LineSpan] = []
        func keep(_ bytes: UnsafeRawBufferPointer, _ number: Int, _ overlong: Bool) {
            newLines.append(LineSpan(number: number, start: newReplay.count, end: newReplay.count + bytes.count,
                                     overlong: overlong))
            newReplay.append(bytes)
        }
        for span in pendingLines.dropFirst() {
            keep(UnsafeRawBufferPointer(start: pending.base + span.start, count: span.end - span.start),
                 span.number, false)
        }
        if let current, number > first {
            keep(overlong ? UnsafeRawBufferPointer(start: nil, count: 0) : current, number, overlong)
        }
        for span in replayLines[replayCursor...] {
            keep(UnsafeRawBufferPointer(start: replay.base + span.start, count: span.end - span.start),
                 span.number, span.overlong)
        }
        replay.deallocate()
        replay = newReplay
        replayLines = newLines
        replayCursor = 0
        pending.removeAll()
        pendingLines.removeAll(keepingCapacity: true)
        try emit(.malformed(line: first, message: message))
    }

    private func drainReplay(emit: (CSVEvent) throws -> Void) throws {
        while replayCursor < replayLines.count {
            let span = replayLines[replayCursor]
            replayCursor += 1
            // Copied out because reading it may rebuild `replay`.
            scratch.removeAll()
            scratch.append(UnsafeRawBufferPointer(start: replay.base + span.start, count: span.end - span.start))
            try feedOne(scratch.bytes, number: span.number, overlong: span.overlong, emit: emit)
        }
        replay.removeAll()
        replayLines.removeAll(keepingCapacity: true)
        replayCursor = 0
    }
}

