import Daemon
import Metrics
import Prometheus
import Synchronization

/// Bootstraps `swift-metrics` once per process, from the entry point, with a Prometheus backend:
/// every library's counters, gauges and timers land in one registry, which the control plane
/// serves at `GET /metrics` (names and labels: `docs/metrics.md`).
enum MetricsBootstrap {
    /// The registry installed by the first ``bootstrap()``.
    private static let installed = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Creates the registry and installs it as the process's metrics backend; a later call
    /// returns the same registry (`MetricsSystem.bootstrap` may run only once per process).
    /// Call it before the clients and loops are made, and pass the registry to
    /// `ControlPlaneServer(…, metrics:)`.
    @discardableResult
    static func bootstrap() -> PrometheusCollectorRegistry {
        Self.installed.withLock { installed in
            if let installed { return installed }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(Self.factory(registry: registry))
            installed = registry
            return registry
        }
    }

    /// The factory over `registry`, with histogram buckets fit for passes and convergence
    /// (the backend's defaults stop at 10 s).
    static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[DaemonMetrics.reconcileDuration] = DaemonMetrics.reconcileDurationBuckets
        factory.durationHistogramBuckets[DaemonMetrics.commitToConverged] = DaemonMetrics.commitToConvergedBuckets
        return factory
    }
}
