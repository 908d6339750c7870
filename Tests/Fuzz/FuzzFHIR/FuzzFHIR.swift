// libFuzzer target: one FHIR R4 export file through the Validate stage (spec §A3,
// docs/fhir.md): yajl's stream parser (JSONStream), NDJSON line splitting and Bundle streaming
// (FHIRFileReader), the context pass (FHIRContext), the mapping of resources to service records
// (FHIRRecordSource) and every row rule after it. Built and run by scripts/fuzz.sh
// (docs/fuzzing.md); libFuzzer supplies `main`.
//
// Each input is written twice into the `fhir/` folder of a data folder made once (beside the
// register of sample-data/ and the default service catalogue): as `fhir/export.json` (one
// resource or a Bundle, streamed) and as `fhir/export.ndjson` (one resource a line). Besides
// "no crash, no hang, no leak" it checks:
// - every file's account balances (spec §3), and a file with rejected rows has rejects;
// - an input of one line that cannot be a Bundle (no newline, no `entry`, no backslash escape)
//   and is not blank is one document either way: both files read the same number of rows;
// - no 16-digit number of the input (a NIK) appears whole in a reject or warning as
//   rejects.csv and warnings.csv write them, nor in the run's notes (run.json, the log).
//   FUZZ_CHECK_NIK=0 in the environment turns that off.
import Export
import Foundation
import Ingest
import PWSCore
import Pipeline
import Validate

/// The data folder and settings every input is validated with.
struct Fixture: Sendable {
    let folder: String
    let settings: ValidationSettings

    init() {
        // Tests/Fuzz/FuzzFHIR/FuzzFHIR.swift → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folder = NSTemporaryDirectory() + "/pws-fuzz-fhir-\(getpid())"
        do {
            let services = try ServiceCatalogueLoader.load(path: root.appendingPathComponent("pipelines/services.yaml").path)
            try FileManager.default.createDirectory(atPath: folder + "/fhir", withIntermediateDirectories: true)
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
public func fuzzFHIR(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    for name in ["export.json", "export.ndjson"] {
        let path = fixture.folder + "/fhir/" + name
        guard FileManager.default.createFile(atPath: path, contents: bytes) else { fatalError("cannot write \(path)") }
    }
    let outcome: ValidationOutcome
    do {
        outcome = try Validation.run(dataDirectory: fixture.folder, settings: fixture.settings)
    } catch {
        // Only the register and a missing folder or file are fatal, and all are fixed here.
        fatalError("validating one FHIR export threw: \(error)")
    }
    guard outcome.files.count == 2, outcome.files.allSatisfy(\.balances), outcome.total.balances else {
        fatalError("the account does not balance: \(outcome.files) total \(outcome.total)")
    }
    let rejectedLines = Set(outcome.rejects.map(\.location.line))
    guard outcome.total.rowsRejected == 0 || !rejectedLines.isEmpty else {
        fatalError("\(outcome.total.rowsRejected) rows rejected without a reject row")
    }
    // (An empty .json file is malformed, an empty NDJSON line blank: those differ on purpose.)
    let blank = bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    if !blank && !bytes.contains(0x0A) && !bytes.contains(0x5C) && bytes.range(of: Data("entry".utf8)) == nil {
        let (json, ndjson) = (outcome.files[0], outcome.files[1])
        guard json.rowsRead == ndjson.rowsRead else {
            fatalError("one document read as \(json.rowsRead) rows from .json but \(ndjson.rowsRead) from .ndjson: \(outcome.files)")
        }
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
        for nik in niks where outcome.notes.contains(where: { $0.contains(nik) }) {
            fatalError("NIK \(nik) in the run's notes: \(outcome.notes)")
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
