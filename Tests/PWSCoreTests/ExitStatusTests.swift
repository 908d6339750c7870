import Testing
@testable import PWSCore

@Suite struct ExitStatusTests {
    @Test func errorCodesMapToSpecExitStatuses() {
        #expect(PWSError(.usage, "x").exitStatus.rawValue == 64)
        #expect(PWSError(.pipelineDefinition, "x").exitStatus.rawValue == 64)
        #expect(PWSError(.data, "x").exitStatus.rawValue == 65)
        #expect(PWSError(.inputMissing, "x").exitStatus.rawValue == 66)
        #expect(PWSError(.outputNotWritable, "x").exitStatus.rawValue == 73)
        #expect(PWSError(.locked, "x").exitStatus.rawValue == 75)
    }

    @Test func rulesKnowTheirSeverity() {
        #expect(RuleCode.parse.severity == .error)
        #expect(RuleCode.duplicate.severity == .warning)
        // The 20 rules of spec §3, E-CELL (§A2, workbooks), E-FHIR (§A3, FHIR resources) and
        // W-GROWTH (§A4, implausible z-scores).
        #expect(RuleCode.allCases.count == 23)
        #expect(RuleCode.growth.severity == .warning)
        #expect(RuleCode.cell.severity == .error)
        #expect(RuleCode.fhir.severity == .error)
    }
}
