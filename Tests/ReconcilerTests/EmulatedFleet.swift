import CloudflareProvider
import Emulators
import Foundation
import GCEProvider
import ProviderSupport
import Reconciler
import Spec
import TestSupport

/// The reconciler wired to in-process GCE and Cloudflare emulators, with a test clock whose
/// sleeps (retries, rate limits, stockout pauses) cost no real time and advance the emulators'.
struct EmulatedFleet: Sendable {
    var server: EmulatorServer
    var emulatorClock: EmulatorClock
    var clock: TestClock
    var gce: GCEClient<TestClock>
    var cloudflare: CloudflareClient<TestClock>
    var journal: MemoryJournal

    var compute: GCEComputeAdapter<TestClock> { GCEComputeAdapter(client: self.gce) }
    var edge: CloudflareFleetAdapter<TestClock> { CloudflareFleetAdapter(client: self.cloudflare) }

    /// Runs `body` with emulators serving on a loopback port.
    static func with(
        gce gceConfiguration: GCEEmulator.Configuration = .init(project: "dd-prod"),
        cloudflare cloudflareConfiguration: CloudflareEmulator.Configuration = .init(),
        timeout: Duration = .seconds(30),
        _ body: @Sendable (EmulatedFleet) async throws -> Void
    ) async throws {
        let emulatorClock = EmulatorClock()
        let server = try EmulatorServer(cloudflare: cloudflareConfiguration, gce: gceConfiguration, clock: emulatorClock)
        guard let gceEmulator = server.gce, let cloudflareEmulator = server.cloudflare else { return }
        try await LoopbackServer.withRunning(server.router()) { (port: Int) async throws -> Void in
            let base = "http://127.0.0.1:\(port)"
            let clock = TestClock { emulatorClock.advance(by: $0) }
            let transport = HTTPTransport(timeout: timeout)
            let tokens = try ServiceAccountTokenProvider(
                key: ServiceAccountKey.decode(gceEmulator.serviceAccountKey(tokenURI: base + "/token").json),
                transport: transport
            )
            let retry = RetryPolicy(maximumAttempts: 6, baseDelay: .milliseconds(200), maximumDelay: .seconds(5))
            let fleet = EmulatedFleet(
                server: server,
                emulatorClock: emulatorClock,
                clock: clock,
                gce: GCEClient(
                    project: gceEmulator.configuration.project,
                    authorization: tokens,
                    baseURL: base + "/compute/v1",
                    transport: transport,
                    clock: clock,
                    retry: retry
                ),
                cloudflare: CloudflareClient(
                    accountID: cloudflareEmulator.configuration.accountID,
                    zoneID: cloudflareEmulator.configuration.zoneID,
                    token: cloudflareEmulator.configuration.tokens.first ?? "",
                    baseURL: base + "/client/v4",
                    transport: transport,
                    clock: clock,
                    retry: retry
                ),
                journal: MemoryJournal()
            )
            try await body(fleet)
        }
    }

    /// Observes the fleet the way `plan` does.
    func observe(_ desired: DesiredState) async -> ObservedState {
        let observer = Observer(compute: self.compute, tunnels: self.edge, dns: self.edge)
        return await observer.observe(
            marks: PlannerFixture.marks,
            ingressFor: Set(desired.environments.flatMap { $0.tunnels.map(\.name) }),
            now: PlannerFixture.now
        )
    }

    /// Observe, plan, apply once.
    func converge(_ desired: DesiredState, configure: (inout PlannerOptions) -> Void = { _ in }) async -> (Plan, ApplyReport) {
        let observed = await self.observe(desired)
        let plan = PlannerFixture.plan(desired, observed, configure)
        var configuration = ExecutorConfiguration()
        configuration.stockoutBackoff = .seconds(30)
        let executor = Executor(
            compute: self.compute,
            tunnels: self.edge,
            dns: self.edge,
            journal: self.journal,
            clock: self.clock,
            now: { PlannerFixture.now },
            configuration: configuration
        )
        return (plan, await executor.apply(plan, observed: observed))
    }

    /// Everything the emulators hold, unfiltered: (VM names, live tunnel names, DNS record names).
    func inventory() async throws -> (vms: [String], tunnels: [String], records: [String]) {
        let vms = try await self.gce.aggregatedInstances().values.flatMap { $0.map(\.name) }
        let tunnels = try await self.cloudflare.listTunnels().map(\.name)
        let records = try await self.cloudflare.listDNSRecords().map { Normalization.dnsName($0.name) }
        return (vms, tunnels, records)
    }
}
