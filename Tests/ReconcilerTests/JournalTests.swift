import Foundation
import Reconciler
import Testing

/// The SQLite intent journal and how pending intents are settled.
@Suite struct JournalTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dd-journal-\(UUID().uuidString).sqlite3").path
    }

    @Test("an unfinished intent is resumed with its key, across reopening; a finished one gets a new key")
    func resumesPendingIntents() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first: Intent
        do {
            let journal = try SQLiteJournal(path: path)
            first = try journal.begin(actionID: "create vm a", resource: "a", now: 10)
            #expect(first.state == .pending && first.attempts == 1)
            #expect(first.idempotencyKey.count == 36 && first.idempotencyKey.split(separator: "-").count == 5)
        }
        let journal = try SQLiteJournal(path: path)
        #expect(try journal.unfinished().map(\.actionID) == ["create vm a"])
        let resumed = try journal.begin(actionID: "create vm a", resource: "a", now: 20)
        #expect(resumed.idempotencyKey == first.idempotencyKey && resumed.attempts == 2)
        try journal.finish(actionID: "create vm a", state: .done, now: 30)
        #expect(try journal.unfinished().isEmpty)
        let again = try journal.begin(actionID: "create vm a", resource: "a", now: 40)
        #expect(again.idempotencyKey != first.idempotencyKey)
    }

    @Test("an unwritable journal is a clear error")
    func unwritable() {
        #expect(throws: JournalError.self) { try SQLiteJournal(path: "/proc/definitely/not/here.sqlite3") }
    }

    @Test("settling: creates that exist and deletes that are gone are closed, per kind of resource")
    func settlement() {
        let intents = [
            Intent(actionID: "create vm a", resource: "a", idempotencyKey: "k1", state: .pending, attempts: 1, startedAt: 0),
            Intent(actionID: "create vm b", resource: "b", idempotencyKey: "k2", state: .pending, attempts: 1, startedAt: 0),
            Intent(actionID: "delete tunnel c", resource: "c", idempotencyKey: "k3", state: .pending, attempts: 1, startedAt: 0),
            Intent(actionID: "delete tunnel d", resource: "d", idempotencyKey: "k4", state: .pending, attempts: 1, startedAt: 0),
            Intent(actionID: "update vm e", resource: "e", idempotencyKey: "k5", state: .pending, attempts: 1, startedAt: 0),
            // The tunnel f exists, the VM f does not: the VM's create stays pending.
            Intent(actionID: "create vm f", resource: "f", idempotencyKey: "k6", state: .pending, attempts: 1, startedAt: 0),
            Intent(actionID: "create dns g.example.com", resource: "g.example.com", idempotencyKey: "k7", state: .pending, attempts: 1, startedAt: 0),
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
