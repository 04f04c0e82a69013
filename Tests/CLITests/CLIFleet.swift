import CloudflareProvider
import Emulators
import Foundation
import GCEProvider
import ProviderSupport
import Reconciler
import Testing

/// In-process emulators for the real binary: the environment that points `plan` and `apply`
/// at them, and clients to inspect or disturb them behind the reconciler's back.
struct CLIFleet: Sendable {
    var server: EmulatorServer
    var environment: [String: String]
    var directory: URL
    var gce: GCEClient<ContinuousClock>
    var cloudflare: CloudflareClient<ContinuousClock>

    /// Runs `body` against fresh emulators; the Cloudflare emulator accepts `cloudflareTokens`
    /// (the first is `DD_CF_API_TOKEN`); Cloudflare's edge runs in front of them
    /// (`DD_EDGE_ENDPOINT`). With `pccs`, the server also serves that PCCS, and `DD_PCCS_URL`
    /// names it.
    static func with(
        cloudflareTokens: [String] = ["dd-emulator-cloudflare-token"],
        pccs: PCCSEmulator? = nil,
        _ body: @Sendable (CLIFleet) async throws -> Void
    ) async throws {
        let server = try EmulatorServer(cloudflare: .init(tokens: Set(cloudflareTokens)), gce: .init(project: "dd-prod"), pccs: pccs)
        let gceEmulator = try #require(server.gce)
        let cloudflareEmulator = try #require(server.cloudflare)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-cli-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await LoopbackServer.withRunning(server.router()) { (port: Int) async throws -> Void in
            try await CloudflareEdge.withRunning(emulator: cloudflareEmulator) { edgePort in
                let base = "http://127.0.0.1:\(port)"
                let key = gceEmulator.serviceAccountKey(tokenURI: base + "/token")
                let keyFile = directory.appendingPathComponent("key.json")
                try JSONEncoder().encode(key).write(to: keyFile)
                let token = cloudflareTokens.first ?? ""
                let fleet = CLIFleet(
                    server: server,
                    environment: [
                        "DD_GCE_ENDPOINT": base + "/compute/v1",
                        "DD_CLOUDFLARE_ENDPOINT": base + "/client/v4",
                        "DD_GCE_CREDENTIALS": keyFile.path,
                        "DD_CF_API_TOKEN": token,
                        // `plan` reads the variable the fleet file names only when the operator allows it.
                        "DD_SECRET_ENV_ALLOW": "DD_CF_API_TOKEN",
                        "DD_JOURNAL": directory.appendingPathComponent("journal.sqlite3").path,
                        "DD_EDGE_ENDPOINT": "http://127.0.0.1:\(edgePort)",
                    ].merging(pccs == nil ? [:] : ["DD_PCCS_URL": base]) { first, _ in first },
                    directory: directory,
                    gce: GCEClient(
                        project: "dd-prod",
                        authorization: try ServiceAccountTokenProvider(key: ServiceAccountKey.decode(key.json), transport: HTTPTransport()),
                        baseURL: base + "/compute/v1",
                        clock: ContinuousClock()
                    ),
                    cloudflare: CloudflareClient(
                        accountID: cloudflareEmulator.configuration.accountID,
                        zoneID: cloudflareEmulator.configuration.zoneID,
                        token: token,
                        baseURL: base + "/client/v4",
                        clock: ContinuousClock()
                    )
                )
                try await body(fleet)
            }
        }
    }

    /// Runs the binary against the emulators.
    func run(_ arguments: [String], extra: [String: String] = [:]) async throws -> CLITests.Run {
        try await CLITests.runOffPool(arguments, environment: self.environment.merging(extra) { _, new in new })
    }

    /// Every VM, live tunnel and DNS record name, unfiltered.
    func inventory() async throws -> (vms: [String], tunnels: [String], records: [String]) {
        let vms = try await self.gce.aggregatedInstances().values.flatMap { $0.map(\.name) }
        return (vms, try await self.cloudflare.listTunnels().map(\.name), try await self.cloudflare.listDNSRecords().map(\.name))
    }

    func seedForeignObjects() {
        self.server.gce?.seed(zone: "us-central1-a", names: ["acme-production-web-0-12345678"], labels: ["dd-fleet": "acme"])
        self.server.gce?.seed(zone: "us-central1-c", names: ["hand-made-vm"], labels: [:])
        _ = self.server.cloudflare?.seedTunnels(names: ["acme-production-cp-12345678"])
        _ = self.server.cloudflare?.seedRecord(name: "status.devopsdefender.com", type: "A", content: "192.0.2.1", comment: nil)
    }

    static let foreignNames = ["acme-production-web-0-12345678", "hand-made-vm", "acme-production-cp-12345678", "status.devopsdefender.com"]
}
