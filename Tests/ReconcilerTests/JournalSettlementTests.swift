import Reconciler
import Testing

/// How pending intents are settled.
@Suite struct JournalSettlementTests {
    @Test("settling: creates that exist and deletes that are gone are closed, per kind of resource")
    func settlement() {
        let intents = [
            Intent(action: ActionID(.create, .vm, "a"), idempotencyKey: "k1", state: .pending, attempts: 1, startedAt: 0),
            Intent(action: ActionID(.create, .vm, "b"), idempotencyKey: "k2", state: .pending, attempts: 1, startedAt: 0),
            Intent(action: ActionID(.delete, .tunnel, "c"), idempotencyKey: "k3", state: .pending, attempts: 1, startedAt: 0),
            Intent(action: ActionID(.delete, .tunnel, "d"), idempotencyKey: "k4", state: .pending, attempts: 1, startedAt: 0),
            Intent(action: ActionID(.update, .vm, "e"), idempotencyKey: "k5", state: .pending, attempts: 1, startedAt: 0),
            // The tunnel f exists, the VM f does not: the VM's create stays pending.
            Intent(action: ActionID(.create, .vm, "f"), idempotencyKey: "k6", state: .pending, attempts: 1, startedAt: 0),
            Intent(action: ActionID(.create, .dns, "g.example.com"), idempotencyKey: "k7", state: .pending, attempts: 1, startedAt: 0),
        ]
        let observed = ObservedState(
            vms: [ObservedVM(name: "a", zone: "z", labels: [:])],
            tunnels: [ObservedTunnel(id: "1", name: "d"), ObservedTunnel(id: "2", name: "f")],
            dnsRecords: [ObservedDNSRecord(id: "r", name: "G.example.com.", content: "x")],
            sources: SourceStatus.allComplete
        )
        let settled = JournalSettlement.settle(intents, observed: observed)
        #expect(settled.map(\.actionID) == ["create vm a", "delete tunnel c", "update vm e", "create dns g.example.com"])
        #expect(JournalSettlement.inFlight(intents) == ["a", "b", "c", "d", "e", "f", "g.example.com"])
    }
}
