// libFuzzer target: the mapping file of `pws export dhis2` (spec §A6, docs/dhis2.md) through
// `DHIS2Mapping.load` — Yams, the key checks, uid and code checks, the duplicate-target and
// duplicate-org-unit refusals. Built and run by scripts/fuzz.sh (docs/fuzzing.md); libFuzzer
// supplies `main`.
//
// A file may be refused, but only with a usage error (a `PWSError` whose exit status is 64). A
// file that loads must keep the loader's promises: every indicator has a numerator or denominator; with the
// UID scheme every data element, combo and org unit is a valid uid; no two parts write the same
// DHIS2 value; no two areas share an org unit; `check(indicators:)` accepts the file's own
// indicators and refuses a run without one of them.
import Export
import Foundation
import PWSCore
import Pipeline

let path: String = {
    let folder = NSTemporaryDirectory() + "/pws-fuzz-dhis2-\(getpid())"
    do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
        fatalError("cannot make the fuzz folder \(folder): \(error)")
    }
    return folder + "/mapping.yaml"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDHIS2Mapping(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    guard FileManager.default.createFile(atPath: path, contents: bytes) else { fatalError("cannot write \(path)") }
    let mapping: DHIS2Mapping
    do {
        mapping = try DHIS2Mapping.load(path: path)
    } catch let error as PWSError {
        guard error.exitStatus == .usage else { fatalError("refused with \(error.code), not exit 64: \(error)") }
        return 0
    } catch {
        fatalError("refused with an error that is not a PWSError: \(error)")
    }
    var slots = Set<DHIS2Target>()
    for (indicator, entry) in mapping.dataElements {
        guard !entry.parts.isEmpty, entry.line >= 1 else { fatalError("\(indicator): no parts, or line \(entry.line)") }
        for target in entry.parts.values {
            if mapping.idScheme == .uid {
                guard DHIS2UID.isValid(target.dataElement), target.categoryOptionCombo.map(DHIS2UID.isValid) ?? true else {
                    fatalError("\(indicator): not a uid: \(target)")
                }
            }
            guard slots.insert(DHIS2Mapping.slot(target, scheme: mapping.idScheme)).inserted else {
                fatalError("two parts write \(target)")
            }
        }
    }
    if mapping.orgUnitIDScheme == .uid {
        for (area, unit) in mapping.orgUnits where !DHIS2UID.isValid(unit) { fatalError("area \(area): not a uid: \(unit)") }
    }
    guard Set(mapping.orgUnits.values).count == mapping.orgUnits.count else { fatalError("two areas share an org unit") }
    let own = Set(mapping.dataElements.keys)
    do { try mapping.check(indicators: own) } catch { fatalError("its own indicators refused: \(error)") }
    if let one = own.first {
        guard (try? mapping.check(indicators: own.subtracting([one]))) == nil else {
            fatalError("a run without indicator \(one) was accepted")
        }
    }
    return 0
}
