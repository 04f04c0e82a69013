import CloudflareProvider
import CoreMetrics
import Emulators
import Foundation
import Prometheus
import ProviderSupport
import TestSupport
import Testing

/// The REST plumbing's request counter and rate budget against the Cloudflare emulator (real
/// HTTP on loopback), through swift-metrics into a registry of our own.
@Suite struct ProviderRequestMetricsTests {
    @Test("every request is counted by provider, operation and HTTP status; retries, failures and latency too")
    func countsRealRequests() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        let server = try EmulatorServer(cloudflare: CloudflareEmulator.Configuration())
        let configuration = try #require(server.cloudflare?.configuration)
        let sent = try await LoopbackServer.withRunning(server.router()) { port in
            let client = CloudflareClient(
                accountID: configuration.accountID,
                zoneID: configuration.zoneID,
                token: configuration.tokens.first ?? "",
                baseURL: "http://127.0.0.1:\(port)/client/v4",
                clock: ContinuousClock(),
                limit: RateLimit(requests: 100, per: .seconds(600)),
                retry: RetryPolicy(maximumAttempts: 3, baseDelay: .zero, maximumDelay: .zero)
            )
            // The client was made with the default metrics: they report to whatever factory is
            // current when each request goes out (here a task-local one, in a process the
            // bootstrapped `MetricsSystem`).
            try await withMetricsFactory(factory) {
                #expect(try await client.listTunnels().isEmpty)
                _ = try await client.createTunnel(name: "dd-production-web-0", adoptIf: { _ in false })
                server.faults.add([.init(route: "tunnels.get", status: 503, count: 10)])
                await #expect(throws: ProviderError.self) { _ = try await client.tunnel(id: "00000000-0000-0000-0000-000000000000") }
            }
            return client.rest.metrics.totalRequests
        }
        #expect(sent == 5)

        guard let python = TestEnvironment.python(for: "prometheus_client") else { return }
        let parsed = try await PrometheusText.parse(registry, python: python)
        let requests = try #require(parsed.family("devopsdefender_provider_requests"), "a counter's family drops `_total`")
        #expect(requests.type == "counter")
        #expect(requests.labelNames == ["provider", "operation", "status"])
        let name = ProviderMetrics.requestsTotal
        #expect(requests.value(name, ["provider": "cloudflare", "operation": "tunnels.list", "status": "200"]) == 1)
        #expect(requests.value(name, ["provider": "cloudflare", "operation": "tunnels.create", "status": "200"]) == 1)
        #expect(requests.value(name, ["provider": "cloudflare", "operation": "tunnels.get", "status": "503"]) == 3)
        let counted = requests.samples.filter { $0.name == name }.reduce(0) { $0 + $1.value }
        #expect(counted == Double(sent), "the exported counter and the CLI's count agree")

        // tunnels.get: the first try and two retries, then a transient failure for good.
        let retries = try #require(parsed.family("devopsdefender_provider_retries"))
        #expect(retries.type == "counter" && retries.labelNames == ["provider", "operation"])
        #expect(retries.value(ProviderMetrics.retriesTotal, ["provider": "cloudflare", "operation": "tunnels.get"]) == 2)
        #expect(retries.samples.filter { $0.name == ProviderMetrics.retriesTotal }.count == 1, "only retried operations have a series")
        let errors = try #require(parsed.family("devopsdefender_provider_errors"))
        #expect(errors.labelNames == ["provider", "operation", "class"])
        #expect(errors.value(ProviderMetrics.errorsTotal, ["provider": "cloudflare", "operation": "tunnels.get", "class": "transient"]) == 1)
        let latency = try #require(parsed.family(ProviderMetrics.requestDuration))
        #expect(latency.type == "histogram" && latency.labelNames == ["provider", "operation"])
        let timed = latency.samples.filter { $0.name == "\(ProviderMetrics.requestDuration)_count" }.reduce(0) { $0 + $1.value }
        #expect(timed == Double(sent), "every request's latency is recorded")

        let budget = try #require(parsed.family(ProviderMetrics.rateBudgetRemaining))
        #expect(budget.type == "gauge" && budget.labelNames == ["provider"])
        // A burst of 99 (100 less the 1% headroom), 5 spent; the bucket refills while the test
        // runs (4 a second at Cloudflare's limit), more on a slow machine, never past the burst.
        let remaining = try #require(budget.value(nil, ["provider": "cloudflare"]))
        #expect(remaining >= 94 && remaining <= 99, "\(remaining)")
    }

    @Test("a request without a response counts as status error, through an injected factory")
    func countsTransportErrors() async throws {
        let registry = PrometheusCollectorRegistry()
        let clock = ContinuousClock()
        // Nothing listens on port 1 of the loopback address: the connection is refused.
        let rest = RESTClient(
            configuration: .init(baseURL: "http://127.0.0.1:1", provider: "gce", retry: RetryPolicy(maximumAttempts: 1)),
            transport: HTTPTransport(timeout: .seconds(1)),
            authorization: StaticBearerToken("token"),
            limiter: RateLimiter(clock: clock),
            clock: clock,
            metrics: ProviderMetrics(factory: PrometheusMetricsFactory(registry: registry)),
            decodeError: { operation, response in
                ProviderError(.permanent, provider: "gce", operation: operation, httpStatus: response.status, message: "refused")
            }
        )
        await #expect(throws: ProviderError.self) {
            let request = RESTRequest("GET", "/compute/v1/projects/p/zones/z/instances", operation: "instances.list", rateGroup: "gce.reads")
            _ = try await rest.call(request)
        }
        #expect(rest.metrics.totalRequests == 1)
        let text = registry.emitToString()
        #expect(!text.contains("127.0.0.1") && !text.contains("token"), "no URL or credential is ever a label")
        #expect(!text.contains(ProviderMetrics.rateBudgetRemaining), "an unlimited group reports no budget")

        guard let python = TestEnvironment.python(for: "prometheus_client") else { return }
        let parsed = try await PrometheusText.parse(text, python: python)
        let requests = try #require(parsed.family("devopsdefender_provider_requests"))
        #expect(
            requests.value(ProviderMetrics.requestsTotal, ["provider": "gce", "operation": "instances.list", "status": "error"]) == 1
        )
    }
}
