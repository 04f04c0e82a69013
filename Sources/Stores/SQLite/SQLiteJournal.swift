import Dispatch
import Reconciler

/// The intent journal — and the ingress cache (``IngressCache``) — in a SQLite file (WAL,
/// synchronous=FULL: an intent is on disk before the call it announces is made). One
/// connection; every statement runs on a private serial queue, so the blocking open and each
/// write's fsync hold a Dispatch thread, never one of the cooperative pool.
public final class SQLiteJournal: IntentJournal {
    /// The database file.
    public let path: String
    /// Whose intents ``unfinished()`` lists, and who ``begin(_:now:)`` records as the writer.
    public let writer: JournalWriter
    /// Used only on ``queue``.
    private let connection: SQLiteConnection
    private let queue: DispatchQueue

    /// Opens (creating if needed) the journal at `path` as `writer`: its ``unfinished()`` lists
    /// only that writer's pending intents. With `upgrade` false, a journal written by an older
    /// version is not changed and the open throws ``JournalError/Code-swift.struct/outdated``
    /// (`plan` opens journals so: an upgrade closes pending intents, and a running `apply` may
    /// own them).
    public init(path: String, writer: JournalWriter, upgrade: Bool = true) async throws(JournalError) {
        let queue = DispatchQueue(label: "devopsdefender.journal")
        self.path = path
        self.writer = writer
        self.queue = queue
        self.connection = try await Self.run(on: queue) { () throws(JournalError) in
            let connection = try SQLiteConnection(path: path, schema: Self.schema)
            try Self.migrate(connection, path: path, upgrade: upgrade)
            return connection
        }
    }

    /// Brings a journal written by an older version up to date, or throws `outdated` when
    /// `upgrade` is false and it needs it. Journals from before the action's fields existed
    /// have pending intents with no fields to settle by (their rendering is never parsed): those
    /// are closed as `failed`, so the next plan decides again and the deterministic names make a
    /// repeated create find its object. Journals from before writers existed were written by
    /// `apply` alone: their intents become the reconciler's.
    static func migrate(_ connection: SQLiteConnection, path: String, upgrade: Bool) throws(JournalError) {
        let columns = Set(try connection.query("PRAGMA table_info(intents)", []) { $0.text(1) })
        let missing = ["operation", "writer"].filter { !columns.contains($0) }
        guard !missing.isEmpty else { return }
        guard upgrade else {
            throw JournalError(.outdated, "\(path) was written by an older version; run apply once to upgrade it")
        }
        if missing.contains("operation") {
            for column in ["operation", "kind", "qualifier"] {
                try connection.execute("ALTER TABLE intents ADD COLUMN \(column) TEXT", [])
            }
            try connection.execute("UPDATE intents SET state = 'failed' WHERE state = 'pending'", [])
        }
        if missing.contains("writer") {
            try connection.execute("ALTER TABLE intents ADD COLUMN writer TEXT NOT NULL DEFAULT 'reconciler'", [])
        }
    }

    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS intents (
            action_id TEXT PRIMARY KEY,
            resource TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            started_at INTEGER NOT NULL,
            finished_at INTEGER,
            operation TEXT,
            kind TEXT,
            qualifier TEXT,
            writer TEXT NOT NULL DEFAULT 'reconciler'
        )
        """,
        "CREATE TABLE IF NOT EXISTS ingress (tunnel_id TEXT PRIMARY KEY, rules TEXT NOT NULL, verified_at INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS applied_revisions (environment TEXT PRIMARY KEY, revision TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    ]

    /// Records the intent as this journal's writer's. A pending intent for the same action is
    /// resumed whoever wrote it, and becomes this writer's.
    public func begin(_ action: ActionID, now: Int64) async throws(JournalError) -> Intent {
        let writer = self.writer
        return try await self.withConnection { connection throws(JournalError) in
            let key = action.description
            let existing = try Self.intents(connection, where: "action_id = ?1", [key]).first
            let (intent, resumed) = Intent.begin(after: existing, action: action, now: now)
            if resumed {
                try connection.execute(
                    "UPDATE intents SET attempts = ?2, writer = ?3 WHERE action_id = ?1",
                    [key, String(intent.attempts), self.writer.rawValue]
                )
            } else {
                try connection.execute(
                    """
                    INSERT OR REPLACE INTO intents
                        (action_id, resource, idempotency_key, state, attempts, started_at, operation, kind, qualifier, writer)
                    VALUES (?1, ?2, ?3, 'pending', 1, ?4, ?5, ?6, NULLIF(?7, ''), ?8)
                    """,
                    [
                        key, action.name, intent.idempotencyKey, String(now),
                        action.operation.rawValue, action.resource.rawValue, action.qualifier ?? "", writer.rawValue,
                    ]
                )
            }
            return intent
        }
    }

    public func finish(_ action: ActionID, state: Intent.State, now: Int64) async throws(JournalError) {
        try await self.withConnection { connection throws(JournalError) in
            try connection.execute(
                "UPDATE intents SET state = ?2, finished_at = ?3 WHERE action_id = ?1",
                [action.description, state.rawValue, String(now)]
            )
        }
    }

    /// This writer's pending intents.
    public func unfinished() async throws(JournalError) -> [Intent] {
        let writer = self.writer
        return try await self.withConnection { connection throws(JournalError) in
            try Self.intents(connection, where: "state = 'pending' AND writer = ?1 ORDER BY started_at, action_id", [writer.rawValue])
        }
    }

    /// Every writer's pending intents (what `plan` protects while an `apply` runs).
    public func unfinishedByAnyWriter() async throws(JournalError) -> [Intent] {
        try await self.withConnection { connection throws(JournalError) in
            try Self.intents(connection, where: "state = 'pending' ORDER BY started_at, action_id", [])
        }
    }

    /// The intents matching `condition` that carry their action's fields (every one written
    /// since the fields exist; ``migrate(_:)`` closed the older ones).
    static func intents(_ connection: SQLiteConnection, where condition: String, _ arguments: [String]) throws(JournalError) -> [Intent] {
        try connection.query(
            """
            SELECT operation, kind, resource, qualifier, idempotency_key, state, attempts, started_at FROM intents
            WHERE operation IS NOT NULL AND \(condition)
            """,
            arguments
        ) { row -> Intent? in
            guard let operation = PlanAction.Operation(rawValue: row.text(0)), let kind = PlanAction.Resource(rawValue: row.text(1))
            else { return nil }
            let qualifier = row.text(3)
            return Intent(
                action: ActionID(operation, kind, row.text(2), qualifier: qualifier.isEmpty ? nil : qualifier),
                idempotencyKey: row.text(4),
                state: Intent.State(rawValue: row.text(5)) ?? .pending,
                attempts: Int(row.integer(6)),
                startedAt: row.integer(7)
            )
        }.compactMap { $0 }
    }

    // MARK: The queue

    /// Runs `body` with the connection on the journal's queue.
    func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (SQLiteConnection) throws(JournalError) -> T
    ) async throws(JournalError) -> T {
        let connection = self.connection
        return try await Self.run(on: self.queue) { () throws(JournalError) in try body(connection) }
    }

    /// Runs `body` on `queue`, suspending (not blocking) the caller until it finishes.
    private static func run<T: Sendable>(
        on queue: DispatchQueue,
        _ body: @escaping @Sendable () throws(JournalError) -> T
    ) async throws(JournalError) -> T {
        let result: Result<T, JournalError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(JournalError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
