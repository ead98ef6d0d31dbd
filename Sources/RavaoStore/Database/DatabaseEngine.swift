import Logging
import SQLKit

/// The engines Ravao runs on. SQL is written once; the few places where the engines differ ask this.
public enum EngineKind: String, Sendable { case sqlite, postgres }

/// One query layer over SQLite and PostgreSQL.
///
/// Reads may run concurrently; writes run in a transaction that commits when `body` returns and rolls
/// back when it throws. Code above this layer never sees which engine it talks to.
public protocol DatabaseEngine: Sendable {
    var kind: EngineKind { get }
    /// Runs `body` with a connection for reading.
    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` in one transaction.
    func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs one of the check-in writer's batches where the engine keeps them (PostgreSQL: a pool and an
    /// event loop of their own, see `PostgresEngine`). `body` calls `begin` before a write that must
    /// share a transaction with another; what it did is committed when it returns and rolled back when
    /// it throws. SQLite's batch is one transaction from the start; PostgreSQL's begins at `begin`, and
    /// a batch that never calls it is statements that each commit by themselves (the writer's read,
    /// then its one insert: two round trips fewer).
    func writeBatch<T: Sendable>(_ body: @Sendable (any SQLDatabase, _ begin: @Sendable () async throws -> Void) async throws -> T) async throws -> T
    /// Closes connections; the engine is unusable afterwards.
    func shutdown() async
    /// Where a busy writer should run its transactions, if the engine has a preference (SQLite's one
    /// writer connection lives on its own event loop; running there avoids a thread hop per statement).
    var writeExecutor: (any TaskExecutor)? { get }
    /// How many check-in batches may be written at once (`CheckInWriter`).
    var writerLanes: Int { get }
}

extension DatabaseEngine {
    public var writeExecutor: (any TaskExecutor)? { nil }
    /// One: SQLite has one writer.
    public var writerLanes: Int { 1 }
    public func writeBatch<T: Sendable>(_ body: @Sendable (any SQLDatabase, _ begin: @Sendable () async throws -> Void) async throws -> T) async throws -> T {
        try await write { db in try await body(db, {}) }
    }
}

/// Where the data lives, parsed from `--database` / `RAVAO_DATABASE`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public struct PostgresLocation: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        /// A schema to work in; tests use one schema per test on a shared database.
        public var schema: String?
        /// Connections in the pool (`?pool=N`).
        public var maxConnections: Int = 16
        /// Check-in batches written at once (`?writers=N`), each on a connection of a pool of their own.
        /// One: with the batches on their own event loop, one writer's bigger batches beat two writers
        /// whose batches queue on the same day counters (`Benchmarks/RESULTS.md`, issue 16).
        public var writers: Int = 1
    }

    /// Accepts `sqlite:PATH`, a bare path ending in `.sqlite`/`.db`, or `postgres://user:pass@host:port/db`.
    public init(parsing text: String) throws {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw DatabaseError.badLocation("sqlite: needs a file path, e.g. sqlite:ravao.sqlite") }
            self = .sqlite(path: path)
            return
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let url = URLComponentsLite(text), let host = url.host, !host.isEmpty else {
                throw DatabaseError.badLocation("cannot read the PostgreSQL URL; expected postgres://user:pass@host:port/db")
            }
            let database = url.path.trimmingPrefix("/")
            guard !database.isEmpty, let user = url.user else {
                throw DatabaseError.badLocation("the PostgreSQL URL needs a user and a database name: postgres://user:pass@host:port/db")
            }
            var location = PostgresLocation(host: host, port: url.port ?? 5432, username: user, password: url.password,
                                            database: String(database), schema: url.query["schema"])
            if let pool = url.query["pool"] {
                guard let size = Int(pool), size > 0 else { throw DatabaseError.badLocation("pool must be a positive number") }
                location.maxConnections = size
            }
            if let text = url.query["writers"] {
                guard let writers = Int(text), writers > 0, writers <= location.maxConnections else {
                    throw DatabaseError.badLocation("writers must be a positive number no larger than the pool")
                }
                location.writers = writers
            }
            self = .postgres(location)
            return
        }
        if text.hasSuffix(".sqlite") || text.hasSuffix(".db") {
            self = .sqlite(path: text)
            return
        }
        throw DatabaseError.badLocation("unknown database '\(text)'; use sqlite:PATH or postgres://user:pass@host:port/db")
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let p): return "postgres://\(p.username)@\(p.host):\(p.port)/\(p.database)" + (p.schema.map { "?schema=\($0)" } ?? "")
        }
    }
}

public enum DatabaseError: Error, CustomStringConvertible {
    case badLocation(String)
    case migrationFailed(version: Int, underlying: String)
    case corruptRow(String)

    public var description: String {
        switch self {
        case .badLocation(let message): return message
        case .migrationFailed(let version, let underlying): return "migration \(version) failed: \(underlying)"
        case .corruptRow(let message): return "unexpected row: \(message)"
        }
    }
}

/// Opens the engine a location names.
public func openDatabase(_ location: DatabaseLocation, logger: Logger) async throws -> any DatabaseEngine {
    switch location {
    case .sqlite(let path): return try await SQLiteEngine.open(path: path, logger: logger)
    case .postgres(let p): return try await PostgresEngine.open(p, logger: logger)
    }
}

/// Just enough URL parsing for database URLs, percent-decoding user and password.
struct URLComponentsLite {
    var user: String?
    var password: String?
    var host: String?
    var port: Int?
    var path: String
    var query: [String: String]

    init?(_ text: String) {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        var rest = Substring(text[schemeEnd.upperBound...])
        query = [:]
        if let q = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { query[String(kv[0])] = String(kv[1]).removingPercentEncoding }
            }
            rest = rest[..<q]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        path = String(rest[authorityEnd...])
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            user = String(parts[0]).removingPercentEncoding
            if parts.count == 2 { password = String(parts[1]).removingPercentEncoding }
        }
        if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = p
        } else {
            host = String(authority)
        }
    }
}

import Foundation
