import Ingest
import PWSCore

// E-DATE, E-FUTURE, E-BEFORE-BIRTH (spec §3): the visit and birth dates.
extension ServiceRowChecker {
    /// E-DATE: visit_date and birth_date must be dates.
    mutating func checkDates(_ c: inout RowCheck) {
        if !c.hasFailed(.visitDate) {
            if let d = Decode.date(c.row.cleaned(.visitDate)) { c.visit = d } else {
                let text = c.row.string(.visitDate)
                reject(&c, .date, .visitDate, text, "visit_date \"\(text)\" is not a date; use DD/MM/YYYY or YYYY-MM-DD" + Self.serialAdvice(text))
            }
        }
        if !c.hasFailed(.birthDate) {
            if let d = Decode.date(c.row.cleaned(.birthDate)) { c.birth = d } else {
                let text = c.row.string(.birthDate)
                reject(&c, .date, .birthDate, text, "birth_date \"\(text)\" is not a date; use DD/MM/YYYY or YYYY-MM-DD" + Self.serialAdvice(text))
            }
        }
    }

    /// Advice for a date written as Excel's day number (`45730`: a date column formatted as
    /// General or Number, or a workbook saved without its formats): the message said only
    /// "not a date", which a number that Excel shows as itself does not explain. Empty for
    /// anything else.
    /// Day numbers of 1910-01-01 … 2100-12-31 only, with or without a time of day
    /// (`45730.4166`): a year alone (`1960`, common in a lansia register) is not one.
    static func serialAdvice(_ text: String) -> String {
        let whole = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = whole.first, (4...5).contains(first.utf8.count),
              whole.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
              let n = Int(first), (3_654...73_415).contains(n) else { return "" }
        return " (\(text) looks like Excel's number for a date, in a cell not formatted as a date: format the column as a date in the workbook and save it again)"
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
