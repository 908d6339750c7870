import ArgumentParser
import Export
import Foundation
import Pipeline
import PWSCore

/// The task of an array job: `--task`, else the scheduler's index (`SLURM_ARRAY_TASK_ID`,
/// Kubernetes' `JOB_COMPLETION_INDEX`), and the number of tasks.
struct TaskOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "This task's index, 0 … TASKS−1. Default: $SLURM_ARRAY_TASK_ID, else $JOB_COMPLETION_INDEX.")
    var task: Int?

    @Option(parsing: .unconditional, help: "How many tasks the stage has.")
    var tasks: Int

    @Option(help: "The shared folder of the run's intermediate files (the same path for every task).")
    var shared: String

    func index() throws -> Int {
        let env = ProcessInfo.processInfo.environment
        if let task { return task }
        for name in ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"] {
            if let text = env[name] {
                // Digits only, as schedulers write it: Int("+1") and Int("-0") read a sign that no
                // array index has, the mark of a hand-set or mis-set variable.
                guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    throw ValidationError("$\(name) is \"\(VisibleText.quoting(text, limit: 40))\", not a task index (a whole number 0…\(tasks - 1), digits only)")
                }
                guard let i = Int(text) else {
                    throw ValidationError("$\(name) is \(text.prefix(40))\(text.count > 40 ? "…" : ""), out of range 0…\(tasks - 1) for --tasks \(tasks)")
                }
                guard (0..<tasks).contains(i) else {
                    throw ValidationError("$\(name) is \(i), out of range 0…\(tasks - 1) for --tasks \(tasks)")
                }
                return i
            }
        }
        throw ValidationError("no task index: give --task, or run as a Slurm array task (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)")
    }

    func validate() throws {
        guard tasks >= 1 else { throw ValidationError("--tasks must be at least 1") }
        guard tasks <= ShardedRun.maxTasks else { throw ValidationError("--tasks must be at most \(ShardedRun.maxTasks)") }
        guard !shared.isEmpty else { throw ValidationError("--shared is empty; give the shared folder's path (the same for every task)") }
        if let task, !(0..<tasks).contains(task) {
            throw ValidationError("--task \(task) is out of range 0…\(tasks - 1)")
        }
    }
}

extension TaskOptions {
    /// A task stage's set-up: signals handled, the stage's `ShardedRun` over the shared folder,
    /// and this task's index.
    func stage(_ command: String, _ common: CommonOptions) throws -> (ShardedRun, Int) {
        Interruption.install()
        let (logger, _) = common.makeLogger()
        let index = try self.index()
        let runner = PipelineRunner(request: common.request(command: command, output: nil), logger: logger)
        return (ShardedRun(runner: runner, shared: shared), index)
    }
}

extension PWS {
    /// `pws map` (spec §A7): stage 1 of a sharded run.
    struct Map: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sharded run, stage 1 of 4: read a share of the service files, apply the per-row rules, write person partitions (docs/scale.md).")

        @OptionGroup var common: CommonOptions
        @OptionGroup var task: TaskOptions

        @Option(parsing: .unconditional, help: "Person partitions (= dedup and reduce tasks).")
        var partitions: Int

        @Flag(help: "Keep the map of each input file in OUT/.cache/map/ (with --out OUT, the folder the merge publishes to) and read only new or changed files on the next run (docs/scale.md).")
        var incremental = false

        @Option(help: "With --incremental: the output folder the merge publishes to; the cache is OUT/.cache/map/, the cache of `pws run --partitions P --incremental` too.")
        var out: String?

        @Flag(help: "With --incremental: hash every input file's bytes instead of trusting the hash index for files whose size, mtime, ctime and inode are unchanged.")
        var rehash = false

        func validate() throws {
            if out?.isEmpty == true { throw ValidationError("--out is empty; give the output folder (its .cache/map/ holds the cache)") }
            guard (1...ShardedRun.maxTasks).contains(partitions) else {
                throw ValidationError("--partitions must be 1…\(ShardedRun.maxTasks)")
            }
            if incremental && out == nil {
                throw ValidationError("--incremental needs --out OUT (the cache is OUT/.cache/map/)")
            }
            if !incremental && (out != nil || rehash) {
                throw ValidationError("--out and --rehash go with --incremental")
            }
        }

        func run() async throws {
            var (sharded, index) = try task.stage("map", common)
            if incremental { sharded.useMapCache(out: out!, rehash: rehash) }
            try finish({ try sharded.map(task: index, tasks: task.tasks, partitions: partitions) }, options: common)
        }
    }

    /// `pws dedup` (spec §A7): stage 2, E-DUPLICATE-ID by record id.
    struct Dedup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sharded run, stage 2 of 4: E-DUPLICATE-ID over one record-id partition, in read order (docs/scale.md).")

        @OptionGroup var common: CommonOptions
        @OptionGroup var task: TaskOptions

        func run() async throws {
            let (sharded, index) = try task.stage("dedup", common)
            try finish({ try sharded.dedup(task: index, tasks: task.tasks) }, options: common)
        }
    }

    /// `pws reduce` (spec §A7): stage 3, the per-person rules of one partition.
    struct Reduce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sharded run, stage 3 of 4: W-DUPLICATE and the per-person rules of one person partition, as additive counts (docs/scale.md).")

        @OptionGroup var common: CommonOptions
        @OptionGroup var task: TaskOptions

        func run() async throws {
            let (sharded, index) = try task.stage("reduce", common)
            try finish({ try sharded.reduce(task: index, tasks: task.tasks) }, options: common)
        }
    }

    /// `pws merge` (spec §A7): stage 4, publish.
    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sharded run, stage 4 of 4: sum the partitions and publish OUT/YYYY-MM/ exactly as `pws run` would (docs/scale.md).",
            discussion: "Exit status as `pws run`.")

        @OptionGroup var common: CommonOptions

        @Option(help: "The shared folder of the run's intermediate files.")
        var shared: String

        @Option(help: "Output folder; the run lands in OUT/YYYY-MM/.")
        var out: String = "out"

        func validate() throws {
            guard !shared.isEmpty else { throw ValidationError("--shared is empty; give the shared folder's path (the same for every task)") }
            if out.isEmpty { throw ValidationError("--out is empty; give the output folder (it is made when missing)") }
        }

        func run() async throws {
            Interruption.install()
            let (logger, progress) = common.makeLogger()
            let sharded = ShardedRun(runner: PipelineRunner(request: common.request(command: "merge", output: out),
                                                            logger: logger, progress: progress), shared: shared)
            try finish({ try sharded.merge() }, options: common)
        }
    }
}
