import PWSCore

/// Which target group a column of a sasaran table with a column per group holds, by its header
/// name (`WideSasaranSource`): the group's id, the names the tables of the provinces and
/// Pusdatin use (below, listed in docs/input-format.md), and the pipeline's own
/// (`sasaran.group_columns`, docs/pipeline.md), which win over the built-in ones.
public struct SasaranGroupNames: Sendable {
    /// Header names as tables spell them, per group (besides each group's id).
    public static let builtIn: [(group: String, names: [String])] = [
        ("bumil", ["ibu hamil"]),
        ("bulin", ["ibu bersalin", "ibu bersalin/nifas", "ibu bersalin / nifas", "ibu nifas", "bersalin"]),
        ("bayi_lahir_hidup", ["lahir hidup", "bayi lahir hidup"]),
        ("bayi", ["surviving infant", "bayi (surviving infant)"]),
        ("remaja_putri", ["remaja putri"]),
        ("usia_produktif", ["usia produktif"]),
        ("lansia", ["usia lanjut"]),
        ("penduduk", ["jumlah penduduk"]),
        ("usia_pendidikan_dasar", ["usia pendidikan dasar"]),
        ("penderita_hipertensi", ["penderita hipertensi"]),
        ("penderita_dm", ["penderita dm", "penderita diabetes melitus", "penderita diabetes mellitus"]),
        ("odgj_berat", ["odgj berat"]),
        ("terduga_tb", ["terduga tb", "orang terduga tb"]),
        ("risiko_hiv", ["risiko hiv", "orang berisiko hiv", "berisiko hiv"]),
    ]

    /// Normalised header name (`HeaderNames.normalise`) → group.
    private var table: [String: String] = [:]
    /// The names given (`add`), normalised → (group, name as written).
    private var given: [String: (group: String, name: String)] = [:]
    private let columns: TableColumnNames

    /// The built-in names and `extra` (group → names).
    /// - Parameter columns: the sasaran schema's names with the pipeline's aliases: a name that
    ///   is one of them (`TAHUN`, `KODE DESA`) cannot also name a group.
    /// - Throws: `PWSError` `.pipelineDefinition` for an unknown group, an empty name, a name
    ///   given to two groups, or a name that is a sasaran column's.
    public init(extra: [String: [String]] = [:], columns: TableColumnNames) throws {
        self.columns = columns
        for group in TargetGroup.all { table[HeaderNames.normalise(group)] = group }
        for (group, names) in Self.builtIn { for name in names { table[HeaderNames.normalise(name)] = group } }
        for (group, names) in extra.sorted(by: { $0.key < $1.key }) {
            try Self.check(group: group)
            for name in names { try add(name, to: group) }
        }
    }

    /// - Throws: `PWSError` `.pipelineDefinition` when `group` is not a target group.
    public static func check(group: String) throws {
        guard TargetGroup.all.contains(group) else {
            throw PWSError(.pipelineDefinition, "unknown target group \"\(group)\"; use one of \(TargetGroup.all.joined(separator: ", "))")
        }
    }

    /// `name` as a further name of `group`'s column (a known group: `check(group:)`), winning
    /// over a built-in name.
    /// - Throws: `PWSError` `.pipelineDefinition` for an empty name, one given to another group
    ///   already, or a sasaran column's name.
    public mutating func add(_ name: String, to group: String) throws {
        let key = HeaderNames.normalise(name)
        guard !key.isEmpty else {
            throw PWSError(.pipelineDefinition, "\(group): a name is empty; give the header name the tables use")
        }
        if let first = given[key], first.group != group {
            throw PWSError(.pipelineDefinition, "\"\(name)\" is given to \(group) and to \(first.group) (as \"\(first.name)\"); a column holds one group")
        }
        if let field = columns.names.map(header: [name]).columnOfField.firstIndex(where: { $0 >= 0 }) {
            throw PWSError(.pipelineDefinition, "\(group): \"\(name)\" is the name of the sasaran column \(columns.schema.fields[field].name); a group's column needs another name")
        }
        given[key] = (group, name)
        table[key] = group
    }

    /// A header cell's group: its name, or its name without a remark in brackets
    /// (`BALITA (0-59 BLN)`, `IBU HAMIL (BUMIL)`).
    public func group(of name: String) -> String? {
        if let g = table[HeaderNames.normalise(name)] { return g }
        var plain = ""
        var depth = 0
        for c in name {
            if c == "(" { depth += 1 } else if c == ")" { depth = Swift.max(0, depth - 1) } else if depth == 0 { plain.append(c) }
        }
        return plain == name ? nil : table[HeaderNames.normalise(plain)]
    }
}
