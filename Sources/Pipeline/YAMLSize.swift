import CYaml
import PWSCore

/// The size of a YAML text with its aliases expanded, counted on libyaml's events (the parser
/// Yams composes with) before any tree is built: the composer hashes each mapping's keys in
/// full, so an alias of a large anchor used as a key took as long as the expansion itself —
/// ten lines of nested aliases are 10¹⁰ values.
enum YAMLSize {
    /// Throws when `text`, aliases expanded, holds more than `limit` values (scalars,
    /// sequences, mappings), naming the line where the count passed it. Text libyaml cannot
    /// parse is left to the composer, whose message says where and why.
    /// - Complexity: O(n) in the text, O(anchors) memory.
    static func check(_ text: String, limit: Int, path: String) throws {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            // The values so far, expanded; each open collection's own count and anchor (an
            // anchor's size is known when its collection closes).
            var counted = 0
            var open: [(size: Int, anchor: String?)] = []
            var anchors: [String: Int] = [:]
            // The values as written (an alias one): only when they are within the bound did the
            // aliases make the file too large.
            var written = 0
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                var size = 0
                var anchor: UnsafeMutablePointer<yaml_char_t>?
                switch event.type {
                case YAML_STREAM_END_EVENT: return
                case YAML_SCALAR_EVENT: (size, anchor) = (1, event.data.scalar.anchor)
                case YAML_ALIAS_EVENT:
                    size = event.data.alias.anchor.flatMap { anchors[String(cString: $0)] } ?? 1
                    written += 1 - size   // counted as one below
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let a = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                    counted += 1
                    written += 1
                    open.append((1, a.map { String(cString: $0) }))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let closed = open.popLast() else { return }
                    if let name = closed.anchor { anchors[name] = closed.size }
                    if !open.isEmpty { open[open.count - 1].size += closed.size }
                default: break
                }
                guard size > 0 else { continue }
                if let anchor { anchors[String(cString: anchor)] = size }
                counted += size
                written += size
                if !open.isEmpty { open[open.count - 1].size += size }
                if counted > limit {
                    // Without aliases the file is simply that large (a 50 MB mapping of a
                    // million areas was told to write out aliases it did not have).
                    let why = written <= limit
                        ? "once its aliases (*name) are expanded — aliases nested in aliases repeat an anchor's content each time; write the settings out without them"
                        : "(scalars, lists and mappings) — far more than any pipeline, catalogue or DHIS2 mapping needs; check that this is the right file"
                    throw PWSError(.pipelineDefinition, "the file holds more than \(limit) values \(why)",
                                   location: SourceLocation(source: path, line: Int(event.start_mark.line) + 1))
                }
            }
        }
    }
}
