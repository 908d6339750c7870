import CLibCSV

// libcsv 3.0.3's parser states (private #defines in libcsv.c, not in csv.h). The reader needs
// them to tell a literal quote inside an unquoted field from a real quoting error.
private let rowNotBegun: Int32 = 0
private let fieldBegun: Int32 = 2

private let strictOptions = UInt8(CSV_STRICT | CSV_STRICT_FINI)
private let relaxedOptions = UInt8(0)

/// Where one field of the record buffer lies: its bytes as read, and its cleaned part (§2.1),
/// as offsets into the record's bytes. 32-bit offsets suffice because a record is capped
/// (`CSVReadOptions.maxRecordBytes` ≤ 256 MiB) and keep the table at 16 bytes per field.
/// Public for the record sources that are not CSV text (Ingest's workbook and reshape readers),
/// which build `CSVRecord`s of their own.
public struct FieldBounds {
    public var rawStart: Int32
    public var rawEnd: Int32
    public var cleanStart: Int32
    public var cleanEnd: Int32

    public init(rawStart: Int32, rawEnd: Int32, cleanStart: Int32, cleanEnd: Int32) {
        self.rawStart = rawStart
        self.rawEnd = rawEnd
        self.cleanStart = cleanStart
        self.cleanEnd = cleanEnd
    }
}

/// Where libcsv's callbacks put one record: every field's bytes back to back plus each field's
/// bounds. Reached from C through the `void *` context, so it is a plain struct behind a
/// pointer (no class, no closure: see STYLE.md, "The hot path"). Fields are cleaned here, while
/// their bytes are still in the cache, so reading a cleaned field later is two loads.
struct RecordSink {
    var bytes: ByteStorage
    var fields: UnsafeMutablePointer<FieldBounds>
    var fieldCount = 0
    var fieldCapacity: Int
    /// Set by the row callback; the reader clears it.
    var rowComplete = false
    /// The longest field submitted since the last reset, for the 64 KiB rule.
    var longestField = 0
    /// Whether some field since the last reset is non-empty once cleaned.
    var hasContent = false
    /// Whether libcsv's entry buffer, where every field comes from, is at least 16 bytes long
    /// (normally `csv_set_blk_size`, 64 KiB), so a short field may be copied as two words.
    /// Set before each `csv_parse`; the buffer only grows.
    var wideSource = false

    init() {
        bytes = ByteStorage(capacity: 4096)
        fieldCapacity = 64
        fields = .allocate(capacity: fieldCapacity)
    }

    /// - Complexity: O(length); no call for fields of up to 16 bytes.
    @inline(__always)
    mutating func appendField(_ data: UnsafeRawPointer?, _ length: Int) {
        let start = bytes.count
        var cleanStart = start
        var cleanEnd = start &+ length
        if length > 0, let data {
            // Decide on the source bytes, not the copy, so the check does not wait on the stores.
            let first = data.load(as: UInt8.self)
            let last = data.load(fromByteOffset: length &- 1, as: UInt8.self)
            bytes.appendField(data, length, sourceHasSixteenBytes: wideSource)
            if !Dialect.isClean(first: first, last: last, count: length) {
                let clean = Dialect.cleanedRange(bytes.base, start, cleanEnd)
                cleanStart = clean.lowerBound
                cleanEnd = clean.upperBound
            }
            hasContent = hasContent || cleanEnd > cleanStart
            longestField = Swift.max(longestField, length)
        }
        if fieldCount == fieldCapacity { growFields() }
        fields[fieldCount] = FieldBounds(rawStart: Int32(truncatingIfNeeded: start),
                                         rawEnd: Int32(truncatingIfNeeded: start &+ length),
                                         cleanStart: Int32(truncatingIfNeeded: cleanStart),
                                         cleanEnd: Int32(truncatingIfNeeded: cleanEnd))
        fieldCount &+= 1
    }

    private mutating func growFields() {
        let newCapacity = fieldCapacity * 2
        let newFields = UnsafeMutablePointer<FieldBounds>.allocate(capacity: newCapacity)
        newFields.update(from: fields, count: fieldCount)
        fields.deallocate()
        fields = newFields
        fieldCapacity = newCapacity
    }

    mutating func reset() {
        bytes.removeAll()
        fieldCount = 0
        rowComplete = false
        longestField = 0
        hasContent = false
    }

    func deallocate() {
        bytes.deallocate()
        fields.deallocate()
    }
}

// libcsv callbacks: free functions at file scope, context through the `void *` (STYLE.md).
@inline(__always)
private func ingestFieldCallback(_ data: UnsafeMutableRawPointer?, _ length: Int,
                                 _ context: UnsafeMutableRawPointer?) {
    context.unsafelyUnwrapped.assumingMemoryBound(to: RecordSink.self).pointee.appendField(data, length)
}

private func ingestRowCallback(_ terminator: Int32, _ context: UnsafeMutableRawPointer?) {
    context.unsafelyUnwrapped.assumingMemoryBound(to: RecordSink.self).pointee.rowComplete = true
}

/// How feeding bytes to libcsv ended.
enum ParseStatus {
    case ok
    /// Something other than a delimiter or line end follows a closing quote.
    case textAfterClosingQuote
    /// libcsv could not grow its field buffer.
    case outOfMemory
}

/// libcsv in strict mode, with the one relaxation the spec asks for: a `"` inside an unquoted
/// field is a literal character.
final class LibCSVParser {
    private let parser: UnsafeMutablePointer<csv_parser>
    let sink: UnsafeMutablePointer<RecordSink>

    init(delimiter: UInt8) {
        parser = .allocate(capacity: 1)
        csv_init(parser, strictOptions)
        csv_set_delim(parser, delimiter)
        // Grow the field buffer in large steps: the default 128 bytes makes a 64 KiB field cost
        // 512 reallocations.
        csv_set_blk_size(parser, 64 * 1024)
        sink = .allocate(capacity: 1)
        sink.initialize(to: RecordSink())
    }

    deinit {
        csv_free(parser)
        parser.deallocate()
        sink.pointee.deallocate()
        sink.deinitialize(count: 1)
        sink.deallocate()
    }

    func setDelimiter(_ delimiter: UInt8) { csv_set_delim(parser, delimiter) }

    /// Whether the parser is between records (nothing of a record has been seen).
    var isBetweenRecords: Bool { parser.pointee.pstate == rowNotBegun }

    /// Bytes of the field still being read, for the 64 KiB rule.
    var fieldBytesInProgress: Int { parser.pointee.entry_pos }

    /// Feeds bytes (one physical line) to libcsv.
    /// - Complexity: O(n).
    @inline(__always)
    func parse(_ bytes: UnsafeRawBufferPointer) -> ParseStatus {
        guard var start = bytes.baseAddress else { return .ok }
        var remaining = bytes.count
        sink.pointee.wideSource = parser.pointee.entry_size >= 16
        while remaining > 0 {
            let used = csv_parse(parser, start, remaining, ingestFieldCallback, ingestRowCallback, sink)
            let status = parser.pointee.status
            if status == CSV_SUCCESS { return .ok }
            guard status == CSV_EPARSE else { return .outOfMemory }
            guard parser.pointee.pstate == fieldBegun, parser.pointee.quoted == 0 else {
                return .textAfterClosingQuote
            }
            // A quote inside an unquoted field: libcsv stopped on it with its state saved.
            // Feed exactly that byte in the default (non-strict) mode, which keeps it literally.
            parser.pointee.status = CSV_SUCCESS
            csv_set_opts(parser, relaxedOptions)
            _ = csv_parse(parser, start + used, 1, ingestFieldCallback, ingestRowCallback, sink)
            csv_set_opts(parser, strictOptions)
            start += used + 1
            remaining -= used + 1
        }
        return .ok
    }

    /// Ends the input: completes a last record that has no line end.
    /// - Returns: false when a quoted field was never closed.
    func finish() -> Bool {
        csv_fini(parser, ingestFieldCallback, ingestRowCallback, sink) == 0
    }

    /// Whether the parser is inside a quoted field (as at the start of a line that a record
    /// continues on: only a line end inside quotes lets a record go on).
    var isInQuotedField: Bool { parser.pointee.pstate == fieldBegun && parser.pointee.quoted != 0 }

    /// Forgets the record in progress and continues as if a quoted field had just been opened,
    /// with nothing in it: the state a record is in at the start of a line inside a quoted field.
    /// The record's earlier fields are not there; the recovery uses this only to learn how a
    /// record it will not deliver ends (`RecordAssembler`).
    func resetInsideQuotedField() {
        reset()
        parser.pointee.pstate = fieldBegun
        parser.pointee.quoted = 1
    }

    /// Forgets the record in progress, as after a fresh `csv_init`.
    func reset() {
        parser.pointee.pstate = rowNotBegun
        parser.pointee.quoted = 0
        parser.pointee.spaces = 0
        parser.pointee.entry_pos = 0
        parser.pointee.status = CSV_SUCCESS
        sink.pointee.reset()
    }
}
