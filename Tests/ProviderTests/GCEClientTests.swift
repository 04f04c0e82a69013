import Emulators
import Foundation
import GCEProvider
import ProviderSupport
import Synchronization
import TestSupport
import Testing

/// Our GCE client against the emulator, with faults on.
@Suite("GCE client")
struct GCEClientTests {
    static let zone = "us-central1-a"

    static func spec(_ name: String) -> GCEInstanceSpec {
        GCEInstanceSpec(
            name: name,
            zone: Self.zone,
            machineType: "c3-standard-4",
            sourceImage: "projects/easyenclave/global/images/family/easyenclave-stable",
            diskSizeGb: 20,
            metadata: [.init(key: "ee-config", value: "{}")],
            labels: ["dd-fleet": "prod", "dd-env": "production"]
        )
    }

    /// Runs `body` with an emulator, a client authenticated through the service-account token
    /// exchange, and a test clock whose sleeps advance the emulator's clock.
    static func withClient(
        _ configuration: GCEEmulator.Configuration = .init(),
        pageSize: Int = 500,
        _ body: @Sendable (EmulatorServer, GCEClient<TestClock>, TestClock) async throws -> Void
    ) async throws {
        let emulatorClock = EmulatorClock()
        let server = try EmulatorServer(gce: configuration, clock: emulatorClock)
        let gce = try #require(server.gce)
        try await LoopbackServer.withRunning(server.router()) { (port: Int) async throws -> Void in
            let base = "http://127.0.0.1:\(port)"
            let clock = TestClock { emulatorClock.advance(by: $0) }
            let tokens = try ServiceAccountTokenProvider(
                key: ServiceAccountKey.decode(gce.serviceAccountKey(tokenURI: base + "/token").json),
                transport: HTTPTransport()
            )
            var client = GCEClient(
                project: gce.configuration.project,
                authorization: tokens,
                baseURL: base + "/compute/v1",
                clock: clock,
                retry: RetryPolicy(maximumAttempts: 4, baseDelay: .milliseconds(100), maximumDelay: .seconds(1))
            )
            client.pageSize = pageSize
            try await body(server, client, clock)
        }
    }

    @Test("service-account auth, paging, filters, aggregatedList; the token is fetched once")
    func listing() async throws {
        try await Self.withClient(pageSize: 3) { server, client, _ in
            server.gce!.seed(zone: Self.zone, names: (0..<7).map { "dd-prod-web-\($0)" }, labels: ["dd-fleet": "prod"])
            server.gce!.seed(zone: "us-central1-c", names: ["foreign-1", "foreign-2"], labels: ["team": "other"])
            let ours = try await client.listInstances(zone: Self.zone, filter: "labels.dd-fleet = prod")
            #expect(ours.count == 7)
            #expect(server.journal.counts["gce instances.list"] == 3)
            let everywhere = try await client.aggregatedInstances()
            #expect(everywhere[Self.zone]?.count == 7 && everywhere["us-central1-c"]?.count == 2)
            #expect(server.journal.counts["gce oauth.token"] == 1)
            await #expect(throws: ProviderError.self) { _ = try await client.listInstances(zone: Self.zone, filter: "labels.a = b AND name eq 'x'") }
        }
    }

    @Test("insert a TDX VM, wait until DONE; a retried insert with the same requestId makes no twin")
    func insertIsIdempotent() async throws {
        try await Self.withClient { server, client, _ in
            let first = try await client.insert(Self.spec("dd-prod-web-0"), requestID: "11111111-1111-4111-8111-111111111111")
            let again = try await client.insert(Self.spec("dd-prod-web-0"), requestID: "11111111-1111-4111-8111-111111111111")
            #expect(first.name == again.name)
            let done = try await client.waitUntilDone(first, zone: Self.zone)
            #expect(done.status == "DONE")
            let instance = try await client.instance(zone: Self.zone, name: "dd-prod-web-0")
            #expect(instance.status == "RUNNING")
            #expect(instance.confidentialInstanceConfig?.confidentialInstanceType == "TDX")
            #expect(instance.scheduling?.onHostMaintenance == "TERMINATE")
            #expect(try await client.listInstances(zone: Self.zone).count == 1)
            do {
                _ = try await client.insert(Self.spec("dd-prod-web-0"), requestID: "22222222-2222-4222-8222-222222222222")
                Issue.record("a duplicate insert succeeded")
            } catch let error as ProviderError {
                #expect(error.code == .conflict && error.providerCode == "alreadyExists")
            }
            _ = server
        }
    }

    @Test("a stockout inside a DONE operation is a failure, and the VM is gone")
    func stockout() async throws {
        try await Self.withClient { server, client, _ in
            server.faults.add([.init(route: "instances.insert.operation", status: 0, count: 1, operationError: "ZONE_RESOURCE_POOL_EXHAUSTED")])
            let operation = try await client.insert(Self.spec("dd-prod-web-1"), requestID: UUID().uuidString.lowercased())
            do {
                _ = try await client.waitUntilDone(operation, zone: Self.zone)
                Issue.record("a stockout was reported as success")
            } catch let error as ProviderError {
                #expect(error.providerCode == "ZONE_RESOURCE_POOL_EXHAUSTED")
                #expect(error.code == .transient)
                #expect(error.httpStatus == 503)
            }
            await #expect(throws: ProviderError.self) { _ = try await client.instance(zone: Self.zone, name: "dd-prod-web-1") }
        }
    }

    @Test("setLabels and setMetadata need the current fingerprint (412 otherwise)")
    func fingerprints() async throws {
        try await Self.withClient { server, client, _ in
            server.gce!.seed(zone: Self.zone, names: ["vm"], labels: ["dd-fleet": "prod"])
            let instance = try await client.instance(zone: Self.zone, name: "vm")
            do {
                _ = try await client.setLabels(zone: Self.zone, name: "vm", labels: ["dd-fleet": "prod", "x": "y"], fingerprint: "stale")
                Issue.record("a stale fingerprint was accepted")
            } catch let error as ProviderError {
                #expect(error.code == .conflict && error.httpStatus == 412)
            }
            _ = try await client.setLabels(
                zone: Self.zone,
                name: "vm",
                labels: ["dd-fleet": "prod", "x": "y"],
                fingerprint: instance.labelFingerprint ?? ""
            )
            _ = try await client.setMetadata(
                zone: Self.zone,
                name: "vm",
                items: [.init(key: "ee-config", value: "{\"v\":2}")],
                fingerprint: instance.metadata?.fingerprint ?? ""
            )
            let updated = try await client.instance(zone: Self.zone, name: "vm")
            #expect(updated.labels?["x"] == "y")
            #expect(updated.metadata?.items?.first?.value == "{\"v\":2}")
            await #expect(throws: ProviderError.self) {
                _ = try await client.setMetadata(zone: Self.zone, name: "vm", items: [], fingerprint: instance.metadata?.fingerprint ?? "")
            }
        }
    }

    @Test("429 and the per-minute quota (403 rateLimitExceeded) are waited out, honouring Retry-After")
    func quotas() async throws {
        try await Self.withClient(.init(requestsPerMinute: 3)) { server, client, clock in
            server.gce!.seed(zone: Self.zone, names: ["vm"], labels: [:])
            for _ in 0..<5 { _ = try await client.instance(zone: Self.zone, name: "vm") }
            #expect(clock.sleeps.contains { $0 >= .seconds(60) })
            #expect((server.journal.all.filter { $0.status == 403 }.count) >= 1)
            server.faults.add([.init(route: "instances.get", status: 429, count: 2, retryAfterSeconds: 2)])
            _ = try await client.instance(zone: Self.zone, name: "vm")
            #expect(clock.sleeps.suffix(2).allSatisfy { $0 >= .seconds(2) })
        }
    }

    @Test("a list that keeps failing is an error, not an empty fleet")
    func failingList() async throws {
        try await Self.withClient { server, client, _ in
            server.gce!.seed(zone: Self.zone, names: ["vm"], labels: [:])
            server.faults.add([.init(route: "instances.list", status: 503, count: 100)])
            await #expect(throws: ProviderError.self) { _ = try await client.listInstances(zone: Self.zone) }
            #expect(server.journal.counts["gce instances.list"] == 4)
        }
    }

    @Test("the metadata server provides tokens on a VM")
    func metadataServer() async throws {
        let server = try EmulatorServer(gce: .init())
        try await LoopbackServer.withRunning(server.router()) { (port: Int) async throws -> Void in
            let tokens = MetadataServerTokenProvider(host: "127.0.0.1:\(port)", transport: HTTPTransport())
            let client = GCEClient(
                project: server.gce!.configuration.project,
                authorization: tokens,
                baseURL: "http://127.0.0.1:\(port)/compute/v1",
                clock: ContinuousClock()
            )
            #expect(try await client.listInstances(zone: Self.zone).isEmpty)
            #expect(try await client.imageFromFamily(project: "easyenclave", family: "easyenclave-stable").family == "easyenclave-stable")
            #expect(server.journal.counts["gce metadata.token"] == 1)
        }
    }
}

/// The service-account token is cached and refreshed five minutes before it expires.
@Suite("GCE service-account tokens")
struct ServiceAccountTokenTests {
    @Test("one exchange per token lifetime, refreshed early")
    func refreshesEarly() async throws {
        let server = try EmulatorServer(gce: .init())
        let gce = try #require(server.gce)
        try await LoopbackServer.withRunning(server.router()) { (port: Int) async throws -> Void in
            let now = NowBox()
            let provider = try ServiceAccountTokenProvider(
                key: ServiceAccountKey.decode(gce.serviceAccountKey(tokenURI: "http://127.0.0.1:\(port)/token").json),
                transport: HTTPTransport(),
                now: { now.value }
            )
            let first = try await provider.authorization()
            now.advance(by: 50 * 60)
            #expect(try await provider.authorization() == first)
            #expect(server.journal.counts["gce oauth.token"] == 1)
            now.advance(by: 6 * 60)  // 56 minutes: within five minutes of the 3599 s expiry
            #expect(try await provider.authorization() != first)
            #expect(server.journal.counts["gce oauth.token"] == 2)
        }
    }
}

/// A settable wall clock for token expiry.
final class NowBox: Sendable {
    private let current = Mutex(Date())
    var value: Date { self.current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { self.current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
