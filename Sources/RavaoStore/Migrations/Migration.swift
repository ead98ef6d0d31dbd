import Logging
import SQLKit

/// A numbered schema change. Once a migration has shipped it is never edited: a later change is a
/// new migration, so every deployment walks the same path.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    /// Statements run in order inside the migration's transaction.
    public let statements: @Sendable (EngineKind) -> [String]
}

public enum Migrator {
    /// Applies every migration newer than the database, each in its own transaction.
    public static func migrate(_ engine: any DatabaseEngine, logger: Logger, clock: @Sendable () -> Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """).run()
        }
        let kind = engine.kind
        for migration in Migrations.all {
            let applied: Bool = try await engine.write { db in
                if kind == .postgres {
                    // Several instances may start at once; one migrates, the others wait and then skip.
                    try await db.raw("SELECT pg_advisory_xact_lock(7316)").run()
                }
                let done = try await db.raw("SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)").first()
                if done != nil { return false }
                for statement in migration.statements(kind) {
                    do {
                        try await db.raw(SQLQueryString(statement)).run()
                    } catch {
                        throw DatabaseError.migrationFailed(version: migration.version, underlying: String(reflecting: error))
                    }
                }
                try await db.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: clock()))
                    """).run()
                return true
            }
            if applied { logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"]) }
        }
    }
}
