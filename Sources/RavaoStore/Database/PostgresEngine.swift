import Logging
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// PostgreSQL through PostgresNIO's pooled client; the production engine, and the one that lets
/// several app instances share one database behind a load balancer.
public final class PostgresEngine: DatabaseEngine {
    public let kind = EngineKind.postgres
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    /// The check-in writer's batches have a pool of their own (`writers` connections) on an event loop
    /// of their own. A batch is a string of round trips, each answered only when its event loop gets
    /// to it: on the loops that also parse and answer every HTTP request, the batches waited behind
    /// them, and the database sat "idle in transaction" most of the time (issue 16). The writer's
    /// drain loop runs on the same loop (`writeExecutor`), as SQLite's writer does on its own. Other
    /// writes (the projector's passes among them) stay on the shared pool: on the batches' loop they
    /// queued behind the batches, and the projector fell 5 s behind at 256 connections.
    private let writeClient: PostgresClient
    private let writeRunTask: Task<Void, Never>
    private let writerLoops: MultiThreadedEventLoopGroup
    public let writeExecutor: (any TaskExecutor)?
    private let logger: Logger
    /// Where `listen` opens its own connection: the pool's connections come and go, a listener must not.
    private let connectionConfiguration: PostgresConnection.Configuration
    /// The channel instances of this database (and schema) tell each other about changes on.
    public let eventChannel: String
    public let writerLanes: Int

    private init(client: PostgresClient, writeClient: PostgresClient, writerLoops: MultiThreadedEventLoopGroup,
                 connectionConfiguration: PostgresConnection.Configuration, eventChannel: String, writerLanes: Int, logger: Logger) {
        self.client = client
        self.writeClient = writeClient
        self.writerLoops = writerLoops
        self.writeExecutor = EventLoopTaskExecutor(writerLoops.next())
        self.writeRunTask = Task { await writeClient.run() }
        self.writerLanes = writerLanes
        self.connectionConfiguration = connectionConfiguration
        self.eventChannel = eventChannel
        self.logger = logger
        self.runTask = Task { await client.run() }
    }

    /// `readOnly` (a streaming replica) skips creating the schema, which a replica refuses, and does not
    /// insist that the server answers now.
    public static func open(_ location: DatabaseLocation.PostgresLocation, readOnly: Bool = false, logger: Logger) async throws -> PostgresEngine {
        var config = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username,
            password: location.password, database: location.database, tls: .disable)
        if let schema = location.schema {
            config.options.additionalStartupParameters = [("search_path", schema)]
        }
        config.options.maximumConnections = location.maxConnections
        var writeConfig = config
        // The batches' statements are all lookups by key, and two are prepared (CheckInWriter): the
        // plan PostgreSQL keeps for them is made after a few batches, when a new database's tables are
        // tiny, and kept as they grow until autovacuum's next ANALYZE. Made on 30 people, the prepared
        // read scanned the whole `people` table twice a batch (EXPLAIN). The writer's connections
        // therefore plan with indexes whatever the tables' size.
        writeConfig.options.additionalStartupParameters.append(("enable_seqscan", "off"))
        writeConfig.options.maximumConnections = location.writers
        writeConfig.options.minimumConnections = 0
        let writerLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var single = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username,
            password: location.password, database: location.database, tls: .disable)
        single.options.additionalStartupParameters = config.options.additionalStartupParameters
        // Test schemas share one database; each schema is its own deployment and hears only its own news.
        let channel = "ravao_events" + (location.schema.map { "_" + $0 } ?? "")
        let engine = PostgresEngine(client: PostgresClient(configuration: config, backgroundLogger: logger),
                                    writeClient: PostgresClient(configuration: writeConfig, eventLoopGroup: writerLoops, backgroundLogger: logger),
                                    writerLoops: writerLoops, connectionConfiguration: single, eventChannel: String(channel.prefix(63)),
                                    writerLanes: location.writers, logger: logger)
        if let schema = location.schema, !readOnly {
            try await engine.read { db in
                try await db.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
            }
        }
        // Fail at start-up, with the server's own message, rather than at the first request. A replica
        // that is down at start is not fatal: its reads go to the primary until it answers.
        if !readOnly { try await engine.read { db in try await db.raw("SELECT 1").run() } }
        return engine
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(PostgresConnectionSQL(connection: connection, logger: logger))
        }
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(PostgresConnectionSQL(connection: connection, logger: logger))
            }
        } catch let error as PostgresTransactionError {
            // Callers catch their own errors (e.g. a taken plate) the same way on both engines, so an
            // error thrown by `body` and cleanly rolled back surfaces as itself, not wrapped.
            if let closureError = error.closureError, error.rollbackError == nil { throw closureError }
            throw error
        }
    }

    public func writeBatch<T: Sendable>(_ body: @Sendable (any SQLDatabase, _ begin: @Sendable () async throws -> Void) async throws -> T) async throws -> T {
        try await writeClient.withConnection { connection in
            let db = PostgresConnectionSQL(connection: connection, logger: logger)
            let begun = Begun()
            do {
                let result = try await body(db) {
                    try await db.raw("BEGIN").run()
                    begun.flag.withLock { $0 = true }
                }
                if begun.flag.withLock({ $0 }) { try await db.raw("COMMIT").run() }
                return result
            } catch {
                // The connection goes back to the pool: it must not stay in a failed transaction.
                if begun.flag.withLock({ $0 }) { try? await db.raw("ROLLBACK").run() }
                throw error
            }
        }
    }

    // MARK: Events between instances (LISTEN/NOTIFY)

    /// Sends each payload to every instance listening on `eventChannel` (this one included). A payload
    /// must stay under PostgreSQL's 8,000 bytes; NOTIFY outside a transaction is delivered at once.
    public func notify(_ payloads: [String]) async throws {
        guard !payloads.isEmpty else { return }
        try await client.withConnection { connection in
            for payload in payloads {
                try await connection.query("SELECT pg_notify(\(eventChannel), \(payload))", logger: logger)
            }
        }
    }

    /// Listens on `eventChannel` over a connection of its own until the task is cancelled or the
    /// connection fails (then it throws: the caller reconnects and must assume it missed news).
    /// `ready` runs once the server has confirmed the LISTEN.
    public func listen(ready: @Sendable () -> Void, onMessage: @Sendable (String) -> Void) async throws {
        let connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
        do {
            try await connection.listen(on: eventChannel) { notifications in
                ready()
                for try await notification in notifications { onMessage(notification.payload) }
            }
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    public func shutdown() async {
        runTask.cancel()
        writeRunTask.cancel()
        _ = await runTask.value
        _ = await writeRunTask.value
        try? await writerLoops.shutdownGracefully()
    }
}

/// Whether a check-in batch has begun its transaction (`PostgresEngine.writeBatch`).
private final class Begun: Sendable {
    let flag = Mutex(false)
}

/// PostgresKit's SQL database over one connection, with the connection at hand for what SQLKit cannot
/// say: a prepared statement (see `CheckInWriter.Known`), whose plan PostgreSQL keeps.
struct PostgresConnectionSQL: SQLDatabase {
    let connection: PostgresConnection
    let base: any SQLDatabase
    let connectionLogger: Logger

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        base = connection.sql(queryLogLevel: .trace)
        connectionLogger = logger
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    /// PostgresKit's execute with PostgresNIO's own binds and rows where it can: every statement's
    /// binds went through PostgresKit's Codable translation and every cell through its decoder (a
    /// coding path, dynamic casts and a few arrays a cell), ~9 % of the server's CPU under scans (perf,
    /// issue 16). Binds of other types than `FastPostgres` knows go the PostgresKit way, whole.
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, binds) = serialize(query)
        guard let bindings = FastPostgres.bindings(binds) else { return try await base.execute(sql: query, onRow) }
        var columns: FastPostgres.Columns?
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: connectionLogger) {
            let known = columns ?? FastPostgres.Columns(row)
            columns = known
            onRow(FastPostgres.Row(row: row, columns: known))
        }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    /// Runs `statement`, prepared once per connection, and returns its rows.
    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        var rows: [Statement.Row] = []
        for try await row in try await connection.execute(statement, logger: connectionLogger) { rows.append(row) }
        return rows
    }
}
