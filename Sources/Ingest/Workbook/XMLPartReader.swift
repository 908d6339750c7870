#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibXML2

/// libxml2 pulls the part's bytes through this (file scope, context through the `void *`:
/// see STYLE.md, "The hot path"). A zip failure is kept on the stream and reported by the reader.
private func readPart(_ context: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<CChar>?,
                      _ length: Int32) -> Int32 {
    guard let context, let buffer, length > 0 else { return 0 }
    let stream = Unmanaged<ZipPartStream>.fromOpaque(context).takeUnretainedValue()
    do {
        return Int32(try stream.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(length))))
    } catch let error as WorkbookError {
        stream.failure = error
        return -1
    } catch {
        stream.failure = WorkbookError("\(stream.name): \(error)")
        return -1
    }
}

private func closePart(_ context: UnsafeMutableRawPointer?) -> Int32 { 0 }

/// The node kinds of `xmlTextReaderNodeType` the workbook reader looks at.
enum XMLNode: Int32 {
    case element = 1
    case text = 3
    case cdata = 4
    case whitespace = 13
    case significantWhitespace = 14
    case endElement = 15
}

/// A streaming pull reader over one inflated part (libxml2's `xmlTextReader`): memory stays at
/// libxml2's window whatever the part's size. No DTD is loaded, no entity is substituted and
/// the network is never used; nesting deeper than `WorkbookLimits.maxDepth` is an error.
final class XMLPartReader {
    private let reader: xmlTextReaderPtr
    private let stream: ZipPartStream
    private let maxDepth: Int32
    let displayName: String

    init(stream: ZipPartStream, displayName: String, limits: WorkbookLimits) throws {
        self.stream = stream
        self.displayName = displayName
        maxDepth = Int32(clamping: limits.maxDepth)
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        guard let reader = xmlReaderForIO(readPart, closePart, Unmanaged.passUnretained(stream).toOpaque(),
                                          nil, nil, options) else {
            throw WorkbookError("\(displayName): \(stream.name) cannot be read as XML")
        }
        // libxml2's own report of an error (a text node over its limit, say) would go to
        // stderr outside the log's format; pws reports the error itself (`next`).
        xmlTextReaderSetStructuredErrorHandler(reader, { _, _ in }, nil)
        self.reader = reader
    }

    deinit {
        xmlFreeTextReader(reader)
        stream.close()
    }

    /// Moves to the next node; false at the end of the part.
    /// - Throws: `WorkbookError` for malformed XML, nesting too deep, or a zip failure.
    func next() throws -> Bool {
        let status = xmlTextReaderRead(reader)
        if status == 1 {
            if xmlTextReaderDepth(reader) > maxDepth {
                throw WorkbookError("\(displayName): \(stream.name) nests elements more than \(maxDepth) deep; this is not a sheet pws can read")
            }
            return true
        }
        if let failure = stream.failure { throw failure }
        if status == 0 { return false }
        let line = xmlTextReaderGetParserLineNumber(reader)
        throw WorkbookError("\(displayName): \(stream.name) is not well-formed XML (near its line \(line)); the workbook is damaged — open it in Excel or LibreOffice and save it again")
    }

    var nodeType: Int32 { xmlTextReaderNodeType(reader) }
    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }

    /// Whether the current node's local name is `name` (no allocation).
    func named(_ name: StaticString) -> Bool {
        guard let local = xmlTextReaderConstLocalName(reader) else { return false }
        return strcmp(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self),
                      UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }

    /// The current text node's bytes (valid until the next move).
    var value: UnsafeRawBufferPointer {
        guard let v = xmlTextReaderConstValue(reader) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: v, count: strlen(UnsafeRawPointer(v).assumingMemoryBound(to: CChar.self)))
    }

    /// Calls `body` with each attribute's local name and value of the current element, then
    /// moves back to the element.
    func forEachAttribute(_ body: (_ name: UnsafePointer<CChar>, _ value: UnsafeRawBufferPointer) -> Void) {
        guard xmlTextReaderHasAttributes(reader) == 1 else { return }
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            guard let local = xmlTextReaderConstLocalName(reader) else { continue }
            body(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self), value)
        }
        xmlTextReaderMoveToElement(reader)
    }

    /// The attribute's value as a `String` (allocates: for workbook-level parts).
    func attribute(_ name: String) -> String? {
        var found: String?
        forEachAttribute { n, v in
            if found == nil && String(cString: n) == name { found = String(decoding: v, as: UTF8.self) }
        }
        return found
    }

    /// The relationship id of the current element (`r:id`: local name `id` in a
    /// relationships namespace, transitional or strict).
    func relationshipID() -> String? {
        guard xmlTextReaderHasAttributes(reader) == 1 else { return nil }
        var found: String?
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            guard found == nil, let local = xmlTextReaderConstLocalName(reader),
                  let uri = xmlTextReaderConstNamespaceUri(reader) else { continue }
            let name = String(cString: UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self))
            let space = String(cString: UnsafeRawPointer(uri).assumingMemoryBound(to: CChar.self))
            if name == "id" && space.hasSuffix("relationships") { found = String(decoding: value, as: UTF8.self) }
        }
        xmlTextReaderMoveToElement(reader)
        return found
    }
}
