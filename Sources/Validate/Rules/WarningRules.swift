import Ingest
import PWSCore

// W-RESULT, W-GESTATION, W-AREA, W-NIK (spec §3): warnings on a row that passed every error
// rule. They go to `c.pending` and are kept only if the row is accepted.
//
// All four are `mutating` although only W-RESULT changes the checker: called from the mutating
// `check` on every accepted row, a non-mutating method makes Swift copy the whole checker
// (1.6 KB, with a retain and release of each of its references) to pass it by value, twice per
// row in the profile (bench/RESULTS.md, issue 21 validation).
extension ServiceRowChecker {
    /// W-RESULT: a result that does not parse as the service's result kind is dropped; the
    /// service still counts.
    mutating func checkResult(_ c: inout RowCheck, _ event: inout ServiceEvent) {
        guard !c.row.isEmpty(.result) else { return }
        switch Decode.result(c.row.cleaned(.result), kind: resultKinds[Int(c.service)]) {
        case .value(let a, let b):
            event.result = a
            event.result2 = b
        case .invalid(let reason, let value, let value2):
            // W-DUPLICATE and E-DUPLICATE-ID compare the result as parsed, the raw text when it
            // did not parse (§3): an implausible 0 and 0.0 are one result, abc and xyz two.
            c.resultHash = value.isNaN ? ByteInterner.hash(c.row.cleaned(.result)) : Self.implausibleHash(value, value2)
            let text = c.row.string(.result)
            warn(&c, .result, .result, text, "result \"\(text)\" of \(settings.services.services[Int(c.service)].code): \(reason); the value is dropped, the service still counts")
        case .ignored:
            break
        }
    }

    /// The hash a parsed but implausible result is compared by: of its values (−0 as 0), never
    /// 0 (no hash); that it equals a raw text's hash would be a 2⁻⁶⁴ coincidence.
    static func implausibleHash(_ value: Float, _ value2: Float) -> Int {
        func bits(_ v: Float) -> UInt64 { UInt64((v == 0 ? 0 : v).bitPattern) }
        let bits = bits(value) << 32 | bits(value2)
        return Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// W-GESTATION: lmp_date and gestational_weeks must give 0–45 weeks; otherwise dropped.
    /// The LMP wins over the weeks when both are given.
    mutating func checkGestation(_ c: inout RowCheck, _ event: inout ServiceEvent) {
        if !c.row.isEmpty(.lmpDate) {
            if let lmp = Decode.date(c.row.cleaned(.lmpDate)) {
                let weeks = lmp.days(to: c.visit) / 7
                if lmp <= c.visit && (0...45).contains(weeks) { event.lmp = lmp } else {
                    warn(&c, .gestation, .lmpDate, c.row.string(.lmpDate), "lmp_date \(lmp) gives \(lmp <= c.visit ? "\(weeks) weeks" : "a date after the visit"), outside 0–45 weeks; it is dropped")
                }
            } else {
                let text = c.row.string(.lmpDate)
                warn(&c, .gestation, .lmpDate, text, "lmp_date \"\(text)\" is not a date; it is dropped (use DD/MM/YYYY)")
            }
        }
        if !c.row.isEmpty(.gestationalWeeks) {
            if let w = Decode.int(c.row.cleaned(.gestationalWeeks)), (0...45).contains(w) {
                if event.lmp.isUnknown { event.gestationalWeeks = Int8(w) }
            } else {
                let text = c.row.string(.gestationalWeeks)
                warn(&c, .gestation, .gestationalWeeks, text, "gestational_weeks \"\(text)\" is not a whole number of weeks 0–45; it is dropped")
            }
        }
    }

    /// W-AREA: the RT is not in the register; the row is counted there anyway.
    mutating func checkAreaWarning(_ c: inout RowCheck) {
        guard c.areaWarning else { return }
        let rw = register.rts[Int(c.rtIndex)].rw, rt = register.rts[Int(c.rtIndex)].rt
        warn(&c, .areaWarning, .rt, "\(rw)/\(rt)", "RW \(rw) RT \(rt) is not in wilayah.csv for village \(register.villages[Int(c.village)].code); the row is counted there — add the RT to the register if it is real")
    }

    /// W-NIK: a 16-digit NIK whose encoded birth date or sex disagrees with the row's.
    mutating func checkNIK(_ c: inout RowCheck) {
        if let problem = Decode.nikDisagreement(personScratch.bytes, birth: c.birth, sex: c.sex,
                                                detailed: settings.keepIdentifiers) {
            warn(&c, .nik, .personID, shown(c, .personID), problem)
        }
    }
}
