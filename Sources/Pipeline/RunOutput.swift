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

    /// What a pipeline without `outputs:` writes: everything.
    public static let defaults = Set(allCases)

    /// The list of names for messages: `indicators.csv, pws/*.csv, …`.
    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
