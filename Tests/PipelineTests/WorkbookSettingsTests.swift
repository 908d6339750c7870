import Foundation
import Ingest
import PWSCore
import Testing
@testable import Pipeline

/// The §A2 settings of the pipeline: `workbooks:` and `reshape:`.
@Suite struct WorkbookSettingsTests {
    static func load(_ body: String) throws -> PipelineDefinition { try PipelineDefinitionTests.load(body) }

    static func refused(_ body: String, line: Int, _ prefix: String) {
        #expect {
            _ = try load(body)
        } throws: { error in
            guard let e = error as? PWSError else { return false }
            return e.location?.line == line && e.message.hasPrefix(prefix)
        }
    }

    @Test func workbooksAreRead() throws {
        let d = try Self.load("workbooks:\n  layanan:\n    sheets: [Kunjungan, Arsip]\n    header_row: 4\n")
        #expect(d.workbooks["layanan"]?.sheets == ["Kunjungan", "Arsip"])
        #expect(d.workbooks["layanan"]?.headerRow == 4)
        #expect(d.workbooks["wilayah"] == nil)
    }

    @Test func badWorkbookSettingsAreRefusedAtTheirLine() {
        // Lines 1–3 are the catalogue lines; `workbooks:` is line 4.
        Self.refused("workbooks:\n  layanan:\n    header_row: 0\n", line: 6, "workbooks.layanan.header_row must be a row number")
        Self.refused("workbooks:\n  register:\n    header_row: 2\n", line: 5, "workbooks: unknown file kind \"register\"")
        Self.refused("workbooks:\n  layanan:\n    sheet: [A]\n", line: 6, "workbooks.layanan: unknown setting \"sheet\"")
        // A sheet named twice was read twice (its rows counted twice, W-DUPLICATE for each);
        // none at all stopped the run blaming the workbook ("has no worksheet").
        Self.refused("workbooks:\n  layanan:\n    sheets: [Register, Arsip, Register]\n", line: 6,
                     "workbooks.layanan.sheets names \"Register\" twice (sheet names are matched ignoring case); each sheet is read once")
        Self.refused("workbooks:\n  wilayah:\n    sheets: []\n", line: 6, "workbooks.wilayah.sheets lists no sheet")
        Self.refused("workbooks:\n  layanan:\n    sheets: [Register, register]\n", line: 6,
                     "workbooks.layanan.sheets names \"register\" twice (sheet names are matched ignoring case)")
    }

    @Test func theDefaultPipelineReshapesTheSampleRegister() throws {
        let d = try PipelineDefinition.load(path: PipelineDefinitionTests.pipelines + "/default.yaml")
        let rule = try #require(d.reshape.first)
        #expect(rule.matches("layanan/register-posyandu-mawar-sumbermurni-2025.xlsx"))
        #expect(rule.months.count == 12)
        #expect(rule.monthService == "TIMBANG")
        #expect(rule.day == 15)
        #expect(rule.year == .fileName)
        #expect(rule.dated.map(\.service) == ["HB0", "BCG", "POLIO1"])
        #expect(rule.columns["person_id"] == "NIK")
        #expect(rule.values["facility_type"] == "posyandu")
    }

    @Test func badReshapeRulesAreRefusedAtTheirLine() throws {
        let head = "reshape:\n  - files: \"layanan/r-*.csv\"\n    year: {value: 2025}\n"
        // Line 4 is `reshape:`; 5 files, 6 year, 7 months, 8 its columns.
        Self.refused(head + "    months:\n      columns: [JAN, FEB]\n", line: 8,
                     "reshape.months.columns must name 12 columns")
        Self.refused(head + "    columns: {record_id: ID}\n    dated: {HB0: HB0}\n", line: 7,
                     "reshape.columns: \"record_id\" cannot be given")
        Self.refused("reshape:\n  - files: \"layanan/r-*.csv\"\n    months:\n      columns: [A, B, C, D, E, F, G, H, I, J, K, L]\n",
                     line: 5, "reshape: months need a year")
        Self.refused("reshape:\n  - files: \"x\"\n", line: 5, "reshape: a rule needs months: or dated:")
        Self.refused(head + "    dated: {HB0: HB0}\n    weights: [A]\n", line: 8, "reshape: unknown setting \"weights\"")
        // A column of a month or dated cell named twice, or also as another field: JAN twice
        // made January's cells twice (dated January and February) and never read February.
        let months = "    months:\n      columns: [JAN, JAN, MAR, APR, MEI, JUN, JUL, AGS, SEP, OKT, NOV, DES]\n"
        Self.refused(head + months, line: 8,
                     "reshape: the column \"jan\" is named by months.columns (January) and by months.columns (February)")
        let good = months.replacingOccurrences(of: "JAN, JAN", with: "JAN, FEB")
        // Each at the second use's line (line 9 here).
        Self.refused(head + good + "    columns: {facility_id: Feb}\n", line: 9,
                     "reshape: the column \"feb\" is named by months.columns (February) and by columns.facility_id")
        Self.refused(head + good + "    dated: {HB0: des}\n", line: 9,
                     "reshape: the column \"des\" is named by months.columns (December) and by dated.HB0")
        #expect(throws: Never.self) { _ = try Self.load(head + good + "    columns: {person_id: NIK, name: NIK}\n") }
        // Years from sheet names; the marks of a month cell not given (audit X).
        let bySheet = try Self.load(head.replacingOccurrences(of: "{value: 2025}", with: "{from_sheet_name: true}")
                                    + good + "      absent: [x, tidak]\n")
        #expect(bySheet.reshape.first?.year == .sheetName)
        #expect(bySheet.reshape.first?.absent == ["x", "tidak"])
        #expect(try Self.load(head + good).reshape.first?.absent == ReshapeRule.defaultAbsent)
        Self.refused(head + good + "      absent: [x, \" \"]\n", line: 9, "reshape.months.absent: a mark cannot be empty")
        Self.refused(head + good + "    columns:\n      rw: RT/RW\n      rt: rt/rw\n", line: 11,
                     "reshape: columns.rw and columns.rt name one column (\"rt/rw\")")
        // A field from a column and a value (the value was dropped); a facility type that is
        // none (every record the rule made was E-FACILITY); a pattern no data-folder path has.
        Self.refused(head + good + "    columns: {rw: RW}\n    values: {rw: \"09\"}\n", line: 10,
                     "reshape: rw is given by both columns and values; keep one")
        Self.refused(head + good + "    values: {facility_type: posyandoo}\n", line: 9,
                     "reshape.values.facility_type \"posyandoo\" is not a facility type")
        #expect(throws: Never.self) { _ = try Self.load(head + good + "    values: {facility_type: Posyandu}\n") }
        #expect(throws: Never.self) {
            _ = try Self.load(head + good + "    values: {facility_type: psy}\nvalue_aliases:\n  facility_type:\n    psy: posyandu\n")
        }
        for files in ["\"\"", "/etc/passwd", "\"../*\"", "layanan/../x.csv"] {
            Self.refused("reshape:\n  - files: \(files)\n    dated: {HB0: HB0}\n", line: 5, "reshape.files must be a pattern over the service files' paths")
        }
    }

    /// A service a reshape rule names must be in the service catalogue (an alias of
    /// `value_aliases.service_code` counts): a typo rejected every record the register made
    /// with E-SERVICE, as if the data were wrong, and the run went on without them.
    /// `body` after the catalogue lines (lines 1–3), loaded as a run loads it (with the
    /// catalogue and the value aliases).
    static func loaded(_ body: String) throws -> LoadedPipeline {
        let path = NSTemporaryDirectory() + "pws-pipeline-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pipelines = PipelineDefinitionTests.pipelines
        try ("version: 1\nservices: \(pipelines)/services.yaml\nindicators: \(pipelines)/indicators.yaml\n" + body)
            .write(toFile: path, atomically: true, encoding: .utf8)
        return try LoadedPipeline.load(path: path, indicators: false)
    }

    static func refusedWhenLoaded(_ body: String, line: Int, _ prefix: String) {
        #expect {
            _ = try loaded(body)
        } throws: { error in
            guard let e = error as? PWSError else { return false }
            return e.location?.line == line && e.message.hasPrefix(prefix)
        }
    }

    /// Alias mistakes name their line: column aliases (they named no file) at the field's,
    /// value aliases (they named line 1) at their table's.
    @Test func aliasMistakesNameTheirLine() {
        for (body, line, message) in [
            ("column_aliases:\n  layanan:\n    visit_date: [tgl]\n    result: [jk]\n", 7,
             "column_aliases.layanan: column alias 'jk' for layanan.result already names sex"),
            ("column_aliases:\n  layanan:\n    nope_field: [x]\n", 6,
             "column_aliases.layanan: column alias given for unknown field 'nope_field' of layanan"),
            ("value_aliases:\n  sex:\n    X: L\n  service_code:\n    TIMBANG: NOPE\n", 8,
             "service_code alias \"TIMBANG\" points to \"NOPE\", which is not a known service_code"),
        ] {
            Self.refusedWhenLoaded(body, line: line, message)
        }
    }

    @Test func reshapeServicesAreInTheCatalogue() throws {
        let head = "reshape:\n  - files: \"layanan/r-*.csv\"\n    year: {value: 2025}\n"
        let months = "    months:\n      columns: [A, B, C, D, E, F, G, H, I, J, K, L]\n"
        // Lines: 4 reshape, 5 files, 6 year, 7 months, 8 columns, 9 service; dated at 7, its keys at 8.
        for (body, line, message) in [
            (head + months + "      service: TIMBANGX\n", 9, "reshape.months.service: service \"TIMBANGX\" is not in the service catalogue"),
            (head + "    dated:\n      HB0: HB0\n      BCGG: BCG\n", 9, "reshape.dated: service \"BCGG\" is not in the service catalogue"),
        ] {
            Self.refusedWhenLoaded(body, line: line, message)
        }
        // Catalogue codes, the default TIMBANG, and an alias the pipeline declares are fine.
        _ = try Self.loaded(head + months + "    dated: {HB0: HB0, BCG: BCG}\n")
        _ = try Self.loaded("value_aliases:\n  service_code:\n    TIMBANGAN: TIMBANG\n" + head + months + "      service: TIMBANGAN\n")
    }
}
