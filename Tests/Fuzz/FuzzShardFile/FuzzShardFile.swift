// libFuzzer target: the intermediate files of the sharded run (docs/scale.md, "Intermediate
// format"): `ShardFile.read`, which reads and checks a whole file (magic, version, header,
// every block's crc32, the trailer), and the record decoders of a map partition
// (`ShardRow.decode`, `ShardContent`), a record-id partition (`ShardIDEntry.decode`) and a map
// task's file digests (`ShardedRun.decodeDigests`). Built
// and run by scripts/fuzz.sh (docs/fuzzing.md); libFuzzer supplies `main`. The types are
// internal to Pipeline, hence `@testable import` (the fuzz build is a debug build, which SwiftPM
// compiles with testing enabled).
//
// An input that starts with `PWSSHARD` is a file as is: `ShardFile.read` may refuse it, but only
// with `PWSError(.data)` (it exists, so never `.inputMissing`). Any other input is a payload:
// written with `ShardFile.write` it must read back unchanged. Either way the payload is then
// decoded as both record streams and as digests, which may stop at a `PWSError(.data)` but must
// not trap.
import Foundation
import PWSCore
@testable import Pipeline

let folder: String = {
    let folder = NSTemporaryDirectory() + "/pws-fuzz-shard-\(getpid())"
    do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
        fatalError("cannot make the fuzz folder \(folder): \(error)")
    }
    return folder
}()

let header = ShardHeader(kind: "map-partition", task: 0, key: ShardRunKey(
    pipeline: "p", services: "s", indicators: "i", register: "r", sasaran: "", files: "f", today: "2026-01-15",
    asOf: nil, keepIdentifiers: false, skipUnreadable: false, mapTasks: 1, partitions: 1, dataDirectory: "/data"))

/// Runs `body`; a refusal must be `PWSError(.data)`.
func refusedAsData(_ what: String, _ body: () throws -> Void) {
    do { try body() } catch let error as PWSError {
        guard error.code == .data else { fatalError("\(what): refused with \(error.code), not .data: \(error)") }
    } catch {
        fatalError("\(what): refused with an error that is not a PWSError: \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShardFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let path = folder + "/part-0-0.pws"
    var payload: [UInt8] = []
    if bytes.starts(with: ShardFile.magic) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { fatalError("cannot write \(path)") }
        var read = false
        refusedAsData("ShardFile.read") {
            (_, payload) = try ShardFile.read(path, kind: "map-partition", expected: nil)
            read = true
        }
        if !read { return 0 }
    } else {
        do {
            try ShardFile.write(header, payload: bytes, to: path)
            let (again, back) = try ShardFile.read(path, kind: "map-partition", expected: header.key)
            guard again == header, back == bytes else { fatalError("a written file read back differently") }
        } catch {
            fatalError("a written file could not be read back: \(error)")
        }
        payload = bytes
    }
    refusedAsData("ShardRow.decode") {
        var d = ShardDecoder(payload, path: path)
        var label = ""
        while !d.atEnd {
            let row = try ShardRow.decode(&d, previous: &label)
            _ = try ShardContent(row.content, path: path)
        }
    }
    refusedAsData("ShardIDEntry.decode") {
        var d = ShardDecoder(payload, path: path)
        var label = ""
        while !d.atEnd { _ = try ShardIDEntry.decode(&d, previous: &label) }
    }
    refusedAsData("ShardedRun.decodeDigests") {
        // As many files as the payload's first byte says (the count a digests file must list).
        _ = try ShardedRun.decodeDigests(payload, path: path, count: Int(payload.first ?? 0))
    }
    return 0
}
