import Foundation
import PWSTestSupport
import PWSCore
import Testing
@testable import Validate

@Suite struct PropertyTests {
    static let header = "record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,service_code,result"

    /// `n` valid rows: weighing of women of the register, one per day.
    static func validRows(_ n: Int) -> [String] {
        (0..<n).map { i in
            let day = Day(raw: Day(year: 2025, month: 1, day: 1)!.raw + Int32(i % 300))
            let rt = i % 2 == 0 ? "1" : "2"
            return "id\(i),\(day),3201014506900\(String(format: "%03d", i % 997)),05/06/1990,P,3201010001,1,\(rt),posyandu,TIMBANG,\(50 + i % 20)"
        }
    }

    /// Damages a file: swaps, deletes and inserts bytes (quotes, separators, line ends, junk).
    static func corrupt(_ text: String, seed: UInt64) -> String {
        var rng = SeededRandom(state: seed)
        var bytes = Array(text.utf8)
        let noise: [UInt8] = Array("\"\",\n\r;x9/-".utf8)
        let edits = Int.random(in: 1...25, using: &rng)
        for _ in 0..<edits where bytes.count > 200 {
            let at = Int.random(in: 150..<bytes.count, using: &rng)  // keep the header intact
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: bytes[at] = noise.randomElement(using: &rng)!
            case 1: bytes.remove(at: at)
            default: bytes.insert(noise.randomElement(using: &rng)!, at: at)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(arguments: 1...40)
    func accountingHoldsAfterRandomCorruption(seed: Int) throws {
        let clean = ([PropertyTests.header] + PropertyTests.validRows(120)).joined(separator: "\n") + "\n"
        let damaged = PropertyTests.corrupt(clean, seed: UInt64(seed))
        let folder = try DataFolder(layanan: ["layanan/x.csv": damaged, "layanan/y.csv": clean])
        defer { folder.remove() }
        let o = try Validation.run(dataDirectory: folder.path, settings: DataFolder.settings())
        for account in o.files + [o.total] {
            #expect(account.balances, "seed \(seed): \(account)")
        }
        // Every reject names a real line of its file and the reject rows cover the rejected count
        // (a rejected row has at least one reject row).
        let lineCount = damaged.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" }.count
        #expect(o.rejects.allSatisfy { $0.location.line >= 2 && $0.location.line <= lineCount + 1 })
        let rejectedLines = Set(o.rejects.filter { $0.location.source == "layanan/x.csv" }.map(\.location.line))
        #expect(rejectedLines.count == o.files[0].rowsRejected)
        // The clean copy is read in full after the damaged one: its 120 rows are read, and each is
        // used, a duplicate of an intact row of x.csv, or rejected as reusing an id with other content.
        #expect(o.files[1].rowsRead == 120)
        #expect(o.files[1].rowsUsed + o.files[1].rowsDuplicate + o.files[1].rowsRejected == 120)
    }

    @Test func everyDialectReadsTheSame() throws {
        let rows = PropertyTests.validRows(30)
        let lf = ([PropertyTests.header] + rows).joined(separator: "\n") + "\n"
        func variant(_ delimiter: String, _ ending: String, bom: Bool, decimalComma: Bool = false) -> String {
            let body = ([PropertyTests.header] + rows).enumerated().map { index, line -> String in
                var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if decimalComma && index > 0 { fields[10] = fields[10] + ",0" }
                return fields.map { f in f.contains(delimiter) ? "\"\(f)\"" : f }.joined(separator: delimiter)
            }.joined(separator: ending) + ending
            return (bom ? "\u{FEFF}" : "") + body
        }
        let variants = [
            "comma-lf": lf,
            "semicolon-crlf-bom-decimal-comma": variant(";", "\r\n", bom: true, decimalComma: true),
            "tab-cr": variant("\t", "\r", bom: false),
            "pipe-crlf": variant("|", "\r\n", bom: false),
            "comma-crlf-quoted-comma": variant(",", "\r\n", bom: true, decimalComma: true),
        ]
        for (name, text) in variants {
            let folder = try DataFolder(layanan: ["layanan.csv": text])
            defer { folder.remove() }
            let o = try Validation.run(dataDirectory: folder.path, settings: DataFolder.settings())
            #expect(o.total.rowsRead == 30, "\(name)")
            #expect(o.rejects.isEmpty, "\(name): \(o.rejects.map(\.compilerStyle))")
            #expect(o.events.events.count == 30, "\(name)")
            #expect(o.events.events.map(\.result) == (0..<30).map { Float(50 + $0 % 20) }, "\(name) \(o.warnings.prefix(2).map(\.compilerStyle))")
        }
    }

    @Test func windows1252FileIsReadAndNamed() throws {
        // "Désa" in Windows-1252: é is the single byte 0xE9, not valid UTF-8.
        var bytes = Array((PropertyTests.header + ",catatan\n").utf8)
        bytes += Array((PropertyTests.validRows(1)[0] + ",D").utf8) + [0xE9] + Array("sa\n".utf8)
        let folder = try DataFolder(layanan: [:])
        defer { folder.remove() }
        try Data(bytes).write(to: URL(fileURLWithPath: folder.path + "/layanan.csv"))
        let o = try Validation.run(dataDirectory: folder.path, settings: DataFolder.settings())
        #expect(o.files[0].encoding == "windows-1252")
        #expect(o.files[0].unknownColumns == ["catatan"])
        #expect(o.notes.contains { $0.hasPrefix("layanan.csv is not UTF-8") })
        #expect(o.events.events.count == 1)
    }
}
