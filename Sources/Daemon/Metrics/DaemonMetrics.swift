import CoreMetrics
import Reconciler

/// What the reconcile loop reports through swift-metrics (names and labels: `docs/metrics.md`).
/// Labels hold only bounded values: the environment's name, a pass's result word, a resource
/// kind and an operation — never a revision, an id or a URL.
public struct DaemonMetrics: Sendable {
    /// `devopsdefender_reconcile_duration_seconds{environment, result}`: a timer per pass.
    public static let reconcileDuration = "devopsdefender_reconcile_duration_seconds"
    /// `devopsdefender_commit_to_converged_seconds{environment}`: from a revision's commit (its
    /// committer timestamp; for a plain file, its acceptance) to the first pass that converges at it.
    public static let commitToConverged = "devopsdefender_commit_to_converged_seconds"
    /// `devopsdefender_drift_objects{environment, kind, operation}`: the last plan's actions.
    public static let driftObjects = "devopsdefender_drift_objects"
    /// `devopsdefender_source_last_success_timestamp_seconds{environment}`: the last good read.
    public static let sourceLastSuccess = "devopsdefender_source_last_success_timestamp_seconds"

    /// Histogram buckets suited to a pass (a backend's defaults stop at 10 s; a pass that
    /// creates VMs takes minutes).
    public static let reconcileDurationBuckets: [Duration] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]
        .map { Duration.milliseconds(Int64($0 * 1000)) }
    /// Histogram buckets suited to a commit's way to convergence (one or more passes, each
    /// perhaps waiting on the resync timer or a backoff).
    public static let commitToConvergedBuckets: [Duration] = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200]
        .map { Duration.seconds($0) }

    private let factory: (any MetricsFactory)?

    /// Metrics reported through `factory` (nil: the process's bootstrapped `MetricsSystem`,
    /// looked up at each report).
    public init(factory: (any MetricsFactory)? = nil) {
        self.factory = factory
    }

    private var resolved: any MetricsFactory { self.factory ?? MetricsSystem.factory }

    /// A pass ended with `result` (`converged`, `applied`, `failed`, `refused`, `unreadable`,
    /// `error`) after `duration`.
    func passFinished(environment: String, result: String, duration: Duration) {
        CoreMetrics.Timer(label: Self.reconcileDuration, dimensions: [("environment", environment), ("result", result)], factory: self.resolved)
            .recordNanoseconds(Self.nanoseconds(duration))
    }

    /// The first pass converged at a revision committed (or accepted) `duration` ago.
    func converged(environment: String, after duration: Duration) {
        CoreMetrics.Timer(label: Self.commitToConverged, dimensions: [("environment", environment)], factory: self.resolved)
            .recordNanoseconds(Self.nanoseconds(duration))
    }

    /// Sets the drift gauges from a pass's plan: one series per resource kind and operation,
    /// zeros included, so a kind that stopped drifting reads 0 rather than its last count.
    func drift(environment: String, plan: Plan) {
        var counts: [PlanAction.Resource: [PlanAction.Operation: Int]] = [:]
        for action in plan.actions { counts[action.resource, default: [:]][action.operation, default: 0] += 1 }
        for kind in PlanAction.Resource.allCases {
            for operation in PlanAction.Operation.allCases {
                let dimensions = [("environment", environment), ("kind", kind.rawValue), ("operation", operation.rawValue)]
                Gauge(label: Self.driftObjects, dimensions: dimensions, factory: self.resolved).record(counts[kind]?[operation] ?? 0)
            }
        }
    }

    /// The source was read successfully at `now` (seconds since 1970).
    func sourceRead(environment: String, now: Int64) {
        Gauge(label: Self.sourceLastSuccess, dimensions: [("environment", environment)], factory: self.resolved).record(now)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
