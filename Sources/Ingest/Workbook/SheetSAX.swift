#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibXML2
import PWSCore

// libxml2's SAX2 callbacks for worksheet parts (file scope, context through the `void *`: see
// STYLE.md, "The hot path"). The pull reader (`xmlTextReader`) builds and frees a tree node per
// element; the SAX2 push parser hands over names, attributes and text without any.

private func sheetStartElement(_ context: UnsafeMutableRawPointer?, _ localName: UnsafePointer<xmlChar>?,
                               _ prefix: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?,
                               _ namespaceCount: Int32, _ namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
                               _ attributeCount: Int32, _ defaulted: Int32,
                               _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
    guard let context, let localName else { return }
    Unmanaged<SheetSAXParser>.fromOpaque(context).takeUnretainedValue()
        .startElement(localName, attributeCount: Int(attributeCount), attributes: attributes)
}

private func sheetEndElement(_ context: UnsafeMutableRawPointer?, _ localName: UnsafePointer<xmlChar>?,
                             _ prefix: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?) {
    guard let context, let localName else { return }
    Unmanaged<SheetSAXParser>.fromOpaque(context).takeUnretainedValue().endElement(localName)
}

private func sheetCharacters(_ context: UnsafeMutableRawPointer?, _ text: UnsafePointer<xmlChar>?, _ length: Int32) {
    guard let context, let text, length > 0 else { return }
    Unmanaged<SheetSAXParser>.fromOpaque(context).takeUnretainedValue()
        .characters(UnsafeRawBufferPointer(start: text, count: Int(length)))
}

private func mergeStartElement(_ context: UnsafeMutableRawPointer?, _ localName: UnsafePointer<xmlChar>?,
                               _ prefix: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?,
                               _ namespaceCount: Int32, _ namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
                               _ attributeCount: Int32, _ defaulted: Int32,
                               _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
    guard let context, let localName, localName[0] == UInt8(ascii: "m"), isName(localName, "mergeCell"),
          let attributes else { return }
    let parser = Unmanaged<SheetSAXParser>.fromOpaque(context).takeUnretainedValue()
    // Attribute i: local name, prefix, URI, value start, value end.
    for i in 0..<Int(attributeCount) {
        guard let local = attributes[5 * i], let start = attributes[5 * i + 3], let end = attributes[5 * i + 4],
              isName(local, "ref") else { continue }
        parser.addMerge(UnsafeRawBufferPointer(start: start, count: end - start))
    }
}

/// Whether a NUL-terminated element name is `name`.
@inline(__always)
private func isName(_ p: UnsafePointer<xmlChar>, _ name: StaticString) -> Bool {
    strcmp(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self),
           UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
}

/// One worksheet part streamed through libxml2's SAX2 push parser into `SheetRows`: the part is
/// inflated in 64 KiB chunks and fed with `xmlParseChunk`; each row goes to `body` as its
/// `</row>` is parsed. No DTD is loaded, no entity is substituted and the network is never
/// used; nesting deeper than `WorkbookLimits.maxDepth` is an error. An error thrown by `body` (or
/// a zip failure) stops the parser and is rethrown once `xmlParseChunk` returns.
final class SheetSAXParser {
    private var rows: SheetRows
    private let maxDepth: Int
    private var body: ((RecordSourceEvent) throws -> Void)?
    private var minimumFieldCount: (() -> Int)?
    private var context: xmlParserCtxtPtr?
    private var failure: Error?
    private var depth = 0
    private var displayName = ""
    private var partName = ""

    // Where the parse is.
    private var inSheetData = false
    private var sawSheetData = false
    private var row = 0
    private var column = -1
    private var type = SheetRows.CellType.number
    private var style = 0
    private var hasFormula = false, hasValue = false
    private var inV = false, inIS = false, inT = false
    private var phonetic = 0
    private var rowProblem: String?
    var blankRows: Int { rows.blankRows }
    /// Reading only the merged cells (`MergedCells`): the rows are skipped.
    private let mergesOnly: Bool
    private(set) var merges = MergedCells()
    var mergedCellsNote: String? { rows.merges.note(label: rows.label) }
    fileprivate func addMerge(_ ref: UnsafeRawBufferPointer) { merges.add(reference: ref) }

    init(rows: SheetRows, limits: WorkbookLimits, mergesOnly: Bool = false) {
        self.rows = rows
        self.mergesOnly = mergesOnly
        maxDepth = limits.maxDepth
    }

    /// Parses the part, calling `body` for every row.
    /// - Throws: `WorkbookError` for malformed XML, nesting too deep, or a zip failure; whatever
    ///   `body` throws.
    func read(_ stream: ZipPartStream, displayName: String, minimumFieldCount: () -> Int,
              _ body: (RecordSourceEvent) throws -> Void) throws {
        defer { stream.close() }
        self.displayName = displayName
        partName = stream.name
        var handler = xmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        if mergesOnly {
            // Only the merged ranges: no call for text, ends, or any element but mergeCell
            // (nesting is checked when the rows are read).
            handler.startElementNs = mergeStartElement
        } else {
            handler.startElementNs = sheetStartElement
            handler.endElementNs = sheetEndElement
            handler.characters = sheetCharacters
            handler.cdataBlock = sheetCharacters
            handler.ignorableWhitespace = sheetCharacters
        }
        // libxml2's own error reports would go to stderr outside the log's format; the parse's
        // status is what pws reports.
        handler.serror = { _, _ in }
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let context = xmlCreatePushParserCtxt(&handler, me, nil, 0, nil) else {
            throw WorkbookError("\(displayName): \(stream.name) cannot be read as XML")
        }
        defer {
            // A DOCTYPE that declares entities makes libxml2 build a document to hold them
            // (`myDoc`, for SAX2 users without an entityDecl callback), which freeing the
            // context leaves to its owner (found leaking by FuzzWorkbook).
            if let doc = context.pointee.myDoc { xmlFreeDoc(doc) }
            xmlFreeParserCtxt(context)
        }
        self.context = context
        _ = xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
                                             | XML_PARSE_NOWARNING.rawValue))
        var chunk = [CChar](repeating: 0, count: 1 << 16)
        try withoutActuallyEscaping(body) { body in
            try withoutActuallyEscaping(minimumFieldCount) { minimumFieldCount in
                self.body = body
                self.minimumFieldCount = minimumFieldCount
                defer {
                    self.body = nil
                    self.minimumFieldCount = nil
                }
                while true {
                    let count: Int
                    do {
                        count = try chunk.withUnsafeMutableBytes { try stream.read(into: $0) }
                    } catch let error as WorkbookError {
                        throw error
                    } catch {
                        throw WorkbookError("\(stream.name): \(error)")
                    }
                    let status = chunk.withUnsafeBufferPointer {
                        xmlParseChunk(context, $0.baseAddress, Int32(count), count == 0 ? 1 : 0)
                    }
                    if let failure { throw failure }
                    if status != 0 {
                        let line = xmlSAX2GetLineNumber(context)
                        throw WorkbookError("\(displayName): \(stream.name) is not well-formed XML (near its line \(line)); the workbook is damaged — open it in Excel or LibreOffice and save it again")
                    }
                    if count == 0 { return }
                }
            }
        }
    }

    private func stop(_ error: Error) {
        if failure == nil { failure = error }
        if let context { xmlStopParser(context) }
    }

    fileprivate func startElement(_ name: UnsafePointer<xmlChar>, attributeCount: Int,
                                  attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard failure == nil else { return }
        depth += 1
        // The root is at depth 0, as xmlTextReaderDepth counts.
        if depth - 1 > maxDepth {
            stop(WorkbookError("\(displayName): \(partName) nests elements more than \(maxDepth) deep; this is not a sheet pws can read"))
            return
        }
        // Attribute i: local name, prefix, URI, value start, value end.
        func forEachAttribute(_ each: (UnsafePointer<xmlChar>, UnsafeRawBufferPointer) -> Void) {
            guard let attributes else { return }
            for i in 0..<attributeCount {
                guard let local = attributes[5 * i], let start = attributes[5 * i + 3],
                      let end = attributes[5 * i + 4] else { continue }
                each(local, UnsafeRawBufferPointer(start: start, count: end - start))
            }
        }
        if !inSheetData {
            if isName(name, "sheetData") {
                // One per worksheet (ECMA-376 CT_Worksheet); a second one's rows would be lost.
                if sawSheetData {
                    stop(WorkbookError("\(displayName): \(partName) has a second sheetData (rows after the first block of rows); the workbook is damaged — open it in Excel or LibreOffice and save it again"))
                    return
                }
                inSheetData = true
                sawSheetData = true
            }
            return
        }
        if isName(name, "c") {
            column += 1
            type = .number
            style = 0
            hasFormula = false
            hasValue = false
            rows.startCell()
            var badReference = false
            var given: UnsafeRawBufferPointer?
            forEachAttribute { local, v in
                switch (local[0], local[1]) {
                case (0x72, 0):  // r
                    given = v
                    if let (c, _) = SheetRows.parseReference(v), c < SheetRows.maxColumn { column = c } else { badReference = true }
                case (0x74, 0):  // t
                    type = SheetRows.cellType(v)
                case (0x73, 0):  // s
                    style = SheetRows.integer(v) ?? 0
                default: break
                }
            }
            if column >= SheetRows.maxColumn {
                column = SheetRows.maxColumn - 1
                badReference = true
            }
            // The reference as written (at most 20 bytes of it) names the cell in the message:
            // made only for a message (a String per cell cost 12 % of reading a large sheet).
            func shown() -> String {
                given.map { "cell \"" + VisibleText.escapingControls(String(decoding: $0.prefix(20), as: UTF8.self)) + "\"" } ?? "a cell"
            }
            if badReference {
                rowProblem = rowProblem ?? "\(shown()) of the row is not a valid cell address (A1 to XFD1048576); save the workbook again"
            } else if column < rows.fieldCount {
                rowProblem = rowProblem ?? "\(shown()) names a column already given in the row, or comes after a cell right of it (cells out of order); save the workbook again"
            }
        } else if isName(name, "v") {
            inV = true
            hasValue = true
        } else if isName(name, "f") {
            hasFormula = true
        } else if isName(name, "is") {
            inIS = true
            hasValue = true
        } else if isName(name, "rPh") {
            phonetic += 1
        } else if inIS && phonetic == 0 && isName(name, "t") {
            inT = true
        } else if isName(name, "row") {
            var next = row + 1
            var given: String?
            forEachAttribute { local, v in
                if local[0] == 0x72 && local[1] == 0 {
                    if let n = SheetRows.integer(v), n >= 1 && n <= SheetRows.maxRow {
                        next = n
                    } else {
                        // The number as written, at most 20 bytes of it, for the message.
                        given = VisibleText.escapingControls(String(decoding: v.prefix(20), as: UTF8.self))
                    }
                }
            }
            if let given {
                let place = row == 0 ? "the sheet's first row" : "the row after row \(row) of the sheet"
                stop(WorkbookError("\(place) is numbered \"\(given)\", which is not a row number (1…\(SheetRows.maxRow)); save the workbook again"))
                return
            }
            if next <= row {
                stop(WorkbookError("row \(next) of the sheet comes after row \(row): rows must be in order, each once; save the workbook again"))
                return
            }
            row = next
            column = -1
            rows.startRow()
            rowProblem = nil
        }
    }

    fileprivate func endElement(_ name: UnsafePointer<xmlChar>) {
        guard failure == nil else { return }
        depth -= 1
        guard inSheetData else { return }
        if isName(name, "c") {
            rows.finishCell(column: column, row: row, type: type, style: style, hasFormula: hasFormula,
                            hasValue: hasValue)
        } else if isName(name, "v") {
            inV = false
        } else if isName(name, "is") {
            inIS = false
        } else if isName(name, "t") {
            inT = false
        } else if isName(name, "rPh") {
            phonetic -= 1
        } else if isName(name, "row") {
            guard let body, let minimumFieldCount else { return }
            do {
                try rows.finishRow(row: row, problem: rowProblem, minimumFieldCount: minimumFieldCount(), body)
            } catch {
                stop(error)
            }
        } else if isName(name, "sheetData") {
            // The rest of the part is read too (page setup and the like, small): a second
            // sheetData is an error, and the part's checksum is checked at its end.
            inSheetData = false
        }
    }

    fileprivate func characters(_ text: UnsafeRawBufferPointer) {
        guard failure == nil, inV || inT else { return }
        rows.appendText(text, toValue: inV)
    }
}
