import Foundation
import CSV
import Ingest
import PWSCore
import PWSTestSupport
import Testing
@testable import Validate

/// The Validate stage's own data structures: they decide duplicates, so they must be exact.
@Suite struct ByteInternerTests {
    func intern(_ t: inout ByteInterner, _ s: String) -> (UInt32, Bool) {
        var copy = s
        let r = copy.withUTF8 { t.intern(UnsafeRawBufferPointer($0)) }
        return (r.index, r.isNew)
    }

    @Test func indicesAreDenseAndStableAcrossGrowth() {
        var t = ByteInterner(capacity: 4)  // 16 slots: grows many times below
        var expected: [String: UInt32] = [:]
        for i in 0..<5000 {
            let key = "id-\(i * 7919 % 5000)"
            let (index, isNew) = intern(&t, key)
            if let known = expected[key] {
                #expect(!isNew && index == known)
            } else {
                #expect(isNew && index == UInt32(expected.count))
                expected[key] = index
            }
        }
        // Every key again, after all the growth: same index, not new.
        for (key, index) in expected {
            let (again, isNew) = intern(&t, key)
            #expect(!isNew && again == index)
            var k = key
            #expect(k.withUTF8 { t.find(UnsafeRawBufferPointer($0)) } == index)
            #expect(t.arena[index] == key)
        }
        #expect(t.count == 5000)
    }

    @Test func keysDifferingOnlyInLengthOrLastByteAreDistinct() {
        var t = ByteInterner()
        // Prefixes of one another, and the empty key: the 8-byte word hashing must tell them apart.
        let keys = ["", "a", "aa", "aaaaaaa", "aaaaaaaa", "aaaaaaaaa", "aaaaaaab", "aaaaaaaa\0", "3201014506900001",
                    "3201014506900002"]
        for (i, k) in keys.enumerated() {
            #expect(intern(&t, k) == (UInt32(i), true))
        }
        for (i, k) in keys.enumerated() {
            #expect(intern(&t, k) == (UInt32(i), false))
        }
        var missing = "aaaa"
        #expect(missing.withUTF8 { t.find(UnsafeRawBufferPointer($0)) } == nil)
    }

    @Test func reserveKeepsWhatIsThere() {
        var t = ByteInterner(capacity: 4)
        _ = intern(&t, "x")
        _ = intern(&t, "y")
        t.reserve(100_000, bytes: 1 << 20)
        #expect(intern(&t, "y") == (1, false))
        #expect(intern(&t, "z") == (2, true))
    }

    /// An empty table is sized for the reservation at once (not doubled step by step), and it
    /// holds that many keys and more, each found again at its index.
    @Test func reserveOnAnEmptyTableHoldsAndFindsEveryKey() {
        var t = ByteInterner(capacity: 4)
        t.reserve(3_000, bytes: 1 << 16)
        for i in 0..<10_000 { #expect(intern(&t, "k\(i)") == (UInt32(i), true)) }
        for i in stride(from: 0, to: 10_000, by: 7) { #expect(intern(&t, "k\(i)") == (UInt32(i), false)) }
        var events = (0..<2_000).map { p in
            ServiceEvent(person: UInt32(p), record: 0, visit: Day(raw: 100), birth: Day(raw: 0), service: 1,
                         sex: .female, rt: 0, facility: 0, result: .nan, facilityType: .posyandu)
        }
        var keys = EventKeyTable(capacity: 16)
        keys.reserve(1_500)
        for i in events.indices { #expect(keys.insert(UInt32(i), in: events, invalidResultHash: [:], raw: 0) == nil) }
        events.append(events[1_234])
        #expect(keys.insert(UInt32(events.count - 1), in: events, invalidResultHash: [:], raw: 0) == 1_234)
    }
}

/// The slots under the interners and the W-DUPLICATE set: any size, probes starting at
/// `home` (multiply–shift) and wrapping at the end.
@Suite struct SlotTableTests {
    /// A table is sized for its keys at a load of 3/5, not rounded up to a power of two: the
    /// 3 M-row district's likely 3.8 M record ids take 6.3 M slots, not 8 M.
    @Test func aTableIsSizedForItsKeys() {
        #expect(SlotTable.size(for: 0) == 16)
        #expect(SlotTable.size(for: 3_000) == 5_005)
        #expect(SlotTable.size(for: 3_800_000) == 6_333_335)
        for keys in [1, 10, 999, 1_000, 12_345, 1 << 20] {
            let size = SlotTable.size(for: keys)
            #expect(keys * 5 <= size * 3 && size <= max(16, keys * 5 / 3 + 6), "\(keys) keys: \(size) slots")
        }
    }

    /// Every hash starts inside the table, the lowest at 0 and the highest at the last slot,
    /// spread evenly over it; the slot after the last is the first.
    @Test func homesCoverTheTableAndProbesWrap() {
        let table = SlotTable(count: 1_000)
        #expect(table.home(0) == 0)
        #expect(table.home(0xFFFF_FFFF) == 999)
        #expect(table.home(0x8000_0000) == 500)
        #expect(table.home(1 << 40 | 0x8000_0000) == 500)  // bits above the low 32 are ignored
        #expect(table.next(998) == 999 && table.next(999) == 0)
        var hits = [Int](repeating: 0, count: 10)
        var h: UInt64 = 12_345
        for _ in 0..<100_000 {
            h = (h &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407)
            let i = table.home(h >> 32)
            #expect(i >= 0 && i < 1_000)
            hits[i / 100] += 1
        }
        // 10 000 expected per tenth of the table.
        #expect(hits.allSatisfy { (9_000...11_000).contains($0) }, "\(hits)")
    }

    /// Keys placed from their home (some wrapping past the end) are all found again in the
    /// table twice the size, each from its new home.
    /// Also for a table large enough to be mapped (≥ 2 MiB: 300 001 slots) and its double.
    @Test(arguments: [1_001, 300_001])
    func aDoubledTableKeepsEveryKeyReachable(count: Int) {
        let table = SlotTable(count: count)
        var placed: [UInt64] = []
        // Hashes crowding the last slots, so probes wrap to the start, and others spread out.
        let hashes = (0..<40).map { 0xFFFF_FFFF - UInt64($0) } + (0..<560).map { UInt64($0) &* 7_654_321 & 0xFFFF_FFFF }
        for (n, h) in hashes.enumerated() {
            var i = table.home(h)
            while table[i] != 0 { i = table.next(i) }
            table[i] = h << 32 | UInt64(n + 1)
            placed.append(table[i])
        }
        #expect(table[0] != 0, "a probe from the last slot wrapped to slot 0")
        let bigger = table.doubled()
        #expect(bigger.count == 2 * count)
        for s in placed {
            var i = bigger.home(s >> 32)
            while bigger[i] != s && bigger[i] != 0 { i = bigger.next(i) }
            #expect(bigger[i] == s)
        }
        #expect((0..<bigger.count).filter { bigger[$0] != 0 }.count == placed.count)
    }

    /// A large table is mapped (fresh pages, no memset) at a huge-page boundary and faulted in
    /// in the background while in use: every slot reads 0 at first — also when the table
    /// before it, written all over, was just freed — and what is written stays written while
    /// the pages come in.
    @Test func aLargeTableStartsEmptyAndKeepsItsWrites() {
        let count = (8 << 20) / 8 + 3  // just over 8 MiB
        do {
            let used = SlotTable(count: count)
            for i in 0..<count { used[i] = UInt64(i) | 1 << 63 }
        }
        let table = SlotTable(count: count)
        #expect(Int(bitPattern: UnsafeRawPointer(table.base)) % (2 << 20) == 0)
        // Written from the first instant, from both ends, while the populate runs.
        for i in stride(from: 0, to: count, by: 97) { table[i] = UInt64(i) + 1 }
        for i in stride(from: count - 1, to: 0, by: -89) where table[i] == 0 { table[i] = UInt64(i) + 1 }
        var wrong = 0
        for i in 0..<count {
            let expected: UInt64 = i % 97 == 0 || (count - 1 - i) % 89 == 0 && i > 0 ? UInt64(i) + 1 : 0
            if table[i] != expected { wrong += 1 }
        }
        #expect(wrong == 0)
    }

    /// The background fault-in goes slice by slice (so other threads' `mmap` get the lock in
    /// between) and still brings in every page, the last partial slice too; an address the
    /// kernel refuses ends it without harm.
    @Test func populateInSlicesFaultsInEveryPage() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let bytes = 5 * (1 << 20) + 3 * page + 5  // two full 2 MiB slices, then a partial one
        let pages = (bytes + page - 1) / page
        let start = try #require(mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        try #require(start != MAP_FAILED)
        defer { munmap(start, bytes) }
        var resident = [UInt8](repeating: 0, count: pages)
        func residentPages() -> Int {
            _ = mincore(start, bytes, &resident)
            return resident.filter { $0 & 1 != 0 }.count
        }
        #expect(residentPages() == 0)
        SlotTable.populate(start + 1, bytes - 1, slice: 2 << 20)  // not page-aligned: EINVAL, nothing done
        #expect(residentPages() == 0)
        SlotTable.populate(start, bytes, slice: 2 << 20)
        #expect(residentPages() == pages)
        #expect(start.load(fromByteOffset: bytes - 1, as: UInt8.self) == 0)
    }
}

/// The combo caches' short copy.
@Suite struct ShortCopyTests {
    @Test func shortCopyCopiesEveryLengthExactly() {
        let source: [UInt8] = (0..<40).map { UInt8($0 + 1) }
        for n in 1...40 {
            var target = [UInt8](repeating: 0, count: 48)
            source.withUnsafeBytes { src in
                target.withUnsafeMutableBufferPointer { dst in
                    FieldComboCache<Int>.copyShort(src.baseAddress!, to: dst.baseAddress! + 3, count: n)
                }
            }
            // Bytes 3..<3+n hold 1...n; nothing before or after was written.
            #expect(Array(target[3..<(3 + n)]) == Array(source[0..<n]))
            #expect(target[0..<3].allSatisfy { $0 == 0 } && target[(3 + n)...].allSatisfy { $0 == 0 })
        }
    }
}

@Suite struct EventKeyTableTests {
    func event(person: UInt32, day: Int32, service: UInt16 = 1, facility: UInt32 = 0, result: Float = .nan) -> ServiceEvent {
        ServiceEvent(person: person, record: 0, visit: Day(raw: day), birth: Day(raw: 0), service: service,
                     sex: .female, rt: 0, facility: facility, result: result, facilityType: .posyandu)
    }

    @Test func sameKeyIsFoundAndOtherKeysAreNot() {
        var table = EventKeyTable()
        var events: [ServiceEvent] = []
        var invalid: [UInt32: Int] = [:]
        func insert(_ e: ServiceEvent, raw: Int? = nil) -> UInt32? {
            events.append(e)
            let i = UInt32(events.count - 1)
            if let raw { invalid[i] = raw }
            return table.insert(i, in: events, invalidResultHash: invalid, raw: raw ?? 0)
        }
        // 200 000 distinct keys: the table grows from its first size several times.
        for p in 0..<200_000 {
            #expect(insert(event(person: UInt32(p), day: 100)) == nil)
        }
        #expect(insert(event(person: 123, day: 100)) == 123)               // same key
        #expect(insert(event(person: 123, day: 101)) == nil)               // another day
        #expect(insert(event(person: 123, day: 100, service: 2)) == nil)   // another service
        #expect(insert(event(person: 123, day: 100, facility: 1)) == nil)  // another facility
        #expect(insert(event(person: 5, day: 7, result: 60)) == nil)
        #expect(insert(event(person: 5, day: 7, result: 60)) == 200_004)
        #expect(insert(event(person: 5, day: 7, result: 61)) == nil)
        // Unparsable results compare by their raw text.
        let first = UInt32(events.count)
        #expect(insert(event(person: 9, day: 9), raw: 42) == nil)
        #expect(insert(event(person: 9, day: 9), raw: 43) == nil)
        #expect(insert(event(person: 9, day: 9), raw: 42) == first)
        #expect(insert(event(person: 9, day: 9)) == nil)  // no result at all is another key
    }

    /// The checker's hash (from the ids' byte hashes, before interning) decides like the
    /// default one: equal keys meet, keys differing in any field do not.
    @Test func hashFromIDHashesFindsTheSameKeys() {
        var table = EventKeyTable(capacity: 16)
        var events: [ServiceEvent] = []
        // Person p's id hash and facility f's, as the checker has them (any injective choice).
        func personHash(_ p: UInt32) -> UInt64 { UInt64(p) &* 0x9E37_79B9_7F4A_7C15 ^ 0xABCD }
        func insert(_ e: ServiceEvent) -> UInt32? {
            events.append(e)
            let h = EventKeyTable.hash(e, personHash: personHash(e.person),
                                       facilityHash: e.facility == 0 ? 0 : UInt64(e.facility) << 40, raw: 0)
            return table.insert(UInt32(events.count - 1), in: events, invalidResultHash: [:], raw: 0, hash: h)
        }
        for p in 0..<50_000 { #expect(insert(event(person: UInt32(p), day: 3)) == nil) }  // grows from its first size
        #expect(insert(event(person: 77, day: 3)) == 77)
        #expect(insert(event(person: 77, day: 4)) == nil)
        #expect(insert(event(person: 77, day: 3, facility: 2)) == nil)
        #expect(insert(event(person: 77, day: 3, facility: 2)) == 50_002)
        #expect(insert(event(person: 77, day: 3, service: 5)) == nil)
        #expect(insert(event(person: 78, day: 3, result: 1)) == nil)
        #expect(insert(event(person: 78, day: 3, result: 1)) == 50_005)
    }
}

@Suite struct ChunkedReadingTests {
    static let header = "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code,result"

    /// A file longer than one chunk: duplicates and reused ids across the chunk boundary, and
    /// rejects on both sides of it, are found exactly as within a chunk.
    @Test func rulesHoldAcrossChunkBoundaries() throws {
        let n = RowChunk.rowsPerChunk * 2 + 10
        var rows = PropertyTests.validRows(n)
        // Row n-1 repeats row 0's content under another id (W-DUPLICATE, second chunk → first).
        let parts = rows[0].split(separator: ",", omittingEmptySubsequences: false)
        rows[n - 1] = "dupe," + parts.dropFirst().joined(separator: ",")
        // Row 4100 (second chunk) reuses id0 with other content (E-DUPLICATE-ID).
        rows[4100] = rows[4100].replacingOccurrences(of: "id4100,", with: "id0,")
        // A bad date on the last row of the first chunk and on the first of the second.
        let last = RowChunk.rowsPerChunk - 1
        rows[last] = rows[last].replacingOccurrences(of: "05/06/1990", with: "31/02/1990")
        rows[last + 1] = rows[last + 1].replacingOccurrences(of: "05/06/1990", with: "31/02/1990")
        let folder = try DataFolder(layanan: ["layanan.csv": ([ChunkedReadingTests.header] + rows).joined(separator: "\n") + "\n"])
        defer { folder.remove() }
        let o = try Validation.run(dataDirectory: folder.path, settings: DataFolder.settings())

        // Data row k is on line k + 2.
        #expect(o.rejects.map { "\($0.location.line):\($0.rule.rawValue)" } ==
            ["\(last + 2):E-DATE", "\(last + 3):E-DATE", "4102:E-DUPLICATE-ID"])
        let dupes = o.warnings.filter { $0.rule == .duplicate }
        #expect(dupes.map(\.location.line) == [n + 1])
        #expect(dupes.first?.message.contains("layanan.csv:2") == true)
        #expect(o.total.rowsRead == n && o.total.rowsRejected == 3 && o.total.rowsDuplicate == 1)
        #expect(o.total.rowsUsed == n - 4 && o.total.balances)
        #expect(o.events.events.count == n - 4)
        // Events keep their source line, in read order.
        #expect(Array(o.eventLines.prefix(3)) == [2, 3, 4])
    }

    @Test func manySmallFilesArriveInFileOrderEachWithItsSummaryOnItsLastChunk() throws {
        // 70 files of 3 rows: chunks are handed over in batches (≥ 1 024 rows or 64 chunks), so
        // one batch holds 64 files and the next the other 6; the consumer must see every file
        // whole and in order, whatever the batching.
        let text = "\(ChunkedReadingTests.header)\n" + PropertyTests.validRows(3).joined(separator: "\n") + "\n"
        var files: [String: String] = [:]
        for k in 0..<70 { files["layanan/f\(k + 100).csv"] = text }
        let folder = try DataFolder(layanan: files)
        defer { folder.remove() }
        let listing = InputFiles.serviceFiles(in: folder.path)
        #expect(listing.files.count == 70)
        #expect(listing.sizes == Array(repeating: text.utf8.count, count: 70))
        var reader = RowChunkReader(directory: folder.path, sources: listing.files,
                                    names: try TableColumnNames(schema: .layanan), options: CSVReadOptions())
        reader.sizes = listing.sizes
        var seen: [String] = []
        try reader.run { chunk in seen.append("\(chunk.source):\(chunk.count):\(chunk.summary?.rowsRead ?? -1)") }
        #expect(seen == (0..<70).map { "layanan/f\($0 + 100).csv:3:3" })
    }

    @Test func unhashedFilesCloseABatchSoTheirBytesWaitingStaySmall() throws {
        // 20 files of 3 rows and ~100 KB each (a long comment column the schema ignores): by
        // rows, one batch would hold all 20; with their digests deferred to the checking thread,
        // a batch closes once it holds 256 KB of unhashed bytes, i.e. every third file.
        let rows = PropertyTests.validRows(3).map { $0 + "," + String(repeating: "x", count: 33_000) }
        let text = "\(ChunkedReadingTests.header),catatan\n" + rows.joined(separator: "\n") + "\n"
        var files: [String: String] = [:]
        for k in 0..<20 { files["layanan/f\(k + 100).csv"] = text }
        let folder = try DataFolder(layanan: files)
        defer { folder.remove() }
        let listing = InputFiles.serviceFiles(in: folder.path)
        var options = CSVReadOptions()
        options.hashesContent = true
        options.defersSingleBlockDigest = true
        var reader = RowChunkReader(directory: folder.path, sources: listing.files,
                                    names: try TableColumnNames(schema: .layanan), options: options)
        reader.sizes = listing.sizes
        var batches: [[Int]] = []
        reader.read { item in
            if case .chunks(let chunks) = item { batches.append(chunks.map { $0.summary?.unhashedContent?.count ?? 0 }) }
        }
        let size = text.utf8.count
        #expect(size > 99_000 && size < 128 << 10)
        #expect(batches.map(\.count) == [3, 3, 3, 3, 3, 3, 2])
        #expect(batches.joined().allSatisfy { $0 == size })
        // Each file's deferred digest is the file's SHA-256, as the reader would have hashed it.
        var plain = CSVReadOptions()
        plain.hashesContent = true
        let direct = try CSVReader(path: folder.path + "/" + listing.files[0], source: "f", options: plain)
        try direct.read { _ in }
        var first: ContentDigest?
        try reader.run { chunk in if first == nil { first = chunk.summary?.contentDigest } }
        #expect(first != nil && first == direct.contentDigest)
    }

    @Test func listingIsInByteOrderOfPathsWithEachSize() throws {
        // Byte order: "B" (0x42) < "a-" (0x2D) < "a." (0x2E) < "ab"; a prefix sorts first.
        let folder = try DataFolder(layanan: ["layanan/a.csv": "1234", "layanan/ab.csv": "1", "layanan/B.csv": "12",
                                              "layanan/a-b.csv": "123", "layanan/a.csv.csv": "12345", "layanan.csv": ""])
        defer { folder.remove() }
        let listing = InputFiles.serviceFiles(in: folder.path)
        #expect(listing.files == ["layanan.csv", "layanan/B.csv", "layanan/a-b.csv", "layanan/a.csv",
                                  "layanan/a.csv.csv", "layanan/ab.csv"])
        #expect(listing.sizes == [0, 2, 3, 4, 5, 1])
        #expect(listing.unreadable.isEmpty)
    }

    @Test func anUnreadableFileStopsReadingAfterTheFilesBeforeIt() throws {
        let folder = try DataFolder(layanan: [
            "layanan/a.csv": "\(ChunkedReadingTests.header)\n" + PropertyTests.validRows(3).joined(separator: "\n") + "\n",
        ])
        defer { folder.remove() }
        let reader = RowChunkReader(directory: folder.path, sources: ["layanan/a.csv", "layanan/gone.csv", "layanan/a.csv"],
                                    names: try TableColumnNames(schema: .layanan), options: CSVReadOptions())
        var seen: [String] = []
        #expect(throws: PWSError.self) {
            try reader.run { chunk in seen.append("\(chunk.source):\(chunk.count):\(chunk.summary?.rowsRead ?? -1)") }
        }
        // a.csv was consumed whole (3 rows, its summary on its last chunk); nothing after gone.csv.
        #expect(seen == ["layanan/a.csv:3:3"])
    }
}

/// The spelling-combination caches: a hit must decide exactly what the full checks would.
@Suite struct FieldComboCacheTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func key(_ a: String, _ b: String, _ c: String, _ scratch: inout ByteScratch) -> [UInt8]? {
        let (x, y, z) = (bytes(a), bytes(b), bytes(c))
        return x.withUnsafeBytes { xa in
            y.withUnsafeBytes { ya in
                z.withUnsafeBytes { za in
                    FieldComboCache<Int>.key(xa, ya, za, into: &scratch) ? Array(scratch.bytes) : nil
                }
            }
        }
    }

    @Test func keysAreLengthPrefixedSoFieldBordersCannotMove() {
        var s = ByteScratch(capacity: 2)  // grows on the first key
        let k1 = key("ab", "c", "", &s), k2 = key("a", "bc", "", &s)
        #expect(k1 == [2, 0x61, 0x62, 1, 0x63, 0])
        #expect(k2 == [1, 0x61, 2, 0x62, 0x63, 0])
        // A field of 255 bytes or more is not cached at all.
        #expect(key(String(repeating: "x", count: 255), "1", "2", &s) == nil)
        #expect(key(String(repeating: "x", count: 254), "1", "2", &s)?.count == 259)
    }

    @Test func storesFirstValueAndFindsIt() {
        var s = ByteScratch()
        var cache = FieldComboCache<Int>(limit: 16)
        _ = key("3201010001", "001", "002", &s)
        #expect(cache.find(s) == nil)
        cache.store(7, s)
        cache.store(8, s)  // the first value stays
        _ = key("3201010001", "001", "001", &s)
        #expect(cache.find(s) == nil)
        _ = key("3201010001", "001", "002", &s)
        #expect(cache.find(s) == 7)
        #expect(cache.count == 1)
    }

    /// Rows that repeat an accepted row's spellings but break a rule the caches do not cover
    /// (eligibility, dates) are still rejected; an unregistered RT warns on every row; and a
    /// combination first seen in a rejected row is checked in full the next time.
    @Test func cachedRowsAreCheckedLikeTheFirst() throws {
        let header = "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code,result"
        let rows = [
            "r1,05/03/2025,3201014506900001,05/06/1990,P,3201010001,001,001,posyandu,ANC,",  // accepted
            "r2,05/03/2025,3201014506200002,05/06/2020,P,3201010001,001,001,posyandu,ANC,",  // age 4: E-ELIGIBILITY
            "r3,06/03/2025,3201010506900003,05/06/1990,L,3201010001,001,001,posyandu,ANC,",  // sex L: E-ELIGIBILITY
            "r4,07/03/2025,3201014506900001,05/06/1990,P,3201010001,001,009,posyandu,ANC,",  // RT 009: W-AREA
            "r5,08/03/2025,3201014506900001,05/06/1990,P,3201010001,001,009,posyandu,ANC,",  // RT 009 again: W-AREA
            "r6,32/03/2025,3201014506900001,05/06/1990,P,3201010002,001,001,pustu,TIMBANG,9",  // E-DATE
            "r7,09/03/2025,3201014506900001,05/06/1990,P,3201010002,001,001,pustu,TIMBANG,9",  // accepted
            "r8,10/03/2025,3201014506900001,05/06/1990,P,3201010002,001,001,pustu,TIMBANG,999",  // W-RESULT
        ]
        let folder = try DataFolder(layanan: ["layanan/a.csv": ([header] + rows).joined(separator: "\n") + "\n"])
        defer { folder.remove() }
        let o = try Validation.run(dataDirectory: folder.path, settings: DataFolder.settings())
        #expect(o.rejects.map { "\($0.location.line):\($0.rule.rawValue):\($0.field)" } ==
            ["3:E-ELIGIBILITY:service_code", "4:E-ELIGIBILITY:service_code", "7:E-DATE:visit_date"])
        #expect(o.warnings.map { "\($0.location.line):\($0.rule.rawValue)" } ==
            ["5:W-AREA", "6:W-AREA", "9:W-RESULT"])
        #expect(o.total.rowsAccepted == 5 && o.total.rowsRejected == 3)
        // r4 and r5 share the one unregistered RT added to the register.
        #expect(o.events.events[1].rt == o.events.events[2].rt)
        #expect(o.register.rts[Int(o.events.events[1].rt)].registered == false)
        #expect(o.events.events[3].service == 1 && o.events.events[3].facilityType == .pustu)
    }
}

/// The caches must change nothing: the same mixed file validated with them off and on gives
/// the same rejects, warnings, events and register.
@Suite struct CacheDifferentialTests {
    static let header = "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code,result"

    /// Rows that combine good, aliased, misspelt and empty values of every cached field, so
    /// each combination recurs (hits) and bad ones recur too (each must be reported again).
    static func rows(_ n: Int) -> [String] {
        var rng = SeededRandom(state: 7)
        let sexes = ["P", "p", "L", "Perempuan", "laki-laki", "wanita", "X", ""]
        let villages = ["3201010001", "3201010002", "3201019999", "abc", ""]
        let rws = ["001", "1", "RW 01", "", "RW"]
        let rts = ["001", "2", "RT 002", "009", "", "RT"]
        let facilities = ["posyandu", "Posyandu", "PUSTU", "rumah sakit", "gudang", ""]
        let services = ["ANC", "anc", "TIMBANG", "Timbang", "IMT", "TENSI", "XRAY", ""]
        let results = ["", "\"12,5\"", "999", "120/80", "abc", "23 kg/m2"]
        let persons = ["3201014506900001", "3201010506900003", "P-123", "3201014506200002", "1234", ""]
        let births = ["05/06/1990", "05/06/2020", "31/02/1990"]
        let visits = ["05/03/2025", "2025-04-01", "31/04/2025", "01/01/2030", "10/10/2025"]
        // The first value of each list is a good one, picked most often so that many rows are
        // accepted (and the caches fill); the others come up often enough to recur.
        func pick(_ list: [String]) -> String {
            Int.random(in: 0..<10, using: &rng) < 7 ? list[0] : list[Int.random(in: 0..<list.count, using: &rng)]
        }
        return (0..<n).map { i in
            let id = i % 37 == 5 ? "r\(i - 5)" : "r\(i)"  // some ids reused
            // Mostly distinct visit dates, so that rows are seldom duplicates of each other.
            let day = Day(raw: Day(year: 2025, month: 1, day: 1)!.raw + Int32(i % 300))
            let visit = Int.random(in: 0..<10, using: &rng) < 8 ? "\(day)" : pick(visits)
            return [id, visit, pick(persons), pick(births), pick(sexes), pick(villages), pick(rws), pick(rts),
                    pick(facilities), pick(services), pick(results)].joined(separator: ",")
        }
    }

    @Test func cachesOnAndOffGiveTheSameOutcome() throws {
        let text = ([Self.header] + Self.rows(3000)).joined(separator: "\n") + "\n"
        let folder = try DataFolder(layanan: ["layanan/a.csv": text, "layanan/b.csv": text])
        defer { folder.remove() }
        var settings = DataFolder.settings()
        settings.valueAliases = ["sex": ["wanita": "P"], "facility_type": ["rumah sakit": "rumah_sakit"]]
        var off = settings
        off.comboCacheLimit = 0
        let cached = try Validation.run(dataDirectory: folder.path, settings: settings)
        let plain = try Validation.run(dataDirectory: folder.path, settings: off)

        func lines(_ d: [Diagnostic]) -> [String] {
            d.map { "\($0.location)|\($0.recordID)|\($0.rule.rawValue)|\($0.field)|\($0.value)|\($0.message)" }
        }
        #expect(lines(cached.rejects) == lines(plain.rejects))
        #expect(lines(cached.warnings) == lines(plain.warnings))
        // Field by field (`==` would fail on the NaN of an absent result).
        #expect(cached.events.events.count == plain.events.events.count)
        #expect(zip(cached.events.events, plain.events.events).allSatisfy { $0.sameContent(as: $1) })
        #expect(cached.register.rts.map { "\($0.village)/\($0.rw)/\($0.rt)/\($0.registered)" } ==
            plain.register.rts.map { "\($0.village)/\($0.rw)/\($0.rt)/\($0.registered)" })
        #expect(cached.total.rowsRejected == plain.total.rowsRejected)
        #expect(cached.total.rowsUsed == plain.total.rowsUsed && cached.total.rowsDuplicate == plain.total.rowsDuplicate)
        // The mix exercises what it should: rows of every kind, and the aliases in use.
        let rules = Set(cached.rejects.map(\.rule))
        #expect(rules.isSuperset(of: [.required, .date, .future, .sex, .area, .facility, .service, .eligibility,
                                      .person, .duplicateID]))
        #expect(Set(cached.warnings.map(\.rule)).isSuperset(of: [.areaWarning, .result, .duplicate]))
        #expect(cached.events.events.contains { $0.facilityType == .rumahSakit })
        #expect(cached.total.rowsUsed > 100)
    }
}

/// The FHIR reader reads a valueQuantity against the unit of the service's result in the run's
/// catalogue (`ValidationSettings.fhirWithResultUnits`): grams become kilograms, pounds are
/// W-RESULT naming them.
@Suite struct FHIRResultUnitsTests {
    @Test func theCataloguesUnitReachesTheFHIRReader() throws {
        let folder = try DataFolder(layanan: [:])
        defer { folder.remove() }
        let area = #""address":[{"extension":[{"url":"https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode","extension":[{"url":"village","valueCode":"3201010001"},{"url":"rw","valueCode":"001"},{"url":"rt","valueCode":"001"}]}]}]"#
        func weight(_ id: String, _ quantity: String) -> String {
            #"{"resourceType":"Observation","id":"\#(id)","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"subject":{"reference":"Patient/b"},"effectiveDateTime":"2025-03-05","valueQuantity":\#(quantity)}"#
        }
        let lines = [#"{"resourceType":"Patient","id":"b","birthDate":"2025-01-10","gender":"female",\#(area)}"#,
                     weight("g", #"{"value":4100,"system":"http://unitsofmeasure.org","code":"g"}"#),
                     weight("lb", #"{"value":9.5,"unit":"[lb_av]"}"#)]
        try FileManager.default.createDirectory(atPath: folder.path + "/fhir", withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder.path + "/fhir/a.ndjson", atomically: true, encoding: .utf8)
        let o = try Validation.run(dataDirectory: folder.path, settings: DataFolder.settings())
        #expect(o.rejects.isEmpty)
        #expect(o.events.events.map(\.result).first == 4.1)
        #expect(o.warnings.map { "\($0.location.line) \($0.rule.rawValue) \($0.value)" } == ["3 W-RESULT 9.5 [lb_av]"])
    }
}
