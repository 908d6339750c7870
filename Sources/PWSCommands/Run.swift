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

        @Option(help: "Split the persons into P partitions and process them one at a time (bounded memory; the same outputs). Default: all at once.")
        var partitions: Int?

        func validate() throws {
            if let partitions, partitions < 1 { throw ValidationError("--partitions must be at least 1") }
        }

        func run() async throws {
            Interruption.install()
            let (logger, progress) = common.makeLogger()
            let runner = PipelineRunner(request: common.request(command: "run", output: out),
                                        logger: logger, progress: progress)
            if let partitions {
                try finish({ try ShardedRun.runPartitioned(runner: runner, partitions: partitions) }, options: common)
            } else {
                try finish({ try runner.run() }, options: common)
            }
        }
    }
}
