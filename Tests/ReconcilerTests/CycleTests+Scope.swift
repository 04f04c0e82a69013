import CloudflareProvider
import Emulators
import GCEProvider
import Reconciler
import Spec
import Synchronization
import TestSupport
import Testing

extension CycleTests {
    /// The requests that changed cloud state, by route, in order.
    static func mutatingRoutes(_ journal: RequestJournal) -> [String] {
        journal.all.filter { $0.method != "GET" && $0.method != "HEAD" && !RequestJournal.readOnlyRoutes.contains($0.route) }.map(\.route)
    }

    /// Deletes a VM behind the reconciler's back.
    static func delete(_ vm: DesiredVM, in fleet: EmulatedFleet) async throws {
        let operation = try await fleet.gce.delete(zone: vm.zone, name: vm.name, requestID: "drift-\(vm.name)")
        _ = try await fleet.gce.waitUntilDone(operation, zone: vm.zone)
    }

    /// Production drifts: a VM deleted, its hostname repointed, an orphan that is in no spec.
    static func driftProduction(_ fleet: EmulatedFleet, deleting gone: DesiredVM, orphan: String) async throws {
        try await Self.delete(gone, in: fleet)
        var record = try #require(try await fleet.cloudflare.listDNSRecords(name: "app.devopsdefender.com").first)
        record.content = "attacker.example.net"
        _ = try await fleet.cloudflare.updateDNSRecord(record)
        let labels = ["dd-fleet": "devopsdefender", "dd-env": "production", "dd-role": "agent", "dd-pool": "web", "dd-spec": "0000"]
        _ = fleet.server.gce?.seed(zone: "us-central1-a", names: [orphan], labels: labels)
    }

    @Test("a staging control plane's cycle makes no call on production, whose drift stays for production's own")
    func scopedCycleLeavesProductionAlone() async throws {
        let desired = try F.desired()
        let production = try #require(desired.environments.first { $0.name == "production" })
        let gone = try #require(production.vms.last)
        let stagingVM = try #require(desired.environments.first { $0.name == "staging" }?.vms.last)
        let orphan = "dd-production-web-9-0000abcd"
        try await EmulatedFleet.with { fleet in
            let cycle = Self.cycle(fleet, desired)
            guard case .applied(_, let first) = try await cycle.reconcileOnce(settings: ReconcileSettings(), approval: .automatic), first.succeeded
            else {
                Issue.record("expected the whole fleet to be applied")
                return
            }
            try await Self.driftProduction(fleet, deleting: gone, orphan: orphan)

            let staging = ReconcileSettings(environmentScope: .only(["staging"], previews: false))
            fleet.server.journal.reset()
            guard case .converged(let idle) = try await cycle.reconcileOnce(settings: staging, approval: .automatic) else {
                Issue.record("staging is converged: nothing to do")
                return
            }
            #expect(idle.environments == ["staging"] && idle.warnings.isEmpty, "\(idle.environments) \(idle.warnings)")
            #expect(Self.mutatingRoutes(fleet.server.journal).isEmpty)

            // Staging drifts too: its VM alone is recreated, with one insert.
            try await Self.delete(stagingVM, in: fleet)
            fleet.server.journal.reset()
            let started = Mutex<[String]>([])
            let outcome = try await cycle.reconcileOnce(settings: staging, approval: .automatic) { event in
                if case .progress(.started(let action)) = event { started.withLock { $0.append(action.name) } }
            }
            guard case .applied(let plan, let report) = outcome else {
                Issue.record("expected staging's VM to be recreated, got \(outcome)")
                return
            }
            #expect(report.succeeded && plan.actions.map(\.id) == ["create vm \(stagingVM.name)"], "\(plan.actions.map(\.id))")
            #expect(started.withLock { $0 } == [stagingVM.name])
            #expect(Self.mutatingRoutes(fleet.server.journal) == ["gce instances.insert"], "\(Self.mutatingRoutes(fleet.server.journal))")

            // Production's drift is all still there, for an unscoped (or production) plan to see.
            let inventory = try await fleet.inventory()
            #expect(!inventory.vms.contains(gone.name) && inventory.vms.contains(orphan) && inventory.vms.contains(stagingVM.name))
            #expect(try await fleet.cloudflare.listDNSRecords(name: "app.devopsdefender.com").map(\.content) == ["attacker.example.net"])
            guard case .planned(let unscoped, _, _) = await cycle.plan(settings: ReconcileSettings()) else {
                Issue.record("expected an unscoped plan")
                return
            }
            for id in ["create vm \(gone.name)", "update dns app.devopsdefender.com", "delete vm \(orphan)"] {
                #expect(unscoped.action(id) != nil, "unscoped, \(id) is planned: \(unscoped.actions.map(\.id))")
            }
        }
    }
}
