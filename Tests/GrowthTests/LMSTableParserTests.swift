import Foundation
import Growth
import PWSCore
import Testing

/// Malformed tables are refused with the file and line; well-formed ones load.
@Suite struct LMSTableParserTests {
    /// A valid weight-for-length table: 651 rows per sex (45.0–110.0 cm), L −0.35, M = the
    /// length / 10, S 0.09; lines: 1 header, 2–652 boys, 653–1303 girls.
    static func wflLines() -> [String] {
        var lines = ["sex,length_cm,l,m,s"]
        for sex in 1...2 {
            for tenths in 450...1100 {
                lines.append("\(sex),\(tenths / 10).\(tenths % 10),-0.35,\(Double(tenths) / 100),0.09")
            }
        }
        return lines
    }

    func parse(_ lines: [String], separator: String = "\n") throws(PWSError) -> LMSTable {
        try LMSTable.parse(Array((lines.joined(separator: separator) + separator).utf8), name: .wfl, source: "wfl.csv")
    }

    func expectError(_ lines: [String], line: Int, containing text: String) {
        do {
            _ = try parse(lines)
            Issue.record("parsed a malformed table")
        } catch {
            #expect(error.location == SourceLocation(source: "wfl.csv", line: line))
            #expect(error.message.contains(text), "\(error.message)")
            #expect(error.message.contains("scripts/who2006-tables.py"))
        }
    }

    @Test func wellFormedTableLoads() throws {
        let table = try parse(Self.wflLines())
        // 45.0 cm boys: M 4.5; 110.0 cm girls: M 11.0
        #expect(table.lms(lengthCm: 45.0, sex: .male) == LMS(l: -0.35, m: 4.5, s: 0.09))
        #expect(table.lms(lengthCm: 110.0, sex: .female) == LMS(l: -0.35, m: 11.0, s: 0.09))
    }

    @Test func crlfLineEndsLoad() throws {
        let table = try parse(Self.wflLines(), separator: "\r\n")
        #expect(table.lms(lengthCm: 60.0, sex: .female)?.m == 6.0)
    }

    @Test func wrongHeader() {
        var lines = Self.wflLines()
        lines[0] = "sex,day,l,m,s"
        expectError(lines, line: 1, containing: "expected \"sex,length_cm,l,m,s\"")
    }

    @Test func missingRowNamesTheLineWhereTheGapIs() {
        var lines = Self.wflLines()
        lines.remove(at: 4)  // boys 45.3 cm; 45.4 is now on line 5
        expectError(lines, line: 5, containing: "length_cm 45.4, expected 45.3 cm")
    }

    @Test func girlsBeforeBoys() {
        var lines = Self.wflLines()
        lines[1] = "2,45.0,-0.35,0.45,0.09"
        expectError(lines, line: 2, containing: "expected 1")
    }

    @Test func fieldThatIsNotANumber() {
        var lines = Self.wflLines()
        lines[10] = "1,45.9,-0.35,abc,0.09"
        expectError(lines, line: 11, containing: "field m \"abc\" is not a number")
    }

    @Test func wrongFieldCount() {
        var lines = Self.wflLines()
        lines[3] = "1,45.2,-0.35,4.52"
        expectError(lines, line: 4, containing: "4 fields, expected 5")
    }

    @Test func nonPositiveMedian() {
        var lines = Self.wflLines()
        lines[2] = "1,45.1,-0.35,0,0.09"
        expectError(lines, line: 3, containing: "M and S must be positive")
    }

    @Test func emptyLineInside() {
        var lines = Self.wflLines()
        lines.insert("", at: 5)
        expectError(lines, line: 6, containing: "empty line")
    }

    @Test func tableThatEndsEarly() {
        let lines = Array(Self.wflLines().prefix(652))  // header and the boys only
        expectError(lines, line: 652, containing: "ends before the girls' row 45.0 cm")
    }

    @Test func rowAfterTheLastGirlsRow() {
        var lines = Self.wflLines()
        lines.append("2,110.1,-0.35,11.01,0.09")
        expectError(lines, line: 1304, containing: "after the last girls' row")
    }

    @Test func emptyFile() {
        do {
            _ = try LMSTable.parse([], name: .wfa, source: "wfa.csv")
            Issue.record("parsed an empty table")
        } catch {
            #expect(error.location == SourceLocation(source: "wfa.csv", line: 1))
            #expect(error.message.contains("empty"))
        }
    }

    @Test func missingFolderNamesTheFile() {
        do {
            _ = try GrowthStandards.load(folder: "/nonexistent/who2006")
            Issue.record("loaded from a missing folder")
        } catch {
            #expect(error.code == .inputMissing)
            #expect(error.message.contains("/nonexistent/who2006/wfa.csv"))
        }
    }

    /// The bytes entry point (for tables embedded in the binary) gives the same standards.
    @Test func parseFromBytesMatchesTheFolder() throws {
        let standards = try GrowthStandards.parse { name throws(PWSError) in
            let path = WHO.folder + "/" + name.fileName
            return ([UInt8](FileManager.default.contents(atPath: path) ?? Data()), name.fileName)
        }
        #expect(standards.weightForAgeZ(weightKg: 6.0, ageDays: 0, sex: .male)
                == WHO.standards.weightForAgeZ(weightKg: 6.0, ageDays: 0, sex: .male))
    }
}
