import Testing
@testable import CSV

/// The recovery of `RecordAssembler` reads each line a bounded number of times and gives exactly
/// the events of the plain re-reading assembler (`ReferenceRecordAssembler`, spec §2.1: a bad
/// record is `E-PARSE` at its first line and reading resumes at the next physical line).
@Suite struct RecordRecoveryTests {
    /// One event, comparable: a record's raw and cleaned fields, or a malformed line with its message.
    enum Event: Equatable, CustomStringConvertible {
        case record(line: Int, index: Int, raw: [String], cleaned: [String])
        case malformed(line: Int, message: String)

        init(_ event: CSVEvent) {
            switch event {
            case .record(let record):
                self = .record(line: record.line, index: record.index,
                               raw: (0..<record.count).map { record.rawString($0) },
                               cleaned: (0..<record.count).map { record.string($0) })
            case .malformed(let line, let message):
                self = .malformed(line: line, message: message)
            }
        }

        var description: String {
            switch self {
            case .record(let line, _, let raw, _): "\(line): \(raw)"
            case .malformed(let line, let message): "\(line): E-PARSE \(message.prefix(30))"
            }
        }
    }

    /// Physical lines as `CSVReader` splits them (LF, CRLF, lone CR), the last one possibly
    /// without a line end; a line over `maxRecordBytes` is passed as overlong with no bytes.
    static func physicalLines(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 10 || bytes[i] == 13 {
                var end = i + 1
                if bytes[i] == 13, end < bytes.count, bytes[end] == 10 { end += 1 }
                lines.append(Array(bytes[start..<end]))
                start = end
                i = end
            } else {
                i += 1
            }
        }
        if start < bytes.count { lines.append(Array(bytes[start...])) }
        return lines
    }

    struct Outcome {
        var events: [Event] = []
        var blankRows = 0
        var linesParsed = 0
        var jumpsTaken = 0
    }

    static func run(_ bytes: [UInt8], maxField: Int, maxRecord: Int, reference: Bool) throws -> Outcome {
        var outcome = Outcome()
        let emit: (CSVEvent) throws -> Void = { outcome.events.append(Event($0)) }
        let lines = physicalLines(bytes)
        if reference {
            let assembler = ReferenceRecordAssembler(delimiter: 44, maxFieldBytes: maxField, maxRecordBytes: maxRecord)
            for (n, line) in lines.enumerated() {
                let overlong = line.count > maxRecord
                try (overlong ? [] : line).withUnsafeBytes {
                    try assembler.feedLine($0, number: n + 1, overlong: overlong, emit: emit)
                }
            }
            try assembler.finish(emit: emit)
            outcome.blankRows = assembler.blankRows
        } else {
            let assembler = RecordAssembler(delimiter: 44, maxFieldBytes: maxField, maxRecordBytes: maxRecord)
            for (n, line) in lines.enumerated() {
                let overlong = line.count > maxRecord
                try (overlong ? [] : line).withUnsafeBytes {
                    try assembler.feedLine($0, number: n + 1, overlong: overlong, emit: emit)
                }
            }
            try assembler.finish(emit: emit)
            outcome.blankRows = assembler.blankRows
            outcome.linesParsed = assembler.linesParsed
            outcome.jumpsTaken = assembler.jumpsTaken
        }
        return outcome
    }

    /// A small xorshift generator, so a failing case can be replayed from its seed.
    struct Xorshift {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
    }

    /// Random inputs over the bytes that matter to quoting, with limits small enough that every
    /// failure kind (text after a quote, unclosed quote, field and record limits, overlong lines)
    /// occurs, give the reference's events, blank rows and all.
    @Test(arguments: [(3, 12), (5, 24), (8, 40), (64, 16), (4, 1 << 20), (1 << 16, 30)])
    func randomInputsMatchTheReference(maxField: Int, maxRecord: Int) throws {
        let alphabet: [UInt8] = Array("x\"\",\n\"x\r ".utf8)
        var random = Xorshift(state: 0x9E37_79B9_7F4A_7C15 ^ UInt64(maxField * 131 + maxRecord))
        for _ in 0..<1500 {
            let length = random.next(70)
            let bytes = (0..<length).map { _ in alphabet[random.next(alphabet.count)] }
            let expected = try Self.run(bytes, maxField: maxField, maxRecord: maxRecord, reference: true)
            let actual = try Self.run(bytes, maxField: maxField, maxRecord: maxRecord, reference: false)
            #expect(actual.events == expected.events, "input \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            #expect(actual.blankRows == expected.blankRows)
            if actual.events != expected.events { return }
        }
    }

    /// Runs of lines that reopen a quote, mixed with good records, exercise long chains of
    /// failed attempts and the jumps between them.
    @Test(arguments: [(4, 30), (64 << 10, 1 << 20), (6, 200), (1 << 16, 64)])
    func reopenedQuoteChainsMatchTheReference(maxField: Int, maxRecord: Int) throws {
        let pieces = ["x\",\"y\n", "a,b\n", "\"q\n", "x\"\"y\n", "\"a\"\"\n", "\n", "z,\"w\n", "\",\"\n"]
        var random = Xorshift(state: 0xD1B5_4A32_D192_ED03 ^ UInt64(maxRecord))
        for _ in 0..<400 {
            var bytes: [UInt8] = []
            for _ in 0..<random.next(60) { bytes += Array(pieces[random.next(pieces.count)].utf8) }
            let expected = try Self.run(bytes, maxField: maxField, maxRecord: maxRecord, reference: true)
            let actual = try Self.run(bytes, maxField: maxField, maxRecord: maxRecord, reference: false)
            #expect(actual.events == expected.events, "input \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if actual.events != expected.events { return }
        }
    }

    /// Every line of `x","y` opens a quote the next line closes and reopens: each line starts a
    /// record that never ends. 30,000 such lines are each `E-PARSE`, and libcsv sees each line
    /// a bounded number of times (the plain re-reading fed 4.5·10⁸ lines here).
    @Test(arguments: [1 << 20, 4096])
    func everyLineReopeningAQuoteIsReadInLinearTime(maxRecord: Int) throws {
        let count = 30_000
        let bytes = Array(String(repeating: "x\",\"y\n", count: count).utf8)
        let outcome = try Self.run(bytes, maxField: 64 << 10, maxRecord: maxRecord, reference: false)
        #expect(outcome.events.count == count)
        #expect(outcome.events.allSatisfy { if case .malformed = $0 { true } else { false } })
        // The last line's quote stays open to the end of the file, whatever the limit.
        #expect(outcome.events.last == .malformed(line: count, message: ParseMessage.unclosedQuote))
        // The first attempt reads every line; each later one reads its own line and, after a
        // size-limit failure, the line it jumps to.
        #expect(outcome.linesParsed <= 3 * count)
    }

    /// A file of such lines longer than the record limit: the first attempts fail on the limit,
    /// each a line further, and each later one jumps over what the one before it read. The
    /// jumps are bounded as the lines parsed are: they used to follow the chain of every
    /// earlier attempt's jumps (count²/2 of them; a 1.2 MB file with the 1 MiB limit took 100 s).
    @Test func attemptsPastTheRecordLimitJumpOnce() throws {
        let count = 3000
        let bytes = Array(String(repeating: "x\",\"y\n", count: count).utf8)
        // 600 bytes a record: 100 lines.
        let outcome = try Self.run(bytes, maxField: 64 << 10, maxRecord: 600, reference: false)
        #expect(outcome.events.count == count)
        #expect(outcome.events.allSatisfy { if case .malformed = $0 { true } else { false } })
        #expect(outcome.events.first == .malformed(line: 1, message: ParseMessage.recordTooLarge(600)))
        #expect(outcome.events.last == .malformed(line: count, message: ParseMessage.unclosedQuote))
        #expect(outcome.linesParsed <= 3 * count)
        #expect(outcome.jumpsTaken <= 3 * count, "\(outcome.jumpsTaken) jumps")
        let expected = try Self.run(bytes, maxField: 64 << 10, maxRecord: 600, reference: true)
        #expect(outcome.events == expected.events)
    }

    /// The same file through `CSVReader` (100,000 lines, the case that took minutes): the
    /// header, one `E-PARSE` per reopening line — the last one's quote runs over `c,d` to the end
    /// of the file — and then `c,d`, read again after the last failure.
    @Test func readerRejectsEachReopeningLine() throws {
        let count = 100_000
        let text = "a,b\n" + String(repeating: "x\",\"y\n", count: count) + "c,d\n"
        let result = try readCSV(text)
        #expect(result.events.count == count + 2)
        #expect(result.events.first == .record(line: 1, fields: ["a", "b"]))
        #expect(result.events.dropFirst().dropLast() == ArraySlice((2...count + 1).map { Seen.malformed(line: $0) }))
        #expect(result.events.last == .record(line: count + 2, fields: ["c", "d"]))
    }
}
