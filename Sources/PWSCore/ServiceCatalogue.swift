/// How a service's `result` is read (spec §2.6).
public enum ResultKind: Sendable, Hashable {
    /// No result; a value given is ignored silently.
    case none
    /// A decimal number with an optional trailing unit, plausible within `range`.
    case number(unit: String, range: ClosedRange<Double>)
    /// An integer score within `range`.
    case score(range: ClosedRange<Int>)
    /// `SYS/DIA` in mmHg with SYS > DIA.
    case bloodPressure(sys: ClosedRange<Int>, dia: ClosedRange<Int>)
}

/// An age limit at the visit, in the unit the catalogue states it in.
public struct AgeLimit: Sendable, Hashable {
    public enum Unit: String, Sendable { case days, months, years }
    public var unit: Unit
    public var min: Int?
    public var max: Int?

    public init(unit: Unit, min: Int?, max: Int?) {
        self.unit = unit
        self.min = min
        self.max = max
    }
}

/// Which episode a service's records join besides the records that form it (`ANC` forms a
/// pregnancy, `PERSALINAN` a delivery and `NIFAS` joins it): `joins:` in the service catalogue
/// (docs/services.md).
public enum EpisodeJoin: String, Sendable, Hashable, CaseIterable {
    /// The pregnancy whose span holds the record's date (`HB`, `LILA`, `TTD_BUMIL`, `RISTI_NAKES`).
    case pregnancy
    /// The delivery 0–42 days before the record, as `NIFAS` records attach.
    case delivery
    /// None: the service counts for person indicators only.
    case none

    /// The services that joined pregnancies before the catalogue could say so: a service
    /// without `joins:` of these codes still joins (a catalogue copied before the setting
    /// keeps its figures).
    public static let pregnancyByDefault = ["HB", "LILA", "TTD_BUMIL", "RISTI_NAKES"]

    /// What a service of `code` joins when its entry says nothing.
    public static func `default`(for code: String) -> EpisodeJoin {
        let key = EnumDecoder<UInt16>.normalise(code)
        return pregnancyByDefault.contains { EnumDecoder<UInt16>.normalise($0) == key } ? .pregnancy : .none
    }
}

/// One code of the service catalogue (spec §2.6).
public struct ServiceDefinition: Sendable, Hashable {
    public var code: String
    public var name: String
    public var cluster: String
    /// nil = any sex.
    public var sex: Sex?
    /// nil = any age.
    public var age: AgeLimit?
    public var result: ResultKind
    /// The episode its records join (`joins:`; nil given: `EpisodeJoin.default(for:)`).
    public var joins: EpisodeJoin

    public init(code: String, name: String, cluster: String, sex: Sex?, age: AgeLimit?,
                result: ResultKind, joins: EpisodeJoin? = nil) {
        self.code = code
        self.name = name
        self.cluster = cluster
        self.sex = sex
        self.age = age
        self.result = result
        self.joins = joins ?? EpisodeJoin.default(for: code)
    }
}

/// The service catalogue: codes in file order, looked up like every enumeration (spec §2.4):
/// case-insensitively after turning spaces and `-` into `_`.
public struct ServiceCatalogue: Sendable {
    public private(set) var services: [ServiceDefinition]
    @usableFromInline var decoder: EnumDecoder<UInt16>

    /// A catalogue of `services` in this order. A code given twice keeps its first definition
    /// (the YAML loader refuses duplicates before this point).
    public init(_ services: [ServiceDefinition]) {
        self.services = services
        decoder = EnumDecoder(services.enumerated().map { ($0.element.code, UInt16($0.offset)) })
    }

    /// The index of a code, compared case-insensitively with spaces and `-` read as `_`.
    public func index(of code: String) -> UInt16? { decoder.decode(code) }

    /// The index of the code in `bytes`, or nil when the catalogue does not have it (`E-SERVICE`).
    ///
    /// - Complexity: O(n) in the field length; no allocation.
    @inlinable
    public func index(of bytes: UnsafeRawBufferPointer) -> UInt16? { decoder.decode(bytes) }

    /// The indices of the services whose records join `episode`s.
    public func joining(_ episode: EpisodeJoin) -> Set<UInt16> {
        Set(services.indices.filter { services[$0].joins == episode }.map { UInt16($0) })
    }

    /// The definition of a code, or nil.
    public func service(_ code: String) -> ServiceDefinition? {
        index(of: code).map { services[Int($0)] }
    }

    /// This catalogue with more spellings for its codes (`"timbang_bb": "TIMBANG"`), as a
    /// pipeline may declare.
    ///
    /// - Throws: `PWSError(.pipelineDefinition)` when a target is not a code or an alias
    ///   already names another code.
    public func adding(aliases: [String: String], location: SourceLocation? = nil) throws -> ServiceCatalogue {
        var copy = self
        copy.decoder = try decoder.adding(aliases: aliases, what: "service_code", location: location)
        return copy
    }
}
