// libFuzzer target: one .xlsx service-record file through the Validate stage (spec §A2): the
// zip layer (minizip, bounded inflating), the workbook-level parts (xmlTextReader), the
// worksheet's SAX2 push parser (SheetSAX.swift), the shared strings and date styles, and every
// row rule after them. Built and run by scripts/fuzz.sh (docs/fuzzing.md); libFuzzer supplies
// `main`.
//
// An input becomes `layanan.xlsx` of a data folder made once (beside the register of
// sample-data/ and the default service catalogue) in one of two ways:
// - an input starting with `PK` is the workbook file itself (the zip layer, damaged archives);
// - any other input is XML parts separated by NUL bytes — the worksheet, then optionally the
//   shared strings, the styles and xl/workbook.xml — packed here (deflated, with minizip's
//   writer) into a workbook whose missing parts are minimal ones. Random bytes rarely survive
//   deflate and a CRC, so this is how the XML readers see mutated XML.
// Besides "no crash, no hang, no leak" it checks: a workbook that cannot be read is refused
// with a `PWSError` (a message for the person holding the file); otherwise every file's
// account balances (spec §3) and a file with rejected rows has rejects; no 16-digit number of
// the input (a NIK) appears whole in a reject or warning as rejects.csv and warnings.csv write
// them, in the run's notes, or in the refusal's message (FUZZ_CHECK_NIK=0 turns that off).
import CMinizipZip
import Export
import Foundation
import PWSCore
import Pipeline
import Validate

/// The data folder and settings every input is validated with.
struct Fixture: Sendable {
    let folder: String
    let settings: ValidationSettings

    init() {
        // Tests/Fuzz/FuzzWorkbook/FuzzWorkbook.swift → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folder = NSTemporaryDirectory() + "/pws-fuzz-xlsx-\(getpid())"
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

/// The parts a packed workbook gets when the input does not give them.
let defaultParts: [(name: String, text: String)] = [
    ("xl/worksheets/sheet1.xml", "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData/></worksheet>"),
    ("xl/sharedStrings.xml", "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"/>"),
    ("xl/styles.xml", "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/></numFmts><cellXfs count=\"3\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/></cellXfs></styleSheet>"),
    ("xl/workbook.xml", "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Layanan\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
]
let relationships = """
    <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
    <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
    <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>\
    <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
    </Relationships>
    """

/// Writes `parts` as a zip (deflated) at `path`.
func writeZip(_ parts: [(name: String, bytes: [UInt8])], to path: String) {
    guard let zip = zipOpen64(path, APPEND_STATUS_CREATE) else { fatalError("cannot create \(path)") }
    for part in parts {
        guard zipOpenNewFileInZip64(zip, part.name, nil, nil, 0, nil, 0, nil, Z_DEFLATED, 1, 0) == ZIP_OK,
              part.bytes.withUnsafeBytes({ zipWriteInFileInZip(zip, $0.baseAddress, UInt32($0.count)) }) == ZIP_OK,
              zipCloseFileInZip(zip) == ZIP_OK
        else { fatalError("cannot write \(part.name) into \(path)") }
    }
    guard zipClose(zip, nil) == ZIP_OK else { fatalError("cannot close \(path)") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWorkbook(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let path = fixture.folder + "/layanan.xlsx"
    unlink(path)
    if bytes.starts(with: [0x50, 0x4B]) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { fatalError("cannot write \(path)") }
    } else {
        let given = bytes.split(separator: 0, maxSplits: defaultParts.count - 1, omittingEmptySubsequences: false)
        var parts = defaultParts.enumerated().map { i, part in
            (name: part.name, bytes: i < given.count ? Array(given[i]) : Array(part.text.utf8))
        }
        parts.append((name: "xl/_rels/workbook.xml.rels", bytes: Array(relationships.utf8)))
        writeZip(parts, to: path)
    }
    let niks = checkNIK ? sixteenDigitRuns(bytes) : []
    let outcome: ValidationOutcome
    do {
        outcome = try Validation.run(dataDirectory: fixture.folder, settings: fixture.settings)
    } catch let error as PWSError {
        // A workbook that cannot be read stops the run with a message.
        for nik in niks where String(describing: error).contains(nik) {
            fatalError("NIK \(nik) in the refusal: \(error)")
        }
        return 0
    } catch {
        fatalError("validating one layanan.xlsx threw something that is not a PWSError: \(error)")
    }
    guard outcome.files.count == 1, outcome.files.allSatisfy(\.balances), outcome.total.balances else {
        fatalError("the account does not balance: \(outcome.files) total \(outcome.total)")
    }
    let rejectedLines = Set(outcome.rejects.map(\.location.line))
    guard outcome.total.rowsRejected == 0 || !rejectedLines.isEmpty else {
        fatalError("\(outcome.total.rowsRejected) rows rejected without a reject row")
    }
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
    return 0
}

/// Every run of exactly 16 ASCII digits in `bytes`, as text.
func sixteenDigitRuns(_ bytes: [UInt8]) -> Set<String> {
    var runs = Set<String>()
    var start = -1
    for (i, b) in bytes.enumerated() {
        let digit = b >= 0x30 && b <= 0x39
        if digit && start < 0 { start = i }
        if !digit || i == bytes.count - 1 {
            let end = digit ? i + 1 : i
            if start >= 0 && end - start == 16 {
                runs.insert(String(decoding: bytes[start ..< end], as: UTF8.self))
            }
            if !digit { start = -1 }
        }
    }
    return runs
}
