import ControlPlane
import Synchronization
import TestSupport
import Testing

/// The daemon's loop hears when an agent turns stale, at the moment it does (on the registry's
/// clock), not at the next resync.
@Suite struct StaleAgentWatchTests {
    @Test("an agent that falls silent is reported once, when it turns stale; a heartbeat keeps it fresh")
    func reportsAgentsTurningStale() async throws {
        let clock = ManualClock()
        let registry = AgentRegistry(clock: clock, staleAfter: .seconds(30), wallClock: { 0 })
        let reports = Mutex<[Set<String>]>([])
        registry.register(vm: "dd-a", agentID: "a", hostname: "a.example.com", mrTD: "")
        registry.register(vm: "dd-b", agentID: "b", hostname: "b.example.com", mrTD: "")
        let watch = StaleAgentWatch(registry: registry) { vms in reports.withLock { $0.append(vms) } }
        let task = Task { try await watch.run() }
        defer { task.cancel() }

        await AdmissionGateTests.until { clock.sleeping == 1 }
        clock.advance(by: .seconds(20))
        registry.heartbeat(vm: "dd-b", status: "ok", workloads: [])
        clock.advance(by: .seconds(10))
        #expect(reports.withLock { $0 }.isEmpty, "at 30 s no agent is stale yet")

        clock.advance(by: .milliseconds(1))
        await AdmissionGateTests.until { reports.withLock { $0.count } == 1 }
        #expect(reports.withLock { $0 } == [["dd-a"]])

        // dd-b heard from at 20 s turns stale just after 50 s, and only then.
        await AdmissionGateTests.until { clock.sleeping == 1 }
        clock.advance(by: .seconds(19))
        #expect(reports.withLock { $0.count } == 1)
        clock.advance(by: .seconds(1))
        await AdmissionGateTests.until { reports.withLock { $0.count } == 2 }
        #expect(reports.withLock { $0 }.last == ["dd-b"])

        // Both stale: nothing more to report until one comes back and falls silent again.
        await AdmissionGateTests.until { clock.sleeping == 1 }
        clock.advance(by: .seconds(300))
        registry.heartbeat(vm: "dd-a", status: "ok", workloads: [])
        await AdmissionGateTests.until { clock.sleeping == 1 }
        clock.advance(by: .seconds(31))
        await AdmissionGateTests.until { reports.withLock { $0.count } == 3 }
        #expect(reports.withLock { $0 }.last == ["dd-a"])
    }
}
