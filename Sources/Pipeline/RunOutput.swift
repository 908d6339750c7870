/// An output a published run can write (spec §7, §A6), as named in a pipeline's `outputs:`
/// list. `run.json` is always written and is not one of them.
public enum RunOutput: String, Sendable, CaseIterable, Hashable {
    case indicators = "indicators.csv"
    case pwsTables = "pws/*.csv"
    case rejects = "rejects.csv"
    case warnings = "warnings.csv"
    case completeness = "completeness.csv"
    /// The children to follow up in the as-of month (amendments §A4).
    case followUp = "tindak-lanjut.csv"
    case report = "report.html"
    case workbook = "pws.xlsx"
    /// The SPM figures (§A5, docs/spm.md); written only when the pipeline names an SPM catalogue.
    case spmCSV = "spm.csv"
    /// The e-SPM table (§A6); written only when the pipeline names an SPM catalogue.
    case spmWorkbook = "spm.xlsx"

    /// What a pipeline without `outputs:` writes: everything (the SPM outputs when it has an
    /// SPM catalogue).
    public static let defaults = Set(allCases)

    /// The outputs that need an SPM catalogue.
    static let spm: Set<RunOutput> = [.spmCSV, .spmWorkbook]

    /// The list of names for messages: `indicators.csv, pws/*.csv, …`.
    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
