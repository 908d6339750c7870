import Ingest
import PWSCore

// E-REQUIRED (spec §3): a required field is empty, or rw/rt have no label left.
extension ServiceRowChecker {
    /// The fields every service row needs, in schema order.
    static let requiredFields: [LayananField] = [
        .recordID, .visitDate, .personID, .birthDate, .sex, .villageCode, .rw, .rt, .facilityType, .serviceCode,
    ]

    /// E-REQUIRED: each required field that is empty.
    mutating func checkRequired(_ c: inout RowCheck) {
        for field in Self.requiredFields where c.row.isEmpty(field) {
            reject(&c, .required, field, "", "\(field.name) is empty; every service row needs it")
        }
    }

    /// E-REQUIRED: rw and rt must keep a label after dropping "RW"/"RT" and punctuation.
    /// Skipped when the area combination was decided by an earlier accepted row.
    mutating func checkAreaLabels(_ c: inout RowCheck) {
        guard c.area == nil else { return }
        if !c.hasFailed(.rw) {
            if let l = Decode.label(c.row.cleaned(.rw)) { c.rwLabel = l } else {
                let text = c.row.string(.rw)
                reject(&c, .required, .rw, text, "rw \"\(text)\" has no label left after dropping \"RW\" and punctuation; write the RW number")
            }
        }
        if !c.hasFailed(.rt) {
            if let l = Decode.label(c.row.cleaned(.rt)) { c.rtLabel = l } else {
                let text = c.row.string(.rt)
                reject(&c, .required, .rt, text, "rt \"\(text)\" has no label left after dropping \"RT\" and punctuation; write the RT number")
            }
        }
    }
}
