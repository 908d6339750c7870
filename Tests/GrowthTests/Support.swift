import Foundation
import Growth
import PWSCore

/// The repository's WHO tables and the test reference files, loaded once.
enum WHO {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = repository.appendingPathComponent("pipelines/growth/who2006").path
    static let standards = try! GrowthStandards.load(folder: folder)

    /// The rows of a fixture CSV (no quoting in these files), header removed, as fields.
    static func fixture(_ name: String) -> [[String]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name)
        let text = try! String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
    }

    static func sex(_ code: String) -> Sex { code == "1" ? .male : .female }
}
