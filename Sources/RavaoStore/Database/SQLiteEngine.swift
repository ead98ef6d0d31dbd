import Logging
import NIOCore
import NIOPosix
import SQLiteKit
import SQLiteNIO
import SQLKit

/// SQLite in WAL mode: one writer connection guarded by a lock, and a few reader connections that
/// read committed data without waiting for the writer.
public final class SQLiteEngine: DatabaseEngine {
    public let kind = EngineKind.sqlite
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    /// The writer connection's own event loop, away from the loops serving HTTP, so the group-commit
    /// writer's statements are not queued behind request handling at every await.
    private let writerLoopGroup: MultiThreadedEventLoopGroup
    /// The writer's own blocking thread: a commit waits for fsync, and on the shared pool (one thread
    /// per core) that wait took a thread the readers answering scans needed.
    private let writerThreadPool: NIOThreadPool
    public let writeExecutor: (any TaskExecutor)?
    private let nextReader = ManagedCounter()
    private let logger: Logger
    /// Copies the WAL into the database file in the background (see `checkpoints`).
    private let checkpointer: SQLiteConnection
    private let checkpointerThreadPool: NIOThreadPool
    private let checkpointing: Task<Void, Never>

    private init(writer: SQLiteConnection, writerLoopGroup: MultiThreadedEventLoopGroup, writerThreadPool: NIOThreadPool, readers: [SQLiteConnection],
                 checkpointer: SQLiteConnection, checkpointerThreadPool: NIOThreadPool, logger: Logger) {
        self.writer = writer
        self.writerLoopGroup = writerLoopGroup
        self.writerThreadPool = writerThreadPool
        self.writeExecutor = EventLoopTaskExecutor(writerLoopGroup.next())
        self.readers = readers
        self.checkpointer = checkpointer
        self.checkpointerThreadPool = checkpointerThreadPool
        self.logger = logger
        checkpointing = Task { await Self.checkpoints(checkpointer.sql(queryLogLevel: .trace), logger: logger) }
    }

    /// Left to itself, the writer copies the WAL into the database file (and fsyncs it) inside the
    /// commit that crosses 1,000 WAL pages: at a busy gate every few seconds, a commit, and so every
    /// scan waiting for it, takes tens of milliseconds longer. Here a connection of its own does it
    /// twice a second without blocking the writer or the readers (`PASSIVE`), and the writer keeps the
    /// old duty only as a backstop past 10,000 pages. Durability does not depend on it: a commit is
    /// durable once its WAL frames are fsynced.
    private static func checkpoints(_ db: any SQLDatabase, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await db.raw("PRAGMA wal_checkpoint(PASSIVE)").run()
            } catch {
                logger.warning("background WAL checkpoint failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    public static func open(path: String, readers readerCount: Int = 2, logger: Logger) async throws -> SQLiteEngine {
        let threadPool = NIOThreadPool.singleton
        let writerLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let writerThreadPool = NIOThreadPool(numberOfThreads: 1)
        writerThreadPool.start()
        let writer = try await SQLiteConnection.open(storage: .file(path: path), threadPool: writerThreadPool, logger: logger, on: writerLoopGroup.next()).get()
        let db = writer.sql(queryLogLevel: .trace)
        try await db.raw("PRAGMA journal_mode = WAL").run()
        try await configure(db)
        try await db.raw("PRAGMA wal_autocheckpoint = 10000").run()
        var readers: [SQLiteConnection] = []
        for _ in 0..<readerCount {
            let reader = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()).get()
            try await configure(reader.sql(queryLogLevel: .trace))
            readers.append(reader)
        }
        let checkpointerThreadPool = NIOThreadPool(numberOfThreads: 1)
        checkpointerThreadPool.start()
        let checkpointer = try await SQLiteConnection.open(storage: .file(path: path), threadPool: checkpointerThreadPool, logger: logger,
                                                           on: MultiThreadedEventLoopGroup.singleton.any()).get()
        try await configure(checkpointer.sql(queryLogLevel: .trace))
        return SQLiteEngine(writer: writer, writerLoopGroup: writerLoopGroup, writerThreadPool: writerThreadPool, readers: readers,
                            checkpointer: checkpointer, checkpointerThreadPool: checkpointerThreadPool, logger: logger)
    }

    private static func configure(_ db: any SQLDatabase) async throws {
        // FULL: a check-in that was answered must survive a crash or power cut, not only a clean exit.
        try await db.raw("PRAGMA synchronous = FULL").run()
        try await db.raw("PRAGMA busy_timeout = 10000").run()
        try await db.raw("PRAGMA foreign_keys = ON").run()
        // Read the file through a memory map. A coverage query for a large roster walks ~20 MB of
        // index pages, far more than the 2 MB page cache a connection keeps, and in WAL mode a
        // connection empties its cache anyway whenever another one has written (every scan), so
        // without the map each request copied those pages in again with pread (a fifth of its time).
        try await db.raw("PRAGMA mmap_size = 1073741824").run()
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let reader = readers.isEmpty ? writer : readers[nextReader.next() % readers.count]
        return try await body(reader.sql(queryLogLevel: .trace))
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let db = writer.sql(queryLogLevel: .trace)
        return try await writeLock.withLock {
            // IMMEDIATE takes the write lock at BEGIN, so a second process fails fast instead of deadlocking.
            try await db.raw("BEGIN IMMEDIATE").run()
            do {
                let value = try await body(db)
                try await db.raw("COMMIT").run()
                return value
            } catch {
                // In a cancelled task the ROLLBACK would be refused before it ran, leaving the shared
                // writer inside a transaction for every later write; it runs in a task of its own.
                await Task { try? await db.raw("ROLLBACK").run() }.value
                throw error
            }
        }
    }

    public func shutdown() async {
        checkpointing.cancel()
        await checkpointing.value
        try? await checkpointer.close()
        try? await checkpointerThreadPool.shutdownGracefully()
        for reader in readers { try? await reader.close() }
        try? await writer.close()
        try? await writerThreadPool.shutdownGracefully()
        try? await writerLoopGroup.shutdownGracefully()
    }
}

/// A thread-safe round-robin counter.
final class ManagedCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 &+= 1; return $0 & Int.max } }
}

import Synchronization

/// Runs tasks that prefer it on one NIO event loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop
    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
