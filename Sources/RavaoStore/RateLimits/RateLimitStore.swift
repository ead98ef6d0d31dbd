import Foundation
import SQLKit

/// Hourly caps on anonymous actions (guest check-ins), counted in the database so that every
/// instance behind a load balancer sees the same counts.
public struct RateLimitStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    public struct Limit: Sendable {
        public let scope: String
        public let subject: String
        public let perHour: Int
        /// The window the cap counts over, in seconds: an hour unless the scope is one of `dayScopes`.
        public let window: Int64
        public init(scope: String, subject: String, perHour: Int) {
            self.scope = scope; self.subject = subject; self.perHour = perHour
            window = Self.dayScopes.contains(scope) ? 86_400 : 3600
        }
        /// Scopes counted over a day rather than an hour; the purge keeps their events that long.
        public static let dayScopes: Set<String> = ["card-claim"]
    }

    /// Counts one event against every limit, or none when any limit is already reached (then returns
    /// the first limit that was). Checked and counted in one transaction, so concurrent requests cannot
    /// both take the last slot.
    public func take(_ limits: [Limit], now: Int64, item: String? = nil) async throws -> Limit? {
        let kind = engine.kind
        return try await engine.write { db in
            if kind == .postgres {
                try await db.raw("SELECT pg_advisory_xact_lock(7318)").run()
            }
            for limit in limits {
                let n = try await db.raw("""
                    SELECT COUNT(*) AS n FROM rate_events WHERE scope = \(bind: limit.scope) AND subject = \(bind: limit.subject) AND at > \(bind: now - limit.window)
                    """).first()!.decode(column: "n", as: Int.self)
                if n >= limit.perHour { return limit }
            }
            for limit in limits {
                try await db.raw("INSERT INTO rate_events (scope, subject, item, at) VALUES (\(bind: limit.scope), \(bind: limit.subject), \(bind: item), \(bind: now))").run()
            }
            return nil
        }
    }

    /// Like `take`, but counts distinct items: an item already counted in the last hour under a limit
    /// is free again (a guard re-typing the same phone), a new one takes a slot. Returns the first
    /// limit that a new item would exceed, counting nothing then.
    public func takeDistinct(_ limits: [Limit], item: String, now: Int64) async throws -> Limit? {
        let kind = engine.kind
        return try await engine.write { db in
            if kind == .postgres {
                try await db.raw("SELECT pg_advisory_xact_lock(7318)").run()
            }
            var fresh: [Limit] = []
            for limit in limits {
                let seen = try await db.raw("""
                    SELECT 1 AS n FROM rate_events WHERE scope = \(bind: limit.scope) AND subject = \(bind: limit.subject)
                    AND item = \(bind: item) AND at > \(bind: now - 3600) LIMIT 1
                    """).first() != nil
                if seen { continue }
                let n = try await db.raw("""
                    SELECT COUNT(DISTINCT item) AS n FROM rate_events WHERE scope = \(bind: limit.scope) AND subject = \(bind: limit.subject) AND at > \(bind: now - 3600)
                    """).first()!.decode(column: "n", as: Int.self)
                if n >= limit.perHour { return limit }
                fresh.append(limit)
            }
            for limit in fresh {
                try await db.raw("INSERT INTO rate_events (scope, subject, item, at) VALUES (\(bind: limit.scope), \(bind: limit.subject), \(bind: item), \(bind: now))").run()
            }
            return nil
        }
    }

    /// Gives back a slot taken with `item` (an attempt that turned out right, e.g. a proven card: only
    /// wrong attempts should count against the caller).
    public func refund(scope: String, subject: String, item: String) async throws {
        try await engine.write { db in
            try await db.raw("DELETE FROM rate_events WHERE scope = \(bind: scope) AND subject = \(bind: subject) AND item = \(bind: item)").run()
        }
    }

    /// Forgets events older than the window they count in.
    public func purge(now: Int64) async throws -> Int {
        try await engine.write { db in
            var query = SQLQueryString("DELETE FROM rate_events WHERE at <= ")
            query.appendInterpolation(bind: now - 86_400)
            query.appendInterpolation(raw: " OR (at <= ")
            query.appendInterpolation(bind: now - 3600)
            query.appendInterpolation(raw: " AND scope NOT IN (\(Limit.dayScopes.sorted().map { "'\($0)'" }.joined(separator: ", "))))")
            query.appendInterpolation(raw: " RETURNING scope")
            return try await db.raw(query).all().count
        }
    }
}
