import Logging
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL through PostgresNIO's pooled client; the production engine, and the one that lets
/// several app instances share one database behind a load balancer.
public final class PostgresEngine: DatabaseEngine {
    public let kind = EngineKind.postgres
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let logger: Logger

    private init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        self.runTask = Task { await client.run() }
    }

    public static func open(_ location: DatabaseLocation.PostgresLocation, logger: Logger) async throws -> PostgresEngine {
        var config = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username,
            password: location.password, database: location.database, tls: .disable)
        if let schema = location.schema {
            config.options.additionalStartupParameters = [("search_path", schema)]
        }
        config.options.maximumConnections = location.maxConnections
        let engine = PostgresEngine(client: PostgresClient(configuration: config, backgroundLogger: logger), logger: logger)
        if let schema = location.schema {
            try await engine.read { db in
                try await db.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
            }
        }
        // Fail at start-up, with the server's own message, rather than at the first request.
        try await engine.read { db in try await db.raw("SELECT 1").run() }
        return engine
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: .trace))
        }
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(connection.sql(queryLogLevel: .trace))
            }
        } catch let error as PostgresTransactionError {
            // Callers catch their own errors (e.g. a taken plate) the same way on both engines, so an
            // error thrown by `body` and cleanly rolled back surfaces as itself, not wrapped.
            if let closureError = error.closureError, error.rollbackError == nil { throw closureError }
            throw error
        }
    }

    public func shutdown() async {
        runTask.cancel()
        _ = await runTask.value
    }
}
