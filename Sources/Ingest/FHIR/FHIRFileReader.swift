#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSV
import PWSCore

/// What a FHIR file holds, one resource at a time.
enum FHIRFileEvent {
    /// A resource at `position`: the NDJSON line, or the Bundle entry index (1 for a single
    /// resource in a `.json` file). `fullUrl` is the Bundle entry's, if any.
    case resource(position: Int, JSONValue, fullUrl: String?)
    /// A Bundle entry with no resource (a DELETE in a transaction).
    case emptyEntry(position: Int)
    /// Text that is not a resource at `position`; for a `.json` file the rest of the file is lost.
    case malformed(position: Int, message: String)
    /// The Bundle's `type`, when the file is a Bundle.
    case bundle(type: String)
}

/// Reads `fhir/*.ndjson` (one resource a line; lines split here, each parsed on its own, so one
/// bad line costs only itself) and `fhir/*.json` (a resource or a Bundle, streamed entry by entry).
struct FHIRFileReader {
    let path: String
    let limits: JSONLimits
    let blockSize = 1 << 20

    static func isNDJSON(_ name: String) -> Bool { name.lowercased().hasSuffix(".ndjson") }

    /// Blank NDJSON lines skipped.
    private(set) var blankLines = 0

    /// Calls `body` with every resource of the file in order.
    /// - Throws: what `body` throws; `PWSError(.inputMissing)` when the file cannot be opened.
    mutating func read(_ body: (FHIRFileEvent) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw PWSError(.inputMissing, "\(path) cannot be opened (\(String(cString: strerror(errno)))); check its permissions")
        }
        defer { close(fd) }
        // A UTF-8 byte order mark (PowerShell's Out-File, Notepad) is skipped, as RFC 8259
        // allows; UTF-16 text is named (each line or entry would be "not valid JSON").
        var head = [UInt8](repeating: 0, count: 4)
        let got = head.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 4) }
        if got < 0 { throw PWSError(.inputMissing, "\(path) could not be read (\(String(cString: strerror(errno))))") }
        let start = Array(head.prefix(Swift.max(got, 0)))
        if Self.looksUTF16(start) {
            try body(.malformed(position: 1, message: "the file is UTF-16 (Unicode text), not UTF-8, which FHIR JSON is; it was not read — export it again as UTF-8"))
            return
        }
        let skip = start.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        guard lseek(fd, off_t(skip), SEEK_SET) == off_t(skip) else {
            throw PWSError(.inputMissing, "\(path) could not be read (\(String(cString: strerror(errno))))")
        }
        if Self.isNDJSON(path) {
            try readLines(fd, body)
        } else {
            try readDocument(fd, body)
        }
    }

    /// Whether a file's first bytes are UTF-16: a byte order mark (FF FE, FE FF), or a NUL
    /// beside the first character (`{` or `[`, the only ways JSON text starts).
    static func looksUTF16(_ head: [UInt8]) -> Bool {
        guard head.count >= 2 else { return false }
        if head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF { return true }
        return head[0] == 0 && head[1] != 0 || head[0] != 0 && head[1] == 0
    }

    private mutating func readLines(_ fd: Int32, _ body: (FHIRFileEvent) throws -> Void) throws {
        let stream = JSONStream(limits: limits)
        var block = [UInt8](repeating: 0, count: blockSize)
        var line: [UInt8] = []
        var lineNumber = 1
        var oversized = false
        func finishLine() throws {
            defer {
                line.removeAll(keepingCapacity: line.capacity <= 4 << 20)
                oversized = false
                lineNumber += 1
            }
            if oversized {
                try body(.malformed(position: lineNumber, message: "line \(lineNumber) is longer than \(limits.maxResourceBytes >> 20) MiB; it was not read (one resource per line, each under the limit)"))
                return
            }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                blankLines += 1
                return
            }
            stream.reset()
            do {
                try line.withUnsafeBytes { try stream.feed($0) { _ in } }
                var done: JSONValue?
                try stream.finish { if case .top(let v) = $0 { done = v } }
                if let done, case .object = done {
                    try body(.resource(position: lineNumber, done, fullUrl: nil))
                } else {
                    try body(.malformed(position: lineNumber, message: "line \(lineNumber) is not a JSON object; NDJSON holds one FHIR resource per line"))
                }
            } catch let error as JSONStreamError {
                try body(.malformed(position: lineNumber, message: "line \(lineNumber) is not valid JSON (\(error.message)); export it again or remove the line"))
            }
        }
        while true {
            let n = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, blockSize) }
            if n < 0 { throw PWSError(.inputMissing, "\(path) could not be read (\(String(cString: strerror(errno))))") }
            if n == 0 { break }
            var start = 0
            for i in 0..<n where block[i] == 0x0A {
                if !oversized { line.append(contentsOf: block[start..<i]) }
                try finishLine()
                start = i + 1
            }
            if !oversized { line.append(contentsOf: block[start..<n]) }
            if line.count > limits.maxResourceBytes {
                oversized = true
                line.removeAll()
            }
        }
        if !line.isEmpty || oversized { try finishLine() }
    }

    private func readDocument(_ fd: Int32, _ body: (FHIRFileEvent) throws -> Void) throws {
        let stream = JSONStream(limits: limits)
        var block = [UInt8](repeating: 0, count: blockSize)
        var sawEntries = false
        func deliver(_ event: JSONStreamEvent) throws {
            switch event {
            case .entry(let index, let resource, let fullUrl):
                sawEntries = true
                if let resource { try body(.resource(position: index, resource, fullUrl: fullUrl)) } else { try body(.emptyEntry(position: index)) }
            case .duplicateKey(let index, let key):
                sawEntries = true
                try body(.malformed(position: index, message: "Bundle entry \(index) has the key \"\(VisibleText.quoting(key, limit: 64))\" twice in one object, so which value is meant is not said; export it again"))
            case .tooDeep(let index):
                sawEntries = true
                try body(.malformed(position: index, message: "Bundle entry \(index) nests objects or arrays deeper than \(limits.maxDepth) levels (a FHIR resource needs about 10), so it is not read; the entries after it are — export it again"))
            case .top(let top):
                if top["resourceType"]?.text == "Bundle" {
                    try body(.bundle(type: top["type"]?.text ?? ""))
                    if stream.entryNotArray {
                        try body(.malformed(position: 1, message: "the Bundle's entry is not an array of entries, so none of its resources was read; export it again"))
                    }
                } else if !sawEntries, case .object = top {
                    try body(.resource(position: 1, top, fullUrl: nil))
                } else {
                    try body(.malformed(position: 1, message: "the file is not a FHIR resource or Bundle (a JSON object with resourceType)"))
                }
            }
        }
        do {
            while true {
                let n = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, blockSize) }
                if n < 0 { throw PWSError(.inputMissing, "\(path) could not be read (\(String(cString: strerror(errno))))") }
                if n == 0 { break }
                try block.withUnsafeBytes { raw in
                    try stream.feed(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { event in
                        try deliver(event)
                    }
                }
            }
            try stream.finish(deliver)
        } catch let error as JSONStreamError {
            // A key twice in the document itself (not in an entry): a single resource is not
            // read (which value is meant is not said); a Bundle's entries were read already.
            if let key = stream.topLevelDuplicate {
                let shown = VisibleText.quoting(key, limit: 64)
                if sawEntries {
                    try body(.malformed(position: Swift.max(1, stream.currentEntry) + 1, message: "the Bundle has the key \"\(shown)\" twice at its top level, so which value is meant is not said; its entries were read — export it again"))
                } else {
                    try body(.malformed(position: 1, message: "the file is not valid JSON (\(error.message)); export it again"))
                }
                return
            }
            // Text after a complete Bundle (a second document, stray characters): its entries
            // were read, and the text is the error, after the last of them. A single resource (or
            // a number, a string) with text after it is one malformed file, as the same text on
            // an NDJSON line is one malformed line (FuzzFHIR compares the two).
            if let document = stream.completedDocument, document["resourceType"]?.text == "Bundle" {
                try deliver(.top(document))
                let at = Swift.max(1, stream.currentEntry) + 1
                try body(.malformed(position: at, message: "text follows the end of the JSON document (\(error.message)); it was not read — export the file again"))
                return
            }
            let at = Swift.max(1, stream.currentEntry)
            try body(.malformed(position: at, message: "\(sawEntries || stream.currentEntry > 0 ? "Bundle entry \(at)" : "the file") is not valid JSON (\(error.message)); the rest of the file is not read — export it again"))
        }
    }
}
