import Foundation
import PWSCore
import Validate
import Yams
#if canImport(Glibc)
import Glibc
#endif

/// A YAML file read as Yams nodes, with typed accessors whose errors name `file:line`.
struct YAMLFile {
    let path: String
    let root: Node

    /// The most values (scalars, lists, mappings) a pipeline, catalogue or mapping file may
    /// hold, aliases expanded (`YAMLSize`, before composing): the built-in catalogues hold a
    /// few thousand; a district's largest mapping (thousands of org units) far fewer.
    static let maxNodes = 2_000_000

    /// Reads and composes `path`. `givenBy` says where the path came from, for the advice of
    /// an error: "--pipeline", "--mapping", or nil for a catalogue the pipeline names.
    init(path: String, givenBy option: String? = nil) throws {
        self.path = path
        let text = try Self.text(path: path, givenBy: option)
        try YAMLSize.check(text, limit: Self.maxNodes, path: path)
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PWSError(.pipelineDefinition, "\(path) is empty",
                               location: SourceLocation(source: path, line: 1))
            }
            try Self.refuseTaggedKeys(node, path: path)
            root = node
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            // Yams refuses a mapping with a repeated key; its mark is the key's first occurrence.
            throw PWSError(.pipelineDefinition,
                           "key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) appears more than once in the same mapping (first here); keep one",
                           location: SourceLocation(source: path, line: context.mark.line))
        } catch let error as YamlError {
            // At the problem's line, in a sentence: Yams's own description quotes the whole
            // line and a caret under it (a 100 KB line, or any file's text, into the message).
            let (line, problem) = ServiceCatalogueLoader.describe(error)
            throw PWSError(.pipelineDefinition, "not valid YAML: \(problem)",
                           location: SourceLocation(source: path, line: line))
        }
    }

    /// Refuses a mapping key with a tag of its own (`!2 numerator:`): every reader looks keys up
    /// by their text, which finds no tagged key, while the checks of unknown keys read its text
    /// and pass it — the setting was dropped without a word (FuzzDHIS2Mapping: a data element
    /// with no part). The tree is walked with a stack, not recursion (nesting is the file's).
    static func refuseTaggedKeys(_ root: Node, path: String) throws {
        var stack = [root]
        while let node = stack.popLast() {
            switch node {
            case .mapping(let m):
                for (key, value) in m {
                    let tag = key.tag.rawValue
                    if key.scalar != nil, !(tag.isEmpty || tag == "!" || tag.hasPrefix("tag:yaml.org,2002:")) {
                        throw PWSError(.pipelineDefinition,
                                       "the key \"\(VisibleText.quoting(key.string ?? "", limit: 64))\" carries the YAML tag \(VisibleText.quoting(tag, limit: 64)), so it cannot be read; write the key without it",
                                       location: SourceLocation(source: path, line: (key.mark?.line ?? 0)))
                    }
                    stack.append(key)
                    stack.append(value)
                }
            case .sequence(let items): stack.append(contentsOf: items)
            case .scalar, .alias: break
            }
        }
    }

    /// The text of the YAML file at `path` (built in, or on disk). A FIFO, device or folder is
    /// refused before anything opens it (opening a FIFO nobody writes would hold the run);
    /// bytes that are not UTF-8 (a file saved as Windows-1252, whose names and codes would
    /// become U+FFFD and match nothing) are refused at their line. A UTF-8 byte order mark (what
    /// Notepad and other Windows editors may write first) is dropped: left in, the first key
    /// read as "\u{FEFF}periodType" and the file failed as "did not find expected <document
    /// start>".
    /// - Throws: `PWSError` `.pipelineDefinition` (exit 64).
    static func text(path: String, givenBy option: String?) throws -> String {
        let advice = option.map { "check the path given with \($0)" } ?? "check the catalogue's path in the pipeline"
        var st = stat()
        if !BuiltInPipeline.isBuiltIn(path) {
            guard stat(path, &st) == 0 else {
                throw PWSError(.pipelineDefinition, "cannot read \(path) (\(String(cString: strerror(errno)))); \(advice)")
            }
            if let kind = InputFiles.nonRegularKind(st.st_mode) {
                throw PWSError(.pipelineDefinition, "\(path) is \(kind), not a regular file; \(advice)")
            }
        }
        guard let data = PipelineFiles.contents(atPath: path) else {
            throw PWSError(.pipelineDefinition, "cannot read \(path); \(advice)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            let bytes = [UInt8](data)
            let bad = min(Self.firstInvalidUTF8(bytes), bytes.count - 1)
            let line = bytes[..<bad].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw PWSError(.pipelineDefinition,
                           "byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) is not UTF-8 text; save the file as UTF-8 (in Notepad: Save As, Encoding UTF-8)",
                           location: SourceLocation(source: path, line: line))
        }
        return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }

    /// The offset of the first byte of `bytes` that does not begin or continue valid UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0
            guard length > 0, i + length <= bytes.count,
                  String(validating: bytes[i..<i + length], as: UTF8.self) != nil else { return i }
            i += length
        }
        return bytes.count
    }

    func line(_ node: Node) -> Int { (node.mark?.line ?? 0) }

    func error(_ node: Node, _ message: String) -> PWSError {
        PWSError(.pipelineDefinition, message, location: SourceLocation(source: path, line: line(node)))
    }

    func mapping(_ node: Node, _ what: String) throws -> Node.Mapping {
        guard let m = node.mapping else { throw error(node, "\(what) must be a mapping (key: value)") }
        return m
    }

    func sequence(_ node: Node, _ what: String) throws -> [Node] {
        guard let s = node.sequence else { throw error(node, "\(what) must be a list") }
        return Array(s)
    }

    func required(_ m: Node.Mapping, _ key: String) throws -> Node {
        guard let n = m[key] else {
            throw PWSError(.pipelineDefinition, "missing key \"\(key)\"",
                           location: SourceLocation(source: path, line: 1))
        }
        return n
    }

    func string(_ node: Node, _ what: String) throws -> String {
        guard let s = node.scalar?.string else { throw error(node, "\(what) must be text") }
        return s
    }

    func int(_ node: Node, _ what: String) throws -> Int {
        guard let s = node.scalar?.string, let v = Int(s) else { throw error(node, "\(what) must be a whole number") }
        return v
    }

    func double(_ node: Node, _ what: String) throws -> Double {
        guard let s = node.scalar?.string, let v = Double(s) else { throw error(node, "\(what) must be a number") }
        return v
    }

    func bool(_ node: Node, _ what: String) throws -> Bool {
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(node, "\(what) must be true or false")
        }
    }
}
