import Ingest
import PWSCore

// E-ELIGIBILITY (spec §3): the service's sex and age limits.
extension ServiceRowChecker {
    /// E-ELIGIBILITY: the person's sex and age at the visit fit the service's limits. Needs sex,
    /// service and both dates to have passed.
    mutating func checkEligibility(_ c: inout RowCheck) {
        let needed: FailedFields = [FailedFields(.sex), FailedFields(.serviceCode), FailedFields(.visitDate),
                                    FailedFields(.birthDate)]
        guard c.failed.isDisjoint(with: needed),
              let violation = limits[Int(c.service)].violation(sex: c.sex, birth: c.birth, visit: c.visit) else { return }
        let code = settings.services.services[Int(c.service)].code
        reject(&c, .eligibility, .serviceCode, c.row.string(.serviceCode), violation.message(service: code))
    }
}
