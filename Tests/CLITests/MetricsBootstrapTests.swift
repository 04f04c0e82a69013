import Daemon
import Metrics
import Prometheus
import Testing

@testable import CLI

/// The process's one metrics bootstrap. It changes process-wide state, so this is the only test
/// that calls it; every other metrics test injects a registry of its own.
@Suite struct MetricsBootstrapTests {
    @Test("bootstrap installs one Prometheus registry per process, with the daemon's histogram buckets")
    func bootstrapOnce() {
        let registry = MetricsBootstrap.bootstrap()
        #expect(MetricsBootstrap.bootstrap() === registry, "a second call returns the installed registry")
        Metrics.Timer(label: DaemonMetrics.reconcileDuration, dimensions: [("environment", "bootstrap-test"), ("result", "converged")])
            .recordSeconds(42)
        let text = registry.emitToString()
        #expect(text.contains("# TYPE \(DaemonMetrics.reconcileDuration) histogram"))
        #expect(text.contains(#"environment="bootstrap-test",result="converged",le="60.0"} 1"#))
        #expect(text.contains(#"environment="bootstrap-test",result="converged",le="30.0"} 0"#))
    }
}
