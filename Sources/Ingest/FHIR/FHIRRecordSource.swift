import CSV
import PWSCore

/// What resources of other files tell a record (spec §A3): Patients (person, birth date, sex,
/// area), antenatal EpisodesOfCare, Encounters (date, facility, provider, episode),
/// Organizations and Locations (identifier, type), and the LMP, gestational-age and diastolic
/// Observations that complete another record. A bulk export writes one file per type, so this
/// is collected from every `fhir/` file before any record is made: held per resource as a few
/// short strings, never as JSON.
public final class FHIRContext: @unchecked Sendable {
    struct Patient: Equatable { var person = "", birthDate = "", sex = "", village = "", rw = "", rt = "", name = "" }
    struct Encounter {
        var date = "", facilityID = "", facilityType = "", provider = "", episode = "", subject = ""
        /// Where it took place, as written (the reference, its identifier, the class code):
        /// resolved into `facilityID` and `facilityType` once every file's Organizations and
        /// Locations are known (`resolveSites`).
        var site = "", siteIdentifier: String?, classCode = ""
        /// The first participant type code (`system|code`) when it has codes and none is in
        /// `fhir.providers`: the provider a record of this encounter lacks, for the file's note.
        var unmappedProvider = ""
        /// The participants' references (`Practitioner/…`, `PractitionerRole/…`): their
        /// profession is the provider when no participant type code maps (`resolveProviders`).
        var individuals: [String] = []
    }
    struct Site { var identifier = "", type: String? }

    // Keyed by `Type/id` and by the Bundle entry's fullUrl (`urn:uuid:…`), as references are written.
    var patients: [String: Patient] = [:]
    /// Antenatal episodes: reference → the episode id (the pregnancy_id).
    var antenatal: [String: String] = [:]
    var encounters: [String: Encounter] = [:]
    var sites: [String: Site] = [:]
    /// Practitioner and PractitionerRole reference → provider: a Practitioner's
    /// `qualification.code`, a PractitionerRole's `code`, through `fhir.providers`; a
    /// Practitioner without a mapped qualification takes its first role's.
    var professions: [String: String] = [:]
    private var roleProfessions: [String: String] = [:]
    var lmp: [String: String] = [:]
    var gestation: [String: String] = [:]
    /// Encounter reference (else `subject|time`) → diastolic value.
    var diastolic: [String: String] = [:]
    /// Per file: the Patients it holds again with other data than an earlier resource of the
    /// same id (two versions of one patient): how many, and the first one's reference. The
    /// later one is used, as before, but the file's notes say so.
    var patientConflicts: [String: (count: Int, first: String)] = [:]
    /// Per file: how many of its Patients have no area (no address with the mapping's
    /// extension, or one without village, rw and rt): their records are E-REQUIRED three times.
    var patientsWithoutArea: [String: Int] = [:]
    let mapping: FHIRMapping

    init(mapping: FHIRMapping) { self.mapping = mapping }

    /// Reads every file once for the context (malformed text is reported by the second pass).
    /// - Throws: `PWSError(.inputMissing)` when a file cannot be opened.
    public static func collect(directory: String, sources: [String], mapping: FHIRMapping,
                               limits: JSONLimits = JSONLimits()) throws -> FHIRContext {
        let context = FHIRContext(mapping: mapping)
        for source in sources {
            var reader = FHIRFileReader(path: directory + "/" + source, limits: limits)
            try reader.read { event in
                guard case .resource(_, let resource, let fullUrl) = event else { return }
                let (container, contained) = FHIRContained.split(resource, fullUrl: fullUrl)
                context.add(container, fullUrl: fullUrl, source: source)
                for r in contained { context.add(r, fullUrl: nil, source: source) }
            }
        }
        context.resolveSites()
        context.resolveProviders()
        return context
    }

    /// Gives a Practitioner without a mapped qualification its role's profession, and each
    /// Encounter without a mapped participant type its first participant's profession: the
    /// Practitioners of a bulk export may come in a file after the Encounters.
    func resolveProviders() {
        for (practitioner, provider) in roleProfessions where professions[practitioner] == nil {
            professions[practitioner] = provider
        }
        for (key, e) in encounters where e.provider.isEmpty {
            guard let provider = profession(of: e.individuals) else { continue }
            encounters[key]?.provider = provider
            encounters[key]?.unmappedProvider = ""
        }
    }

    /// The first profession the references name (Practitioner or PractitionerRole), or nil.
    func profession(of references: [String]) -> String? {
        references.lazy.compactMap { self.professions[$0] }.first
    }

    /// Gives each Encounter its facility from the Organization or Location it references — known
    /// only once every file is read: a bulk export's `Encounter.ndjson` comes before its
    /// `Organization.ndjson` (the reference's id and the class's type were taken instead).
    func resolveSites() {
        for (key, e) in encounters {
            var resolved = e
            (resolved.facilityID, resolved.facilityType) = facility(reference: e.site, identifier: e.siteIdentifier,
                                                                    classCodes: [e.classCode])
            encounters[key] = resolved
        }
    }

    func add(_ r: JSONValue, fullUrl: String?, source: String = "") {
        guard let type = r["resourceType"]?.text else { return }
        // A transaction Bundle's resources may have no id, only their entry's fullUrl.
        guard let id = Self.id(r, fullUrl: fullUrl) else { return }
        // An Encounter or Observation of no service given completes nothing: a cancelled
        // diastolic must not pair with a systolic, nor a planned visit date an Observation.
        if type == "Encounter" || type == "Observation",
           FHIRRecordSource.notGiven(type: type, status: r["status"]?.text ?? "") { return }
        var keys = r["id"]?.text.map { [type + "/" + $0] } ?? []
        // By the fullUrl as written, and as a reference to it reads (an absolute URL's Type/id).
        if let fullUrl {
            keys.append(fullUrl)
            let local = FHIRReference.local(fullUrl)
            if local != fullUrl { keys.append(local) }
        }
        switch type {
        case "Patient":
            let p = patient(r, id: id)
            if keys.contains(where: { patients[$0].map { $0 != p } ?? false }) {
                patientConflicts[source, default: (0, keys[0])].count += 1
            }
            for k in keys { patients[k] = p }
            if p.village.isEmpty && p.rw.isEmpty && p.rt.isEmpty { patientsWithoutArea[source, default: 0] += 1 }
        case "EpisodeOfCare":
            if codings(r["type"]).contains(where: { FHIRMapping.contains(mapping.antenatalEpisodeCodes, system: $0.system, code: $0.code) }) {
                for k in keys { antenatal[k] = id }
            }
        case "Organization", "Location":
            var site = Site()
            // No identifier: an empty facility_id, as an empty kode_fasilitas column gives.
            site.identifier = r["identifier"].elements.first?["value"]?.text ?? ""
            for c in codings(r["type"]) {
                if let t = FHIRMapping.lookup(mapping.facilityTypes, system: c.system, code: c.code) { site.type = t; break }
            }
            for k in keys { sites[k] = site }
        case "Encounter":
            let e = encounter(r)
            for k in keys { encounters[k] = e }
        case "Practitioner":
            let p = provider(r["qualification"].elements.flatMap { codings($0["code"]) })
            if !p.isEmpty { for k in keys { professions[k] = p } }
        case "PractitionerRole":
            let p = provider(r["code"].elements.flatMap { codings($0) })
            guard !p.isEmpty else { break }
            for k in keys { professions[k] = p }
            // A Practitioner of several roles takes the first read (files in order).
            if let practitioner = r["practitioner"]?.reference, !practitioner.isEmpty, roleProfessions[practitioner] == nil {
                roleProfessions[practitioner] = p
            }
        case "Observation":
            let cs = codings(r["code"])
            let at = r["encounter"]?.reference ?? ""
            func has(_ set: Set<String>) -> Bool { cs.contains { FHIRMapping.contains(set, system: $0.system, code: $0.code) } }
            if has(mapping.lmpCodes), !at.isEmpty, let d = r["valueDateTime"]?.text { lmp[at] = d }
            if has(mapping.gestationCodes), !at.isEmpty, let q = r["valueQuantity"], let v = q["value"]?.text {
                let unit = q["code"]?.text ?? q["unit"]?.text ?? "wk"
                // Days → whole weeks. A count that is no finite number of weeks an Int holds
                // (1e999, "NaN") is passed on as written, for Validate to refuse.
                if unit == "d", let days = Double(v), let weeks = Int(exactly: (days / 7).rounded(.towardZero)) {
                    gestation[at] = String(weeks)
                } else {
                    gestation[at] = v
                }
            }
            if has(mapping.diastolicCodes) && !has(mapping.systolicCodes), let v = r["valueQuantity"]?["value"]?.text {
                for k in pairKeys(r) { diastolic[k] = v }
            }
        default: break
        }
    }

    /// A resource's id: its `id`, else (a transaction Bundle's entry) its entry's fullUrl.
    static func id(_ r: JSONValue, fullUrl: String?) -> String? {
        if let id = r["id"]?.text, !id.isEmpty { return id }
        return fullUrl.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// How a systolic Observation finds its diastolic one, most specific first: its encounter
    /// and time (two measurements in one visit), its encounter, else its subject and time — the
    /// time as an instant at the district's offset, however the export wrote its zone.
    func pairKeys(_ r: JSONValue) -> [String] {
        let time = FHIRDateTime.local(r["effectiveDateTime"]?.text ?? "", offsetMinutes: mapping.utcOffsetMinutes)
        if let e = r["encounter"]?.reference { return [e + "|" + time, e] }
        return [(r["subject"]?.reference ?? "") + "|" + time]
    }

    private func patient(_ r: JSONValue, id: String) -> Patient {
        var p = Patient()
        p.person = r["identifier"].elements.first { $0["system"]?.text == mapping.nikSystem }?["value"]?.text ?? id
        p.birthDate = r["birthDate"]?.text ?? ""
        p.name = Self.name(r["name"].elements)
        switch r["gender"]?.text ?? "" {
        case "male": p.sex = "L"
        case "female": p.sex = "P"
        case let other: p.sex = other   // `other`/`unknown`: E-SEX names it
        }
        for address in r["address"].elements {
            // Ignoring case: SATUSEHAT's own Patient responses spell it `AdministrativeCode`.
            guard let ext = address["extension"].elements.first(where: {
                $0["url"]?.text.map { $0.caseInsensitiveCompare(mapping.addressExtension) == .orderedSame } ?? false
            })
            else { continue }
            for part in ext["extension"].elements {
                let value = part["valueCode"]?.text ?? part["valueString"]?.text ?? ""
                switch part["url"]?.text ?? "" {
                case "village": p.village = value
                case "rw": p.rw = value
                case "rt": p.rt = value
                default: break
                }
            }
            break
        }
        return p
    }

    /// A Patient's name as people write it: the `official` HumanName (else the first), its
    /// `text`, else its `given` names and `family` joined by spaces; empty when it has none. Read
    /// only with `--keep-identifiers` (`tindak-lanjut.csv`'s `name`).
    static func name(_ names: [JSONValue]) -> String {
        guard let n = names.first(where: { $0["use"]?.text == "official" }) ?? names.first else { return "" }
        if let text = n["text"]?.text, !text.isEmpty { return text }
        let parts = n["given"].elements.compactMap { $0.text } + [n["family"]?.text].compactMap { $0 }
        return parts.filter { !$0.isEmpty }.joined(separator: " ")
    }

    private func encounter(_ r: JSONValue) -> Encounter {
        var e = Encounter()
        e.date = r["period"]?["start"]?.text ?? ""
        e.subject = r["subject"]?.reference ?? ""
        let site = r["serviceProvider"] ?? r["location"].elements.first?["location"]
        e.site = site?.reference ?? ""
        e.siteIdentifier = site?["identifier"]?["value"]?.text
        e.classCode = r["class"]?["code"]?.text ?? ""
        let participantCodes = r["participant"].elements.flatMap { codings($0["type"]) }
        e.provider = provider(participantCodes)
        if e.provider.isEmpty { e.unmappedProvider = FHIRRecordSource.firstCode(participantCodes) ?? "" }
        e.individuals = r["participant"].elements.compactMap { $0["individual"]?.reference }
        e.episode = r["episodeOfCare"].elements.first?.reference ?? ""
        return e
    }

    /// A reference's facility id (its identifier, the referenced Organization's or Location's,
    /// else the id in the reference) and type (the site's type, else the class code's).
    func facility(_ reference: JSONValue?, classCodes: [String]) -> (String, String) {
        facility(reference: reference?.reference ?? "", identifier: reference?["identifier"]?["value"]?.text,
                 classCodes: classCodes)
    }

    /// Whether a reference names a place (an Organization or Location, of the export or not):
    /// a Practitioner performer is no facility.
    func isSite(_ reference: String) -> Bool {
        reference.hasPrefix("Organization/") || reference.hasPrefix("Location/") || sites[reference] != nil
    }

    /// `facility(_:classCodes:)` of a reference's text and identifier.
    func facility(reference ref: String, identifier: String?, classCodes: [String]) -> (String, String) {
        let site = sites[ref]
        let id = identifier ?? site?.identifier ?? String(ref.split(separator: "/").last ?? "")
        var type = site?.type
        if type == nil {
            type = classCodes.lazy.compactMap { FHIRMapping.lookup(self.mapping.facilityTypes, system: "", code: $0) }.first
        }
        return (id, type ?? mapping.defaultFacilityType)
    }

    func provider(_ cs: [(system: String, code: String)]) -> String {
        cs.lazy.compactMap { FHIRMapping.lookup(self.mapping.providers, system: $0.system, code: $0.code) }.first ?? ""
    }
}

/// One `fhir/` file as a `RecordSource` (spec §A3): one section labelled with the file's path,
/// a header of the service-record fields, then one record per resource that becomes a service
/// record, positioned at its NDJSON line or Bundle entry index. A resource that should but
/// cannot become a record is rejected `E-FHIR` with its id; resources that only complete others
/// (Patient, EpisodeOfCare …) and resources not mapped are counted per type in the notes.
public final class FHIRRecordSource: RecordSource {
    static let fields = ["record_id", "visit_date", "person_id", "birth_date", "sex", "village_code", "rw", "rt",
                         "facility_type", "facility_id", "service_code", "result", "provider",
                         "pregnancy_id", "lmp_date", "gestational_weeks", "name"]
    private let path: String
    private let source: String
    private let context: FHIRContext
    private let limits: JSONLimits
    public private(set) var blankRows = 0
    public var notes: [String] {
        var out = ownNotes
        if let conflicts = context.patientConflicts[source] {
            out.append("\(source): \(conflicts.count) Patient(s) appear again with other data than an earlier resource of the same id (first \(VisibleText.escapingControls(PersonID.maskEmbeddedIdentifiers(conflicts.first)))); the later one is used for all their records — export one version of each Patient")
        }
        if let n = context.patientsWithoutArea[source] {
            out.append("\(source): \(n) Patient(s) without an area: no address with the extension \(context.mapping.addressExtension) "
                       + "(village, rw, rt), so their records are rejected E-REQUIRED (village_code, rw, rt) — export the "
                       + "Patient's address with that extension, or name the one the export uses in the pipeline's fhir.address_extension")
        }
        if withoutProvider.count > 0 {
            out.append("\(source): \(withoutProvider.count) record(s) without a provider: their participant/performer codes (first \(VisibleText.quoting(withoutProvider.first, limit: 120))) are not in the pipeline's fhir.providers, so indicators that count a health worker's services only (PF, PF_NAKES …) leave them out — map the codes your export uses, or export its Practitioner resources with their qualification (docs/fhir.md)")
        }
        if !contextCounts.isEmpty { out.append("\(source): used to complete other records (not rows): \(Self.describe(contextCounts))") }
        // A Bundle as a resource (an NDJSON line, a Bundle's entry) is a container, not a
        // service whose codes could be mapped.
        var ignored = ignoredCounts
        if let bundles = ignored.removeValue(forKey: "Bundle") {
            out.append("\(source): \(bundles) Bundle(s) as a resource (on an NDJSON line, or as a Bundle's entry) ignored, their entries not read — put each Bundle in a .json file of its own, or export the resources as NDJSON, one a line")
        }
        // Resources that record no service given (not done, entered in error, cancelled; a
        // transaction's entry without a resource) have nothing a mapping could add.
        let notGiven = ignored.filter { $0.key.contains("(status ") || $0.key.contains("(dataAbsentReason") || $0.key == Self.entryWithoutResource }
        ignored = ignored.filter { notGiven[$0.key] == nil }
        if !notGiven.isEmpty {
            out.append("\(source): ignored, no service given (not rows): \(Self.describe(notGiven)) — recorded as planned, not done, entered in error or cancelled, without a value, or entries without a resource: nothing to map")
        }
        if !ignored.isEmpty { out.append("\(source): ignored, not mapped (not rows): \(Self.describe(ignored)) — map their codes in the pipeline's fhir: section if they are services") }
        return out
    }
    private var ownNotes: [String] = []
    /// Records without a provider whose participant/performer codes are all unmapped, and the first code.
    private var withoutProvider = (count: 0, first: "")
    public var minimumFieldCount = 0
    public var headerLine: Int? { nil }
    /// Resources per type that completed others, and resources not mapped (by type and reason).
    public private(set) var contextCounts: [String: Int] = [:]
    public private(set) var ignoredCounts: [String: Int] = [:]

    public init(path: String, source: String, context: FHIRContext, limits: JSONLimits = JSONLimits()) {
        self.path = path
        self.source = source
        self.context = context
        self.limits = limits
    }

    public func note(_ text: String) { ownNotes.append(text) }

    /// FHIR's resource type names: a capital ASCII letter, then ASCII letters (at most 64).
    static func isResourceTypeName(_ type: String) -> Bool {
        let bytes = type.utf8
        guard let first = bytes.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z"), bytes.count <= 64 else { return false }
        return bytes.allSatisfy { ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") }
    }

    /// The counts by type, at most `maxListed` of them named (by name), the rest summed.
    static func describe(_ counts: [String: Int]) -> String {
        let sorted = counts.sorted { $0.key < $1.key }
        var listed = sorted.prefix(maxListed).map { "\($0.value) \($0.key)" }
        if sorted.count > maxListed {
            let rest = sorted.dropFirst(maxListed)
            listed.append("\(rest.reduce(0) { $0 + $1.value }) of \(rest.count) other kinds")
        }
        return listed.joined(separator: ", ")
    }
    static let maxListed = 20
    static let entryWithoutResource = "Bundle entry without a resource"

    public func read(_ body: (RecordSourceEvent) throws -> Void) throws {
        var builder = RecordBuilder()
        try body(.section(label: source))
        for name in Self.fields { builder.append(name) }
        try builder.withRecord(line: 0) { try body(.record($0, issues: [])) }
        var reader = FHIRFileReader(path: path, limits: limits)
        try reader.read { event in
            switch event {
            case .resource(let position, let resource, let fullUrl):
                let (container, contained) = FHIRContained.split(resource, fullUrl: fullUrl)
                countContained(contained)
                switch Self.checkedForNUL(make(container, fullUrl: fullUrl)) {
                case .record(let values, let unmappedProvider):
                    if values[12].isEmpty && !unmappedProvider.isEmpty {
                        withoutProvider.count += 1
                        if withoutProvider.first.isEmpty { withoutProvider.first = unmappedProvider }
                    }
                    builder.reset()
                    for v in values { builder.append(v) }
                    try builder.withRecord(line: position) { try body(.record($0, issues: [])) }
                case .context(let type): contextCounts[type, default: 0] += 1
                // The resource type is the input's text: masked like a NIK in rejects.csv, as
                // the notes go to run.json and the log (FuzzFHIR checks this).
                case .ignored(let what): ignoredCounts[PersonID.maskEmbeddedIdentifiers(what), default: 0] += 1
                case .rejected(let id, let field, let message):
                    // A reference or code quoted in the message is the input's text: a NUL or
                    // line feed in it is shown `\xNN`, never written raw into rejects.csv.
                    try body(.rejected(Diagnostic(location: SourceLocation(source: source, line: position),
                                                  recordID: VisibleText.escapingControls(id), rule: .fhir, field: field,
                                                  value: "", message: VisibleText.escapingControls(message))))
                }
            case .emptyEntry:
                ignoredCounts[Self.entryWithoutResource, default: 0] += 1
            case .malformed(let position, let message):
                try body(.malformed(line: position, message: message))
            case .bundle(let type):
                if !["collection", "transaction", "searchset", "batch"].contains(type) {
                    ownNotes.append("\(source): a Bundle of type \"\(VisibleText.quoting(type, limit: 64))\"; its entries were read as a collection")
                }
            }
        }
        blankRows = reader.blankLines
    }

    /// Contained resources are never rows (they belong to their container): those that
    /// complete it are counted with the context, by type and "(contained)"; one that would be a
    /// record of its own is counted ignored, with what to do.
    private func countContained(_ contained: [JSONValue]) {
        for r in contained {
            switch make(r, fullUrl: nil) {
            case .context(let type): contextCounts[type + " (contained)", default: 0] += 1
            case .ignored(let what): ignoredCounts[PersonID.maskEmbeddedIdentifiers(what) + " (contained)", default: 0] += 1
            case .record, .rejected:
                // `make` refuses a type that is no type name: then it is not shown (the input's text).
                let type = r["resourceType"]?.text ?? ""
                let shown = Self.isResourceTypeName(type) ? type : "resource whose resourceType is no FHIR type name"
                ignoredCounts[shown + " (contained: not read as a record of its own — export it as a resource, not inside another)", default: 0] += 1
            }
        }
    }

    /// The first of `codes` as `system|code` (the bare code without a system); nil for none.
    static func firstCode(_ codes: [(system: String, code: String)]) -> String? {
        codes.first.map { $0.system.isEmpty ? $0.code : $0.system + "|" + $0.code }
    }

    /// The name field of a record (published only with --keep-identifiers).
    private static let nameField = fields.firstIndex(of: "name")!

    /// `outcome` with no NUL (JSON's \u0000) left to reach the outputs as a raw byte, which
    /// CSV tools refuse: in the name the record keeps, the NUL shown `\x00`; in any other
    /// field — no FHIR id, code or date holds one — the resource is rejected E-FHIR.
    private static func checkedForNUL(_ outcome: Outcome) -> Outcome {
        guard case .record(var values, let unmappedProvider) = outcome, values.contains(where: { $0.utf8.contains(0) }) else { return outcome }
        values[nameField] = VisibleText.escapingControls(values[nameField])
        guard let k = values.firstIndex(where: { $0.utf8.contains(0) }) else { return .record(values, unmappedProvider: unmappedProvider) }
        let id = VisibleText.escapingControls(values[0])
        return .rejected(id: id, field: fields[k],
                         message: "\(id): \(fields[k]) holds a NUL character (\\u0000); the export is damaged — export it again")
    }

    /// A Quantity's value as text; nil without a Quantity. A `valueQuantity` that is not an
    /// object with a value (`"17"`, `{"unit": "kg"}`) gives text no result rule reads, so the
    /// record is `W-RESULT` (its value unreadable) instead of a service without a result.
    static func quantity(_ q: JSONValue?) -> String? {
        guard let q else { return nil }
        return q["value"]?.text ?? "(valueQuantity without a value)"
    }

    /// Statuses that record no service given (FHIR R4's value sets): `entered-in-error` of any
    /// resource; an Encounter `planned` or `cancelled`; an Observation `registered` (no result
    /// yet) or `cancelled`; an Immunization `not-done`; a Procedure in `preparation`, `on-hold` or
    /// `not-done`. They are counted in the notes, never rows.
    static func notGiven(type: String, status: String) -> Bool {
        switch (type, status) {
        case (_, "entered-in-error"), ("Encounter", "planned"), ("Encounter", "cancelled"),
             ("Observation", "registered"), ("Observation", "cancelled"), ("Immunization", "not-done"),
             ("Procedure", "preparation"), ("Procedure", "on-hold"), ("Procedure", "not-done"):
            return true
        default:
            return false
        }
    }

    /// The service of an Encounter's `type` / `serviceType` codes, or nil.
    private func encounterService(_ r: JSONValue) -> String? {
        (codings(r["type"]) + codings(r["serviceType"])).lazy
            .compactMap { self.context.mapping.service(system: $0.system, code: $0.code) }.first
    }

    /// Whether an Encounter is a service (of an antenatal episode, or of a mapped type) rather
    /// than one that only holds its Observations.
    private func isServiceEncounter(_ r: JSONValue) -> Bool {
        if let episode = r["episodeOfCare"].elements.first?.reference, context.antenatal[episode] != nil { return true }
        return encounterService(r) != nil
    }

    private enum Outcome {
        /// The fields, and the first provider code `fhir.providers` does not map when the
        /// resource (or its Encounter) had codes and none maps (empty otherwise), for the note.
        case record([String], unmappedProvider: String)
        case context(String)
        case ignored(String)
        case rejected(id: String, field: String, message: String)
    }

    /// An Immunization's or Procedure's provider: its performers' function codes, else the
    /// profession of the Practitioner or PractitionerRole they name, else its Encounter's.
    private func providerOf(performers: [JSONValue], encounter: FHIRContext.Encounter?) -> String {
        let byFunction = context.provider(performers.flatMap { codings($0["function"]) })
        if !byFunction.isEmpty { return byFunction }
        return context.profession(of: performers.compactMap { $0["actor"]?.reference }) ?? encounter?.provider ?? ""
    }

    private func make(_ r: JSONValue, fullUrl: String?) -> Outcome {
        let mapping = context.mapping
        var unmappedProvider = ""
        guard let type = r["resourceType"]?.text else {
            return .rejected(id: "", field: "resourceType", message: "a JSON object without resourceType is not a FHIR resource")
        }
        guard Self.isResourceTypeName(type) else {
            let shown = VisibleText.quoting(type, limit: 64)
            return .rejected(id: VisibleText.escapingControls(r["id"]?.text ?? ""), field: "resourceType",
                             message: "resourceType \"\(shown)\"\(type.count > 64 ? "…" : "") is not the name of a FHIR resource type (a capital letter, then letters: Patient, Encounter …); export the resource again")
        }
        let status = r["status"]?.text ?? ""
        if Self.notGiven(type: type, status: status) { return .ignored("\(type) (status \(status))") }
        switch type {
        case "Patient", "EpisodeOfCare", "Organization", "Location", "Practitioner", "PractitionerRole": return .context(type)
        case "Encounter", "Observation", "Immunization", "Procedure": break
        default: return .ignored(type)
        }
        let recordID: String
        if let id = r["id"]?.text, !id.isEmpty {
            recordID = type + "/" + id
        } else if let fullUrl, !fullUrl.isEmpty {
            recordID = fullUrl   // a transaction Bundle's entry: its fullUrl is its name
        } else {
            // An Encounter that only holds other resources is no row, id or not.
            if type == "Encounter" && !isServiceEncounter(r) { return .context(type) }
            return .rejected(id: "", field: "id", message: "\(type) without an id (and not in a Bundle entry with a fullUrl) cannot be a record (record_id is Type/id); export it with its id")
        }
        var values = Array(repeating: "", count: Self.fields.count)
        values[0] = recordID
        let encounterRef = r["encounter"]?.reference ?? ""
        let encounter = context.encounters[encounterRef]
        var service = ""
        switch type {
        case "Encounter":
            guard let e = context.encounters[recordID] else { return .context(type) }
            if let pregnancy = context.antenatal[e.episode] {
                service = "ANC"
                values[13] = pregnancy
            } else if let s = encounterService(r) {
                service = s
            } else {
                return .context(type)   // an Encounter that only holds its Observations
            }
            // The LMP and gestational age Observations of the encounter (any service: Validate
            // reads them for ANC only, as it does a CSV row's hpht and usia_kehamilan).
            values[14] = context.lmp[recordID] ?? ""
            values[15] = context.gestation[recordID] ?? ""
            values[1] = e.date
            values[8] = e.facilityType
            values[9] = e.facilityID
            values[12] = e.provider
            unmappedProvider = e.unmappedProvider
        case "Observation":
            let cs = codings(r["code"])
            func has(_ set: Set<String>) -> Bool { cs.contains { FHIRMapping.contains(set, system: $0.system, code: $0.code) } }
            guard let s = cs.lazy.compactMap({
                FHIRMapping.lookup(mapping.observations, system: $0.system, code: $0.code)
                    ?? ($0.system == mapping.serviceCodeSystem ? $0.code : nil)
            }).first else {
                if has(mapping.lmpCodes) || has(mapping.gestationCodes) || has(mapping.diastolicCodes) { return .context(type) }
                return .ignored("Observation (code not in fhir.observations)")
            }
            service = s
            // Not measured: no value, and the reason why (`not-performed`, `asked-declined` …).
            if r["dataAbsentReason"] != nil && r["valueQuantity"] == nil && r["valueString"] == nil && r["component"] == nil {
                return .ignored("Observation (dataAbsentReason: no value)")
            }
            if has(mapping.systolicCodes) {
                let sys = Self.quantity(r["valueQuantity"]) ?? ""
                values[11] = context.pairKeys(r).lazy.compactMap { self.context.diastolic[$0] }.first.map { sys + "/" + $0 } ?? sys
            } else if r["component"] != nil {
                var sys = "", dia = ""
                for c in r["component"].elements {
                    let v = Self.quantity(c["valueQuantity"]) ?? ""
                    for cc in codings(c["code"]) {
                        if FHIRMapping.contains(mapping.systolicCodes, system: cc.system, code: cc.code) { sys = v }
                        if FHIRMapping.contains(mapping.diastolicCodes, system: cc.system, code: cc.code) { dia = v }
                    }
                }
                values[11] = sys.isEmpty && dia.isEmpty ? "" : sys + "/" + dia
            } else if let q = r["valueQuantity"], let value = q["value"]?.text {
                // UCUM's `code`, else the `unit` shown; an empty one is none.
                let unit = [q["code"]?.text, q["unit"]?.text].lazy.compactMap { $0 }.first { !$0.isEmpty }
                values[11] = FHIRQuantity.result(value: value, unit: unit, expected: mapping.resultUnits[s.uppercased()])
            } else {
                values[11] = Self.quantity(r["valueQuantity"]) ?? r["valueString"]?.text ?? ""
            }
            values[1] = r["effectiveDateTime"]?.text ?? r["effectivePeriod"]?["start"]?.text ?? encounter?.date ?? ""
            // A performer that is a place: SATUSEHAT's Observations name the Practitioner first.
            (values[9], values[8]) = encounter.map { ($0.facilityID, $0.facilityType) }
                ?? context.facility(r["performer"].elements.first { self.context.isSite($0.reference ?? "") }, classCodes: [])
            values[12] = context.profession(of: r["performer"].elements.compactMap { $0.reference }) ?? encounter?.provider ?? ""
            unmappedProvider = encounter?.unmappedProvider ?? ""
        case "Immunization":
            let cs = codings(r["vaccineCode"])
            if let (coding, doses) = cs.lazy.compactMap({ c in mapping.doses(system: c.system, code: c.code).map { (c, $0) } }).first {
                // A product of several doses: the dose number says which.
                let applied = r["protocolApplied"].elements.first
                let written = applied?["doseNumberPositiveInt"]?.text ?? applied?["doseNumberString"]?.text
                guard let written, let n = Int(written), n >= 1, n <= doses.count else {
                    let shown = "\(coding.system)|\(coding.code)"
                    let given = written.map { "is \(VisibleText.quoting($0, limit: 20))" } ?? "is missing"
                    return .rejected(id: recordID, field: "protocolApplied", message: "\(recordID): vaccine code \(shown) gives \(doses.joined(separator: ", ")) by its dose number (protocolApplied.doseNumberPositiveInt), which \(given); export the dose number, 1 to \(doses.count)")
                }
                service = doses[n - 1]
            } else if let s = cs.lazy.compactMap({ mapping.service(system: $0.system, code: $0.code) }).first {
                service = s
            } else {
                let shown = cs.map { "\($0.system)|\($0.code)" }.joined(separator: ", ")
                return .rejected(id: recordID, field: "vaccineCode", message: "\(recordID): vaccine code \(shown.isEmpty ? "(none)" : shown) is not in the pipeline's fhir.services table; add it there with its service code (HB0, BCG, POLIO1 …), or to fhir.vaccine_doses with the service of each dose")
            }
            values[1] = r["occurrenceDateTime"]?.text ?? encounter?.date ?? ""
            let performers = r["performer"].elements
            let actor = performers.first { self.context.isSite($0["actor"]?.reference ?? "") }?["actor"]
            if let site = actor ?? r["location"] {
                (values[9], values[8]) = context.facility(site, classCodes: [])
            } else if let e = encounter {
                (values[9], values[8]) = (e.facilityID, e.facilityType)
            } else {
                values[8] = mapping.defaultFacilityType
            }
            values[12] = providerOf(performers: performers, encounter: encounter)
            unmappedProvider = Self.firstCode(performers.flatMap { codings($0["function"]) }) ?? encounter?.unmappedProvider ?? ""
        default:  // Procedure
            guard let s = codings(r["code"]).lazy.compactMap({ mapping.service(system: $0.system, code: $0.code) }).first else {
                return .ignored("Procedure (code not in fhir.services)")
            }
            service = s
            values[1] = r["performedDateTime"]?.text ?? r["performedPeriod"]?["start"]?.text ?? encounter?.date ?? ""
            let actor = r["performer"].elements.first { self.context.isSite($0["actor"]?.reference ?? "") }?["actor"]
            if let e = encounter {
                (values[9], values[8]) = (e.facilityID, e.facilityType)
            } else {
                (values[9], values[8]) = context.facility(r["location"] ?? actor, classCodes: [])
            }
            values[12] = providerOf(performers: r["performer"].elements, encounter: encounter)
            unmappedProvider = Self.firstCode(r["performer"].elements.flatMap { codings($0["function"]) }) ?? encounter?.unmappedProvider ?? ""
        }
        values[10] = service
        let subjectKey = type == "Immunization" ? "patient" : "subject"
        // An Observation without a subject is of its Encounter's patient.
        let fromEncounter = type == "Observation" && r[subjectKey] == nil ? encounter?.subject : nil
        guard let subject = r[subjectKey]?.reference ?? fromEncounter, !subject.isEmpty else {
            if let given = r[subjectKey], given["identifier"] != nil || given["display"] != nil {
                return .rejected(id: recordID, field: subjectKey, message: "\(recordID) names its Patient only by identifier or display, not by a reference; export the \(subjectKey) as a reference to a Patient of the export (Patient/id)")
            }
            return .rejected(id: recordID, field: subjectKey, message: "\(recordID) has no \(subjectKey) reference; a record needs its Patient")
        }
        guard let p = context.patients[subject] else {
            if subject.hasPrefix("#") {
                return .rejected(id: recordID, field: subjectKey, message: "\(recordID) refers to \(subject), which is none of its contained resources; export the Patient with it")
            }
            return .rejected(id: recordID, field: subjectKey, message: "\(recordID) refers to \(subject), which is not in the export's fhir/ files; export the Patient resources too")
        }
        // The visit's and the LMP's date on the district's calendar, not UTC's.
        values[1] = FHIRDateTime.local(values[1], offsetMinutes: mapping.utcOffsetMinutes)
        values[14] = FHIRDateTime.local(values[14], offsetMinutes: mapping.utcOffsetMinutes)
        values[2] = p.person
        values[3] = p.birthDate
        values[4] = p.sex
        values[5] = p.village
        values[6] = p.rw
        values[7] = p.rt
        values[16] = p.name
        return .record(values, unmappedProvider: unmappedProvider)
    }
}
