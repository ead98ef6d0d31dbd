import Foundation
import SQLKit

/// Unattended kiosks and other devices that scan at one place with a key instead of a person's session (C5).
public struct DeviceStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    public struct Device: Sendable, Equatable {
        public let id: UUID
        public let placeId: UUID
        public let name: String
        public let createdBy: UUID
        public let createdAt: Int64
        public let lastSeenAt: Int64?
        public let revokedAt: Int64?
    }

    /// Stores a device under the hash of its key; the key itself is never stored.
    public func create(placeId: UUID, name: String, keyHash: String, by account: UUID, now: Int64) async throws -> Device {
        let device = Device(id: UUID(), placeId: placeId, name: name, createdBy: account, createdAt: now, lastSeenAt: nil, revokedAt: nil)
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO devices (id, place_id, name, key_hash, created_by, created_at)
                VALUES (\(bind: device.id.uuidString), \(bind: placeId.uuidString), \(bind: name), \(bind: keyHash),
                        \(bind: account.uuidString), \(bind: now))
                """).run()
        }
        return device
    }

    /// The live device a key belongs to; revoked keys and keys of deleted places find nothing.
    public func device(keyHash: String) async throws -> Device? {
        try await engine.read { db in
            try await db.raw("""
                SELECT d.* FROM devices d JOIN places p ON p.id = d.place_id
                WHERE d.key_hash = \(bind: keyHash) AND d.revoked_at IS NULL AND p.deleted_at IS NULL
                """).first().map(Self.device(from:))
        }
    }

    public func devices(placeId: UUID) async throws -> [Device] {
        try await engine.read { db in
            try await db.raw("SELECT * FROM devices WHERE place_id = \(bind: placeId.uuidString) ORDER BY created_at, id").all().map(Self.device(from:))
        }
    }

    /// Revokes a device of this place; false when there is no such live device.
    public func revoke(id: UUID, placeId: UUID, by account: UUID, now: Int64) async throws -> Bool {
        try await engine.write { db in
            let rows = try await db.raw("""
                UPDATE devices SET revoked_at = \(bind: now), revoked_by = \(bind: account.uuidString)
                WHERE id = \(bind: id.uuidString) AND place_id = \(bind: placeId.uuidString) AND revoked_at IS NULL RETURNING id
                """).all()
            return !rows.isEmpty
        }
    }

    /// Remembers when a device last spoke, so the owner can tell a silent kiosk from a working one.
    public func touch(id: UUID, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("UPDATE devices SET last_seen_at = \(bind: now) WHERE id = \(bind: id.uuidString)").run()
        }
    }

    static func device(from row: any SQLRow) throws -> Device {
        func uuid(_ column: String) throws -> UUID {
            let text = try row.decode(column: column, as: String.self)
            guard let id = UUID(uuidString: text) else { throw DatabaseError.corruptRow("\(column) \(text)") }
            return id
        }
        return Device(id: try uuid("id"), placeId: try uuid("place_id"), name: try row.decode(column: "name", as: String.self),
                      createdBy: try uuid("created_by"), createdAt: try row.decode(column: "created_at", as: Int64.self),
                      lastSeenAt: try row.decode(column: "last_seen_at", as: Int64?.self),
                      revokedAt: try row.decode(column: "revoked_at", as: Int64?.self))
    }
}
