import ArgumentParser
import PWSCore

/// The root `pws` command.
public struct PWS: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pws",
        abstract: "PWS-ILP: life-cycle coverage indicators (PWS) from posyandu/pustu/puskesmas records.",
        version: PWSVersion.current,
        subcommands: [Run.self, Validate.self, Generate.self, Indicators.self, Bench.self]
    )

    public init() {}
}

/// The tool version written into every manifest.
public enum PWSVersion {
    public static let current = "0.1.0"
}
