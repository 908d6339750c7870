import Ingest
import PWSCore

// E-DATE, E-FUTURE, E-BEFORE-BIRTH (spec §3): the visit and birth dates.
extension ServiceRowChecker {
    /// E-DATE: visit_date and birth_date must be dates.
    mutating func checkDates(_ c: inout RowCheck) {
        if !c.hasFailed(.visitDate) {
            if let d = Decode.date(c.row.cleaned(.visitDate)) { c.visit = d } else {
                let text = c.row.string(.visitDate)
                reject(&c, .date, .visitDate, text, "visit_date \"\(text)\" is not a date; use DD/MM/YYYY or YYYY-MM-DD")
            }
        }
        if !c.hasFailed(.birthDate) {
            if let d = Decode.date(c.row.cleaned(.birthDate)) { c.birth = d } else {
                let text = c.row.string(.birthDate)
                reject(&c, .date, .birthDate, text, "birth_date \"\(text)\" is not a date; use DD/MM/YYYY or YYYY-MM-DD")
            }
        }
    }

    /// E-FUTURE: the visit is not after today.
    mutating func checkFuture(_ c: inout RowCheck) {
        guard !c.hasFailed(.visitDate) else { return }
        // The visits compared with today, on either side of it: a file's map is the same under
        // every today between them but for the today its messages name (`ComparedVisits`).
        if c.visit > settings.today {
            if c.visit < compared.earliestAfter { compared.earliestAfter = c.visit }
            reject(&c, .future, .visitDate, c.row.string(.visitDate), Validation.futureMessage(visit: c.visit, today: settings.today))
        } else if c.visit > compared.latest {
            compared.latest = c.visit
        }
    }

    /// E-BEFORE-BIRTH: the visit is not before the birth.
    mutating func checkBeforeBirth(_ c: inout RowCheck) {
        if !c.hasFailed(.visitDate) && !c.hasFailed(.birthDate) && c.visit < c.birth {
            reject(&c, .beforeBirth, .visitDate, c.row.string(.visitDate),
                   "visit_date \(c.visit) is before birth_date \(c.birth); one of the two dates is wrong")
        }
    }
}
