import Foundation
import SQLKit

/// PostgreSQL at national scale (issue 19): check-ins and the tables that grow with them are
/// partitioned by local day (UTC+7), so retention drops a day's table instead of deleting tens of
/// millions of rows, and a day's reads touch only that day's indexes. SQLite keeps plain tables.
///
/// Each table has a partition per day, named `TABLE_YYYYMMDD`, and a `TABLE_default` partition that
/// takes any row outside them (a late offline scan, a device with a wrong clock): a scan is never
/// refused for its time. The server creates the days ahead (`ensure`, at start and every hour);
/// creating a day whose rows already sit in the default partition moves them, in the same transaction
/// (`ravao_day_partitions`, migration 21).
public enum DayPartitions {
    /// A partitioned table: its partition key, and whether that key is a day number (else Unix seconds).
    public struct Table: Sendable {
        public let name: String
        public let key: String
        public let byDay: Bool
    }

    /// `stays` is keyed by when the stay started, as tracing reads it (see `RetentionStore` for when
    /// a day's stays go).
    public static let tables: [Table] = [
        Table(name: "checkins", key: "scanned_at", byDay: false),
        Table(name: "stays", key: "started_at", byDay: false),
        Table(name: "place_day_people", key: "day", byDay: true),
        Table(name: "unit_people_days", key: "day", byDay: true),
    ]

    /// Days created ahead of today: a week of margin, so a failed hourly run is never noticed.
    public static let daysAhead: Int64 = 7

    /// The local day (UTC+7) a Unix time falls in, as the rollups number them.
    public static func day(of seconds: Int64) -> Int64 {
        let local = seconds + 25_200
        return local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
    }

    /// Unix seconds where local day `day` starts.
    public static func start(ofDay day: Int64) -> Int64 { day * 86_400 - 25_200 }

    /// `checkins_20261206` for the local day 2026-12-06.
    public static func partitionName(_ table: String, day: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(day * 86_400)))
        return String(format: "%@_%04d%02d%02d", table, c.year!, c.month!, c.day!)
    }

    /// Creates the missing day partitions of every table for local days `from` through `to`; returns
    /// how many it created. Nothing on SQLite.
    @discardableResult
    public static func ensure(_ engine: any DatabaseEngine, fromDay: Int64, toDay: Int64) async throws -> Int {
        guard engine.kind == .postgres, fromDay <= toDay else { return 0 }
        var made = 0
        for table in tables {
            made += try await engine.write { db in
                try await db.raw("""
                    SELECT ravao_day_partitions(\(bind: table.name), \(bind: table.key), \(bind: table.byDay), \(bind: fromDay), \(bind: toDay)) AS n
                    """).first()!.decode(column: "n", as: Int.self)
            }
        }
        return made
    }

    /// The days that have a partition of `table` (the default partition is not one).
    public static func days(of table: String, db: any SQLDatabase) async throws -> [Int64] {
        let rows = try await db.raw("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = to_regclass(\(bind: table))
            """).all()
        return try rows.compactMap { row in
            let name = try row.decode(column: "relname", as: String.self)
            return dayNumber(fromPartition: name, table: table)
        }.sorted()
    }

    static func dayNumber(fromPartition name: String, table: String) -> Int64? {
        guard name.hasPrefix(table + "_") else { return nil }
        let digits = name.dropFirst(table.count + 1)
        guard digits.count == 8, digits.allSatisfy(\.isNumber) else { return nil }
        var parts = DateComponents()
        parts.year = Int(digits.prefix(4)); parts.month = Int(digits.dropFirst(4).prefix(2)); parts.day = Int(digits.suffix(2))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        guard let date = calendar.date(from: parts) else { return nil }
        return Int64(date.timeIntervalSince1970) / 86_400
    }

    // MARK: Migration 21

    /// The function that creates day partitions, moving any rows of the new day out of the default
    /// partition first. PostgreSQL refuses to create a partition while the default one holds rows that
    /// belong to it, so that case detaches the default, creates the day, moves the rows and attaches
    /// the default again, all in the caller's transaction (which locks the table for that moment).
    static let functionSQL = """
        CREATE OR REPLACE FUNCTION ravao_day_partitions(parent TEXT, key TEXT, by_day BOOLEAN, first_day BIGINT, last_day BIGINT)
        RETURNS INTEGER LANGUAGE plpgsql AS $$
        DECLARE
            lo BIGINT; hi BIGINT; part TEXT; fallback TEXT := parent || '_default'; occupied BOOLEAN; made INTEGER := 0;
            referenced TEXT;
        BEGIN
            -- Instances starting together: one creates, the others then find the days there. Keyed by
            -- schema: deployments (and test runs) that share a database in separate schemas do not wait
            -- for each other.
            PERFORM pg_advisory_xact_lock(7317, hashtext(current_schema()));
            FOR d IN first_day .. last_day LOOP
                part := parent || '_' || to_char(DATE '1970-01-01' + d, 'YYYYMMDD');
                CONTINUE WHEN to_regclass(part) IS NOT NULL;
                IF made = 0 THEN
                    -- A new partition's foreign keys lock the tables they point to (people, places).
                    -- The check-in writer locks those (inserting people) before the check-ins: taken
                    -- after the parent, they deadlocked with it. Taken first, this waits for the
                    -- writer's transaction, and the writer's next one waits for this.
                    FOR referenced IN SELECT DISTINCT confrelid::regclass::text FROM pg_constraint
                                      WHERE conrelid = parent::regclass AND contype = 'f' ORDER BY 1 LOOP
                        EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', referenced);
                    END LOOP;
                END IF;
                IF by_day THEN lo := d; hi := d + 1; ELSE lo := d::BIGINT * 86400 - 25200; hi := (d::BIGINT + 1) * 86400 - 25200; END IF;
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I >= %s AND %I < %s)', fallback, key, lo, key, hi) INTO occupied;
                IF occupied THEN
                    EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', parent, fallback);
                    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)', part, parent, lo, hi);
                    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= %s AND %I < %s RETURNING *) INSERT INTO %I SELECT * FROM moved',
                                   fallback, key, lo, key, hi, part);
                    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I DEFAULT', parent, fallback);
                ELSE
                    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)', part, parent, lo, hi);
                END IF;
                made := made + 1;
            END LOOP;
            RETURN made;
        END $$
        """

    /// Today's local day in SQL, for the migration.
    static let todaySQL = "((EXTRACT(EPOCH FROM now())::BIGINT + 25200) / 86400)"

    /// Replaces a plain table by a partitioned one with the same rows: the old one is renamed, its
    /// index names freed, the new one made with its default partition and a partition for each day
    /// its rows cover (from 100 days back to a week ahead: rows outside, which retention is about to
    /// remove or a wrong clock wrote, go to the default partition), filled, then indexed (one build per partition beats index upkeep
    /// through the copy).
    static func convert(_ table: String, key: String, byDay: Bool, columns: String, definition: String,
                        constraints: [String], indexes: [String], newIndexes: [String]) -> [String] {
        let old = table + "_unpartitioned"
        let dayOf = byDay ? key : "(\(key) + 25200) / 86400"
        let first = "GREATEST(COALESCE((SELECT MIN(\(dayOf)) FROM \(old)), \(todaySQL)), \(todaySQL) - 100)"
        let last = "LEAST(COALESCE((SELECT MAX(\(dayOf)) FROM \(old)), \(todaySQL) - 101), \(todaySQL) + \(daysAhead))"
        return ["ALTER TABLE \(table) RENAME TO \(old)"]
            + constraints.map { "ALTER TABLE \(old) DROP CONSTRAINT \($0)" }
            + indexes.map { "DROP INDEX \($0)" }
            + [
                "CREATE TABLE \(table) (\(definition)) PARTITION BY RANGE (\(key))",
                "CREATE TABLE \(table)_default PARTITION OF \(table) DEFAULT",
                "SELECT ravao_day_partitions('\(table)', '\(key)', \(byDay), \(first), \(last))",
                "INSERT INTO \(table) (\(columns)) SELECT \(columns) FROM \(old)",
                "DROP TABLE \(old)",
            ]
            + newIndexes
    }

    /// Migration 22: the function, locking what new partitions' foreign keys point to first.
    static let lockOrder: [String] = [functionSQL]

    static let migration: [String] = [functionSQL]
        + [
            // A unique index of a partitioned table must hold the partition key, and a retry comes
            // with a new time: the client ids live in a table of their own, written in the check-in's
            // transaction, so a second use still collides.
            "CREATE TABLE checkin_keys (client_id TEXT PRIMARY KEY, checkin_id TEXT NOT NULL, scanned_at BIGINT NOT NULL)",
            "INSERT INTO checkin_keys (client_id, checkin_id, scanned_at) SELECT client_id, id, scanned_at FROM checkins",
            // Retention removes the keys of a dropped day by time.
            "CREATE INDEX checkin_keys_time ON checkin_keys (scanned_at)",
        ]
        + convert("checkins", key: "scanned_at", byDay: false,
                  columns: "id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, scanned_by, device_id, payload",
                  definition: """
                      id TEXT NOT NULL, client_id TEXT NOT NULL, place_id TEXT NOT NULL REFERENCES places (id),
                      person_id TEXT NOT NULL REFERENCES people (id), direction TEXT NOT NULL, kind TEXT NOT NULL,
                      scanned_at BIGINT NOT NULL, recorded_at BIGINT NOT NULL, scanned_by TEXT, device_id TEXT, payload TEXT NOT NULL,
                      PRIMARY KEY (id, scanned_at)
                      """,
                  // The foreign keys too, so that the new table's get the same names.
                  constraints: ["checkins_pkey", "checkins_client_id_key", "checkins_place_id_fkey", "checkins_person_id_fkey"],
                  indexes: ["checkins_place_cover", "checkins_person_time", "checkins_place_recorded", "checkins_scanner", "checkins_time"],
                  newIndexes: checkinIndexes)
        + convert("stays", key: "started_at", byDay: false,
                  columns: "place_id, person_id, started_at, ended_at, span_class, closed",
                  definition: """
                      place_id TEXT NOT NULL, person_id TEXT NOT NULL, started_at BIGINT NOT NULL, ended_at BIGINT NOT NULL,
                      span_class BIGINT NOT NULL, closed BIGINT NOT NULL
                      """,
                  constraints: [], indexes: ["stays_place", "stays_person"], newIndexes: stayIndexes)
        + convert("place_day_people", key: "day", byDay: true, columns: "place_id, day, person_id",
                  definition: "place_id TEXT NOT NULL, day BIGINT NOT NULL, person_id TEXT NOT NULL, PRIMARY KEY (place_id, day, person_id)",
                  constraints: ["place_day_people_pkey"], indexes: [], newIndexes: [])
        + convert("unit_people_days", key: "day", byDay: true, columns: "scheme, unit_code, person_id, day",
                  definition: """
                      scheme TEXT NOT NULL, unit_code TEXT NOT NULL, person_id TEXT NOT NULL, day BIGINT NOT NULL,
                      PRIMARY KEY (scheme, unit_code, person_id, day)
                      """,
                  constraints: ["unit_people_days_pkey"], indexes: [], newIndexes: [])

    /// The check-in indexes of migrations 3, 5, 11 and 15, on the partitioned table (one per partition).
    public static let checkinIndexes = [
        "CREATE INDEX checkins_place_cover ON checkins (place_id, scanned_at, direction, person_id)",
        "CREATE INDEX checkins_person_time ON checkins (person_id, scanned_at)",
        "CREATE INDEX checkins_place_recorded ON checkins (place_id, recorded_at)",
        "CREATE INDEX checkins_scanner ON checkins (scanned_by, scanned_at)",
        "CREATE INDEX checkins_time ON checkins (scanned_at)",
    ]

    /// The stay indexes of migration 12.
    public static let stayIndexes = [
        "CREATE INDEX stays_place ON stays (place_id, span_class, started_at, ended_at, person_id)",
        "CREATE INDEX stays_person ON stays (person_id, started_at)",
    ]
}
