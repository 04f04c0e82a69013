import CSQLite
import Reconciler

/// One SQLite connection and the statements the store runs on it. Not thread-safe by itself:
/// ``SQLiteJournal`` uses it only on its serial queue, which is what makes it `Sendable`.
final class SQLiteConnection: @unchecked Sendable {
    /// The database file, for messages.
    let path: String
    private let handle: OpaquePointer

    /// Opens (creating if needed) the database at `path` and prepares its tables (WAL,
    /// synchronous=FULL: a write is on disk when the call returns). Blocks: call it on the queue.
    init(path: String, schema: [String]) throws(JournalError) {
        self.path = path
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw JournalError(.open, "cannot open the journal \(path): \(message); set --journal to a writable path")
        }
        sqlite3_busy_timeout(handle, 5000)
        for statement in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"] + schema {
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

    /// Runs a statement that returns no rows, binding `arguments` as text to `?1`, `?2`, ….
    func execute(_ sql: String, _ arguments: [String]) throws(JournalError) {
        let statement = try self.prepare(sql, arguments)
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_DONE else { throw self.error() }
    }

    /// Runs a query and makes one value of each row with `row`.
    func query<Row>(_ sql: String, _ arguments: [String], row: (SQLiteRow) -> Row) throws(JournalError) -> [Row] {
        let statement = try self.prepare(sql, arguments)
        defer { sqlite3_finalize(statement) }
        var rows: [Row] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw self.error() }
            rows.append(row(SQLiteRow(statement: statement)))
        }
        return rows
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func prepare(_ sql: String, _ arguments: [String]) throws(JournalError) -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(self.handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else { throw self.error() }
        for (index, argument) in arguments.enumerated() {
            sqlite3_bind_text(statement, Int32(index + 1), argument, -1, Self.transient)
        }
        return statement
    }

    private func error() -> JournalError {
        JournalError(.io, "\(self.path): \(String(cString: sqlite3_errmsg(self.handle)))")
    }
}

/// The current row of a query, read by column index.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    /// The column as text (empty when NULL).
    func text(_ column: Int32) -> String {
        sqlite3_column_text(self.statement, column).map { String(cString: $0) } ?? ""
    }

    /// The column as an integer.
    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(self.statement, column) }
}
