import Concurrency
import PWSCore

extension Aggregator {
    /// The W-NIFAS warning (spec §3) of each unattached NIFAS event, on its service_code.
    public static let unattachedNifasMessage =
        "NIFAS visit with no delivery (PERSALINAN) of this woman in the 42 days before it; it is not counted in KF — record the delivery, or check the date"

    /// NIFAS events attached to no delivery (W-NIFAS), as sorted indices into the event array:
    /// exactly what `run(_:)` reports in `AggregateResult.unattachedNifas`, without counting any
    /// indicator. `pws validate` lists these warnings too, so a dry run shows every warning a
    /// run would.
    ///
    /// Like `run(_:)`, each person's records up to the end of `asOf` are taken in (visit_date,
    /// record_id) order and clustered into deliveries (§4.3); a NIFAS record more than 42 days
    /// after every earlier delivery is unattached.
    ///
    /// - Complexity: O(n) for the sort by person plus O(k log k) per person of k records.
    public static func unattachedNifas(events set: EventSet, services: ServiceCatalogue, asOf: YearMonth,
                                       workers: Int = Parallel.defaultWorkers) -> [Int] {
        guard let nifas = services.index(of: "NIFAS") else { return [] }
        let order = sortedOrder(set, through: asOf.lastDay, parts: max(1, workers))
        let events = set.events
        let builder = SubjectBuilder(events: events, recordIDs: set.recordIDs, anc: services.index(of: "ANC"),
                                     persalinan: services.index(of: "PERSALINAN"), nifas: nifas)
        var unattached: [Int] = []
        order.withUnsafeBufferPointer { order in
            var start = 0
            while start < order.count {
                let person = events[order[start]].person
                var end = start + 1
                while end < order.count && events[order[end]].person == person { end += 1 }
                // Only a person with a NIFAS record can have one unattached.
                if order[start..<end].contains(where: { events[$0].service == nifas }) {
                    unattached += builder.deliveries(order[start..<end]).unattached
                }
                start = end
            }
        }
        return unattached.sorted()
    }
}
