import CoreMetrics
import Synchronization

/// What one client's requests report through swift-metrics (names and labels:
/// `docs/metrics.md`): requests by operation and status, retries, failures by class, latency, and
/// the tightest rate-limit budget. The process's bootstrapped backend exports them; the request
/// count is also kept here, for a command's "API calls" line.
public final class ProviderMetrics: Sendable {
    /// `devopsdefender_provider_requests_total`: HTTP requests sent (retries included).
    public static let requestsTotal = "devopsdefender_provider_requests_total"
    /// `devopsdefender_provider_retries_total`: requests that were retries of a failed one.
    public static let retriesTotal = "devopsdefender_provider_retries_total"
    /// `devopsdefender_provider_errors_total`: calls that failed for good, by error class.
    public static let errorsTotal = "devopsdefender_provider_errors_total"
    /// `devopsdefender_provider_request_duration_seconds`: each request's latency.
    public static let requestDuration = "devopsdefender_provider_request_duration_seconds"
    /// `devopsdefender_provider_rate_budget_remaining`: requests left in the tightest bucket.
    public static let rateBudgetRemaining = "devopsdefender_provider_rate_budget_remaining"
    /// The `status` label of a request that got no HTTP response.
    public static let noResponseStatus = "error"

    private let requests = Atomic<Int>(0)
    private let factory: (any MetricsFactory)?

    /// Creates metrics that report through `factory` (nil: the process's bootstrapped
    /// `MetricsSystem`, looked up at each report, so a client made before the bootstrap still
    /// reports to it).
    public init(factory: (any MetricsFactory)? = nil) {
        self.factory = factory
    }

    private var resolved: any MetricsFactory { self.factory ?? MetricsSystem.factory }

    /// Counts one request that went out: `status` is the HTTP status, nil when no response came.
    func record(provider: String, operation: String, status: Int?, latency: Duration, retry: Bool) {
        self.requests.add(1, ordering: .relaxed)
        let status = status.map(String.init) ?? Self.noResponseStatus
        let dimensions = [("provider", provider), ("operation", operation)]
        Counter(label: Self.requestsTotal, dimensions: dimensions + [("status", status)], factory: self.resolved).increment()
        if retry { Counter(label: Self.retriesTotal, dimensions: dimensions, factory: self.resolved).increment() }
        let nanoseconds = latency.components.seconds * 1_000_000_000 + latency.components.attoseconds / 1_000_000_000
        CoreMetrics.Timer(label: Self.requestDuration, dimensions: dimensions, factory: self.resolved).recordNanoseconds(nanoseconds)
    }

    /// Counts a call that failed for good with an error of class `code`.
    func recordError(provider: String, operation: String, code: ProviderError.Code) {
        let dimensions = [("provider", provider), ("operation", operation), ("class", code.description)]
        Counter(label: Self.errorsTotal, dimensions: dimensions, factory: self.resolved).increment()
    }

    /// Reports the budget left in the provider's tightest rate-limit bucket (nil: unlimited).
    /// Negative: calls are queued behind the limit.
    func recordBudget(provider: String, remaining: Double?) {
        guard let remaining else { return }
        Gauge(label: Self.rateBudgetRemaining, dimensions: [("provider", provider)], factory: self.resolved).record(remaining)
    }

    /// Requests sent across all operations: the sum of this client's
    /// `devopsdefender_provider_requests_total` series.
    public var totalRequests: Int { self.requests.load(ordering: .relaxed) }
}
