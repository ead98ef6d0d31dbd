import Foundation
import SQLKit

/// Deployment-wide values kept in the database, so every app instance behind a load balancer agrees.
public struct SettingsStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    public func value(_ key: String) async throws -> String? {
        try await engine.read { db in
            try await db.raw("SELECT value FROM settings WHERE key = \(bind: key)").first()?.decode(column: "value", as: String.self)
        }
    }

    /// Sets a numeric setting to `value` if it is lower or absent; true for the one caller that moved
    /// it (a night's purge, claimed by one instance among several).
    public func claim(_ key: String, value: Int64) async throws -> Bool {
        try await engine.write { db in
            let current = try await db.raw("SELECT value FROM settings WHERE key = \(bind: key)").first()?.decode(column: "value", as: String.self)
            if let current, let n = Int64(current), n >= value { return false }
            let updated = try await db.raw("""
                INSERT INTO settings (key, value) VALUES (\(bind: key), \(bind: String(value)))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE settings.value = \(bind: current ?? "")
                RETURNING key
                """).first()
            return updated != nil
        }
    }

    public func set(_ key: String, _ value: String) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO settings (key, value) VALUES (\(bind: key), \(bind: value))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """).run()
        }
    }

    /// The server secret as versions before the secret file kept it (hex), if still here.
    public func legacyServerSecret() async throws -> String? {
        try await engine.read { db in
            try await db.raw("SELECT value FROM settings WHERE key = 'server_secret'").first()?.decode(column: "value", as: String.self)
        }
    }

    /// Removes that copy once the secret lives in its file: the database must not hold its own key.
    public func forgetLegacyServerSecret() async throws {
        try await engine.write { db in try await db.raw("DELETE FROM settings WHERE key = 'server_secret'").run() }
    }
}
