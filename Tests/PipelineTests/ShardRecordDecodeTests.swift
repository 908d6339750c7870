import Foundation
@testable import Pipeline
import PWSCore
import Testing

/// The record decoders of the sharded run's intermediate files on payloads that pass the
/// checksums but hold what no writer writes (found by Tests/Fuzz/FuzzShardFile): a corrupted
/// file is refused with `.data`, never a trap.
@Suite struct ShardRecordDecodeTests {
    /// A row as the map writes it, to decode and to spoil.
    static func rowBytes() -> [UInt8] {
        var e = ShardEncoder()
        var previous = ""
        ShardRow(file: 3, ordinal: 41, label: "layanan/a.csv", line: 7, recordID: Array("R1".utf8)[...],
                 content: [1, 2, 3], rawResultHash: -5, pending: []).encode(&e, previous: &previous)
        return e.bytes
    }

    @Test func aRowReadsBack() throws {
        var d = ShardDecoder(Self.rowBytes(), path: "part-0-0.pws")
        var label = ""
        let row = try ShardRow.decode(&d, previous: &label)
        #expect(row.file == 3 && row.ordinal == 41 && row.line == 7 && row.label == "layanan/a.csv")
        #expect(Array(row.recordID) == Array("R1".utf8) && Array(row.content) == [1, 2, 3] && row.rawResultHash == -5)
        #expect(d.atEnd)
    }

    /// A row's content is decoded in place, as a part of its block: a record cut by the part's
    /// end is corruption even where the block goes on (the bytes after the part are never read),
    /// and the message counts from the part's start.
    @Test func aContentIsReadWithinItsPart() throws {
        // A varint whose continuation byte lies past the part: [0x80] of [0x05, 0x80, 0x01].
        let block: [UInt8] = [0x05, 0x80, 0x01]
        let error = #expect(throws: PWSError.self) { _ = try ShardContent(block[1..<2], path: "part-0-0.pws") }
        #expect(error?.code == .data)
        #expect(error?.message.contains("part-0-0.pws is corrupted (a record runs past byte 1 of 1)") == true)
        // Length-prefixed bytes as parts of the block, indexed as the block is.
        var d = ShardDecoder([9, 2, 7, 8, 1, 6][1...], path: "part-0-0.pws")
        let first = try d.rawSlice(), second = try d.rawSlice()
        #expect(first == [7, 8][...] && first.startIndex == 2)
        #expect(second == [6][...] && second.startIndex == 5 && d.atEnd)
        #expect(throws: PWSError.self) { _ = try d.rawSlice() }
    }

    /// FuzzShardFile's first find: a file index of 2^63 trapped in `Int(_:)`.
    @Test func anIndexOverIntMaxIsCorruptionNotATrap() {
        var e = ShardEncoder()
        e.uint(1 << 63)   // file
        let spoilt = e.bytes + Self.rowBytes().dropFirst()
        var d = ShardDecoder(spoilt, path: "part-0-0.pws")
        var label = ""
        #expect(throws: PWSError.self) { _ = try ShardRow.decode(&d, previous: &label) }
        do {
            var d = ShardDecoder(spoilt, path: "part-0-0.pws")
            _ = try ShardRow.decode(&d, previous: &label)
        } catch let error as PWSError {
            #expect(error.code == .data)
            #expect(error.message.contains("part-0-0.pws is corrupted"))
        } catch {
            Issue.record("not a PWSError: \(error)")
        }

        // A record-id entry: its line (after record id, file, ordinal and label) is UInt64.max.
        var id = ShardEncoder()
        id.raw(Array("R1".utf8))
        id.uint(0)
        id.uint(0)
        id.bool(true)
        id.string("layanan.csv")
        id.uint(UInt64.max)
        id.uint(0)
        id.raw([])
        id.int(0)
        var di = ShardDecoder(id.bytes, path: "ids-0-0.pws")
        var idLabel = ""
        #expect(throws: PWSError.self) { _ = try ShardIDEntry.decode(&di, previous: &idLabel) }
    }

    /// A record-id stream writes each label once per run of equal labels (format 4) and reads
    /// every entry's label back: a workbook's sheets change it within one file.
    @Test func recordIDLabelsAreWrittenOnceAndReadBack() throws {
        let labels = ["register.xlsx[Jan]", "register.xlsx[Jan]", "register.xlsx[Feb]", "register.xlsx[Feb]", "b.csv"]
        var e = ShardEncoder()
        var previous = ""
        for (n, label) in labels.enumerated() {
            ShardIDEntry(recordID: Array("R\(n)".utf8)[...], file: 4, ordinal: n, label: label, line: n + 2, partition: n % 3,
                         content: [UInt8(n)], rawResultHash: n == 1 ? -7 : 0, visit: Day(raw: Int32(20_000 + n)))
                .encode(&e, previous: &previous)
        }
        // Three label texts, not five.
        let text = String(decoding: e.bytes, as: UTF8.self)
        #expect(text.components(separatedBy: "register.xlsx[Jan]").count == 2)
        #expect(text.components(separatedBy: "register.xlsx[Feb]").count == 2)
        var d = ShardDecoder(e.bytes, path: "ids-0-0.pws")
        var label = ""
        var read: [ShardIDEntry] = []
        while !d.atEnd { read.append(try ShardIDEntry.decode(&d, previous: &label)) }
        #expect(read.map(\.label) == labels)
        #expect(read.map(\.ordinal) == [0, 1, 2, 3, 4])
        #expect(read.map(\.line) == [2, 3, 4, 5, 6])
        #expect(read.map(\.partition) == [0, 1, 2, 0, 1])
        #expect(read.map(\.rawResultHash) == [0, -7, 0, 0, 0])
        #expect(read.map(\.visit.raw) == [20_000, 20_001, 20_002, 20_003, 20_004])
        #expect(read.map { String(decoding: $0.recordID, as: UTF8.self) } == ["R0", "R1", "R2", "R3", "R4"])
    }

    /// Int.max itself still fits: the check refuses only what `Int` cannot hold.
    @Test func intMaxIsStillAnIndex() throws {
        var e = ShardEncoder()
        e.uint(UInt64(Int.max))
        var d = ShardDecoder(e.bytes, path: "x")
        #expect(try d.index() == Int.max)
    }
}
