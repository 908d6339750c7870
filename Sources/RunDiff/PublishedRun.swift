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

        /// Counts are read as numbers of any size and refused unless whole and 0…`maxCount`: read
        /// as `Int`, a count of 2⁶⁴ or 1.5 failed inside Foundation as "not valid JSON", naming
        /// neither the file nor the field.
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let path = try c.decode(String.self, forKey: .path)
            self.path = path
            kind = try c.decode(String.self, forKey: .kind)
            sha256 = try c.decode(String.self, forKey: .sha256)
            func count(_ key: CodingKeys) throws -> Int? {
                if let whole = try? c.decodeIfPresent(Int.self, forKey: key) {
                    guard (0...PublishedRun.maxCount).contains(whole) else {
                        throw BadCount(input: path, field: key.stringValue, value: "\(whole)")
                    }
                    return whole
                }
                guard let value = try c.decodeIfPresent(Double.self, forKey: key) else { return nil }
                // A whole number past Int in all its digits (2⁶⁴ as 18446744073709551616, not
                // 1.8446744073709552e+19, whose digits miscounted its length).
                let whole = value == value.rounded() && abs(value) >= 1e15 && abs(value) < 1e300
                throw BadCount(input: path, field: key.stringValue, value: whole ? String(format: "%.0f", value) : "\(value)")
            }
            guard let read = try count(.rowsRead) else {
                throw DecodingError.keyNotFound(CodingKeys.rowsRead, .init(codingPath: c.codingPath, debugDescription: "rows_read is missing"))
            }
            rowsRead = read
            rowsRejected = try count(.rowsRejected)
            rowsAccepted = try count(.rowsAccepted)
            rowsUsed = try count(.rowsUsed)
            rowsDuplicate = try count(.rowsDuplicate)
            rowsOutOfPeriod = try count(.rowsOutOfPeriod)
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
            return run
        } catch let error as PWSError {
            throw error
        } catch let bad as BadCount {
            // A value of 16 digits or more would be masked as a NIK when printed (9223…07):
            // its length is said instead.
            let digits = bad.value.filter(\.isNumber).count
            let shown = digits < PersonID.embeddedIdentifierDigits ? bad.value : "out of range (a number of \(digits) digits)"
            throw PWSError(.data, "\(path): \(VisibleText.quoting(PersonID.maskIdentifiersInName(bad.input), limit: 200)) has \(bad.field) \(shown), which no run of pws writes (a whole number, 0 to \(Self.maxCount)); name a folder pws run published, unedited")
        } catch {
            throw PWSError(.data, "\(path) is not a pws run.json", cause: "\(error)")
        }
    }

    /// A count in run.json that is not a whole number from 0 to `maxCount`.
    struct BadCount: Error {
        var input: String, field: String, value: String
    }

    /// The largest row count a run.json of pws holds (2⁴⁸, far above any run): the diff sums
    /// and subtracts them, and a hand-edited 9223372036854775807 overflowed into a trap. Larger,
    /// negative or fractional counts are refused while decoding (exit 65, naming file and field).
    static let maxCount = 1 << 48
}
