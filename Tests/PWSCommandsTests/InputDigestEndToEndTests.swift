import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// run.json's input hashes (spec §7) come from the bytes the reader reads (each input is read
/// once, issue 21); whatever the path a file takes through the reader, the hash is the one
/// `sha256sum` gives, and so is the size.
@Suite struct InputDigestEndToEndTests {
    /// A data folder whose service files take every path through the reader: a small file read
    /// in one call, a file of three 1 MiB blocks, a Windows-1252 file longer than a block whose
    /// first non-ASCII text comes before its last block (the rest read ahead once more for the
    /// encoding), an empty file, a workbook (not read by the CSV reader: hashed on its own) and
    /// a FIFO (skipped, no hash).
    static func folder(_ tmp: TempFolder) throws -> String {
        let data = try HardeningTests.dataFolder(tmp, files: ["a.csv": HardeningTests.header + HardeningTests.goodRow])
        let layanan = data + "/layanan/"
        func row(_ id: String) -> [UInt8] {
            Array("\(id),2025-03-04,3201010304210001,2021-04-03,L,\(HardeningTests.area),posyandu,TIMBANG,12.5\n".utf8)
        }
        var big = Array(HardeningTests.header.utf8)
        var k = 0
        while big.count < 3 << 20 { big += row("B\(k)"); k += 1 }
        try Data(big).write(to: URL(fileURLWithPath: layanan + "big.csv"))
        // "Ré0" in UTF-8 first, then a lone 0xE9 ("é" in Windows-1252) 1.5 MiB further on.
        var cp1252 = Array(HardeningTests.header.utf8) + row("R\u{E9}0")
        k = 1
        while cp1252.count < 3 << 19 { cp1252 += row("C\(k)"); k += 1 }
        cp1252 += Array("C".utf8) + [0xE9] + row("x").dropFirst()
        try Data(cp1252).write(to: URL(fileURLWithPath: layanan + "cp1252.csv"))
        try Data().write(to: URL(fileURLWithPath: layanan + "empty.csv"))
        try FileManager.default.copyItem(atPath: XLSXInputEndToEndTests.fixtures + "/openpyxl-cells.xlsx",
                                         toPath: layanan + "book.xlsx")
        #expect(mkfifo(layanan + "fifo.csv", 0o644) == 0)
        return data
    }

    func checkInputs(_ runJSON: String, data: String) throws {
        let manifest = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: runJSON))) as? [String: Any])
        let inputs = try #require(manifest["inputs"] as? [[String: Any]])
        let paths = inputs.compactMap { $0["path"] as? String }
        #expect(paths == ["wilayah.csv", "layanan/a.csv", "layanan/big.csv", "layanan/book.xlsx",
                          "layanan/cp1252.csv", "layanan/empty.csv"])
        let sums = try RunEndToEndTests.sha256sum(paths.map { data + "/" + $0 })
        for entry in inputs {
            let path = try #require(entry["path"] as? String)
            let size = try FileManager.default.attributesOfItem(atPath: data + "/" + path)[.size] as? Int
            #expect(entry["sha256"] as? String == sums[data + "/" + path], "\(path): sha256")
            #expect(entry["bytes"] as? Int == size, "\(path): bytes")
        }
        let cp1252 = inputs.first { $0["path"] as? String == "layanan/cp1252.csv" }
        #expect(cp1252?["encoding"] as? String == "windows-1252")
        #expect((cp1252?["bytes"] as? Int ?? 0) > 1 << 20)
        let empty = inputs.first { $0["path"] as? String == "layanan/empty.csv" }
        #expect(empty?["sha256"] as? String == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let unreadable = manifest["unreadable_inputs"] as? [[String: String]]
        #expect(unreadable?.compactMap { $0["path"] } == ["layanan/fifo.csv"])
    }

    @Test func runAndValidateListTheSHA256OfEveryInputAsSha256sumGivesIt() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.folder(tmp)
        let out = tmp.path + "/out"
        let r = try PWSBinary.run(["run", "--data", data, "--out", out, "--today", "2026-01-15", "--skip-unreadable",
                                   "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        // The as-of month is the workbook's or the CSV files' latest: take the one published.
        let month = try #require(try FileManager.default.contentsOfDirectory(atPath: out)
            .first { $0.count == 7 && $0.hasPrefix("20") })
        try checkInputs(out + "/" + month + "/run.json", data: data)
        let dry = tmp.path + "/dry"
        let v = try PWSBinary.run(["validate", "--data", data, "--out", dry, "--today", "2026-01-15",
                                   "--skip-unreadable", "--quiet"])
        #expect(v.status == 0, "\(v.stderr)")
        try checkInputs(dry + "/run.json", data: data)
    }

    /// A staged run without the cache: the map tasks hash the files as they read them (every
    /// path through the reader, as above), so a file corrected between the map and the merge
    /// leaves run.json naming the bytes the numbers are of — the merge hashed the file as it
    /// was then, the corrected one, beside the old file's numbers.
    @Test func aStagedRunNamesTheBytesItsMapRead() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let data = try Self.folder(tmp)
        let shared = tmp.path + "/shared", out = tmp.path + "/out"
        let common = ["--data", data, "--shared", shared, "--today", "2026-01-15", "--skip-unreadable", "--quiet"]
        for task in 0..<2 {
            let r = try PWSBinary.run(["map", "--task", "\(task)", "--tasks", "2", "--partitions", "2"] + common)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: data + "/layanan/a.csv"))
        let sums = try RunEndToEndTests.sha256sum([data + "/layanan/a.csv"])
        for stage in ["dedup", "reduce"] {
            for task in 0..<2 {
                let r = try PWSBinary.run([stage, "--task", "\(task)", "--tasks", "2"] + common)
                #expect(r.status == 0, "\(r.stderr)")
            }
        }
        // Corrected before the merge: one more row.
        try (before + Data(HardeningTests.goodRow.replacingOccurrences(of: "R1,", with: "R9,").utf8))
            .write(to: URL(fileURLWithPath: data + "/layanan/a.csv"))
        let merge = try PWSBinary.run(["merge", "--out", out] + common)
        #expect(merge.status == 0, "\(merge.stderr)")
        let month = try #require(try FileManager.default.contentsOfDirectory(atPath: out)
            .first { $0.count == 7 && $0.hasPrefix("20") })
        let manifest = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: out + "/" + month + "/run.json"))) as? [String: Any])
        let a = (manifest["inputs"] as? [[String: Any]])?.first { $0["path"] as? String == "layanan/a.csv" }
        #expect(a?["sha256"] as? String == sums[data + "/layanan/a.csv"])
        #expect(a?["bytes"] as? Int == before.count)
        // The other files as sha256sum gives them (the merge read none of them).
        try (before).write(to: URL(fileURLWithPath: data + "/layanan/a.csv"))
        try checkInputs(out + "/" + month + "/run.json", data: data)
    }
}
