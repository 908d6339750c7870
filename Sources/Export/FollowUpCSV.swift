import PWSCore

/// One child of `tindak-lanjut.csv` as written (amendments §A4): text cells, decimals with `.`
/// (the writer applies the output format's decimal mark).
public struct FollowUpRow: Sendable, Equatable {
    public var facilityID: String
    public var villageCode: String
    public var rw: String
    public var rt: String
    /// The person id as written: masked (`PersonID.mask`) unless the run keeps identifiers.
    public var person: String
    /// The full person id, for sorting: the order is the same with or without masking.
    public var sortKey: String
    /// The child's name (`--keep-identifiers` only; empty when the records have none).
    public var name: String = ""
    public var ageMonths: Int
    /// Reason codes separated by spaces (`BGM 2T`).
    public var reasons: String
    public var weightDate: String
    public var weightKg: String
    public var lengthDate: String
    public var lengthCm: String
    public var waz: String
    public var haz: String
    public var whz: String

    public init(facilityID: String, villageCode: String, rw: String, rt: String, person: String, sortKey: String,
                ageMonths: Int, reasons: String, weightDate: String, weightKg: String, lengthDate: String,
                lengthCm: String, waz: String, haz: String, whz: String) {
        self.facilityID = facilityID
        self.villageCode = villageCode
        self.rw = rw
        self.rt = rt
        self.person = person
        self.sortKey = sortKey
        self.ageMonths = ageMonths
        self.reasons = reasons
        self.weightDate = weightDate
        self.weightKg = weightKg
        self.lengthDate = lengthDate
        self.lengthCm = lengthCm
        self.waz = waz
        self.haz = haz
        self.whz = whz
    }
}

/// `tindak-lanjut.csv`: the children the posyandu should follow up in the as-of month (§A4).
public enum FollowUpCSV {
    /// The columns; `name` (after `person`) only when the run keeps identifiers.
    public static func header(names: Bool) -> [String] {
        ["facility_id", "village_code", "rw", "rt", "person"] + (names ? ["name"] : [])
            + ["age_months", "reasons", "weight_date", "weight_kg", "length_date", "length_cm", "waz", "haz", "whz"]
    }

    /// The §A4 order: facility, village, RW, RT, person (byte order; the full id, so masking
    /// does not change the order).
    public static func sorted(_ rows: [FollowUpRow]) -> [FollowUpRow] {
        // The first field that differs decides, by its bytes (no array per comparison).
        @inline(__always) func precedes(_ x: String, _ y: String) -> Bool? {
            x == y ? nil : x.utf8.lexicographicallyPrecedes(y.utf8)
        }
        return rows.sorted { a, b in
            precedes(a.facilityID, b.facilityID) ?? precedes(a.villageCode, b.villageCode) ?? precedes(a.rw, b.rw)
                ?? precedes(a.rt, b.rt) ?? precedes(a.sortKey, b.sortKey) ?? false
        }
    }

    /// Writes `rows` (sorted here) and returns the row count and digest; `names`: with the `name` column
    /// (a run with `--keep-identifiers`).
    @discardableResult
    public static func write(_ rows: [FollowUpRow], to path: String, format: OutputFormat,
                             names: Bool = false) throws -> WrittenFile {
        let table = try TableWriter(path: path, header: header(names: names), format: format)
        for r in sorted(rows) {
            try table.row([PersonID.maskEmbeddedIdentifiers(r.facilityID), r.villageCode, r.rw, r.rt, r.person] + (names ? [r.name] : [])
                          + [String(r.ageMonths), r.reasons,
                           r.weightDate, format.decimal(r.weightKg), r.lengthDate, format.decimal(r.lengthCm),
                           format.decimal(r.waz), format.decimal(r.haz), format.decimal(r.whz)])
        }
        return try table.close()
    }
}
