import ArgumentParser
import PWSCore

extension PWS {
    /// `pws bench …`: hidden stage timings used by the scripts in `bench/`.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Benchmark helpers used by bench/ (not for daily use).",
            shouldDisplay: false
        )

        func run() async throws {
            throw ExitCode(ExitStatus.usage.rawValue)
        }
    }
}
