import Foundation
import RavaoCore
import SQLKit

/// Accounts, their sign-in codes and their sessions.
public struct AccountStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    // MARK: Accounts

    /// The account for a phone, created at first sign-in: signing up and signing in are one flow,
    /// which is also why no message can reveal whether a number is known.
    public func findOrCreate(phone: PhoneNumber, language: Language, now: Int64) async throws -> Account {
        let id = UUID()
        return try await engine.write { db in
            try await db.raw("""
                INSERT INTO accounts (id, phone, display_name, language, created_at)
                VALUES (\(bind: id.uuidString), \(bind: phone.e164), '', \(bind: language.rawValue), \(bind: now))
                ON CONFLICT (phone) DO NOTHING
                """).run()
            let row = try await db.raw("SELECT * FROM accounts WHERE phone = \(bind: phone.e164)").first()!
            return try Self.account(from: row)
        }
    }

    public func account(id: UUID) async throws -> Account? {
        try await engine.read { db in
            try await db.raw("SELECT * FROM accounts WHERE id = \(bind: id.uuidString)").first().map(Self.account(from:))
        }
    }

    public func account(phone: PhoneNumber) async throws -> Account? {
        try await engine.read { db in
            try await db.raw("SELECT * FROM accounts WHERE phone = \(bind: phone.e164)").first().map(Self.account(from:))
        }
    }

    public func setProfile(id: UUID, displayName: String?, language: Language?) async throws {
        try await engine.write { db in
            if let displayName {
                try await db.raw("UPDATE accounts SET display_name = \(bind: displayName) WHERE id = \(bind: id.uuidString)").run()
            }
            if let language {
                try await db.raw("UPDATE accounts SET language = \(bind: language.rawValue) WHERE id = \(bind: id.uuidString)").run()
            }
        }
    }

    static func account(from row: any SQLRow) throws -> Account {
        let phoneText = try row.decode(column: "phone", as: String.self)
        guard let phone = PhoneNumber(phoneText), let id = UUID(uuidString: try row.decode(column: "id", as: String.self)) else {
            throw DatabaseError.corruptRow("account \(phoneText)")
        }
        return Account(id: id, phone: phone,
                       displayName: try row.decode(column: "display_name", as: String.self),
                       language: Language(rawValue: try row.decode(column: "language", as: String.self)) ?? .vi,
                       createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    // MARK: Sign-in codes

    public struct Challenge: Sendable {
        public let id: String
        public let codeHash: String
        public let expiresAt: Int64
        public let attempts: Int
    }

    /// Limits checked in the same transaction that stores a code, so concurrent requests cannot slip past them.
    public struct ChallengeLimits: Sendable {
        public var resendWaitSeconds: Int64
        public var perPhonePerHour: Int
        public var perIPPerHour: Int
        public init(resendWaitSeconds: Int64, perPhonePerHour: Int, perIPPerHour: Int) {
            self.resendWaitSeconds = resendWaitSeconds
            self.perPhonePerHour = perPhonePerHour
            self.perIPPerHour = perIPPerHour
        }
    }

    public enum ChallengeOutcome: Sendable, Equatable {
        case stored(id: String)
        case resendTooSoon(retryAfter: Int64)
        case capped
    }

    /// Stores a new code for the phone unless a limit forbids it, and retires every earlier code, so
    /// only the newest one works.
    public func insertChallenge(phone: PhoneNumber, purpose: String, codeHash: String, ip: String, now: Int64,
                                expiresAt: Int64, limits: ChallengeLimits) async throws -> ChallengeOutcome {
        let id = UUID().uuidString
        let kind = engine.kind
        return try await engine.write { db in
            if kind == .postgres {
                // SQLite's single writer already serialises this; PostgreSQL needs a lock for the counts to hold.
                try await db.raw("SELECT pg_advisory_xact_lock(7317)").run()
            }
            let since = now - 3600
            let byPhone = try await db.raw("SELECT COUNT(*) AS n, MAX(created_at) AS last FROM otp_challenges WHERE phone = \(bind: phone.e164) AND created_at >= \(bind: since)").first()!
            if let last = try byPhone.decode(column: "last", as: Int64?.self), now - last < limits.resendWaitSeconds {
                return .resendTooSoon(retryAfter: limits.resendWaitSeconds - (now - last))
            }
            let byIP = try await db.raw("SELECT COUNT(*) AS n FROM otp_challenges WHERE ip = \(bind: ip) AND created_at >= \(bind: since)").first()!
            if try byPhone.decode(column: "n", as: Int.self) >= limits.perPhonePerHour || (try byIP.decode(column: "n", as: Int.self)) >= limits.perIPPerHour {
                return .capped
            }
            try await db.raw("UPDATE otp_challenges SET consumed_at = \(bind: now) WHERE phone = \(bind: phone.e164) AND purpose = \(bind: purpose) AND consumed_at IS NULL").run()
            try await db.raw("""
                INSERT INTO otp_challenges (id, phone, purpose, code_hash, ip, created_at, expires_at)
                VALUES (\(bind: id), \(bind: phone.e164), \(bind: purpose), \(bind: codeHash), \(bind: ip), \(bind: now), \(bind: expiresAt))
                """).run()
            return .stored(id: id)
        }
    }

    /// Forgets a code that never reached the phone, so the user is not made to wait for it.
    public func deleteChallenge(id: String) async throws {
        try await engine.write { db in
            try await db.raw("DELETE FROM otp_challenges WHERE id = \(bind: id)").run()
        }
    }

    public func liveChallenge(phone: PhoneNumber, purpose: String, now: Int64) async throws -> Challenge? {
        try await engine.read { db in
            try await db.raw("""
                SELECT id, code_hash, expires_at, attempts FROM otp_challenges
                WHERE phone = \(bind: phone.e164) AND purpose = \(bind: purpose) AND consumed_at IS NULL AND expires_at > \(bind: now)
                ORDER BY created_at DESC LIMIT 1
                """).first().map { row in
                Challenge(id: try row.decode(column: "id", as: String.self), codeHash: try row.decode(column: "code_hash", as: String.self),
                          expiresAt: try row.decode(column: "expires_at", as: Int64.self), attempts: try row.decode(column: "attempts", as: Int.self))
            }
        }
    }

    /// Marks a code used; false when another request used it first (a code works once).
    public func consume(challengeId: String, now: Int64) async throws -> Bool {
        try await engine.write { db in
            try await db.raw("UPDATE otp_challenges SET consumed_at = \(bind: now) WHERE id = \(bind: challengeId) AND consumed_at IS NULL RETURNING id").first() != nil
        }
    }

    /// Counts a wrong try against the code, killing it at `maxAttempts`, and against the IP address.
    public func recordFailure(challengeId: String?, phone: PhoneNumber, ip: String, maxAttempts: Int, now: Int64) async throws {
        try await engine.write { db in
            if let challengeId {
                try await db.raw("""
                    UPDATE otp_challenges SET attempts = attempts + 1,
                        consumed_at = CASE WHEN attempts + 1 >= \(bind: maxAttempts) THEN \(bind: now) ELSE consumed_at END
                    WHERE id = \(bind: challengeId)
                    """).run()
            }
            try await db.raw("INSERT INTO otp_failures (ip, phone, at) VALUES (\(bind: ip), \(bind: phone.e164), \(bind: now))").run()
        }
    }

    public func failureCount(ip: String, since: Int64) async throws -> Int {
        try await engine.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM otp_failures WHERE ip = \(bind: ip) AND at >= \(bind: since)").first()!.decode(column: "n", as: Int.self)
        }
    }

    /// Deletes sign-in codes and failure records older than a day and sessions that ended a week
    /// ago: they only serve the hourly limits and the sign-in itself, and are personal data.
    @discardableResult
    public func purgeExpired(now: Int64) async throws -> Int {
        try await engine.write { db in
            var removed = 0
            for query: SQLQueryString in [
                "DELETE FROM otp_challenges WHERE created_at < \(bind: now - 86_400) RETURNING id",
                "DELETE FROM otp_failures WHERE at < \(bind: now - 86_400) RETURNING ip",
                "DELETE FROM sessions WHERE expires_at < \(bind: now - 7 * 86_400) OR revoked_at < \(bind: now - 7 * 86_400) RETURNING token_hash",
            ] {
                removed += try await db.raw(query).all().count
            }
            return removed
        }
    }

    // MARK: Sessions

    public enum SessionKind: String, Sendable { case web, api }

    public func createSession(tokenHash: String, accountId: UUID, kind: SessionKind, ip: String, userAgent: String, now: Int64, expiresAt: Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO sessions (token_hash, account_id, kind, created_at, expires_at, ip, user_agent)
                VALUES (\(bind: tokenHash), \(bind: accountId.uuidString), \(bind: kind.rawValue), \(bind: now), \(bind: expiresAt), \(bind: ip), \(bind: String(userAgent.prefix(300))))
                """).run()
        }
    }

    /// The account behind a live session token hash.
    public func sessionAccount(tokenHash: String, now: Int64) async throws -> (Account, SessionKind)? {
        try await liveSession(tokenHash: tokenHash, now: now).map { ($0.account, $0.kind) }
    }

    public struct LiveSession: Sendable {
        public let account: Account
        public let kind: SessionKind
        public let expiresAt: Int64
    }

    /// The session a token hash names, if it is neither revoked nor expired at `now`.
    public func liveSession(tokenHash: String, now: Int64) async throws -> LiveSession? {
        try await engine.read { db in
            guard let row = try await db.raw("""
                SELECT a.*, s.kind AS session_kind, s.expires_at AS session_expires_at FROM sessions s JOIN accounts a ON a.id = s.account_id
                WHERE s.token_hash = \(bind: tokenHash) AND s.revoked_at IS NULL AND s.expires_at > \(bind: now)
                """).first() else { return nil }
            return LiveSession(account: try Self.account(from: row),
                               kind: SessionKind(rawValue: try row.decode(column: "session_kind", as: String.self)) ?? .web,
                               expiresAt: try row.decode(column: "session_expires_at", as: Int64.self))
        }
    }

    public func revokeSession(tokenHash: String, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("UPDATE sessions SET revoked_at = \(bind: now) WHERE token_hash = \(bind: tokenHash) AND revoked_at IS NULL").run()
        }
    }
}
