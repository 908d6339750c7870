import Foundation
import Ingest
import PWSCore
import Testing
@testable import Pipeline

/// The pipeline's `fhir:` section (spec §A3): tables add to the default mapping, values replace it.
@Suite struct FHIRMappingDefinitionTests {
    @Test func tablesAddToTheDefaultsAndValuesReplaceThem() throws {
        let d = try PipelineDefinitionTests.load("""
        fhir:
          nik_system: https://example.org/nik
          default_facility_type: pustu
          services:
            "http://sys-ids.kemkes.go.id/kfa|93001019": BCG
          observations:
            "http://loinc.org|29463-7": UKUR_TB
          antenatal_episode_codes: [K1]

        """)
        #expect(d.fhir.nikSystem == "https://example.org/nik")
        #expect(d.fhir.defaultFacilityType == "pustu")
        #expect(d.fhir.services["http://sys-ids.kemkes.go.id/kfa|93001019"] == "BCG")
        // The defaults stay: PERSALINAN's SNOMED code is still there; 29463-7 was overridden.
        #expect(d.fhir.services["http://snomed.info/sct|236973005"] == "PERSALINAN")
        #expect(d.fhir.observations["http://loinc.org|29463-7"] == "UKUR_TB")
        #expect(d.fhir.antenatalEpisodeCodes == ["K1"])
        #expect(try PipelineDefinitionTests.load("").fhir == FHIRMapping())
    }

    /// `utc_offset`: an offset or one of Indonesia's zones; WIB by default; anything else is
    /// refused at its line.
    @Test func utcOffset() throws {
        #expect(try PipelineDefinitionTests.load("").fhir.utcOffsetMinutes == 420)
        #expect(try PipelineDefinitionTests.load("fhir:\n  utc_offset: WITA\n").fhir.utcOffsetMinutes == 480)
        #expect(try PipelineDefinitionTests.load("fhir:\n  utc_offset: \"+09:00\"\n").fhir.utcOffsetMinutes == 540)
        #expect {
            _ = try PipelineDefinitionTests.load("fhir:\n  utc_offset: Asia/Jakarta\n")
        } throws: { error in
            guard let e = error as? PWSError else { return false }
            return e.location?.line == 5 && e.message.hasPrefix("fhir.utc_offset: \"Asia/Jakarta\" is not an offset from UTC")
        }
    }

    @Test func vaccineDoses() throws {
        let d = try PipelineDefinitionTests.load("fhir:\n  vaccine_doses:\n    \"http://sys-ids.kemkes.go.id/kfa|VG89\": [POLIO1, POLIO2]\n")
        #expect(d.fhir.vaccineDoses == ["http://sys-ids.kemkes.go.id/kfa|VG89": ["POLIO1", "POLIO2"]])
        let refused = [("VG89: []", "fhir.vaccine_doses.VG89: give the service of each dose in order, e.g. [POLIO1, POLIO2, POLIO3, POLIO4]"),
                       ("VG89: [POLIO1, \"\"]", "fhir.vaccine_doses.VG89: give the service of each dose in order, e.g. [POLIO1, POLIO2, POLIO3, POLIO4]"),
                       ("VG89: POLIO1", "fhir.vaccine_doses.VG89")]
        for (entry, message) in refused {
            #expect {
                _ = try PipelineDefinitionTests.load("fhir:\n  vaccine_doses:\n    \(entry)\n")
            } throws: { error in
                guard let e = error as? PWSError else { return false }
                return e.location?.line == 6 && e.message.hasPrefix(message)
            }
        }
    }

    /// An unknown setting or facility type is a usage error at its line (line 5 of the file).
    @Test func mistakesAreRefusedAtTheirLine() throws {
        for body in ["fhir:\n  nik: x\n", "fhir:\n  default_facility_type: kantor\n"] {
            #expect {
                _ = try PipelineDefinitionTests.load(body)
            } throws: { error in
                guard let e = error as? PWSError else { return false }
                return e.location?.line == 5
            }
        }
    }
}
