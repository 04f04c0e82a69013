import CoreMetrics

/// What `POST /hooks/github` reports through swift-metrics:
/// `devopsdefender_webhook_deliveries_total{result}` (see `docs/metrics.md`). The label is one
/// of a few fixed words: never a delivery id, an event name from the request, or a signature.
public struct WebhookMetrics: Sendable {
    /// `devopsdefender_webhook_deliveries_total`: deliveries received, by how they were answered.
    public static let deliveriesTotal = "devopsdefender_webhook_deliveries_total"

    /// How a delivery was answered.
    public enum Result: String, Sendable, CaseIterable {
        /// A verified `push`: the loops were woken.
        case accepted
        /// A verified `ping`.
        case ping
        /// A verified delivery of another event.
        case ignored
        /// No secret is configured, or the signature was refused.
        case unauthorized
        /// The body was over the limit.
        case tooLarge = "too_large"
        /// A delivery id seen before.
        case replayed
        /// A verified delivery without an `X-GitHub-Delivery` id.
        case badRequest = "bad_request"
    }

    private let factory: (any MetricsFactory)?

    /// Metrics reported through `factory` (nil: the process's bootstrapped `MetricsSystem`,
    /// looked up at each report).
    public init(factory: (any MetricsFactory)? = nil) {
        self.factory = factory
    }

    /// Counts one delivery.
    func delivered(_ result: Result) {
        Counter(label: Self.deliveriesTotal, dimensions: [("result", result.rawValue)], factory: self.factory ?? MetricsSystem.factory)
            .increment()
    }
}
