import Foundation
import Logging
import Prometheus
import RavaoCore
import RavaoStore
import ServiceLifecycle

/// Runs the check-in projector (see `CheckInProjector`) behind the writer: a pass every `interval`
/// (a quarter of a second by default), or at once while a pass finds a full batch waiting. The queue
/// left at a graceful shutdown is applied before the database closes.
struct ProjectorService: Service {
    let projector: CheckInProjector
    let time: any TimeSource
    let logger: Logger
    let lag: Gauge
    let applied: Counter
    let interval: Duration

    init(projector: CheckInProjector, interval: Duration, time: any TimeSource, logger: Logger, metrics: PrometheusCollectorRegistry) {
        self.projector = projector
        self.interval = interval
        self.time = time
        self.logger = logger
        lag = metrics.makeGauge(name: "ravao_projector_lag_seconds", help: "How long the oldest check-in not yet in the dashboards and stays has waited")
        applied = metrics.makeCounter(name: "ravao_projector_applied_total", help: "Check-ins applied to the dashboards and stays by this instance")
        lag.set(Double(0))
    }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            var full = false
            do {
                let n = try await projector.pass()
                applied.increment(by: Int64(n))
                full = n >= projector.batchSize
                lag.set(Double(try await projector.lag(now: time.seconds())))
            } catch {
                logger.error("check-in projector pass failed", metadata: ["error": "\(LoggedError.describe(error))"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            }
            if !full { try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } }
        }
        // The HTTP server has stopped and the writer has answered its last scan: apply what is queued,
        // so a restart begins with the dashboards and stays complete.
        do {
            try await projector.catchUp()
        } catch {
            logger.error("check-in projector could not finish before shutdown; the queue is applied at the next start", metadata: ["error": "\(LoggedError.describe(error))"])
        }
    }
}
