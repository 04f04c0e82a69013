import Synchronization

/// Counters for one client: requests, errors by class, latency, retries, per operation.
/// Shared by every task using the client; read with ``snapshot()``.
public final class ProviderMetrics: Sendable {
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

    /// Creates empty metrics.
    public init() {}

    func record(operation: String, latency: Duration, retry: Bool) {
        self.figures.withLock { all in
            var figures = all[operation] ?? Figures()
            figures.requests += 1
            if retry { figures.retries += 1 }
            figures.totalLatency += latency
            figures.maximumLatency = max(figures.maximumLatency, latency)
            all[operation] = figures
        }
    }

    func recordError(operation: String, code: ProviderError.Code) {
        self.figures.withLock { all in
            all[operation, default: Figures()].errors[code.description, default: 0] += 1
        }
    }

    /// Every operation's figures.
    public func snapshot() -> [String: Figures] { self.figures.withLock { $0 } }

    /// Requests sent across all operations.
    public var totalRequests: Int { self.snapshot().values.reduce(0) { $0 + $1.requests } }
}
