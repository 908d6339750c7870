import Foundation
import Yams

/// The `source:` texts of an indicator catalogue (docs/indicators.md): which guidance or
/// regulation each indicator follows, for `pws indicators`. Kept apart from the definitions,
/// which do not need it; the loader has already checked the file, so this only reads it.
public enum IndicatorSources {
    /// Indicator id → its `source` text; indicators without one are absent.
    public static func load(path: String) throws -> [String: String] {
        let doc = try YAMLFile(path: path)
        let root = try doc.mapping(doc.root, "the indicator catalogue")
        var sources: [String: String] = [:]
        for node in try doc.sequence(try doc.required(root, "indicators"), "indicators") {
            let m = try doc.mapping(node, "an indicator")
            guard let id = m["id"], let source = m["source"] else { continue }
            sources[try doc.string(id, "id")] = try doc.string(source, "source")
        }
        return sources
    }
}
