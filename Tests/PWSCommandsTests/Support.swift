import Foundation
import Testing

/// Runs the real `pws` binary (built by `swift build --build-tests`) in a child process.
enum PWSBinary {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var path: String {
        // The test bundle sits next to the binary in .build/<config>/.
        let bundleDir = Bundle.main.bundleURL.deletingLastPathComponent()
        for dir in [bundleDir, packageRoot.appendingPathComponent(".build/debug")] {
            let candidate = dir.appendingPathComponent("pws").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return packageRoot.appendingPathComponent(".build/debug/pws").path
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `launcher`: a command that starts pws in turn (e.g. a shell that sets a limit first), given
    /// pws's path and `arguments` after its own.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:], cwd: String? = nil,
                    launcher: [String] = []) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launcher.first ?? path)
        process.arguments = launcher.isEmpty ? arguments : launcher.dropFirst() + [path] + arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                       stderr: String(decoding: e, as: UTF8.self))
    }
}

extension PWSBinary {
    /// A copy of sample-data/ at `path` whose Jatiwangi (3201012001) bumil 28 and bulin 30 in
    /// sasaran.csv read `bumil` and `bulin` instead (decimal commas: the file is `;`-separated).
    static func sampleData(at path: String, bumil: String, bulin: String) throws {
        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("sample-data").path, toPath: path)
        let sasaran = path + "/sasaran.csv"
        let text = try String(contentsOfFile: sasaran, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "2025;3201012001;;;bumil;28\r\n", with: "2025;3201012001;;;bumil;\(bumil)\r\n")
            .replacingOccurrences(of: "2025;3201012001;;;bulin;30\r\n", with: "2025;3201012001;;;bulin;\(bulin)\r\n")
        #expect(edited.contains("bumil;\(bumil)\r\n") && edited.contains("bulin;\(bulin)\r\n"), "sample-data/sasaran.csv changed")
        try edited.write(toFile: sasaran, atomically: true, encoding: .utf8)
    }
}

/// Another program the tests check outputs with: xmllint, and the checkers of Tests/Scripts
/// through python3 (openpyxl, fhir.resources), which read pws's outputs independently of it.
enum Tool {
    /// Runs `executable` with `arguments`: its exit status, and its stdout and stderr together.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, output)
    }

    /// Runs the checker `Tests/Scripts/<name>` with python3.
    static func script(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try run("/usr/bin/env", ["python3", PWSBinary.packageRoot.appendingPathComponent("Tests/Scripts/" + name).path] + arguments)
    }
}

extension PWSBinary {
    /// Starts pws with `arguments`, paused at `PWS_PAUSE_AT=point` (it creates `marker` there
    /// and waits), and returns once the marker exists (at most 60 s): the process and its
    /// stderr pipe, for the test to signal it and read what it says.
    /// Sends `signal` to a process `startPaused` started and waits for it to end.
    /// - Returns: its exit status.
    static func stop(_ process: Process, _ err: Pipe, signal: Int32 = SIGTERM) -> Int32 {
        kill(process.processIdentifier, signal)
        _ = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func startPaused(_ arguments: [String], at point: String, marker: String,
                            environment: [String: String] = [:]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        env["PWS_PAUSE_AT"] = point
        env["PWS_PAUSE_FILE"] = marker
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        process.standardError = err
        try process.run()
        var waited = 0
        while !FileManager.default.fileExists(atPath: marker) && waited < 600 {
            usleep(100_000)
            waited += 1
        }
        return (process, err)
    }
}

/// A fresh temporary folder per test.
struct TempFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "pws-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// The default pipeline with another `max_reject_rate` (0: no reject tolerated, 1: every
    /// one), written here as `NAME.yaml` with its catalogues named by absolute path.
    func pipeline(maxRejectRate: String, name: String) throws -> String {
        let root = PWSBinary.packageRoot.appendingPathComponent("pipelines").path
        let yaml = try String(contentsOfFile: root + "/default.yaml", encoding: .utf8)
            .replacingOccurrences(of: "max_reject_rate: 0.05", with: "max_reject_rate: \(maxRejectRate)")
            .replacingOccurrences(of: "services: services.yaml", with: "services: \(root)/services.yaml")
            .replacingOccurrences(of: "indicators: indicators.yaml", with: "indicators: \(root)/indicators.yaml")
            .replacingOccurrences(of: "spm: spm.yaml", with: "spm: \(root)/spm.yaml")
        let file = path + "/\(name).yaml"
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// A generated data folder (small, fixed seed).
    func generated(records: Int = 3000, seed: Int = 3, year: Int = 2025, name: String = "data") throws -> String {
        let dir = path + "/" + name
        let r = try PWSBinary.run(["generate", "--out", dir, "--seed", "\(seed)", "--records", "\(records)",
                                   "--year", "\(year)", "--quiet"])
        #expect(r.status == 0, "generate failed: \(r.stderr)")
        return dir
    }

    /// Every file under `dir` (following the published link) with its bytes.
    static func snapshot(_ dir: String) -> [String: Data] {
        var result: [String: Data] = [:]
        let fm = FileManager.default
        let base = (try? fm.destinationOfSymbolicLink(atPath: dir)).map {
            $0.hasPrefix("/") ? $0 : (dir as NSString).deletingLastPathComponent + "/" + $0
        } ?? dir
        if let e = fm.enumerator(atPath: base) {
            for case let rel as String in e {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: base + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                    result[rel] = fm.contents(atPath: base + "/" + rel)
                }
            }
        }
        return result
    }
}
