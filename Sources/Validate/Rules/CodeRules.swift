import Ingest
import PWSCore

// E-SEX, E-FACILITY, E-SERVICE (spec §3) and the provider: the coded fields. A combination of
// spellings decided by an earlier accepted row (`c.codes`) passes again without decoding.
extension ServiceRowChecker {
    /// E-SEX: sex must be one of the sex spellings (L/P and the pipeline's aliases).
    mutating func checkSex(_ c: inout RowCheck) {
        if let codes = c.codes { c.sex = codes.sex } else if !c.hasFailed(.sex) {
            if let s = decoders.sex(c.row.cleaned(.sex)) { c.sex = s } else {
                let text = c.row.string(.sex)
                reject(&c, .sex, .sex, text, "sex \"\(text)\" is not recognised; use L or P")
            }
        }
    }

    /// E-FACILITY: facility_type must be one of the §2.4 facility types.
    mutating func checkFacility(_ c: inout RowCheck) {
        if let codes = c.codes { c.facilityType = codes.facilityType } else if !c.hasFailed(.facilityType) {
            if let t = decoders.facility(c.row.cleaned(.facilityType)) { c.facilityType = t } else {
                let text = c.row.string(.facilityType)
                reject(&c, .facility, .facilityType, text, "facility_type \"\(text)\" is not recognised; use posyandu, pustu, puskesmas, rumah_sakit, klinik, rumah or lainnya")
            }
        }
    }

    /// E-SERVICE: service_code must be in the service catalogue.
    mutating func checkService(_ c: inout RowCheck) {
        if let codes = c.codes { c.service = codes.service } else if !c.hasFailed(.serviceCode) {
            if let s = decoders.service(c.row.cleaned(.serviceCode)) { c.service = s } else {
                let text = c.row.string(.serviceCode)
                reject(&c, .service, .serviceCode, text, "service_code \"\(text)\" is not in the service catalogue; see `pipelines/services.yaml`")
            }
        }
    }

    /// The provider (never an error: an unknown spelling is `lainnya`). When sex, facility type
    /// and service all passed, the combination is cached for later rows.
    mutating func decodeProvider(_ c: inout RowCheck) {
        if let codes = c.codes { c.provider = codes.provider; return }
        c.provider = decoders.provider(c.row.cleaned(.provider))
        if c.failed.isDisjoint(with: [FailedFields(.sex), FailedFields(.facilityType), FailedFields(.serviceCode)]) {
            storeCodes(c)
        }
    }
}
