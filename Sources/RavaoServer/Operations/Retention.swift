import Foundation
import Logging
import RavaoCore
import RavaoStore
import ServiceLifecycle

/// P4 (trust rule 9): once a night, personal rows older than the retention period leave the database,
/// except those an open tracing case holds. Several instances may run this; the first to claim the
/// night in `settings` does the work.
public struct Retention: Sendable {
    let store: Store
    let days: Int
    let logger: Logger

    public init(store: Store, days: Int, logger: Logger) { self.store = store; self.days = days; self.logger = logger }

    /// Deletes now what is older than the retention period, and logs what went.
    @discardableResult
    public func purge(now: Int64) async throws -> RetentionStore.Counts {
        let cutoff = now - Int64(days) * 86_400
        let counts = try await store.retention.purge(before: cutoff)
        var metadata: Logger.Metadata = ["retentionDays": "\(days)", "before": "\(ISOTime.string(cutoff))"]
        for (table, rows) in counts { metadata[table] = "\(rows)" }
        logger.notice("retention purge", metadata: metadata)
        return counts
    }
}

/// Runs the purge each night after 02:00 Vietnam time.
struct RetentionService: Service {
    let services: AppServices

    func run() async throws {
        // A service that returns shuts the whole group down: without a purge, just wait for the end.
        guard let days = services.configuration.retentionDays else { try? await gracefulShutdown(); return }
        let retention = Retention(store: services.store, days: days, logger: services.logger)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let now = services.time.seconds()
                let local = now + 25_200
                let day = local / 86_400
                if local % 86_400 >= 2 * 3600, try await services.store.settings.claim("retention_day", value: day) {
                    try await retention.purge(now: now)
                }
            } catch {
                services.logger.error("retention purge failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(600)) }
        }
    }
}

/// PostgreSQL: keeps the day partitions of check-ins and their rollups (`DayPartitions`) a week ahead,
/// from yesterday (a late scan after midnight), at start and then every hour; several instances may
/// run it at once. A scan outside them lands in the default partition, and the day's partition, when
/// made, takes those rows over. Nothing to do on SQLite.
struct PartitionService: Service {
    let services: AppServices

    func run() async throws {
        guard services.store.engine.kind == .postgres else { try? await gracefulShutdown(); return }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let today = DayPartitions.day(of: services.time.seconds())
                let made = try await DayPartitions.ensure(services.store.engine, fromDay: today - 1, toDay: today + DayPartitions.daysAhead)
                if made > 0 { services.logger.info("day partitions created", metadata: ["count": "\(made)"]) }
            } catch {
                services.logger.error("creating day partitions failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
