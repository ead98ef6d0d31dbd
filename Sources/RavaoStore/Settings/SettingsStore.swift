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

    public func set(_ key: String, _ value: String) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO settings (key, value) VALUES (\(bind: key), \(bind: value))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """).run()
        }
    }

    /// The server's secret (signs CSRF tokens, hashes codes), created once on first start.
    public func serverSecret() async throws -> [UInt8] {
        let generated: String = {
            var rng = SystemRandomNumberGenerator()
            return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
        }()
        let hex: String = try await engine.write { db in
            // Insert-if-absent then read back: when two instances start together both read the winner's value.
            try await db.raw("INSERT INTO settings (key, value) VALUES ('server_secret', \(bind: generated)) ON CONFLICT (key) DO NOTHING").run()
            return try await db.raw("SELECT value FROM settings WHERE key = 'server_secret'").first()!.decode(column: "value", as: String.self)
        }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}
