import Concurrency
import Foundation
import Logging
@testable import Pipeline
import PWSCore
import PWSTestSupport
@testable import Validate
import Testing

/// The layout of a map cache entry (MapEntry, docs/scale.md "Intermediate format"): a map task
/// reads an entry's table and metadata only, dedup and reduce one partition's section, each
/// block checked; a warm map task writes a manifest naming the entries, not the rows.
@Suite struct MapEntryTests {
    static let key = ShardRunKey(pipeline: "p", services: "s", indicators: "i", register: "r", sasaran: "a", files: "f",
                                 today: "2026-01-10", asOf: nil, keepIdentifiers: false, skipUnreadable: false,
                                 mapTasks: 0, partitions: 2, dataDirectory: "layanan/x.csv")

    /// Sections of known lengths — metadata 3 bytes, part_0 empty, ids_0 5 bytes, part_1 two
    /// blocks and one byte, ids_1 empty — land where the layout says, and each reads back.
    @Test func sectionsAreWhereTheTableSays() throws {
        let tmp = try TemporaryFolder()
        let path = tmp.url.path + "/entry.pws"
        let name = String(repeating: "ab", count: 32)
        let big = (0..<(2 * ShardFile.blockSize + 1)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var sections: [[UInt8]] = [[1, 2, 3], [], [9, 8, 7, 6, 5], big, []]
        sections.insert(MapEntryLayout.table(name: name, lengths: sections.map(\.count)), at: 0)
        let header = ShardHeader(kind: MapCache.entryKind, task: 0, key: MapEntryTests.key)
        let written = try MapEntry.write(sections, header: header, to: path, source: "x")
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        let layout = try MapEntry.layout(of: sections, header: header, path: path, source: "x")
        #expect(written == layout)
        // The same bytes a ShardFileWriter leaves when the sections are appended in turn.
        let appended = tmp.url.path + "/appended.pws"
        let writer = try ShardFileWriter(path: appended, header: header)
        for s in sections { try writer.append(s) }
        try writer.finish()
        #expect(FileManager.default.contents(atPath: appended) == FileManager.default.contents(atPath: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.url.path).sorted() == ["appended.pws", "entry.pws"])
        // Table: name (1 + 64 bytes), P (1), five lengths: 3, 0, 5, 2097153 (2^21 + 1: 4 bytes), 0;
        // no latest visit (a flag byte).
        #expect(sections[0].count == 65 + 1 + 1 + 1 + 1 + 4 + 1 + 1)
        let dataStart = layout.dataStart
        #expect(layout.offset(0) == dataStart + 8 + 75)
        #expect(layout.offset(1) == layout.offset(0) + 8 + 3)
        #expect(layout.offset(2) == layout.offset(1))  // part_0 is empty: no block
        #expect(layout.offset(3) == layout.offset(2) + 8 + 5)
        #expect(layout.offset(4) == layout.offset(3) + 3 * 8 + big.count)
        #expect(size == layout.offset(4) + 20)
        #expect(layout.size == size)
        let (opened, metadata, latest) = try MapEntry.open(path: path, name: name, partitions: 2, source: "x")
        #expect(latest == nil)
        #expect(opened == layout)
        #expect(metadata == [1, 2, 3])
        #expect(try MapEntry.read(layout, section: 2) == [9, 8, 7, 6, 5])
        #expect(try MapEntry.read(layout, section: 3) == big)
        #expect(try MapEntry.read(layout, section: 1) == [])
        // Another name or another P: refused.
        #expect(throws: PWSError.self) { try MapEntry.open(path: path, name: String(repeating: "cd", count: 32), partitions: 2, source: "x") }
        #expect(throws: PWSError.self) { try MapEntry.open(path: path, name: name, partitions: 3, source: "x") }

        // A flipped byte in part_1's second block: the map still opens the entry (it reads no
        // rows), the reader of part_1 refuses it, the other sections still read.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[layout.offset(3) + 8 + ShardFile.blockSize + 8 + 100] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        _ = try MapEntry.open(path: path, name: name, partitions: 2, source: "x")
        #expect(try MapEntry.read(layout, section: 2) == [9, 8, 7, 6, 5])
        do {
            _ = try MapEntry.read(layout, section: 3)
            Issue.record("a corrupted section was read")
        } catch let error as PWSError {
            #expect(error.message == "entry \(path) is corrupted (checksum of a block differs)")
        }
        // Truncated: the map refuses it (size against the table), so does a reader.
        try Data(bytes.prefix(size - 30)).write(to: URL(fileURLWithPath: path))
        do {
            _ = try MapEntry.open(path: path, name: name, partitions: 2, source: "x")
            Issue.record("a truncated entry was opened")
        } catch let error as PWSError {
            #expect(error.message == "entry \(path) is truncated (\(size - 30) bytes, its table says \(size))")
        }
        #expect(throws: PWSError.self) { try MapEntry.read(layout, section: 2) }
    }

    /// The entry builder writes each row through a pointer (`RecordBuffer`): every row of every
    /// partition decodes as `ShardRow` and `ShardIDEntry` read it, with the content
    /// `ShardContent` reads back field by field — for long varints (lines and ordinals past
    /// 127, 16 383 and 2^21), labels that change and repeat (one not ASCII), unregistered RTs,
    /// pending warnings, kept names and negative hashes — and a second file through the same
    /// builder starts afresh.
    @Test func builderWritesEveryRowAsTheRecordDecodersReadIt() throws {
        let labels = ["layanan/a.csv", "layanan/é-ñ.csv", "layanan/a.csv"]
        func candidate(_ n: Int) -> ShardCandidate {
            let event = ServiceEvent(person: 0, record: 0, visit: Day(raw: Int32(20_000 + n)), birth: Day(raw: Int32(n * 3)),
                                     lmp: n % 5 == 0 ? Day(raw: -Int32(n)) : .unknown, service: UInt16(n % 300),
                                     gestationalWeeks: Int8(n % 44), sex: n % 2 == 0 ? .male : .female, rt: UInt32(n * 7),
                                     result: Float(n) / 3, result2: n % 3 == 0 ? .nan : -Float(n),
                                     facilityType: .pustu, provider: .bidan)
            let pending = n % 4 == 0 ? [Diagnostic(location: SourceLocation(source: labels[n % 3], line: n), recordID: "R\(n)",
                                                   rule: .result, field: "hasil", value: "x\(n)", message: "pesan \(n) ✓")] : []
            return ShardCandidate(file: 0, label: labels[(n / 50) % 3], line: [n, 200 + n, 20_000 + n, 3_000_000 + n][n % 4],
                                  recordID: Array("R\(n)".utf8), person: Array("P\(n % 37)".utf8),
                                  pregnancyID: n % 6 == 0 ? Array("K\(n)".utf8) : [], facilityID: Array("F\(n % 5)".utf8),
                                  event: event,
                                  unregisteredRT: n % 9 == 0 ? RTArea(village: UInt32(n), rw: "0\(n % 4)", rt: "ÉT\(n)", registered: false) : nil,
                                  rawResultHash: n % 7 == 0 ? -n * 1_000_003 : 0, pending: pending,
                                  name: n % 10 == 0 ? Array("Siti \(n)".utf8) : [])
        }
        let builder = MapEntryBuilder(partitions: 3)
        for (first, count) in [(0, 400), (1000, 30)] {
            let candidates = (first..<first + count).map(candidate)
            for c in candidates { builder.add(c) }
            let sections = builder.finish(name: "n", account: FileAccount(source: "x"), rejects: [], notes: [],
                                          compared: ComparedVisits(latest: nil, earliestAfter: nil, today: Day(raw: 0)))
            #expect(sections.count == 2 + 2 * 3)
            var rows = 0, ids = 0
            for j in 0..<3 {
                var d = ShardDecoder(sections[2 + 2 * j], path: "part")
                var previous = ""
                while !d.atEnd {
                    let row = try ShardRow.decode(&d, file: 9, previous: &previous)
                    let c = candidates[row.ordinal]
                    #expect(PartitionHash.partition(c.person, of: 3) == j)
                    #expect(row.file == 9 && row.label == c.label && row.line == c.line && Array(row.recordID) == c.recordID)
                    #expect(Array(row.content) == ShardRow.content(c))
                    let content = try ShardContent(row.content, path: "part")
                    let ev = c.event
                    #expect(Array(content.person) == c.person && content.visit == ev.visit && content.birth == ev.birth)
                    #expect(content.lmp == ev.lmp && content.weeks == ev.gestationalWeeks && content.service == ev.service)
                    #expect(content.sex == ev.sex && content.facilityType == ev.facilityType && content.provider == ev.provider)
                    #expect(content.result.bitPattern == ev.result.bitPattern && content.result2.bitPattern == ev.result2.bitPattern)
                    #expect(Array(content.pregnancyID) == c.pregnancyID && Array(content.facilityID) == c.facilityID)
                    if let rt = c.unregisteredRT {
                        #expect(content.rt.index == nil && content.rt.village == rt.village && content.rt.rw == rt.rw && content.rt.rt == rt.rt)
                    } else {
                        #expect(content.rt.index == ev.rt)
                    }
                    #expect(row.rawResultHash == c.rawResultHash && row.pending == c.pending && Array(row.name) == c.name)
                    rows += 1
                }
                var e = ShardDecoder(sections[3 + 2 * j], path: "ids")
                previous = ""
                while !e.atEnd {
                    let id = try ShardIDEntry.decode(&e, file: 9, previous: &previous)
                    let c = candidates[id.ordinal]
                    #expect(PartitionHash.partition(c.recordID, of: 3) == j)
                    #expect(Array(id.recordID) == c.recordID && id.label == c.label && id.line == c.line)
                    #expect(id.partition == PartitionHash.partition(c.person, of: 3))
                    #expect(Array(id.content) == ShardRow.content(c) && id.visit == c.event.visit)
                    ids += 1
                }
            }
            #expect(rows == count && ids == count)
        }
    }

    /// `open` takes the header, table and metadata from one read of the entry's first
    /// `MapEntry.openRead` bytes when they lie there, and reads a longer metadata section (or
    /// the trailer of a larger entry) on its own: either way the same metadata, and a flipped
    /// byte in the metadata or the trailer is refused.
    @Test func openReadsTheEntrysStartOnceAndStillChecksEveryByte() throws {
        let tmp = try TemporaryFolder()
        let path = tmp.url.path + "/entry.pws"
        let name = String(repeating: "ab", count: 32)
        let header = ShardHeader(kind: MapCache.entryKind, task: 0, key: MapEntryTests.key)
        let read = MapEntry.openRead
        // Metadata inside the first read, ending near it, past it, and of several blocks; the
        // entry smaller than one read (its trailer in it too) or larger (rows after).
        for metadataLength in [3, read - 900, read - 100, read + 1, 2 * ShardFile.blockSize + 5] {
            for rows in [0, read] {
                let metadata = (0..<metadataLength).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
                var sections: [[UInt8]] = [metadata, [UInt8](repeating: 4, count: rows), [], [], []]
                sections.insert(MapEntryLayout.table(name: name, lengths: sections.map(\.count)), at: 0)
                let layout = try MapEntry.write(sections, header: header, to: path, source: "x")
                let (opened, got, _) = try MapEntry.open(path: path, name: name, partitions: 2, source: "x")
                #expect(opened == layout)
                #expect(got == metadata, "metadata of \(metadataLength) bytes, rows of \(rows)")
                let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
                // A flipped byte in the metadata's last byte, then in the trailer's block count.
                for (at, expected) in [(layout.offset(0) + 8 * MapEntryLayout.blocks(metadataLength) + metadataLength - 1,
                                        "corrupted (checksum of a block differs)"),
                                       (layout.size - 12, "corrupted (its trailer differs)")] {
                    var bytes = good
                    bytes[at] ^= 0x01
                    try Data(bytes).write(to: URL(fileURLWithPath: path))
                    do {
                        _ = try MapEntry.open(path: path, name: name, partitions: 2, source: "x")
                        Issue.record("a flipped byte at \(at) was not seen (metadata \(metadataLength), rows \(rows))")
                    } catch let error as PWSError {
                        #expect(error.message == "entry \(path) is \(expected)")
                    }
                }
            }
        }
    }

    /// The visits a table records are checksummed but crafted bytes can still say anything:
    /// days past a 32-bit day count are clamped, not trapped on; visits that contradict each
    /// other (the latest on or before today after the earliest after it) hold for no today, so
    /// the file is read; a table that ends inside them does not decode. Rewriting an E-FUTURE
    /// message between such days does not trap either.
    @Test func craftedComparedVisitsAreClampedAndHoldForNoToday() throws {
        let tmp = try TemporaryFolder()
        let path = tmp.url.path + "/entry.pws"
        let name = String(repeating: "ab", count: 32)
        let header = ShardHeader(kind: MapCache.entryKind, task: 0, key: MapEntryTests.key)
        let sections: [[UInt8]] = [[1, 2, 3], [], [], [], []]
        func table(_ tail: (inout ShardEncoder) -> Void) -> [UInt8] {
            var e = ShardEncoder()
            e.string(name)
            e.uint(2)
            for l in sections.map(\.count) { e.uint(UInt64(l)) }
            tail(&e)
            return e.bytes
        }
        // Latest 2^62 days, earliest after -2^62 days, today Int.min.
        try MapEntry.write([table { e in
            e.bool(true)
            e.bool(true); e.int(1 << 62)
            e.bool(true); e.int(-(1 << 62))
            e.int(Int.min)
        }] + sections, header: header, to: path, source: "x")
        let (_, _, compared) = try MapEntry.open(path: path, name: name, partitions: 2, source: "x")
        let visits = try #require(compared)
        #expect(visits.latest == Day(raw: .max))
        #expect(visits.earliestAfter == Day(raw: .min))
        #expect(visits.today == Day(raw: .min))
        for today in [Day(raw: .min), Day(year: 2026, month: 1, day: 10)!, Day(raw: .max)] {
            #expect(!visits.holds(for: today))
        }
        let message = Validation.futureMessage(visit: Day(raw: .max), today: Day(raw: .min))
        #expect(Validation.futureMessage(message, from: Day(raw: .min), to: Day(raw: .max))
                    == Validation.futureMessage(visit: Day(raw: .max), today: Day(raw: .max)))
        // Cut inside the visits: refused as a table that does not decode.
        try MapEntry.write([table { e in
            e.bool(true)
            e.bool(true)
        }] + sections, header: header, to: path, source: "x")
        do {
            _ = try MapEntry.open(path: path, name: name, partitions: 2, source: "x")
            Issue.record("a table cut inside its visits was opened")
        } catch let error as PWSError {
            #expect(error.code == .data)
        }
    }

    /// An entry's table and a manifest are checksummed, not trusted: lengths crafted to overflow
    /// the layout's sums (2^62, Int.max) are refused as corrupted, never a trap; so is a
    /// manifest naming a file that is not an entry.
    @Test func craftedLengthsAreRefusedNotTrapped() throws {
        let tmp = try TemporaryFolder()
        let path = tmp.url.path + "/entry.pws"
        let name = String(repeating: "ab", count: 32)
        // A table claiming part_0 is 2^62 bytes long, written with valid checksums.
        let sections: [[UInt8]] = [MapEntryLayout.table(name: name, lengths: [3, 1 << 62, 0, 0, 0]), [1, 2, 3], [], [], [], []]
        try MapEntry.write(sections, header: ShardHeader(kind: MapCache.entryKind, task: 0, key: MapEntryTests.key), to: path,
                           source: "x")
        do {
            _ = try MapEntry.open(path: path, name: name, partitions: 2, source: "x")
            Issue.record("an entry with a crafted table was opened")
        } catch let error as PWSError {
            #expect(error.code == .data)
            #expect(error.message == "entry \(path) is corrupted (its table gives section lengths no entry can have)")
        }
        #expect(MapEntryLayout.size(dataStart: 100, lengths: [Int.max]) == nil)
        #expect(MapEntryLayout.size(dataStart: Int.max - 20, lengths: [1]) == nil)  // + 9 fits, + the 20-byte trailer does not
        #expect(MapEntryLayout.size(dataStart: 100, lengths: [3, 0, 5]) == 100 + 11 + 0 + 13 + 20)

        // A manifest (valid checksums) whose entry claims a section of Int.max bytes.
        let run = MergeReduceTests.run(tmp.url.path)
        let key = ShardFileTests.key
        let entry = tmp.url.path + "/out/.cache/map/entries/" + String(repeating: "0f", count: 32) + ".pws"
        func manifest(lengths: [Int], size: Int, path: String = entry) throws {
            var e = ShardEncoder()
            e.uint(0)
            e.uint(1)
            e.string(path)
            e.string("layanan/x.csv")
            e.string(String(repeating: "0", count: 64))
            for v in [size, 120, 80] { e.uint(UInt64(v)) }
            e.uint(UInt64(lengths.count))
            for v in lengths { e.uint(UInt64(v)) }
            try FileManager.default.createDirectory(atPath: run.folder + "/map", withIntermediateDirectories: true)
            try ShardFile.write(ShardHeader(kind: "map-manifest", task: 0, key: key), payload: e.bytes, to: run.manifestPath(0))
        }
        let fits = [3, 0, 5, 0, 0, 0, 0]  // P = 3: metadata, then part/ids of 3 partitions
        // 120 + (80 + 8) + (3 + 8) + 0 + (5 + 8) + 0 + 0 + 0 + 0 + 20 = 252
        try manifest(lengths: fits, size: 252)
        #expect(try run.readManifest(0, key: key)?.layouts.first?.size == 252)
        // dedup and reduce rewrite, and on failure remove, the file a manifest names: only a
        // cache entry or the map task's own entry file may be named.
        let victim = tmp.url.path + "/victim.txt"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: victim))
        try manifest(lengths: fits, size: 252, path: run.folder + "/map/entry-0-0.pws")
        #expect(try run.readManifest(0, key: key)?.layouts.first?.size == 252)
        let refused: [([Int], Int, String)] = [
            (fits, 253, entry), ([3, Int.max, 0, 0, 0, 0, 0], 252, entry), ([3, 1 << 60, 0, 0, 0, 0, 0], 252, entry),
            (fits, 252, victim), (fits, 252, run.folder + "/map/entry-0-1.pws"),
            (fits, 252, tmp.url.path + "/out/.cache/map/entries/../../../victim.txt"),
            (fits, 252, tmp.url.path + "/out/.cache/map/entries/" + String(repeating: "0F", count: 32) + ".pws"),
        ]
        for (lengths, size, path) in refused {
            try manifest(lengths: lengths, size: size, path: path)
            do {
                _ = try run.readManifest(0, key: key)
                Issue.record("a manifest with lengths \(lengths), size \(size) and path \(path) was read")
            } catch let error as PWSError {
                #expect(error.code == .data)
                #expect(error.message.contains("manifest-0.pws"), "\(error.message)")
            }
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
    }

    /// A warm staged map task with nothing new writes its manifest, its files' digests and its
    /// summary only: no partition files; the manifest names the cache entries of its files in
    /// read order.
    /// A dedup task that finds an entry gone (pruned, removed by hand) rebuilds it.
    @Test func warmMapWritesAManifestNotRows() throws {
        let tmp = try TemporaryFolder()
        let data = try MapCacheTests.makeData(tmp)
        let out = tmp.url.path + "/out"
        let expected = try MapCacheTests.reference(data: data, out: tmp.url.path + "/reference")
        _ = try StagedMapCacheTests.staged(data: data, out: out, shared: tmp.url.path + "/shared-1")
        let shared = tmp.url.path + "/shared-2"
        let warm = try StagedMapCacheTests.staged(data: data, out: out, shared: shared)
        #expect(MapCacheTests.counts(warm.merge)?.cached == 5)
        #expect(ShardedRunTests.snapshot(out) == expected)
        #expect(StagedMapCacheTests.listing(shared + "/pws/map") == [
            "cache-0.pws", "cache-1.pws", "digests-0.pws", "digests-1.pws", "manifest-0.pws", "manifest-1.pws",
            "summary-0.pws", "summary-1.pws",
        ])
        var run = ShardedRun(runner: PipelineRunner(request: MapCacheTests.request(data: data, out: out),
                                                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }),
                             shared: shared)
        run.useMapCache(out: out)
        let key = try run.expectedKey(pipeline: try run.runner.loadPipeline(indicators: false))
        // Files in read order 2025-01_f00 … 2025-05_f04: task 0 has 0..<2, task 1 2..<5.
        let first = try #require(try run.readManifest(0, key: key))
        let second = try #require(try run.readManifest(1, key: key))
        #expect(first.offset == 0 && second.offset == 2)
        #expect((first.layouts + second.layouts).map(\.source) == [
            "layanan/2025-01_f00.csv", "layanan/2025-02_f01.csv", "layanan/2025-03_f02.csv",
            "layanan/2025-04_f03.csv", "layanan/2025-05_f04.csv",
        ])
        let entries = Set(MapCacheTests.entries(out).map { ShardedRun.absolute(out) + "/.cache/map/entries/" + $0 })
        #expect(Set((first.layouts + second.layouts).map(\.path)) == entries)
        #expect((first.layouts + second.layouts).allSatisfy { $0.partitions == 3 })

        // The manifest holds the sha256 of each file's bytes the map used: each entry's name
        // is that of its key with it (a file's first entry: keyed without today).
        for (layout, sha256) in zip(first.layouts + second.layouts, first.hashes + second.hashes) {
            let name = MapCache.entryName(MapCache.entryKey(run: key, path: layout.source, sha256: sha256,
                                                            todaySpecific: false))
            #expect(layout.path.hasSuffix("/entries/\(name).pws"), "\(layout.source)")
        }

        // An entry gone since the map (pruned, removed by hand): the dedup task that meets it
        // reads the file again and puts the entry back as it was.
        let gone = second.layouts[0].path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: gone))
        try FileManager.default.removeItem(atPath: gone)
        let dedup = try run.dedup(task: 0, tasks: 3)
        #expect(dedup.lines.first == "map cache: the entry of layanan/2025-03_f02.csv cannot be used (entry \(gone) is missing); dedup task 0 read the file again and rebuilt its entry")
        #expect(try Data(contentsOf: URL(fileURLWithPath: gone)) == bytes)
    }

    /// A FIFO where an entry or an intermediate file should be is refused at once, not waited
    /// on (an open for reading blocks until a writer comes).
    @Test func aFIFOIsRefusedNotWaitedOn() throws {
        let tmp = try TemporaryFolder()
        let path = tmp.url.path + "/entry.pws"
        #expect(mkfifo(path, 0o644) == 0)
        let messages = Locked<[String]>([])
        let done = DispatchSemaphore(value: 0)
        Thread {
            func message(_ body: () throws -> Void) -> String {
                do { try body() } catch { return (error as? PWSError)?.message ?? "\(error)" }
                return "opened"
            }
            let layout = MapEntryLayout(path: path, source: "x", size: 0, dataStart: 0, tableLength: 0, lengths: [0])
            let found = [
                message { _ = try MapEntry.open(path: path, name: "x", partitions: 2, source: "x") },
                message { _ = try MapEntry.read(layout, section: 0) },
                message { _ = try ShardFileReader(path: path, kind: "map-summary", expected: nil) },
            ]
            messages.withLock { $0 = found }
            done.signal()
        }.start()
        if done.wait(timeout: .now() + 20) == .timedOut {
            Issue.record("opening a FIFO blocked")
            for _ in 0..<3 { let fd = open(path, O_WRONLY | O_NONBLOCK); if fd >= 0 { close(fd) } }
            return
        }
        #expect(messages.withLock { $0 } == [
            "entry \(path) is not a plain file", "entry \(path) is not a plain file",
            "intermediate file \(path) is not a plain file (a FIFO, device or folder); remove it and rerun the stage that writes it",
        ])
    }
}
