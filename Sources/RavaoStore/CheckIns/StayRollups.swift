import Foundation
import RavaoCore
import SQLKit

/// Stays (see `Stays`) kept in a table as check-ins are projected (see `CheckInProjector`), so tracing reads the stays that
/// overlap a window instead of rebuilding them from a day of check-ins on each side of it.
///
/// A stay depends only on the same person's check-ins at the same place within 24 h of its start
/// (an entry's exit up to 24 h later; for an exit alone, an entry up to 24 h before). So a check-in at
/// `t` changes only the stays starting in [t − 24 h, t + 24 h], and those are computed again, with
/// `Stays.compute`, from the check-ins in [t − 48 h, t + 48 h]. Late check-ins (an offline queue) need
/// nothing more.
///
/// Each stay carries a span class, the smallest k with length ≤ 60 s · 2^k. A stay of class k that
/// overlaps [lo, hi] starts in [lo − 60 s · 2^k, hi]: reading each class over its own range finds the
/// overlapping stays of a busy place while passing over at most as many that end just before `lo`,
/// where one range over the longest possible stay (24 h) would pass over a whole day of visits.
public enum StayRollups {
    /// Longest span of each class, in seconds; the last covers the longest stay (24 h).
    public static let spans: [Int64] = (0...11).map { 60 << Int64($0) }

    public static func spanClass(_ length: Int64) -> Int {
        spans.firstIndex { length <= $0 } ?? spans.count - 1
    }

    /// The same classes as an SQL expression over a length, for the backfill.
    static func spanClassSQL(_ length: String) -> String {
        "CASE " + spans.dropLast().enumerated().map { "WHEN \(length) <= \($1) THEN \($0)" }.joined(separator: " ") + " ELSE \(spans.count - 1) END"
    }

    /// `k(span_class, span)` as SQL rows, for reads that range over each class.
    static let classRows = "VALUES " + spans.enumerated().map { "(\($0), \($1))" }.joined(separator: ", ")

    struct Key: Hashable { let person: String; let place: String }

    /// Recomputes the stays touched by newly written check-ins. Runs in the projector's transaction, after
    /// the dashboard rollups, which on PostgreSQL have locked the pass's people: another instance's pass
    /// over the same person waits, then reads these check-ins.
    ///
    /// `firstCounted`: people this pass counts for the first time (`DashboardRollups.add`). Their
    /// stays come from the pass's own rows, without reading their check-ins back (a first scan's
    /// largest read, issue 16): no pass has made stays of theirs, so none is stored to replace, and
    /// any check-in of theirs not in this pass is in a later one, which reads them all and makes again
    /// every stay that check-in changes (those starting within 24 h of it). A row queued without its
    /// direction (before migration 28) sends its key to the read.
    static func add(_ rows: [(placeId: UUID, personId: UUID, scannedAt: Int64, direction: CheckInDirection?)], firstCounted: Set<String> = [],
                    db: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        var ranges: [Key: (lo: Int64, hi: Int64)] = [:]
        var written: [Key: Int] = [:]
        var own: [Key: [(direction: CheckInDirection?, at: Int64)]] = [:]
        for row in rows {
            let key = Key(person: row.personId.text, place: row.placeId.text)
            touch(&ranges, key, at: row.scannedAt)
            written[key, default: 0] += 1
            if firstCounted.contains(key.person) { own[key, default: []].append((row.direction, row.scannedAt)) }
        }
        let given = own.compactMapValues { list in
            list.allSatisfy { $0.direction != nil } ? list.map { (direction: $0.direction!, at: $0.at) } : nil
        }
        try await recompute(ranges, written: written, given: given, db: db)
    }

    /// Stays starting in each key's [lo, hi], computed again from its check-ins. `written` counts the
    /// check-ins of each key just written: a key whose read finds no others has no stored stays to delete.
    /// `given`: keys whose check-ins are known without reading them. `replacingAll` deletes what is
    /// stored in every range, for check-ins that changed person.
    static func recompute(_ ranges: [Key: (lo: Int64, hi: Int64)], written: [Key: Int], given: [Key: [(direction: CheckInDirection, at: Int64)]] = [:],
                          replacingAll: Bool = false, db: any SQLDatabase) async throws {
        let keys = ranges.keys.sorted { ($0.person, $0.place) < ($1.person, $1.place) }
        var defaults: [String: Int64] = [:]
        var scans = given
        let read = keys.filter { given[$0] == nil }
        let keyRows = BatchRows([.text("person_id", read.map(\.person)), .text("place_id", read.map(\.place)),
                                 .bigint("lo", read.map { ranges[$0]!.lo - Stays.exitWindow }), .bigint("hi", read.map { ranges[$0]!.hi + Stays.exitWindow })])
        // Each key reads the person's own check-ins in its window, by `checkins_person_time`:
        // - SQLite's planner would range over the place's check-ins (covering index, place an equality
        //   too): four days of a busy market per key instead of the person's few.
        // - PostgreSQL hash-joined the keys with every check-in of the day (a parallel sequential scan
        //   growing with the day), or ranged over the place like SQLite. A LATERAL subquery with
        //   `OFFSET 0` is not flattened, and the place is tested outside it, so each key is one index
        //   range of one partition: 24–30 ms for 1,500 keys against 40 ms at 63,000 check-ins a day,
        //   and no worse on the national database (issue 16).
        let select = db.dialect.name == "sqlite" ? """
            ) SELECT c.person_id, c.place_id, c.direction, c.scanned_at, p.default_stay_minutes FROM k CROSS JOIN checkins c INDEXED BY checkins_person_time
            JOIN places p ON p.id = c.place_id
            WHERE c.person_id = k.person_id AND c.place_id = k.place_id AND c.scanned_at >= k.lo AND c.scanned_at <= k.hi
            """ : """
            ) SELECT k.person_id, k.place_id, c.direction, c.scanned_at, p.default_stay_minutes FROM k JOIN places p ON p.id = k.place_id
            CROSS JOIN LATERAL (SELECT c.place_id, c.direction, c.scanned_at FROM checkins c
                                WHERE c.person_id = k.person_id AND c.scanned_at >= k.lo AND c.scanned_at <= k.hi OFFSET 0) c
            WHERE c.place_id = k.place_id
            """
        for query in keyRows.statements(db, "WITH k(person_id, place_id, lo, hi) AS (", suffix: select, chunk: CheckInWriter.rowsPerStatement / 2) {
            for row in try await db.raw(query).all() {
                let key = Key(person: try row.decode(column: "person_id", as: String.self), place: try row.decode(column: "place_id", as: String.self))
                defaults[key.place] = Int64(try row.decode(column: "default_stay_minutes", as: Int.self)) * 60
                scans[key, default: []].append((CheckInDirection(rawValue: try row.decode(column: "direction", as: String.self)) ?? .in,
                                                 try row.decode(column: "scanned_at", as: Int64.self)))
            }
        }
        // The places of keys not read: their default stays.
        let unread = Set(given.keys.map(\.place)).subtracting(defaults.keys).sorted()
        for statement in BatchRows.matching(db, "SELECT id, default_stay_minutes FROM places WHERE id", unread) {
            for row in try await db.raw(statement).all() {
                defaults[try row.decode(column: "id", as: String.self)] = Int64(try row.decode(column: "default_stay_minutes", as: Int.self)) * 60
            }
        }
        var fresh: [(key: Key, stay: Stay, closed: Bool)] = []
        for key in keys {
            let range = ranges[key]!, stay = defaults[key.place] ?? 3600
            let list = scans[key] ?? []
            let exits = Set(list.filter { $0.direction == .out }.map(\.at))
            for computed in Stays.compute(list, defaultStaySeconds: stay) where computed.from >= range.lo && computed.from <= range.hi {
                // A stay ending at an exit was closed by it (an exit alone is one too); any other ran the
                // place's default length, and a new default moves its end.
                fresh.append((key, computed, exits.contains(computed.to)))
            }
        }
        // A first visit (most of a market's scans) has nothing stored to replace.
        let replaced = replacingAll ? keys : keys.filter { (scans[$0]?.count ?? 0) > written[$0, default: 0] }
        if db.dialect.name == "sqlite" {
            for chunk in replaced.chunks(of: CheckInWriter.rowsPerStatement / 2) {
                try await db.raw(CheckInWriter.values("DELETE FROM stays WHERE ", chunk, separator: " OR ") { key in
                    "(person_id = \(bind: key.person) AND place_id = \(bind: key.place) AND started_at >= \(bind: ranges[key]!.lo) AND started_at <= \(bind: ranges[key]!.hi))"
                }).run()
            }
        } else {
            // One statement of four array binds: PostgreSQL planned a batch's hundreds of ORs over every
            // partition in ~10 ms, for every batch size anew (3 ms this way, and faster to run).
            let gone = BatchRows([.text("person_id", replaced.map(\.person)), .text("place_id", replaced.map(\.place)),
                                  .bigint("lo", replaced.map { ranges[$0]!.lo }), .bigint("hi", replaced.map { ranges[$0]!.hi })])
            for statement in gone.statements(db, "DELETE FROM stays s USING (", suffix: """
                ) k WHERE s.person_id = k.person_id AND s.place_id = k.place_id AND s.started_at >= k.lo AND s.started_at <= k.hi
                """) {
                try await db.raw(statement).run()
            }
        }
        let stayRows = BatchRows([.text("place_id", fresh.map(\.key.place)), .text("person_id", fresh.map(\.key.person)),
                                  .bigint("started_at", fresh.map(\.stay.from)), .bigint("ended_at", fresh.map(\.stay.to)),
                                  .bigint("span_class", fresh.map { Int64(spanClass($0.stay.to - $0.stay.from)) }),
                                  .bigint("closed", fresh.map { $0.closed ? 1 : 0 })])
        for statement in stayRows.statements(db, "INSERT INTO stays (place_id, person_id, started_at, ended_at, span_class, closed) ") {
            try await db.raw(statement).run()
        }
    }

    /// Check-ins at `moved` (place, time) changed from person `from` to `to`: the stays they made are made
    /// again under `to`, and `from` keeps only the stays of what it still holds. Tracing reads stays,
    /// not check-ins, so a visit must follow its check-in there too.
    static func moved(_ moved: [(place: String, at: Int64)], from: String, to: String, db: any SQLDatabase) async throws {
        var ranges: [Key: (lo: Int64, hi: Int64)] = [:]
        for row in moved {
            for who in [from, to] { touch(&ranges, Key(person: who, place: row.place), at: row.at) }
        }
        try await recompute(ranges, written: [:], replacingAll: true, db: db)
    }

    /// Widens `key`'s range to the stays a check-in at `at` can change (those starting within 24 h of it).
    private static func touch(_ ranges: inout [Key: (lo: Int64, hi: Int64)], _ key: Key, at: Int64) {
        let touched = (lo: at - Stays.exitWindow, hi: at + Stays.exitWindow)
        ranges[key] = ranges[key].map { (min($0.lo, touched.lo), max($0.hi, touched.hi)) } ?? touched
    }

    /// A place's new default stay moves the end of every stay that was not closed by an exit.
    static func defaultStayChanged(place: UUID, seconds: Int64, db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE stays SET ended_at = started_at + \(bind: seconds), span_class = \(bind: spanClass(seconds))
            WHERE place_id = \(bind: place.text) AND closed = 0
            """).run()
    }

    /// Computes every stay again from the check-ins, in one transaction.
    public static func rebuild(_ engine: any DatabaseEngine) async throws {
        try await engine.write { db in
            try await CheckInProjector.applyAll(db: db)
            try await db.raw("DELETE FROM stays").run()
            for statement in backfill { try await db.raw(SQLQueryString(statement)).run() }
        }
    }

    /// Every stay from the check-ins, in SQL: what migration 12 backfills and `ravao rebuild-rollups` redoes.
    /// One sort of the check-ins by person, place and time gives each entry the first exit at or after
    /// it, and each exit the last entry at or before it (ties included), as `Stays.compute` pairs them.
    static let backfill: [String] = [
        """
        INSERT INTO stays (place_id, person_id, started_at, ended_at, span_class, closed)
        SELECT place_id, person_id, scanned_at, ended_at, \(spanClassSQL("ended_at - scanned_at")), closed FROM (
            SELECT place_id, person_id, scanned_at,
                CASE WHEN direction = 'out' THEN scanned_at WHEN next_out <= scanned_at + \(Stays.exitWindow) THEN next_out
                     ELSE scanned_at + default_stay END AS ended_at,
                CASE WHEN direction = 'out' OR next_out <= scanned_at + \(Stays.exitWindow) THEN 1 ELSE 0 END AS closed
            FROM (
                SELECT c.place_id, c.person_id, c.direction, c.scanned_at, p.default_stay_minutes * 60 AS default_stay,
                    MIN(CASE WHEN c.direction = 'out' THEN c.scanned_at END) OVER (
                        PARTITION BY c.person_id, c.place_id ORDER BY c.scanned_at RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS next_out,
                    MAX(CASE WHEN c.direction = 'in' THEN c.scanned_at END) OVER (
                        PARTITION BY c.person_id, c.place_id ORDER BY c.scanned_at RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_in
                FROM checkins c JOIN places p ON p.id = c.place_id) t
            WHERE direction = 'in' OR last_in IS NULL OR last_in < scanned_at - \(Stays.exitWindow)) s
        """,
    ]
}
