import Foundation
import PWSCore

/// What `pws diff` reads of a published run folder's `run.json`: its inputs with their hashes
/// and row counts, the as-of month and the pipeline files. Decoded with `JSONDecoder` into
/// this subset only, so fields added to the manifest later do not break the comparison of
/// older runs.
struct PublishedRun: Decodable {
    struct Input: Decodable {
        var path: String
        var kind: String
        var sha256: String
        var rowsRead: Int
        var rowsRejected: Int?
        var rowsAccepted: Int?
        var rowsUsed: Int?
        var rowsDuplicate: Int?
        var rowsOutOfPeriod: Int?

        enum CodingKeys: String, CodingKey {
            case path, kind, sha256
            case rowsRead = "rows_read", rowsRejected = "rows_rejected", rowsAccepted = "rows_accepted"
            case rowsUsed = "rows_used", rowsDuplicate = "rows_duplicate", rowsOutOfPeriod = "rows_out_of_period"
        }

        /// The per-file counts compared, in the order of the §3 accounting.
        var counts: [(field: String, value: Int?)] {
            [("rows_read", rowsRead), ("rows_rejected", rowsRejected), ("rows_accepted", rowsAccepted),
             ("rows_used", rowsUsed), ("rows_duplicate", rowsDuplicate), ("rows_out_of_period", rowsOutOfPeriod)]
        }
    }

    struct PipelineFile: Decodable {
        var path: String
        var sha256: String
    }

    var asOf: String?
    var today: String?
    var status: String?
    var pipeline: [PipelineFile]
    var inputs: [Input]
    /// The command line the run was given (absent from a run.json of an earlier pws).
    var arguments: [String]?

    enum CodingKeys: String, CodingKey {
        case asOf = "as_of", today, status, pipeline, inputs, arguments
    }

    /// How the run wrote its CSV files: `excel` (`--excel`: `;`, decimal comma) or `plain`.
    var csvFormat: String { arguments?.contains("--excel") == true ? "excel" : "plain" }

    /// The folder as given, and its `run.json`.
    static func load(folder: String) throws -> PublishedRun {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PWSError(.inputMissing, "\(folder) is not a folder; name two published run folders, e.g. OUT/2025-11 OUT/2025-12")
        }
        let path = folder + "/run.json"
        guard let data = try PublishedRunJSON.contents(atPath: path, whatToDo: "name a folder pws run published") else {
            throw PWSError(.inputMissing, "\(path) not found; name a folder pws run published (it holds run.json and indicators.csv)")
        }
        do {
            var run = try JSONDecoder().decode(PublishedRun.self, from: data)
            // A run published before input names were masked lists a NIK in a file's name in
            // full: diff.csv and the summary show it masked, as run.json now does.
            for i in run.inputs.indices { run.inputs[i].path = PersonID.maskIdentifiersInName(run.inputs[i].path) }
            try run.checkCounts(path: path)
            return run
        } catch let error as PWSError {
            throw error
        } catch {
            throw PWSError(.data, "\(path) is not a pws run.json", cause: "\(error)")
        }
    }

    /// The largest row count a run.json of pws holds (2⁴⁸, far above any run): the diff sums
    /// and subtracts them, and a hand-edited 9223372036854775807 overflowed into a trap.
    static let maxCount = 1 << 48

    /// Refuses a per-file count that is negative or above `maxCount` (exit 65).
    func checkCounts(path: String) throws {
        for input in inputs {
            for (field, value) in input.counts {
                guard let value, value < 0 || value > Self.maxCount else { continue }
                throw PWSError(.data, "\(path): \(VisibleText.quoting(input.path, limit: 200)) has \(field) \(value), which no run of pws writes (0 to \(Self.maxCount)); name a folder pws run published, unedited")
            }
        }
    }
}
