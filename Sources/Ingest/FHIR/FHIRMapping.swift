/// How FHIR R4 resources become service records (spec §A3; the pipeline's `fhir:` section,
/// docs/fhir.md). Code tables are keyed `system|code` (as FHIR token search writes them) or by
/// the bare `code`, which then matches in any system; `system|code` wins.
public struct FHIRMapping: Sendable, Hashable {
    /// `Patient.identifier.system` of the NIK; without one, the Patient id is the person.
    public var nikSystem = "https://fhir.kemkes.go.id/id/nik"
    /// The `Patient.address` extension holding the area codes (sub-extensions `village`, `rw`, `rt`).
    public var addressExtension = "https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode"
    /// `EpisodeOfCare.type` codes of antenatal care: an Encounter of such an episode is `ANC`
    /// with the episode's id as pregnancy_id.
    public var antenatalEpisodeCodes: Set<String> = ["ANC", "424525001"]
    /// Observation codes (LOINC) → service code; the result is `valueQuantity.value`.
    public var observations: [String: String] = [
        "http://loinc.org|29463-7": "TIMBANG",
        "http://loinc.org|3141-9": "TIMBANG",
        "http://loinc.org|8302-2": "UKUR_TB",
        "http://loinc.org|8306-3": "UKUR_TB",
        "http://loinc.org|56072-2": "LILA",
        "http://loinc.org|718-7": "HB",
        "http://loinc.org|9843-4": "LK",
        "http://loinc.org|39156-5": "IMT",
        "http://loinc.org|8280-0": "LINGKAR_PERUT",
        "http://loinc.org|85354-9": "TENSI",
        "http://loinc.org|8480-6": "TENSI",
    ]
    /// Systolic and diastolic codes: components of a blood-pressure panel, or two Observations
    /// of one encounter (or one patient and time), written `SYS/DIA`.
    public var systolicCodes: Set<String> = ["http://loinc.org|8480-6"]
    public var diastolicCodes: Set<String> = ["http://loinc.org|8462-4"]
    /// Observations that give the ANC record of their encounter its lmp_date / gestational_weeks.
    public var lmpCodes: Set<String> = ["http://loinc.org|8665-2"]
    public var gestationCodes: Set<String> = ["http://loinc.org|11884-4", "http://loinc.org|18185-9"]
    /// Encounter.type / serviceType, Procedure.code and Immunization.vaccineCode codes → service.
    public var services: [String: String] = [
        "http://snomed.info/sct|236973005": "PERSALINAN",   // Delivery procedure
        "http://snomed.info/sct|133906008": "NIFAS",        // Postpartum care
    ]
    /// Immunization.vaccineCode codes of a product given in several doses (SATUSEHAT's KFA codes
    /// name the product) → the service of each dose in order: the dose number in
    /// `protocolApplied.doseNumberPositiveInt` (or a `doseNumberString` of digits) picks one.
    /// A code here wins over `services`.
    public var vaccineDoses: [String: [String]] = [:]
    /// A code system whose codes are pws service codes themselves (`HB0`, `KN`, `PERSALINAN` …):
    /// what `pws generate --format fhir` writes, and an easy target for a vendor's export.
    public var serviceCodeSystem = "https://pws.dinkes.local/CodeSystem/layanan"
    /// Organization.type, Location.type or Encounter.class codes → facility_type.
    public var facilityTypes: [String: String] = [
        "AMB": "puskesmas", "HH": "rumah", "FLD": "posyandu", "IMP": "rumah_sakit", "EMER": "rumah_sakit",
        "posyandu": "posyandu", "pustu": "pustu", "puskesmas": "puskesmas", "rumah_sakit": "rumah_sakit",
        "klinik": "klinik", "rumah": "rumah", "lainnya": "lainnya",
    ]
    /// facility_type when no code above matches.
    public var defaultFacilityType = "puskesmas"
    /// Encounter.participant.type and performer.function codes, and the Practitioner's
    /// qualification / PractitionerRole's codes they name → provider.
    public var providers: [String: String] = [
        "http://snomed.info/sct|309343006": "dokter",   // Physician
        "http://snomed.info/sct|309453006": "bidan",    // Registered midwife
        "http://snomed.info/sct|224535009": "perawat",  // Registered nurse
        "http://snomed.info/sct|159033005": "gizi",     // Dietitian
        "http://terminology.hl7.org/CodeSystem/practitioner-role|doctor": "dokter",
        "http://terminology.hl7.org/CodeSystem/practitioner-role|nurse": "perawat",
        "dokter": "dokter", "bidan": "bidan", "perawat": "perawat", "gizi": "gizi", "kader": "kader",
        "lainnya": "lainnya",
    ]

    /// Minutes east of UTC of the district's calendar (`fhir.utc_offset`; WIB by default): a
    /// dateTime with a time and another offset (`…Z`, `+00:00`) is written again at this one
    /// before its date is taken (`FHIRDateTime`).
    public var utcOffsetMinutes = 420
    /// Service code (upper case) → the unit its result rule reads (the service catalogue's,
    /// filled by the run, not a pipeline setting): a valueQuantity in another unit is moved to it
    /// or refused (`FHIRQuantity`).
    public var resultUnits: [String: String] = [:]

    public init() {}

    /// The value for a coding in `table`: `system|code` first, then the bare code.
    static func lookup(_ table: [String: String], system: String, code: String) -> String? {
        table[system + "|" + code] ?? table[code]
    }

    static func contains(_ set: Set<String>, system: String, code: String) -> Bool {
        set.contains(system + "|" + code) || set.contains(code)
    }

    /// The dose services of a coding in `vaccineDoses`: `system|code` first, then the bare code.
    func doses(system: String, code: String) -> [String]? {
        vaccineDoses[system + "|" + code] ?? vaccineDoses[code]
    }

    /// A service for a coding: the `services` table, else the service-code system's own code.
    func service(system: String, code: String) -> String? {
        if let s = Self.lookup(services, system: system, code: code) { return s }
        return system == serviceCodeSystem && !code.isEmpty ? code : nil
    }
}

/// The codings of a CodeableConcept (or of an array of them), as (system, code) pairs.
func codings(_ concept: JSONValue?) -> [(system: String, code: String)] {
    var out: [(String, String)] = []
    for c in concept.elements {
        for coding in c["coding"].elements {
            if let code = coding["code"]?.text { out.append((coding["system"]?.text ?? "", code)) }
        }
    }
    return out
}
