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

    public init(code: String, name: String, cluster: String, sex: Sex?, age: AgeLimit?,
                result: ResultKind) {
        self.code = code
        self.name = name
        self.cluster = cluster
        self.sex = sex
        self.age = age
        self.result = result
    }
}

/// The service catalogue: codes in file order, looked up case-insensitively.
public struct ServiceCatalogue: Sendable {
    public private(set) var services: [ServiceDefinition]
    private var index: [String: UInt16]

    public init(_ services: [ServiceDefinition]) {
        self.services = services
        var index: [String: UInt16] = [:]
        for (i, s) in services.enumerated() { index[s.code.uppercased()] = UInt16(i) }
        self.index = index
    }

    /// The index of a code, compared case-insensitively.
    public func index(of code: String) -> UInt16? { index[code.uppercased()] }
}
