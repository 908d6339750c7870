import Ingest
import PWSCore

/// What the rule steps know about the row being checked: the row, the fields that already
/// failed a rule, and the values the rules decoded so far. One per row, on the stack.
struct RowCheck {
    let row: BatchRow
    /// Hash of the record id, computed first so its table slot can be prefetched.
    let idHash: UInt64
    var failed: FailedFields = []
    var rejected = false
    /// The row's area and code spellings as decided by an earlier accepted row (`FieldComboCache`).
    var area: CachedArea?
    var codes: CachedCodes?
    var personHash: UInt64 = 0
    var rwLabel = "", rtLabel = ""
    var visit = Day.unknown, birth = Day.unknown
    var sex = Sex.female
    var village: UInt32 = 0
    var facilityType = FacilityType.lainnya
    var service: UInt16 = 0
    var provider = Provider.none
    /// Set once every error rule passed (`ServiceRowChecker.resolveRT`).
    var rtIndex: UInt32 = 0
    var areaWarning = false
    /// Raw-text hash of a result that did not parse (W-RESULT), for W-DUPLICATE.
    var resultHash: Int?
    /// Warnings of a row that may still be rejected (E-DUPLICATE-ID).
    var pending: [Diagnostic] = []

    init(row: BatchRow) {
        self.row = row
        idHash = ByteInterner.hash64(row.cleaned(.recordID))
    }

    /// The check of a row whose record id hash a worker computed already (`CheckedRow`).
    init(row: BatchRow, idHash: UInt64) {
        self.row = row
        self.idHash = idHash
    }

    /// Whether `field` already failed a rule in this row (later rules on it are skipped).
    @inline(__always) func hasFailed(_ field: LayananField) -> Bool { failed.contains(FailedFields(field)) }

    /// The record id as written, for messages.
    var recordID: String { row.string(.recordID) }
}

/// Bits of the `LayananField`s that already failed a rule in this row.
struct FailedFields: OptionSet {
    let rawValue: UInt32
    init(rawValue: UInt32) { self.rawValue = rawValue }
    @inline(__always) init(_ field: LayananField) { rawValue = 1 << UInt32(field.rawValue) }
}

extension LayananField {
    /// The canonical column name, as diagnostics name the field.
    var name: String { TableSchema.layanan.fields[rawValue].name }
}

extension ServiceRowChecker {
    /// Records an error of rule `rule` on `field`: the row is rejected and `field` counts as
    /// failed, so later rules on it are skipped (spec §3).
    mutating func reject(_ c: inout RowCheck, _ rule: RuleCode, _ field: LayananField, _ value: String,
                         _ message: String) {
        rejects.append(Diagnostic(location: c.row.location, recordID: c.recordID, rule: rule, field: field.name,
                                  value: value, message: message))
        c.rejected = true
        c.failed.insert(FailedFields(field))
    }

    /// Records a warning of rule `rule` on `field`; it is kept only if the row is accepted.
    func warn(_ c: inout RowCheck, _ rule: RuleCode, _ field: LayananField, _ value: String, _ message: String) {
        c.pending.append(Diagnostic(location: c.row.location, recordID: c.recordID, rule: rule, field: field.name,
                                    value: value, message: message))
    }

    /// The value of `field` as a message shows it: person ids masked unless `--keep-identifiers`.
    func shown(_ c: RowCheck, _ field: LayananField) -> String {
        let text = c.row.string(field)
        return field == .personID && !settings.keepIdentifiers ? Decode.mask(text) : text
    }
}
