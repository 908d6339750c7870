/// A resource's contained resources (FHIR R4 §2.24 "contained"): a Patient, Encounter or
/// Organization written inside the resource that uses it, referred to as `#id` from that
/// resource (and `#` alone for the container, from a contained one). They have no identity
/// outside their container, so each gets one made from it — `Patient/Observation/o1#p1` for the
/// Patient `p1` contained in `Observation/o1` — and every `#…` reference inside the container is
/// rewritten to that name. The context then holds them as it holds the export's own resources,
/// and a record's references find them the same way; two containers' `#p1` never meet.
enum FHIRContained {
    /// `resource` without its `contained` list, its `#…` references rewritten, and the
    /// contained resources with their new ids (and references rewritten too). The container is
    /// named `Type/id`, else (a transaction Bundle's resource) by its entry's `fullUrl`. A
    /// resource with no contained resources, or without a type and a name, comes back as it is,
    /// with none.
    static func split(_ resource: JSONValue, fullUrl: String?) -> (resource: JSONValue, contained: [JSONValue]) {
        guard case .object(let members) = resource, case .array(let items)? = resource["contained"], !items.isEmpty,
              let type = resource["resourceType"]?.text, let name = FHIRContext.id(resource, fullUrl: fullUrl) else {
            return (resource, [])
        }
        let hasID = !(resource["id"]?.text ?? "").isEmpty
        let container = hasID ? type + "/" + name : name
        var names: [String: String] = ["#": container]
        var contained: [(members: [(key: String, value: JSONValue)], id: String)] = []
        for item in items {
            // One without a type or an id cannot be referred to: nothing can use it.
            guard case .object(let itemMembers) = item, let itemType = item["resourceType"]?.text,
                  let itemID = item["id"]?.text, !itemID.isEmpty else { continue }
            // The first of two contained resources with one id is the one `#id` names; the
            // other cannot be referred to.
            guard names["#" + itemID] == nil else { continue }
            let newID = container + "#" + itemID
            names["#" + itemID] = itemType + "/" + newID
            contained.append((itemMembers, newID))
        }
        func rewritten(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let members):
                return .object(members.map { member in
                    if member.key == "reference", case .string(let text) = member.value, text.hasPrefix("#"),
                       let name = names[text] {
                        return (member.key, .string(name))
                    }
                    return (member.key, rewritten(member.value))
                })
            case .array(let items): return .array(items.map(rewritten))
            default: return value
            }
        }
        let outer = rewritten(.object(members.filter { $0.key != "contained" }))
        return (outer, contained.map { item in
            rewritten(.object(item.members.map { $0.key == "id" ? ($0.key, .string(item.id)) : $0 }))
        })
    }
}
