import ArgumentParser
import Foundation
import Pipeline
import PWSCore
import Export

extension PWS {
    /// `pws export`: a published run in the formats other systems import.
    struct ExportGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Export a published run for another system (DHIS2).",
            subcommands: [DHIS2.self])
    }
}

extension PWS.ExportGroup {
    /// `pws export dhis2` (§A6): numerators and denominators as a DHIS2 data value import.
    struct DHIS2: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dhis2",
            abstract: "Write a published run's numerators and denominators as a DHIS2 import (dataValueSets JSON, CSV or ADX).",
            discussion: """
            The mapping file (YAML, docs/dhis2.md) names the data element of each indicator's numerator \
            and denominator and the org unit of each area. Unmapped indicators and areas are listed on \
            stderr and counted; they are never dropped silently. Import with POST /api/dataValueSets \
            (dryRun=true first; docs/dhis2.md). Exit status: 0 written; 64 usage or mapping error \
            (file:line); 65 nothing to export; 66 the run folder has no indicators.csv; 73 --out not writable.
            """)

        @Option(help: "The published run folder, OUT/YYYY-MM.")
        var run: String

        @Option(help: "The mapping file (YAML): data elements, org units, period type.")
        var mapping: String

        @Option(help: "json (dataValueSets), csv (the DHIS2 CSV layout) or adx (ADX XML).")
        var format: DHIS2Format = .json

        @Option(help: "Write the import file here instead of standard output.")
        var out: String?

        func validate() throws {
            if out?.isEmpty == true { throw ValidationError("--out is empty; give the file to write, or leave --out out for standard output") }
        }

        func run() async throws {
            do {
                if let out { try Self.refuseOwnInputs(out: out, run: run, mapping: mapping) }
                let export = DHIS2Export(runFolder: run, mappingPath: mapping, format: format)
                let outcome = try export.run()
                for line in outcome.lines { printError(line) }
                if let out {
                    try Self.write(outcome.data, to: out)
                    printError("wrote \(out) (Content-Type: \(format.contentType))")
                } else {
                    try writeStandardOutput(outcome.data)
                }
            } catch let empty as DHIS2Export.NothingToExport {
                for line in empty.lines { printError(line) }
                printError("\(empty.error)")
                throw ExitCode(empty.error.exitStatus.rawValue)
            } catch let error as PWSError {
                printError("\(error)")
                throw ExitCode(error.exitStatus.rawValue)
            }
        }
    }
}

extension PWS.ExportGroup.DHIS2 {
    /// `path` with its links and `..` resolved: the file's own path when it exists, else its
    /// folder's resolved and its name.
    static func resolved(_ path: String) -> String {
        func real(_ p: String) -> String? { realpath(p, nil).map { r in defer { free(r) }; return String(cString: r) } }
        if let r = real(path) { return r }
        let folder = (path as NSString).deletingLastPathComponent
        return (real(folder.isEmpty ? "." : folder) ?? folder) + "/" + (path as NSString).lastPathComponent
    }

    /// Refuses an `--out` that is the mapping, or a file in a published run folder (the one
    /// exported or any other): the import replaced the run's indicators.csv, after which the
    /// run could no longer be exported or compared.
    /// - Throws: `PWSError` (exit 73).
    static func refuseOwnInputs(out: String, run: String, mapping: String) throws {
        let target = resolved(out)
        if target == resolved(mapping) {
            throw PWSError(.outputNotWritable, "--out \(out) is the mapping file; give the import file a name of its own, e.g. dhis2.json")
        }
        let runFolder = resolved(run)
        let folder = (target as NSString).deletingLastPathComponent
        if target.hasPrefix(runFolder + "/") || target == runFolder {
            throw PWSError(.outputNotWritable, "--out \(out) is inside the run folder \(run), which stays as the run published it; write the import elsewhere, e.g. dhis2.json")
        }
        try OutputFolder.refusePublishedRun(folder, as: "a file outside published run folders, e.g. dhis2.json")
    }

    /// Writes the import file to `out`. A character device or a FIFO (`/dev/stdout`, a named
    /// pipe) is written into, never replaced; a folder or another special file is refused;
    /// otherwise the file (a symbolic link's target) is replaced whole through a temporary file,
    /// so a failed write leaves the previous one.
    static func write(_ data: Data, to out: String) throws {
        var st = stat()
        if stat(out, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                break
            case S_IFCHR, S_IFIFO:
                // Not blocking in open: a FIFO nobody reads would hold the command forever.
                let fd = open(out, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
                guard fd >= 0 else {
                    if errno == ENXIO { throw PWSError(.outputNotWritable, "nothing reads the FIFO \(out); start its reader first") }
                    throw PWSError(.outputNotWritable, "cannot open \(out) for writing (\(String(cString: strerror(errno)))); check its permissions")
                }
                defer { close(fd) }
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
                try data.withUnsafeBytes { bytes in
                    var done = 0
                    while done < bytes.count {
                        let n = Foundation.write(fd, bytes.baseAddress! + done, bytes.count - done)
                        if n < 0 && errno == EINTR { continue }
                        guard n > 0 else {
                            throw PWSError(.outputNotWritable, "cannot write \(out) (\(n < 0 ? String(cString: strerror(errno)) : "nothing written")); check where it goes")
                        }
                        done += n
                    }
                }
                return
            case S_IFDIR:
                throw PWSError(.outputNotWritable, "\(out) is a folder; give --out a file name, e.g. \(out)/dhis2.json")
            default:
                throw PWSError(.outputNotWritable, "\(out) is not a regular file (a socket or block device); give --out a file name")
            }
        }
        // The target of a symbolic link, so the link stays a link.
        let target = realpath(out, nil).map { path in defer { free(path) }; return String(cString: path) } ?? out
        do {
            try data.write(to: URL(fileURLWithPath: target), options: .atomic)
        } catch {
            throw PWSError(.outputNotWritable, "cannot write \(out); check the folder and its permissions", cause: "\((error as NSError).localizedDescription)")
        }
    }
}

extension DHIS2Format: ExpressibleByArgument {}
