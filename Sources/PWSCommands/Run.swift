import ArgumentParser
import PWSCore

extension PWS {
    /// `pws run` (spec §6.1).
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Not built yet.")

        func run() async throws {
            throw ExitCode(ExitStatus.usage.rawValue)
        }
    }
}
