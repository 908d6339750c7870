import ArgumentParser
import PWSCore

/// The root `pws` command.
public struct PWS: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pws",
        abstract: "PWS-ILP: life-cycle coverage indicators (PWS) from posyandu/pustu/puskesmas records.",
        version: PWSVersion.current,
        subcommands: [Run.self, Map.self, Dedup.self, Reduce.self, Merge.self, Validate.self, Diff.self, Generate.self, Indicators.self, PipelineCommand.self, ExportGroup.self, Bench.self]
    )

    public init() {}
}
