import CoreMetrics
import Synchronization

/// Counters for one client: requests, errors by class, latency, retries, per operation.
/// Shared by every task using the client; read with ``snapshot()``.
///
/// Every request is also counted through swift-metrics, as
/// `devopsdefender_provider_requests_total{provider, operation, status}`, and the tightest
/// rate-limit budget as `devopsdefender_provider_rate_budget_remaining{provider}` (see
/// `docs/metrics.md`): the process's bootstrapped backend exports them.
public final class ProviderMetrics: Sendable {
    /// `devopsdefender_provider_requests_total`: HTTP requests sent (retries included).
    public static let requestsTotal = "devopsdefender_provider_requests_total"
    /// `devopsdefender_provider_rate_budget_remaining`: requests left in the tightest bucket.
    public static let rateBudgetRemaining = "devopsdefender_provider_rate_budget_remaining"
    /// The `status` label of a request that got no HTTP response.
    public static let noResponseStatus = "error"

    /// Figures for one operation.
    public struct Figures: Hashable, Sendable {
        /// HTTP requests sent (retries included).
        public var requests = 0
        /// Retries among them.
        public var retries = 0
        /// Failed calls by error class.
        public var errors: [String: Int] = [:]
        /// Total latency of the requests.
        public var totalLatency: Duration = .zero
        /// The slowest request.
        public var maximumLatency: Duration = .zero
    }

    private let figures = Mutex<[String: Figures]>([:])
    private let factory: (any MetricsFactory)?

    /// Creates empty metrics that report through `factory` (nil: the process's bootstrapped
    /// `MetricsSystem`, looked up at each report, so a client made before the bootstrap still
    /// reports to it).
    public init(factory: (any MetricsFactory)? = nil) {
        self.factory = factory
    }

    /// Counts one request that went out: `status` is the HTTP status, nil when no response came.
    func record(provider: String, operation: String, status: Int?, latency: Duration, retry: Bool) {
        self.figures.withLock { all in
            var figures = all[operation] ?? Figures()
            figures.requests += 1
            if retry { figures.retries += 1 }
            figures.totalLatency += latency
            figures.maximumLatency = max(figures.maximumLatency, latency)
            all[operation] = figures
        }
        let dimensions = [("provider", provider), ("operation", operation), ("status", status.map(String.init) ?? Self.noResponseStatus)]
        Counter(label: Self.requestsTotal, dimensions: dimensions, factory: self.factory ?? MetricsSystem.factory).increment()
    }

    func recordError(operation: String, code: ProviderError.Code) {
        self.figures.withLock { all in
            all[operation, default: Figures()].errors[code.description, default: 0] += 1
        }
    }

    /// Reports the budget left in the provider's tightest rate-limit bucket (nil: unlimited).
    /// Negative: calls are queued behind the limit.
    func recordBudget(provider: String, remaining: Double?) {
        guard let remaining else { return }
        Gauge(label: Self.rateBudgetRemaining, dimensions: [("provider", provider)], factory: self.factory ?? MetricsSystem.factory)
            .record(remaining)
    }

    /// Every operation's figures.
    public func snapshot() -> [String: Figures] { self.figures.withLock { $0 } }

    /// Requests sent across all operations.
    public var totalRequests: Int { self.snapshot().values.reduce(0) { $0 + $1.requests } }
}
