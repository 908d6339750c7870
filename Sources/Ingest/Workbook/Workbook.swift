#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSV
import PWSCore

/// One worksheet of a workbook, as `xl/workbook.xml` lists it.
public struct WorksheetInfo: Sendable, Hashable {
    /// The tab's name.
    public var name: String
    /// The zip part holding its cells, e.g. `xl/worksheets/sheet1.xml`.
    public var part: String
    /// Hidden or very hidden in Excel.
    public var hidden: Bool

    /// The name as labels and messages show it: a NIK in it (a sheet per mother or child)
    /// masked like a person id (`PersonID.maskEmbeddedIdentifiers`), so none reaches an output,
    /// and control characters written `\xNN` (`VisibleText`), so none forges a log line.
    public var shownName: String { VisibleText.escapingControls(PersonID.maskEmbeddedIdentifiers(name)) }
}

/// An opened .xlsx: its sheets, date system, which cell styles are dates, and the shared
/// strings (read once, kept as one byte array: their memory is the strings' UTF-8 size plus
/// 8 bytes each). Sheets are streamed one at a time by `SheetRowReader`.
final class Workbook {
    let archive: ZipArchive
    let displayName: String
    let limits: WorkbookLimits
    private(set) var sheets: [WorksheetInfo] = []
    /// `workbookPr date1904`: serials count days from 1904-01-01.
    private(set) var date1904 = false
    /// Per cell style index (`c s=`): whether its number format shows a date.
    private(set) var dateStyles: [Bool] = []
    private(set) var sharedStrings = SharedStrings()

    /// - Throws: `WorkbookError` for a file that is not a workbook pws can read.
    init(path: String, displayName: String, limits: WorkbookLimits = .init()) throws {
        archive = try ZipArchive(path: path, displayName: displayName)
        self.displayName = displayName
        self.limits = limits
        let workbookPart = try officeDocumentPart()
        let directory = workbookPart.split(separator: "/").dropLast().joined(separator: "/")
        let rels = try relationships(of: workbookPart)
        try readWorkbook(workbookPart, rels: rels, directory: directory)
        for (_, target) in rels where target.type.hasSuffix("/styles") {
            try readStyles(Self.resolve(target.target, in: directory))
        }
        for (_, target) in rels where target.type.hasSuffix("/sharedStrings") {
            try readSharedStrings(Self.resolve(target.target, in: directory))
        }
    }

    private func reader(_ part: String) throws -> XMLPartReader {
        try XMLPartReader(stream: archive.open(part, limits: limits), displayName: displayName, limits: limits)
    }

    /// The main workbook part named by `_rels/.rels` (normally `xl/workbook.xml`).
    private func officeDocumentPart() throws -> String {
        guard archive.has("_rels/.rels") else {
            if archive.has("xl/workbook.xml") { return "xl/workbook.xml" }
            throw WorkbookError("\(displayName) is a zip archive but not an Excel workbook (no xl/workbook.xml); save the sheet from Excel or LibreOffice as .xlsx")
        }
        for (_, target) in try relationships(part: "_rels/.rels") where target.type.hasSuffix("/officeDocument") {
            return Self.resolve(target.target, in: "")
        }
        return "xl/workbook.xml"
    }

    private func relationships(of part: String) throws -> [String: (type: String, target: String)] {
        var pieces = part.split(separator: "/").map(String.init)
        let file = pieces.removeLast()
        let rels = (pieces + ["_rels", file + ".rels"]).joined(separator: "/")
        return archive.has(rels) ? try relationships(part: rels) : [:]
    }

    private func relationships(part: String) throws -> [String: (type: String, target: String)] {
        let xml = try reader(part)
        var out: [String: (type: String, target: String)] = [:]
        while try xml.next() {
            guard xml.nodeType == XMLNode.element.rawValue, xml.named("Relationship") else { continue }
            if let id = xml.attribute("Id"), let target = xml.attribute("Target") {
                out[id] = (xml.attribute("Type") ?? "", target)
            }
        }
        return out
    }

    /// A relationship target relative to the folder of the part that names it; `/…` is absolute.
    static func resolve(_ target: String, in directory: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var parts = directory.split(separator: "/").map(String.init)
        for piece in target.split(separator: "/") {
            if piece == ".." { _ = parts.popLast() } else if piece != "." { parts.append(String(piece)) }
        }
        return parts.joined(separator: "/")
    }

    private func readWorkbook(_ part: String, rels: [String: (type: String, target: String)], directory: String) throws {
        let xml = try reader(part)
        var sheetOfPart: [String: String] = [:]
        while try xml.next() {
            guard xml.nodeType == XMLNode.element.rawValue else { continue }
            if xml.named("workbookPr") {
                let value = xml.attribute("date1904")?.lowercased()
                date1904 = value == "1" || value == "true"
            } else if xml.named("sheet") {
                guard let name = xml.attribute("name"), let id = xml.relationshipID(), let target = rels[id] else { continue }
                // Chart sheets and dialog sheets hold no cells.
                guard target.type.hasSuffix("/worksheet") else { continue }
                let state = xml.attribute("state") ?? "visible"
                let sheetPart = Self.resolve(target.target, in: directory)
                // Each sheet is read whole: sheets sharing one part would read it again and again
                // (thousands of sheets on one 15 MiB part are a zip bomb the ratio check cannot see).
                if let first = sheetOfPart.updateValue(name, forKey: sheetPart) {
                    throw WorkbookError("\(displayName) lists sheets \"\(WorksheetInfo(name: first, part: "", hidden: false).shownName)\" and \"\(WorksheetInfo(name: name, part: "", hidden: false).shownName)\" on the same part \(sheetPart), which Excel and LibreOffice never write; open the workbook in one of them and save it again as .xlsx")
                }
                sheets.append(WorksheetInfo(name: name, part: sheetPart, hidden: state != "visible"))
            }
        }
    }

    private func readStyles(_ part: String) throws {
        let xml = try reader(part)
        var formats: [Int: String] = [:]
        var inCellXfs = false
        while try xml.next() {
            let type = xml.nodeType
            if type == XMLNode.endElement.rawValue {
                if xml.named("cellXfs") { inCellXfs = false }
                continue
            }
            guard type == XMLNode.element.rawValue else { continue }
            if xml.named("numFmt") {
                if let id = xml.attribute("numFmtId").flatMap(Int.init), let code = xml.attribute("formatCode") {
                    formats[id] = code
                }
            } else if xml.named("cellXfs") {
                inCellXfs = !xml.isEmptyElement
            } else if inCellXfs && xml.named("xf") {
                let id = xml.attribute("numFmtId").flatMap(Int.init) ?? 0
                dateStyles.append(WorkbookFormats.isDate(id: id, code: formats[id]))
            }
        }
    }

    private func readSharedStrings(_ part: String) throws {
        let xml = try reader(part)
        var strings = SharedStrings()
        var inItem = false, inText = false, phonetic = 0
        while try xml.next() {
            let type = xml.nodeType
            if type == XMLNode.element.rawValue {
                if xml.named("si") {
                    inItem = true
                    if xml.isEmptyElement {
                        strings.finish()
                        inItem = false
                        try checkSize(strings)
                    }
                } else if xml.named("rPh") {
                    if !xml.isEmptyElement { phonetic += 1 }
                } else if inItem && phonetic == 0 && xml.named("t") {
                    inText = !xml.isEmptyElement
                }
            } else if type == XMLNode.endElement.rawValue {
                if xml.named("si") {
                    strings.finish()
                    inItem = false
                    try checkSize(strings)
                } else if xml.named("rPh") {
                    phonetic -= 1
                } else if xml.named("t") {
                    inText = false
                }
            } else if inText, type == XMLNode.text.rawValue || type == XMLNode.cdata.rawValue
                        || type == XMLNode.whitespace.rawValue || type == XMLNode.significantWhitespace.rawValue {
                strings.append(xml.value)
                try checkSize(strings)
            }
        }
        sharedStrings = strings
    }

    private func checkSize(_ strings: SharedStrings) throws {
        if strings.memory > min(limits.maxSharedStringBytes, Int(UInt32.max)) {
            throw WorkbookError("\(displayName): its shared strings hold more than \(limits.maxSharedStringBytes >> 20) MiB (\(strings.count) strings so far); split the workbook")
        }
    }
}

/// The shared-string table: every string's UTF-8 bytes back to back and where each ends.
struct SharedStrings {
    private(set) var bytes: [UInt8] = []
    /// Where each string ends in `bytes`: 4 bytes a string (the table is limited to well under
    /// 4 GiB, `WorkbookLimits.maxSharedStringBytes`).
    private var ends: [UInt32] = []

    var count: Int { ends.count }
    /// The memory the table holds: its text and 4 bytes a string — millions of empty strings
    /// (`<si/>`) hold no text but fill memory all the same.
    var memory: Int { bytes.count + 4 * ends.count }

    mutating func append(_ text: UnsafeRawBufferPointer) { bytes.append(contentsOf: text) }
    mutating func finish() {
        XStringEscapes.decode(&bytes, from: ends.last.map(Int.init) ?? 0)
        ends.append(UInt32(truncatingIfNeeded: bytes.count))
    }

    /// The range of string `i` in `bytes`, nil when there is no such string.
    func range(_ i: Int) -> Range<Int>? {
        guard i >= 0 && i < ends.count else { return nil }
        return (i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i])
    }
}
