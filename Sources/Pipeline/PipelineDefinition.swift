import Foundation
import PWSCore
import Yams

/// A pipeline definition (`pipelines/default.yaml` and the analyst's copies): which catalogues
/// to use and the run settings. Format: docs/pipeline.md.
public struct PipelineDefinition: Sendable {
    /// Denominator estimation settings (spec §5.1).
    public struct Estimation: Sendable, Equatable {
        public var enabled: Bool
        public var cbrPer1000: Double
        public var shares: [String: Double]
    }

    /// Absolute path of the definition file.
    public var path: String
    public var name: String
    public var version: Int
    /// Absolute path of the service catalogue.
    public var servicesPath: String
    /// Absolute path of the indicator catalogue.
    public var indicatorsPath: String
    /// Largest accepted `rows_rejected / rows_read` (spec §3).
    public var maxRejectRate: Double
    public var estimation: Estimation
    /// Fixed input delimiter; nil sniffs (spec §2.1).
    public var delimiter: UInt8?
    /// Extra header aliases: file kind (`layanan`, `wilayah`, `sasaran`) → canonical → aliases.
    public var columnAliases: [String: [String: [String]]]
    /// Extra enumeration spellings: `sex`/`facility_type`/`provider`/`service_code` → spelling → canonical.
    public var valueAliases: [String: [String: String]]
    /// Published runs kept per as-of month.
    public var retention: Int
    /// What a published run writes (`outputs:`; default all, `RunOutput.defaults`).
    public var outputs: Set<RunOutput> = RunOutput.defaults

    /// Loads and checks a definition; every problem is a `file:line` usage error (exit 64).
    public static func load(path: String) throws -> PipelineDefinition {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let doc = try YAMLFile(path: url.path)
        let root = try doc.mapping(doc.root, "the pipeline")
        let dir = url.deletingLastPathComponent()

        func resolve(_ key: String) throws -> String {
            let node = try doc.required(root, key)
            let rel = try doc.string(node, key)
            let full = rel.hasPrefix("/") ? rel : dir.appendingPathComponent(rel).standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: full) else {
                throw doc.error(node, "\(key): file \"\(rel)\" not found next to the pipeline; fix the path")
            }
            return full
        }

        var def = PipelineDefinition(
            path: url.path, name: "", version: 1, servicesPath: try resolve("services"),
            indicatorsPath: try resolve("indicators"), maxRejectRate: 0.05,
            estimation: Estimation(enabled: false, cbrPer1000: 0, shares: [:]),
            delimiter: nil, columnAliases: [:], valueAliases: [:], retention: 5)
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
            }
        }
        if let n = root["estimation"] {
            let m = try doc.mapping(n, "estimation")
            def.estimation.enabled = try m["enabled"].map { try doc.bool($0, "estimation.enabled") } ?? true
            def.estimation.cbrPer1000 = try m["cbr_per_1000"].map { try doc.double($0, "estimation.cbr_per_1000") } ?? 0
            if let s = m["shares"] {
                for (k, v) in try doc.mapping(s, "estimation.shares") {
                    let group = try doc.string(k, "a target group")
                    guard TargetGroup.all.contains(group) else {
                        throw doc.error(k, "estimation.shares: unknown target group \"\(group)\"; use one of \(TargetGroup.all.joined(separator: ", "))")
                    }
                    def.estimation.shares[group] = try doc.double(v, "estimation.shares.\(group)")
                }
            }
        }
        if let csv = root["csv"], let d = try doc.mapping(csv, "csv")["delimiter"] {
            let text = try doc.string(d, "csv.delimiter")
            switch text {
            case "auto", "": def.delimiter = nil
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
                    table[name] = try doc.sequence(list, "column_aliases.\(kind).\(name)").map { try doc.string($0, "an alias") }
                }
                def.columnAliases[kind] = table
            }
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
            }
        }
        return def
    }

    /// The default pipeline: `pipelines/default.yaml`, found beside the executable's package or
    /// the working directory, or through `PWS_PIPELINES`.
    public static func defaultPath() -> String {
        let fm = FileManager.default
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["PWS_PIPELINES"] {
            candidates.append(env + "/default.yaml")
        }
        candidates.append(fm.currentDirectoryPath + "/pipelines/default.yaml")
        // The executable lives in <package>/.build/<config>/pws.
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("pipelines/default.yaml").path)
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first(where: { fm.fileExists(atPath: $0) }) ?? candidates[0]
    }
}
