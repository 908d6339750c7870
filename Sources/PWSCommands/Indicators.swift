import ArgumentParser
import PWSCore

extension PWS {
    /// `pws indicators` (spec §6.1).
    struct Indicators: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Not built yet.")

        func run() async throws {
            throw ExitCode(ExitStatus.usage.rawValue)
        }
    }
}
