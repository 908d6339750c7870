/// Turns physical lines into records, and recovers from records that break the dialect.
///
/// Lines go to libcsv one at a time, so the line where a record starts is always known and at
/// most one record completes per line. The lines of a record still in progress (a quoted field
/// spanning lines) are kept in a window; when the record turns out to be bad it is reported at
/// its first line and reading resumes at the line after it, from the window, as if the first
/// line had not been there — so one bad record never costs the rest of the file. The window is
/// capped by `maxRecordBytes`, which keeps memory bounded whatever the input.
///
/// ## Recovery in linear time
/// Resuming at the next line can make every line the start of a record that fails only far
/// away: in a file whose every line is `x","y` each line opens a quote the next line closes and
/// reopens, so each attempt runs to the end of the file (or to `maxRecordBytes`), and re-reading
/// them all is quadratic (32,000 lines took 28 s). The assembler avoids re-reading by
/// remembering what failed attempts learnt.
///
/// At the start of a line inside a record the parser is always inside a quoted field (only a
/// line end inside quotes lets a record go on). From there on, what libcsv does depends on the
/// bytes alone — where the quoted field closes, where fields and the record end, where a quote
/// is misplaced — except for the two size limits, which depend on how long the open field and
/// the record already are. So when an attempt that is inside a quoted field at the start of
/// line `t` reaches a line that a failed attempt `A` also entered inside a quoted field, with an
/// open field no longer than `A`'s was there, it behaves exactly as `A` from `t` on, except that
/// it is shorter, so a size limit can only come later. Each line a failed attempt entered keeps
/// a `Memo` of that: `A`'s open-field length there and how `A` ended.
/// - `A` ended on something that does not depend on lengths (a quote never closed before the end
///   of the file, text after a closing quote, a single overlong line): the new attempt ends the
///   same way, so it is rejected with the same message at once.
/// - `A` ended on a size limit at line `P`: the new attempt reaches `P` inside the same quoted
///   state without ending, so reading jumps to `P` with the parser put inside a quoted field
///   (`LibCSVParser.resetInsideQuotedField`) and the lengths carried over. Such an attempt can
///   no longer deliver its record (the fields before `P` are not in the parser); if it turns
///   out to complete one, the attempt is read again from its first line without memos
///   (`verifying`), which costs at most the record's length, once.
/// A line an attempt jumps from counts as entered like a line it read: when the attempt fails
/// further on, that line's memo points where it failed, so the next attempt jumps once instead
/// of along every earlier attempt's jumps.
/// Every line is then read a bounded number of times, and `RecordRecoveryTests` checks the
/// events against the plain re-reading assembler on random inputs with small limits.
final class RecordAssembler {
    /// What a failed attempt learnt about the rest of the input from one line it entered inside
    /// a quoted field.
    private struct Memo {
        /// Bytes of the open field at the start of the line, in that attempt.
        var openField: Int
        var outcome: Outcome
    }

    private enum Outcome {
        /// The attempt failed in a way that does not depend on lengths.
        case fails(Failure)
        /// The attempt was still inside its record at the start of line `line`, with `openField`
        /// bytes in its open field, and failed there on a size limit. `sameField`: the field
        /// open at the memo's line was still the one open at `line`.
        case reaches(line: Int, openField: Int, sameField: Bool)
    }

    /// Why an attempt was rejected.
    private enum Failure {
        case textAfterClosingQuote, unclosedQuote, outOfMemory, fieldTooLarge, recordTooLarge
        /// The record goes on into a line longer than `maxRecordBytes`.
        case overlongLine

        /// Whether an attempt that reaches the same point fails the same way whatever its length.
        var ignoresLength: Bool {
            switch self {
            case .textAfterClosingQuote, .unclosedQuote, .overlongLine: true
            case .outOfMemory, .fieldTooLarge, .recordTooLarge: false
            }
        }

        func message(maxFieldBytes: Int, maxRecordBytes: Int) -> String {
            switch self {
            case .textAfterClosingQuote: ParseMessage.textAfterClosingQuote
            case .unclosedQuote: ParseMessage.unclosedQuote
            case .outOfMemory: ParseMessage.outOfMemory
            case .fieldTooLarge: ParseMessage.fieldTooLarge(maxFieldBytes)
            case .recordTooLarge, .overlongLine: ParseMessage.recordTooLarge(maxRecordBytes)
            }
        }
    }

    /// A physical line kept in the window: its number, its bytes in `window`, whether it was
    /// too long to keep (then it has no bytes and is rejected when read again), and what a
    /// failed attempt learnt there.
    private struct Line {
        var number: Int
        var start: Int
        var end: Int
        var overlong: Bool
        var memo: Memo?
    }

    /// A line the attempt in progress entered inside a quoted field.
    private struct Entered {
        var index: Int
        var openField: Int
        var fieldOrdinal: Int
    }

    let parser: LibCSVParser
    private let maxFieldBytes: Int
    private let maxRecordBytes: Int

    private(set) var blankRows = 0
    /// Lines handed to libcsv so far, counting every re-read (what the linear recovery bounds).
    private(set) var linesParsed = 0
    /// Jumps taken over lines a failed attempt had read (bounded too: see `feedOne`).
    private(set) var jumpsTaken = 0
    private var recordIndex = 0
    /// The physical line where the record in progress started.
    private var recordStart = 0

    private var window = ByteStorage(capacity: 4096)
    private var lines: [Line] = []
    /// The first line still needed: the first line of the attempt in progress, or the next to read.
    private var head = 0
    /// The next line to read from the window (`lines.count` when there is none).
    private var cursor = 0
    private var scratch = ByteStorage(capacity: 4096)

    /// The window index of the first line of the attempt in progress; nil while that line was
    /// read straight from the input and not kept (it is kept once the record goes on past it).
    private var attemptFirst: Int?
    private var entered: [Entered] = []
    /// Fields completed before the parser was put inside a quoted field by a jump, counted so
    /// that two points of one attempt tell whether they are in the same field.
    private var ordinalOffset = 0
    /// Bytes the open field had at the last jump (the parser's own count starts at 0 there);
    /// nil when the attempt has not jumped.
    private var jumpedOpenField: Int?
    /// The attempt is being read again without memos, after a jump showed it completes.
    private var verifying = false

    init(delimiter: UInt8, maxFieldBytes: Int, maxRecordBytes: Int) {
        parser = LibCSVParser(delimiter: delimiter)
        self.maxFieldBytes = maxFieldBytes
        self.maxRecordBytes = maxRecordBytes
    }

    deinit {
        window.deallocate()
        scratch.deallocate()
    }

    /// Reads one physical line (with its line end, if it has one).
    /// - Parameter overlong: the line was longer than `maxRecordBytes` and its bytes were dropped.
    /// - Complexity: O(line length) on the good path; amortised O(line length) overall.
    @inline(__always)
    func feedLine(_ line: UnsafeRawBufferPointer, number: Int, overlong: Bool,
                  emit: (CSVEvent) throws -> Void) throws {
        if lines.isEmpty && parser.isBetweenRecords {
            // The common case: read in place, kept only if the record goes on past it.
            return try feedOne(line, number: number, overlong: overlong, index: nil, emit: emit)
        }
        keep(line, number: number, overlong: overlong)
        try drain(emit: emit)
    }

    /// Ends the input: completes or rejects the record in progress.
    func finish(emit: (CSVEvent) throws -> Void) throws {
        while true {
            try drain(emit: emit)
            if parser.isBetweenRecords { return }
            if parser.finish() {
                let sink = parser.sink
                if sink.pointee.rowComplete {
                    if jumpedOpenField != nil {
                        restartVerifying()
                    } else if sink.pointee.longestField > maxFieldBytes {
                        try reject(.fieldTooLarge, at: nil, emit: emit)
                    } else {
                        try completeRecord(emit: emit)
                    }
                }
            } else {
                try reject(.unclosedQuote, at: nil, emit: emit)
            }
        }
    }

    private func keep(_ line: UnsafeRawBufferPointer, number: Int, overlong: Bool) {
        let start = window.count
        if !overlong { window.append(line) }
        lines.append(Line(number: number, start: start, end: window.count, overlong: overlong, memo: nil))
    }

    private func drain(emit: (CSVEvent) throws -> Void) throws {
        while cursor < lines.count {
            let index = cursor
            cursor += 1
            let line = lines[index]
            // Copied out: the window may be compacted while the line is read.
            scratch.removeAll()
            scratch.append(UnsafeRawBufferPointer(start: window.base + line.start, count: line.end - line.start))
            try feedOne(scratch.bytes, number: line.number, overlong: line.overlong, index: index, emit: emit)
            if parser.isBetweenRecords { release() }
        }
    }

    /// Forgets the lines before the cursor once nothing can go back to them.
    private func release() {
        head = cursor
        if head == lines.count {
            lines.removeAll(keepingCapacity: lines.count < 4096)
            window.removeAll()
            head = 0
            cursor = 0
        } else if head >= 1024 && head * 2 >= lines.count {
            let shift = lines[head].start
            window.removeFirst(shift)
            lines.removeFirst(head)
            for i in lines.indices {
                lines[i].start -= shift
                lines[i].end -= shift
            }
            cursor -= head
            head = 0
        }
    }

    /// The open field's length as the whole attempt has it (after a jump the parser counts
    /// only what it read since).
    private var openFieldBytes: Int {
        let own = parser.fieldBytesInProgress
        if let jumpedOpenField, parser.sink.pointee.fieldCount == 0 { return jumpedOpenField + own }
        return own
    }

    private var fieldOrdinal: Int { ordinalOffset + parser.sink.pointee.fieldCount }

    @inline(__always)
    private func feedOne(_ line: UnsafeRawBufferPointer, number: Int, overlong: Bool, index: Int?,
                         emit: (CSVEvent) throws -> Void) throws {
        let fresh = parser.isBetweenRecords
        if fresh {
            recordStart = number
            attemptFirst = index
            entered.removeAll(keepingCapacity: true)
            ordinalOffset = 0
            jumpedOpenField = nil
        } else if let index, parser.isInQuotedField {
            let open = openFieldBytes
            if !verifying, let memo = lines[index].memo, open <= memo.openField {
                switch memo.outcome {
                case .fails(let failure):
                    // Reached what a failed attempt reached, no longer than it: it fails the same way.
                    return try reject(failure, at: index, emit: emit)
                case .reaches(let target, let targetOpen, let sameField) where target > number:
                    let ordinal = fieldOrdinal
                    // The line it jumps from counts as entered: when the attempt fails further on,
                    // its memo points there, so the next attempt jumps once rather than along the
                    // chain of every earlier attempt's jumps (which grew by one an attempt: a
                    // 1.2 MB file of `x","y` lines took 100 s).
                    entered.append(Entered(index: index, openField: open, fieldOrdinal: ordinal))
                    jumpsTaken &+= 1
                    parser.resetInsideQuotedField()
                    jumpedOpenField = sameField ? open + (targetOpen - memo.openField) : targetOpen
                    ordinalOffset = sameField ? ordinal : ordinal + 1
                    cursor = index + (target - number)
                    return
                default:
                    break
                }
            }
            entered.append(Entered(index: index, openField: open, fieldOrdinal: fieldOrdinal))
        }
        if overlong {
            if fresh {
                return try emit(.malformed(line: number, message: ParseMessage.lineTooLong(maxRecordBytes)))
            }
            return try reject(.overlongLine, at: index, emit: emit)
        }
        linesParsed &+= 1
        switch parser.parse(line) {
        case .ok: break
        case .textAfterClosingQuote: return try reject(.textAfterClosingQuote, at: index, emit: emit)
        case .outOfMemory: return try reject(.outOfMemory, at: index, emit: emit)
        }
        let sink = parser.sink
        if sink.pointee.rowComplete {
            if jumpedOpenField != nil { return restartVerifying() }
            if sink.pointee.longestField > maxFieldBytes { return try reject(.fieldTooLarge, at: index, emit: emit) }
            return try completeRecord(emit: emit)
        }
        if parser.isBetweenRecords {
            // Nothing but whitespace and a line end.
            blankRows += 1
            return
        }
        // The record goes on past this line (a quoted field with a line break, or the last line
        // of the file without a line end): keep the line in case the record has to be re-read.
        if openFieldBytes > maxFieldBytes || longestCompletedField > maxFieldBytes {
            return try reject(.fieldTooLarge, at: index, emit: emit)
        }
        let first = attemptFirst.map { lines[$0].start } ?? window.count
        let end = index.map { lines[$0].end } ?? window.count + line.count
        if end - first > maxRecordBytes { return try reject(.recordTooLarge, at: index, emit: emit) }
        if index == nil {
            keep(line, number: number, overlong: false)
            attemptFirst = lines.count - 1
            head = attemptFirst!
            cursor = lines.count
        }
    }

    /// The longest field completed in this attempt, counting what came before a jump.
    private var longestCompletedField: Int {
        let sink = parser.sink.pointee
        guard let jumpedOpenField, sink.fieldCount > 0 else { return sink.longestField }
        let first = sink.fields[0]
        return Swift.max(sink.longestField, jumpedOpenField + Int(first.rawEnd - first.rawStart))
    }

    /// A jump showed the attempt completes a record: read it again from its first line, in full.
    private func restartVerifying() {
        parser.reset()
        jumpedOpenField = nil
        ordinalOffset = 0
        verifying = true
        cursor = attemptFirst!
    }

    @inline(__always)
    private func completeRecord(emit: (CSVEvent) throws -> Void) throws {
        let sink = parser.sink
        verifying = false
        defer { sink.pointee.reset() }
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

    /// Reports the record in progress as malformed at its first line, leaves what it learnt on
    /// the lines it entered, and resumes at the line after its first.
    /// - Parameter index: the window index of the line it failed on (nil: the end of the input,
    ///   or a line read in place).
    private func reject(_ failure: Failure, at index: Int?, emit: (CSVEvent) throws -> Void) throws {
        if failure.ignoresLength {
            for line in entered {
                lines[line.index].memo = Memo(openField: line.openField, outcome: .fails(failure))
            }
        } else if let index, let last = entered.last, last.index == index {
            let number = lines[index].number
            for line in entered.dropLast() {
                lines[line.index].memo = Memo(openField: line.openField,
                                              outcome: .reaches(line: number, openField: last.openField,
                                                                sameField: line.fieldOrdinal == last.fieldOrdinal))
            }
        }
        entered.removeAll(keepingCapacity: true)
        parser.reset()
        jumpedOpenField = nil
        ordinalOffset = 0
        verifying = false
        if let first = attemptFirst {
            head = first + 1
            cursor = first + 1
        }
        attemptFirst = nil
        try emit(.malformed(line: recordStart,
                            message: failure.message(maxFieldBytes: maxFieldBytes, maxRecordBytes: maxRecordBytes)))
    }
}

/// What `E-PARSE` says, in words that tell the person what to fix.
enum ParseMessage {
    static let textAfterClosingQuote =
        "text follows a closing quote inside a field (only a delimiter or a line end may follow it); "
        + "quote the whole value and double every quote inside it, e.g. \"12 \"\"A\"\"\""
    static let unclosedQuote =
        "a quoted field is never closed before the end of the file; add the missing closing quote (\") "
        + "or remove the stray opening one"
    static let outOfMemory = "the record is too large to read; check the quotes in this record"

    static func fieldTooLarge(_ limit: Int) -> String {
        "a field is longer than \(sizeText(limit)), longer than any value pws reads; usually a quote (\") is opened "
            + "and never closed (or closed far too late), else a delimiter is missing; check the quotes and "
            + "delimiters in this record"
    }

    static func recordTooLarge(_ limit: Int) -> String {
        "the record is longer than \(sizeText(limit)), which usually means a quote (\") is opened and never "
            + "closed; check the quotes in this record"
    }

    static func lineTooLong(_ limit: Int) -> String {
        "the line is longer than \(sizeText(limit)); check that the file is a CSV file with line ends"
    }

    static func sizeText(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
