import Foundation
import PWSCore
import Yams

/// A YAML file read as Yams nodes, with typed accessors whose errors name `file:line`.
struct YAMLFile {
    let path: String
    let root: Node

    init(path: String) throws {
        self.path = path
        guard let data = PipelineFiles.contents(atPath: path) else {
            throw PWSError(.pipelineDefinition, "cannot read \(path); check the path given with --pipeline")
        }
        let text = String(decoding: data, as: UTF8.self)
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PWSError(.pipelineDefinition, "\(path) is empty",
                               location: SourceLocation(source: path, line: 1))
            }
            root = node
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            // Yams refuses a mapping with a repeated key; its mark is the key's first occurrence.
            throw PWSError(.pipelineDefinition,
                           "key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) appears more than once in the same mapping (first here); keep one",
                           location: SourceLocation(source: path, line: context.mark.line))
        } catch let error as YamlError {
            throw PWSError(.pipelineDefinition, "\(path) is not valid YAML: \(error)",
                           location: SourceLocation(source: path, line: 1))
        }
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
