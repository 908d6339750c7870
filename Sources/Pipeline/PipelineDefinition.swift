import Foundation
import Growth
import Ingest
import PWSCore
import Validate
import Yams

/// A pipeline definition (`pipelines/default.yaml` and the analyst's copies): which catalogues
/// to use and the run settings. Format: docs/pipeline.md.
public struct PipelineDefinition: Sendable {
    /// Denominator estimation settings (spec §5.1).
    public struct Estimation: Sendable, Equatable {
        public var enabled: Bool
        /// Decimal text as written (`16`, `0.08`): read exactly, never through a `Double`.
        public var cbrPer1000: String
        public var shares: [String: String]
        /// `estimation.round`: round an estimate half up to an integer (default), or keep the
        /// exact product (spec §A1).
        public var round: Bool = true
    }

    /// Absolute path of the definition file.
    public var path: String
    public var name: String
    public var version: Int
    /// Absolute path of the service catalogue.
    public var servicesPath: String
    /// Absolute path of the indicator catalogue.
    public var indicatorsPath: String
    /// Absolute path of the SPM catalogue (`spm:`, docs/spm.md), nil when the pipeline has none.
    public var spmPath: String?
    /// Largest accepted `rows_rejected / rows_read` (spec §3).
    public var maxRejectRate: Double
    public var estimation: Estimation
    /// Fixed input delimiter; nil sniffs (spec §2.1).
    public var delimiter: UInt8?
    /// `sasaran.decimal_separator` (`.` or `,`): decides `1.234`-like sasaran counts and RT
    /// populations; nil leaves them ambiguous, hence errors (spec §A1).
    public var decimalSeparator: UInt8?
    /// Extra header aliases: file kind (`layanan`, `wilayah`, `sasaran`) → canonical → aliases.
    public var columnAliases: [String: [String: [String]]]
    /// `sasaran.group_columns`: more header names of the target groups' columns in a sasaran
    /// table with a column per group (group → names), beside the built-in ones.
    public var sasaranGroupColumns: [String: [String]] = [:]
    /// Extra enumeration spellings: `sex`/`facility_type`/`provider`/`service_code` → spelling → canonical.
    public var valueAliases: [String: [String: String]]
    /// `workbooks:` per file kind: which sheets of an .xlsx input are read and which row is the
    /// header (spec §A2); kinds not named read every sheet whose header maps.
    public var workbooks: [String: WorkbookReadOptions] = [:]
    /// `reshape:` rules turning wide registers into service records (spec §A2, docs/pipeline.md).
    public var reshape: [ReshapeRule] = []
    /// A service code a setting names (reshape's months and dated), with its line.
    public struct ServiceReference: Sendable {
        public var code: String
        public var line: Int
        public var setting: String
    }
    /// The service codes the settings name, checked against the service catalogue when the
    /// pipeline is loaded (`LoadedPipeline`): a typo would otherwise reject every record made,
    /// as if the data were wrong.
    public var serviceReferences: [ServiceReference] = []
    /// The line of each `value_aliases` table, for the message when `LoadedPipeline` refuses
    /// one of its aliases.
    public var valueAliasLines: [String: Int] = [:]
    /// `fhir:` — how FHIR R4 resources in `fhir/` become service records (spec §A3, docs/fhir.md).
    public var fhir = FHIRMapping()
    /// Published runs kept per as-of month.
    public var retention: Int
    /// What a published run writes (`outputs:`; default all, `RunOutput.defaults`).
    public var outputs: Set<RunOutput> = RunOutput.defaults
    /// The folder of the WHO 2006 growth tables (`growth_tables:`, relative to the pipeline
    /// file): the six files of `GrowthTableName`. Default: the tables built into the binary
    /// (`BuiltInPipeline.growthTablesDirectory`, from `pipelines/growth/who2006/`).
    public var growthTablesPath: String = BuiltInPipeline.growthTablesDirectory
    /// `status.tetap_below_target` (amendments §A5): the status of an indicator below its
    /// target whose trend is `tetap` (above it, for lower-is-better ones) — `cukup` (default)
    /// or `jelek`.
    public var tetapBelowTarget: IndicatorStatus = .cukup

    /// The pipeline's top-level settings (docs/pipeline.md).
    static let settings = ["name", "version", "services", "indicators", "spm", "max_reject_rate", "retention",
                           "outputs", "growth_tables", "estimation", "status", "sasaran", "csv", "column_aliases",
                           "workbooks", "reshape", "value_aliases", "fhir"]

    /// Refuses a key of `mapping` that is not one of `known`, naming its line.
    static func onlyKnownKeys(_ mapping: Node.Mapping, _ known: [String], in what: String, _ doc: YAMLFile) throws {
        for (k, _) in mapping {
            let key = try doc.string(k, "a setting of \(what)")
            guard known.contains(key) else {
                throw doc.error(k, "\(what): unknown setting \"\(key)\"; use \(known.joined(separator: ", ")) (docs/pipeline.md)")
            }
        }
    }

    /// Loads and checks a definition; every problem is a `file:line` usage error (exit 64).
    public static func load(path: String) throws -> PipelineDefinition {
        let builtIn = BuiltInPipeline.isBuiltIn(path)
        let url = URL(fileURLWithPath: builtIn ? "/" + path : path).standardizedFileURL
        let fullPath = builtIn ? path : url.path
        let doc = try YAMLFile(path: fullPath, givenBy: "--pipeline")
        let root = try doc.mapping(doc.root, "the pipeline")
        let dir = url.deletingLastPathComponent()
        // A misspelt setting would otherwise be ignored and its default used without a word.
        try Self.onlyKnownKeys(root, Self.settings, in: "the pipeline", doc)

        // Catalogue paths are relative to the pipeline file's folder; the built-in pipeline's
        // name the built-in catalogues.
        func resolvePath(_ key: String, _ node: Node) throws -> String {
            let rel = try doc.string(node, key)
            guard !rel.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw doc.error(node, "\(key): no file named; give the catalogue's file name, e.g. \(key).yaml")
            }
            let full = rel.hasPrefix("/") ? rel
                : builtIn ? BuiltInPipeline.directory + "/" + rel
                : dir.appendingPathComponent(rel).standardizedFileURL.path
            guard PipelineFiles.exists(full) else {
                throw doc.error(node, "\(key): file \"\(rel)\" not found next to the pipeline; fix the path")
            }
            // A folder, FIFO or device there is the same mistake in the pipeline (exit 64 at
            // this line), refused before anything opens it.
            if !builtIn, let kind = InputFiles.nonRegularKind(atPath: full) {
                throw doc.error(node, "\(key): \"\(rel)\" is \(kind), not a file; fix the path")
            }
            return full
        }
        func resolve(_ key: String) throws -> String {
            try resolvePath(key, try doc.required(root, key))
        }

        var def = PipelineDefinition(
            path: fullPath, name: "", version: 1, servicesPath: try resolve("services"),
            indicatorsPath: try resolve("indicators"), maxRejectRate: 0.05,
            estimation: Estimation(enabled: false, cbrPer1000: "0", shares: [:]),
            delimiter: nil, decimalSeparator: nil, columnAliases: [:], valueAliases: [:], retention: 5)
        def.spmPath = try root["spm"].map { try resolvePath("spm", $0) }
        def.name = try root["name"].map { try doc.string($0, "name") } ?? url.deletingPathExtension().lastPathComponent
        def.version = try root["version"].map { try doc.int($0, "version") } ?? 1
        guard def.version == 1 else {
            throw doc.error(root["version"]!, "version \(def.version) is not supported; this pws reads version 1")
        }
        if let n = root["max_reject_rate"] {
            def.maxRejectRate = try doc.double(n, "max_reject_rate")
            guard (0...1).contains(def.maxRejectRate) else {
                throw doc.error(n, "max_reject_rate must be a fraction between 0 and 1 (0.05 = 5 %)")
            }
        }
        if let n = root["retention"] {
            def.retention = try doc.int(n, "retention")
            guard def.retention >= 1 else { throw doc.error(n, "retention must be at least 1") }
        }
        if let n = root["outputs"] {
            def.outputs = []
            for item in try doc.sequence(n, "outputs") {
                let name = try doc.string(item, "an output")
                guard let output = RunOutput(rawValue: name) else {
                    throw doc.error(item, "outputs: unknown output \"\(name)\"; use any of \(RunOutput.names) (run.json is always written)")
                }
                guard def.outputs.insert(output).inserted else {
                    throw doc.error(item, "outputs: \"\(name)\" is listed twice; list each output once")
                }
                if RunOutput.spm.contains(output) && def.spmPath == nil {
                    throw doc.error(item, "outputs: \"\(name)\" needs an SPM catalogue; add spm: spm.yaml (docs/spm.md) or leave \(name) out")
                }
            }
        }
        // Without an SPM catalogue there are no SPM figures to write.
        if def.spmPath == nil { def.outputs.subtract(RunOutput.spm) }
        if let n = root["growth_tables"] {
            let rel = try doc.string(n, "growth_tables")
            let trimmed = rel.hasSuffix("/") && rel.count > 1 ? String(rel.dropLast()) : rel
            let full = trimmed.hasPrefix("/") ? trimmed
                : builtIn ? BuiltInPipeline.directory + "/" + trimmed
                : dir.appendingPathComponent(trimmed).standardizedFileURL.path
            let missing = GrowthTableName.allCases.map(\.fileName).filter { !PipelineFiles.exists(full + "/" + $0) }
            guard missing.isEmpty else {
                throw doc.error(n, "growth_tables: the folder \"\(rel)\" has no \(missing.joined(separator: ", ")); "
                                + "give the folder holding the six WHO tables (like pipelines/growth/who2006/), "
                                + "or remove the key to use the tables built into pws")
            }
            def.growthTablesPath = full
        }
        if let n = root["estimation"] {
            let m = try doc.mapping(n, "estimation")
            try Self.onlyKnownKeys(m, ["enabled", "cbr_per_1000", "round", "shares"], in: "estimation", doc)
            def.estimation.enabled = try m["enabled"].map { try doc.bool($0, "estimation.enabled") } ?? true
            // Rates stay decimal text so estimates are exact (spec §A1). A share is of the
            // population (at most 1); the crude birth rate is per 1,000 people (at most 1,000):
            // a share of 1e16 made denominators beyond any count.
            func rate(_ node: Node, _ what: String, max: Int, example: String) throws -> String {
                guard let text = node.scalar?.string, let v = ExactDecimal(text), v.units >= 0 else {
                    throw doc.error(node, "\(what) must be a decimal number ≥ 0, e.g. \(example)")
                }
                // At most 6 places: an estimate (a 4-place population × 1.10 × the rate / 1,000)
                // then has at most 15, and every sum, percentage and comparison of §6 stays
                // exact in 128 bits; 20 places overflowed them and left denominators, gaps and
                // statuses blank.
                guard v.scale <= 6 else {
                    throw doc.error(node, "\(what) has \(v.scale) decimals, more than 6; \(example) has as many as a rate needs")
                }
                guard v.units <= Int128(max) * ExactDecimal.power(v.scale) else {
                    throw doc.error(node, "\(what) is \(text), more than \(max); \(max == 1 ? "a share of the population is at most 1 (0.08 = 8 %)" : "births per 1,000 people a year are at most 1,000 (Indonesia: about 16)")")
                }
                return text
            }
            def.estimation.cbrPer1000 = try m["cbr_per_1000"].map { try rate($0, "estimation.cbr_per_1000", max: 1000, example: "16.0") } ?? "0"
            def.estimation.round = try m["round"].map { try doc.bool($0, "estimation.round") } ?? true
            if let s = m["shares"] {
                for (k, v) in try doc.mapping(s, "estimation.shares") {
                    let group = try doc.string(k, "a target group")
                    guard TargetGroup.all.contains(group) else {
                        throw doc.error(k, "estimation.shares: unknown target group \"\(group)\"; use one of \(TargetGroup.all.joined(separator: ", "))")
                    }
                    // These four come from the birth rate (spec §5.1): a share given for one was
                    // read and never used.
                    guard !Self.birthRateGroups.contains(group) else {
                        throw doc.error(k, "estimation.shares.\(group): \(group) is estimated from cbr_per_1000 (spec §5.1), not from a share; remove it, or change cbr_per_1000")
                    }
                    def.estimation.shares[group] = try rate(v, "estimation.shares.\(group)", max: 1, example: "0.08")
                }
            }
        }
        if let n = root["status"] {
            for (k, v) in try doc.mapping(n, "status") {
                let key = try doc.string(k, "a status setting")
                guard key == "tetap_below_target" else {
                    throw doc.error(k, "status: unknown setting \"\(key)\"; use tetap_below_target")
                }
                switch try doc.string(v, "status.tetap_below_target") {
                case "cukup": def.tetapBelowTarget = .cukup
                case "jelek": def.tetapBelowTarget = .jelek
                default: throw doc.error(v, "status.tetap_below_target must be cukup or jelek (the status of an indicator below target whose trend is tetap)")
                }
            }
        }
        if let n = root["sasaran"] { try Self.onlyKnownKeys(try doc.mapping(n, "sasaran"), ["decimal_separator", "group_columns"], in: "sasaran", doc) }
        if let n = root["csv"] { try Self.onlyKnownKeys(try doc.mapping(n, "csv"), ["delimiter"], in: "csv", doc) }
        if let n = root["sasaran"], let d = try doc.mapping(n, "sasaran")["decimal_separator"] {
            switch try doc.string(d, "sasaran.decimal_separator") {
            case ".": def.decimalSeparator = UInt8(ascii: ".")
            case ",": def.decimalSeparator = UInt8(ascii: ",")
            case "auto": def.decimalSeparator = nil
            default: throw doc.error(d, "sasaran.decimal_separator must be \".\", \",\" or auto (1.234 and 12,500 are then errors)")
            }
        }
        if let csv = root["csv"], let d = try doc.mapping(csv, "csv")["delimiter"] {
            let text = try doc.string(d, "csv.delimiter")
            switch text {
            case "auto": def.delimiter = nil
            case ",", ";", "|": def.delimiter = text.utf8.first
            case "\t", "tab", "TAB": def.delimiter = 0x09
            default: throw doc.error(d, "csv.delimiter must be auto, \",\", \";\", \"|\" or tab")
            }
        }
        if let n = root["column_aliases"] {
            for (k, v) in try doc.mapping(n, "column_aliases") {
                let kind = try doc.string(k, "a file kind")
                guard ["layanan", "wilayah", "sasaran"].contains(kind) else {
                    throw doc.error(k, "column_aliases: unknown file kind \"\(kind)\"; use layanan, wilayah or sasaran")
                }
                var table: [String: [String]] = [:]
                for (field, list) in try doc.mapping(v, "column_aliases.\(kind)") {
                    let name = try doc.string(field, "a field")
                    table[name] = try doc.sequence(list, "column_aliases.\(kind).\(name)").map { node in
                        let alias = try doc.string(node, "an alias")
                        // An empty alias made a blank header cell that column.
                        guard !alias.trimmingCharacters(in: .whitespaces).isEmpty else {
                            throw doc.error(node, "column_aliases.\(kind).\(name): an alias is empty; give the header name the files use")
                        }
                        return alias
                    }
                    // Checked here, field by field, so a mistake names its line (the readers
                    // would refuse it later without one).
                    let schema: TableSchema = kind == "layanan" ? .layanan : kind == "wilayah" ? .wilayah : .sasaran
                    do {
                        _ = try TableColumnNames(schema: schema, extraAliases: table)
                    } catch let error as PWSError {
                        throw doc.error(field, "column_aliases.\(kind): \(error.message)")
                    }
                }
                def.columnAliases[kind] = table
            }
        }
        // After column_aliases: a group's name may not be a sasaran column's (nor an alias).
        if let n = root["sasaran"], let groups = try doc.mapping(n, "sasaran")["group_columns"] {
            // Checked here, name by name (in one table: linear in the names), so a mistake names
            // its line.
            var names = try SasaranGroupNames(columns: TableColumnNames(schema: .sasaran, extraAliases: def.columnAliases["sasaran"] ?? [:]))
            func checked(at node: Node, _ body: () throws -> Void) throws {
                do { try body() } catch let error as PWSError {
                    throw doc.error(node, "sasaran.group_columns: \(error.message)")
                }
            }
            for (k, v) in try doc.mapping(groups, "sasaran.group_columns") {
                let group = try doc.string(k, "a target group")
                try checked(at: k) { try SasaranGroupNames.check(group: group) }
                var list: [String] = []
                for node in try doc.sequence(v, "sasaran.group_columns.\(group)") {
                    let name = try doc.string(node, "a column name")
                    try checked(at: node) { try names.add(name, to: group) }
                    list.append(name)
                }
                def.sasaranGroupColumns[group] = list
            }
        }
        if let n = root["workbooks"] {
            for (k, v) in try doc.mapping(n, "workbooks") {
                let kind = try doc.string(k, "a file kind")
                guard ["layanan", "wilayah", "sasaran"].contains(kind) else {
                    throw doc.error(k, "workbooks: unknown file kind \"\(kind)\"; use layanan, wilayah or sasaran")
                }
                var options = WorkbookReadOptions()
                for (key, value) in try doc.mapping(v, "workbooks.\(kind)") {
                    switch try doc.string(key, "a setting") {
                    case "sheets":
                        let names = try doc.sequence(value, "workbooks.\(kind).sheets").map { try doc.string($0, "a sheet name") }
                        // A sheet named twice was read twice (its rows counted twice); none, no
                        // sheet at all ("the workbook has no worksheet").
                        guard !names.isEmpty else {
                            throw doc.error(value, "workbooks.\(kind).sheets lists no sheet; name the sheets to read, or remove the setting to read every sheet whose header maps")
                        }
                        // Ignoring case, as the sheets are matched (`Register` and `register` are one).
                        let folded = names.map { $0.lowercased() }
                        if let twice = folded.indices.first(where: { folded[..<$0].contains(folded[$0]) }) {
                            throw doc.error(value, "workbooks.\(kind).sheets names \"\(names[twice])\" twice (sheet names are matched ignoring case); each sheet is read once")
                        }
                        options.sheets = names
                    case "header_row":
                        let row = try doc.int(value, "workbooks.\(kind).header_row")
                        guard (1...1_048_576).contains(row) else {
                            throw doc.error(value, "workbooks.\(kind).header_row must be a row number from 1 to 1048576")
                        }
                        options.headerRow = row
                    case let other:
                        throw doc.error(key, "workbooks.\(kind): unknown setting \"\(other)\"; use sheets or header_row")
                    }
                }
                def.workbooks[kind] = options
            }
        }
        var facilityTypes: [(value: String, node: Node)] = []
        if let n = root["reshape"] {
            def.reshape = try doc.sequence(n, "reshape").map {
                try Self.reshapeRule($0, doc, references: &def.serviceReferences, facilityTypes: &facilityTypes)
            }
        }
        if let n = root["fhir"] {
            def.fhir = try Self.fhirMapping(n, doc)
        }
        if let n = root["value_aliases"] {
            for (k, v) in try doc.mapping(n, "value_aliases") {
                let kind = try doc.string(k, "an enumeration")
                guard ["sex", "facility_type", "provider", "service_code"].contains(kind) else {
                    throw doc.error(k, "value_aliases: unknown enumeration \"\(kind)\"; use sex, facility_type, provider or service_code")
                }
                var table: [String: String] = [:]
                for (from, to) in try doc.mapping(v, "value_aliases.\(kind)") {
                    table[try doc.string(from, "a spelling")] = try doc.string(to, "a canonical value")
                }
                def.valueAliases[kind] = table
                def.valueAliasLines[kind] = doc.line(v)
            }
        }
        // A facility type every record of a reshape rule gets: a typo rejected them all
        // (E-FACILITY) as if the data were wrong. Checked once the value aliases are read.
        if !facilityTypes.isEmpty {
            let decoder = (try? FacilityType.decoder.adding(aliases: def.valueAliases["facility_type"] ?? [:], what: "facility_type"))
                ?? FacilityType.decoder
            for (value, node) in facilityTypes where decoder.decode(value) == nil {
                throw doc.error(node, "reshape.values.facility_type \"\(value)\" is not a facility type; use posyandu, pustu, puskesmas, rumah_sakit, klinik, rumah or lainnya (or a value_aliases.facility_type spelling)")
            }
        }
        return def
    }

    /// The `fhir:` section over the default mapping: tables add to (and override) the
    /// defaults, single values replace them; every problem names its line.
    static func fhirMapping(_ node: Node, _ doc: YAMLFile) throws -> FHIRMapping {
        var m = FHIRMapping()
        func table(_ v: Node, _ what: String, allowed: [String]? = nil) throws -> [String: String] {
            var out: [String: String] = [:]
            for (k, value) in try doc.mapping(v, what) {
                let code = try doc.string(k, "a code (system|code or code)")
                let target = try doc.string(value, "\(what).\(code)")
                if let allowed, !allowed.contains(target) {
                    throw doc.error(value, "\(what).\(code): \"\(target)\" is not one of \(allowed.joined(separator: ", "))")
                }
                out[code] = target
            }
            return out
        }
        func codes(_ v: Node, _ what: String) throws -> Set<String> {
            Set(try doc.sequence(v, what).map { try doc.string($0, "a code (system|code or code)") })
        }
        let facilityTypes = ["posyandu", "pustu", "puskesmas", "rumah_sakit", "klinik", "rumah", "lainnya"]
        for (k, v) in try doc.mapping(node, "fhir") {
            switch try doc.string(k, "a fhir setting") {
            case "nik_system": m.nikSystem = try doc.string(v, "fhir.nik_system")
            case "address_extension": m.addressExtension = try doc.string(v, "fhir.address_extension")
            case "utc_offset":
                let text = try doc.string(v, "fhir.utc_offset")
                guard let minutes = FHIRDateTime.offset(setting: text) else {
                    throw doc.error(v, "fhir.utc_offset: \"\(VisibleText.quoting(text, limit: 40))\" is not an offset from UTC; write +07:00 (WIB), +08:00 (WITA) or +09:00 (WIT), or WIB, WITA, WIT")
                }
                m.utcOffsetMinutes = minutes
            case "service_code_system": m.serviceCodeSystem = try doc.string(v, "fhir.service_code_system")
            case "antenatal_episode_codes": m.antenatalEpisodeCodes = try codes(v, "fhir.antenatal_episode_codes")
            case "systolic_codes": m.systolicCodes = try codes(v, "fhir.systolic_codes")
            case "diastolic_codes": m.diastolicCodes = try codes(v, "fhir.diastolic_codes")
            case "lmp_codes": m.lmpCodes = try codes(v, "fhir.lmp_codes")
            case "gestation_codes": m.gestationCodes = try codes(v, "fhir.gestation_codes")
            case "observations": m.observations.merge(try table(v, "fhir.observations")) { $1 }
            case "services": m.services.merge(try table(v, "fhir.services")) { $1 }
            case "facility_types": m.facilityTypes.merge(try table(v, "fhir.facility_types", allowed: facilityTypes)) { $1 }
            case "providers": m.providers.merge(try table(v, "fhir.providers")) { $1 }
            case "vaccine_doses":
                for (k, list) in try doc.mapping(v, "fhir.vaccine_doses") {
                    let code = try doc.string(k, "a code (system|code or code)")
                    let doses = try doc.sequence(list, "fhir.vaccine_doses.\(code)").map { try doc.string($0, "fhir.vaccine_doses.\(code): a service code") }
                    guard !doses.isEmpty, !doses.contains(where: \.isEmpty) else {
                        throw doc.error(list, "fhir.vaccine_doses.\(code): give the service of each dose in order, e.g. [POLIO1, POLIO2, POLIO3, POLIO4]")
                    }
                    m.vaccineDoses[code] = doses
                }
            case "default_facility_type":
                let t = try doc.string(v, "fhir.default_facility_type")
                guard facilityTypes.contains(t) else {
                    throw doc.error(v, "fhir.default_facility_type: \"\(t)\" is not one of \(facilityTypes.joined(separator: ", "))")
                }
                m.defaultFacilityType = t
            case let other:
                throw doc.error(k, "fhir: unknown setting \"\(other)\"; see docs/fhir.md for the settings")
            }
        }
        return m
    }

    /// The target groups spec §5.1 estimates from the crude birth rate (`cbr_per_1000`).
    static let birthRateGroups: Set<String> = ["bumil", "bulin", "bayi", "bayi_lahir_hidup"]

    /// One `reshape:` entry; every problem names its line. The service codes it names go to
    /// `references`, checked against the catalogue once it is loaded.
    static func reshapeRule(_ node: Node, _ doc: YAMLFile, references serviceReferences: inout [ServiceReference],
                            facilityTypes facilityTypeValues: inout [(value: String, node: Node)]) throws -> ReshapeRule {
        let fields = ReshapeRule.fields
        var rule = ReshapeRule(files: "")
        var hasFiles = false
        var monthServiceLine = doc.line(node)
        /// Each use of a column (`months.columns (January)`, `dated.HB0`, `columns.rw`,
        /// `year.column`) → where the rule writes it, for the error naming a second use.
        var nodes: [String: Node] = [:]
        var valueLines: [String: Node] = [:]
        for (k, v) in try doc.mapping(node, "a reshape rule") {
            let key = try doc.string(k, "a setting")
            switch key {
            case "files":
                rule.files = try doc.string(v, "reshape.files")
                hasFiles = true
                // A pattern over paths inside the data folder: an empty one, an absolute one or
                // one going up (`..`) matches no service file, so the rule would read nothing.
                let segments = rule.files.split(separator: "/", omittingEmptySubsequences: false)
                guard !rule.files.isEmpty, !rule.files.hasPrefix("/"), !segments.contains("..") else {
                    throw doc.error(v, "reshape.files must be a pattern over the service files' paths in the data folder (layanan/register-*.xlsx); \"\(rule.files)\" matches none")
                }
            case "columns", "values":
                for (f, c) in try doc.mapping(v, "reshape.\(key)") {
                    let field = try doc.string(f, "a field")
                    guard fields.contains(field), !["record_id", "visit_date", "service_code", "result"].contains(field) else {
                        throw doc.error(f, "reshape.\(key): \"\(field)\" cannot be given; use person_id, birth_date, sex, village_code, rw, rt, facility_type, facility_id, provider or name")
                    }
                    let value = try doc.string(c, "reshape.\(key).\(field)")
                    if key == "columns" {
                        rule.columns[field] = value
                        nodes["columns.\(field)"] = c
                    } else {
                        rule.values[field] = value
                        valueLines[field] = c
                    }
                }
            case "year":
                let m = try doc.mapping(v, "reshape.year")
                guard m.count == 1, let (yk, yv) = m.first else {
                    throw doc.error(v, "reshape.year takes one of column: NAME, value: YYYY, from_file_name: true, from_sheet_name: true")
                }
                switch try doc.string(yk, "reshape.year") {
                case "column":
                    rule.year = .column(try doc.string(yv, "reshape.year.column"))
                    nodes["year.column"] = yv
                case "value":
                    let y = try doc.int(yv, "reshape.year.value")
                    guard (1900...2999).contains(y) else { throw doc.error(yv, "reshape.year.value must be a four-digit year") }
                    rule.year = .value(y)
                case "from_file_name": rule.year = .fileName
                case "from_sheet_name": rule.year = .sheetName
                case let other: throw doc.error(yk, "reshape.year: unknown source \"\(other)\"; use column, value, from_file_name or from_sheet_name")
                }
            case "months":
                for (mk, mv) in try doc.mapping(v, "reshape.months") {
                    switch try doc.string(mk, "reshape.months setting") {
                    case "columns":
                        let items = try doc.sequence(mv, "reshape.months.columns")
                        rule.months = try items.map { try doc.string($0, "a column") }
                        for (m, item) in items.enumerated() where m < 12 { nodes["months.columns (\(ReshapeRule.monthNames[m]))"] = item }
                        guard rule.months.count == 12 else {
                            throw doc.error(mv, "reshape.months.columns must name 12 columns, January to December (JAN … DES)")
                        }
                    case "service":
                        rule.monthService = try doc.string(mv, "reshape.months.service")
                        monthServiceLine = doc.line(mv)
                    case "day":
                        rule.day = try doc.int(mv, "reshape.months.day")
                        guard (1...31).contains(rule.day) else { throw doc.error(mv, "reshape.months.day must be 1…31") }
                    case "absent":
                        rule.absent = try doc.sequence(mv, "reshape.months.absent").map {
                            try doc.string($0, "a mark").trimmingCharacters(in: .whitespaces)
                        }
                        guard !rule.absent.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
                            throw doc.error(mv, "reshape.months.absent: a mark cannot be empty (an empty cell makes no record already)")
                        }
                    case let other: throw doc.error(mk, "reshape.months: unknown setting \"\(other)\"; use columns, service, day, absent")
                    }
                }
            case "dated":
                for (sk, sv) in try doc.mapping(v, "reshape.dated") {
                    rule.dated.append((try doc.string(sk, "a service code"), try doc.string(sv, "reshape.dated column")))
                    nodes["dated.\(rule.dated.last!.service)"] = sv
                    serviceReferences.append(ServiceReference(code: rule.dated.last!.service, line: doc.line(sk), setting: "reshape.dated"))
                }
            case let other:
                throw doc.error(k, "reshape: unknown setting \"\(other)\"; use files, columns, values, year, months, dated")
            }
        }
        guard hasFiles else { throw doc.error(node, "reshape: a rule needs files: (a pattern such as layanan/register-*.xlsx)") }
        guard !rule.months.isEmpty || !rule.dated.isEmpty else {
            throw doc.error(node, "reshape: a rule needs months: or dated:, or it makes no record")
        }
        if !rule.months.isEmpty && rule.year == nil {
            throw doc.error(node, "reshape: months need a year: (column, value, from_file_name or from_sheet_name)")
        }
        if !rule.months.isEmpty {
            serviceReferences.append(ServiceReference(code: rule.monthService, line: monthServiceLine, setting: "reshape.months.service"))
        }
        // A field from a column and a value: the column's cells won, the value was dropped.
        for (field, line) in valueLines where rule.columns[field] != nil {
            throw doc.error(line, "reshape: \(field) is given by both columns and values; keep one")
        }
        if let line = valueLines["facility_type"] { facilityTypeValues.append((rule.values["facility_type"]!, line)) }
        // A month or dated column named twice, or also a person/area column or the year: one
        // cell would become two records (JAN twice: January's weights dated January and
        // February, the real February never read) or a record of the wrong cell.
        var seen: [String: String] = [:]
        var uses = rule.months.enumerated().map { (ReshapeSource.normalise($0.element), "months.columns (\(ReshapeRule.monthNames[$0.offset]))") }
        uses += rule.dated.map { (ReshapeSource.normalise($0.column), "dated.\($0.service)") }
        let cells = uses.count
        uses += rule.columns.sorted { $0.key < $1.key }.map { (ReshapeSource.normalise($0.value), "columns.\($0.key)") }
        if case .column(let name) = rule.year { uses.append((ReshapeSource.normalise(name), "year.column")) }
        for (k, (column, use)) in uses.enumerated() {
            if let first = seen[column], k < cells || first.hasPrefix("months") || first.hasPrefix("dated") {
                throw doc.error(nodes[use] ?? node, "reshape: the column \"\(column)\" is named by \(first) and by \(use); each month or dated column must be a column of its own")
            }
            seen[column] = seen[column] ?? use
        }
        // One `RT/RW` column for both: `001/01` became an RW and an RT that exist nowhere.
        if let rw = rule.columns["rw"], let rt = rule.columns["rt"], ReshapeSource.normalise(rw) == ReshapeSource.normalise(rt) {
            throw doc.error(nodes["columns.rt"] ?? node, "reshape: columns.rw and columns.rt name one column (\"\(rt)\"); a register needs its RW and its RT in columns of their own — split the column in the register")
        }
        return rule
    }

    /// The default pipeline when no `--pipeline` is given: the one built into the binary
    /// (`pipelines/default.yaml` of the source it was built from; `pws pipeline show` prints it).
    public static func defaultPath() -> String { BuiltInPipeline.defaultPath }
}
