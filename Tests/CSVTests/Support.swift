import Foundation
import CSV

/// What a read produced, in a form tests can compare: records as raw field strings.
enum Seen: Equatable, CustomStringConvertible {
    case record(line: Int, fields: [String])
    case malformed(line: Int)

    var description: String {
        switch self {
        case .record(let line, let fields): "\(line): \(fields.debugDescription)"
        case .malformed(let line): "\(line): E-PARSE"
        }
    }
}

struct ReadResult: Equatable {
    var events: [Seen] = []
    var messages: [String] = []
    var blankRows = 0
    var delimiter: UInt8 = 0
    var encoding: TextEncoding = .utf8
}

extension CSVReader {
    /// Reads everything into a `ReadResult`.
    func collect(cleaned: Bool = false) throws -> ReadResult {
        var result = ReadResult()
        try read { event in
            switch event {
            case .record(let record):
                let fields = (0..<record.count).map { cleaned ? record.string($0) : record.rawString($0) }
                result.events.append(.record(line: record.line, fields: fields))
            case .malformed(let line, let message):
                result.events.append(.malformed(line: line))
                result.messages.append(message)
            }
        }
        result.blankRows = blankRows
        result.delimiter = delimiter
        result.encoding = encoding
        return result
    }
}

/// Reads `bytes` from memory with the given block size and limits.
func readCSV(_ bytes: [UInt8], blockSize: Int = 1 << 20, delimiter: UInt8? = nil, maxFieldBytes: Int = 64 << 10,
             maxRecordBytes: Int = 1 << 20, cleaned: Bool = false) throws -> ReadResult {
    let options = CSVReadOptions(delimiter: delimiter, blockSize: blockSize, maxFieldBytes: maxFieldBytes,
                                 maxRecordBytes: maxRecordBytes)
    return try CSVReader(bytes: bytes, source: "test.csv", options: options).collect(cleaned: cleaned)
}

func readCSV(_ text: String, blockSize: Int = 1 << 20, delimiter: UInt8? = nil, maxFieldBytes: Int = 64 << 10,
             maxRecordBytes: Int = 1 << 20, cleaned: Bool = false) throws -> ReadResult {
    try readCSV(Array(text.utf8), blockSize: blockSize, delimiter: delimiter, maxFieldBytes: maxFieldBytes,
                maxRecordBytes: maxRecordBytes, cleaned: cleaned)
}

/// The csv-spectrum fixtures copied into the test bundle.
enum Fixtures {
    static var spectrum: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
            .appendingPathComponent("csv-spectrum", isDirectory: true)
    }

    static let spectrumNames = [
        "comma_in_quotes", "empty", "empty_crlf", "escaped_quotes", "json", "location_coordinates",
        "newlines", "newlines_crlf", "quotes_and_newlines", "simple", "simple_crlf", "utf8",
    ]
}
