import Foundation
import RavaoCore
import SQLKit

/// The rollups the dashboard (A2) reads, written by the projector's passes (CheckInProjector) from the
/// check-ins the writer queued, so a province's counts never scan the check-ins themselves.
///
/// Scans add up across days and units (`place_days`, `unit_days`); distinct people and active places do
/// not: a person seen on Monday and Tuesday is one person in the week. For those, every (unit, person,
/// day) the person was seen in the unit is kept in `unit_people_days` (for places, `place_days` is the
/// chain), and `unit_day_tallies` counts, per unit and day, the subjects seen that day by the day they
/// were last seen before it (`prev_day`). A subject then counts once in [from, to] at its first day in
/// the range, the one whose `prev_day` is before `from`: the distinct count of any range is one sum over
/// at most (days × lookback) rows per unit, never over the people themselves. `prev_day` is clamped
/// to `day - lookbackDays`, which keeps the tallies small and is exact for ranges of up to
/// `lookbackDays` days, the longest the dashboard accepts.
///
/// Counts follow the unit a place was in when it was scanned; moving a place to another ward later
/// does not move its history.
enum DashboardRollups {
    /// The local (UTC+7) day number of a time: days since 1970-01-01 in Vietnam.
    static func day(_ seconds: Int64) -> Int64 { (seconds + LocalTime.offsetSeconds) / 86_400 }

    /// The longest range (in days) whose distinct counts the tallies answer exactly.
    static let lookbackDays: Int64 = 92

    static func clampedPrevious(_ previous: Int64?, day: Int64) -> Int64 {
        max(previous ?? .min, day - lookbackDays)
    }

    struct PlaceUnits { let scheme: String; let units: [String] }

    /// `known`: the projector's memory of stored keys (see `KnownRollupKeys`); what the pass looked up
    /// or wrote comes back, to remember once it has committed, with the people this pass counted for
    /// the first time (taken off `unprojected_people`).
    @discardableResult
    static func add(_ rows: [(placeId: UUID, personId: UUID, scannedAt: Int64)], known: KnownRollupKeys? = nil,
                    db: any SQLDatabase) async throws -> (seen: KnownRollupKeys.Seen?, firstCounted: Set<String>) {
        guard !rows.isEmpty else { return (nil, []) }
        var scans: [PlaceDay: Int] = [:]
        var present = Set<PlaceDayPerson>()
        var ids: [String: UUID] = [:]
        for row in rows {
            let key = PlaceDay(place: row.placeId.text, day: day(row.scannedAt))
            scans[key, default: 0] += 1
            present.insert(PlaceDayPerson(key: key, person: row.personId.text))
            if known != nil { ids[key.place] = row.placeId; ids[row.personId.text] = row.personId }
        }
        let placeIds = Set(scans.keys.map(\.place)).sorted()
        let personIds = Set(present.map(\.person)).sorted()
        if db.dialect.name == "postgresql" {
            // The chains below are read, then extended: two instances extending the same person's or
            // place's chain at once would each miss the other's day. Row locks, taken in one order,
            // make them take turns (SQLite has one writer anyway). NO KEY UPDATE, because foreign keys
            // (a new card's person, a rejected scan's place) take KEY SHARE locks on the same rows,
            // which FOR UPDATE would wait on: a pass and a batch would deadlock. People before places:
            // a merge or a phone's change of owner locks its two people, then applies the first one's
            // queue here, which locks places; a pass locking places first could wait on them while
            // holding a place they wait for.
            for statement in BatchRows.matching(db, "SELECT id FROM people WHERE id", personIds, suffix: " ORDER BY id FOR NO KEY UPDATE") {
                try await db.raw(statement).run()
            }
            for statement in BatchRows.matching(db, "SELECT id FROM places WHERE id", placeIds, suffix: " ORDER BY id FOR NO KEY UPDATE") {
                try await db.raw(statement).run()
            }
        }
        // People no pass has counted yet (listed by the check-in writer as it creates them, migration
        // 26) have no rows in `unit_people_days` or `place_day_people`: their chains are not looked up
        // and their visits are new. This pass counts them and takes them off the list; on PostgreSQL,
        // after the locks above, so another instance's pass over them has committed (and taken them
        // off) or waits for this one.
        var unprojected = Set<String>()
        for statement in BatchRows.matching(db, "DELETE FROM unprojected_people WHERE person_id", personIds, suffix: " RETURNING person_id") {
            for row in try await db.raw(statement).all() { unprojected.insert(try row.decode(column: "person_id", as: String.self)) }
        }
        let units = try await placeUnits(placeIds, db: db)

        var tallies: [Tally: Int] = [:]
        var unitScans: [UnitDay: Int] = [:]
        for (key, n) in scans {
            guard let u = units[key.place] else { continue }
            for unit in u.units { unitScans[UnitDay(scheme: u.scheme, unit: unit, day: key.day), default: 0] += n }
        }
        // Active places: a place's chain of days is `place_days` itself, the same in each of its units.
        let placeKeys = scans.keys.map { ChainKey(chain: [$0.place], day: $0.day) }
        for (chain, delta) in try await chainDeltas(placeKeys, db: db, table: "place_days", columns: ["place_id"]) {
            guard let u = units[chain.chain[0]] else { continue }
            for unit in u.units {
                tallies[Tally(scheme: u.scheme, unit: unit, kind: "places", day: delta.day, previous: delta.previous), default: 0] += delta.n
            }
        }
        // Distinct people: one chain per (unit, person).
        var personKeys = Set<ChainKey>()
        for item in present {
            guard let u = units[item.key.place] else { continue }
            for unit in u.units { personKeys.insert(ChainKey(chain: [u.scheme, unit, item.person], day: item.key.day)) }
        }
        // Keys known to be stored change nothing (`chainDeltas` reads them only to drop them), and
        // known visits are already in `place_day_people`.
        var lookedUp = Array(personKeys), visits = Array(present)
        var seen: KnownRollupKeys.Seen?
        if let known {
            let generation = try await KnownRollupKeys.generation(db)
            known.begin(generation: generation)
            let chains = lookedUp.map { KnownRollupKeys.Chain(scheme: $0.chain[0], unit: $0.chain[1], person: ids[$0.chain[2]]!, day: $0.day) }
            let visited = visits.map { KnownRollupKeys.Visit(place: ids[$0.key.place]!, person: ids[$0.person]!, day: $0.key.day) }
            let stored = known.known(chains: chains, visits: visited)
            lookedUp = lookedUp.indices.compactMap { stored.chains[$0] ? nil : lookedUp[$0] }
            visits = visits.indices.compactMap { stored.visits[$0] ? nil : visits[$0] }
            // The known ones are remembered already (passes run one at a time in a process).
            seen = KnownRollupKeys.Seen(generation: generation, chains: chains.indices.compactMap { stored.chains[$0] ? nil : chains[$0] },
                                        visits: visited.indices.compactMap { stored.visits[$0] ? nil : visited[$0] })
        }
        let personDeltas = try await chainDeltas(lookedUp, db: db, table: "unit_people_days", columns: ["scheme", "unit_code", "person_id"],
                                                 empty: { unprojected.contains($0.chain[2]) })
        for (chain, delta) in personDeltas {
            tallies[Tally(scheme: chain.chain[0], unit: chain.chain[1], kind: "people", day: delta.day, previous: delta.previous), default: 0] += delta.n
        }

        // Writes, each sorted so concurrent writers on PostgreSQL take row locks in one order.
        let counted = scans.sorted { ($0.key.place, $0.key.day) < ($1.key.place, $1.key.day) }
        let placeDays = BatchRows([.text("place_id", counted.map(\.key.place)), .bigint("day", counted.map(\.key.day)),
                                   .bigint("scans", counted.map { Int64($0.value) })])
        try await run(placeDays.statements(db, "INSERT INTO place_days (place_id, day, scans) ",
                                           suffix: " ON CONFLICT (place_id, day) DO UPDATE SET scans = place_days.scans + excluded.scans"), db)
        // The visits of people counted for the first time are new: a plain insert, as for new chain keys below.
        let people = visits.sorted { ($0.key.place, $0.key.day, $0.person) < ($1.key.place, $1.key.day, $1.person) }
        for (first, suffix) in [(true, ""), (false, " ON CONFLICT (place_id, day, person_id) DO NOTHING")] {
            let part = people.filter { unprojected.contains($0.person) == first }
            let dayPeople = BatchRows([.text("place_id", part.map(\.key.place)), .bigint("day", part.map(\.key.day)), .text("person_id", part.map(\.person))])
            try await run(dayPeople.statements(db, "INSERT INTO place_day_people (place_id, day, person_id) ", suffix: suffix), db)
        }
        let newPeopleDays = personDeltas.compactMap { $0.1.isNewKey ? ChainKey(chain: $0.0.chain, day: $0.1.day) : nil }
            .sorted(by: ChainKey.inOrder)
        let peopleDays = BatchRows([.text("scheme", newPeopleDays.map { $0.chain[0] }), .text("unit_code", newPeopleDays.map { $0.chain[1] }),
                                    .text("person_id", newPeopleDays.map { $0.chain[2] }), .bigint("day", newPeopleDays.map(\.day))])
        // New keys only, which the pass's row locks keep new (see above): a plain insert, where `ON CONFLICT
        // DO NOTHING` cost 10 µs a row against 5.5 (6,000 rows; a first scan has two or three). Should one
        // exist after all (a recount running meanwhile), the pass fails and is run again, rather than count
        // a person twice.
        try await run(peopleDays.statements(db, "INSERT INTO unit_people_days (scheme, unit_code, person_id, day) "), db)
        let unitRows = unitScans.sorted { ($0.key.scheme, $0.key.unit, $0.key.day) < ($1.key.scheme, $1.key.unit, $1.key.day) }
        let unitDays = BatchRows([.text("scheme", unitRows.map(\.key.scheme)), .text("unit_code", unitRows.map(\.key.unit)),
                                  .bigint("day", unitRows.map(\.key.day)), .bigint("scans", unitRows.map { Int64($0.value) })])
        try await run(unitDays.statements(db, "INSERT INTO unit_days (scheme, unit_code, day, scans) ",
                                          suffix: " ON CONFLICT (scheme, unit_code, day) DO UPDATE SET scans = unit_days.scans + excluded.scans"), db)
        try await add(tallies: tallies, db: db)
        // A rebuild or purge that committed after the generation was read may have removed a key the
        // pass took as stored.
        if let seen, try await KnownRollupKeys.generation(db) != seen.generation { throw KnownRollupKeys.Changed() }
        return (seen, unprojected)
    }

    static func run(_ statements: [SQLQueryString], _ db: any SQLDatabase) async throws {
        for statement in statements { try await db.raw(statement).run() }
    }

    /// The units each place counts in (ward, district where the list has them, province, country).
    static func placeUnits(_ placeIds: [String], db: any SQLDatabase) async throws -> [String: PlaceUnits] {
        var units: [String: PlaceUnits] = [:]
        for statement in BatchRows.matching(db, "SELECT id, units_scheme, ward_code, district_code, province_code FROM places WHERE id", placeIds) {
            for row in try await db.raw(statement).all() {
                let codes = [try row.decode(column: "ward_code", as: String.self), try row.decode(column: "district_code", as: String?.self),
                             try row.decode(column: "province_code", as: String.self), Jurisdiction.countryCode].compactMap { $0 }
                units[try row.decode(column: "id", as: String.self)] = PlaceUnits(scheme: try row.decode(column: "units_scheme", as: String.self), units: codes)
            }
        }
        return units
    }

    /// Adds each change to `unit_day_tallies`, sorted so concurrent writers take row locks in one order.
    static func add(tallies: [Tally: Int], db: any SQLDatabase) async throws {
        let tallyRows = tallies.filter { $0.value != 0 }.sorted { ($0.key.scheme, $0.key.unit, $0.key.kind, $0.key.day, $0.key.previous) < ($1.key.scheme, $1.key.unit, $1.key.kind, $1.key.day, $1.key.previous) }
        let tallyColumns: [BatchRows.Column] = [
            .text("scheme", tallyRows.map(\.key.scheme)), .text("unit_code", tallyRows.map(\.key.unit)), .text("kind", tallyRows.map(\.key.kind)),
            .bigint("day", tallyRows.map(\.key.day)), .bigint("prev_day", tallyRows.map(\.key.previous)), .bigint("n", tallyRows.map { Int64($0.value) }),
        ]
        try await run(BatchRows(tallyColumns).statements(db, "INSERT INTO unit_day_tallies (scheme, unit_code, kind, day, prev_day, n) ",
                                                         suffix: " ON CONFLICT (scheme, unit_code, kind, day, prev_day) DO UPDATE SET n = unit_day_tallies.n + excluded.n"), db)
    }

    /// A change to the tallies of one chain: `n` subjects more (or fewer) on `day` with `previous`.
    struct Delta { let day: Int64; let previous: Int64; let n: Int; let isNewKey: Bool }

    /// How the tallies change when the days in `keys` join their chains, read before they are written.
    /// In time order a new day only adds itself (previous = the chain's last day). A day arriving late
    /// (an offline kiosk's queue) also moves the next existing day's `previous` onto it.
    /// `empty`: keys of chains known to have no stored day; they are not looked up.
    static func chainDeltas(_ keys: [ChainKey], db: any SQLDatabase, table: String, columns: [String],
                            empty: (ChainKey) -> Bool = { _ in false }) async throws -> [(ChainKey, Delta)] {
        var neighbours: [ChainKey: (previous: Int64?, next: Int64?)] = [:]
        var keys = keys
        keys.removeAll { key in
            guard empty(key) else { return false }
            neighbours[key] = (nil, nil)
            return true
        }
        let match = columns.map { "x.\($0) = k.\($0)" }.joined(separator: " AND ")
        let keyColumns = columns.joined(separator: ", ")
        let keyRows = BatchRows(columns.indices.map { i in BatchRows.Column.text(columns[i], keys.map { $0.chain[i] }) } + [.bigint("day", keys.map(\.day))])
        // Most keys are already in their chain (someone seen again the same day): an exact lookup
        // settles them, and only the others come back, with their neighbours, which on PostgreSQL
        // opens an index scan in every day partition (issue 16).
        // - The lookup is a scalar subquery per key, not a join or `NOT EXISTS`: PostgreSQL planned
        //   those as a merge, hash or anti join over the whole table, and a `NOT known` inside the
        //   neighbour subqueries still started their scans of every partition for every key. On a
        //   national database (1.7 M rows a day), 3,300 keys took 2.2 s that way and 0.10–0.14 s this way.
        // - Known keys are not returned: they change nothing, and decoding them was most of the
        //   projector's row decoding.
        // - A key's next stored day is looked for only below `afterBound`. On PostgreSQL a partitioned
        //   chain (`unit_people_days`) looked in every partition after the key's day, the week of days
        //   created ahead: nine index probes a new key, nearly always into empty tables, and most of
        //   the cost of a first visit. When no stored day at all is later than the batch's latest, no
        //   key on that day has a next one. The check runs after the pass has locked its people: a
        //   later day of theirs written by another instance has committed, or waits for this pass.
        var afterBound = Int64.max
        if db.dialect.name == "postgresql", DayPartitions.tables.contains(where: { $0.name == table }), let latest = keys.map(\.day).max() {
            // `>= latest + 1`, not `> latest`: PostgreSQL prunes range partitions as if days had values
            // between them, and `> latest` read the whole of the latest day's partition.
            let later = try await db.raw("SELECT EXISTS (SELECT 1 FROM \(unsafeRaw: table) WHERE day >= \(bind: latest + 1)) AS later").first()?
                .decode(column: "later", as: Bool.self) ?? true
            if !later { afterBound = latest }
        }
        let select = "SELECT \(columns.map { "k.\($0)" }.joined(separator: ", ")), k.day, "
            + "(SELECT MAX(x.day) FROM \(table) x WHERE \(match) AND x.day < k.day) AS before, "
            + "CASE WHEN k.day < \(afterBound) THEN (SELECT MIN(x.day) FROM \(table) x WHERE \(match) AND x.day >= k.day + 1) END AS after FROM k "
            + "WHERE (SELECT 1 FROM \(table) x WHERE \(match) AND x.day = k.day LIMIT 1) IS NULL"
        for query in keyRows.statements(db, "WITH k(\(keyColumns), day) AS (", suffix: ") " + select, chunk: CheckInWriter.rowsPerStatement / 2) {
            for row in try await db.raw(query).all() {
                let chain = try columns.map { try row.decode(column: $0, as: String.self) }
                neighbours[ChainKey(chain: chain, day: try row.decode(column: "day", as: Int64.self))] =
                    (try row.decode(column: "before", as: Int64?.self), try row.decode(column: "after", as: Int64?.self))
            }
        }
        // Per chain, the days new to it (the only keys read back), in order.
        var fresh: [[String]: [(day: Int64, previous: Int64?, next: Int64?)]] = [:]
        for (key, n) in neighbours {
            fresh[key.chain, default: []].append((key.day, n.previous, n.next))
        }
        var deltas: [(ChainKey, Delta)] = []
        for (chain, var days) in fresh {
            days.sort { $0.day < $1.day }
            for (i, d) in days.enumerated() {
                // The day before it: the chain's stored day before it, or a new day of this batch in between.
                let previous = i > 0 && days[i - 1].day > (d.previous ?? .min) ? days[i - 1].day : d.previous
                deltas.append((ChainKey(chain: chain, day: d.day), Delta(day: d.day, previous: clampedPrevious(previous, day: d.day), n: 1, isNewKey: true)))
                // The stored day after it now follows the last new day before it, not the stored one.
                if let next = d.next, i + 1 == days.count || days[i + 1].day > next {
                    deltas.append((ChainKey(chain: chain, day: next), Delta(day: next, previous: clampedPrevious(d.previous, day: next), n: -1, isNewKey: false)))
                    deltas.append((ChainKey(chain: chain, day: next), Delta(day: next, previous: clampedPrevious(d.day, day: next), n: 1, isNewKey: false)))
                }
            }
        }
        return deltas
    }

    struct PlaceDay: Hashable { let place: String; let day: Int64 }
    struct PlaceDayPerson: Hashable { let key: PlaceDay; let person: String }
    struct ChainKey: Hashable {
        let chain: [String]
        let day: Int64
        static func inOrder(_ a: ChainKey, _ b: ChainKey) -> Bool {
            a.chain == b.chain ? a.day < b.day : a.chain.lexicographicallyPrecedes(b.chain)
        }
    }
    struct UnitDay: Hashable { let scheme: String; let unit: String; let day: Int64 }
    struct Tally: Hashable { let scheme: String; let unit: String; let kind: String; let day: Int64; let previous: Int64 }
}

extension Store {
    public var officers: OfficerStore { OfficerStore(engine: engine) }
    public var dashboard: DashboardStore { DashboardStore(engine: projectedReads) }
    public var risk: RiskStore { RiskStore(engine: projectedReads) }
    /// A fresh tracing reader: it remembers places only for the trace it serves.
    public func tracing() -> TracingStore { TracingStore(engine: projectedReads) }
}

public struct DashboardStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    public struct Counts: Sendable, Equatable {
        public var places = 0
        public var activePlaces = 0
        public var scans = 0
        public var people = 0
        public init() {}
    }

    public struct Day: Sendable, Equatable {
        public let day: Int64
        public let activePlaces: Int
        public let scans: Int
        public let people: Int
    }

    public struct Stats: Sendable {
        public let total: Counts
        public let children: [String: Counts]
        public let days: [Day]
    }

    public static func day(_ seconds: Int64) -> Int64 { DashboardRollups.day(seconds) }

    /// The longest range the dashboard answers: distinct counts are exact up to this many days.
    public static let maximumDays = DashboardRollups.lookbackDays

    /// Counts for the places of `jurisdiction` registered under `scheme`, over local days
    /// [fromDay, toDay] (ranges longer than `maximumDays` from the place rollups), and for each of `childCodes`, the units right below it,
    /// whose code is in the places column `childColumn`.
    public func stats(_ jurisdiction: Jurisdiction, scheme: UnitScheme, childColumn: String?, childCodes: [String], fromDay: Int64, toDay: Int64, type: String?) async throws -> Stats {
        // The unit rollups are per unit, not per place type, and exact for at most `maximumDays`: a type
        // filter or a longer range (the route refuses those; other callers may not) counts from the
        // place rollups instead.
        if type != nil || toDay - fromDay >= Self.maximumDays {
            return try await statsFromPlaces(jurisdiction, scheme: scheme, childColumn: childColumn, fromDay: fromDay, toDay: toDay, type: type)
        }
        return try await engine.read { db in
            var total = Counts()
            var children: [String: Counts] = [:]
            try await Self.countPlaces(db: db, jurisdiction, scheme: scheme, childColumn: childColumn, toDay: toDay, type: nil, into: &total, children: &children)
            let unit = jurisdiction.code
            let codes = [unit] + childCodes.filter { $0 != unit }
            func inCodes() -> SQLQueryString { CheckInWriter.values("unit_code IN (", codes[...], suffix: ")") { "\(bind: $0)" } }
            func add(_ unitCode: String, _ update: (inout Counts) -> Void) {
                if unitCode == unit { update(&total) } else { update(&children[unitCode, default: Counts()]) }
            }
            // One index range per unit and kind: (scheme, unit_code, kind, day), prev_day read from the index.
            for kind in ["people", "places"] {
                for row in try await db.raw("""
                    SELECT unit_code, CAST(SUM(n) AS BIGINT) AS n FROM unit_day_tallies
                    WHERE scheme = \(bind: scheme.rawValue) AND \(inCodes()) AND kind = \(bind: kind)
                        AND day >= \(bind: fromDay) AND day <= \(bind: toDay) AND prev_day < \(bind: fromDay)
                    GROUP BY unit_code
                    """).all() {
                    let n = try row.decode(column: "n", as: Int.self)
                    add(try row.decode(column: "unit_code", as: String.self)) { if kind == "people" { $0.people = n } else { $0.activePlaces = n } }
                }
            }
            var perDay: [Int64: (active: Int, scans: Int, people: Int)] = [:]
            for row in try await db.raw("""
                SELECT day, kind, CAST(SUM(n) AS BIGINT) AS n FROM unit_day_tallies
                WHERE scheme = \(bind: scheme.rawValue) AND unit_code = \(bind: unit) AND day >= \(bind: fromDay) AND day <= \(bind: toDay)
                GROUP BY day, kind
                """).all() {
                let day = try row.decode(column: "day", as: Int64.self), n = try row.decode(column: "n", as: Int.self)
                if try row.decode(column: "kind", as: String.self) == "people" { perDay[day, default: (0, 0, 0)].people = n } else { perDay[day, default: (0, 0, 0)].active = n }
            }
            for row in try await db.raw("""
                SELECT unit_code, CAST(SUM(scans) AS BIGINT) AS scans FROM unit_days
                WHERE scheme = \(bind: scheme.rawValue) AND \(inCodes()) AND day >= \(bind: fromDay) AND day <= \(bind: toDay)
                GROUP BY unit_code
                """).all() {
                let scans = try row.decode(column: "scans", as: Int.self)
                add(try row.decode(column: "unit_code", as: String.self)) { $0.scans = scans }
            }
            for row in try await db.raw("""
                SELECT day, scans FROM unit_days
                WHERE scheme = \(bind: scheme.rawValue) AND unit_code = \(bind: unit) AND day >= \(bind: fromDay) AND day <= \(bind: toDay)
                """).all() {
                perDay[try row.decode(column: "day", as: Int64.self), default: (0, 0, 0)].scans = try row.decode(column: "scans", as: Int.self)
            }
            let days = (fromDay...toDay).map { d in Day(day: d, activePlaces: perDay[d]?.active ?? 0, scans: perDay[d]?.scans ?? 0, people: perDay[d]?.people ?? 0) }
            return Stats(total: total, children: children, days: days)
        }
    }

    /// Recounts `unit_days`, `unit_people_days` and `unit_day_tallies` from the per-place rollups and
    /// today's places, with the statements migration 8 backfilled them with.
    public func rebuildUnitRollups() async throws {
        let statements = Migrations.all.first { $0.version == 8 }!.statements(engine.kind).filter { $0.hasPrefix("INSERT") }
        try await engine.write { db in
            try await CheckInProjector.applyAll(db: db)
            for table in ["unit_days", "unit_people_days", "unit_day_tallies"] { try await db.raw("DELETE FROM \(unsafeRaw: table)").run() }
            for statement in statements { try await db.raw(SQLQueryString(statement)).run() }
            // A place moved to another unit leaves keys of its old unit out of the recount.
            try await KnownRollupKeys.invalidate(db)
        }
    }

    /// Places registered by the end of `toDay`, in total and per child unit.
    static func countPlaces(db: any SQLDatabase, _ jurisdiction: Jurisdiction, scheme: UnitScheme, childColumn: String?, toDay: Int64, type: String?,
                            into total: inout Counts, children: inout [String: Counts]) async throws {
        let group = childColumn.map { "p.\($0)" } ?? "MIN(p.province_code)"
        let groupBy = childColumn.map { " GROUP BY p.\($0)" } ?? ""
        let end = toDay * 86_400 + 86_400 - LocalTime.offsetSeconds
        for row in try await db.raw("""
            SELECT \(unsafeRaw: group) AS unit, COUNT(*) AS n FROM places p
            WHERE \(placeFilter(jurisdiction, scheme: scheme, type: type)) AND p.deleted_at IS NULL AND p.created_at < \(bind: end)\(unsafeRaw: groupBy)
            """).all() {
            let n = try row.decode(column: "n", as: Int.self)
            if childColumn != nil { children[try row.decode(column: "unit", as: String?.self) ?? "", default: Counts()].places += n }
            total.places += n
        }
    }

    static func placeFilter(_ jurisdiction: Jurisdiction, scheme: UnitScheme, type: String?) -> SQLQueryString {
        var q = SQLQueryString("p.units_scheme = \(bind: scheme.rawValue)")
        if let column = jurisdiction.placeColumn { q.appendInterpolation(" AND p.\(unsafeRaw: column) = \(bind: jurisdiction.code)" as SQLQueryString) }
        if let type { q.appendInterpolation(" AND p.type = \(bind: type)" as SQLQueryString) }
        return q
    }

    /// One place of a ward's drill-down.
    public struct PlaceRow: Sendable, Equatable {
        public let id: UUID
        public let name: String
        public let type: String
        public let address: String
        public let scans: Int
        public let people: Int
    }

    /// The places of a jurisdiction (a ward, on the dashboard's last level) with their scans and
    /// distinct people over [fromDay, toDay], busiest first, at most `limit`.
    public func placeRows(_ jurisdiction: Jurisdiction, scheme: UnitScheme, fromDay: Int64, toDay: Int64, type: String?, limit: Int) async throws -> [PlaceRow] {
        try await engine.read { db in
            let filter = Self.placeFilter(jurisdiction, scheme: scheme, type: type)
            var people: [String: Int] = [:]
            for row in try await db.raw("""
                SELECT x.place_id, COUNT(DISTINCT x.person_id) AS n FROM places p JOIN place_day_people x ON x.place_id = p.id
                WHERE \(filter) AND p.deleted_at IS NULL AND x.day >= \(bind: fromDay) AND x.day <= \(bind: toDay) GROUP BY x.place_id
                """).all() {
                people[try row.decode(column: "place_id", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return try await db.raw("""
                SELECT p.id, p.name, p.type, p.address, CAST(COALESCE(SUM(d.scans), 0) AS BIGINT) AS scans
                FROM places p LEFT JOIN place_days d ON d.place_id = p.id AND d.day >= \(bind: fromDay) AND d.day <= \(bind: toDay)
                WHERE \(filter) AND p.deleted_at IS NULL
                GROUP BY p.id, p.name, p.type, p.address ORDER BY scans DESC, p.name LIMIT \(bind: limit)
                """).all().map { row in
                let id = try row.decode(column: "id", as: String.self)
                return PlaceRow(id: UUID(uuidString: id) ?? UUID(), name: try row.decode(column: "name", as: String.self), type: try row.decode(column: "type", as: String.self),
                                address: try row.decode(column: "address", as: String.self), scans: try row.decode(column: "scans", as: Int.self), people: people[id] ?? 0)
            }
        }
    }

    /// The same counts from the per-place rollups, joined to today's places: what a type filter needs,
    /// and the reference the unit rollups are tested against.
    func statsFromPlaces(_ jurisdiction: Jurisdiction, scheme: UnitScheme, childColumn: String?, fromDay: Int64, toDay: Int64, type: String?) async throws -> Stats {
        try await engine.read { db in
            func filter() -> SQLQueryString { Self.placeFilter(jurisdiction, scheme: scheme, type: type) }
            let group = childColumn.map { "p.\($0)" } ?? "MIN(p.province_code)"
            // Without children, one row of totals: an aggregate in place of the group column, no GROUP BY.
            let groupBy = childColumn.map { " GROUP BY p.\($0)" } ?? ""
            var children: [String: Counts] = [:]
            var total = Counts()
            try await Self.countPlaces(db: db, jurisdiction, scheme: scheme, childColumn: childColumn, toDay: toDay, type: type, into: &total, children: &children)
            for row in try await db.raw("""
                SELECT \(unsafeRaw: group) AS unit, COUNT(DISTINCT d.place_id) AS active, CAST(SUM(d.scans) AS BIGINT) AS scans
                FROM places p JOIN place_days d ON d.place_id = p.id
                WHERE \(filter()) AND d.day >= \(bind: fromDay) AND d.day <= \(bind: toDay)\(unsafeRaw: groupBy)
                """).all() {
                let unit = try row.decode(column: "unit", as: String?.self) ?? ""
                let active = try row.decode(column: "active", as: Int.self), scans = try row.decode(column: "scans", as: Int?.self) ?? 0
                children[unit, default: Counts()].activePlaces += active
                children[unit, default: Counts()].scans += scans
                total.activePlaces += active
                total.scans += scans
            }
            if childColumn != nil {
                for row in try await db.raw("""
                    SELECT \(unsafeRaw: group) AS unit, COUNT(DISTINCT x.person_id) AS people
                    FROM places p JOIN place_day_people x ON x.place_id = p.id
                    WHERE \(filter()) AND x.day >= \(bind: fromDay) AND x.day <= \(bind: toDay)\(unsafeRaw: groupBy)
                    """).all() {
                    children[try row.decode(column: "unit", as: String?.self) ?? "", default: Counts()].people = try row.decode(column: "people", as: Int.self)
                }
            }
            // A person seen in two wards is one person in the district.
            total.people = try await db.raw("""
                SELECT COUNT(DISTINCT x.person_id) AS people FROM places p JOIN place_day_people x ON x.place_id = p.id
                WHERE \(filter()) AND x.day >= \(bind: fromDay) AND x.day <= \(bind: toDay)
                """).first()!.decode(column: "people", as: Int.self)
            var perDay: [Int64: (active: Int, scans: Int, people: Int)] = [:]
            for row in try await db.raw("""
                SELECT d.day, COUNT(*) AS active, CAST(SUM(d.scans) AS BIGINT) AS scans FROM places p JOIN place_days d ON d.place_id = p.id
                WHERE \(filter()) AND d.day >= \(bind: fromDay) AND d.day <= \(bind: toDay) GROUP BY d.day
                """).all() {
                perDay[try row.decode(column: "day", as: Int64.self)] = (try row.decode(column: "active", as: Int.self), try row.decode(column: "scans", as: Int.self), 0)
            }
            for row in try await db.raw("""
                SELECT x.day, COUNT(DISTINCT x.person_id) AS people FROM places p JOIN place_day_people x ON x.place_id = p.id
                WHERE \(filter()) AND x.day >= \(bind: fromDay) AND x.day <= \(bind: toDay) GROUP BY x.day
                """).all() {
                perDay[try row.decode(column: "day", as: Int64.self), default: (0, 0, 0)].people = try row.decode(column: "people", as: Int.self)
            }
            let days = (fromDay...toDay).map { d in Day(day: d, activePlaces: perDay[d]?.active ?? 0, scans: perDay[d]?.scans ?? 0, people: perDay[d]?.people ?? 0) }
            return Stats(total: total, children: children, days: days)
        }
    }
}
