import ArgumentParser
import PWSCore

extension PWS {
    /// `pws validate` (spec §6.1).
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Not built yet.")

        func run() async throws {
            throw ExitCode(ExitStatus.usage.rawValue)
        }
    }
}
