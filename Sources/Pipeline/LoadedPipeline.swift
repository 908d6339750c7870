import Aggregate
import Growth
import PWSCore

/// A pipeline as a command uses it, each of its files read once: the definition, the service
/// catalogue with the pipeline's value aliases, and the indicator catalogue.
struct LoadedPipeline {
    let definition: PipelineDefinition
    /// `services.yaml` with the pipeline's `value_aliases.service_code` (what Validate decodes).
    let services: ServiceCatalogue
    /// `indicators.yaml` against the catalogue as written (aliases are for data, not for the
    /// catalogue); empty when loaded without indicators (`pws validate`).
    let indicators: [IndicatorDefinition]
    /// The SPM catalogue (`spm:`, docs/spm.md); empty without one or when loaded without
    /// indicators.
    var spm: [IndicatorDefinition] = []
    /// The WHO 2006 growth standards of `definition.growthTablesPath` (built in by default),
    /// read once per run: W-GROWTH warnings and `tindak-lanjut.csv` score with them.
    let growth: GrowthStandards

    /// Loads the pipeline at `path` (exit 64 on a definition error). Value aliases are checked
    /// here so a bad one stops the run at once.
    static func load(path: String, indicators withIndicators: Bool) throws -> LoadedPipeline {
        guard PipelineFiles.exists(path) else {
            throw PWSError(.usage, "pipeline \(path) not found; pass an existing file with --pipeline")
        }
        let definition = try PipelineDefinition.load(path: path)
        let catalogue = try ServiceCatalogueLoader.load(path: definition.servicesPath)
        func at(_ kind: String) -> SourceLocation { SourceLocation(source: definition.path, line: definition.valueAliasLines[kind] ?? 1) }
        _ = try Sex.decoder.adding(aliases: definition.valueAliases["sex"] ?? [:], what: "sex", location: at("sex"))
        _ = try FacilityType.decoder.adding(aliases: definition.valueAliases["facility_type"] ?? [:],
                                            what: "facility_type", location: at("facility_type"))
        _ = try Provider.decoder.adding(aliases: definition.valueAliases["provider"] ?? [:], what: "provider",
                                        location: at("provider"))
        let services = try catalogue.adding(aliases: definition.valueAliases["service_code"] ?? [:], location: at("service_code"))
        for reference in definition.serviceReferences where services.index(of: reference.code) == nil {
            throw PWSError(.pipelineDefinition,
                           "\(reference.setting): service \"\(reference.code)\" is not in the service catalogue (\(definition.servicesPath)); use one of its codes, or add it there",
                           location: SourceLocation(source: definition.path, line: reference.line))
        }
        let indicators = withIndicators
            ? try IndicatorCatalogueLoader.load(path: definition.indicatorsPath, services: catalogue) : []
        var loaded = LoadedPipeline(definition: definition, services: services, indicators: indicators,
                                    growth: try growthStandards(folder: definition.growthTablesPath))
        if withIndicators, let spmPath = definition.spmPath {
            loaded.spm = try SPMCatalogue.load(path: spmPath, services: catalogue)
        }
        return loaded
    }

    /// The six WHO tables of `folder` (built-in or on disk), parsed; a damaged table is a
    /// definition error naming the file and line.
    static func growthStandards(folder: String) throws -> GrowthStandards {
        try GrowthStandards.parse { name throws(PWSError) in
            let path = folder + "/" + name.fileName
            guard let data = PipelineFiles.contents(atPath: path) else {
                throw PWSError(.pipelineDefinition, "cannot read the WHO growth table \(path); "
                               + "growth_tables: must name a folder holding "
                               + GrowthTableName.allCases.map(\.fileName).joined(separator: ", "))
            }
            return ([UInt8](data), path)
        }
    }

    /// The estimation settings of the definition, as Aggregate takes them.
    var estimation: EstimationSettings {
        EstimationSettings(enabled: definition.estimation.enabled, cbrPer1000: definition.estimation.cbrPer1000,
                           shares: definition.estimation.shares, round: definition.estimation.round)
    }
}
