import ArgumentParser
import Export
import Pipeline
import PWSCore

extension PWS {
    /// `pws validate` (spec §6.1): ingest and validate only; publishes nothing.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the data (a dry run): print the row accounting; with --out write rejects.csv, warnings.csv and run.json.",
            discussion: "Exit status 0 when the reject rate is within the pipeline's limit, 65 when over it or when the register or targets have errors; 64 usage or pipeline error; 66 input missing; 73 --out not writable; 129/130/143 stopped by a signal.")

        @OptionGroup var common: CommonOptions

        @Option(help: "Folder for rejects.csv, warnings.csv and run.json (written directly; nothing is published).")
        var out: String?

        func validate() throws {
            if out?.isEmpty == true { throw ValidationError("--out is empty; give the folder for rejects.csv, warnings.csv and run.json") }
        }

        func run() async throws {
            Interruption.install()
            let (logger, progress) = common.makeLogger()
            let runner = PipelineRunner(request: common.request(command: "validate", output: out),
                                        logger: logger, progress: progress)
            try finish({ try runner.validateOnly() }, options: common)
        }
    }
}
