import CSQLite
import Spec
import Synchronization

/// The intent journal — and the ingress cache (``IngressCache``) — in a SQLite file (WAL, synchronous=FULL: an intent is on disk before the
/// call it announces is made). One connection, serialised by a lock.
public final class SQLiteJournal: IntentJournal {
    /// The database file.
    public let path: String
    /// The connection; every use holds ``lock``.
    private nonisolated(unsafe) let handle: OpaquePointer
    private let lock = Mutex<Void>(())

    /// Opens (creating if needed) the journal at `path`.
    public init(path: String) throws(JournalError) {
        self.path = path
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw JournalError(.open, "cannot open the journal \(path): \(message); set --journal to a writable path")
        }
        sqlite3_busy_timeout(handle, 5000)
        for statement in [
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
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
        ] {
            var error: UnsafeMutablePointer<CChar>?
            if sqlite3_exec(handle, statement, nil, nil, &error) != SQLITE_OK {
                let message = error.map { String(cString: $0) } ?? "unknown error"
                sqlite3_free(error)
                sqlite3_close(handle)
                throw JournalError(.open, "cannot prepare the journal \(path): \(message)")
            }
        }
        self.handle = handle
    }

    deinit {
        sqlite3_close(self.handle)
    }

    public func begin(actionID: String, resource: String, now: Int64) throws(JournalError) -> Intent {
        try self.withConnection { handle throws(JournalError) in
            let existing = try Self.query(
                handle,
                "SELECT action_id, resource, idempotency_key, state, attempts, started_at FROM intents WHERE action_id = ?1",
                [actionID],
                path: self.path
            ).first
            let (intent, resumed) = Intent.begin(after: existing, actionID: actionID, resource: resource, now: now)
            if resumed {
                try Self.execute(
                    handle,
                    "UPDATE intents SET attempts = ?2 WHERE action_id = ?1",
                    [actionID, String(intent.attempts)],
                    path: self.path
                )
            } else {
                try Self.execute(
                    handle,
                    "INSERT OR REPLACE INTO intents (action_id, resource, idempotency_key, state, attempts, started_at) VALUES (?1, ?2, ?3, 'pending', 1, ?4)",
                    [actionID, resource, intent.idempotencyKey, String(now)],
                    path: self.path
                )
            }
            return intent
        }
    }

    public func finish(actionID: String, state: Intent.State, now: Int64) throws(JournalError) {
        try self.withConnection { handle throws(JournalError) in
            try Self.execute(
                handle,
                "UPDATE intents SET state = ?2, finished_at = ?3 WHERE action_id = ?1",
                [actionID, state.rawValue, String(now)],
                path: self.path
            )
        }
    }

    public func unfinished() throws(JournalError) -> [Intent] {
        try self.withConnection { handle throws(JournalError) in
            try Self.query(
                handle,
                "SELECT action_id, resource, idempotency_key, state, attempts, started_at FROM intents WHERE state = 'pending' ORDER BY started_at, action_id",
                [],
                path: self.path
            )
        }
    }

    // MARK: SQLite plumbing

    private func withConnection<T>(_ body: (OpaquePointer) throws(JournalError) -> T) throws(JournalError) -> T {
        let result: Result<T, JournalError> = self.lock.withLock { _ in
            do throws(JournalError) {
                return .success(try body(self.handle))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func prepare(_ handle: OpaquePointer, _ sql: String, _ arguments: [String], path: String) throws(JournalError) -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw JournalError(.io, "\(path): \(String(cString: sqlite3_errmsg(handle)))")
        }
        for (index, argument) in arguments.enumerated() {
            sqlite3_bind_text(statement, Int32(index + 1), argument, -1, Self.transient)
        }
        return statement
    }

    private static func execute(_ handle: OpaquePointer, _ sql: String, _ arguments: [String], path: String) throws(JournalError) {
        let statement = try Self.prepare(handle, sql, arguments, path: path)
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_DONE else {
            throw JournalError(.io, "\(path): \(String(cString: sqlite3_errmsg(handle)))")
        }
    }

    private static func query(_ handle: OpaquePointer, _ sql: String, _ arguments: [String], path: String) throws(JournalError) -> [Intent] {
        let statement = try Self.prepare(handle, sql, arguments, path: path)
        defer { sqlite3_finalize(statement) }
        var intents: [Intent] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw JournalError(.io, "\(path): \(String(cString: sqlite3_errmsg(handle)))") }
            let text = { (column: Int32) in sqlite3_column_text(statement, column).map { String(cString: $0) } ?? "" }
            intents.append(
                Intent(
                    actionID: text(0),
                    resource: text(1),
                    idempotencyKey: text(2),
                    state: Intent.State(rawValue: text(3)) ?? .pending,
                    attempts: Int(sqlite3_column_int64(statement, 4)),
                    startedAt: sqlite3_column_int64(statement, 5)
                )
            )
        }
        return intents
    }

    // MARK: Ingress cache

    /// Rules as text: one `hostname<TAB>service` line each (an empty hostname is the catch-all).
    static func text(_ rules: [IngressRule]) -> String {
        rules.map { "\($0.hostname ?? "")\t\($0.service)" }.joined(separator: "\n")
    }

    static func rules(_ text: String) -> [IngressRule] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            let host = parts.first.map(String.init) ?? ""
            return IngressRule(hostname: host.isEmpty ? nil : host, service: parts.count > 1 ? String(parts[1]) : "")
        }
    }
}

extension SQLiteJournal: IngressCache {
    public func cachedIngress(for tunnelIDs: [String]) -> [String: CachedIngress] {
        let wanted = Set(tunnelIDs)
        return
            (try? self.withConnection { handle throws(JournalError) -> [String: CachedIngress] in
                let statement = try Self.prepare(handle, "SELECT tunnel_id, rules, verified_at FROM ingress", [], path: self.path)
                defer { sqlite3_finalize(statement) }
                var found: [String: CachedIngress] = [:]
                while sqlite3_step(statement) == SQLITE_ROW {
                    let id = sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? ""
                    guard wanted.contains(id) else { continue }
                    let rules = sqlite3_column_text(statement, 1).map { String(cString: $0) } ?? ""
                    found[id] = CachedIngress(rules: Self.rules(rules), verifiedAt: sqlite3_column_int64(statement, 2))
                }
                return found
            }) ?? [:]
    }

    public func storeIngress(_ rules: [IngressRule], tunnelID: String, at time: Int64) {
        try? self.withConnection { handle throws(JournalError) in
            try Self.execute(
                handle,
                "INSERT OR REPLACE INTO ingress (tunnel_id, rules, verified_at) VALUES (?1, ?2, ?3)",
                [tunnelID, Self.text(rules), String(time)],
                path: self.path
            )
        }
    }
}
