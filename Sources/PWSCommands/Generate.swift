import ArgumentParser
import PWSCore

extension PWS {
    /// `pws generate` (spec §6.1).
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Not built yet.")

        func run() async throws {
            throw ExitCode(ExitStatus.usage.rawValue)
        }
    }
}
