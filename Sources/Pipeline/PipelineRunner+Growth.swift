import Aggregate
import Export
import Growth
import PWSCore
import Validate

extension PipelineRunner {
    /// What the growth pass (§A4, `Aggregator.growthReview`) found, as text: its `W-GROWTH`
    /// warnings added to the outcome, and the rows of `tindak-lanjut.csv`. Runs before the
    /// events are released.
    static func applyGrowthReview(_ review: GrowthReview, to outcome: inout ValidationOutcome,
                                  keepIdentifiers: Bool) -> [FollowUpRow] {
        addGrowthWarnings(&outcome, flags: review.flags)
        return followUpRows(review.followUp, outcome: outcome, keepIdentifiers: keepIdentifiers)
    }

    /// The `W-GROWTH` warnings alone, for a command that does not publish (`pws validate`, a
    /// refused run): the same as a run's, so every command lists the same warnings.
    static func addGrowthWarnings(_ outcome: inout ValidationOutcome, pipeline: LoadedPipeline, asOf: YearMonth) {
        let review = Aggregator.growthReview(events: outcome.events, services: GrowthServices(pipeline.services),
                                             standards: pipeline.growth, asOf: asOf)
        addGrowthWarnings(&outcome, flags: review.flags)
    }

    /// One `W-GROWTH` warning per record with a flagged z-score (a weight record can carry both
    /// WAZ and WHZ: one row names both), on its `result`.
    static func addGrowthWarnings(_ outcome: inout ValidationOutcome, flags: [GrowthFlag]) {
        guard !flags.isEmpty else { return }
        var byRecord: [Int: [GrowthFlag]] = [:]
        for f in flags { byRecord[f.record, default: []].append(f) }
        let records = byRecord.keys.sorted()
        var messages: [Int: String] = [:]
        for record in records {
            messages[record] = growthMessage(byRecord[record] ?? [], event: outcome.events.events[record]) { other in
                outcome.location(ofEvent: other).description
            }
        }
        outcome.addWarnings(rule: .growth, eventIndices: records, field: "result") { messages[$0] ?? "" }
    }

    /// The message of one `W-GROWTH` row: each flagged z-score, its measurement and age, and
    /// what to check. `place` names another record (WHZ's length/height) as `file:line`.
    static func growthMessage(_ flags: [GrowthFlag], event: ServiceEvent, place: (Int) -> String) -> String {
        let parts = flags.map { f -> String in
            let z = ZScoreText.twoDecimals(f.z)
            let range = f.indicator.plausibleRange ?? -Double.infinity...Double.infinity
            let limit = f.z < range.lowerBound ? "below \(number(range.lowerBound))" : "above \(number(range.upperBound))"
            let measured: String = switch f.indicator {
            case .weightForAge: "weight \(number(f.value)) kg"
            case .lengthHeightForAge: "\(f.ageDays < GrowthStandards.heightFromDay ? "length" : "height") \(number(f.value)) cm"
            case .weightForLengthHeight, .bmiForAge:
                "weight \(number(f.value)) kg with \(f.ageDays < GrowthStandards.heightFromDay ? "length" : "height") "
                    + "\(number(f.length ?? .nan)) cm" + (f.lengthRecord.map { " (\(place($0)))" } ?? "")
            default: "\(number(f.value))"
            }
            return "\(f.indicator.code) \(z) is implausible (WHO flag: \(limit)) for \(measured) at \(f.ageDays) days"
        }
        let checks: String
        if flags.contains(where: { $0.indicator == .weightForLengthHeight || $0.indicator == .bmiForAge }) {
            checks = flags.contains(where: { $0.indicator == .weightForAge || $0.indicator == .bmiForAge })
                ? "the weight, the length/height, the birth_date and the sex"
                : "the weight and the length/height of that date"
        } else if flags.contains(where: { $0.indicator == .lengthHeightForAge }) {
            checks = "the length/height (cm), the birth_date and the sex"
        } else {
            checks = "the weight (kg), the birth_date and the sex"
        }
        // BAZ alone leaves nothing out: no indicator uses it (§A4).
        let effect = flags.allSatisfy { $0.indicator == .bmiForAge } ? "no indicator uses BAZ"
            : "left out of the growth indicators and the follow-up list"
        return parts.joined(separator: "; ") + " — \(effect); check " + checks + " (\(event.sex == .female ? "girl" : "boy"), born \(event.birth))"
    }

    /// A measurement or limit as people read it: the decimal it was written as (`9.7`, `80`).
    static func number(_ value: Float) -> String { number(GrowthMonth.decimal(value)) }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }

    /// The follow-up list's rows from the growth pass's children.
    static func followUpRows(_ children: [FollowUpChild], outcome: ValidationOutcome,
                             keepIdentifiers: Bool) -> [FollowUpRow] {
        followUpRows(children, events: outcome.events, register: outcome.register, keepIdentifiers: keepIdentifiers)
    }

    /// The follow-up list's rows from the growth pass's children over `events` (the sharded
    /// run's reduce gives its partition's events and the run's register).
    static func followUpRows(_ children: [FollowUpChild], events: EventSet, register: AreaRegister,
                             keepIdentifiers: Bool) -> [FollowUpRow] {
        func z(_ value: Double?, flagged: Bool) -> String {
            guard let value, !flagged else { return "" }
            return ZScoreText.twoDecimals(value)
        }
        return children.map { child in
            let e = events.events[child.areaRecord]
            let area = register.rts[Int(e.rt)]
            let id = events.personIDs[child.person]
            let weight = child.lastWeight, length = child.lastLength, pair = child.lastWeightForLength
            var row = FollowUpRow(
                facilityID: e.facility == 0 ? "" : events.facilityIDs[e.facility - 1],
                villageCode: register.villages[Int(area.village)].code, rw: area.rw, rt: area.rt,
                person: keepIdentifiers ? id : PersonID.mask(id), sortKey: id,
                ageMonths: child.ageMonths, reasons: child.reasons.text,
                weightDate: weight?.day.description ?? "", weightKg: weight.map { number($0.value) } ?? "",
                lengthDate: length?.day.description ?? "", lengthCm: length.map { number($0.value) } ?? "",
                waz: z(weight?.z, flagged: weight?.flagged ?? false),
                haz: z(length?.z, flagged: length?.flagged ?? false),
                whz: z(pair?.z, flagged: pair?.flagged ?? false))
            if keepIdentifiers { row.name = events.name(ofPerson: child.person) ?? "" }
            return row
        }
    }
}
