import Ingest
import PWSCore

// E-PERSON (spec §3): the person id must normalise to an identifier.
extension ServiceRowChecker {
    /// E-PERSON: normalises person_id into `personScratch`; on success starts loading its slot
    /// of the person table (the lookup comes once every error rule passed).
    mutating func checkPerson(_ c: inout RowCheck) {
        guard !c.hasFailed(.personID) else { return }
        let raw = c.row.cleaned(.personID)
        personScratch.reserve(raw.count)
        let normalised = PersonID.normalise(raw, into: personScratch.base, written: &personScratch.count)
        if case .failure(let problem) = normalised {
            reject(&c, .person, .personID, shown(c, .personID), "person_id \(problem.reason)")
        } else {
            c.personHash = ByteInterner.hash64(personScratch.bytes)
            persons.prefetch(hash: c.personHash)
        }
    }
}
