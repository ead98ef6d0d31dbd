import Foundation
import SQLKit

/// P4 and trust rule 9: personal rows leave the database after the retention period, unless an open
/// tracing case holds the time they fall in.
public struct RetentionStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    /// Rows deleted per table by one purge, for the log.
    public typealias Counts = [(table: String, rows: Int)]

    /// Rows per delete transaction: the SQLite writer is held for a short while only, so scans keep
    /// flowing during a nightly purge of a busy day.
    static let chunk = 5_000
    /// A case holds its window and a day on each side (stays reach across midnight and buffers).
    static let holdMargin: Int64 = 86_400

    /// Deletes what is older than `cutoff` (Unix seconds) and not held by an open case.
    public func purge(before cutoff: Int64) async throws -> Counts {
        let cutoffDay = Int64((cutoff + 25_200) / 86_400)  // local days (UTC+7), as the rollups count them
        // Queued check-ins first: applied after the purge, they would put back rollup rows of people
        // whose check-ins it deleted.
        try await CheckInProjector(engine: engine).catchUp()
        // A case holds only what its officer could trace: rows at places inside the unit it was opened
        // in (a ward officer's case must not keep the whole country's check-ins).
        func inUnit(_ place: String?) -> String {
            guard let place else { return "" }
            return " AND (h.unit_code = 'VN' OR EXISTS (SELECT 1 FROM places hp WHERE hp.id = \(place) AND h.unit_code IN (hp.ward_code, hp.district_code, hp.province_code)))"
        }
        func heldAt(_ column: String, place: String? = nil) -> String {
            "EXISTS (SELECT 1 FROM tracing_cases h WHERE h.closed_at IS NULL AND \(column) BETWEEN h.from_at - \(Self.holdMargin) AND h.to_at + \(Self.holdMargin)\(inUnit(place)))"
        }
        func heldDay(_ column: String, place: String? = nil) -> String {
            "EXISTS (SELECT 1 FROM tracing_cases h WHERE h.closed_at IS NULL AND \(column) BETWEEN (h.from_at + 25200) / 86400 - 1 AND (h.to_at + 25200) / 86400 + 1\(inUnit(place)))"
        }
        var counts: Counts = []
        // PostgreSQL: whole days go by dropping their partitions first; what is left (held days, the
        // day the cutoff falls in, the default partition) goes row by row below.
        let dropped = engine.kind == .postgres ? try await dropDays(before: cutoff) : [:]
        // Tables with an id: deleted in chunks.
        // (table, time column, held by cases?, place column that scopes the hold)
        let tables: [(String, String, Bool, String?)] = [("checkins", "scanned_at", true, "t.place_id"), ("rejected_scans", "at", true, "t.place_id"),
                                                         ("unmasked_views", "at", false, nil), ("declarations", "created_at", false, nil),
                                                         ("exposures", "created_at", true, nil)]
        for (table, column, holdable, place) in tables {
            let held = holdable ? " AND NOT " + heldAt("t.\(column)", place: place) : ""
            var total = 0
            while true {
                var sql = """
                    DELETE FROM \(table) WHERE id IN (SELECT t.id FROM \(table) t WHERE t.\(column) < \(cutoff)\(held) LIMIT \(Self.chunk))
                    RETURNING id
                    """
                if table == "checkins" && engine.kind == .postgres {
                    // Partitioned: the key holds the time (so only old days are read), and each client
                    // id leaves `checkin_keys` with its check-in.
                    sql = """
                        WITH gone AS (
                            DELETE FROM checkins WHERE scanned_at < \(cutoff) AND (id, scanned_at) IN (
                                SELECT t.id, t.scanned_at FROM checkins t WHERE t.scanned_at < \(cutoff)\(held) LIMIT \(Self.chunk))
                            RETURNING id, client_id),
                        keys AS (DELETE FROM checkin_keys k USING gone WHERE k.client_id = gone.client_id)
                        SELECT id FROM gone
                        """
                }
                let statement = sql
                let n = try await engine.write { db in try await db.raw(SQLQueryString(statement)).all().count }
                total += n
                if n < Self.chunk { break }
            }
            counts.append((table, total + dropped[table, default: 0]))
        }
        // Derived rows keyed without an id: one statement each.
        let derived: [(String, String)] = [
            // (A stay starts before it ends: on PostgreSQL that bound leaves the later days' partitions unread.)
            ("stays", "ended_at < \(cutoff)\(engine.kind == .postgres ? " AND started_at < \(cutoff)" : "") AND NOT " + heldAt("stays.started_at", place: "stays.place_id")),
            ("place_day_people", "day < \(cutoffDay) AND NOT " + heldDay("place_day_people.day", place: "place_day_people.place_id")),
            ("unit_people_days", "day < \(cutoffDay) AND NOT " + heldDay("unit_people_days.day")),
            ("org_presence", "day < \(cutoffDay)"),
            ("place_day_counts", "day < \(cutoffDay)"),
            ("otp_failures", "at < \(cutoff)"),
            ("otp_challenges", "created_at < \(cutoff)"),
            ("sessions", "expires_at < \(cutoff)"),
        ]
        for (table, condition) in derived {
            let sql = "DELETE FROM \(table) WHERE \(condition) RETURNING 1 AS n"
            let n = try await engine.write { db in
                let n = try await db.raw(SQLQueryString(sql)).all().count
                if n > 0, KnownRollupKeys.tables.contains(table) { try await KnownRollupKeys.invalidate(db) }
                return n
            }
            counts.append((table, n + dropped[table, default: 0]))
        }
        return counts
    }

    /// PostgreSQL: drops the day partitions (DayPartitions) wholly older than the cutoff that no open
    /// case holds (a case holds the days of its window and one on each side, wherever its unit is:
    /// such a day keeps its partition and loses its unheld rows one by one). A day's stays (by their
    /// start) go with its check-ins, also one that ended after the cutoff (at most 24 h later): the
    /// entry it was made from goes that night too. Returns the rows dropped per table.
    func dropDays(before cutoff: Int64) async throws -> [String: Int] {
        let cutoffDay = DayPartitions.day(of: cutoff)
        let held: [ClosedRange<Int64>] = try await engine.read { db in
            try await db.raw("SELECT from_at, to_at FROM tracing_cases WHERE closed_at IS NULL").all().map { row in
                DayPartitions.day(of: try row.decode(column: "from_at", as: Int64.self)) - 1
                    ... DayPartitions.day(of: try row.decode(column: "to_at", as: Int64.self)) + 1
            }
        }
        var rows: [String: Int] = [:]
        for table in DayPartitions.tables {
            let days = try await engine.read { db in try await DayPartitions.days(of: table.name, db: db) }
            for day in days where day < cutoffDay && !held.contains(where: { $0.contains(day) }) {
                let partition = DayPartitions.partitionName(table.name, day: day)
                rows[table.name, default: 0] += try await engine.write { db in
                    let n = try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: partition)").first()!.decode(column: "n", as: Int.self)
                    try await db.raw("DROP TABLE \(unsafeRaw: partition)").run()
                    if KnownRollupKeys.tables.contains(table.name) { try await KnownRollupKeys.invalidate(db) }
                    return n
                }
                if table.name == "checkins" {
                    // The day's client ids, in chunks like the row deletes (the key table is not partitioned).
                    let lo = DayPartitions.start(ofDay: day), hi = DayPartitions.start(ofDay: day + 1)
                    while try await engine.write({ db in
                        try await db.raw("""
                            DELETE FROM checkin_keys WHERE client_id IN (
                                SELECT client_id FROM checkin_keys WHERE scanned_at >= \(bind: lo) AND scanned_at < \(bind: hi) LIMIT \(bind: Self.keyChunk))
                            RETURNING 1 AS n
                            """).all().count
                    }) == Self.keyChunk {}
                }
            }
        }
        return rows
    }

    /// Client ids per delete when a day's partition went: a narrow table, so larger chunks.
    static let keyChunk = 50_000
}

/// Tracing cases (A4): an officer opens one for a person and a window; while it is open, retention
/// keeps every check-in of that window (trust rule 9). Closing the case ends the hold.
public struct CaseStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    public struct Case: Sendable, Equatable {
        public let id: UUID
        public let personId: UUID
        public let openedBy: UUID
        public let unitCode: String
        public let from: Int64
        public let to: Int64
        public let note: String
        public let openedAt: Int64
        public let closedAt: Int64?
        public let closedBy: UUID?
    }

    public func open(person: UUID, by officer: UUID, unitCode: String, from: Int64, to: Int64, note: String, now: Int64) async throws -> UUID {
        let id = TimeOrderedID.make()
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO tracing_cases (id, person_id, opened_by, unit_code, from_at, to_at, note, opened_at)
                VALUES (\(bind: id.uuidString), \(bind: person.uuidString), \(bind: officer.uuidString), \(bind: unitCode), \(bind: from), \(bind: to),
                        \(bind: note), \(bind: now))
                """).run()
        }
        return id
    }

    /// Closes an open case; false when it was not open.
    public func close(_ id: UUID, by officer: UUID, now: Int64) async throws -> Bool {
        try await engine.write { db in
            try await db.raw("""
                UPDATE tracing_cases SET closed_at = \(bind: now), closed_by = \(bind: officer.uuidString)
                WHERE id = \(bind: id.uuidString) AND closed_at IS NULL RETURNING id
                """).first() != nil
        }
    }

    public func find(_ id: UUID) async throws -> Case? {
        try await engine.read { db in
            try await db.raw("SELECT * FROM tracing_cases WHERE id = \(bind: id.uuidString)").first().map(Self.decode)
        }
    }

    /// Every open case and those closed since `closedSince`, newest first. The caller keeps the ones
    /// its officer may manage; a country-wide "newest 200" would hide a ward's open case behind others.
    public func list(closedSince: Int64) async throws -> [Case] {
        try await engine.read { db in
            try await db.raw("""
                SELECT * FROM tracing_cases WHERE closed_at IS NULL OR closed_at >= \(bind: closedSince) ORDER BY opened_at DESC
                """).all().map(Self.decode)
        }
    }

    static func decode(_ row: any SQLRow) throws -> Case {
        Case(id: UUID(uuidString: try row.decode(column: "id", as: String.self))!,
             personId: UUID(uuidString: try row.decode(column: "person_id", as: String.self))!,
             openedBy: UUID(uuidString: try row.decode(column: "opened_by", as: String.self))!,
             unitCode: try row.decode(column: "unit_code", as: String.self),
             from: try row.decode(column: "from_at", as: Int64.self), to: try row.decode(column: "to_at", as: Int64.self),
             note: try row.decode(column: "note", as: String.self), openedAt: try row.decode(column: "opened_at", as: Int64.self),
             closedAt: try row.decode(column: "closed_at", as: Int64?.self),
             closedBy: try row.decode(column: "closed_by", as: String?.self).flatMap(UUID.init(uuidString:)))
    }
}
