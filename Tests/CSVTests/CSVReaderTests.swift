import Foundation
import CSV
import PWSCore
import PWSTestSupport
import Testing

/// Physical lines, dialect variants, recovery from bad records, blank rows.
@Suite struct CSVReaderTests {
    /// Reads `text` with every block size from 1 to its length and checks all agree.
    private func readEverySize(_ bytes: [UInt8], delimiter: UInt8? = nil, maxFieldBytes: Int = 64 << 10,
                               maxRecordBytes: Int = 1 << 20) throws -> ReadResult {
        let whole = try readCSV(bytes, delimiter: delimiter, maxFieldBytes: maxFieldBytes,
                                maxRecordBytes: maxRecordBytes)
        for size in 1...max(1, bytes.count) {
            let chunked = try readCSV(bytes, blockSize: size, delimiter: delimiter, maxFieldBytes: maxFieldBytes,
                                      maxRecordBytes: maxRecordBytes)
            #expect(chunked == whole, "block size \(size)")
        }
        return whole
    }

    private func readEverySize(_ text: String, delimiter: UInt8? = nil, maxFieldBytes: Int = 64 << 10,
                               maxRecordBytes: Int = 1 << 20) throws -> ReadResult {
        try readEverySize(Array(text.utf8), delimiter: delimiter, maxFieldBytes: maxFieldBytes,
                          maxRecordBytes: maxRecordBytes)
    }

    // MARK: physical lines

    @Test func quotedLineBreaksKeepTheRecordTogetherAndLinesCountEveryBreakOnce() throws {
        // Lines: 1 h1,h2 | 2 1,"a | 3 b" | 4 2,x (CRLF) | 5 3,"c (CRLF) | 6 d" (CRLF)
        //        7 4,"e (CR) | 8 f" (CR) | 9 5,y
        let text = "h1,h2\n1,\"a\nb\"\n2,x\r\n3,\"c\r\nd\"\r\n4,\"e\rf\"\r5,y\n"
        let result = try readEverySize(text)
        #expect(result.events == [
            .record(line: 1, fields: ["h1", "h2"]),
            .record(line: 2, fields: ["1", "a\nb"]),
            .record(line: 4, fields: ["2", "x"]),
            .record(line: 5, fields: ["3", "c\r\nd"]),
            .record(line: 7, fields: ["4", "e\rf"]),
            .record(line: 9, fields: ["5", "y"]),
        ])
        #expect(result.blankRows == 0)
    }

    @Test func carriageReturnOnlyFileCountsLines() throws {
        let result = try readEverySize("a,b\r1,2\r\r3,4")
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .record(line: 2, fields: ["1", "2"]),
            .record(line: 4, fields: ["3", "4"]),
        ])
        #expect(result.blankRows == 1)
    }

    @Test func crlfFileWithBlankCRLFLineCountsOneLinePerCRLF() throws {
        let result = try readEverySize("a,b\r\n\r\n1,2\r\n")
        #expect(result.events == [.record(line: 1, fields: ["a", "b"]), .record(line: 3, fields: ["1", "2"])])
        #expect(result.blankRows == 1)
    }

    @Test func lastLineWithoutLineEndIsRead() throws {
        let result = try readEverySize("a,b\n1,\n2,\"x\"")
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .record(line: 2, fields: ["1", ""]),
            .record(line: 3, fields: ["2", "x"]),
        ])
    }

    // MARK: dialect variants

    @Test(arguments: [
        ("a;b;c\n1;2,5;3\n", UInt8(ascii: ";"), ["1", "2,5", "3"]),
        ("a\tb\tc\n1\t2 3\t\n", UInt8(ascii: "\t"), ["1", "2 3", ""]),
        ("a|b|c\n1|2|3\n", UInt8(ascii: "|"), ["1", "2", "3"]),
        ("a,b;c\n1,2;3\n", UInt8(ascii: ","), ["1", "2;3"]),
        ("a;b|c|d\n1;2|3|4\n", UInt8(ascii: "|"), ["1;2", "3", "4"]),
        ("\"a;b;c\",d\n1,2\n", UInt8(ascii: ","), ["1", "2"]),
        ("single\nvalue\n", UInt8(ascii: ","), ["value"]),
    ])
    func delimiterIsSniffedOnTheHeaderLineOutsideQuotes(text: String, delimiter: UInt8, second: [String]) throws {
        let result = try readEverySize(text)
        #expect(result.delimiter == delimiter)
        #expect(result.events.last == .record(line: 2, fields: second))
    }

    @Test func delimiterSniffSkipsLeadingBlankLines() throws {
        let result = try readEverySize("\n  \na;b\n1;2\n")
        #expect(result.delimiter == UInt8(ascii: ";"))
        #expect(result.events == [.record(line: 3, fields: ["a", "b"]), .record(line: 4, fields: ["1", "2"])])
        #expect(result.blankRows == 2)
    }

    @Test func delimiterOptionOverridesTheSniff() throws {
        let result = try readEverySize("a;b,c\n1;2,3\n", delimiter: UInt8(ascii: ","))
        #expect(result.delimiter == UInt8(ascii: ","))
        #expect(result.events == [.record(line: 1, fields: ["a;b", "c"]), .record(line: 2, fields: ["1;2", "3"])])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let result = try readEverySize([0xEF, 0xBB, 0xBF] + Array("a;b\r\n1;2\r\n".utf8))
        #expect(result.encoding == .utf8)
        #expect(result.events == [.record(line: 1, fields: ["a", "b"]), .record(line: 2, fields: ["1", "2"])])
    }

    @Test func windows1252FileIsDetectedAndConverted() throws {
        // "José" with é as 0xE9, "€" as 0x80, "’" as 0x92: not valid UTF-8.
        let bytes = Array("nama;kota\r\nJos".utf8) + [0xE9] + Array(";Bandung\r\n".utf8)
            + [0x80] + Array("5;".utf8) + [0x92] + Array("x\r\n".utf8)
        let result = try readEverySize(bytes)
        #expect(result.encoding == .windows1252)
        #expect(result.events == [
            .record(line: 1, fields: ["nama", "kota"]),
            .record(line: 2, fields: ["José", "Bandung"]),
            .record(line: 3, fields: ["€5", "’x"]),
        ])
    }

    @Test func utf8FileStaysUTF8() throws {
        let result = try readEverySize("nama\nJosé\n")
        #expect(result.encoding == .utf8)
        #expect(result.events.last == .record(line: 2, fields: ["José"]))
    }

    // MARK: quotes

    @Test(arguments: [
        ("1,37.8\"N\n", ["1", "37.8\"N"]),
        ("1,ab\"c\"d\n", ["1", "ab\"c\"d"]),
        ("1,a \"b\"\n", ["1", "a \"b\""]),
        ("1,x\"\n", ["1", "x\""]),
        ("1,\"x\"\"y\"\n", ["1", "x\"y"]),
    ])
    func quoteInsideUnquotedFieldIsLiteral(line: String, fields: [String]) throws {
        let result = try readEverySize("a,b\n" + line + "2,z\n")
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .record(line: 2, fields: fields),
            .record(line: 3, fields: ["2", "z"]),
        ])
        #expect(result.messages.isEmpty)
    }

    // MARK: recovery: each error kind, then a good record with its line

    @Test func textAfterClosingQuoteIsParseErrorAndNextLineIsRead() throws {
        let result = try readEverySize("a,b\n1,\"x\"y\n2,z\n")
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .malformed(line: 2),
            .record(line: 3, fields: ["2", "z"]),
        ])
        #expect(result.messages.first?.contains("closing quote") == true)
    }

    @Test func badQuoteInMultiLineRecordResumesAtItsSecondLine() throws {
        // Line 2 opens a quote that swallows lines 3 and 4 until `"z"q` breaks the dialect: the
        // record of line 2 is rejected and lines 3… are read again: line 3 is good, line 4 is bad
        // on its own, line 5 is good.
        let result = try readEverySize("a,b\n1,\"x\n2,y\n3,\"z\"q\n4,w\n")
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .malformed(line: 2),
            .record(line: 3, fields: ["2", "y"]),
            .malformed(line: 4),
            .record(line: 5, fields: ["4", "w"]),
        ])
    }

    @Test func unclosedQuoteAtEndOfFileRejectsOnlyItsRecord() throws {
        let result = try readEverySize("a,b\n1,\"x\n2,y\n3,z")
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .malformed(line: 2),
            .record(line: 3, fields: ["2", "y"]),
            .record(line: 4, fields: ["3", "z"]),
        ])
        #expect(result.messages.first?.contains("never closed") == true)
    }

    @Test func fieldOverTheLimitIsParseErrorAndTheLimitItselfIsAllowed() throws {
        let result = try readEverySize("a,b\n1,abcdef\n2,abcde\n", maxFieldBytes: 5)
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .malformed(line: 2),
            .record(line: 3, fields: ["2", "abcde"]),
        ])
        #expect(result.messages.first?.contains("longer than 5 bytes") == true)
    }

    @Test func quotedFieldGrowingOverTheLimitAcrossLinesIsParseError() throws {
        // Line 2's quoted field reaches 9 bytes ("abcdefgh\n") on its own line: rejected there;
        // lines 3 and 4 are then ordinary records.
        let result = try readEverySize("a,b\n1,\"abcdefgh\n2,y\n3,z\n", maxFieldBytes: 5)
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .malformed(line: 2),
            .record(line: 3, fields: ["2", "y"]),
            .record(line: 4, fields: ["3", "z"]),
        ])
    }

    @Test func fieldOver64KiBIsParseErrorByDefault() throws {
        let big = String(repeating: "x", count: 65_537)
        let exact = String(repeating: "y", count: 65_536)
        let result = try readCSV("a,b\n1,\(big)\n2,\(exact)\n3,\"\(big)\"\n4,z\n", blockSize: 4096)
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .malformed(line: 2),
            .record(line: 3, fields: ["2", exact]),
            .malformed(line: 4),
            .record(line: 5, fields: ["4", "z"]),
        ])
        #expect(result.messages.first?.contains("64 KiB") == true)
    }

    @Test func recordOverTheRecordLimitIsParseErrorAndItsLaterLinesAreReadAgain() throws {
        // Line 2 opens a quote; at line 3 the record would hold 8 + 5 > 12 bytes: rejected at
        // line 2, then lines 3, 4, 5 read as records of their own.
        let result = try readEverySize("a,b\n1,\"aaaa\nbbbb\nccc\n2,y\n", maxRecordBytes: 12)
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .malformed(line: 2),
            .record(line: 3, fields: ["bbbb"]),
            .record(line: 4, fields: ["ccc"]),
            .record(line: 5, fields: ["2", "y"]),
        ])
    }

    @Test func lineOverTheRecordLimitIsParseErrorAtThatLine() throws {
        let result = try readEverySize("a,b\n1,aaaaaaaaaaaaaaaa\n2,y\n", maxRecordBytes: 12)
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .malformed(line: 2),
            .record(line: 3, fields: ["2", "y"]),
        ])
    }

    @Test func overlongLineInsideAnOpenQuoteRejectsBothRecords() throws {
        // Line 2 opens a quote, line 3 is too long: the record of line 2 is rejected, line 3 is
        // rejected on its own when read again, line 4 is good.
        let result = try readEverySize("a,b\n1,\"x\n22222222222222222\n3,z\n", maxRecordBytes: 12)
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .malformed(line: 2),
            .malformed(line: 3),
            .record(line: 4, fields: ["3", "z"]),
        ])
    }

    // MARK: blank rows

    @Test func blankAndAllEmptyRowsAreSkippedAndCounted() throws {
        // Blank: line 2 (empty), 3 (spaces), 4 (";"), 6 (";;"), 7 (TAB), 8 ("-;."),
        // 9 ("\"\";'"): 7 rows.
        let result = try readEverySize("a;b\n\n   \n;\n1;2\n;;\n\t\n-;.\n\"\";'\n3;4\n")
        #expect(result.events == [
            .record(line: 1, fields: ["a", "b"]),
            .record(line: 5, fields: ["1", "2"]),
            .record(line: 10, fields: ["3", "4"]),
        ])
        #expect(result.blankRows == 7)
    }

    @Test func recordIndexCountsOnlyRecordsRead() throws {
        var indices: [Int] = []
        try CSVReader(bytes: Array("a\n\n1\n\"x\"y\n2\n".utf8), source: "t.csv").read { event in
            if case .record(let record) = event { indices.append(record.index) }
        }
        #expect(indices == [0, 1, 2])
    }

    // MARK: files

    @Test func fileReadsTheSameInEveryBlockSize() throws {
        let folder = try TemporaryFolder()
        let bytes = [0xEF, 0xBB, 0xBF] + Array(
            "id;nama\r\n1;\"a\r\nb\"\r\n\r\n2;\"x\"y\r\n3;c\"d\r\n;;\r\n4;\"e\r5;f".utf8)
        let path = try folder.write("layanan.csv", bytes)
        let expected: [Seen] = [
            .record(line: 1, fields: ["id", "nama"]),
            .record(line: 2, fields: ["1", "a\r\nb"]),
            .malformed(line: 5),
            .record(line: 6, fields: ["3", "c\"d"]),
            .malformed(line: 8),
            .record(line: 9, fields: ["5", "f"]),
        ]
        for size in [1, 2, 3, 7, 64, 4096] {
            let reader = try CSVReader(path: path, source: "layanan.csv", options: .init(blockSize: size))
            let result = try reader.collect()
            #expect(result.events == expected, "block size \(size)")
            #expect(result.blankRows == 2)
            #expect(result.delimiter == UInt8(ascii: ";"))
        }
    }

    @Test func missingFileIsInputMissing() throws {
        let folder = try TemporaryFolder()
        let error = #expect(throws: PWSError.self) {
            try CSVReader(path: folder.url.appendingPathComponent("nope.csv").path, source: "nope.csv")
        }
        #expect(error?.code == .inputMissing)
        #expect(error?.message.contains("nope.csv") == true)
    }

    @Test func readingTwiceGivesTheSameResult() throws {
        let reader = CSVReader(bytes: Array("a,b\n\n1,\"x\"y\n2,3\n".utf8), source: "t.csv")
        let first = try reader.collect()
        #expect(try reader.collect() == first)
        #expect(first.blankRows == 1)
    }
}
