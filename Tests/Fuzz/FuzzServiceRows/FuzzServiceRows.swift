// libFuzzer target: one service-record file through the Validate stage (spec §3): the header
// mapping, every row rule, duplicates, the accounting and the sorting of the diagnostics;
// and the same bytes as `sasaran.csv` of a second folder (long, or a table with a column per
// target group: header search, layout rows, group columns), which may only be read or refused
// with the targets' problems (PWSError .data), never crash or print a NIK.
// Built and run by scripts/fuzz.sh (docs/fuzzing.md); libFuzzer supplies `main`.
//
// Each input becomes `layanan.csv` of a data folder made once, beside the register of
// sample-data/ and the default service catalogue of pipelines/, and also
// `layanan/register-fuzz-2025.csv`, a wide register read through a reshape rule (spec §A2:
// header search, near misses, layout rows, absent marks, growth codes, month dates). Besides "no crash, no hang, no
// leak" it checks that every file's account balances (spec §3):
// rows read = rejected + accepted, accepted = used + duplicate + out of period.
// It also checks that no 16-digit number of the input (a NIK) appears whole in a reject or
// warning as written (issue 19 point 3); FUZZ_CHECK_NIK=0 in the environment turns that off.
import Export
import Foundation
import CSV
import Ingest
import PWSCore
import Pipeline
import Validate

/// The data folder and settings every input is validated with.
struct Fixture: Sendable {
    let folder: String
    /// The register and one service file with a header only: each input is its sasaran.csv.
    let sasaranFolder: String
    let settings: ValidationSettings

    init() {
        // Tests/Fuzz/FuzzServiceRows/FuzzServiceRows.swift → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folder = NSTemporaryDirectory() + "/pws-fuzz-rows-\(getpid())"
        let sasaranFolder = folder + "-sasaran"
        do {
            let services = try ServiceCatalogueLoader.load(path: root.appendingPathComponent("pipelines/services.yaml").path)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let register = try Data(contentsOf: root.appendingPathComponent("sample-data/wilayah.csv"))
            try register.write(to: URL(fileURLWithPath: folder + "/wilayah.csv"))
            try FileManager.default.createDirectory(atPath: sasaranFolder, withIntermediateDirectories: true)
            try register.write(to: URL(fileURLWithPath: sasaranFolder + "/wilayah.csv"))
            try Data("record_id,visit_date,person_id,birth_date,sex,village_code,rw,rt,facility_type,facility_id,service_code\n".utf8)
                .write(to: URL(fileURLWithPath: sasaranFolder + "/layanan.csv"))
            try FileManager.default.createDirectory(atPath: folder + "/layanan", withIntermediateDirectories: true)
            var settings = ValidationSettings(today: Day(year: 2026, month: 1, day: 15)!, services: services)
            settings.reshape = [ReshapeRule(
                files: "layanan/register-*.csv",
                columns: ["person_id": "NIK", "birth_date": "TGL LAHIR", "sex": "JK", "village_code": "KODE DESA",
                          "rw": "RW", "rt": "RT", "name": "NAMA"],
                values: ["facility_type": "posyandu", "provider": "kader"], year: .sheetName,
                months: ["JAN", "FEB", "MAR", "APR", "MEI", "JUN", "JUL", "AGS", "SEP", "OKT", "NOV", "DES"],
                monthService: "TIMBANG", day: 15, dated: [(service: "HB0", column: "HB0"), (service: "BCG", column: "BCG")])]
            self.settings = settings
        } catch {
            fatalError("cannot set up the fuzz data folder \(folder) from \(root.path): \(error)")
        }
        self.folder = folder
        self.sasaranFolder = sasaranFolder
    }
}

let fixture = Fixture()
let checkNIK = ProcessInfo.processInfo.environment["FUZZ_CHECK_NIK"] != "0"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServiceRows(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    for path in [fixture.folder + "/layanan.csv", fixture.folder + "/layanan/register-fuzz-2025.csv"] {
        guard FileManager.default.createFile(atPath: path, contents: bytes) else {
            fatalError("cannot write \(path)")
        }
    }
    let outcome: ValidationOutcome
    do {
        outcome = try Validation.run(dataDirectory: fixture.folder, settings: fixture.settings)
    } catch {
        // Only the register and a missing folder are fatal, and both are fixed here.
        fatalError("validating one layanan.csv threw: \(error)")
    }
    guard outcome.files.count == 2, outcome.files.allSatisfy(\.balances), outcome.total.balances else {
        fatalError("the account does not balance: \(outcome.files) total \(outcome.total)")
    }
    let rejectedLines = Set(outcome.rejects.map(\.location.line))
    guard outcome.total.rowsRejected == 0 || !rejectedLines.isEmpty else {
        fatalError("\(outcome.total.rowsRejected) rows rejected without a reject row")
    }
    guard FileManager.default.createFile(atPath: fixture.sasaranFolder + "/sasaran.csv", contents: bytes) else {
        fatalError("cannot write sasaran.csv")
    }
    var sasaranText: [String] = []
    do {
        sasaranText = try Validation.run(dataDirectory: fixture.sasaranFolder, settings: fixture.settings).notes
    } catch let error as PWSError where error.code == .data {
        sasaranText = [error.message] + error.details   // the targets' problems: refused, as it may be
    } catch {
        fatalError("reading sasaran.csv threw: \(error)")
    }
    if checkNIK {
        let niks = sixteenDigitRuns(bytes)
        for line in sasaranText {
            for nik in niks where line.contains(nik) { fatalError("NIK \(nik) in sasaran.csv's problems or notes: \(line)") }
        }
        // As rejects.csv and warnings.csv write them.
        for d in outcome.rejects + outcome.warnings {
            let cells = DiagnosticsTable.cells(d, keepIdentifiers: false)
            for nik in niks where cells.contains(where: { $0.contains(nik) }) {
                fatalError("NIK \(nik) printed unmasked: \(cells)")
            }
        }
        for note in outcome.notes {
            for nik in niks where note.contains(nik) { fatalError("NIK \(nik) in a note: \(note)") }
        }
    }
    return 0
}

/// Every run of exactly 16 ASCII digits in `bytes`, as text.
func sixteenDigitRuns(_ bytes: Data) -> Set<String> {
    var runs = Set<String>()
    var start = -1
    for (i, b) in bytes.enumerated() {
        let digit = b >= 0x30 && b <= 0x39
        if digit && start < 0 { start = i }
        if !digit || i == bytes.count - 1 {
            let end = digit ? i + 1 : i
            if start >= 0 && end - start == 16 {
                runs.insert(String(decoding: bytes[bytes.startIndex + start ..< bytes.startIndex + end], as: UTF8.self))
            }
            if !digit { start = -1 }
        }
    }
    return runs
}
