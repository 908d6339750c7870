import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What an operator's machine does to a run — a disk that fails its flushes, a reader of the
/// output that went away, a low limit of open files, a signal just after the switch, a folder
/// where the lock file goes — found by a campaign of such cases (review 12): each was a wrong
/// exit status, a wrong sentence or a published run the disk may not hold.
@Suite struct OperatorFailureTests {
    static let sample = PWSBinary.packageRoot.appendingPathComponent("sample-data").path

    /// A flush (fsync) that fails before the switch is exit 73 and publishes nothing: an EIO
    /// there was ignored and the run published with exit 0, its files perhaps never on the
    /// disk. Once for a file of the run, once for OUT/.runs after the run folder's rename (the
    /// folder is removed again); the published set stays the first run's.
    @Test(arguments: ["indicators.csv", ".runs"])
    func aFailedFlushPublishesNothing(name: String) throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let out = tmp.path + "/out"
        let run = ["run", "--data", Self.sample, "--out", out, "--today", "2026-01-15", "--quiet"]
        #expect(try PWSBinary.run(run).status == 0)
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12")
        let r = try PWSBinary.run(run, environment: ["PWS_FSYNC_FAIL": name])
        #expect(r.status == 73, "\(r.stderr)")
        #expect(r.stderr.contains("/\(name) to disk; check the output folder's disk (its free space and its health), then run again"), "\(r.stderr)")
        #expect(r.stderr.contains("Input/output error"), "\(r.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/2025-12") == link)
        let folders = try FileManager.default.contentsOfDirectory(atPath: out + "/.runs").filter { !$0.hasPrefix(".") }
        #expect(folders == [String(link.dropFirst(".runs/".count))], "\(folders)")
    }

    /// A signal just after the link's switch — while the old runs are pruned — said "the run's
    /// unfinished output was removed and nothing was published" of a published run, and skipped
    /// the pruning. The switch, the pruning and the refused clean-up are one commit now: the
    /// stop waits for it and says what is in place.
    @Test func aSignalJustAfterTheSwitchSaysTheRunIsPublished() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let paused = try HardeningTests.PausedRerun(tmp, at: "switched")
        kill(paused.process.processIdentifier, SIGTERM)
        usleep(200_000)
        #expect(paused.process.isRunning, "the stop waits for the commit")
        try FileManager.default.removeItem(atPath: paused.marker)
        let message = String(decoding: paused.err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        paused.process.waitUntilExit()
        #expect(paused.process.terminationStatus == 143, "\(message)")
        #expect(message.contains("pws: stopped by SIGTERM as the run's outputs were being moved into place; it was published: \(paused.out)/2025-12"), "\(message)")
        #expect(!message.contains("nothing was published"), "\(message)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: paused.out + "/2025-12") != paused.link)
    }

    /// A signal after the commit, while the summary is made: the stop said "the run's unfinished
    /// output was removed and nothing was published" of the run it had just published.
    @Test func aSignalAfterPublishingSaysTheRunIsPublished() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let paused = try HardeningTests.PausedRerun(tmp, at: "published")
        kill(paused.process.processIdentifier, SIGTERM)
        let message = String(decoding: paused.err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        paused.process.waitUntilExit()
        #expect(paused.process.terminationStatus == 143, "\(message)")
        #expect(message.contains("pws: stopped by SIGTERM after the run's outputs were in place; it was published: \(paused.out)/2025-12"), "\(message)")
        #expect(!message.contains("nothing was published"), "\(message)")
        let now = try FileManager.default.destinationOfSymbolicLink(atPath: paused.out + "/2025-12")
        #expect(now != paused.link)
        #expect(FileManager.default.fileExists(atPath: paused.out + "/" + now + "/run.json"))
    }

    /// A reader of standard output that went away (`pws run | head -0`, a log reader that
    /// died) killed pws with SIGPIPE: exit 141, no word. Now the write fails and the run says
    /// so, exit 73 as documented; its outputs are published. A closed standard error (the
    /// log's pipe) costs only the log: the run publishes with exit 0.
    @Test func aClosedPipeIsAWriteErrorNotSIGPIPE() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        func run(out: String, closing stream: Int) throws -> (status: Int32, stderr: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: PWSBinary.path)
            process.arguments = ["run", "--data", Self.sample, "--out", out, "--today", "2026-01-15", "--verbose"]
            let closed = Pipe(), kept = Pipe()
            try closed.fileHandleForReading.close()
            process.standardOutput = stream == 1 ? closed : FileHandle.nullDevice
            process.standardError = stream == 2 ? closed : kept
            try process.run()
            let text = stream == 2 ? "" : String(decoding: kept.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit, "killed by signal \(process.terminationStatus)")
            return (process.terminationStatus, text)
        }
        let stdout = try run(out: tmp.path + "/a", closing: 1)
        #expect(stdout.status == 73, "\(stdout.stderr)")
        #expect(stdout.stderr.contains("cannot write to standard output"), "\(stdout.stderr)")
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/a/2025-12/indicators.csv"))
        let stderr = try run(out: tmp.path + "/b", closing: 2)
        #expect(stderr.status == 0)
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/b/2025-12/indicators.csv"))
        // The DHIS2 export to a closed pipe names the reason (it said "NSCocoaErrorDomain
        // error 512").
        let export = Process()
        export.executableURL = URL(fileURLWithPath: PWSBinary.path)
        export.arguments = ["export", "dhis2", "--run", tmp.path + "/b/2025-12", "--mapping",
                            PWSBinary.packageRoot.appendingPathComponent("docs/examples/dhis2-mapping.yaml").path]
        let closed = Pipe(), err = Pipe()
        try closed.fileHandleForReading.close()
        export.standardOutput = closed
        export.standardError = err
        try export.run()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        export.waitUntilExit()
        #expect(export.terminationReason == .exit && export.terminationStatus == 73, "\(said)")
        #expect(said.contains("cannot write to standard output (Broken pipe)"), "\(said)")
    }

    /// A soft limit of 8 open files (a cron environment's `ulimit -n`) under a hard one of
    /// 1 024: Dispatch could not start (SIGILL) or an input was "unreadable, check its
    /// permissions". pws raises the soft limit to the hard one and runs as usual.
    @Test func aLowSoftLimitOfOpenFilesIsRaised() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let prlimit = "/usr/bin/prlimit"
        try #require(FileManager.default.isExecutableFile(atPath: prlimit), "prlimit (util-linux) is missing")
        let r = try PWSBinary.run(["run", "--data", Self.sample, "--out", tmp.path + "/out", "--today", "2026-01-15", "--quiet"],
                                  launcher: [prlimit, "--nofile=8:1024", "--"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/out/2025-12/pws.xlsx"))
    }

    /// A folder where the lock file goes was "cannot create the lock file …; check that the
    /// output folder is writable" — which it was. Now it is named for what it is.
    @Test func aFolderInPlaceOfTheLockFileIsNamed() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let out = tmp.path + "/out"
        try FileManager.default.createDirectory(atPath: out + "/.pws.lock", withIntermediateDirectories: true)
        let r = try PWSBinary.run(["run", "--data", Self.sample, "--out", out, "--today", "2026-01-15", "--quiet"])
        #expect(r.status == 73, "\(r.stderr)")
        #expect(r.stderr.contains("the lock file \(out)/.pws.lock is not a plain file (a directory, socket or device); remove it and run again"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/2025-12"))
    }
}
