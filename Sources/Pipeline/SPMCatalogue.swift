import Aggregate
import PWSCore

/// Reads the SPM catalogue (`spm:` of a pipeline, `pipelines/spm.yaml`, docs/spm.md): the
/// indicator catalogue format, each entry one SPM service, with what the SPM tables need on top.
///
/// Every service must have a target group as denominator (its sasaran) and must not be
/// `scope: monthly`: spm.csv adds the numerators of a quarter's months, which counts a subject
/// once only when it is counted once in the year. A problem stops the run with exit 64 and
/// names `file:line`, like every catalogue error.
public enum SPMCatalogue {
    public static func load(path: String, services: ServiceCatalogue) throws -> [IndicatorDefinition] {
        let definitions = try IndicatorCatalogueLoader.load(path: path, services: services)
        let doc = try YAMLFile(path: path)
        let nodes = try doc.sequence(try doc.required(try doc.mapping(doc.root, "the SPM catalogue"), "indicators"),
                                     "indicators")
        for (def, node) in zip(definitions, nodes) {
            if def.scope == .monthly {
                throw doc.error(node, "SPM service \(def.id): scope monthly would count a person once per month; use year or lifetime (docs/spm.md)")
            }
            guard def.targetGroup != nil else {
                throw doc.error(node, "SPM service \(def.id) needs a target group as denominator (its sasaran), e.g. denominator: bumil (docs/spm.md)")
            }
        }
        return definitions
    }
}
