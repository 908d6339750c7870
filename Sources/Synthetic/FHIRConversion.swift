import Foundation
import Ingest
import PWSCore

/// `pws generate --format fhir`: the generated service files rewritten as a FHIR R4 bulk export
/// (NDJSON) holding the same records, so a CSV run and a FHIR run of one seed can be compared
/// (issue #14, spec §A3). Written with the default `fhir:` mapping in mind (docs/fhir.md):
///
/// - `fhir/Patient.ndjson`: one Patient per distinct (person, birth date, sex, village, RW, RT)
///   of the records — a person who moved has one Patient per address, all with the same NIK;
/// - `fhir/Organization.ndjson`: one Organization per (facility id, facility type), the type
///   as a code of the `…/fasilitas` system, no identifier when the record had no facility id;
/// - `fhir/EpisodeOfCare.ndjson`: one antenatal EpisodeOfCare per pregnancy_id;
/// - `fhir/<file>.ndjson` per `layanan/<file>.csv`: per record, in file order, an Encounter
///   (ANC, with its LMP and gestational-age Observations), an Observation (measurements, by
///   LOINC where the default mapping has the code), an Immunization, or a Procedure; the
///   resource id is the record_id.
///
/// Records a FHIR resource cannot carry are left out, as the xlsx conversion leaves out
/// records it cannot hold: malformed CSV records, and records whose visit or birth date is not
/// a date, whose facility type is not one of §2.4, or whose record_id, person or service is
/// empty or not a valid FHIR id. Each of them is rejected in the CSV run, so both runs give
/// the same indicators.
enum FHIRConversion {
    static let facilitySystem = "https://pws.dinkes.local/CodeSystem/fasilitas"
    static let providerSystem = "https://pws.dinkes.local/CodeSystem/nakes"
    static let episodeSystem = "https://pws.dinkes.local/CodeSystem/episode"
    static let loinc: [String: String] = [
        "TIMBANG": "29463-7", "UKUR_TB": "8302-2", "LILA": "56072-2", "HB": "718-7", "LK": "9843-4",
        "IMT": "39156-5", "LINGKAR_PERUT": "8280-0",
    ]
    static let units: [String: (String, String)] = [
        "TIMBANG": ("kg", "kg"), "UKUR_TB": ("cm", "cm"), "LILA": ("cm", "cm"), "LK": ("cm", "cm"),
        "HB": ("g/dL", "g/dL"), "IMT": ("kg/m2", "kg/m2"), "LINGKAR_PERUT": ("cm", "cm"), "GDS": ("mg/dL", "mg/dL"),
    ]
    static let measured: Set<String> = ["TIMBANG", "UKUR_TB", "LILA", "LK", "HB", "IMT", "LINGKAR_PERUT", "TENSI",
                                        "GDS", "SRQ20", "PUMA", "TTD_BUMIL"]
    static let vaccines: Set<String> = {
        var s: Set<String> = ["HB0", "BCG", "IPV1", "IPV2", "MR1", "MR2"]
        for i in 1...4 { s.insert("POLIO\(i)"); s.insert("DPTHBHIB\(i)") }
        for i in 1...3 { s.insert("PCV\(i)"); s.insert("RV\(i)") }
        return s
    }()

    /// Converts every `layanan/*.csv` of `paths`; returns the new paths, bytes and records left out.
    static func convertServiceFiles(in directory: String, paths: [String]) throws -> (paths: [String], bytes: Int, dropped: Int) {
        let mapping = FHIRMapping()
        var state = State()
        var out: [String] = []
        var dropped = 0
        var bytes = 0
        try FileManager.default.createDirectory(atPath: directory + "/fhir", withIntermediateDirectories: true)
        for path in paths {
            guard path.hasPrefix("layanan/"), path.lowercased().hasSuffix(".csv") else {
                out.append(path)
                continue
            }
            let name = String(path.dropFirst("layanan/".count).dropLast(4))
            let target = "fhir/" + name + ".ndjson"
            var lines: [String] = []
            let reader = try TableReader(path: directory + "/" + path, source: path,
                                         names: try TableColumnNames(schema: .layanan, extraAliases: ["visit_date": ["tgl_layanan"]]))
            let summary = try reader.read(row: { row in
                if let resources = try state.resources(row, mapping: mapping) {
                    lines += resources
                } else {
                    dropped += 1
                }
            }, problem: { _ in })
            dropped += summary.rowsRejected
            bytes += try write(lines, to: directory + "/" + target)
            try FileManager.default.removeItem(atPath: directory + "/" + path)
            out.append(target)
        }
        try? FileManager.default.removeItem(atPath: directory + "/layanan")
        for (file, lines) in [("Patient", state.patientLines), ("Organization", state.organizationLines),
                              ("EpisodeOfCare", state.episodeLines)] {
            bytes += try write(lines, to: directory + "/fhir/\(file).ndjson")
            out.append("fhir/\(file).ndjson")
        }
        return (out, bytes, dropped)
    }

    private static func write(_ lines: [String], to path: String) throws -> Int {
        let data = Data((lines.map { $0 + "\n" }.joined()).utf8)
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw PWSError(.outputNotWritable, "cannot write \(path)")
        }
        return data.count
    }

    /// JSON text of one resource, keys sorted (the same records give the same bytes).
    static func json(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// A FHIR id: 1–64 of letters, digits, `-` and `.`.
    static func isID(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x2E
        }
    }

    /// A decimal as FHIR writes it (`15,4` → 15.4), or nil when the text is something else.
    static func decimal(_ s: String) -> NSDecimalNumber? {
        let t = s.replacingOccurrences(of: ",", with: ".")
        let bytes = Array(t.utf8)
        guard !bytes.isEmpty, bytes.filter({ $0 == 0x2E }).count <= 1, bytes.first != 0x2E, bytes.last != 0x2E,
              bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }) else { return nil }
        if bytes.count > 1 && bytes[0] == 0x30 && bytes[1] != 0x2E { return nil }  // 07: not a JSON number
        let n = NSDecimalNumber(string: t, locale: Locale(identifier: "en_US_POSIX"))
        return n == NSDecimalNumber.notANumber ? nil : n
    }

    struct State {
        var patients: [String: String] = [:]
        var patientLines: [String] = []
        var organizations: [String: String] = [:]
        var organizationLines: [String] = []
        var episodes: [String: String] = [:]
        var episodeLines: [String] = []
        /// The resource type each record_id was written as: a record_id used again for a record
        /// of another type is left out (the CSV run rejects it as E-DUPLICATE-ID or drops it as
        /// W-DUPLICATE; as another type it would be a second record).
        var types: [String: String] = [:]

        /// The default pipeline's facility_type value aliases (pipelines/default.yaml).
        static func pipelineAlias(_ text: String) -> FacilityType? {
            ["polindes", "poskesdes"].contains(EnumDecoder<Int>.normalise(text)) ? .pustu : nil
        }

        func coding(_ system: String, _ code: String) -> [String: Any] {
            ["coding": [["system": system, "code": code]]]
        }

        /// The resources of one record, or nil when FHIR cannot carry it.
        mutating func resources(_ row: TableRow, mapping: FHIRMapping) throws -> [String]? {
            func f(_ field: LayananField) -> String { row.string(field) }
            let id = f(.recordID), person = f(.personID), serviceText = f(.serviceCode)
            guard FHIRConversion.isID(id), !person.isEmpty, !serviceText.isEmpty,
                  let visit = Day.parse(f(.visitDate)), let birth = Day.parse(f(.birthDate)),
                  let facilityType = FacilityType.decoder.decode(f(.facilityType)) ?? Self.pipelineAlias(f(.facilityType))
            else { return nil }
            let service = EnumDecoder<Int>.normalise(serviceText).uppercased()
            let type = service == "ANC" ? "Encounter" : FHIRConversion.vaccines.contains(service) ? "Immunization"
                : FHIRConversion.measured.contains(service) ? "Observation" : "Procedure"
            if let earlier = types[id], earlier != type { return nil }
            types[id] = type
            let sex = f(.sex)
            let gender = sex.isEmpty ? nil : Sex.decoder.decode(sex).map { $0 == .male ? "male" : "female" } ?? "unknown"

            // Patient of this (person, birth, sex, area).
            let patientKey = [person, birth.description, gender ?? "", f(.villageCode), f(.rw), f(.rt)].joined(separator: "\u{1F}")
            let patientID: String
            if let known = patients[patientKey] {
                patientID = known
            } else {
                patientID = "pt-\(patients.count + 1)"
                patients[patientKey] = patientID
                var area: [[String: Any]] = []
                for (url, value) in [("village", f(.villageCode)), ("rw", f(.rw)), ("rt", f(.rt))] where !value.isEmpty {
                    area.append(["url": url, "valueCode": value])
                }
                var p: [String: Any] = ["resourceType": "Patient", "id": patientID, "birthDate": birth.description,
                                        "identifier": [["system": mapping.nikSystem, "value": person]]]
                if let gender { p["gender"] = gender }
                if !area.isEmpty {
                    p["address"] = [["use": "home", "extension": [["url": mapping.addressExtension, "extension": area]]]]
                }
                patientLines.append(try FHIRConversion.json(p))
            }
            // Organization of this (facility id, type).
            let facilityID = f(.facilityID)
            let orgKey = facilityID + "\u{1F}" + facilityType.code
            let orgID: String
            if let known = organizations[orgKey] {
                orgID = known
            } else {
                orgID = "org-\(organizations.count + 1)"
                organizations[orgKey] = orgID
                var o: [String: Any] = ["resourceType": "Organization", "id": orgID,
                                        "type": [coding(FHIRConversion.facilitySystem, facilityType.code)]]
                if !facilityID.isEmpty {
                    o["identifier"] = [["system": "https://pws.dinkes.local/id/fasilitas", "value": facilityID]]
                }
                organizationLines.append(try FHIRConversion.json(o))
            }
            let subject: [String: Any] = ["reference": "Patient/" + patientID]
            let site: [String: Any] = ["reference": "Organization/" + orgID]
            let provider = Provider.decode(f(.provider))
            let role: [String: Any]? = provider == .none ? nil : coding(FHIRConversion.providerSystem, provider.code)
            let date = visit.description
            var out: [String] = []

            if service == "ANC" {
                var e: [String: Any] = [
                    "resourceType": "Encounter", "id": id, "status": "finished",
                    "class": ["system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"],
                    "type": [coding(mapping.serviceCodeSystem, "ANC")],
                    "subject": subject, "period": ["start": date], "serviceProvider": site,
                ]
                if let role { e["participant"] = [["type": [role]]] }
                let pregnancy = f(.pregnancyID)
                if !pregnancy.isEmpty {
                    let key = person + "\u{1F}" + pregnancy
                    let episodeID: String
                    if let known = episodes[key] {
                        episodeID = known
                    } else {
                        episodeID = FHIRConversion.isID(pregnancy) && !episodes.values.contains(pregnancy)
                            ? pregnancy : "preg-\(episodes.count + 1)"
                        episodes[key] = episodeID
                        episodeLines.append(try FHIRConversion.json([
                            "resourceType": "EpisodeOfCare", "id": episodeID, "status": "finished",
                            "type": [coding(FHIRConversion.episodeSystem, "ANC")], "patient": subject,
                        ]))
                    }
                    e["episodeOfCare"] = [["reference": "EpisodeOfCare/" + episodeID]]
                }
                out.append(try FHIRConversion.json(e))
                let encounter: [String: Any] = ["reference": "Encounter/" + id]
                if let lmp = Day.parse(f(.lmpDate)) {
                    out.append(try FHIRConversion.json([
                        "resourceType": "Observation", "id": id + ".hpht", "status": "final",
                        "code": coding("http://loinc.org", "8665-2"), "subject": subject, "encounter": encounter,
                        "effectiveDateTime": date, "valueDateTime": lmp.description,
                    ]))
                }
                if let weeks = FHIRConversion.decimal(f(.gestationalWeeks)) {
                    out.append(try FHIRConversion.json([
                        "resourceType": "Observation", "id": id + ".uk", "status": "final",
                        "code": coding("http://loinc.org", "18185-9"), "subject": subject, "encounter": encounter,
                        "effectiveDateTime": date,
                        "valueQuantity": ["value": weeks, "unit": "wk", "system": "http://unitsofmeasure.org", "code": "wk"],
                    ]))
                }
                return out
            }
            if FHIRConversion.vaccines.contains(service) {
                var i: [String: Any] = [
                    "resourceType": "Immunization", "id": id, "status": "completed",
                    "vaccineCode": coding(mapping.serviceCodeSystem, service), "patient": subject,
                    "occurrenceDateTime": date,
                ]
                var performer: [String: Any] = ["actor": site]
                if let role { performer["function"] = role }
                i["performer"] = [performer]
                return [try FHIRConversion.json(i)]
            }
            if FHIRConversion.measured.contains(service) {
                var o: [String: Any] = [
                    "resourceType": "Observation", "id": id, "status": "final", "subject": subject,
                    "effectiveDateTime": date, "performer": [site],
                ]
                let result = f(.result)
                if service == "TENSI" {
                    o["code"] = coding("http://loinc.org", "85354-9")
                    let parts = result.split(separator: "/", omittingEmptySubsequences: false)
                        .map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.count == 2, let sys = Int(parts[0]), let dia = Int(parts[1]), sys >= 0, dia >= 0 {
                        o["component"] = [
                            ["code": coding("http://loinc.org", "8480-6"),
                             "valueQuantity": ["value": sys, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"]],
                            ["code": coding("http://loinc.org", "8462-4"),
                             "valueQuantity": ["value": dia, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"]],
                        ]
                    } else if !result.isEmpty {
                        o["valueString"] = result
                    }
                } else {
                    o["code"] = FHIRConversion.loinc[service].map { coding("http://loinc.org", $0) }
                        ?? coding(mapping.serviceCodeSystem, service)
                    if let value = FHIRConversion.decimal(result) {
                        var q: [String: Any] = ["value": value]
                        if let (unit, code) = FHIRConversion.units[service] {
                            q["unit"] = unit
                            q["system"] = "http://unitsofmeasure.org"
                            q["code"] = code
                        }
                        o["valueQuantity"] = q
                    } else if !result.isEmpty {
                        o["valueString"] = result
                    }
                }
                if let role {
                    // An Observation names no role: the provider rides on an Encounter of its own.
                    o["encounter"] = ["reference": "Encounter/" + id + ".enc"]
                    out.append(try FHIRConversion.json([
                        "resourceType": "Encounter", "id": id + ".enc", "status": "finished",
                        "class": ["system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"],
                        "subject": subject, "period": ["start": date], "serviceProvider": site,
                        "participant": [["type": [role]]],
                    ]))
                    o.removeValue(forKey: "performer")
                }
                out.append(try FHIRConversion.json(o))
                return out
            }
            var p: [String: Any] = [
                "resourceType": "Procedure", "id": id, "status": "completed",
                "code": coding(mapping.serviceCodeSystem, service), "subject": subject,
                "performedDateTime": date,
            ]
            var performer: [String: Any] = ["actor": site]
            if let role { performer["function"] = role }
            p["performer"] = [performer]
            return [try FHIRConversion.json(p)]
        }
    }
}
