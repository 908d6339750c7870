import PWSTestSupport
import PWSCore
@testable import Aggregate

/// Service codes of spec §2.6 (no eligibility: Aggregate never checks it) and small indicator
/// definitions built in code, for tests that must not depend on the YAML catalogue.
enum TestCatalogue {
    static let codes = ["ANC", "PERSALINAN", "NIFAS", "TTD_BUMIL", "KN", "HB0", "BCG", "POLIO1", "POLIO2",
                        "POLIO3", "POLIO4", "DPTHBHIB1", "DPTHBHIB2", "DPTHBHIB3", "DPTHBHIB4", "IPV1", "IPV2",
                        "PCV1", "PCV2", "PCV3", "RV1", "RV2", "RV3", "MR1", "MR2", "TIMBANG", "UKUR_TB", "LILA",
                        "LK", "VITA", "SDIDTK", "HB", "SKRINING_REMAJA", "TTD_REMAJA", "IMT", "LINGKAR_PERUT",
                        "TENSI", "GDS", "SRQ20", "PUMA", "SKRINING_TB", "IVA", "SADANIS", "SKILAS"]
    static let services = ServiceCatalogue(codes.map {
        ServiceDefinition(code: $0, name: $0, cluster: "test", sex: nil, age: nil, result: .none)
    })

    static func filter(_ codes: String...) -> RecordFilter {
        var f = RecordFilter()
        f.services = codes.map { services.index(of: $0)! }
        return f
    }

    /// A person-level "first ANC record" indicator with a lifetime scope.
    static func first(_ id: String, service: String = "ANC", scope: Scope = .lifetime, group: String? = "bumil",
                      target: Int? = 10_000) -> IndicatorDefinition {
        IndicatorDefinition(id: id, name: id, subject: .person, scope: scope,
                            rule: .first(filter(service), firstVisitTrimesters: nil, attainOnSubjectStart: false),
                            targetGroup: group, denominatorIndicator: nil, targetHundredths: target)
    }

    /// A monthly-presence indicator.
    static func presence(_ id: String, service: String = "TIMBANG", group: String? = "balita",
                         target: Int? = 8000) -> IndicatorDefinition {
        IndicatorDefinition(id: id, name: id, subject: .person, scope: .monthly, rule: .monthlyPresence(filter(service)),
                            targetGroup: group, denominatorIndicator: nil, targetHundredths: target)
    }

    static func world(_ indicators: [IndicatorDefinition]) -> World {
        World(services: services, indicators: indicators)
    }
}
