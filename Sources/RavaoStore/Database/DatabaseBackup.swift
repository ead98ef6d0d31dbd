import Foundation
import SQLKit

/// The database side of `ravao backup` and `ravao restore`.
public enum DatabaseBackup {
    /// Copies a consistent snapshot of a SQLite database into `path` (a new file) with `VACUUM INTO`.
    /// It runs on a reader connection, as one read transaction: in WAL mode the writer goes on
    /// committing meanwhile, and the copy holds exactly what was committed when the read began.
    public static func sqliteSnapshot(_ engine: any DatabaseEngine, into path: String) async throws {
        precondition(engine.kind == .sqlite, "VACUUM INTO is SQLite's")
        try await engine.read { db in try await db.raw("VACUUM INTO \(bind: path)").run() }
    }

    /// SQLite's `PRAGMA integrity_check`: "ok", or the first problems it found.
    public static func sqliteIntegrity(_ engine: any DatabaseEngine) async throws -> String {
        try await engine.read { db in
            let rows = try await db.raw("PRAGMA integrity_check").all()
            return try rows.map { try $0.decode(column: "integrity_check", as: String.self) }.joined(separator: "; ")
        }
    }

    /// Tables a PostgreSQL schema holds already (a restore goes only into an empty one, never mixing data).
    public static func postgresTableCount(_ engine: any DatabaseEngine, schema: String) async throws -> Int {
        try await engine.read { db in
            try await db.raw("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = \(bind: schema)")
                .first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }
}
