import Agent
import ControlPlane
import Daemon
import Foundation
import ProviderSupport
import Reconciler
import SourceVerification
import Spec
import Synchronization
import TestSupport
import Testing

/// A bounded flood of valid webhook deliveries against a control plane that registers agents and
/// runs a real reconcile loop: every delivery is answered, every agent registers, the loop runs
/// one pass at a time and keeps running afterwards.
@Suite struct WebhookFloodTests {
    /// A source whose head never moves.
    struct StillSource: DesiredStateSource {
        var target: ReconcileTarget
        var description: SourceDescription { SourceDescription(url: "file:///fleet", branch: "main", path: "fleet.yaml") }
        static let head = Revision(String(repeating: "a", count: 40))!

        func poll(applied: Revision?, approved: Revision?) async -> SourcePoll {
            applied == Self.head ? .unchanged(head: Self.head) : .accepted(DesiredRevision(revision: Self.head, target: self.target, verified: nil))
        }

        func load(_ revision: Revision) async -> SourcePoll { await self.poll(applied: nil, approved: nil) }
    }

    /// A pass that converges, counts itself, and records how many ran at once.
    final class CountingPass: ReconcilePass {
        let state = Mutex((passes: 0, running: 0, mostAtOnce: 0))
        func reconcile(_ desired: DesiredRevision) async -> PassReport {
            self.state.withLock {
                $0.passes += 1
                $0.running += 1
                $0.mostAtOnce = max($0.mostAtOnce, $0.running)
            }
            await Task.yield()
            self.state.withLock { $0.running -= 1 }
            return PassReport(outcome: .converged(Plan(fleet: "devopsdefender", environments: ["production"], actions: [])), plan: nil)
        }
        var count: Int { self.state.withLock { $0.passes } }
        var mostAtOnce: Int { self.state.withLock { $0.mostAtOnce } }
    }

    static func target() throws -> ReconcileTarget {
        let bytes = try Array(Data(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("examples/fleet.yaml")))
        var diagnostics = DiagnosticCollector(file: "fleet.yaml")
        let fleet = try #require(FleetSpecLoader.load(bytes, file: "fleet.yaml").fleet)
        let desired = try #require(FleetExpander.expand(fleet, previews: [], diagnostics: &diagnostics))
        return ReconcileTarget(file: "fleet.yaml", specDigest: "x", desired: desired, marks: OwnershipMarks(fleet: desired.fleet, prefix: "dd"))
    }

    @Test("300 deliveries while 5 agents register: all answered 202, all agents registered, one pass at a time, the loop lives on")
    func floodDuringRegistration() async throws {
        let pass = CountingPass()
        let loop = EnvironmentLoop(
            environment: "production",
            source: StillSource(target: try Self.target()),
            pass: pass,
            revisions: MemoryRevisionStore(),
            schedule: ScheduleConfiguration(resyncInterval: .seconds(3600)),
            clock: ContinuousClock(),
            now: { Int64(Date().timeIntervalSince1970) }
        )
        let routes = DaemonRoutes(
            environments: [loop],
            source: nil,
            webhook: WebhookSignatureVerifier(secret: DaemonRoutesServer.vectorSecret),
            adminToken: nil,
            now: { Int64(Date().timeIntervalSince1970) }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            try await ControlPlaneFixture.with(daemon: routes) { fixture in
                let http = HTTPTransport(timeout: .seconds(60))
                let statuses = try await withThrowingTaskGroup(of: Int.self) { flood in
                    for index in 0..<300 {
                        flood.addTask {
                            let body = Array("{\"n\":\(index)}".utf8)
                            let headers = [
                                ("X-GitHub-Event", "push"), ("X-GitHub-Delivery", "flood-\(index)"),
                                ("X-Hub-Signature-256", DaemonRoutesServer.signature(body)),
                            ]
                            return try await http.send(
                                method: "POST",
                                url: "http://127.0.0.1:\(fixture.port)/hooks/github",
                                headers: headers,
                                body: body
                            )
                            .status
                        }
                    }
                    for vm in (0..<5).map({ "dd-production-web-\($0)-de1ea041" }) {
                        flood.addTask {
                            try await fixture.agent(vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 2) { _ in }
                            return 0
                        }
                    }
                    return try await flood.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == 202 }.count == 300)
                #expect(fixture.registry.snapshot().count == 5)
                await Self.until {
                    let status = await loop.status()
                    return status.lastPass != nil && !status.conditions.isTrue(.reconciling)
                }
                let afterFlood = pass.count
                // Level-triggered: at most one pass per wake (300 deliveries, 5 registrations, the
                // start), never two at once; how many fold depends on how long a pass takes.
                #expect(afterFlood >= 1 && afterFlood <= 306, "\(afterFlood) passes")
                #expect(pass.mostAtOnce == 1)
                loop.wake(.webhook)
                await Self.until { pass.count > afterFlood }
                #expect(pass.count > afterFlood, "the loop still runs after the flood")
            }
            loop.stop()
            try await group.waitForAll()
        }
    }

    /// Yields until `condition` holds (bounded; the loop runs on other tasks).
    static func until(_ condition: () async -> Bool) async {
        for _ in 0..<200_000 where !(await condition()) { await Task.yield() }
    }
}
