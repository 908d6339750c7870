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
            errors, or reject rate over the limit: nothing published, see OUT/refused/YYYY-MM/; \
            or no service row accepted at all); \
            66 input missing; 73 output not writable; 75 another run holds the lock, or an \
            input file changed while an --incremental run read it; 129/130/143 stopped by \
            SIGHUP/SIGINT/SIGTERM (nothing published — unless the signal came as the finished \
            run was being moved into place: then it was, and the last line says so). See \
            docs/operations.md.
            """)

        @OptionGroup var common: CommonOptions

        @Option(help: "Output folder; the run lands in OUT/YYYY-MM/.")
        var out: String = "out"

        @Option(parsing: .unconditional, help: "Split the persons into P partitions and process them one at a time, or one per core while they are small (bounded memory; the same outputs). Default: all at once.")
        var partitions: Int?

        @Flag(help: "With --partitions: keep the map of each input file in OUT/.cache/map/ and read only new or changed files on the next run (docs/scale.md).")
        var incremental = false

        @Flag(help: "With --incremental: hash every input file's bytes instead of trusting the hash index for files whose size, mtime, ctime and inode are unchanged.")
        var rehash = false

        func validate() throws {
            if out.isEmpty { throw ValidationError("--out is empty; give the output folder (it is made when missing)") }
            if let partitions, !(1...ShardedRun.maxTasks).contains(partitions) {
                throw ValidationError("--partitions must be 1…\(ShardedRun.maxTasks)")
            }
            if incremental && partitions == nil { throw ValidationError("--incremental needs --partitions P (the cache serves the partitioned run)") }
            if rehash && !incremental { throw ValidationError("--rehash goes with --incremental") }
        }

        func run() async throws {
            Interruption.install()
            let (logger, progress) = common.makeLogger()
            let runner = PipelineRunner(request: common.request(command: "run", output: out),
                                        logger: logger, progress: progress)
            if let partitions {
                try finish({ try ShardedRun.runPartitioned(runner: runner, partitions: partitions,
                                                             incremental: incremental ? MapCacheOptions(rehash: rehash) : nil) },
                           options: common)
            } else {
                try finish({ try runner.run() }, options: common)
            }
        }
    }
}
