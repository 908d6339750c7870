import Foundation
import PWSCore

/// `run.json`: what ran, on what, with what result (spec §7). The one output that holds
/// wall-clock times, so the only one that differs between two identical runs.
public struct Manifest: Codable, Sendable {
    public struct Tool: Codable, Sendable {
        public var name = "pws"
        public var version: String
    }

    public struct FileEntry: Codable, Sendable {
        public var path: String
        public var sha256: String
        public var bytes: Int
        public init(path: String, sha256: String, bytes: Int) {
            self.path = path
            self.sha256 = sha256
            self.bytes = bytes
        }
    }

    /// An input file with its §3 counts (service files) or rows read (register, sasaran).
    public struct InputEntry: Codable, Sendable {
        public var path: String
        public var kind: String
        public var sha256: String
        public var bytes: Int
        public var encoding: String?
        public var delimiter: String?
        public var rowsRead: Int
        public var rowsRejected: Int?
        public var rowsAccepted: Int?
        public var rowsUsed: Int?
        public var rowsDuplicate: Int?
        public var rowsOutOfPeriod: Int?
        public var blankRows: Int
        public var unknownColumns: [String]
        /// For a workbook: the sheets whose rows were read (absent for CSV).
        public var sheets: [String]?

        public init(path: String, kind: String, sha256: String, bytes: Int, encoding: String?, delimiter: String?, rowsRead: Int, rowsRejected: Int?, rowsAccepted: Int?, rowsUsed: Int?, rowsDuplicate: Int?, rowsOutOfPeriod: Int?, blankRows: Int, unknownColumns: [String]) {
            self.path = path
            self.kind = kind
            self.sha256 = sha256
            self.bytes = bytes
            self.encoding = encoding
            self.delimiter = delimiter
            self.rowsRead = rowsRead
            self.rowsRejected = rowsRejected
            self.rowsAccepted = rowsAccepted
            self.rowsUsed = rowsUsed
            self.rowsDuplicate = rowsDuplicate
            self.rowsOutOfPeriod = rowsOutOfPeriod
            self.blankRows = blankRows
            self.unknownColumns = unknownColumns
        }

        enum CodingKeys: String, CodingKey {
            case path, kind, sha256, bytes, encoding, delimiter
            case rowsRead = "rows_read", rowsRejected = "rows_rejected", rowsAccepted = "rows_accepted"
            case rowsUsed = "rows_used", rowsDuplicate = "rows_duplicate", rowsOutOfPeriod = "rows_out_of_period"
            case blankRows = "blank_rows", unknownColumns = "unknown_columns", sheets
        }
    }

    public struct Counts: Codable, Sendable {
        public var rowsRead: Int
        public var rowsRejected: Int
        public var rowsAccepted: Int
        public var rowsUsed: Int
        public var rowsDuplicate: Int
        public var rowsOutOfPeriod: Int
        public var blankRows: Int
        public var rejectRate: Double
        public var rejectsByRule: [String: Int]
        public var warningsByRule: [String: Int]

        public init(rowsRead: Int, rowsRejected: Int, rowsAccepted: Int, rowsUsed: Int, rowsDuplicate: Int, rowsOutOfPeriod: Int, blankRows: Int, rejectRate: Double, rejectsByRule: [String: Int], warningsByRule: [String: Int]) {
            self.rowsRead = rowsRead
            self.rowsRejected = rowsRejected
            self.rowsAccepted = rowsAccepted
            self.rowsUsed = rowsUsed
            self.rowsDuplicate = rowsDuplicate
            self.rowsOutOfPeriod = rowsOutOfPeriod
            self.blankRows = blankRows
            self.rejectRate = rejectRate
            self.rejectsByRule = rejectsByRule
            self.warningsByRule = warningsByRule
        }

        enum CodingKeys: String, CodingKey {
            case rowsRead = "rows_read", rowsRejected = "rows_rejected", rowsAccepted = "rows_accepted"
            case rowsUsed = "rows_used", rowsDuplicate = "rows_duplicate", rowsOutOfPeriod = "rows_out_of_period"
            case blankRows = "blank_rows", rejectRate = "reject_rate"
            case rejectsByRule = "rejects_by_rule", warningsByRule = "warnings_by_rule"
        }
    }

    /// An output file with its row count (data rows, header excluded).
    public struct OutputEntry: Codable, Sendable {
        public var path: String
        public var sha256: String
        public var bytes: Int
        public var rows: Int?
        public init(path: String, sha256: String, bytes: Int, rows: Int?) {
            self.path = path
            self.sha256 = sha256
            self.bytes = bytes
            self.rows = rows
        }

        /// The entry of a file a writer hashed as it wrote it.
        public init(path: String, _ written: WrittenFile) {
            self.init(path: path, sha256: written.sha256, bytes: written.bytes, rows: written.rows)
        }
    }

    /// An input that was listed but could not be read, and why.
    public struct UnreadableEntry: Codable, Sendable, Equatable {
        public var path: String
        public var reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    public var tool: Tool
    public var command: String
    public var arguments: [String]
    public var pipeline: [FileEntry]
    public var dataDirectory: String
    public var asOf: String?
    public var today: String
    public var keepIdentifiers: Bool
    public var maxRejectRate: Double
    public var inputs: [InputEntry] {
        didSet { inputsAhead = nil }
    }
    /// `inputs` as `write` writes them, encoded ahead by `encodeInputsAhead()`; cleared when
    /// `inputs` changes.
    private var inputsAhead: Data?
    /// Service-record inputs that could not be read and were skipped (`--skip-unreadable`);
    /// nil (left out) when there were none.
    public var unreadableInputs: [UnreadableEntry]?
    public var counts: Counts?
    public var notes: [String]
    public var timingsSeconds: [String: Double]
    /// Peak resident memory of the run, in MiB (`peakRSS()`: the process's own `VmHWM`).
    public var peakRSSMiB: Double?
    public var outputs: [OutputEntry]
    /// `published`, `refused`, `dry-run` or `failed`.
    public var status: String
    public var exitStatus: Int32
    public var message: String?
    public var startedAt: String
    public var finishedAt: String?
    /// The tasks of a sharded run (`pws merge`, spec §A7); nil (left out) for `pws run`.
    public var sharded: Sharded?

    /// How a sharded run was split: map tasks, partitions (= dedup and reduce tasks) and the
    /// shared folder of the intermediate files.
    public struct Sharded: Codable, Sendable {
        public var mapTasks: Int
        public var partitions: Int
        public var shared: String
        public init(mapTasks: Int, partitions: Int, shared: String) {
            self.mapTasks = mapTasks
            self.partitions = partitions
            self.shared = shared
        }
        enum CodingKeys: String, CodingKey {
            case mapTasks = "map_tasks", partitions, shared
        }
    }

    enum CodingKeys: String, CodingKey {
        case tool, command, arguments, pipeline, inputs, counts, notes, outputs, status, message
        case dataDirectory = "data_directory", asOf = "as_of", today
        case keepIdentifiers = "keep_identifiers", maxRejectRate = "max_reject_rate"
        case unreadableInputs = "unreadable_inputs"
        case timingsSeconds = "timings_seconds", exitStatus = "exit_status", peakRSSMiB = "peak_rss_mib"
        case startedAt = "started_at", finishedAt = "finished_at"
        case sharded
    }

    public init(version: String, command: String, arguments: [String], dataDirectory: String, today: String,
                keepIdentifiers: Bool, maxRejectRate: Double) {
        tool = Tool(version: version)
        self.command = command
        self.arguments = arguments
        pipeline = []
        self.dataDirectory = dataDirectory
        self.today = today
        self.keepIdentifiers = keepIdentifiers
        self.maxRejectRate = maxRejectRate
        inputs = []
        notes = []
        timingsSeconds = [:]
        outputs = []
        status = "failed"
        exitStatus = 0
        startedAt = ISO8601DateFormatter().string(from: Date())
    }

    /// Peak resident set size of this process so far, in MiB: Linux's `VmHWM` in
    /// `/proc/self/status`, the high-water mark of this program's own memory. Not
    /// `getrusage`'s `ru_maxrss`: Linux carries into it the peak of the image that ran before
    /// `exec`, which for a pws started with `vfork`/`posix_spawn` is its parent's — a pws
    /// spawned by a process holding 500 MB reported 513 MiB for a run of 47 (and the test
    /// suite's own memory showed up as a `pws validate`'s). `ru_maxrss` only where there is no
    /// `/proc` (other systems).
    public static func peakRSS() -> Double {
        if let kib = procStatusKiB("VmHWM:") { return Double(kib) / 1024 }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // Linux reports KiB
    }

    /// The number of kB on the line of `/proc/self/status` that starts with `field` (e.g.
    /// `VmHWM:      1948 kB`), or nil when the file or the line is missing.
    static func procStatusKiB(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field) {
            let digits = line.dropFirst(field.count).drop { $0 == " " || $0 == "\t" }.prefix { $0.isASCII && $0.isNumber }
            return Int(digits)
        }
        return nil
    }

    /// Writes the manifest as sorted, indented JSON.
    public func write(to path: String) throws {
        var copy = self
        // Input names as every output shows them: a NIK in a file's name (one file per mother)
        // masked, in the inputs, the notes and the message that quote them.
        let mask = PersonID.maskIdentifiersInName
        let ahead = inputsAhead
        if ahead != nil { copy.inputs = [] } else { copy.inputs = inputs.map(Manifest.masked) }
        copy.unreadableInputs = copy.unreadableInputs?.map { UnreadableEntry(path: mask($0.path), reason: mask($0.reason)) }
        copy.notes = copy.notes.map(mask)
        copy.message = copy.message.map(mask)
        copy.peakRSSMiB = (Manifest.peakRSS() * 10).rounded() / 10
        copy.timingsSeconds = timingsSeconds.mapValues { ($0 * 1000).rounded() / 1000 }
        var data = try Manifest.encoder().encode(copy)
        if let ahead {
            if let spliced = Manifest.splice(ahead, into: data) {
                data = spliced
            } else {
                // Not the layout `splice` knows (another Foundation): encode them in place.
                copy.inputs = inputs.map(Manifest.masked)
                data = try Manifest.encoder().encode(copy)
            }
        }
        try OutputFile.write(data + Data("\n".utf8), path: path)
    }

    /// Encodes `inputs` now (some 4 MB of JSON for a run of 10 000 files), so that `write`, at
    /// the end of a run, encodes only the rest and splices them in: the same bytes either way.
    /// A run calls this while its slowest output is still being written.
    public mutating func encodeInputsAhead() throws {
        guard !inputs.isEmpty else { return }
        let alone = try Manifest.encoder().encode(inputs.map(Manifest.masked))
        // In the manifest the array is one level deeper than alone: two more spaces after
        // every line end (a JSON string holds no raw line end, so every one is layout), but
        // for the empty line of an empty array (`[`, an empty line, `]`).
        let newline = UInt8(ascii: "\n")
        var nested = [UInt8]()
        nested.reserveCapacity(alone.count + alone.count / 8)
        alone.withUnsafeBytes { bytes in
            for (i, byte) in bytes.enumerated() {
                nested.append(byte)
                if byte == newline && i + 1 < bytes.count && bytes[i + 1] != newline {
                    nested.append(contentsOf: [0x20, 0x20])
                }
            }
        }
        inputsAhead = Data(nested)
    }

    /// `manifest` (encoded with no inputs) with `inputs` as the value of its top-level
    /// `"inputs"` key, or nil when that key or the key after it is not where the layout puts
    /// them. A top-level key is the only text after a line end and two spaces (deeper keys are
    /// indented more; strings hold no raw line end); the empty array's value ends where the
    /// next top-level key begins.
    static func splice(_ inputs: Data, into manifest: Data) -> Data? {
        guard let key = manifest.firstRange(of: Data("\n  \"inputs\" : ".utf8)),
              let next = manifest[key.upperBound...].firstRange(of: Data(",\n  \"".utf8)) else { return nil }
        var out = Data(capacity: manifest.count + inputs.count)
        out.append(manifest[..<key.upperBound])
        out.append(inputs)
        out.append(manifest[next.lowerBound...])
        return out
    }

    /// An input entry as the manifest shows it: a NIK in the file's name masked.
    private static func masked(_ entry: InputEntry) -> InputEntry {
        var entry = entry
        entry.path = PersonID.maskIdentifiersInName(entry.path)
        return entry
    }

    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
