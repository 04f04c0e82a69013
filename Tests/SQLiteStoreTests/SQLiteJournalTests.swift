import Foundation
import Reconciler
import SQLiteStore
import Spec
import TestSupport
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
            let journal = try await SQLiteJournal(path: path, writer: .reconciler)
            first = try await journal.begin(ActionID(.create, .vm, "a"), now: 10)
            #expect(first.state == .pending && first.attempts == 1)
            #expect(first.idempotencyKey.count == 36 && first.idempotencyKey.split(separator: "-").count == 5)
        }
        let journal = try await SQLiteJournal(path: path, writer: .reconciler)
        #expect(try await journal.unfinished().map(\.actionID) == ["create vm a"])
        let resumed = try await journal.begin(ActionID(.create, .vm, "a"), now: 20)
        #expect(resumed.idempotencyKey == first.idempotencyKey && resumed.attempts == 2)
        try await journal.finish(ActionID(.create, .vm, "a"), state: .done, now: 30)
        #expect(try await journal.unfinished().isEmpty)
        let again = try await journal.begin(ActionID(.create, .vm, "a"), now: 40)
        #expect(again.idempotencyKey != first.idempotencyKey)
    }

    @Test("an intent keeps its action's fields, qualifier included, across reopening")
    func typedAction() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let action = ActionID(.update, .vm, "dd-production-web-0", qualifier: "ee-config")
        _ = try await SQLiteJournal(path: path, writer: .reconciler).begin(action, now: 10)
        let pending = try await SQLiteJournal(path: path, writer: .reconciler).unfinished()
        #expect(pending.map(\.action) == [action])
        #expect(pending.map(\.actionID) == ["update vm dd-production-web-0 (ee-config)"])
    }

    @Test("a journal written before the action's fields existed opens; its pending intents are closed, not parsed")
    func legacyJournal() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await Self.sqlite(
            path,
            """
            CREATE TABLE intents (action_id TEXT PRIMARY KEY, resource TEXT NOT NULL, idempotency_key TEXT NOT NULL, \
            state TEXT NOT NULL, attempts INTEGER NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER);
            INSERT INTO intents VALUES ('create vm a', 'a', 'k', 'pending', 1, 5, NULL);
            """
        )
        let journal = try await SQLiteJournal(path: path, writer: .reconciler)
        #expect(try await journal.unfinished().isEmpty)
        let fresh = try await journal.begin(ActionID(.create, .vm, "a"), now: 10)
        #expect(fresh.idempotencyKey != "k" && fresh.attempts == 1)
        #expect(try await journal.unfinished().map(\.action) == [ActionID(.create, .vm, "a")])
    }

    @Test("each writer lists only its own pending intents; a resumed intent moves to the writer resuming it")
    func writersAreScoped() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let apply = try await SQLiteJournal(path: path, writer: .reconciler)
        let registration = try await SQLiteJournal(path: path, writer: .registration)
        _ = try await apply.begin(ActionID(.create, .vm, "a"), now: 10)
        let tunnel = try await registration.begin(ActionID(.create, .tunnel, "t"), now: 11)
        #expect(try await apply.unfinished().map(\.actionID) == ["create vm a"])
        #expect(try await registration.unfinished().map(\.actionID) == ["create tunnel t"])
        #expect(try await apply.unfinishedByAnyWriter().map(\.actionID) == ["create vm a", "create tunnel t"])
        let resumed = try await apply.begin(ActionID(.create, .tunnel, "t"), now: 12)
        #expect(resumed.idempotencyKey == tunnel.idempotencyKey && resumed.attempts == 2)
        #expect(try await registration.unfinished().isEmpty)
        #expect(try await apply.unfinished().count == 2)
    }

    @Test("opened without upgrading, an older journal is refused as outdated and left as it was")
    func outdatedWithoutUpgrade() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await Self.sqlite(
            path,
            """
            CREATE TABLE intents (action_id TEXT PRIMARY KEY, resource TEXT NOT NULL, idempotency_key TEXT NOT NULL, \
            state TEXT NOT NULL, attempts INTEGER NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER, \
            operation TEXT, kind TEXT, qualifier TEXT);
            INSERT INTO intents VALUES ('create vm a', 'a', 'k', 'pending', 1, 5, NULL, 'create', 'vm', NULL);
            """
        )
        await #expect(throws: JournalError(.outdated, "")) {
            try await SQLiteJournal(path: path, writer: .reconciler, upgrade: false)
        }
        let journal = try await SQLiteJournal(path: path, writer: .reconciler)
        #expect(try await journal.unfinished().map(\.idempotencyKey) == ["k"], "an apply's pending intent survives the upgrade as the reconciler's")
        #expect(try await SQLiteJournal(path: path, writer: .registration).unfinished().isEmpty)
    }

    /// Runs `script` with the `sqlite3` shell (off the cooperative pool), as an older build
    /// would have left the file.
    static func sqlite(_ path: String, _ script: String) async throws {
        let result = try await TestEnvironment.offPool {
            try TestEnvironment.run(URL(fileURLWithPath: "/usr/bin/env"), ["sqlite3", path, script])
        }
        #expect(result.status == 0, "\(result.standardError)")
    }

    @Test("an unwritable journal is a clear error")
    func unwritable() async {
        await #expect(throws: JournalError.self) { try await SQLiteJournal(path: "/proc/definitely/not/here.sqlite3", writer: .reconciler) }
    }

    @Test("the SQLite journal keeps ingress between runs")
    func sqliteCache() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rules = [IngressRule(hostname: "a.example.com", service: "http://localhost:8080"), .catchAll]
        try await SQLiteJournal(path: path, writer: .reconciler).storeIngress(rules, tunnelID: "t1", at: 42)
        let cached = try await SQLiteJournal(path: path, writer: .reconciler).cachedIngress(for: ["t1", "t2"])
        #expect(cached == ["t1": CachedIngress(rules: rules, verifiedAt: 42)])
    }
}
