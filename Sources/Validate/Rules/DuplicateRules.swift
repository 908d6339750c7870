import Ingest
import PWSCore

// E-DUPLICATE-ID and W-DUPLICATE (spec §3): duplicates across all files, in read order.
extension ServiceRowChecker {
    /// E-DUPLICATE-ID: a record id met again must carry the content of its first row — a
    /// result that did not parse (`W-RESULT`) compared by its raw text, as W-DUPLICATE compares
    /// it: `abc` and `xyz` under one id are two rows, not one id used twice.
    /// - Returns: the id's index and whether it is new, or nil when the row is rejected.
    mutating func checkDuplicateID(_ c: inout RowCheck, _ event: inout ServiceEvent) -> (index: UInt32, isNew: Bool)? {
        let (recordIndex, isNewRecord) = recordIDs.intern(c.row.cleaned(.recordID), hash: c.idHash)
        event.record = recordIndex
        if !isNewRecord {
            let ref = recordContent[Int(recordIndex)]
            let side = ref & Self.sideFlag != 0
            var first = side ? sideContent[Int(ref & ~Self.sideFlag)] : events.events[Int(ref)]
            let firstRaw = (side ? sideResultHash[ref & ~Self.sideFlag] : invalidResultHash[ref]) ?? 0
            first.record = recordIndex
            if !first.sameContent(as: event) || firstRaw != (c.resultHash ?? 0) {
                // Not accepted after all: the earlier row with this id had other content.
                let recordID = c.recordID
                reject(&c, .duplicateID, .recordID, recordID, Validation.duplicateIDMessage(recordID))
                return nil
            }
        }
        return (recordIndex, isNewRecord)
    }

    /// W-DUPLICATE: the same person, visit date, service, facility and result as an earlier
    /// accepted row. Appends the event; a duplicate is dropped again and remembered as its
    /// record id's content.
    /// - Returns: whether the event was a duplicate (dropped).
    mutating func dropDuplicateEvent(_ c: RowCheck, _ event: ServiceEvent, isNewRecord: Bool, source: String,
                                     keyHash: UInt64) -> Bool {
        let candidate = UInt32(events.events.count)
        events.events.append(event)
        if let h = c.resultHash { invalidResultHash[candidate] = h }
        guard let earlier = duplicateKeys.insert(candidate, in: events.events, invalidResultHash: invalidResultHash,
                                                 raw: c.resultHash ?? 0, hash: keyHash) else { return false }
        events.events.removeLast()
        invalidResultHash[candidate] = nil
        if isNewRecord {
            recordContent.append(Self.sideFlag | UInt32(sideContent.count))
            if let h = c.resultHash { sideResultHash[UInt32(sideContent.count)] = h }
            sideContent.append(event)
        }
        let e = Int(earlier)
        let firstLoc = SourceLocation(source: positions[Int(eventSources[e])],
                                      line: Int(eventLines[e]))
        let recordID = c.recordID
        warnings.append(Diagnostic(location: c.row.location, recordID: recordID, rule: .duplicate, field: "record_id",
                                   value: recordID, message: Validation.duplicateEventMessage(first: firstLoc, firstRecordID: recordIDs.arena[events.events[e].record])))
        return true
    }
}
