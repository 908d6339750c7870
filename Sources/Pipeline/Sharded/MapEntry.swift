import Foundation
import PWSCore
import Validate

// One input file's entry in the incremental map cache (docs/scale.md, "Intermediate format"),
// laid out so that a warm map task copies nothing: the entry holds the file's rows already
// split by person partition and by record-id partition for the run's P (P is in the entry's
// key), each partition's rows in a section of their own that starts a new block of the
// container, and without the file's index in the run (given by whoever reads the section, from
// the run's file order). The map task then writes a manifest naming the entries in read order
// (`map/manifest-i.pws`), and dedup task j / reduce task j read section ids_j / part_j of each
// entry straight from it — one `pread` of the section's blocks, each checked by its crc32.

/// An entry's layout:
///
/// ```
/// ShardFile container, kind "map-cache", the entry key in its header; the payload in sections,
/// each appended on its own (so each starts a block; an empty one has no block):
///   table      the entry name, P, the byte lengths of the 1 + 2P sections below, the visits
///              the file's E-FUTURE rule compared with today (ComparedVisits; MapCache.entryKey)
///   metadata   account, per-row rejects, notes, unregistered RTs (first use), candidate count
///   part_j     (j = 0..<P) the rows of person partition j: ShardRow without its file index
///              (ordinal, label flag and text, line, record id, content, raw result hash,
///              pending warnings, name; the label written when it changes within the section)
///   ids_j      the record-id entries of partition j: ShardIDEntry without its file index
///              (record id, ordinal, label flag and text, line, person partition, content,
///              visit; the label written when it changes within the section)
/// ```
///
/// A section's offset follows from the lengths before it: a section of L bytes takes
/// ⌈L / blockSize⌉ blocks of 8 bytes of block header each.
struct MapEntryLayout: Equatable {
    /// The entry file (absolute).
    var path: String
    /// The input file it is the map of (for messages).
    var source: String
    /// The file's size, checked before a section is read (a truncated or rewritten file).
    var size: Int
    /// Where the payload's first block starts (after magic, version and header).
    var dataStart: Int
    /// The byte length of the table section.
    var tableLength: Int
    /// The byte lengths of the metadata section and of part_0, ids_0, part_1, ….
    var lengths: [Int]

    var partitions: Int { (lengths.count - 1) / 2 }

    static func blocks(_ length: Int) -> Int { (length + ShardFile.blockSize - 1) / ShardFile.blockSize }
    static func stored(_ length: Int) -> Int { length + 8 * blocks(length) }

    /// The size of an entry whose payload starts at `dataStart` with sections of these lengths
    /// (table first), its trailer included; nil when the numbers cannot be an entry's — a
    /// crafted table or manifest whose lengths would overflow the sum.
    static func size(dataStart: Int, lengths: [Int]) -> Int? {
        var at = dataStart
        for n in lengths {
            guard n >= 0, n <= 1 << 48 else { return nil }
            let (sum, overflow) = at.addingReportingOverflow(stored(n))
            guard !overflow else { return nil }
            at = sum
        }
        let (end, overflow) = at.addingReportingOverflow(20)
        return overflow ? nil : end
    }

    /// True when `size` is what the table and section lengths add up to.
    var isConsistent: Bool {
        dataStart >= 20 && MapEntryLayout.size(dataStart: dataStart, lengths: [tableLength] + lengths) == size
    }

    /// The offset of section `s` (0 metadata, 1 + 2j part_j, 2 + 2j ids_j).
    func offset(_ s: Int) -> Int {
        var at = dataStart + MapEntryLayout.stored(tableLength)
        for k in 0..<s { at += MapEntryLayout.stored(lengths[k]) }
        return at
    }

    /// The table section as written: the entry name, P, the lengths, and the visits the file's
    /// E-FUTURE rule compared with today (`ComparedVisits`: a flag, then the latest on or before
    /// today and the earliest after it, each a flag and a day, then today; `MapCache.entryKey`).
    static func table(name: String, lengths: [Int], compared: ComparedVisits? = nil) -> [UInt8] {
        var e = ShardEncoder()
        e.string(name)
        e.uint(UInt64((lengths.count - 1) / 2))
        for l in lengths { e.uint(UInt64(l)) }
        e.bool(compared != nil)
        if let compared {
            for day in [compared.latest, compared.earliestAfter] {
                e.bool(day != nil)
                if let day { e.int(Int(day.raw)) }
            }
            e.int(Int(compared.today.raw))
        }
        return e.bytes
    }
}

/// Builds one file's entry from the candidates `Validation.runMap` hands on. A class (the
/// reader's callbacks share it) around a struct: one exclusive access to the builder's state
/// per row, not one per field it touches.
final class MapEntryBuilder {
    private var rows: MapEntryRows

    init(partitions: Int) { rows = MapEntryRows(partitions: partitions) }

    func add(_ c: ShardCandidate) { rows.add(c) }

    /// The sections of the file whose candidates were added — table, metadata, part_0, ids_0,
    /// … — for the entry `name`; the builder starts afresh.
    func finish(name: String, account: FileAccount, rejects: ArraySlice<Diagnostic>,
                notes: ArraySlice<String>, compared: ComparedVisits) -> [[UInt8]] {
        rows.finish(name: name, account: account, rejects: rejects, notes: notes, compared: compared)
    }
}

/// `MapEntryBuilder`'s state: each person partition's and record-id partition's rows so far.
struct MapEntryRows {
    let partitions: Int
    private var parts: [RecordBuffer]
    private var ids: [RecordBuffer]
    private var lastLabel: [String]
    private var lastIDLabel: [String]
    private var count = 0
    private var unregistered: [RTArea] = []
    private var seen = Set<RTArea>()

    init(partitions: Int) {
        self.partitions = partitions
        parts = [RecordBuffer](repeating: RecordBuffer(), count: partitions)
        ids = [RecordBuffer](repeating: RecordBuffer(), count: partitions)
        lastLabel = [String](repeating: "", count: partitions)
        lastIDLabel = lastLabel
    }

    /// The row's content, written once for both of its records (reused for every row), and its
    /// pending warnings' records.
    private var content = RecordBuffer()
    private var pending = ShardEncoder()

    mutating func add(_ c: ShardCandidate) {
        let ordinal = count
        count += 1
        content.removeAll()
        content.write(bound: ShardRow.contentBound(c)) { ShardRow.writeContent(c, to: &$0) }
        pending.bytes.removeAll(keepingCapacity: true)
        for d in c.pending { pending.diagnostic(d) }
        let p = PartitionHash.partition(c.person, of: partitions)
        let newLabel = c.label != lastLabel[p]
        if newLabel { lastLabel[p] = c.label }
        let q = PartitionHash.partition(c.recordID, of: partitions)
        let newIDLabel = c.label != lastIDLabel[q]
        if newIDLabel { lastIDLabel[q] = c.label }
        let varint = RecordWriter.varint
        let label = c.label.utf8.count, recordID = c.recordID.count
        content.withBytes { content in
            // As ShardRow.encode writes it, without the file index.
            let rowBound = 7 * varint + 1 + (newLabel ? varint + label : 0) + recordID + content.count + pending.bytes.count
                + c.name.count
            parts[p].write(bound: rowBound) { w in
                w.uint(UInt64(ordinal))
                w.bool(newLabel)
                if newLabel { w.string(c.label) }
                w.uint(UInt64(c.line))
                w.raw(c.recordID)
                w.raw(content)
                w.int(c.rawResultHash)
                w.uint(UInt64(c.pending.count))
                pending.bytes.withUnsafeBytes { w.bytes($0) }
                w.raw(c.name)
            }
            // As ShardIDEntry.encode writes it, without the file index.
            let idBound = 7 * varint + 1 + (newIDLabel ? varint + label : 0) + recordID + content.count
            ids[q].write(bound: idBound) { w in
                w.raw(c.recordID)
                w.uint(UInt64(ordinal))
                w.bool(newIDLabel)
                if newIDLabel { w.string(c.label) }
                w.uint(UInt64(c.line))
                w.uint(UInt64(p))
                w.raw(content)
                w.int(c.rawResultHash)
                w.int(Int(c.event.visit.raw))
            }
        }
        if var rt = c.unregisteredRT {
            rt.hamlet = ""
            rt.population = nil
            if seen.insert(rt).inserted { unregistered.append(rt) }
        }
    }

    /// `MapEntryBuilder.finish`.
    mutating func finish(name: String, account: FileAccount, rejects: ArraySlice<Diagnostic>,
                         notes: ArraySlice<String>, compared: ComparedVisits) -> [[UInt8]] {
        var e = ShardEncoder()
        e.account(account)
        e.uint(UInt64(rejects.count))
        for d in rejects { e.diagnostic(d) }
        e.strings(Array(notes))
        e.uint(UInt64(unregistered.count))
        for rt in unregistered {
            e.uint(UInt64(rt.village))
            e.string(rt.rw)
            e.string(rt.rt)
        }
        e.uint(UInt64(count))
        var sections = [e.bytes]
        for j in 0..<partitions {
            sections.append(parts[j].bytes)
            sections.append(ids[j].bytes)
        }
        sections.insert(MapEntryLayout.table(name: name, lengths: sections.map(\.count), compared: compared), at: 0)
        // The buffers keep their room for the next file.
        for j in 0..<partitions {
            parts[j].removeAll()
            ids[j].removeAll()
        }
        lastLabel = [String](repeating: "", count: partitions)
        lastIDLabel = lastLabel
        count = 0
        unregistered = []
        seen = []
        return sections
    }
}

/// Reading entries without reading them whole.
enum MapEntry {
    static func problem(_ path: String, _ what: String) -> PWSError {
        PWSError(.data, "entry \(path) is \(what)")
    }

    /// The sections (table first) of the entry `name` of one file, `source` in `data`, read
    /// with the per-row rules as a map task reads a file without a usable entry
    /// (`Validation.runMap` with the run's settings and register, `MapEntryBuilder`): dedup
    /// and reduce rebuild an entry they cannot use with it (`ShardedRun.entrySection`).
    static func build(data: String, settings: ValidationSettings, register: AreaRegister, source: String,
                      name: String, partitions: Int) throws -> [[UInt8]] {
        let builder = MapEntryBuilder(partitions: partitions)
        var sections: [[UInt8]]?
        _ = try Validation.runMap(dataDirectory: data, settings: settings, register: register, sources: [source],
                                  emit: { builder.add($0) },
                                  fileDone: { _, account, rejects, notes, compared in
                                      sections = builder.finish(name: name, account: account, rejects: rejects,
                                                                notes: notes, compared: compared)
                                  })
        guard let sections else { throw PWSError(.data, "\(data)/\(source) gave no map (it was not read)") }
        return sections
    }

    /// Writes `sections` (table first) as the entry at `path` (temporary name, then rename).
    /// - Returns: the entry's layout.
    @discardableResult
    static func write(_ sections: [[UInt8]], header: ShardHeader, to path: String, source: String) throws -> MapEntryLayout {
        // The entry is small (the map of one input file): built whole in memory and written
        // with one `write` rather than appended section by section.
        let (bytes, dataStart) = try ShardFile.image(header, payloads: sections)
        try ShardFile.writeWhole(bytes, to: path)
        return try layout(of: sections, dataStart: dataStart, path: path, source: source)
    }

    /// The layout of entry `sections` once written at `path` with `header`.
    static func layout(of sections: [[UInt8]], header: ShardHeader, path: String, source: String) throws -> MapEntryLayout {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try layout(of: sections, dataStart: 20 + (try encoder.encode(header)).count, path: path, source: source)
    }

    static func layout(of sections: [[UInt8]], dataStart: Int, path: String, source: String) throws -> MapEntryLayout {
        guard let size = MapEntryLayout.size(dataStart: dataStart, lengths: sections.map(\.count)) else {
            throw PWSError(.internalFailure, "an entry of \(source) too large to lay out")
        }
        return MapEntryLayout(path: path, source: source, size: size, dataStart: dataStart,
                              tableLength: sections[0].count, lengths: sections.dropFirst().map(\.count))
    }

    /// Opens entry `path` as a map task does for a cached file: checks its magic, format
    /// version, header checksum, table (its name must be `name`, its P `partitions`), its size
    /// against the table and its trailer, and reads its metadata section (checked).
    /// - Returns: its layout, its metadata and the visits its file's E-FUTURE rule compared
    ///   with today (nil in a table without them: a test's); never the rows.
    /// - Throws: `.inputMissing` when absent, `.data` when it cannot be used, naming it.
    static func open(path: String, name: String, partitions: Int, source: String) throws
        -> (MapEntryLayout, [UInt8], ComparedVisits?) {
        // O_NONBLOCK: a FIFO in its place must not hold the task (checked below; no effect on
        // a plain file's reads).
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw PWSError(.inputMissing, "entry \(path) is missing") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw problem(path, "not readable") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw problem(path, "not a plain file") }
        let size = Int(st.st_size)
        // One read for the header, the table and (most often) the metadata: the entry's first
        // `openRead` bytes; a section beyond them is read on its own.
        let start = try ShardFileReader.pread(fd, path, at: 0, count: min(size, openRead))
        guard start.count >= 20, Array(start[0..<8]) == ShardFile.magic else { throw problem(path, "truncated or not an entry") }
        let version = ShardFile.readUInt32(start, 8)
        guard version == ShardFile.formatVersion else {
            throw problem(path, "of format version \(version), not \(ShardFile.formatVersion)")
        }
        let headerLength = Int(ShardFile.readUInt32(start, 12))
        let dataStart = 20 + headerLength
        guard size >= dataStart + 8 else { throw problem(path, "truncated in its header") }
        let head = start.count >= dataStart + 8 ? start : try ShardFileReader.pread(fd, path, at: 0, count: dataStart + 8)
        guard ShardFile.crc(Array(head[20..<dataStart])) == ShardFile.readUInt32(head, 16) else {
            throw problem(path, "corrupted (header checksum differs)")
        }
        let tableLength = Int(ShardFile.readUInt32(head, dataStart))
        guard tableLength <= ShardFile.blockSize, size >= dataStart + 8 + tableLength else {
            throw problem(path, "truncated in its table")
        }
        let table = try section(fd: fd, path: path, at: dataStart, length: tableLength, within: start)
        var d = ShardDecoder(table, path: path)
        let tableName = try d.string()
        let p = try d.index()
        guard tableName == name, p == partitions else {
            throw problem(path, "the map of another file or of other settings (its name or P differs)")
        }
        let lengths = try (0..<(1 + 2 * p)).map { _ in try d.index() }
        var compared: ComparedVisits?
        if try d.bool() {
            func day() throws -> Day { Day(raw: Int32(clamping: try d.int())) }
            let latest = try d.bool() ? try day() : nil
            let after = try d.bool() ? try day() : nil
            compared = ComparedVisits(latest: latest, earliestAfter: after, today: try day())
        }
        guard d.atEnd else { throw problem(path, "corrupted (its table does not decode)") }
        let layout = MapEntryLayout(path: path, source: source, size: size, dataStart: dataStart,
                                    tableLength: tableLength, lengths: lengths)
        guard let expected = MapEntryLayout.size(dataStart: dataStart, lengths: [tableLength] + lengths) else {
            throw problem(path, "corrupted (its table gives section lengths no entry can have)")
        }
        guard size == expected else {
            throw problem(path, size < expected ? "truncated (\(size) bytes, its table says \(expected))" : "corrupted (\(size) bytes, its table says \(expected))")
        }
        let trailer = start.count == size ? Array(start[(size - 20)...])
            : try ShardFileReader.pread(fd, path, at: size - 20, count: 20)
        var blocks: UInt64 = 0
        for k in 0..<8 { blocks |= UInt64(trailer[8 + k]) << (8 * UInt64(k)) }
        let written = ([tableLength] + lengths).reduce(0) { $0 + MapEntryLayout.blocks($1) }
        guard Array(trailer[0..<8]) == ShardFile.trailerMagic, ShardFile.crc(Array(trailer[0..<16])) == ShardFile.readUInt32(trailer, 16),
              blocks == UInt64(written) else {
            throw problem(path, "corrupted (its trailer differs)")
        }
        let metadata = try section(fd: fd, path: path, at: layout.offset(0), length: lengths[0], within: start)
        return (layout, metadata, compared)
    }

    /// Section `s` of the entry (0 metadata, 1 + 2j part_j, 2 + 2j ids_j): one read of its
    /// blocks, each crc32 checked; the file must still have the size the map saw.
    static func read(_ layout: MapEntryLayout, section s: Int) throws -> [UInt8] {
        let fd = Glibc.open(layout.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw PWSError(.inputMissing, "entry \(layout.path) is missing") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw problem(layout.path, "not readable") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw problem(layout.path, "not a plain file") }
        guard Int(st.st_size) == layout.size else {
            throw problem(layout.path, "truncated or rewritten (\(st.st_size) bytes, \(layout.size) when its map task read it)")
        }
        return try section(fd: fd, path: layout.path, at: layout.offset(s), length: layout.lengths[s])
    }

    /// How much of an entry `open` reads at once: the header (~700 bytes), the table and the
    /// metadata of most entries (per-row rejects make it longer), in one `pread`.
    static let openRead = 8192

    /// The payload of a section of `length` bytes whose blocks start at `at`: taken from
    /// `within` (the file's first bytes, already read) when it lies there, else read.
    static func section(fd: Int32, path: String, at: Int, length: Int, within: [UInt8] = []) throws -> [UInt8] {
        guard length > 0 else { return [] }
        let stored = MapEntryLayout.stored(length)
        if at + stored <= within.count {
            return try payload(within, from: at, length: length, path: path)
        }
        let raw = try ShardFileReader.pread(fd, path, at: at, count: stored)
        guard raw.count == stored else { throw problem(path, "truncated") }
        return try payload(raw, from: 0, length: length, path: path)
    }

    /// The payload of the `length` bytes stored from `raw[start...]` in blocks, each checked
    /// (its length against the table's, its crc32).
    private static func payload(_ raw: [UInt8], from start: Int, length: Int, path: String) throws -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(length)
        var k = start
        while payload.count < length {
            let want = min(ShardFile.blockSize, length - payload.count)
            let got = Int(ShardFile.readUInt32(raw, k)), sum = ShardFile.readUInt32(raw, k + 4)
            guard got == want else { throw problem(path, "corrupted (a block of \(got) bytes where its table says \(want))") }
            let ok = raw.withUnsafeBytes { ShardFile.crc(UnsafeRawBufferPointer(rebasing: $0[(k + 8)..<(k + 8 + want)])) == sum }
            guard ok else { throw problem(path, "corrupted (checksum of a block differs)") }
            payload += raw[(k + 8)..<(k + 8 + want)]
            k += 8 + want
        }
        return payload
    }
}
