import Foundation
import RavaoCore
import SQLKit

/// Officer accounts (A1), the officers' audit trail, and place alerts.
public struct OfficerStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    public struct Officer: Sendable, Equatable {
        public let accountId: UUID
        public let phone: String
        public let unitCode: String
        /// The list (`2021`, `2025`) the unit code was given under.
        public let unitScheme: String
        public let functions: Set<OfficerFunction>
        public let createdBy: UUID?
        public let createdAt: Int64
    }

    /// Makes `account` an officer of `unitCode` (or changes its unit and functions).
    public func upsert(account: UUID, unitCode: String, functions: Set<OfficerFunction>, by creator: UUID?, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO officers (account_id, unit_code, unit_scheme, functions, created_by, created_at, revoked_at)
                VALUES (\(bind: account.uuidString), \(bind: unitCode), COALESCE((SELECT value FROM settings WHERE key = 'units_scheme'), '2025'),
                        \(bind: OfficerFunction.list(functions)), \(bind: creator?.uuidString), \(bind: now), NULL)
                ON CONFLICT (account_id) DO UPDATE SET unit_code = excluded.unit_code, unit_scheme = excluded.unit_scheme, functions = excluded.functions,
                    created_by = excluded.created_by, created_at = excluded.created_at, revoked_at = NULL
                """).run()
        }
    }

    public func revoke(account: UUID, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("UPDATE officers SET revoked_at = \(bind: now) WHERE account_id = \(bind: account.uuidString) AND revoked_at IS NULL").run()
        }
    }

    public func officer(account: UUID) async throws -> Officer? {
        try await engine.read { db in
            try await db.raw("""
                SELECT o.*, a.phone FROM officers o JOIN accounts a ON a.id = o.account_id
                WHERE o.account_id = \(bind: account.uuidString) AND o.revoked_at IS NULL
                """).first().map(Self.officer(from:))
        }
    }

    /// Every active officer; the caller keeps those inside its jurisdiction (units need the unit tree).
    public func all() async throws -> [Officer] {
        try await engine.read { db in
            try await db.raw("""
                SELECT o.*, a.phone FROM officers o JOIN accounts a ON a.id = o.account_id WHERE o.revoked_at IS NULL ORDER BY o.unit_code, a.phone
                """).all().map(Self.officer(from:))
        }
    }

    static func officer(from row: any SQLRow) throws -> Officer {
        Officer(accountId: UUID(uuidString: try row.decode(column: "account_id", as: String.self))!,
                phone: try row.decode(column: "phone", as: String.self),
                unitCode: try row.decode(column: "unit_code", as: String.self),
                unitScheme: (try? row.decode(column: "unit_scheme", as: String?.self)) ?? nil ?? "2025",
                functions: OfficerFunction.parseList(try row.decode(column: "functions", as: String.self)) ?? [],
                createdBy: try row.decode(column: "created_by", as: String?.self).flatMap(UUID.init(uuidString:)),
                createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    // MARK: Audit

    /// One line of the trail: who saw or did what to whom (a person id, a place id, a unit code).
    public func audit(account: UUID, action: String, subjects: [String], detail: String, now: Int64) async throws {
        guard !subjects.isEmpty else { return }
        try await engine.write { db in
            for chunk in stride(from: 0, to: subjects.count, by: 400) {
                var query = SQLQueryString("INSERT INTO officer_audit (id, account_id, action, subject, detail, at) VALUES ")
                for (i, subject) in subjects[chunk..<min(chunk + 400, subjects.count)].enumerated() {
                    if i > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation("(\(bind: TimeOrderedID.make().uuidString), \(bind: account.uuidString), \(bind: action), \(bind: subject), \(bind: detail), \(bind: now))" as SQLQueryString)
                }
                try await db.raw(query).run()
            }
        }
    }

    public func auditCount(subject: String, action: String) async throws -> Int {
        try await engine.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM officer_audit WHERE subject = \(bind: subject) AND action = \(bind: action)").first()!.decode(column: "n", as: Int.self)
        }
    }

    /// Notices texted to a phone since a time (the per-day cap).
    public func sentCount(to phone: String, since: Int64) async throws -> Int {
        try await engine.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM officer_audit WHERE subject = \(bind: phone) AND action = 'sms' AND at >= \(bind: since)")
                .first()!.decode(column: "n", as: Int.self)
        }
    }

    // MARK: Zones (the table is the health model's; listing and lifting are the officers')

    public struct ZoneRow: Sendable, Equatable {
        public let id: UUID
        public let unitCode: String
        public let level: String
        public let from: Int64
        public let to: Int64?
        public let declaredBy: UUID
        public let createdAt: Int64
    }

    public func zones() async throws -> [ZoneRow] {
        try await engine.read { db in
            try await db.raw("SELECT * FROM zones ORDER BY created_at DESC, id DESC LIMIT 1000").all().map { row in
                ZoneRow(id: UUID(uuidString: try row.decode(column: "id", as: String.self))!, unitCode: try row.decode(column: "unit_code", as: String.self),
                        level: try row.decode(column: "level", as: String.self), from: try row.decode(column: "starts_at", as: Int64.self),
                        to: try row.decode(column: "ends_at", as: Int64?.self),
                        declaredBy: UUID(uuidString: try row.decode(column: "declared_by", as: String.self)) ?? UUID(),
                        createdAt: try row.decode(column: "created_at", as: Int64.self))
            }
        }
    }

    /// Ends a zone now (if it is in force or planned to last longer). False when there was nothing to lift.
    public func liftZone(_ id: UUID, now: Int64) async throws -> Bool {
        try await engine.write { db in
            try await db.raw("""
                UPDATE zones SET ends_at = \(bind: now) WHERE id = \(bind: id.uuidString) AND (ends_at IS NULL OR ends_at > \(bind: now)) RETURNING id
                """).all().count == 1
        }
    }

    // MARK: Place alerts

    public func addPlaceAlert(place: UUID, from: Int64, to: Int64, people: Int, by account: UUID, now: Int64) async throws -> UUID {
        let id = TimeOrderedID.make()
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO place_alerts (id, place_id, from_at, to_at, people, created_by, created_at)
                VALUES (\(bind: id.uuidString), \(bind: place.uuidString), \(bind: from), \(bind: to), \(bind: people), \(bind: account.uuidString), \(bind: now))
                """).run()
        }
        return id
    }

    /// Phones of a place's owners and managers, who are told about an alert.
    public func placeContacts(place: UUID) async throws -> [String] {
        try await engine.read { db in
            try await db.raw("""
                SELECT a.phone FROM place_roles r JOIN accounts a ON a.id = r.account_id
                WHERE r.place_id = \(bind: place.uuidString) AND r.role IN ('owner', 'manager') ORDER BY a.phone
                """).all().map { try $0.decode(column: "phone", as: String.self) }
        }
    }
}
