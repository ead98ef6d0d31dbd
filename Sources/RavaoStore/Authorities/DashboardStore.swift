import Foundation
import RavaoCore
import SQLKit

/// The rollups the dashboard (A2) reads, written by the check-in writer in the same transaction as the
/// check-ins, so a province's counts never scan the check-ins themselves.
enum DashboardRollups {
    /// The local (UTC+7) day number of a time: days since 1970-01-01 in Vietnam.
    static func day(_ seconds: Int64) -> Int64 { (seconds + LocalTime.offsetSeconds) / 86_400 }

    static func add(_ rows: [(placeId: UUID, personId: UUID, scannedAt: Int64)], db: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        var scans: [PlaceDay: Int] = [:]
        var present = Set<PlaceDayPerson>()
        for row in rows {
            let key = PlaceDay(place: row.placeId.uuidString, day: day(row.scannedAt))
            scans[key, default: 0] += 1
            present.insert(PlaceDayPerson(key: key, person: row.personId.uuidString))
        }
        // Sorted, so concurrent writers on PostgreSQL take row locks in one order.
        let counted = scans.sorted { ($0.key.place, $0.key.day) < ($1.key.place, $1.key.day) }
        for chunk in counted.chunks(of: CheckInWriter.rowsPerStatement) {
            try await db.raw(CheckInWriter.values("INSERT INTO place_days (place_id, day, scans) VALUES ", chunk,
                                                  suffix: " ON CONFLICT (place_id, day) DO UPDATE SET scans = place_days.scans + excluded.scans") { item in
                "(\(bind: item.key.place), \(bind: item.key.day), \(bind: item.value))"
            }).run()
        }
        let people = present.sorted { ($0.key.place, $0.key.day, $0.person) < ($1.key.place, $1.key.day, $1.person) }
        for chunk in people.chunks(of: CheckInWriter.rowsPerStatement) {
            try await db.raw(CheckInWriter.values("INSERT INTO place_day_people (place_id, day, person_id) VALUES ", chunk,
                                                  suffix: " ON CONFLICT (place_id, day, person_id) DO NOTHING") { item in
                "(\(bind: item.key.place), \(bind: item.key.day), \(bind: item.person))"
            }).run()
        }
    }

    struct PlaceDay: Hashable { let place: String; let day: Int64 }
    struct PlaceDayPerson: Hashable { let key: PlaceDay; let person: String }
}

extension Store {
    public var officers: OfficerStore { OfficerStore(engine: engine) }
    public var dashboard: DashboardStore { DashboardStore(engine: engine) }
    public var risk: RiskStore { RiskStore(engine: engine) }
    /// A fresh tracing reader: it remembers places only for the trace it serves.
    public func tracing() -> TracingStore { TracingStore(engine: engine) }
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

    /// Counts for the places of `jurisdiction` registered under `scheme`, over local days
    /// [fromDay, toDay], grouped by `childColumn` (a places column) when given.
    public func stats(_ jurisdiction: Jurisdiction, scheme: UnitScheme, childColumn: String?, fromDay: Int64, toDay: Int64, type: String?) async throws -> Stats {
        try await engine.read { db in
            func filter() -> SQLQueryString {
                var q = SQLQueryString("p.units_scheme = \(bind: scheme.rawValue)")
                if let column = jurisdiction.placeColumn { q.appendInterpolation(" AND p.\(unsafeRaw: column) = \(bind: jurisdiction.code)" as SQLQueryString) }
                if let type { q.appendInterpolation(" AND p.type = \(bind: type)" as SQLQueryString) }
                return q
            }
            let group = childColumn.map { "p.\($0)" } ?? "MIN(p.province_code)"
            // Without children, one row of totals: an aggregate in place of the group column, no GROUP BY.
            let groupBy = childColumn.map { " GROUP BY p.\($0)" } ?? ""
            let end = toDay * 86_400 + 86_400 - LocalTime.offsetSeconds
            var children: [String: Counts] = [:]
            var total = Counts()
            for row in try await db.raw("""
                SELECT \(unsafeRaw: group) AS unit, COUNT(*) AS n FROM places p
                WHERE \(filter()) AND p.deleted_at IS NULL AND p.created_at < \(bind: end)\(unsafeRaw: groupBy)
                """).all() {
                let n = try row.decode(column: "n", as: Int.self)
                children[try row.decode(column: "unit", as: String?.self) ?? "", default: Counts()].places += n
                total.places += n
            }
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
