import Foundation
import Logging
import SQLKit
import Synchronization

/// Heavy reads (dashboards, tracing, scan history and its exports) on a PostgreSQL streaming replica,
/// as long as the replica is no further behind than the operator allows (`--read-max-lag`); writes,
/// and every read while the replica lags or cannot be reached, go to the primary.
///
/// Staleness is bounded, not zero: a read sent here may miss commits from the last `maxLag` seconds.
/// Only stores whose answers may be that old are built over this engine (see `Store.init`).
public final class ReplicaEngine: DatabaseEngine {
    public var kind: EngineKind { primary.kind }
    public var writerLanes: Int { primary.writerLanes }
    let primary: any DatabaseEngine
    let replica: any DatabaseEngine
    let maxLagSeconds: Double
    private let logger: Logger
    /// The last lag measured and when; the replica is asked again at most once a second.
    private let measured = Mutex<(at: ContinuousClock.Instant, lag: Double?)?>(nil)
    /// Reports each measured lag (nil: unreachable) and each read's target (true: the replica), for /metrics.
    private let onLag: @Sendable (Double?) -> Void
    private let onRead: @Sendable (Bool) -> Void

    public init(primary: any DatabaseEngine, replica: any DatabaseEngine, maxLagSeconds: Double, logger: Logger,
                onLag: @escaping @Sendable (Double?) -> Void = { _ in }, onRead: @escaping @Sendable (Bool) -> Void = { _ in }) {
        self.primary = primary
        self.replica = replica
        self.maxLagSeconds = maxLagSeconds
        self.logger = logger
        self.onLag = onLag
        self.onRead = onRead
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        if let lag = await currentLag(), lag <= maxLagSeconds {
            onRead(true)
            do {
                return try await replica.read(body)
            } catch let error where Self.isConnectionError(error) {
                // A replica that went away mid-read: forget its last reading and answer from the primary.
                measured.withLock { $0 = (ContinuousClock.now, nil) }
                logger.warning("replica read failed; reading from the primary", metadata: ["error": "\(error)"])
            }
        }
        onRead(false)
        return try await primary.read(body)
    }

    public func writeBatch<T: Sendable>(_ body: @Sendable (any SQLDatabase, _ begin: @Sendable () async throws -> Void) async throws -> T) async throws -> T {
        try await primary.writeBatch(body)
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await primary.write(body)
    }

    /// The primary and the replica are shut down by their owner.
    public func shutdown() async {}

    /// Seconds since the last transaction the replica replayed, or 0 when it has replayed everything it
    /// received (an idle primary sends nothing, and an idle replica is not behind). Asked at most once a
    /// second (every 10 s while it cannot be reached); nil when the replica cannot be asked within a second.
    func currentLag() async -> Double? {
        // An unreachable replica is asked again after 10 s, not every second: each try may cost a read a second.
        if let last = measured.withLock({ $0 }), ContinuousClock.now - last.at < (last.lag == nil ? .seconds(10) : .seconds(1)) { return last.lag }
        var lag: Double?
        let replica = self.replica
        do {
            // A replica that is down does not refuse: the pool keeps trying to connect and the lease
            // waits. A second is ample for this query on a live replica; past it, the primary answers.
            lag = try await withThrowingTaskGroup(of: Double?.self) { group in
                group.addTask {
                    try await replica.read { db in
                        try await db.raw("""
                            SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                                ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8 AS lag
                            """).first()?.decode(column: "lag", as: Double.self)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(1))
                    throw ReplicaTimeout()
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
        } catch {
            logger.warning("cannot read the replica's lag; reading from the primary", metadata: ["error": "\(error)"])
        }
        measured.withLock { $0 = (ContinuousClock.now, lag) }
        onLag(lag)
        return lag
    }

    struct ReplicaTimeout: Error, CustomStringConvertible { var description: String { "the replica did not answer within a second" } }

    static func isConnectionError(_ error: any Error) -> Bool {
        let text = String(reflecting: error)
        return text.contains("connection") || text.contains("Connection") || text.contains("closed")
    }
}
