import Foundation
import Testing

/// The report's growth section through the real binary: its follow-up counts are those of the
/// same run's `tindak-lanjut.csv` (whatever sample-data's figures are), and a catalogue without
/// growth indicators has no section.
@Suite struct ReportGrowthEndToEndTests {
    static let sampleData = PWSBinary.packageRoot.appendingPathComponent("sample-data").path
    static let reasons = ["BGM", "2T", "STUNTING", "WASTING", "TIDAK_DITIMBANG_2_BULAN"]

    /// The text from the first `start` to the next `end`, both included.
    static func slice(_ text: some StringProtocol, from start: String, to end: String) -> Substring? {
        let text = Substring(text)
        guard let a = text.range(of: start), let b = text[a.upperBound...].range(of: end) else { return nil }
        return text[a.lowerBound..<b.upperBound]
    }

    static func unescape(_ s: Substring) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// `1.250` for 1250, as the report writes counts.
    static func dots(_ n: Int) -> String {
        var s = String(n), out = ""
        while s.count > 3 {
            out = "." + s.suffix(3) + out
            s = String(s.dropLast(3))
        }
        return s + out
    }

    @Test func followUpCountsEqualTheCSV() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let r = try PWSBinary.run(["run", "--data", Self.sampleData, "--out", tmp.path, "--today", "2026-01-15", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: tmp.path).first { $0.hasPrefix("20") })
        let html = try String(contentsOfFile: "\(tmp.path)/\(folder)/report.html", encoding: .utf8)
        let csv = try String(contentsOfFile: "\(tmp.path)/\(folder)/tindak-lanjut.csv", encoding: .utf8)

        // Per facility: children per reason, and in all (rows).
        var fromCSV: [String: [Int]] = [:]
        for line in csv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            let facility = f[0].isEmpty ? "(tanpa fasilitas)" : String(f[0])
            var c = fromCSV[facility] ?? Array(repeating: 0, count: 6)
            let codes = f[6].split(separator: " ")
            for (k, code) in Self.reasons.enumerated() where codes.contains(Substring(code)) { c[k] += 1 }
            c[5] += 1
            fromCSV[facility] = c
        }
        #expect(!fromCSV.isEmpty)

        let section = try #require(Self.slice(html, from: "<section class=\"growth\" id=\"pertumbuhan\">", to: "</section>"))
        let table = try #require(Self.slice(section, from: "Tindak lanjut per posyandu", to: "</table>"))
        var fromReport: [String: [Int]] = [:]
        var total: [Int] = []
        for row in table.components(separatedBy: "\n") where row.hasPrefix("<tr") && row.hasSuffix("</tr>") {
            let cells = row.dropLast("</tr>".count).components(separatedBy: "<td")
            let counts = cells.dropFirst(2).map { Int(Self.unescape($0.dropFirst()).replacingOccurrences(of: ".", with: ""))! }
            if row.hasPrefix("<tr class=\"total\">") { total = counts }
            guard row.hasPrefix("<tr><th>") else { continue }
            // A posyandu with children of two villages has a row per village: summed here.
            let facility = Self.unescape(cells[0].dropFirst("<tr><th>".count))
            var c = fromReport[facility] ?? Array(repeating: 0, count: 6)
            for k in 0..<6 { c[k] += counts[k] }
            fromReport[facility] = c
        }
        #expect(fromReport == fromCSV)
        let rows = csv.split(separator: "\n").count - 1
        #expect(total.last == rows)
        #expect(section.contains("<p>\(Self.dots(rows)) balita di tindak-lanjut.csv"))
        #expect(section.contains("data-chart=\"growth\""))
    }

    @Test func noSectionWithoutGrowthIndicators() throws {
        let tmp = try TempFolder()
        defer { tmp.remove() }
        let root = PWSBinary.packageRoot.appendingPathComponent("pipelines").path
        // The default pipeline with a catalogue copy without the eight §A4 entries.
        var out: [Substring] = []
        var skip = false
        let growth: Set<Substring> = ["T", "2T", "BGM", "UNDERWEIGHT", "STUNTING", "WASTING", "GIZI_BURUK", "OVERWEIGHT"]
        for line in try String(contentsOfFile: root + "/indicators.yaml", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  - id: ") { skip = growth.contains(line.dropFirst("  - id: ".count)) }
            if !skip { out.append(line) }
        }
        try out.joined(separator: "\n").write(toFile: tmp.path + "/indicators.yaml", atomically: true, encoding: .utf8)
        let text = try String(contentsOfFile: root + "/default.yaml", encoding: .utf8)
            .replacingOccurrences(of: "services: services.yaml", with: "services: \(root)/services.yaml")
            .replacingOccurrences(of: "indicators: indicators.yaml", with: "indicators: \(tmp.path)/indicators.yaml")
            .replacingOccurrences(of: "spm: spm.yaml", with: "spm: \(root)/spm.yaml")
        try text.write(toFile: tmp.path + "/p.yaml", atomically: true, encoding: .utf8)
        let r = try PWSBinary.run(["run", "--data", Self.sampleData, "--out", tmp.path + "/out", "--pipeline",
                                   tmp.path + "/p.yaml", "--today", "2026-01-15", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: tmp.path + "/out").first { $0.hasPrefix("20") })
        let html = try String(contentsOfFile: "\(tmp.path)/out/\(folder)/report.html", encoding: .utf8)
        #expect(!html.contains("id=\"pertumbuhan\"") && !html.contains("Pertumbuhan balita"))
        #expect(!html.contains("data-chart=\"growth\"") && !html.contains(".g0{"))
        // The follow-up list is still written: it does not depend on the catalogue.
        #expect(FileManager.default.fileExists(atPath: "\(tmp.path)/out/\(folder)/tindak-lanjut.csv"))
    }
}
