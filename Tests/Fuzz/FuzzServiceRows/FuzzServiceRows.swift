// libFuzzer target: one service-record file through the Validate stage (spec §3): the header
// mapping, every row rule, duplicates, the accounting and the sorting of the diagnostics.
// Built and run by scripts/fuzz.sh (docs/fuzzing.md); libFuzzer supplies `main`.
//
// Each input becomes `layanan.csv` of a data folder made once, beside the register of
// sample-data/ and the default service catalogue of pipelines/. Besides "no crash, no hang, no
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
    let settings: ValidationSettings

    init() {
        // Tests/Fuzz/FuzzServiceRows/FuzzServiceRows.swift → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folder = NSTemporaryDirectory() + "/pws-fuzz-rows-\(getpid())"
        do {
            let services = try ServiceCatalogueLoader.load(path: root.appendingPathComponent("pipelines/services.yaml").path)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let register = try Data(contentsOf: root.appendingPathComponent("sample-data/wilayah.csv"))
            try register.write(to: URL(fileURLWithPath: folder + "/wilayah.csv"))
            self.settings = ValidationSettings(today: Day(year: 2026, month: 1, day: 15)!, services: services)
        } catch {
            fatalError("cannot set up the fuzz data folder \(folder) from \(root.path): \(error)")
        }
        self.folder = folder
    }
}

let fixture = Fixture()
let checkNIK = ProcessInfo.processInfo.environment["FUZZ_CHECK_NIK"] != "0"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServiceRows(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let path = fixture.folder + "/layanan.csv"
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    guard FileManager.default.createFile(atPath: path, contents: bytes) else {
        fatalError("cannot write \(path)")
    }
    let outcome: ValidationOutcome
    do {
        outcome = try Validation.run(dataDirectory: fixture.folder, settings: fixture.settings)
    } catch {
        // Only the register and a missing folder are fatal, and both are fixed here.
        fatalError("validating one layanan.csv threw: \(error)")
    }
    guard outcome.files.count == 1, outcome.files.allSatisfy(\.balances), outcome.total.balances else {
        fatalError("the account does not balance: \(outcome.files) total \(outcome.total)")
    }
    let rejectedLines = Set(outcome.rejects.map(\.location.line))
    guard outcome.total.rowsRejected == 0 || !rejectedLines.isEmpty else {
        fatalError("\(outcome.total.rowsRejected) rows rejected without a reject row")
    }
    if checkNIK {
        let niks = sixteenDigitRuns(bytes)
        // As rejects.csv and warnings.csv write them.
        for d in outcome.rejects + outcome.warnings {
            let cells = DiagnosticsTable.cells(d, keepIdentifiers: false)
            for nik in niks where cells.contains(where: { $0.contains(nik) }) {
                fatalError("NIK \(nik) printed unmasked: \(cells)")
            }
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
