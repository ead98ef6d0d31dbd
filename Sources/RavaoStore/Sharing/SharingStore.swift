import Foundation
import RavaoCore
import SQLKit

/// Shares of a place with phone numbers (S1) and the roles they grant.
///
/// A share is `pending` until its SMS code is confirmed, then `active`; it grants its role at once when
/// the phone has an account, else when that phone first signs in (`claim`). Revoking a share removes
/// the role it granted. A place always keeps one owner whose role does not expire.
public struct SharingStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    public enum SharingError: Error, Equatable {
        /// The change would leave the place without a permanent owner.
        case lastOwner
        case notPending
    }

    public struct Share: Sendable, Equatable {
        public let id: UUID
        public let placeId: UUID
        public let phone: PhoneNumber
        public let role: PlaceRole
        public let status: String
        public let codeHash: String
        public let codeExpiresAt: Int64
        public let attempts: Int
        public let expiresAt: Int64?
        public let accountId: UUID?
        public let createdBy: UUID
        public let createdAt: Int64
        public let confirmedAt: Int64?

        /// pending, active, expired or revoked, as of `now`.
        public func state(now: Int64) -> String {
            if status != "revoked", let expiresAt, expiresAt <= now { return "expired" }
            return status
        }
    }

    public struct NewShare: Sendable {
        public let id: UUID
        public let phone: PhoneNumber
        public let codeHash: String
        public init(id: UUID, phone: PhoneNumber, codeHash: String) { self.id = id; self.phone = phone; self.codeHash = codeHash }
    }

    /// Stores new pending shares; an earlier pending share of the same place to the same phone is
    /// replaced, so only the newest code works.
    public func create(placeId: UUID, role: PlaceRole, shares: [NewShare], expiresAt: Int64?, codeExpiresAt: Int64,
                       by account: UUID, now: Int64) async throws {
        try await engine.write { db in
            for share in shares {
                try await db.raw("""
                    UPDATE place_shares SET status = 'revoked', revoked_at = \(bind: now), revoked_by = \(bind: account.uuidString)
                    WHERE place_id = \(bind: placeId.uuidString) AND phone = \(bind: share.phone.e164) AND status = 'pending'
                    """).run()
                try await db.raw("""
                    INSERT INTO place_shares (id, place_id, phone, role, status, code_hash, code_expires_at, attempts, expires_at,
                        created_by, created_at)
                    VALUES (\(bind: share.id.uuidString), \(bind: placeId.uuidString), \(bind: share.phone.e164), \(bind: role.rawValue),
                        'pending', \(bind: share.codeHash), \(bind: codeExpiresAt), 0, \(bind: expiresAt), \(bind: account.uuidString), \(bind: now))
                    """).run()
            }
        }
    }

    /// Forgets a share whose SMS could not be sent.
    public func delete(id: UUID) async throws {
        try await engine.write { db in
            try await db.raw("DELETE FROM place_shares WHERE id = \(bind: id.uuidString) AND status = 'pending'").run()
        }
    }

    public func share(id: UUID) async throws -> Share? {
        try await engine.read { db in
            try await db.raw("SELECT * FROM place_shares WHERE id = \(bind: id.uuidString)").first().map(Self.share(from:))
        }
    }

    /// Pending and active shares of a place (expired ones included, marked by `state`), newest first.
    public func shares(placeId: UUID) async throws -> [Share] {
        try await engine.read { db in
            try await db.raw("""
                SELECT * FROM place_shares WHERE place_id = \(bind: placeId.uuidString) AND status <> 'revoked'
                ORDER BY created_at DESC, id DESC LIMIT 500
                """).all().map(Self.share(from:))
        }
    }

    /// Counts a wrong code against the share; the code dies at `maxAttempts`.
    public func recordFailedAttempt(id: UUID, maxAttempts: Int, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                UPDATE place_shares SET attempts = attempts + 1,
                    code_expires_at = CASE WHEN attempts + 1 >= \(bind: maxAttempts) THEN \(bind: now) ELSE code_expires_at END
                WHERE id = \(bind: id.uuidString)
                """).run()
        }
    }

    public struct Granted: Sendable, Equatable {
        public let placeId: UUID
        public let accountId: UUID
        public let role: PlaceRole
        /// The role the account held before, if any (a change of role rather than a new member).
        public let previous: PlaceRole?
        public let shareId: UUID?
    }

    /// Activates a pending share; grants its role when the phone has an account. Conditional on the
    /// share still being pending, so a code works once even under concurrent requests.
    public func confirm(id: UUID, now: Int64) async throws -> Granted? {
        let kind = engine.kind
        return try await engine.write { db in
            if kind == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7319)").run() }
            guard let row = try await db.raw("""
                UPDATE place_shares SET status = 'active', confirmed_at = \(bind: now), code_expires_at = \(bind: now)
                WHERE id = \(bind: id.uuidString) AND status = 'pending' RETURNING *
                """).first() else { throw SharingError.notPending }
            let share = try Self.share(from: row)
            guard let accountRow = try await db.raw("SELECT id FROM accounts WHERE phone = \(bind: share.phone.e164)").first() else { return nil }
            let accountId = UUID(uuidString: try accountRow.decode(column: "id", as: String.self))!
            try await db.raw("UPDATE place_shares SET account_id = \(bind: accountId.uuidString) WHERE id = \(bind: id.uuidString)").run()
            return try await Self.grant(share, to: accountId, db: db)
        }
    }

    /// Gives an account that just signed in every active share made to its phone before it existed.
    public func claim(phone: PhoneNumber, accountId: UUID, now: Int64) async throws -> [Granted] {
        let kind = engine.kind
        return try await engine.write { db in
            let rows = try await db.raw("""
                SELECT * FROM place_shares WHERE phone = \(bind: phone.e164) AND status = 'active' AND account_id IS NULL
                    AND (expires_at IS NULL OR expires_at > \(bind: now))
                """).all()
            if rows.isEmpty { return [] }
            if kind == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7319)").run() }
            var granted: [Granted] = []
            for row in rows {
                let share = try Self.share(from: row)
                try await db.raw("UPDATE place_shares SET account_id = \(bind: accountId.uuidString) WHERE id = \(bind: share.id.uuidString)").run()
                // A claim never demotes the last owner; such a share simply does not apply.
                if let g = try? await Self.grant(share, to: accountId, db: db) { granted.append(g) }
            }
            return granted
        }
    }

    static func grant(_ share: Share, to accountId: UUID, db: any SQLDatabase) async throws -> Granted {
        let previous = try await db.raw("""
            SELECT role FROM place_roles WHERE place_id = \(bind: share.placeId.uuidString) AND account_id = \(bind: accountId.uuidString)
            """).first().flatMap { PlaceRole(rawValue: try $0.decode(column: "role", as: String.self)) }
        if previous == .owner, share.role != .owner || share.expiresAt != nil {
            try await requireAnotherOwner(placeId: share.placeId, besides: accountId, db: db)
        }
        try await db.raw("""
            INSERT INTO place_roles (place_id, account_id, role, created_at, expires_at, share_id)
            VALUES (\(bind: share.placeId.uuidString), \(bind: accountId.uuidString), \(bind: share.role.rawValue), \(bind: share.createdAt),
                \(bind: share.expiresAt), \(bind: share.id.uuidString))
            ON CONFLICT (place_id, account_id) DO UPDATE SET role = excluded.role, expires_at = excluded.expires_at, share_id = excluded.share_id
            """).run()
        return Granted(placeId: share.placeId, accountId: accountId, role: share.role, previous: previous, shareId: share.id)
    }

    /// Throws `lastOwner` unless someone other than `accountId` owns the place without an end date.
    static func requireAnotherOwner(placeId: UUID, besides accountId: UUID, db: any SQLDatabase) async throws {
        let n = try await db.raw("""
            SELECT COUNT(*) AS n FROM place_roles WHERE place_id = \(bind: placeId.uuidString) AND role = 'owner'
                AND expires_at IS NULL AND account_id <> \(bind: accountId.uuidString)
            """).first()!.decode(column: "n", as: Int.self)
        if n == 0 { throw SharingError.lastOwner }
    }

    /// Revokes a pending or active share, removing the role it granted. Returns the share as it was.
    public func revoke(id: UUID, by account: UUID, now: Int64) async throws -> Share? {
        let kind = engine.kind
        return try await engine.write { db in
            if kind == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7319)").run() }
            guard let row = try await db.raw("SELECT * FROM place_shares WHERE id = \(bind: id.uuidString) AND status <> 'revoked'").first() else { return nil }
            let share = try Self.share(from: row)
            if let holder = share.accountId, share.status == "active" {
                let granted = try await db.raw("""
                    SELECT role FROM place_roles WHERE place_id = \(bind: share.placeId.uuidString) AND account_id = \(bind: holder.uuidString)
                        AND share_id = \(bind: id.uuidString)
                    """).first().flatMap { PlaceRole(rawValue: try $0.decode(column: "role", as: String.self)) }
                if granted == .owner { try await Self.requireAnotherOwner(placeId: share.placeId, besides: holder, db: db) }
                try await db.raw("""
                    DELETE FROM place_roles WHERE place_id = \(bind: share.placeId.uuidString) AND account_id = \(bind: holder.uuidString)
                        AND share_id = \(bind: id.uuidString)
                    """).run()
            }
            try await db.raw("""
                UPDATE place_shares SET status = 'revoked', revoked_at = \(bind: now), revoked_by = \(bind: account.uuidString) WHERE id = \(bind: id.uuidString)
                """).run()
            return share
        }
    }

    public struct Member: Sendable, Equatable {
        public let accountId: UUID
        public let phone: PhoneNumber
        public let role: PlaceRole
        public let expiresAt: Int64?
        public let shareId: UUID?
    }

    /// Everyone holding a role at the place now.
    public func members(placeId: UUID, now: Int64) async throws -> [Member] {
        try await engine.read { db in
            try await db.raw("""
                SELECT r.account_id, r.role, r.expires_at, r.share_id, a.phone FROM place_roles r JOIN accounts a ON a.id = r.account_id
                WHERE r.place_id = \(bind: placeId.uuidString) AND (r.expires_at IS NULL OR r.expires_at > \(bind: now))
                ORDER BY r.created_at, a.phone
                """).all().map { row in
                guard let id = UUID(uuidString: try row.decode(column: "account_id", as: String.self)),
                      let phone = PhoneNumber(try row.decode(column: "phone", as: String.self)),
                      let role = PlaceRole(rawValue: try row.decode(column: "role", as: String.self)) else { throw DatabaseError.corruptRow("place_roles") }
                return Member(accountId: id, phone: phone, role: role, expiresAt: try row.decode(column: "expires_at", as: Int64?.self),
                              shareId: try row.decode(column: "share_id", as: String?.self).flatMap(UUID.init(uuidString:)))
            }
        }
    }

    /// Takes an account's role away (an owner removing someone, or someone leaving), and revokes the
    /// share that granted it. Returns the role removed, nil when there was none.
    public func removeMember(placeId: UUID, accountId: UUID, by actor: UUID, now: Int64) async throws -> PlaceRole? {
        let kind = engine.kind
        return try await engine.write { db in
            if kind == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7319)").run() }
            guard let row = try await db.raw("""
                SELECT role, share_id FROM place_roles WHERE place_id = \(bind: placeId.uuidString) AND account_id = \(bind: accountId.uuidString)
                """).first(), let role = PlaceRole(rawValue: try row.decode(column: "role", as: String.self)) else { return nil }
            if role == .owner { try await Self.requireAnotherOwner(placeId: placeId, besides: accountId, db: db) }
            try await db.raw("DELETE FROM place_roles WHERE place_id = \(bind: placeId.uuidString) AND account_id = \(bind: accountId.uuidString)").run()
            if let shareId = try row.decode(column: "share_id", as: String?.self) {
                try await db.raw("""
                    UPDATE place_shares SET status = 'revoked', revoked_at = \(bind: now), revoked_by = \(bind: actor.uuidString)
                    WHERE id = \(bind: shareId) AND status <> 'revoked'
                    """).run()
            }
            return role
        }
    }

    static func share(from row: any SQLRow) throws -> Share {
        guard let id = UUID(uuidString: try row.decode(column: "id", as: String.self)),
              let placeId = UUID(uuidString: try row.decode(column: "place_id", as: String.self)),
              let phone = PhoneNumber(try row.decode(column: "phone", as: String.self)),
              let role = PlaceRole(rawValue: try row.decode(column: "role", as: String.self)),
              let createdBy = UUID(uuidString: try row.decode(column: "created_by", as: String.self)) else {
            throw DatabaseError.corruptRow("place_shares")
        }
        return Share(id: id, placeId: placeId, phone: phone, role: role, status: try row.decode(column: "status", as: String.self),
                     codeHash: try row.decode(column: "code_hash", as: String.self),
                     codeExpiresAt: try row.decode(column: "code_expires_at", as: Int64.self),
                     attempts: try row.decode(column: "attempts", as: Int.self),
                     expiresAt: try row.decode(column: "expires_at", as: Int64?.self),
                     accountId: try row.decode(column: "account_id", as: String?.self).flatMap(UUID.init(uuidString:)),
                     createdBy: createdBy, createdAt: try row.decode(column: "created_at", as: Int64.self),
                     confirmedAt: try row.decode(column: "confirmed_at", as: Int64?.self))
    }
}

extension Store {
    public var sharing: SharingStore { SharingStore(engine: engine) }
    public var history: HistoryStore { HistoryStore(engine: engine) }
    public var scanHistory: ScanHistoryStore { ScanHistoryStore(engine: heavyReads) }
}

extension SharingStore {
    /// Pending shares addressed to a phone whose code is still valid: what an invitee can confirm.
    public func pending(phone: PhoneNumber, now: Int64) async throws -> [Share] {
        try await engine.read { db in
            try await db.raw("""
                SELECT * FROM place_shares WHERE phone = \(bind: phone.e164) AND status = 'pending' AND code_expires_at > \(bind: now)
                ORDER BY created_at DESC LIMIT 100
                """).all().map(Self.share(from:))
        }
    }
}
