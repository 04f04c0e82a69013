import Dispatch
import Reconciler

/// The intent journal — and the ingress cache (``IngressCache``) — in a SQLite file (WAL,
/// synchronous=FULL: an intent is on disk before the call it announces is made). One
/// connection; every statement runs on a private serial queue, so the blocking open and each
/// write's fsync hold a Dispatch thread, never one of the cooperative pool.
public final class SQLiteJournal: IntentJournal {
    /// The database file.
    public let path: String
    /// Used only on ``queue``.
    private let connection: SQLiteConnection
    private let queue: DispatchQueue

    /// Opens (creating if needed) the journal at `path`.
    public init(path: String) async throws(JournalError) {
        let queue = DispatchQueue(label: "devopsdefender.journal")
        self.path = path
        self.queue = queue
        self.connection = try await Self.run(on: queue) { () throws(JournalError) in
            let connection = try SQLiteConnection(path: path, schema: Self.schema)
            try Self.migrate(connection)
            return connection
        }
    }

    /// Adds the action's fields beside its rendering (`action_id`) to a journal written before
    /// they existed. Its pending intents carry no fields to settle by, and their rendering is
    /// never parsed, so they are closed as `failed`: the next plan decides again, and the
    /// deterministic names make a repeated create find its object.
    static func migrate(_ connection: SQLiteConnection) throws(JournalError) {
        let columns = Set(try connection.query("PRAGMA table_info(intents)", []) { $0.text(1) })
        guard !columns.contains("operation") else { return }
        for column in ["operation", "kind", "qualifier"] {
            try connection.execute("ALTER TABLE intents ADD COLUMN \(column) TEXT", [])
        }
        try connection.execute("UPDATE intents SET state = 'failed' WHERE state = 'pending'", [])
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
            qualifier TEXT
        )
        """,
        "CREATE TABLE IF NOT EXISTS ingress (tunnel_id TEXT PRIMARY KEY, rules TEXT NOT NULL, verified_at INTEGER NOT NULL)",
    ]

    public func begin(_ action: ActionID, now: Int64) async throws(JournalError) -> Intent {
        try await self.withConnection { connection throws(JournalError) in
            let key = action.description
            let existing = try Self.intents(connection, where: "action_id = ?1", [key]).first
            let (intent, resumed) = Intent.begin(after: existing, action: action, now: now)
            if resumed {
                try connection.execute("UPDATE intents SET attempts = ?2 WHERE action_id = ?1", [key, String(intent.attempts)])
            } else {
                try connection.execute(
                    """
                    INSERT OR REPLACE INTO intents (action_id, resource, idempotency_key, state, attempts, started_at, operation, kind, qualifier)
                    VALUES (?1, ?2, ?3, 'pending', 1, ?4, ?5, ?6, NULLIF(?7, ''))
                    """,
                    [
                        key, action.name, intent.idempotencyKey, String(now),
                        action.operation.rawValue, action.resource.rawValue, action.qualifier ?? "",
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

    public func unfinished() async throws(JournalError) -> [Intent] {
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
