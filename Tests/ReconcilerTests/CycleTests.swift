import CloudflareProvider
import Emulators
import GCEProvider
import Reconciler
import Spec
import Synchronization
import TestSupport
import Testing

/// The reconcile cycle in process, against the emulators: what `apply` and `plan` do through the
/// binary (staleness of saved plans, journal settlement, refusals, unreadable sources) plus what
/// the binary cannot reach (a slow approval on an injected clock, the plan's own settings).
@Suite struct CycleTests {
    typealias F = PlannerFixture

    /// Wall time the test moves by hand.
    final class WallClock: Sendable {
        private let seconds = Mutex(PlannerFixture.now)
        func now() -> Int64 { self.seconds.withLock { $0 } }
        func advance(by delta: Int64) { self.seconds.withLock { $0 += delta } }
    }

    static func cycle(
        _ fleet: EmulatedFleet,
        _ desired: DesiredState,
        digest: String = "spec-1",
        wall: WallClock = WallClock(),
        project: String? = nil,
        account: String? = nil
    ) -> ReconcileCycle<TestClock> {
        let compute = GCEComputeAdapter(client: GCEClient(project: project ?? fleet.gce.project, rest: fleet.gce.rest))
        let edge = CloudflareFleetAdapter(
            client: CloudflareClient(accountID: account ?? fleet.cloudflare.accountID, zoneID: fleet.cloudflare.zoneID, rest: fleet.cloudflare.rest)
        )
        let executor = Executor(
            compute: compute,
            tunnels: edge,
            dns: edge,
            journal: fleet.journal,
            clock: fleet.clock,
            now: { wall.now() }
        )
        return ReconcileCycle(
            target: ReconcileTarget(file: "fleet.yaml", specDigest: digest, desired: desired, marks: F.marks),
            observer: Observer(compute: compute, tunnels: edge, dns: edge, agents: EmptyAgentRegistry()),
            executor: executor,
            now: { wall.now() }
        )
    }

    @Test("a cycle converges an empty world, and the next one has nothing to do")
    func convergesThenIdle() async throws {
        let desired = try F.desired()
        try await EmulatedFleet.with { fleet in
            let cycle = Self.cycle(fleet, desired)
            guard case .applied(let plan, let report) = try await cycle.reconcileOnce(settings: ReconcileSettings(), approval: .automatic) else {
                Issue.record("expected the plan to run")
                return
            }
            #expect(report.succeeded && plan.summary.create == plan.actions.count && !plan.actions.isEmpty)
            guard case .converged(let again) = try await cycle.reconcileOnce(settings: ReconcileSettings(), approval: .automatic) else {
                Issue.record("expected nothing to do")
                return
            }
            #expect(again.isEmpty && again.withheldDeletions.isEmpty)
            #expect(try fleet.journal.unfinished().isEmpty)
        }
    }

    @Test("a saved plan applies only while the spec, the world and its actions are unchanged")
    func savedPlanStaleness() async throws {
        let desired = try F.desired()
        try await EmulatedFleet.with { fleet in
            let cycle = Self.cycle(fleet, desired)
            guard case .planned(let plan, let inputs, _) = await cycle.plan(settings: ReconcileSettings()) else {
                Issue.record("expected a plan")
                return
            }
            let actions = plan.actions.map(\.id)
            let otherSpec = Self.cycle(fleet, desired, digest: "spec-2")
            guard
                case .stale(let specReasons) = try await otherSpec.reconcileOnce(
                    settings: inputs.settings,
                    approval: .refuseIfChanged(inputs: inputs, actions: actions)
                )
            else {
                Issue.record("a changed spec must make the saved plan stale")
                return
            }
            #expect(specReasons == ["the spec fleet.yaml changed"])
            _ = fleet.server.cloudflare?.seedRecord(name: "status.devopsdefender.com", type: "A", content: "192.0.2.1", comment: nil)
            guard
                case .stale(let worldReasons) = try await cycle.reconcileOnce(
                    settings: inputs.settings,
                    approval: .refuseIfChanged(inputs: inputs, actions: actions)
                )
            else {
                Issue.record("a changed world must make the saved plan stale")
                return
            }
            #expect(worldReasons == ["the observed state of the clouds changed"])
            #expect(try await fleet.inventory().vms.isEmpty, "a stale plan changes nothing")
            guard case .planned(_, let fresh, _) = await cycle.plan(settings: ReconcileSettings()) else { return }
            guard
                case .stale(let actionReasons) = try await cycle.reconcileOnce(
                    settings: fresh.settings,
                    approval: .refuseIfChanged(inputs: fresh, actions: Array(actions.dropLast()))
                )
            else {
                Issue.record("different actions must make the saved plan stale")
                return
            }
            #expect(actionReasons == ["the actions it would take differ"])
            guard
                case .applied(_, let report) = try await cycle.reconcileOnce(
                    settings: fresh.settings,
                    approval: .refuseIfChanged(inputs: fresh, actions: actions)
                )
            else {
                Issue.record("an unchanged saved plan must apply")
                return
            }
            #expect(report.succeeded)
        }
    }

    @Test("a declined approval changes nothing")
    func declined() async throws {
        let desired = try F.desired()
        try await EmulatedFleet.with { fleet in
            let outcome = try await Self.cycle(fleet, desired).reconcileOnce(settings: ReconcileSettings(), approval: .interactive { _ in false })
            guard case .declined = outcome else {
                Issue.record("expected the approval to be declined, got \(outcome)")
                return
            }
            #expect(try await fleet.inventory().vms.isEmpty && fleet.journal.unfinished().isEmpty)
        }
    }

    @Test("an approval slower than the plan's snapshot age re-observes, and refuses when the world changed")
    func slowApproval() async throws {
        let desired = try F.desired()
        try await EmulatedFleet.with { fleet in
            let wall = WallClock()
            let cycle = Self.cycle(fleet, desired, wall: wall)
            let outcome = try await cycle.reconcileOnce(
                settings: ReconcileSettings(),
                approval: .interactive { _ in
                    wall.advance(by: 301)
                    _ = fleet.server.cloudflare?.seedRecord(name: "status.devopsdefender.com", type: "A", content: "192.0.2.1", comment: nil)
                    return true
                }
            )
            guard case .changedDuringApproval = outcome else {
                Issue.record("expected a refusal after the world changed, got \(outcome)")
                return
            }
            #expect(try await fleet.inventory().vms.isEmpty)
            // The plan's own settings decide what "slow" is: with a longer snapshot age the same
            // wait needs no second look, and the plan runs.
            var patient = ReconcileSettings()
            patient.maximumSnapshotAge = 3_600
            let events = Mutex<[String]>([])
            let applied = try await cycle.reconcileOnce(
                settings: patient,
                approval: .interactive { _ in
                    wall.advance(by: 301)
                    return true
                }
            ) { event in
                if case .reobserving = event { events.withLock { $0.append("reobserving") } }
            }
            guard case .applied(_, let report) = applied else {
                Issue.record("expected the plan to run, got \(applied)")
                return
            }
            #expect(report.succeeded && events.withLock { $0 }.isEmpty)
        }
    }

    @Test("intents an interrupted run left are settled by a complete observation before planning")
    func settlement() async throws {
        let desired = try F.desired()
        try await EmulatedFleet.with { fleet in
            let vm = try #require(desired.allVMs.first)
            fleet.server.gce?.seed(zone: vm.zone, names: [vm.name], labels: vm.labels)
            _ = try fleet.journal.begin(ActionID(.create, .vm, vm.name), now: F.now)
            _ = try fleet.journal.begin(ActionID(.create, .tunnel, "nowhere"), now: F.now)
            let settled = Mutex<(Int, Int)?>(nil)
            _ = try await Self.cycle(fleet, desired).reconcileOnce(settings: ReconcileSettings(), approval: .interactive { _ in false }) { event in
                if case .journalSettled(let pending, let closed) = event { settled.withLock { $0 = (pending, closed) } }
            }
            let counts = settled.withLock { $0 }
            #expect(counts?.0 == 2 && counts?.1 == 1, "one of two intents settled: \(String(describing: counts))")
            #expect(try fleet.journal.unfinished().map(\.actionID) == ["create tunnel nowhere"])
        }
    }

    @Test("a spec with no VMs is refused, and nothing is changed")
    func refusal() async throws {
        var empty = try F.desired()
        empty.environments = []
        try await EmulatedFleet.with { [empty] fleet in
            let outcome = try await Self.cycle(fleet, empty)
                .reconcileOnce(settings: ReconcileSettings(), approval: .automatic)
            guard case .refused(let plan) = outcome else {
                Issue.record("expected a refusal, got \(outcome)")
                return
            }
            #expect(plan.refusals.map(\.code) == [.emptyDesiredState])
        }
    }

    @Test(
        "a source that cannot be read stops the cycle before planning, naming the cause and the fix",
        arguments: [("cloudflare", "cloudflare.tunnels"), ("gce", "gce.instances")]
    )
    func unreadable(provider: String, source: String) async throws {
        let desired = try F.desired()
        try await EmulatedFleet.with { fleet in
            // Credentials that were not granted the fleet's project, or its account.
            let cycle = Self.cycle(
                fleet,
                desired,
                project: provider == "gce" ? "someone-elses-project" : nil,
                account: provider == "cloudflare" ? "another-account" : nil
            )
            guard case .unreadable(let sources) = await cycle.plan(settings: ReconcileSettings()) else {
                Issue.record("an unreadable \(source) must not be planned as empty")
                return
            }
            let status = try #require(sources.first { $0.name.rawValue == source })
            #expect(status.state == .unreadable && status.fix != nil && status.detail?.contains("403") == true, "\(status)")
            #expect(!sources.contains { !$0.name.rawValue.hasPrefix(provider) }, "only \(provider) is unreadable: \(sources)")
            guard case .unreadable = try await cycle.reconcileOnce(settings: ReconcileSettings(), approval: .automatic) else {
                Issue.record("apply must stop too")
                return
            }
            #expect(try await fleet.inventory().vms.isEmpty && fleet.journal.unfinished().isEmpty)
        }
    }
}
