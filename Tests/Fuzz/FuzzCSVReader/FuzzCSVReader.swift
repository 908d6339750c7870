// libFuzzer target: the CSV dialect of spec §2.1 (`CSVReader`) and the header mapping and
// table-level rejects (`TableReader`) over arbitrary bytes. Built and run by scripts/fuzz.sh
// (docs/fuzzing.md); libFuzzer supplies `main`.
//
// Besides "no crash, no hang, no leak" it checks what Ingest promises:
// - any block size gives the same records and E-PARSE lines (CSVReadOptions.blockSize);
// - every record starts on a line at or after the previous one, and its fields can be read;
// - TableReader accounts for every record: rows delivered + rows rejected = rows read.
import CSV
import Ingest
import PWSCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []

    // The spec's options against a block size of 1–7 bytes, so lines, CRLF pairs, BOMs and
    // UTF-8 sequences are split across blocks at every offset some input reaches.
    let whole = CSVTrace(bytes, CSVReadOptions())
    let split = CSVTrace(bytes, CSVReadOptions(blockSize: 1 + size % 7))
    if whole != split {
        fatalError("block size \(1 + size % 7) reads differently from 1 MiB blocks:\n\(whole)\nvs\n\(split)")
    }

    // Tiny limits reach the field- and record-length E-PARSE paths and the re-reading after
    // them with small inputs; the delimiter is forced for some inputs instead of sniffed.
    let delimiters: [UInt8?] = [nil, UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]
    _ = CSVTrace(bytes, CSVReadOptions(delimiter: delimiters[size % delimiters.count], blockSize: 3,
                                       maxFieldBytes: 8, maxRecordBytes: 40))

    for schema in [TableSchema.layanan, TableSchema.wilayah] {
        readTable(bytes, schema: schema, options: CSVReadOptions())
    }
    readTable(bytes, schema: .layanan, options: CSVReadOptions(blockSize: 5, maxFieldBytes: 16, maxRecordBytes: 64))
    return 0
}

/// Everything a `CSVReader` reported for one input, to compare two reads: the records' lines,
/// indices and field bytes (raw and cleaned) and the E-PARSE lines and messages, in order. Kept
/// in a few flat arrays: the harness runs under AddressSanitizer, where every allocation costs.
struct CSVTrace: Equatable, CustomStringConvertible {
    /// Per record: line, index, field count, then each field's raw and cleaned length;
    /// per malformed record: -line.
    var numbers: [Int] = []
    var fieldBytes: [UInt8] = []
    var messages: [String] = []
    var blankRows = 0
    var delimiter: UInt8 = 0
    var encoding = TextEncoding.utf8

    init(_ bytes: [UInt8], _ options: CSVReadOptions) {
        let reader = CSVReader(bytes: bytes, source: "fuzz.csv", options: options)
        var lastLine = 0
        var nextIndex = 0
        do {
            try reader.read { event in
                switch event {
                case .record(let record):
                    guard record.line >= max(1, lastLine), record.index == nextIndex, record.count >= 1 else {
                        fatalError("record \(record.index) at line \(record.line) after line \(lastLine), "
                            + "expected index \(nextIndex), \(record.count) fields")
                    }
                    lastLine = record.line
                    nextIndex += 1
                    numbers += [record.line, record.index, record.count]
                    for i in 0..<record.count {
                        let raw = record.raw(i), cleaned = record.cleaned(i)
                        numbers += [raw.count, cleaned.count]
                        fieldBytes.append(contentsOf: raw)
                        fieldBytes.append(contentsOf: cleaned)
                    }
                    if record.count > 0 { _ = record.string(record.count - 1) }
                case .malformed(let line, let message):
                    guard line >= max(1, lastLine) else {
                        fatalError("E-PARSE at line \(line) after a record at line \(lastLine)")
                    }
                    lastLine = line
                    numbers.append(-line)
                    messages.append(message)
                }
            }
        } catch {
            fatalError("reading bytes threw \(error)")
        }
        blankRows = reader.blankRows
        delimiter = reader.delimiter
        encoding = reader.encoding
    }

    var description: String {
        "delimiter \(delimiter), \(encoding), \(blankRows) blank, numbers \(numbers), "
            + "\(fieldBytes.count) field bytes, messages \(messages)"
    }
}

/// Reads `bytes` as a table of `schema`, touching every mapped field of every row, and checks
/// the account.
func readTable(_ bytes: [UInt8], schema: TableSchema, options: CSVReadOptions) {
    do {
        let reader = try TableReader(bytes: bytes, source: "fuzz.csv", schema: schema, options: options)
        var delivered = 0
        var lastIndex = -1
        var problems: [Diagnostic] = []
        let summary = try reader.read(row: { row in
            guard row.recordIndex > lastIndex else {
                fatalError("row index \(row.recordIndex) after \(lastIndex)")
            }
            lastIndex = row.recordIndex
            delivered += 1
            for field in schema.fields.indices where row.has(field) {
                _ = row.cleaned(field).count
            }
        }, problem: { problems.append($0) })
        guard delivered + summary.rowsRejected == summary.rowsRead, lastIndex < summary.rowsRead else {
            fatalError("\(schema.name): \(delivered) rows delivered + \(summary.rowsRejected) rejected "
                + "!= \(summary.rowsRead) read (last index \(lastIndex))")
        }
        guard problems.allSatisfy({ $0.location.line >= 1 }) else {
            fatalError("\(schema.name): a problem without a line: \(problems)")
        }
    } catch {
        fatalError("\(schema.name): reading bytes threw \(error)")
    }
}
