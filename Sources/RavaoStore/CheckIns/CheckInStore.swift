import Foundation
import RavaoCore
import SQLKit

/// People seen at the door and their check-ins (C3, C7).
public struct CheckInStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    /// An identifier a scan carried, strongest first when matching: `ravao` (a person id), `qid`, `cccd`, `bhyt`, `phone`.
    public struct Identifier: Sendable, Hashable {
        public let kind: String
        public let value: String
        public init(kind: String, value: String) { self.kind = kind; self.value = value }
    }

    public struct NewCheckIn: Sendable {
        public var clientId: UUID
        public var placeId: UUID
        public var direction: CheckInDirection
        public var kind: PayloadKind
        public var scannedAt: Int64
        public var recordedAt: Int64
        public var scannedBy: UUID?
        public var payload: String
        /// Identifiers in matching order; the first one already known names the person.
        public var identifiers: [Identifier]
        /// A person the scan proved directly (a verified personal token).
        public var provenPerson: UUID?
        public var fullName: String?
        public init(clientId: UUID, placeId: UUID, direction: CheckInDirection, kind: PayloadKind, scannedAt: Int64, recordedAt: Int64,
                    scannedBy: UUID?, payload: String, identifiers: [Identifier], provenPerson: UUID?, fullName: String?) {
            self.clientId = clientId; self.placeId = placeId; self.direction = direction; self.kind = kind
            self.scannedAt = scannedAt; self.recordedAt = recordedAt; self.scannedBy = scannedBy; self.payload = payload
            self.identifiers = identifiers; self.provenPerson = provenPerson; self.fullName = fullName
        }
    }

    public struct Recorded: Sendable, Equatable {
        public let id: UUID
        public let personId: UUID
        public let fullName: String
        public let kind: String
        public let direction: String
        public let scannedAt: Int64
        public let duplicate: Bool
    }

    /// The check-in already recorded under a client id, if any: retries and offline uploads reuse ids.
    public func existing(clientId: UUID) async throws -> Recorded? {
        try await engine.read { db in
            try await Self.existing(clientId: clientId, db: db)
        }
    }

    static func existing(clientId: UUID, db: any SQLDatabase) async throws -> Recorded? {
        guard let row = try await db.raw("""
            SELECT c.id, c.person_id, c.kind, c.direction, c.scanned_at, p.full_name FROM checkins c JOIN people p ON p.id = c.person_id
            WHERE c.client_id = \(bind: clientId.uuidString)
            """).first() else { return nil }
        return Recorded(id: UUID(uuidString: try row.decode(column: "id", as: String.self))!,
                        personId: UUID(uuidString: try row.decode(column: "person_id", as: String.self))!,
                        fullName: try row.decode(column: "full_name", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                        direction: try row.decode(column: "direction", as: String.self),
                        scannedAt: try row.decode(column: "scanned_at", as: Int64.self), duplicate: true)
    }

    /// Finds or creates the person, links the identifiers the scan carried, and records the check-in,
    /// in one transaction. A client id seen before returns the earlier check-in, marked duplicate.
    public func record(_ new: NewCheckIn) async throws -> Recorded {
        try await engine.write { db in
            if let earlier = try await Self.existing(clientId: new.clientId, db: db) { return earlier }
            let personId = try await Self.resolvePerson(new, db: db)
            let id = UUID()
            try await db.raw("""
                INSERT INTO checkins (id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, scanned_by, payload)
                VALUES (\(bind: id.uuidString), \(bind: new.clientId.uuidString), \(bind: new.placeId.uuidString), \(bind: personId.uuidString),
                        \(bind: new.direction.rawValue), \(bind: new.kind.rawValue), \(bind: new.scannedAt), \(bind: new.recordedAt),
                        \(bind: new.scannedBy?.uuidString), \(bind: new.payload))
                """).run()
            let name = try await db.raw("SELECT full_name FROM people WHERE id = \(bind: personId.uuidString)").first()!.decode(column: "full_name", as: String.self)
            return Recorded(id: id, personId: personId, fullName: name, kind: new.kind.rawValue, direction: new.direction.rawValue,
                            scannedAt: new.scannedAt, duplicate: false)
        }
    }

    /// The strongest known identifier names the person; otherwise a new, unverified person is made
    /// from the card's data. Identifiers not yet linked are linked to that person.
    static func resolvePerson(_ new: NewCheckIn, db: any SQLDatabase) async throws -> UUID {
        var person = new.provenPerson
        if person == nil {
            for identifier in new.identifiers {
                if let row = try await db.raw("SELECT person_id FROM person_identifiers WHERE kind = \(bind: identifier.kind) AND value = \(bind: identifier.value)").first() {
                    person = UUID(uuidString: try row.decode(column: "person_id", as: String.self))
                    break
                }
            }
        }
        if person == nil, let phone = new.identifiers.first(where: { $0.kind == "phone" }) {
            // A citizen with an account is the person behind their own phone number.
            if let row = try await db.raw("SELECT p.id FROM people p JOIN accounts a ON a.id = p.account_id WHERE a.phone = \(bind: phone.value)").first() {
                person = UUID(uuidString: try row.decode(column: "id", as: String.self))
            }
        }
        let personId: UUID
        if let person {
            personId = person
            if let name = new.fullName, !name.isEmpty {
                try await db.raw("UPDATE people SET full_name = \(bind: name) WHERE id = \(bind: personId.uuidString) AND full_name = ''").run()
            }
        } else {
            personId = UUID()
            try await db.raw("""
                INSERT INTO people (id, full_name, verified, created_at) VALUES (\(bind: personId.uuidString), \(bind: new.fullName ?? ""), 0, \(bind: new.recordedAt))
                """).run()
        }
        for identifier in new.identifiers {
            // An identifier already linked to someone else stays where it is: merging people is a decision, not a side effect.
            try await db.raw("""
                INSERT INTO person_identifiers (kind, value, person_id, created_at)
                VALUES (\(bind: identifier.kind), \(bind: identifier.value), \(bind: personId.uuidString), \(bind: new.recordedAt))
                ON CONFLICT (kind, value) DO NOTHING
                """).run()
        }
        return personId
    }

    /// Keeps a scan that could not be read, so nothing a guard scanned disappears.
    public func reject(placeId: UUID, clientId: UUID?, payload: String, reason: String, scannedBy: UUID?, at: Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO rejected_scans (id, place_id, client_id, payload, reason, scanned_by, at)
                VALUES (\(bind: UUID().uuidString), \(bind: placeId.uuidString), \(bind: clientId?.uuidString), \(bind: String(payload.prefix(8192))),
                        \(bind: reason), \(bind: scannedBy?.uuidString), \(bind: at))
                """).run()
        }
    }

    public func rejectedCount(placeId: UUID) async throws -> Int {
        try await engine.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM rejected_scans WHERE place_id = \(bind: placeId.uuidString)").first()!.decode(column: "n", as: Int.self)
        }
    }

    /// The version a personal token must carry; nil when no such person exists.
    public func tokenVersion(person: UUID) async throws -> Int? {
        try await engine.read { db in
            try await db.raw("SELECT token_version FROM people WHERE id = \(bind: person.uuidString)").first()?.decode(column: "token_version", as: Int.self)
        }
    }

    /// Creates the person behind an account if missing (citizen pages and personal tokens need one).
    public func person(forAccount account: Account, now: Int64) async throws -> UUID {
        try await engine.write { db in
            if let row = try await db.raw("SELECT id FROM people WHERE account_id = \(bind: account.id.uuidString)").first() {
                return UUID(uuidString: try row.decode(column: "id", as: String.self))!
            }
            let id = UUID()
            try await db.raw("""
                INSERT INTO people (id, account_id, full_name, verified, created_at)
                VALUES (\(bind: id.uuidString), \(bind: account.id.uuidString), \(bind: account.displayName), 1, \(bind: now))
                """).run()
            try await db.raw("""
                INSERT INTO person_identifiers (kind, value, person_id, created_at) VALUES ('phone', \(bind: account.phone.e164), \(bind: id.uuidString), \(bind: now))
                ON CONFLICT (kind, value) DO NOTHING
                """).run()
            return id
        }
    }
}
