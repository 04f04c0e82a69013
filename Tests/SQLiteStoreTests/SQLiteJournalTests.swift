import Foundation
import Reconciler
import SQLiteStore
import Spec
import Testing

/// The SQLite intent journal and ingress cache.
@Suite struct SQLiteJournalTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dd-journal-\(UUID().uuidString).sqlite3").path
    }

    @Test("an unfinished intent is resumed with its key, across reopening; a finished one gets a new key")
    func resumesPendingIntents() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first: Intent
        do {
            let journal = try await SQLiteJournal(path: path)
            first = try await journal.begin(actionID: "create vm a", resource: "a", now: 10)
            #expect(first.state == .pending && first.attempts == 1)
            #expect(first.idempotencyKey.count == 36 && first.idempotencyKey.split(separator: "-").count == 5)
        }
        let journal = try await SQLiteJournal(path: path)
        #expect(try await journal.unfinished().map(\.actionID) == ["create vm a"])
        let resumed = try await journal.begin(actionID: "create vm a", resource: "a", now: 20)
        #expect(resumed.idempotencyKey == first.idempotencyKey && resumed.attempts == 2)
        try await journal.finish(actionID: "create vm a", state: .done, now: 30)
        #expect(try await journal.unfinished().isEmpty)
        let again = try await journal.begin(actionID: "create vm a", resource: "a", now: 40)
        #expect(again.idempotencyKey != first.idempotencyKey)
    }

    @Test("an unwritable journal is a clear error")
    func unwritable() async {
        await #expect(throws: JournalError.self) { try await SQLiteJournal(path: "/proc/definitely/not/here.sqlite3") }
    }

    @Test("the SQLite journal keeps ingress between runs")
    func sqliteCache() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rules = [IngressRule(hostname: "a.example.com", service: "http://localhost:8080"), .catchAll]
        try await SQLiteJournal(path: path).storeIngress(rules, tunnelID: "t1", at: 42)
        let cached = try await SQLiteJournal(path: path).cachedIngress(for: ["t1", "t2"])
        #expect(cached == ["t1": CachedIngress(rules: rules, verifiedAt: 42)])
    }
}
