import ArgumentParser
import Foundation
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

    /// Every option of pws takes one value (and a flag says one thing), so a repeated one is a
    /// mistake — a cron line edited by hand, `--out` given twice — that the parser would settle
    /// silently by taking the last. Returns the message refusing it, or nil.
    public static func repeatedOption(_ arguments: [String]) -> String? {
        var seen: [Substring: Int] = [:]
        for (i, argument) in arguments.enumerated() {
            if argument == "--" { break }
            guard argument.hasPrefix("--"), argument.count > 2 else { continue }
            let name = argument.split(separator: "=", maxSplits: 1)[0]
            if seen[name] != nil {
                return "\(name) is given more than once (arguments \(seen[name]! + 1) and \(i + 1)); give it once"
            }
            seen[name] = i
        }
        return nil
    }

    /// `main`, refusing a repeated option first (exit 64, as a usage error).
    public static func mainRefusingRepeats() async {
        ProcessSetup.prepare()
        if let message = repeatedOption(Array(CommandLine.arguments.dropFirst())) {
            printError(message)
            Foundation.exit(64)
        }
        await main()
    }
}
