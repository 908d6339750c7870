import Ingest
import PWSCore

// E-AREA (spec §3): the village must be a Kemendagri code in the register.
extension ServiceRowChecker {
    /// E-AREA: village_code is a 10-digit code of a village in wilayah.csv. A combination decided
    /// by an earlier accepted row (`c.area`) passes again.
    mutating func checkArea(_ c: inout RowCheck) {
        if let area = c.area { c.village = area.village; return }
        guard !c.hasFailed(.villageCode) else { return }
        if let code = Decode.villageCode(c.row.cleaned(.villageCode)) {
            if let v = register.village(code: code) { c.village = v } else {
                reject(&c, .area, .villageCode, c.row.string(.villageCode), "village_code \(code) is not in wilayah.csv; check the code or add the village to the register")
            }
        } else {
            let text = c.row.string(.villageCode)
            reject(&c, .area, .villageCode, text, "village_code \"\(text)\" is not a 10-digit Kemendagri code (PPKKCCDDDD)")
        }
    }
}
