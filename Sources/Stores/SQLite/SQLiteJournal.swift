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
            try SQLiteConnection(path: path, schema: Self.schema)
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
            finished_at INTEGER
        )
        """,
        "CREATE TABLE IF NOT EXISTS ingress (tunnel_id TEXT PRIMARY KEY, rules TEXT NOT NULL, verified_at INTEGER NOT NULL)",
    ]

    public func begin(actionID: String, resource: String, now: Int64) async throws(JournalError) -> Intent {
        try await self.withConnection { connection throws(JournalError) in
            let existing = try Self.intents(connection, where: "action_id = ?1", [actionID]).first
            let (intent, resumed) = Intent.begin(after: existing, actionID: actionID, resource: resource, now: now)
            if resumed {
                try connection.execute("UPDATE intents SET attempts = ?2 WHERE action_id = ?1", [actionID, String(intent.attempts)])
            } else {
                try connection.execute(
                    "INSERT OR REPLACE INTO intents (action_id, resource, idempotency_key, state, attempts, started_at) VALUES (?1, ?2, ?3, 'pending', 1, ?4)",
                    [actionID, resource, intent.idempotencyKey, String(now)]
                )
            }
            return intent
        }
    }

    public func finish(actionID: String, state: Intent.State, now: Int64) async throws(JournalError) {
        try await self.withConnection { connection throws(JournalError) in
            try connection.execute(
                "UPDATE intents SET state = ?2, finished_at = ?3 WHERE action_id = ?1",
                [actionID, state.rawValue, String(now)]
            )
        }
    }

    public func unfinished() async throws(JournalError) -> [Intent] {
        try await self.withConnection { connection throws(JournalError) in
            try Self.intents(connection, where: "state = 'pending' ORDER BY started_at, action_id", [])
        }
    }

    static func intents(_ connection: SQLiteConnection, where condition: String, _ arguments: [String]) throws(JournalError) -> [Intent] {
        try connection.query(
            "SELECT action_id, resource, idempotency_key, state, attempts, started_at FROM intents WHERE \(condition)",
            arguments
        ) { row in
            Intent(
                actionID: row.text(0),
                resource: row.text(1),
                idempotencyKey: row.text(2),
                state: Intent.State(rawValue: row.text(3)) ?? .pending,
                attempts: Int(row.integer(4)),
                startedAt: row.integer(5)
            )
        }
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
