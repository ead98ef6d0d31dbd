import Foundation
import RavaoCore
import SQLKit

extension DashboardRollups {
    /// Check-ins at `moved` (place, time) changed from person `from` to `to` (`CheckInStore.moveCheckIns`,
    /// which has applied `from`'s queue, so `from`'s rows here count all its check-ins): their visits
    /// and days now count under `to`, and `from` keeps those its remaining check-ins make. Left under
    /// `from`, a citizen seen under both records on a day (a card at the gate in the morning, their
    /// own QR after claiming the card) counted twice in that day's distinct people.
    ///
    /// Each affected chain (`from`'s and `to`'s, in every unit of a moved visit's place) is read whole,
    /// changed in memory, and its tallies corrected by what the chain counted before and counts after.
    /// A merge is rare and a chain holds at most the retention period's days, so nothing here needs to
    /// be cheap. Runs in the move's transaction, which on PostgreSQL has locked both people, as a
    /// projector pass does before it reads their chains.
    static func moved(_ moved: [(place: String, at: Int64)], from: String, to: String, db: any SQLDatabase) async throws {
        guard !moved.isEmpty else { return }
        let movedVisits = Set(moved.map { PlaceDay(place: $0.place, day: day($0.at)) })
        let days = Set(movedVisits.map(\.day))
        // What `from` still holds on those days.
        var keptVisits = Set<PlaceDay>()
        let start = days.min()! * 86_400 - LocalTime.offsetSeconds, end = (days.max()! + 1) * 86_400 - LocalTime.offsetSeconds
        for row in try await db.raw("""
            SELECT place_id, scanned_at FROM checkins WHERE person_id = \(bind: from) AND scanned_at >= \(bind: start) AND scanned_at < \(bind: end)
            """).all() {
            let visit = PlaceDay(place: try row.decode(column: "place_id", as: String.self), day: day(try row.decode(column: "scanned_at", as: Int64.self)))
            if days.contains(visit.day) { keptVisits.insert(visit) }
        }
        let units = try await placeUnits(Array(Set(movedVisits.map(\.place)).union(keptVisits.map(\.place))).sorted(), db: db)
        func unitDays(_ visits: Set<PlaceDay>) -> Set<UnitDay> {
            Set(visits.flatMap { visit in units[visit.place].map { u in u.units.map { UnitDay(scheme: u.scheme, unit: $0, day: visit.day) } } ?? [] })
        }
        let movedDays = unitDays(movedVisits), keptDays = unitDays(keptVisits)

        // Visits: `to` was at each moved one; `from` only where something it kept puts it.
        let gone = movedVisits.subtracting(keptVisits).sorted { ($0.place, $0.day) < ($1.place, $1.day) }
        for visit in gone {
            try await db.raw("DELETE FROM place_day_people WHERE place_id = \(bind: visit.place) AND day = \(bind: visit.day) AND person_id = \(bind: from)").run()
        }
        let added = movedVisits.sorted { ($0.place, $0.day) < ($1.place, $1.day) }
        let visitRows = BatchRows([.text("place_id", added.map(\.place)), .bigint("day", added.map(\.day)), .text("person_id", added.map { _ in to })])
        try await run(visitRows.statements(db, "INSERT INTO place_day_people (place_id, day, person_id) ",
                                           suffix: " ON CONFLICT (place_id, day, person_id) DO NOTHING"), db)

        // Chains of distinct people, per unit.
        var tallies: [Tally: Int] = [:]
        var removed: [(chain: [String], day: Int64)] = [], inserted: [(chain: [String], day: Int64)] = []
        let chains = Set(movedDays.map { [$0.scheme, $0.unit] }).sorted { $0.lexicographicallyPrecedes($1) }
        for chain in chains {
            let (scheme, unit) = (chain[0], chain[1])
            var stored: [String: Set<Int64>] = [from: [], to: []]
            for row in try await db.raw("""
                SELECT person_id, day FROM unit_people_days
                WHERE scheme = \(bind: scheme) AND unit_code = \(bind: unit) AND person_id IN (\(bind: from), \(bind: to))
                """).all() {
                stored[try row.decode(column: "person_id", as: String.self), default: []].insert(try row.decode(column: "day", as: Int64.self))
            }
            let here = movedDays.filter { $0.scheme == scheme && $0.unit == unit }.map(\.day)
            let fromAfter = stored[from]!.subtracting(here.filter { !keptDays.contains(UnitDay(scheme: scheme, unit: unit, day: $0)) })
            let toAfter = stored[to]!.union(here)
            for (chainDays, sign) in [(stored[from]!, -1), (fromAfter, 1), (stored[to]!, -1), (toAfter, 1)] {
                var previous: Int64?
                for day in chainDays.sorted() {
                    tallies[Tally(scheme: scheme, unit: unit, kind: "people", day: day, previous: clampedPrevious(previous, day: day)), default: 0] += sign
                    previous = day
                }
            }
            removed += stored[from]!.subtracting(fromAfter).sorted().map { ([scheme, unit, from], $0) }
            inserted += toAfter.subtracting(stored[to]!).sorted().map { ([scheme, unit, to], $0) }
        }
        for key in removed {
            try await db.raw("""
                DELETE FROM unit_people_days WHERE scheme = \(bind: key.chain[0]) AND unit_code = \(bind: key.chain[1])
                AND person_id = \(bind: key.chain[2]) AND day = \(bind: key.day)
                """).run()
        }
        let chainRows = BatchRows([.text("scheme", inserted.map { $0.chain[0] }), .text("unit_code", inserted.map { $0.chain[1] }),
                                   .text("person_id", inserted.map { $0.chain[2] }), .bigint("day", inserted.map(\.day))])
        try await run(chainRows.statements(db, "INSERT INTO unit_people_days (scheme, unit_code, person_id, day) "), db)
        try await add(tallies: tallies, db: db)
        // Both now have rows a pass must find: off the list of people no pass has counted (a pass would
        // insert a listed person's rows without looking, and fail on these).
        try await db.raw("DELETE FROM unprojected_people WHERE person_id IN (\(bind: from), \(bind: to))").run()
        // Rows went: projectors forget the keys they knew stored.
        if !gone.isEmpty || !removed.isEmpty { try await KnownRollupKeys.invalidate(db) }
    }
}
