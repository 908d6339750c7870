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
        ShardRow(file: 3, ordinal: 41, label: "layanan/a.csv", line: 7, recordID: Array("R1".utf8),
                 content: [1, 2, 3], rawResultHash: -5, pending: []).encode(&e, previous: &previous)
        return e.bytes
    }

    @Test func aRowReadsBack() throws {
        var d = ShardDecoder(Self.rowBytes(), path: "part-0-0.pws")
        var label = ""
        let row = try ShardRow.decode(&d, previous: &label)
        #expect(row.file == 3 && row.ordinal == 41 && row.line == 7 && row.label == "layanan/a.csv")
        #expect(row.recordID == Array("R1".utf8) && row.content == [1, 2, 3] && row.rawResultHash == -5)
        #expect(d.atEnd)
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
        id.string("layanan.csv")
        id.uint(UInt64.max)
        id.uint(0)
        id.raw([])
        id.int(0)
        var di = ShardDecoder(id.bytes, path: "ids-0-0.pws")
        #expect(throws: PWSError.self) { _ = try ShardIDEntry.decode(&di) }
    }

    /// Int.max itself still fits: the check refuses only what `Int` cannot hold.
    @Test func intMaxIsStillAnIndex() throws {
        var e = ShardEncoder()
        e.uint(UInt64(Int.max))
        var d = ShardDecoder(e.bytes, path: "x")
        #expect(try d.index() == Int.max)
    }
}
