import Foundation
import Reconciler
import Spec
import Testing

/// Tunnel configurations cost one Cloudflare call each: with a cache, each run reads a rotating
/// budget of them, least recently verified first, and takes the rest from the cache.
@Suite struct IngressCacheTests {
    typealias F = PlannerFixture

    /// Counts configuration reads.
    final class CountingTunnels: TunnelPort, @unchecked Sendable {
        let tunnels: [ObservedTunnel]
        let lock = NSLock()
        var reads: [String] = []

        init(_ tunnels: [ObservedTunnel]) { self.tunnels = tunnels }

        func listTunnels(prefix: String) async throws -> [ObservedTunnel] { self.tunnels.map { ObservedTunnel(id: $0.id, name: $0.name) } }
        func ingress(tunnelID: String) async throws -> [IngressRule] {
            self.lock.withLock { self.reads.append(tunnelID) }
            return self.tunnels.first { $0.id == tunnelID }?.ingress ?? []
        }
        func createTunnel(name: String) async throws -> (id: String, outcome: ApplyOutcome) { ("x", .done) }
        func putIngress(tunnelID: String, rules: [IngressRule]) async throws {}
        func deleteTunnel(id: String) async throws -> ApplyOutcome { .done }
    }

    struct World: ComputePort, DNSPort {
        var observed: ObservedState
        func listInstances(fleet: String) async throws -> [ObservedVM] { self.observed.vms }
        func createInstance(_ vm: DesiredVM, requestID: String) async throws -> ApplyOutcome { .done }
        func setLabels(zone: String, name: String, labels: [String: String]) async throws {}
        func setMetadata(zone: String, name: String, key: String, value: String) async throws {}
        func start(zone: String, name: String, requestID: String) async throws {}
        func deleteInstance(zone: String, name: String, requestID: String) async throws -> ApplyOutcome { .done }
        func listRecords() async throws -> [ObservedDNSRecord] { self.observed.dnsRecords }
        func createCNAME(name: String, tunnelID: String, comment: String) async throws -> ApplyOutcome { .done }
        func updateCNAME(id: String, name: String, tunnelID: String, comment: String) async throws {}
        func deleteRecord(id: String) async throws -> ApplyOutcome { .done }
    }

    @Test("a budget of 3 reads 3 configurations per run, rotating; the plan stays empty and complete")
    func rotatingBudget() async throws {
        let desired = try F.desired()
        let world = F.converged(desired)
        let tunnels = CountingTunnels(world.tunnels)
        let cache = MemoryIngressCache()
        var observer = Observer(compute: World(observed: world), tunnels: tunnels, dns: World(observed: world))
        observer.ingressCache = cache
        observer.configurationBudget = 3
        let wanted = Set(desired.environments.flatMap { $0.tunnels.map(\.name) })
        var seen: Set<String> = []
        for run in 1...3 {
            let (state, read, cached, unverified) = await observer.observeCounting(marks: F.marks, ingressFor: wanted, now: F.now + Int64(run))
            #expect(read == 3)
            #expect(cached + unverified == world.tunnels.count - 3)
            #expect(state.isComplete, "a budget never makes the observation partial")
            let plan = F.plan(desired, state)
            #expect(plan.isEmpty, "run \(run): \(plan.actions.map(\.id))")
            let batch = Set(tunnels.lock.withLock { tunnels.reads.suffix(3) })
            #expect(batch.isDisjoint(with: seen) || seen.count + 3 > world.tunnels.count, "run \(run) reads tunnels not yet verified")
            seen.formUnion(batch)
        }
        #expect(seen.count == world.tunnels.count, "after three runs every configuration was verified once")
    }

    @Test("ingress drift is found when its tunnel's turn comes, not before")
    func driftFoundInRotation() async throws {
        let desired = try F.desired()
        var world = F.converged(desired)
        let cache = MemoryIngressCache()
        for tunnel in world.tunnels { cache.storeIngress(tunnel.ingress ?? [], tunnelID: tunnel.id, at: F.now) }
        let drifted = world.tunnels.count - 1
        world.tunnels[drifted].ingress = [IngressRule(hostname: "evil.example.com", service: "http://10.0.0.1"), .catchAll]
        cache.storeIngress(world.tunnels[0].ingress ?? [], tunnelID: world.tunnels[drifted].id, at: F.now - 1000)
        let wrong = world.tunnels[drifted]
        cache.storeIngress(
            desired.environments.flatMap(\.tunnels).first { $0.name == wrong.name }?.ingress ?? [],
            tunnelID: wrong.id,
            at: F.now - 1000
        )
        var observer = Observer(compute: World(observed: world), tunnels: CountingTunnels(world.tunnels), dns: World(observed: world))
        observer.ingressCache = cache
        observer.configurationBudget = 1
        let state = await observer.observe(marks: F.marks, ingressFor: Set(world.tunnels.map(\.name)), now: F.now + 10)
        let plan = F.plan(desired, state)
        #expect(plan.actions.map(\.id) == ["update ingress \(wrong.name)"], "the least recently verified is read first: \(plan.actions.map(\.id))")
    }
}
