/// What `CSVReader.read` reports, in file order.
public enum CSVEvent {
    /// A record that follows the dialect. The view is valid only inside the callback.
    case record(CSVRecord)
    /// A record that breaks the dialect (spec §2.1, `E-PARSE`): bad quoting, an unclosed quote,
    /// a field over the size limit. `line` is the record's first physical line and `message`
    /// says what to fix. Reading has already resumed at the next physical line.
    case malformed(line: Int, message: String)
}

/// One CSV record, as a view into the reader's reusable buffer.
///
/// Valid only inside the `read` callback that received it: copy out what you keep (`string`).
/// Field bytes are always UTF-8 (a Windows-1252 file is converted line by line).
public struct CSVRecord {
    /// The physical line (1-based) where the record starts.
    public let line: Int
    /// The 0-based position of this record among the records of the file (the header is 0);
    /// malformed records and skipped blank ones do not count.
    public let index: Int
    /// The number of fields.
    public let count: Int

    // Internal storage, visible to the inlinable accessors below: reading cleaned fields is
    // the inner loop of Validate, and inlining it across the module boundary is measurable.
    @usableFromInline let bytes: UnsafePointer<UInt8>
    @usableFromInline let fields: UnsafePointer<FieldBounds>

    public init(line: Int, index: Int, count: Int, bytes: UnsafePointer<UInt8>, fields: UnsafePointer<FieldBounds>) {
        self.line = line
        self.index = index
        self.count = count
        self.bytes = bytes
        self.fields = fields
    }

    /// Field `i` as libcsv read it: quotes removed, doubled quotes undone, spaces around an
    /// unquoted value already dropped by libcsv; nothing else changed.
    /// - Complexity: O(1).
    @inlinable
    public func raw(_ i: Int) -> UnsafeRawBufferPointer {
        precondition(i >= 0 && i < count, "field index out of range")
        let field = fields[i]
        return UnsafeRawBufferPointer(start: bytes + Int(field.rawStart), count: Int(field.rawEnd &- field.rawStart))
    }

    /// Field `i` cleaned as spec §2.1 says: surrounding whitespace trimmed, one leading `'`
    /// removed, a value that is only `-` or `.` empty.
    /// - Complexity: O(1); no allocation (fields are cleaned once, as they are read).
    @inlinable
    public func cleaned(_ i: Int) -> UnsafeRawBufferPointer {
        precondition(i >= 0 && i < count, "field index out of range")
        return uncheckedCleaned(i)
    }

    /// Field `i` cleaned, without the bounds check: for a caller that checked `i < count` once
    /// for many fields (Ingest's `TableRow`).
    @inlinable
    public func uncheckedCleaned(_ i: Int) -> UnsafeRawBufferPointer {
        let field = fields[i]
        return UnsafeRawBufferPointer(start: bytes + Int(field.cleanStart),
                                      count: Int(field.cleanEnd &- field.cleanStart))
    }

    /// Field `i` cleaned, as a `String`. Allocates: use it for values you keep.
    public func string(_ i: Int) -> String {
        String(decoding: cleaned(i), as: UTF8.self)
    }

    /// Field `i` uncleaned, as a `String`.
    public func rawString(_ i: Int) -> String {
        String(decoding: raw(i), as: UTF8.self)
    }
}
