import ArgumentParser
import Export
import Pipeline
import PWSCore

extension PWS {
    /// `pws run` (spec §6.1): the whole pipeline, published atomically under `OUT/YYYY-MM/`.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the whole pipeline and publish OUT/YYYY-MM/ (indicators, PWS tables, rejects, report).",
            discussion: """
            Exit status: 0 published; 64 usage or pipeline error; 65 data error (register/sasaran \
            errors, or reject rate over the limit: nothing published, see OUT/refused/YYYY-MM/); \
            66 input missing; 73 output not writable; 75 another run holds the lock.
            """)

        @OptionGroup var common: CommonOptions

        @Option(help: "Output folder; the run lands in OUT/YYYY-MM/.")
        var out: String = "out"

        func run() async throws {
            Interruption.install()
            let (logger, progress) = common.makeLogger()
            let runner = PipelineRunner(request: common.request(command: "run", output: out),
                                        logger: logger, progress: progress)
            try finish({ try runner.run() }, options: common)
        }
    }
}
