import Foundation
import Testing

/// The shared run's folder, for the removal at exit (a C function pointer cannot capture it).
nonisolated(unsafe) private var dhis2SharedRunFolder = ""

/// `pws export dhis2` end to end on sample-data's published run: the values (hand-checked against
/// indicators.csv), the three layouts (JSON in the documented dataValueSets shape, the DHIS2 CSV
/// header, ADX valid against the published ADX schema with xmllint), the unmapped reported, and
/// bad mapping files refused with `file:line` and exit 64.
@Suite struct DHIS2ExportTests {
    /// One published run of sample-data, shared by the tests (read only); removed when the test
    /// process exits.
    static let run: String = {
        let dir = NSTemporaryDirectory() + "pws-dhis2-\(UUID().uuidString)"
        dhis2SharedRunFolder = dir
        atexit { if !dhis2SharedRunFolder.isEmpty { try? FileManager.default.removeItem(atPath: dhis2SharedRunFolder) } }
        _ = try? PWSBinary.run(["run", "--data", PWSBinary.packageRoot.appendingPathComponent("sample-data").path,
                                "--out", dir, "--today", "2026-01-15", "--quiet"])
        return dir + "/2025-12"
    }()

    static let example = PWSBinary.packageRoot.appendingPathComponent("docs/examples/dhis2-mapping.yaml").path

    static func export(_ mapping: String, _ format: String = "json") throws -> PWSBinary.Outcome {
        try PWSBinary.run(["export", "dhis2", "--run", run, "--mapping", mapping, "--format", format])
    }

    /// Writes a mapping file and returns its path.
    static func mapping(_ tmp: TempFolder, _ text: String) throws -> String {
        let path = tmp.path + "/mapping.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func csvCarriesNumeratorsAndDenominatorsPerMonth() throws {
        let r = try Self.export(Self.example, "csv")
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,followup")
        // indicators.csv, puskesmas P3201010101 (org unit code PKM-JATIWANGI), March 2025:
        // K1 numerator_month 10, denominator 98 (the sum of its villages, §A1). Values, not percentages.
        #expect(lines.contains("Jtf34kNZhzP,202503,PKM-JATIWANGI,,,10,,,\"pws K1 numerator, puskesmas P3201010101\",false"))
        #expect(lines.contains("Xk4vJ8eGk2a,202503,PKM-JATIWANGI,,,98,,,\"pws K1 denominator, puskesmas P3201010101\",false"))
        // 3 indicators × 2 parts × 2 puskesmas × 12 months = 144 values.
        #expect(lines.count == 1 + 144)
        #expect(r.stderr.contains("144 values (csv)"))
        // K4's numerator_month is 0 at Jatiwangi in January–March and at Bukitjaya in January
        // (indicators.csv): four zeros, which DHIS2 keeps only where zero is significant.
        #expect(lines.filter { $0.split(separator: ",", omittingEmptySubsequences: false)[5] == "0" }.map { $0.split(separator: ",")[0...2].joined(separator: ",") } == [
            "bqK6eSIwo3h,202501,PKM-JATIWANGI", "bqK6eSIwo3h,202501,PKM-BUKITJAYA", "bqK6eSIwo3h,202502,PKM-JATIWANGI",
            "bqK6eSIwo3h,202503,PKM-JATIWANGI",
        ])
        #expect(r.stderr.contains("note: 4 of the values are 0; DHIS2 stores a 0 (and replaces a value sent before) only for data elements whose \"Zero is significant\" is on"))
    }

    @Test func quarterlySumsTheMonthsNumeratorsAndMonthlyDenominators() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let text = try String(contentsOfFile: Self.example, encoding: .utf8)
            .replacingOccurrences(of: "periodType: Monthly", with: "periodType: Quarterly")
        let r = try Self.export(try Self.mapping(tmp, text), "csv")
        #expect(r.status == 0, "\(r.stderr)")
        // P3201010101, October–December: K1 numerators 11 + 13 + 8 = 32 over the year denominator 98 (the sum of its villages);
        // N_D 178 + 158 + 204 = 540 over its D_S denominators 293 + 344 + 358 = 995 (the sample's wide
        // register adds weighings in Sumbermurni, a village of this puskesmas). Derived from the
        // input files without pws: after the §3 rules and W-DUPLICATE (read 64 189, rejected 677,
        // duplicate 64, as run.json), K1 = §4.2 episodes of each woman's ANC records, each counted
        // at the month and village of its first visit; D_S = children 0–59 months with a TIMBANG
        // in the month (at their first record's village); N_D = those whose last valid weight of
        // the month exceeds that of the month before.
        #expect(r.stdout.contains("Jtf34kNZhzP,2025Q4,PKM-JATIWANGI,,,32,"))
        #expect(r.stdout.contains("Xk4vJ8eGk2a,2025Q4,PKM-JATIWANGI,,,98,"))
        #expect(r.stdout.contains("sB79w2hiLp8,2025Q4,PKM-JATIWANGI,,,540,"))
        #expect(r.stdout.contains("ZdWEkSu6Vc5,2025Q4,PKM-JATIWANGI,,,995,"))
        // 3 indicators × 2 parts × 2 puskesmas × 4 quarters.
        #expect(r.stdout.split(separator: "\n").count == 1 + 48)
    }

    /// A denominator that counts over the year so far (`measured` pregnancies tested for
    /// ANEMIA_BUMIL, the cumulative DPT1 of the drop-out rate) is sent as each month's part, so
    /// a quarter's (and DHIS2's sum over the year) is pws's cumulative one; UCI_DESA's number of
    /// villages is the year's, not added up. The quarters summed the column (ANEMIA_BUMIL Q4
    /// 37 + 44 + 49 = 130 pregnancies tested, UCI_DESA 12 villages of 4), and the months sent the
    /// cumulative figure beside the month's numerator.
    @Test(arguments: ["Quarterly", "Monthly"])
    func cumulativeDenominatorsAreSentAsTheirPeriodsPart(periodType: String) throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let mapping = try Self.mapping(tmp, """
            periodType: \(periodType)
            idScheme: CODE
            dataElements:
              ANEMIA_BUMIL: {numerator: {dataElement: AN_NUM}, denominator: {dataElement: AN_DEN}}
              DO_DPT1_MR1: {numerator: {dataElement: DO_NUM}, denominator: {dataElement: DO_DEN}}
              UCI_DESA: {numerator: {dataElement: UCI_NUM}, denominator: {dataElement: UCI_DEN}}
              STUNTING: {numerator: {dataElement: ST_NUM}, denominator: {dataElement: ST_DEN}}
              D_S: {numerator: {dataElement: DS_NUM}, denominator: {dataElement: DS_DEN}}
            orgUnits:
              areas: {"P3201010101": PKM-JATIWANGI}

            """)
        let r = try Self.export(mapping, "csv")
        #expect(r.status == 0, "\(r.stderr)")
        var values: [String: String] = [:]
        for line in r.stdout.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            values["\(f[0]) \(f[1])"] = String(f[5])
        }
        // indicators.csv of the sample's run, puskesmas P3201010101 (month: numerator_month,
        // numerator_cumulative, denominator): ANEMIA_BUMIL 1: 0 0 2, 2: 3 3 7, 3: 3 6 12, 9: 4 16 34,
        // 10: 2 18 37, 11: 5 23 44, 12: 1 24 49; DO_DPT1_MR1 9: 3 -7 58, 10: 4 -3 64, 11: 3 0 71,
        // 12: -6 -6 76; UCI_DESA 10–12: 0 2 4 (villages) — 2 of its 4 villages UCI, the state at
        // the month's end (numerator_month is the change: 0); STUNTING (monthly, measured)
        // 10: 3 73, 11: 3 78, 12: 4 71; D_S (monthly over the year's balita, the sum of the
        // villages') 10: 293 508, 11: 344 508, 12: 358 508.
        if periodType == "Quarterly" {
            #expect(values["AN_NUM 2025Q4"] == "8")      // 2 + 5 + 1
            #expect(values["AN_DEN 2025Q4"] == "15")     // 49 − 34
            #expect(values["DO_NUM 2025Q4"] == "1")      // 4 + 3 − 6
            #expect(values["DO_DEN 2025Q4"] == "18")     // 76 − 58
            #expect(values["UCI_NUM 2025Q4"] == "2")     // December's state, not 0 + 0 + 0
            #expect(values["UCI_DEN 2025Q4"] == "4")
            #expect(values["AN_DEN 2025Q1"] == "12")     // 12 − 0
            #expect(values["ST_NUM 2025Q4"] == "10")     // 3 + 3 + 4
            #expect(values["ST_DEN 2025Q4"] == "222")    // 73 + 78 + 71: each month's own count
            // A monthly indicator over a year denominator: each month's weighings over balita,
            // so Q4's D/S is the months' average (995 / 1524 = 65.3 %), not 995 / 508 = 196 %.
            #expect(values["DS_NUM 2025Q4"] == "995")    // 293 + 344 + 358
            #expect(values["DS_DEN 2025Q4"] == "1524")   // 508 × 3
        } else {
            #expect(values["AN_DEN 202501"] == "2")
            #expect(values["AN_DEN 202502"] == "5")      // 7 − 2
            #expect(values["AN_DEN 202503"] == "5")      // 12 − 7
            #expect(values["DO_DEN 202512"] == "5")      // 76 − 71
            #expect(values["UCI_DEN 202512"] == "4")
            #expect(values["UCI_NUM 202512"] == "2")
            #expect(values["ST_DEN 202511"] == "78")
            #expect(values["DS_NUM 202511"] == "344" && values["DS_DEN 202511"] == "508")
            // DHIS2's sum over the year is the year's cumulative denominator and numerator.
            let year = (1...12).map { values[String(format: "AN_DEN 2025%02d", $0)].flatMap { Int($0) } ?? -1000 }
            #expect(year.reduce(0, +) == 49)
            let numerators = (1...12).map { values[String(format: "AN_NUM 2025%02d", $0)].flatMap { Int($0) } ?? -1000 }
            #expect(numerators.reduce(0, +) == 24)
        }
    }

    @Test func jsonHasTheDataValueSetsShape() throws {
        let r = try Self.export(Self.example, "json")
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        // The fields of a data value set and of a data value in the DHIS2 developer guide
        // ("Sending data values", dataValueSets).
        let setFields: Set<String> = ["dataSet", "completeDate", "period", "orgUnit", "attributeOptionCombo", "dataValues"]
        let valueFields: Set<String> = ["dataElement", "period", "orgUnit", "categoryOptionCombo",
                                        "attributeOptionCombo", "value", "storedBy", "created", "lastUpdated",
                                        "comment", "followup"]
        #expect(Set((json ?? [:]).keys).isSubset(of: setFields))
        #expect(json?["dataSet"] as? String == "QX4ZTUbOt3a")
        let values = json?["dataValues"] as? [[String: Any]] ?? []
        #expect(values.count == 144)
        for v in values {
            #expect(Set(v.keys).isSubset(of: valueFields), "\(v.keys)")
            for key in ["dataElement", "period", "orgUnit", "value"] { #expect(v[key] is String, "\(key)") }
            let period = v["period"] as? String ?? ""
            #expect(period.count == 6 && period.allSatisfy(\.isNumber), "\(period)")
            #expect(Double(v["value"] as? String ?? "x") != nil)
        }
        let k1 = values.first { $0["dataElement"] as? String == "Jtf34kNZhzP" && $0["period"] as? String == "202503"
            && $0["orgUnit"] as? String == "PKM-JATIWANGI" }
        #expect(k1?["value"] as? String == "10")
    }

    @Test func adxValidatesAgainstThePublishedSchema() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let file = tmp.path + "/data.adx.xml"
        let r = try PWSBinary.run(["export", "dhis2", "--run", Self.run, "--mapping", Self.example,
                                   "--format", "adx", "--out", file])
        #expect(r.status == 0, "\(r.stderr)")
        let xml = try String(contentsOfFile: file, encoding: .utf8)
        #expect(xml.contains("<adx xmlns=\"urn:ihe:qrph:adx:2015\""))
        // One group per org unit and month: 2 × 12; March's K1 numerator of Jatiwangi is 10.
        #expect(xml.components(separatedBy: "<group ").count - 1 == 24)
        #expect(xml.contains("<group dataSet=\"QX4ZTUbOt3a\" orgUnit=\"PKM-JATIWANGI\" period=\"2025-03-01/P1M\">\n    <dataValue dataElement=\"Jtf34kNZhzP\" value=\"10\">"))
        let schema = PWSBinary.packageRoot.appendingPathComponent("Tests/Schemas/adx/adx_loose.xsd").path
        let v = try Self.xmllint(["--noout", "--schema", schema, file])
        #expect(v.status == 0, "xmllint: \(v.output)")
        // The check can fail: a period that is not an ISO interval does not validate.
        try xml.replacingOccurrences(of: "/P1M", with: "/month").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try Self.xmllint(["--noout", "--schema", schema, file]).status != 0)
    }

    static func xmllint(_ arguments: [String]) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint") else {
            Issue.record("xmllint is missing: install libxml2-utils (bash .ci/install-deps)")
            return (-1, "")
        }
        return try Tool.run("/usr/bin/xmllint", arguments)
    }

    @Test func unmappedAreasAndIndicatorsAreReportedNotDropped() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let path = try Self.mapping(tmp, """
        idScheme: UID
        dataElements:
          K1:
            numerator: { dataElement: Jtf34kNZhzP }
        orgUnits:
          areas:
            "P3201010101": DiszpKrYNg8
            "3201099999": ImspTQPwCqd
        """)
        let r = try Self.export(path, "csv")
        #expect(r.status == 0, "\(r.stderr)")
        // The other puskesmas (the mapped level) is listed; villages and RTs are not expected.
        #expect(r.stderr.contains("area P3201010201 (puskesmas Puskesmas Bukitjaya) has no org unit"))
        #expect(r.stderr.contains("indicator K4 has no data element"))
        #expect(r.stderr.contains("area 3201099999 of \(path) is not in this run"))
        // 49 indicators in the run, 1 mapped; 1 of 2 puskesmas unmapped; 12 months of one value.
        #expect(r.stderr.contains("12 values (csv); not exported: 48 unmapped indicator(s), 1 unmapped area(s)"))
        #expect(r.stdout.split(separator: "\n").count == 13)
    }

    @Test(arguments: [
        // (mapping text, line, message)
        ("dataElements:\n  K1:\n    numerator: { dataElement: Jtf34kNZhzP }\n  K1:\n    numerator: { dataElement: bqK6eSIwo3h }\norgUnits:\n  areas: { \"3201\": DiszpKrYNg8 }\n",
         2, "key \"K1\" appears more than once in the same mapping"),
        ("dataElements:\n  K1:\n    numerator: { dataElement: Jtf34kNZhzP }\norgUnits:\n  areas:\n    \"3201\": DiszpKrYNg8\n    \"3201\": ImspTQPwCqd\n",
         6, "key \"3201\" appears more than once in the same mapping"),
        ("dataElements:\n  K1:\n    numerator: { dataElement: Jtf34kNZhzP }\n  K99:\n    numerator: { dataElement: bqK6eSIwo3h }\norgUnits:\n  areas: { \"3201\": DiszpKrYNg8 }\n",
         4, "indicator \"K99\" is not in this run"),
        ("dataElements:\n  K1:\n    numerator: { dataElement: 1tf34kNZhzP }\norgUnits:\n  areas: { \"3201\": DiszpKrYNg8 }\n",
         3, "\"1tf34kNZhzP\" is not a DHIS2 uid"),
        ("dataElements:\n  K1:\n    numerator: { dataElement: Jtf34kNZhz }\norgUnits:\n  areas: { \"3201\": DiszpKrYNg8 }\n",
         3, "\"Jtf34kNZhz\" is not a DHIS2 uid"),
        ("dataElements:\n  K1:\n    numerator: { dataElement: Jtf34kNZhzP }\norgUnits:\n  areas: { \"3201\": Diszp-rYNg8 }\n",
         5, "\"Diszp-rYNg8\" is not a DHIS2 uid"),
        ("dataElements:\n  K1:\n    numerator: { dataElement: Jtf34kNZhzP }\n    denominatr: { dataElement: bqK6eSIwo3h }\norgUnits:\n  areas: { \"3201\": DiszpKrYNg8 }\n",
         4, "unknown key \"denominatr\""),
        ("dataElements:\n  K1:\n    numerator: { dataElement: Jtf34kNZhzP }\n  K4:\n    numerator: { dataElement: Jtf34kNZhzP }\norgUnits:\n  areas: { \"3201\": DiszpKrYNg8 }\n",
         5, "data element Jtf34kNZhzP is already the target of dataElements.K1.numerator (line 3)"),
        ("periodType: Weekly\ndataElements:\n  K1:\n    numerator: { dataElement: Jtf34kNZhzP }\norgUnits:\n  areas: { \"3201\": DiszpKrYNg8 }\n",
         1, "periodType \"Weekly\" is not supported"),
        // A key with a tag of its own was passed by the unknown-key check and never found:
        // K4 mapped with no part (FuzzDHIS2Mapping, corpus `crash-tagged-key`).
        ("dataElements:\n  K1: { numerator: { dataElement: Jtf34kNZhzP } }\n  K4: {!2 numerator: { dataElement: Jtf17kNZhzP } }\norgUnits: { areas: {} }\n",
         3, "the key \"numerator\" carries the YAML tag !2, so it cannot be read; write the key without it"),
        // No category option combo and DHIS2's default one are the same value: both were
        // accepted, and DHIS2 kept one of the two figures (the docs' own example did it).
        ("dataElements:\n  K1:\n    numerator: { dataElement: Jtf34kNZhzP }\n  K4:\n    numerator: { dataElement: Jtf34kNZhzP, categoryOptionCombo: HllvX50cXC0 }\norgUnits:\n  areas: { \"3201\": DiszpKrYNg8 }\n",
         5, "data element Jtf34kNZhzP with category option combo HllvX50cXC0 is already the target of dataElements.K1.numerator (line 3) (no categoryOptionCombo is DHIS2's default one, HllvX50cXC0: the same value)"),
        ("idScheme: CODE\ndataElements:\n  K1:\n    numerator: { dataElement: DE_K1, categoryOptionCombo: default }\n  K4:\n    numerator: { dataElement: DE_K1 }\norgUnits:\n  areas: { \"3201\": OU }\n",
         6, "data element DE_K1 is already the target of dataElements.K1.numerator (line 4) (no categoryOptionCombo is DHIS2's default one, default: the same value)"),
        // YAML's null was exported as the text "null" or "~".
        ("idScheme: CODE\ndataSet: null\ndataElements:\n  K1: { numerator: { dataElement: DE_K1 } }\norgUnits:\n  areas: { \"3201\": OU }\n",
         2, "dataSet is empty (YAML null); write the code, or remove the entry"),
        ("idScheme: CODE\ndataElements:\n  K1: { numerator: { dataElement: DE_K1 } }\norgUnits:\n  areas:\n    \"3201\": ~\n",
         6, "orgUnits.areas.3201 is empty (YAML null)"),
        // Codes DHIS2 cannot hold, an ADX file cannot carry, or a spreadsheet runs.
        ("idScheme: CODE\ndataElements:\n  K1: { numerator: { dataElement: \(String(repeating: "D", count: 51)) } }\norgUnits:\n  areas: { \"3201\": OU }\n",
         3, "dataElements.K1.numerator.dataElement is 51 characters long; DHIS2 codes have at most 50"),
        ("idScheme: CODE\ndataElements:\n  K1: { numerator: { dataElement: \"DE\\x01K1\" } }\norgUnits:\n  areas: { \"3201\": OU }\n",
         3, "dataElements.K1.numerator.dataElement \"DE\\x01K1\" holds a control character"),
        ("idScheme: CODE\ndataElements:\n  K1: { numerator: { dataElement: DE_K1 } }\norgUnits:\n  areas: { \"3201\": \"=HYPERLINK(1)\" }\n",
         5, "orgUnits.areas.3201 \"=HYPERLINK(1)\" begins with =, which a spreadsheet opening the CSV import takes for a formula"),
        // A tag decides: `!!null` is null whatever its text.
        ("idScheme: CODE\ndataElements:\n  K1: { numerator: { dataElement: !!null DE_K1 } }\norgUnits:\n  areas: { \"3201\": OU }\n",
         3, "dataElements.K1.numerator.dataElement is empty (YAML null)"),
        // Invisible characters pasted with a code (a zero-width space, a byte order mark).
        ("idScheme: CODE\ndataElements:\n  K1: { numerator: { dataElement: \"DE\\u200BK1\" } }\norgUnits:\n  areas: { \"3201\": OU }\n",
         3, "dataElements.K1.numerator.dataElement holds the invisible character U+200B; type the code again"),
        ("idScheme: CODE\ndataElements:\n  K1: { numerator: { dataElement: DE_K1 } }\norgUnits:\n  areas: { \"3201\": \"OU\\uFEFF\" }\n",
         5, "orgUnits.areas.3201 holds the invisible character U+FEFF"),
        ("storedBy: ~\ndataElements:\n  K1: { numerator: { dataElement: Jtf34kNZhzP } }\norgUnits:\n  areas: { \"3201\": DiszpKrYNg8 }\n",
         1, "storedBy must be a name of 1 to 255 characters"),
        // One area written two ways (the register's dots, the run's digits).
        ("dataElements:\n  K1: { numerator: { dataElement: Jtf34kNZhzP } }\norgUnits:\n  areas:\n    \"3201\": DiszpKrYNg8\n    \"32.01\": ImspTQPwCqd\n",
         6, "orgUnits.areas: 32.01 is area 3201, already mapped as 3201 (line 5); keep one"),
    ])
    func badMappingIsAUsageErrorAtItsLine(text: String, line: Int, message: String) throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let path = try Self.mapping(tmp, text)
        let r = try Self.export(path)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("\(path):\(line):"), "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    /// A mapping as Windows editors save it (a UTF-8 byte order mark first), in lower case, with
    /// the register's dotted codes: it failed as "did not find expected <document start>", and
    /// `periodType: monthly` was refused while `idScheme: uid` was taken.
    @Test func aMappingWithABOMLowerCaseAndDottedCodesIsRead() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let path = try Self.mapping(tmp, "\u{FEFF}periodType: quarterly\nidScheme: uid\ndataElements:\n  K1: { numerator: { dataElement: Jtf34kNZhzP } }\norgUnits:\n  areas:\n    \"32.01\": DiszpKrYNg8\n    \"32.01.01 2001\": ImspTQPwCqd\n")
        let r = try Self.export(path, "csv")
        #expect(r.status == 0, "\(r.stderr)")
        // K1's numerator per quarter at the kabupaten (3201) and the village Tegalmanik
        // (3201012001): indicators.csv's numerator_month of January–March, 12 + 12 + 15 = 39 and
        // 2 + 4 + 6 = 12.
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + 8, "\(r.stdout)")
        #expect(lines.filter { $0.contains(",DiszpKrYNg8,") }.count == 4)
        #expect(lines.filter { $0.contains(",ImspTQPwCqd,") }.count == 4)
        #expect(lines.contains { $0.hasPrefix("Jtf34kNZhzP,2025Q1,DiszpKrYNg8,,,39,") }, "\(r.stdout)")
        #expect(lines.contains { $0.hasPrefix("Jtf34kNZhzP,2025Q1,ImspTQPwCqd,,,12,") }, "\(r.stdout)")
    }

    /// A denominator mapped for an indicator with none in any area — IMM_DPT1, a count — is
    /// warned about as such, the numerators exported; "no sasaran" alone sent the operator
    /// looking for a sasaran. K1's, whose villages lack sasaran here and there, keeps "no
    /// sasaran". (Not refused: without sasaran.csv and estimation, K1 has none anywhere either.)
    @Test func aDenominatorWithNoneInTheRunIsWarnedNotRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let path = try Self.mapping(tmp, "dataElements:\n  IMM_DPT1:\n    numerator: { dataElement: Jtf34kNZhzP }\n    denominator: { dataElement: bqK6eSIwo3h }\norgUnits:\n  areas: { \"3201\": DiszpKrYNg8 }\n")
        let r = try Self.export(path, "csv")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: IMM_DPT1: 12 denominator value(s) not exported: IMM_DPT1 has no denominator in any area of this run — a count whose catalogue defines none (then remove its denominator from the mapping), or a target group with neither sasaran nor population anywhere"), "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 1 + 12, "the 12 months' numerators")
    }

    /// `!!str null` is the text "null", a code like any (it was refused as YAML's null).
    @Test func aStringTaggedNullIsACode() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let path = try Self.mapping(tmp, "idScheme: CODE\ndataElements:\n  K1: { numerator: { dataElement: !!str null } }\norgUnits:\n  areas: { \"3201\": OU }\n")
        let r = try Self.export(path, "csv")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\nnull,202501,OU,,,12,"), "\(r.stdout)")
    }

    /// Nothing exported (exit 65): the warnings that say why are printed before the error, which
    /// gives codes of the run — they were dropped, and the error named no area.
    @Test func nothingToExportKeepsItsWarnings() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let path = try Self.mapping(tmp, "dataElements:\n  K1: { numerator: { dataElement: Jtf34kNZhzP } }\norgUnits:\n  areas:\n    \"KAB-3201\": DiszpKrYNg8\n")
        let r = try Self.export(path)
        #expect(r.status == 65, "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n").map(String.init)
        let warning = lines.firstIndex { $0.contains("warning: area KAB-3201 of \(path) is not in this run") }
        let error = lines.firstIndex { $0.contains("nothing to export") }
        #expect(warning != nil && error != nil && warning! < error!, "\(r.stderr)")
        #expect(r.stderr.contains("(area codes as indicators.csv's area_code: kabkota 3201, kecamatan 320101, puskesmas P3201010101, desa 3201012001, rw 3201012001-001, rt 3201012001-001-001)"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    /// A mapping whose aliases nest ten deep (10¹⁰ values from ~500 bytes) is refused at once,
    /// exit 64 — it ran until killed (the walk over the expanded tree).
    @Test func aMappingOfNestedAliasesIsRefusedAtOnce() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
            + (1...9).map { i in "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }.joined()
        let path = try Self.mapping(tmp, bomb + "periodType: Monthly\ndataElements: {}\norgUnits: { areas: {} }\n")
        let r = try Self.export(path)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("\(path):") && r.stderr.contains("holds more than 2000000 values once its aliases"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func adxWithoutADataSetAndAMissingRunAreRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let path = try Self.mapping(tmp, "dataElements:\n  K1:\n    numerator: { dataElement: Jtf34kNZhzP }\norgUnits:\n  areas: { \"3201\": DiszpKrYNg8 }\n")
        let adx = try Self.export(path, "adx")
        #expect(adx.status == 64)
        #expect(adx.stderr.contains("ADX needs the data set"))
        let missing = try PWSBinary.run(["export", "dhis2", "--run", tmp.path, "--mapping", path])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("has no indicators.csv"))
    }

    /// A copy of the run folder whose indicators.csv was cut (a half-finished copy) exported the
    /// months it still held with exit 0; a run.json that is missing or not JSON was accepted
    /// (ADX said exported 1970). Both are refused: run.json lists indicators.csv's size and sha256.
    @Test func aCutOrUnlistedIndicatorsFileIsRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let copy = tmp.path + "/run"
        try FileManager.default.copyItem(atPath: URL(fileURLWithPath: Self.run).resolvingSymlinksInPath().path, toPath: copy)
        #expect(try PWSBinary.run(["export", "dhis2", "--run", copy, "--mapping", Self.example]).status == 0)
        let indicators = try Data(contentsOf: URL(fileURLWithPath: copy + "/indicators.csv"))
        try indicators.prefix(indicators.count / 2).write(to: URL(fileURLWithPath: copy + "/indicators.csv"))
        let cut = try PWSBinary.run(["export", "dhis2", "--run", copy, "--mapping", Self.example])
        #expect(cut.status == 65, "\(cut.stderr)")
        #expect(cut.stderr.contains("is not the file the run published (\(indicators.count / 2) bytes, run.json lists \(indicators.count))"),
                "\(cut.stderr)")
        #expect(cut.stdout.isEmpty)
        try indicators.write(to: URL(fileURLWithPath: copy + "/indicators.csv"))
        try "not json".write(toFile: copy + "/run.json", atomically: true, encoding: .utf8)
        let garbage = try PWSBinary.run(["export", "dhis2", "--run", copy, "--mapping", Self.example, "--format", "adx"])
        #expect(garbage.status == 65 && garbage.stderr.contains("run.json is missing or not readable JSON"), "\(garbage.stderr)")
    }

    /// An indicators.csv edited with run.json to match: a column named twice was read from its
    /// last copy (999 exported for K1) and a cut row padded with empty cells (an indicator with
    /// no id, no line) — both with exit 0. Now exit 65 at the header's or the row's line.
    @Test func aColumnNamedTwiceOrAShortRowIsRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let run = URL(fileURLWithPath: Self.run).resolvingSymlinksInPath().path
        let original = try String(contentsOfFile: run + "/indicators.csv", encoding: .utf8)
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let edits: [(String, [String], String)] = [
            ("twice", [lines[0] + ",numerator_month"] + lines.dropFirst().map { $0.isEmpty ? $0 : $0 + ",999" },
             "indicators.csv:1: error: indicators.csv names the column numerator_month twice"),
            ("short", [lines[0], "2025,1"] + lines.dropFirst(), "indicators.csv:2: error: 2 fields, fewer than the header's 20"),
        ]
        for (name, edited, message) in edits {
            let copy = tmp.path + "/" + name
            try FileManager.default.copyItem(atPath: run, toPath: copy)
            try edited.joined(separator: "\n").write(toFile: copy + "/indicators.csv", atomically: true, encoding: .utf8)
            // run.json lists the edited file, as a careful hand would.
            var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: copy + "/run.json"))) as? [String: Any])
            var outputs = try #require(manifest["outputs"] as? [[String: Any]])
            let i = try #require(outputs.firstIndex { $0["path"] as? String == "indicators.csv" })
            outputs[i]["sha256"] = try RunEndToEndTests.sha256sum([copy + "/indicators.csv"])[copy + "/indicators.csv"]
            outputs[i]["bytes"] = try FileManager.default.attributesOfItem(atPath: copy + "/indicators.csv")[.size] as? Int
            manifest["outputs"] = outputs
            try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: copy + "/run.json"))
            let r = try PWSBinary.run(["export", "dhis2", "--run", copy, "--mapping", Self.example, "--format", "csv"])
            #expect(r.status == 65, "\(name): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(name): \(r.stderr)")
            #expect(r.stdout.isEmpty)
            if name == "twice" {
                let diff = try PWSBinary.run(["diff", run, copy, "--out", tmp.path + "/d", "--quiet"])
                #expect(diff.status == 65 && diff.stderr.contains("names the column numerator_month twice"), "\(diff.stderr)")
            }
        }
    }

    /// indicators.csv or run.json that is a FIFO or a link to /dev/zero is refused before it is
    /// opened (the export waited on the FIFO, or read /dev/zero, for ever).
    @Test func aRunFileThatIsNotARegularFileIsRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let run = URL(fileURLWithPath: Self.run).resolvingSymlinksInPath().path
        for (name, make) in [("indicators.csv", "fifo"), ("indicators.csv", "zero"), ("run.json", "fifo")] {
            let copy = tmp.path + "/\(make)-\(name)"
            try FileManager.default.copyItem(atPath: run, toPath: copy)
            try FileManager.default.removeItem(atPath: copy + "/" + name)
            if make == "fifo" {
                #expect(mkfifo(copy + "/" + name, 0o600) == 0)
            } else {
                try FileManager.default.createSymbolicLink(atPath: copy + "/" + name, withDestinationPath: "/dev/zero")
            }
            let r = try PWSBinary.run(["export", "dhis2", "--run", copy, "--mapping", Self.example],
                                      launcher: ["/usr/bin/timeout", "60"])
            #expect(r.status == 66, "\(make) \(name): \(r.stderr)")
            let kind = make == "fifo" ? "a FIFO (named pipe)" : "a character device"
            #expect(r.stderr.contains("\(copy)/\(name) is \(kind), not a regular file"), "\(r.stderr)")
        }
    }

    /// `--out` naming the run's own indicators.csv replaced it with the import (exit 0), and
    /// the run could no longer be exported or compared; `--out` naming the mapping replaced
    /// the mapping. Both refused (73), as is a file in another published run folder; nothing
    /// is written.
    @Test func anOutThatIsAnInputOrInAPublishedRunIsRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let copy = tmp.path + "/run", other = tmp.path + "/other"
        let published = URL(fileURLWithPath: Self.run).resolvingSymlinksInPath().path
        try FileManager.default.copyItem(atPath: published, toPath: copy)
        try FileManager.default.copyItem(atPath: published, toPath: other)
        try FileManager.default.copyItem(atPath: Self.example, toPath: tmp.path + "/map.yaml")
        try FileManager.default.createSymbolicLink(atPath: tmp.path + "/link", withDestinationPath: copy)
        let indicators = try Data(contentsOf: URL(fileURLWithPath: copy + "/indicators.csv"))
        let mapping = try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/map.yaml"))
        for (out, says) in [(copy + "/indicators.csv", "is inside the run folder"), (tmp.path + "/link/new.json", "is inside the run folder"),
                            (tmp.path + "/map.yaml", "is the mapping file"), (other + "/dhis2.json", "is a run folder `pws run` published")] {
            let r = try PWSBinary.run(["export", "dhis2", "--run", copy, "--mapping", tmp.path + "/map.yaml", "--out", out])
            #expect(r.status == 73, "\(out): \(r.stderr)")
            #expect(r.stderr.contains(says), "\(out): \(r.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy + "/indicators.csv")) == indicators)
        #expect(try Data(contentsOf: URL(fileURLWithPath: tmp.path + "/map.yaml")) == mapping)
        #expect(!FileManager.default.fileExists(atPath: copy + "/new.json") && !FileManager.default.fileExists(atPath: other + "/dhis2.json"))
        // Beside the run folder is fine.
        let ok = try PWSBinary.run(["export", "dhis2", "--run", copy, "--mapping", tmp.path + "/map.yaml", "--out", tmp.path + "/dhis2.json"])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    /// A run.json larger than any pws writes (1 GiB) is refused before it is read, by the
    /// export and by `pws diff` (both decode it whole: a 10 GB file would fill the memory). The
    /// file here is sparse: no disk is used.
    @Test func aRunJSONLargerThanAnyRunWritesIsRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let copy = tmp.path + "/run"
        try FileManager.default.copyItem(atPath: URL(fileURLWithPath: Self.run).resolvingSymlinksInPath().path, toPath: copy)
        #expect(truncate(copy + "/run.json", off_t(1 << 30) + 1) == 0)
        let export = try PWSBinary.run(["export", "dhis2", "--run", copy, "--mapping", Self.example],
                                       launcher: ["/usr/bin/timeout", "60"])
        #expect(export.status == 65, "\(export.stderr)")
        #expect(export.stderr.contains("\(copy)/run.json is 1073741825 bytes, larger than any run.json pws writes (at most 1 GiB is read); pass a published run folder"), "\(export.stderr)")
        let diff = try PWSBinary.run(["diff", copy, copy, "--out", tmp.path + "/d", "--quiet"],
                                     launcher: ["/usr/bin/timeout", "60"])
        #expect(diff.status == 65, "\(diff.stderr)")
        #expect(diff.stderr.contains("run.json is 1073741825 bytes, larger than any run.json pws writes"), "\(diff.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/d"))
        // Only a regular file is read: a FIFO waited for ever, a link to /dev/zero (size 0)
        // was read without end.
        for make in ["fifo", "zero"] {
            try FileManager.default.removeItem(atPath: copy + "/run.json")
            if make == "fifo" {
                #expect(mkfifo(copy + "/run.json", 0o600) == 0)
            } else {
                try FileManager.default.createSymbolicLink(atPath: copy + "/run.json", withDestinationPath: "/dev/zero")
            }
            let r = try PWSBinary.run(["diff", copy, copy, "--out", tmp.path + "/d", "--quiet"],
                                      launcher: ["/usr/bin/timeout", "60"])
            #expect(r.status == 65 && r.stderr.contains("\(copy)/run.json is not a regular file"), "\(make): \(r.stderr)")
        }
    }

    /// A hand-made indicators.csv (run.json's size and sha256 made to match) whose numerators
    /// add up beyond Int.max over a quarter trapped the quarterly export; it is refused (65)
    /// naming the indicator, area and quarter.
    @Test func numeratorsBeyondAnyCountAreRefused() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let copy = tmp.path + "/run"
        try FileManager.default.copyItem(atPath: URL(fileURLWithPath: Self.run).resolvingSymlinksInPath().path, toPath: copy)
        let text = try String(contentsOfFile: copy + "/indicators.csv", encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let column = try #require(header.firstIndex(of: "numerator_month"))
        func rewrite(_ value: String) throws {
            for i in 1..<lines.count where !lines[i].isEmpty {
                var fields = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                fields[column] = value
                lines[i] = fields.joined(separator: ",")
            }
            let bytes = Data(lines.joined(separator: "\n").utf8)
            try bytes.write(to: URL(fileURLWithPath: copy + "/indicators.csv"))
            // run.json made to list the new file, as a hand edit would.
            var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: copy + "/run.json"))) as? [String: Any])
            var outputs = try #require(manifest["outputs"] as? [[String: Any]])
            let k = try #require(outputs.firstIndex { $0["path"] as? String == "indicators.csv" })
            let digest = try PWSBinary.run([copy + "/indicators.csv"], launcher: ["/bin/sh", "-c", "sha256sum \"$1\""])
            outputs[k]["bytes"] = bytes.count
            outputs[k]["sha256"] = String(digest.stdout.prefix(64))
            manifest["outputs"] = outputs
            try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: copy + "/run.json"))
        }
        let quarterly = try String(contentsOfFile: Self.example, encoding: .utf8)
            .replacingOccurrences(of: "periodType: Monthly", with: "periodType: Quarterly")
        let mapping = try Self.mapping(tmp, quarterly)
        try rewrite(String(Int.max))
        let monthly = try Self.export(Self.example, "csv")
        #expect(monthly.status == 0, "the shared run is untouched: \(monthly.stderr)")
        let r = try PWSBinary.run(["export", "dhis2", "--run", copy, "--mapping", mapping, "--format", "csv"])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("indicators.csv: the numerators of K1 for puskesmas P3201010101 in 2025Q1 add up beyond the range of a count"), "\(r.stderr)")
        // Near Int.min too (a rate's numerator, first − second, may be negative).
        try rewrite(String(Int.min))
        let low = try PWSBinary.run(["export", "dhis2", "--run", copy, "--mapping", mapping, "--format", "csv"])
        #expect(low.status == 65 && low.stderr.contains("add up beyond the range of a count"), "\(low.stderr)")
    }

    /// A rate's numerator is first − second and may be negative (DO_DPT1_MR1 of Puskesmas
    /// Jatiwangi in February 2025: −1, from indicators.csv); it is exported as it is, and
    /// a quarter adds its months' (January 1, February −1, March −1 in the sample: −1).
    @Test func aRatesNegativeNumeratorIsExported() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let text = try String(contentsOfFile: Self.example, encoding: .utf8)
            .replacingOccurrences(of: "dataElements:\n", with: "dataElements:\n  DO_DPT1_MR1:\n    numerator: { dataElement: Dq3ZtWx1aB2 }\n")
        let monthly = try Self.export(try Self.mapping(tmp, text), "csv")
        #expect(monthly.status == 0, "\(monthly.stderr)")
        #expect(monthly.stdout.contains("Dq3ZtWx1aB2,202502,PKM-JATIWANGI,,,-1,"), "\(monthly.stdout.prefix(400))")
    }
}
