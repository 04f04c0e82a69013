import Daemon
import Foundation
import Prometheus
import Reconciler
import Spec
import Synchronization
import TestSupport
import Testing

/// The reconcile loop's metrics, driven by scripted passes on a manual clock into a registry of
/// our own (never the process-wide `MetricsSystem`), read back by `prometheus_client`.
@Suite struct DaemonMetricsTests {
    static let environment = "production"

    @Test("passes, drift, convergence and source reads become Prometheus families with bounded labels")
    func loopMetrics() async throws {
        let registry = PrometheusCollectorRegistry()
        let desired = try Self.desired()
        let source = ScriptedSource(desired: desired)
        let clock = ManualClock()
        let pass = ScriptedPass(clock: clock)
        let revisionA = source.push()
        pass.script(.converged(Plan(fleet: desired.fleet, environments: [Self.environment], actions: [])), taking: .seconds(1))
        let loop = EnvironmentLoop(
            environment: Self.environment,
            source: source,
            pass: pass,
            revisions: MemoryRevisionStore(),
            clock: clock,
            random: { 0.5 },
            now: { 1_700_000_000 + clock.now.offset.components.seconds },
            metrics: DaemonMetrics(factory: Self.factory(registry))
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            // Pass 1: revision A accepted at t=0, converged after 1 s.
            await Self.until("the first pass") { await Self.passed(1, pass, loop, result: "converged") }
            // Pass 2: revision B, committed 7 s before it is accepted at t=1; the plan is refused
            // after 2 s (drift: 2 VMs to create, a DNS record to update, a tunnel to delete).
            _ = source.push(committedAt: 1_700_000_001 - 7)
            pass.script(.refused(Self.plan(desired)), taking: .seconds(2))
            loop.wake(.webhook)
            await Self.until("the second pass") { await Self.passed(2, pass, loop, result: "refused") }
            try await Self.checkAfterRefusal(registry, revisionA: revisionA)
            // Pass 3: converged at B after 0.5 s (2.5 s after B's acceptance, 9.5 s after its
            // commit); pass 4 converges again and measures nothing more.
            pass.script(.converged(Plan(fleet: desired.fleet, environments: [Self.environment], actions: [])), taking: .milliseconds(500))
            loop.wake(.webhook)
            // A pass returns before the loop records it: wait for the record (its finish time
            // tells pass 3, at t = 3.5 s, from pass 4, at t = 4 s).
            await Self.until("the third pass") { await Self.passed(3, pass, loop, result: "converged") }
            loop.wake(.webhook)
            await Self.until("the fourth pass") {
                guard await Self.passed(4, pass, loop, result: "converged") else { return false }
                return await loop.status().lastPass?.finishedAt == 1_700_000_004
            }
            try await Self.checkAfterConvergence(registry)
            loop.stop()
            try await group.waitForAll()
        }
    }

    private static func checkAfterRefusal(_ registry: PrometheusCollectorRegistry, revisionA: Revision) async throws {
        guard let python = TestEnvironment.python(for: "prometheus_client") else { return }
        let text = registry.emitToString()
        #expect(!text.contains(revisionA.hex) && !text.contains(revisionA.short), "no revision is ever a label")
        let parsed = try await PrometheusText.parse(text, python: python)

        let passes = try #require(parsed.family(DaemonMetrics.reconcileDuration))
        #expect(passes.type == "histogram")
        #expect(passes.labelNames == ["environment", "result"])
        #expect(passes.value("\(passes.name)_count", ["environment": "production", "result": "converged"]) == 1)
        #expect(passes.value("\(passes.name)_sum", ["environment": "production", "result": "converged"]) == 1)
        #expect(passes.value("\(passes.name)_sum", ["environment": "production", "result": "refused"]) == 2)
        // The pass buckets reach past the backend's 10 s default.
        #expect(passes.value("\(passes.name)_bucket", ["environment": "production", "result": "refused", "le": "300.0"]) == 1)

        let convergence = try #require(parsed.family(DaemonMetrics.commitToConverged))
        #expect(convergence.type == "histogram" && convergence.labelNames == ["environment"])
        #expect(convergence.value("\(convergence.name)_count", ["environment": "production"]) == 1)
        #expect(convergence.value("\(convergence.name)_sum", ["environment": "production"]) == 1)

        let drift = try #require(parsed.family(DaemonMetrics.driftObjects))
        #expect(drift.type == "gauge" && drift.labelNames == ["environment", "kind", "operation"])
        #expect(drift.samples.count == PlanAction.Resource.allCases.count * PlanAction.Operation.allCases.count)
        #expect(drift.value(nil, ["environment": "production", "kind": "vm", "operation": "create"]) == 2)
        #expect(drift.value(nil, ["environment": "production", "kind": "dns", "operation": "update"]) == 1)
        #expect(drift.value(nil, ["environment": "production", "kind": "tunnel", "operation": "delete"]) == 1)
        #expect(drift.value(nil, ["environment": "production", "kind": "ingress", "operation": "create"]) == 0)
        #expect(Set(drift.samples.compactMap { $0.labels["kind"] }) == ["vm", "tunnel", "ingress", "dns"])

        let source = try #require(parsed.family(DaemonMetrics.sourceLastSuccess))
        #expect(source.type == "gauge" && source.labelNames == ["environment"])
        // Read last at the start of pass 2, at t = 1 s.
        #expect(source.value(nil, ["environment": "production"]) == 1_700_000_001)
    }

    private static func checkAfterConvergence(_ registry: PrometheusCollectorRegistry) async throws {
        guard let python = TestEnvironment.python(for: "prometheus_client") else { return }
        let parsed = try await PrometheusText.parse(registry, python: python)
        let convergence = try #require(parsed.family(DaemonMetrics.commitToConverged))
        #expect(convergence.value("\(convergence.name)_count", ["environment": "production"]) == 2)
        #expect(convergence.value("\(convergence.name)_sum", ["environment": "production"]) == 1 + 9.5)
        let passes = try #require(parsed.family(DaemonMetrics.reconcileDuration))
        #expect(passes.value("\(passes.name)_count", ["environment": "production", "result": "converged"]) == 3)
        let drift = try #require(parsed.family(DaemonMetrics.driftObjects))
        #expect(drift.samples.allSatisfy { $0.value == 0 }, "a converged plan zeroes every drift series")
    }

    /// The factory the CLI bootstraps with: the same per-metric buckets.
    static func factory(_ registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[DaemonMetrics.reconcileDuration] = DaemonMetrics.reconcileDurationBuckets
        factory.durationHistogramBuckets[DaemonMetrics.commitToConverged] = DaemonMetrics.commitToConvergedBuckets
        return factory
    }

    static func plan(_ desired: DesiredState) -> Plan {
        func action(_ operation: PlanAction.Operation, _ resource: PlanAction.Resource, _ name: String) -> PlanAction {
            PlanAction(operation, resource, name, environment: Self.environment, reason: "drift", payload: .startVM(zone: "z", vm: name))
        }
        let actions = [
            action(.create, .vm, "dd-production-web-0"), action(.create, .vm, "dd-production-web-1"),
            action(.update, .dns, "web.example.com"), action(.delete, .tunnel, "dd-production-old"),
        ]
        return Plan(
            fleet: desired.fleet,
            environments: [Self.environment],
            actions: actions,
            refusals: [.init(code: .circuitBreaker, message: "too many deletions")]
        )
    }

    /// The example fleet, expanded.
    static func desired() throws -> DesiredState {
        let bytes = try Array(Data(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("examples/fleet.yaml")))
        var diagnostics = DiagnosticCollector(file: "fleet.yaml")
        guard let fleet = FleetSpecLoader.load(bytes, file: "fleet.yaml").fleet,
            let desired = FleetExpander.expand(fleet, previews: [], diagnostics: &diagnostics)
        else { throw CocoaError(.fileReadCorruptFile) }
        return desired
    }

    /// True once `count` passes ran and the loop recorded the last one with `result`.
    static func passed(_ count: Int, _ pass: ScriptedPass, _ loop: EnvironmentLoop<ManualClock>, result: String) async -> Bool {
        guard pass.finished == count else { return false }
        return await loop.status().lastPass?.result == result
    }

    /// Yields until `condition` holds (no clock, no sleep: the loop runs on other tasks).
    static func until(_ what: Comment, _ condition: () async -> Bool) async {
        for _ in 0..<100_000 {
            if await condition() { return }
            await Task.yield()
        }
        Issue.record("never: \(what)")
    }
}

/// A source whose head the test moves: a new head is accepted once, then reads as unchanged.
final class ScriptedSource: DesiredStateSource {
    private let state: Mutex<(next: Int, head: DesiredRevision?)>
    private let desired: DesiredState

    init(desired: DesiredState) {
        self.desired = desired
        self.state = Mutex((1, nil))
    }

    var description: SourceDescription { SourceDescription(url: "file:///repo", branch: "main", path: "fleet.yaml") }

    /// Moves the head to a new revision, committed at `committedAt` (nil: a plain file).
    func push(committedAt: Int64? = nil) -> Revision {
        self.state.withLock { state in
            let revision = Revision(String(format: "%040x", state.next))!
            state.next += 1
            let target = ReconcileTarget(
                file: "fleet.yaml",
                specDigest: revision.hex,
                desired: self.desired,
                marks: OwnershipMarks(fleet: self.desired.fleet, prefix: "dd")
            )
            state.head = DesiredRevision(revision: revision, target: target, verified: nil, committedAt: committedAt)
            return revision
        }
    }

    func poll(applied: Revision?, approved: Revision?) async -> SourcePoll {
        guard let head = self.state.withLock({ $0.head }) else {
            return .unready(head: nil, reason: "FetchFailed", message: "empty", diagnostics: [])
        }
        return head.revision == applied ? .unchanged(head: head.revision) : .accepted(head)
    }

    func load(_ revision: Revision) async -> SourcePoll {
        guard let head = self.state.withLock({ $0.head }), head.revision == revision else {
            return .unready(head: nil, reason: "FileMissing", message: "unknown", diagnostics: [])
        }
        return .accepted(head)
    }
}

/// A pass that answers the scripted outcome after moving the manual clock by its duration.
final class ScriptedPass: ReconcilePass {
    private let clock: ManualClock
    private let state = Mutex<(outcome: CycleOutcome?, duration: Duration, finished: Int)>((nil, .zero, 0))

    init(clock: ManualClock) {
        self.clock = clock
    }

    /// What the next passes answer, and how long each takes.
    func script(_ outcome: CycleOutcome, taking duration: Duration) {
        self.state.withLock { state in (state.outcome, state.duration) = (outcome, duration) }
    }

    /// Passes run so far.
    var finished: Int { self.state.withLock { $0.finished } }

    func reconcile(_ desired: DesiredRevision) async -> PassReport {
        let (outcome, duration) = self.state.withLock { ($0.outcome, $0.duration) }
        self.clock.advance(by: duration)
        defer { self.state.withLock { $0.finished += 1 } }
        let plan: Plan? =
            switch outcome {
            case .converged(let plan)?, .refused(let plan)?: plan
            default: nil
            }
        let inputs = PlanInputs(file: "fleet.yaml", specDigest: desired.revision.hex, observedDigest: "", settings: ReconcileSettings())
        return PassReport(outcome: outcome, plan: plan.map { ($0, inputs) })
    }
}
