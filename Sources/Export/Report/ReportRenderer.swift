import Mustache

/// Renders `report.html` (spec §8): one self-contained page — inline CSS and SVG, no script,
/// no network — from a `ReportInput`.
///
/// The page skeleton is a swift-mustache template (`ReportTemplates.page`); the parts repeated
/// per village, RW/RT and facility — tables and SVG charts — are written by `HTMLWriter` and
/// placed in it as finished fragments.
public enum ReportRenderer {
    /// The compiled template; parsed once per process.
    private static let library: Result<MustacheLibrary, ReportError> = {
        var library = MustacheLibrary()
        for (name, text) in ReportTemplates.all.sorted(by: { $0.key < $1.key }) {
            do {
                try library.register(text, named: name)
            } catch {
                return .failure(ReportError("template \(name) does not parse: \(error)"))
            }
        }
        return .success(library)
    }()

    /// The whole page as UTF-8 text. Deterministic: the same input gives the same bytes.
    /// - Complexity: O(rows) to index the input, then O(what the page shows): villages ×
    ///   indicators, plus drill-down rows × indicators (bounded by `ReportLimits`).
    public static func render(_ input: ReportInput) throws -> String {
        let library = try library.get()
        let model = ReportBuilder(input).build()
        guard let html = library.render(model, withTemplate: "page") else {
            throw ReportError("template page is missing")
        }
        return html
    }
}
