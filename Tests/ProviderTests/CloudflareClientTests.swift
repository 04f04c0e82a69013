import CloudflareProvider
import Emulators
import Foundation
import ProviderSupport
import Testing

/// Our Cloudflare client against the emulator, with faults on.
@Suite("Cloudflare client")
struct CloudflareClientTests {
    /// A client with immediate retries (no real waiting) and no client-side rate limit.
    static func client(port: Int, configuration: CloudflareEmulator.Configuration, pageSize: Int = 1000) -> CloudflareClient<ContinuousClock> {
        var client = CloudflareClient(
            accountID: configuration.accountID,
            zoneID: configuration.zoneID,
            token: configuration.tokens.first ?? "",
            baseURL: "http://127.0.0.1:\(port)/client/v4",
            clock: ContinuousClock(),
            limit: .init(requests: 1_000_000, per: .seconds(1)),
            retry: RetryPolicy(maximumAttempts: 4, baseDelay: .zero, maximumDelay: .zero)
        )
        client.tunnelPageSize = pageSize
        client.dnsPageSize = max(5, pageSize)
        return client
    }

    static func withEmulator<Result: Sendable>(
        _ configuration: CloudflareEmulator.Configuration = .init(),
        _ body: @Sendable (EmulatorServer, Int) async throws -> Result
    ) async throws -> Result {
        let server = try EmulatorServer(cloudflare: configuration)
        return try await LoopbackServer.withRunning(server.router()) { port in try await body(server, port) }
    }

    @Test("lists every page, creates, adopts only its own duplicates, configures and deletes")
    func tunnelLifecycle() async throws {
        try await Self.withEmulator { (server: EmulatorServer, port: Int) async throws -> Void in
            let client = Self.client(port: port, configuration: server.cloudflare!.configuration, pageSize: 3)
            for index in 0..<7 { _ = try await client.createTunnel(name: "dd-prod-web-\(index)", adoptIf: { _ in false }) }
            let listed = try await client.listTunnels()
            #expect(listed.map(\.name).sorted() == (0..<7).map { "dd-prod-web-\($0)" })
            #expect(server.journal.counts["cloudflare tunnels.list"] == 3)

            let adopted = try await client.createTunnel(name: "dd-prod-web-0", adoptIf: { $0.name.hasPrefix("dd-prod-") })
            #expect(adopted.adopted)
            await #expect(throws: ProviderError.self) {
                _ = try await client.createTunnel(name: "dd-prod-web-1", adoptIf: { _ in false })
            }

            let id = adopted.tunnel.id
            await #expect(throws: ProviderError.self) {
                _ = try await client.putConfiguration(id: id, ingress: [IngressRule(hostname: "a.example.com", service: "http://localhost:8080")])
            }
            let configured = try await client.putConfiguration(
                id: id,
                ingress: [IngressRule(hostname: "a.example.com", service: "http://localhost:8080"), IngressRule(service: "http_status:404")]
            )
            #expect(configured.version == 1)
            #expect(try await client.configuration(id: id).config?.ingress.count == 2)
            #expect(!(try await client.token(id: id)).isEmpty)

            #expect(server.cloudflare!.connect(tunnelID: id))
            #expect(try await client.tunnel(id: id).status == "healthy")
            try await client.deleteTunnel(id: id)
            #expect(server.journal.counts["cloudflare tunnels.cleanConnections"] == 1)
            #expect(try await client.tunnel(id: id).deletedAt != nil)
            #expect(try await client.listTunnels().count == 6)
        }
    }

    @Test("429 is honoured and retried; a tunnel create is repeated after a 5xx without making a twin")
    func retries() async throws {
        try await Self.withEmulator { (server: EmulatorServer, port: Int) async throws -> Void in
            let client = Self.client(port: port, configuration: server.cloudflare!.configuration)
            server.faults.add([.init(route: "tunnels.list", status: 429, count: 2, retryAfterSeconds: 0)])
            #expect(try await client.listTunnels().isEmpty)
            #expect(server.journal.counts["cloudflare tunnels.list"] == 3)

            // Tunnel names are unique, so a create is safe to repeat: after a 502 it is retried.
            server.faults.add([.init(route: "tunnels.create", status: 502, count: 1)])
            let (created, adopted) = try await client.createTunnel(name: "dd-prod-web-0", adoptIf: { _ in false })
            #expect(!adopted && server.journal.counts["cloudflare tunnels.create"] == 2)
            // A repeat that finds the first attempt's tunnel adopts it (when allowed) — never a twin.
            let (again, adoptedAgain) = try await client.createTunnel(name: "dd-prod-web-0", adoptIf: { $0.name == "dd-prod-web-0" })
            #expect(adoptedAgain && again.id == created.id)
            #expect(try await client.listTunnels().filter { $0.name == "dd-prod-web-0" }.count == 1)

            server.faults.add([.init(route: "tunnels.get", status: 503, count: 10)])
            await #expect(throws: ProviderError.self) { _ = try await client.tunnel(id: "00000000-0000-0000-0000-000000000000") }
            #expect(server.journal.counts["cloudflare tunnels.get"] == 4, "the first try and three retries")
        }
    }

    @Test("a response slower than the client's timeout is retried (GET) and the call succeeds")
    func timeouts() async throws {
        try await Self.withEmulator { (server: EmulatorServer, port: Int) async throws -> Void in
            let configuration = server.cloudflare!.configuration
            let client = CloudflareClient(
                accountID: configuration.accountID,
                zoneID: configuration.zoneID,
                token: configuration.tokens.first ?? "",
                baseURL: "http://127.0.0.1:\(port)/client/v4",
                transport: HTTPTransport(timeout: .seconds(5)),
                clock: ContinuousClock(),
                retry: RetryPolicy(maximumAttempts: 5, baseDelay: .zero, maximumDelay: .zero)
            )
            server.faults.add([.init(route: "tunnels.list", status: 0, count: 1, delayMilliseconds: 20_000)])
            // The first answer comes after 20 s, past the 5 s timeout: only a retry can succeed
            // (and a loaded machine has 5 s for it).
            #expect(try await client.listTunnels().isEmpty)
        }
    }

    @Test("a list that fails part-way is an error, never a short or empty list")
    func partialListIsAnError() async throws {
        try await Self.withEmulator { (server: EmulatorServer, port: Int) async throws -> Void in
            let client = Self.client(port: port, configuration: server.cloudflare!.configuration, pageSize: 2)
            for index in 0..<5 { _ = try await client.createTunnel(name: "t\(index)", adoptIf: { _ in false }) }
            server.faults.add([.init(route: "tunnels.list", status: 500, count: 100)])
            await #expect(throws: ProviderError.self) { _ = try await client.listTunnels() }
            server.faults.clear()
            server.faults.add([.init(route: "tunnels.list", status: 403, count: 1)])
            await #expect(throws: ProviderError.self) { _ = try await client.listTunnels() }
        }
    }

    @Test("DNS: an identical record is adopted (81057), a conflicting one is refused (81053), comments filter")
    func dnsRecords() async throws {
        try await Self.withEmulator { (server: EmulatorServer, port: Int) async throws -> Void in
            let client = Self.client(port: port, configuration: server.cloudflare!.configuration, pageSize: 5)
            let tunnelID = UUID().uuidString.lowercased()
            let comment = "managed-by=devopsdefender fleet=prod env=production"
            let (first, firstAdopted) = try await client.createTunnelCNAME(name: "app.example.com", tunnelID: tunnelID, comment: comment)
            let (again, againAdopted) = try await client.createTunnelCNAME(name: "app.example.com", tunnelID: tunnelID, comment: comment)
            #expect(first.id == again.id && !firstAdopted && againAdopted)
            _ = server.cloudflare!.seedRecord(name: "www.example.com", type: "A", content: "192.0.2.1", comment: nil)
            await #expect(throws: ProviderError.self) {
                _ = try await client.createTunnelCNAME(name: "www.example.com", tunnelID: tunnelID, comment: comment)
            }
            for index in 0..<11 { _ = try await client.createTunnelCNAME(name: "n\(index).example.com", tunnelID: tunnelID, comment: comment) }
            #expect(try await client.listDNSRecords(commentContains: "fleet=prod").count == 12)
            #expect(try await client.listDNSRecords().count == 13)
            var record = first
            record.content = "other.cfargotunnel.com"
            #expect(try await client.updateDNSRecord(record).content == "other.cfargotunnel.com")
            try await client.deleteDNSRecord(id: first.id)
            #expect(try await client.listDNSRecords(name: "app.example.com").isEmpty)
        }
    }

    @Test("eventual consistency: a new tunnel shows in lists only after the lag")
    func listLag() async throws {
        let clock = EmulatorClock(frozen: true)
        let server = try EmulatorServer(cloudflare: .init(listLag: .seconds(5)), clock: clock)
        try await LoopbackServer.withRunning(server.router()) { (port: Int) async throws -> Void in
            let client = Self.client(port: port, configuration: server.cloudflare!.configuration)
            let created = try await client.createTunnel(name: "lagging", adoptIf: { _ in false })
            #expect(try await client.listTunnels().isEmpty)
            #expect(try await client.tunnel(id: created.tunnel.id).name == "lagging")
            clock.advance(by: .seconds(5))
            #expect(try await client.listTunnels().count == 1)
        }
    }

    @Test("bad tokens are auth errors")
    func authentication() async throws {
        try await Self.withEmulator { (server: EmulatorServer, port: Int) async throws -> Void in
            var configuration = server.cloudflare!.configuration
            configuration.tokens = ["wrong"]
            let client = Self.client(port: port, configuration: configuration)
            do {
                _ = try await client.listTunnels()
                Issue.record("a wrong token was accepted")
            } catch let error as ProviderError {
                #expect(error.code == .auth)
                #expect(error.providerCode == "10000")
                #expect(!error.description.contains("wrong"))
            }
        }
    }
}
