import ControlPlane
import Crypto
import Emulators
import Foundation
import Logging
import Prometheus
import ProviderSupport
import SourceVerification
import TestSupport
import Testing

/// `GET /metrics` on a running control plane, and the webhook counter it shows, read back by
/// `prometheus_client`.
@Suite struct MetricsRouteTests {
    static let secret = "webhook-secret"

    /// A control plane on a free loopback port, with the daemon's routes (no environments) and
    /// `registry` behind `GET /metrics`.
    static func withServer<Result: Sendable>(
        metrics registry: PrometheusCollectorRegistry?,
        _ body: @Sendable (String) async throws -> Result
    ) async throws -> Result {
        let logger = Logger(label: "test.metrics") { _ in SwiftLogNoOpLogHandler() }
        let routes = DaemonRoutes(
            environments: [],
            source: nil,
            webhook: WebhookSignatureVerifier(secret: Self.secret),
            adminToken: nil,
            now: { 1_700_000_000 },
            metrics: WebhookMetrics(factory: registry.map { PrometheusMetricsFactory(registry: $0) })
        )
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = ControlPlaneServer(
            slot: RegistrationSlot<ContinuousClock>(),
            logger: logger,
            configuration: .init(host: "127.0.0.1", port: 0),
            daemon: routes,
            metrics: registry
        ) { port in
            continuation.yield(port)
            continuation.finish()
        }
        return try await LoopbackServer.withRunning(service: server, ports: ports, logger: logger) { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }

    /// Sends a delivery: signed with the secret unless `signature` is given.
    static func deliver(
        _ base: String,
        event: String,
        delivery: String?,
        body: [UInt8] = Array(#"{"ref":"refs/heads/main"}"#.utf8),
        signature: String? = nil
    ) async throws -> Int {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(Self.secret.utf8)))
        var headers = [
            ("X-GitHub-Event", event),
            ("X-Hub-Signature-256", signature ?? "sha256=" + mac.map { String(format: "%02x", $0) }.joined()),
            ("Content-Type", "application/json"),
        ]
        if let delivery { headers.append(("X-GitHub-Delivery", delivery)) }
        return try await HTTPTransport().send(method: "POST", url: base + "/hooks/github", headers: headers, body: body).status
    }

    @Test("GET /metrics serves the text format, and every webhook answer is counted under a bounded result")
    func webhookDeliveries() async throws {
        let registry = PrometheusCollectorRegistry()
        let delivery = "5f1c2d3e-0000-4000-8000-000000000001"
        let (response, statuses) = try await Self.withServer(metrics: registry) { base in
            let statuses = [
                try await Self.deliver(base, event: "push", delivery: delivery),
                try await Self.deliver(base, event: "push", delivery: delivery),
                try await Self.deliver(base, event: "ping", delivery: "ping-1"),
                try await Self.deliver(base, event: "issues", delivery: "issues-1"),
                try await Self.deliver(base, event: "push", delivery: "forged-1", signature: "sha256=" + String(repeating: "0", count: 64)),
                try await Self.deliver(base, event: "push", delivery: nil),
                try await Self.deliver(base, event: "push", delivery: "big-1", body: Array(repeating: 0x20, count: (1 << 20) + 1)),
            ]
            return (try await HTTPTransport().send(method: "GET", url: base + "/metrics"), statuses)
        }
        #expect(statuses == [202, 409, 200, 202, 401, 400, 413])
        #expect(response.status == 200)
        #expect(response.headers.first { $0.0.lowercased() == "content-type" }?.1 == "text/plain; version=0.0.4; charset=utf-8")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(!text.contains(delivery) && !text.contains(Self.secret), "no delivery id or secret is ever a label")

        guard let python = TestEnvironment.python(for: "prometheus_client") else { return }
        let parsed = try await PrometheusText.parse(text, python: python)
        let deliveries = try #require(parsed.family("devopsdefender_webhook_deliveries"))
        #expect(deliveries.type == "counter" && deliveries.labelNames == ["result"])
        var counts: [String: Double] = [:]
        for sample in deliveries.samples where sample.name == WebhookMetrics.deliveriesTotal {
            counts[sample.labels["result"] ?? "", default: 0] += sample.value
        }
        #expect(
            counts == [
                "accepted": 1, "replayed": 1, "ping": 1, "ignored": 1, "unauthorized": 1, "bad_request": 1, "too_large": 1,
            ]
        )
        #expect(Set(counts.keys).isSubset(of: Set(WebhookMetrics.Result.allCases.map(\.rawValue))))
    }

    @Test("without a registry, GET /metrics is 404")
    func disabled() async throws {
        let status = try await Self.withServer(metrics: nil) { base in
            try await HTTPTransport().send(method: "GET", url: base + "/metrics").status
        }
        #expect(status == 404)
    }
}
