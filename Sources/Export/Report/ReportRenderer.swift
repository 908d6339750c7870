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
        MustacheContentTypes.register(ReportEscaping(), named: ReportEscaping.name)
        var library = MustacheLibrary()
        for (name, text) in ReportTemplates.all.sorted(by: { $0.key < $1.key }) {
            do {
                try library.register("{{% CONTENT_TYPE: \(ReportEscaping.name)}}" + text, named: name)
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


/// How the page template escapes the values it places with `{{…}}`: as `HTMLWriter` escapes
/// text, byte by byte — swift-mustache's own escaper compares Characters, so a quote followed by
/// a combining mark (one Character) would pass unescaped into an attribute, and it leaves
/// control characters (a NUL in a regency's name) in the page. The same five entities, so a
/// page without either is the same bytes.
struct ReportEscaping: MustacheContentType {
    static let name = "PWS_HTML"

    func escapeText(_ text: String) -> String {
        var writer = HTMLWriter()
        writer.text(text)
        return writer.html.markup
    }
}
