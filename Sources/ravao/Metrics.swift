import Metrics
import Prometheus

enum Metrics {
    /// Installs the Prometheus factory process-wide (once) and returns the registry `/metrics` reads.
    static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
