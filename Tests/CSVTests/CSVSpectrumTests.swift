import Foundation
import CSV
import Testing

/// The csv-spectrum corpus (spec §2.1: "must read exactly").
@Suite struct CSVSpectrumTests {
    /// The JSON's objects as header → value, in file order.
    private func expected(_ name: String) throws -> [[String: String]] {
        let data = try Data(contentsOf: Fixtures.spectrum.appendingPathComponent("json/\(name).json"))
        let objects = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: String]])
        return objects
    }

    private func csvBytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Fixtures.spectrum.appendingPathComponent("csvs/\(name).csv")))
    }

    /// Turns read records into header → value objects, as the JSON is written.
    private func objects(_ result: ReadResult) throws -> [[String: String]] {
        guard case .record(_, let header)? = result.events.first else {
            Issue.record("no header record")
            return []
        }
        return try result.events.dropFirst().map { event in
            guard case .record(_, let fields) = event else { throw CocoaError(.coderInvalidValue) }
            #expect(fields.count == header.count)
            return Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
    }

    @Test(arguments: Fixtures.spectrumNames)
    func fileReadsAsItsJSONSays(name: String) throws {
        let path = Fixtures.spectrum.appendingPathComponent("csvs/\(name).csv").path
        let result = try CSVReader(path: path, source: "\(name).csv").collect()
        #expect(result.messages.isEmpty)
        #expect(try objects(result) == expected(name))
        #expect(result.encoding == .utf8)
    }

    @Test(arguments: Fixtures.spectrumNames)
    func everyBlockSizeGivesTheSameRecords(name: String) throws {
        let bytes = try csvBytes(name)
        let whole = try readCSV(bytes)
        #expect(try objects(whole) == expected(name))
        for size in 1...bytes.count {
            #expect(try readCSV(bytes, blockSize: size) == whole, "block size \(size)")
        }
    }

    @Test func quoteInsideUnquotedFieldIsLiteral() throws {
        let result = try readCSV(try csvBytes("location_coordinates"))
        guard case .record(2, let fields)? = result.events.last else {
            Issue.record("expected a record at line 2, got \(result.events)")
            return
        }
        #expect(fields[1] == "37\u{FFFD}36'37.8\"N 121\u{FFFD}2'17.9\"W")
    }
}
