import Foundation
import RavaoCore
import SQLKit

/// Reading recorded scans back (S3): filtered, in keyset pages newest first, with counts.
///
/// Pages are cut by `(scanned_at, id)` rather than OFFSET, so page 10,000 of a gate with millions of
/// scans costs what page 1 costs: the `(place_id, scanned_at)` index is walked from the cursor.
public struct ScanHistoryStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    public struct Filter: Sendable {
        public var placeIds: [UUID]
        /// Inclusive start and exclusive end, Unix seconds.
        public var from: Int64?
        public var to: Int64?
        public var direction: CheckInDirection?
        public var kind: String?
        /// Only scans made by this account (entry controllers see their own).
        public var scannedBy: UUID?
        /// Digits the person's phone number ends with (viewers who see phones in full).
        public var phoneSuffix: String?
        /// The start of the person's phone in E.164 (viewers who see it masked: only its visible digits).
        public var phonePrefix: String?
        public init(placeIds: [UUID], from: Int64? = nil, to: Int64? = nil, direction: CheckInDirection? = nil, kind: String? = nil,
                    scannedBy: UUID? = nil, phoneSuffix: String? = nil, phonePrefix: String? = nil) {
            self.placeIds = placeIds; self.from = from; self.to = to; self.direction = direction; self.kind = kind
            self.scannedBy = scannedBy; self.phoneSuffix = phoneSuffix; self.phonePrefix = phonePrefix
        }
    }

    public struct Cursor: Sendable, Equatable {
        public let scannedAt: Int64
        public let id: String
        public init(scannedAt: Int64, id: String) { self.scannedAt = scannedAt; self.id = id }
    }

    public struct Row: Sendable, Equatable {
        public let id: String
        public let placeId: UUID
        public let personId: UUID
        public let fullName: String
        public let phone: PhoneNumber?
        public let direction: String
        public let kind: String
        public let scannedAt: Int64
        public let scannedBy: UUID?
        public let deviceId: UUID?
    }

    func conditions(_ f: Filter) -> SQLQueryString {
        var sql = SQLQueryString("c.place_id IN (")
        for (i, id) in f.placeIds.enumerated() { sql += (i == 0 ? "\(bind: id.uuidString)" : ", \(bind: id.uuidString)") as SQLQueryString }
        sql += ")"
        if let from = f.from { sql += " AND c.scanned_at >= \(bind: from)" as SQLQueryString }
        if let to = f.to { sql += " AND c.scanned_at < \(bind: to)" as SQLQueryString }
        if let direction = f.direction { sql += " AND c.direction = \(bind: direction.rawValue)" as SQLQueryString }
        if let kind = f.kind { sql += " AND c.kind = \(bind: kind)" as SQLQueryString }
        if let by = f.scannedBy { sql += " AND c.scanned_by = \(bind: by.uuidString)" as SQLQueryString }
        if let suffix = f.phoneSuffix {
            sql += """
                 AND EXISTS (SELECT 1 FROM person_identifiers i WHERE i.person_id = c.person_id AND i.kind || '' = 'phone'
                    AND i.value LIKE \(bind: "%" + suffix))
                """ as SQLQueryString
        }
        if let prefix = f.phonePrefix {
            sql += """
                 AND EXISTS (SELECT 1 FROM person_identifiers i WHERE i.person_id = c.person_id AND i.kind || '' = 'phone'
                    AND i.value LIKE \(bind: prefix + "%"))
                """ as SQLQueryString
        }
        return sql
    }

    /// Up to `limit` scans after the cursor, newest first.
    /// The person's phone is looked up through `person_identifiers_person`: `kind || ''` keeps SQLite from
    /// walking the (kind, value) primary key instead, which costs a scan of every phone per row.
    public func page(_ filter: Filter, after cursor: Cursor?, limit: Int) async throws -> [Row] {
        guard !filter.placeIds.isEmpty else { return [] }
        var sql = SQLQueryString("""
            SELECT c.id, c.place_id, c.person_id, c.direction, c.kind, c.scanned_at, c.scanned_by, c.device_id, p.full_name,
                (SELECT MIN(i.value) FROM person_identifiers i WHERE i.person_id = c.person_id AND i.kind || '' = 'phone') AS phone
            FROM checkins c JOIN people p ON p.id = c.person_id WHERE
            """) + " " + conditions(filter)
        if let cursor {
            // Written so the index range on scanned_at is used (an OR alone makes both engines scan from the top).
            sql += " AND c.scanned_at <= \(bind: cursor.scannedAt) AND (c.scanned_at < \(bind: cursor.scannedAt) OR c.id < \(bind: cursor.id))" as SQLQueryString
        }
        sql += " ORDER BY c.scanned_at DESC, c.id DESC LIMIT \(bind: limit)" as SQLQueryString
        let query = sql
        return try await engine.read { db in
            try await db.raw(query).all().map { row in
                Row(id: try row.decode(column: "id", as: String.self),
                    placeId: UUID(uuidString: try row.decode(column: "place_id", as: String.self))!,
                    personId: UUID(uuidString: try row.decode(column: "person_id", as: String.self))!,
                    fullName: try row.decode(column: "full_name", as: String.self),
                    phone: try row.decode(column: "phone", as: String?.self).flatMap(PhoneNumber.init),
                    direction: try row.decode(column: "direction", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                    scannedAt: try row.decode(column: "scanned_at", as: Int64.self),
                    scannedBy: try row.decode(column: "scanned_by", as: String?.self).flatMap(UUID.init(uuidString:)),
                    deviceId: try row.decode(column: "device_id", as: String?.self).flatMap(UUID.init(uuidString:)))
            }
        }
    }

    public struct Counts: Sendable, Equatable, Codable {
        public let scans: Int
        public let entries: Int
        public let exits: Int
        public let people: Int
        public init(scans: Int, entries: Int, exits: Int, people: Int) {
            self.scans = scans; self.entries = entries; self.exits = exits; self.people = people
        }
    }

    public func counts(_ filter: Filter) async throws -> Counts {
        guard !filter.placeIds.isEmpty else { return Counts(scans: 0, entries: 0, exits: 0, people: 0) }
        let sql = SQLQueryString("""
            SELECT COUNT(*) AS n, SUM(CASE WHEN c.direction = 'in' THEN 1 ELSE 0 END) AS ins, COUNT(DISTINCT c.person_id) AS people
            FROM checkins c WHERE
            """) + " " + conditions(filter)
        return try await engine.read { db in
            let row = try await db.raw(sql).first()!
            let n = try row.decode(column: "n", as: Int.self)
            let ins = try row.decode(column: "ins", as: Int?.self) ?? 0
            return Counts(scans: n, entries: ins, exits: n - ins, people: try row.decode(column: "people", as: Int.self))
        }
    }

    /// An account's scans per local day (UTC+7) since `since`, newest day first.
    public func scansPerDay(scannedBy account: UUID, since: Int64) async throws -> [(day: Int64, count: Int)] {
        try await engine.read { db in
            try await db.raw("""
                SELECT (scanned_at + \(unsafeRaw: String(LocalTime.offsetSeconds))) / 86400 AS day, COUNT(*) AS n FROM checkins
                WHERE scanned_by = \(bind: account.uuidString) AND scanned_at >= \(bind: since)
                GROUP BY (scanned_at + \(unsafeRaw: String(LocalTime.offsetSeconds))) / 86400 ORDER BY day DESC
                """).all().map { row in
                (day: try row.decode(column: "day", as: Int64.self) * 86_400 - LocalTime.offsetSeconds, count: try row.decode(column: "n", as: Int.self))
            }
        }
    }

    /// A place and the live places inside it, to any depth (bounded).
    public func placeAndDescendants(_ placeId: UUID, limit: Int = 200) async throws -> [UUID] {
        try await engine.read { db in
            var all = [placeId]
            var frontier = [placeId]
            var depth = 0
            while !frontier.isEmpty, depth < 16, all.count < limit {
                var sql = SQLQueryString("SELECT id FROM places WHERE deleted_at IS NULL AND parent_id IN (")
                for (i, id) in frontier.enumerated() { sql += (i == 0 ? "\(bind: id.uuidString)" : ", \(bind: id.uuidString)") as SQLQueryString }
                sql += ")"
                let children = try await db.raw(sql).all().compactMap { UUID(uuidString: try $0.decode(column: "id", as: String.self)) }
                let fresh = children.filter { !all.contains($0) }
                all += fresh
                frontier = fresh
                depth += 1
            }
            return Array(all.prefix(limit))
        }
    }
}
