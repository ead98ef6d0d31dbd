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
        public init(scope: String, subject: String, perHour: Int) { self.scope = scope; self.subject = subject; self.perHour = perHour }
    }

    /// Counts one event against every limit, or none when any limit is already reached (then returns
    /// the first limit that was). Checked and counted in one transaction, so concurrent requests cannot
    /// both take the last slot.
    public func take(_ limits: [Limit], now: Int64) async throws -> Limit? {
        let kind = engine.kind
        return try await engine.write { db in
            if kind == .postgres {
                try await db.raw("SELECT pg_advisory_xact_lock(7318)").run()
            }
            for limit in limits {
                let n = try await db.raw("""
                    SELECT COUNT(*) AS n FROM rate_events WHERE scope = \(bind: limit.scope) AND subject = \(bind: limit.subject) AND at > \(bind: now - 3600)
                    """).first()!.decode(column: "n", as: Int.self)
                if n >= limit.perHour { return limit }
            }
            for limit in limits {
                try await db.raw("INSERT INTO rate_events (scope, subject, at) VALUES (\(bind: limit.scope), \(bind: limit.subject), \(bind: now))").run()
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

    /// Forgets events older than the hour they count in.
    public func purge(now: Int64) async throws -> Int {
        try await engine.write { db in
            try await db.raw("DELETE FROM rate_events WHERE at <= \(bind: now - 3600) RETURNING scope").all().count
        }
    }
}
