/// Durable intents, written before every mutation (see ``Intent``). A port: the SQLite store
/// (`SQLiteStore`) and ``MemoryJournal`` implement it. Its calls are `async` so that a store's
/// blocking writes (an fsync per intent) run off the cooperative thread pool.
public protocol IntentJournal: Sendable {
    /// Records the intent to perform `action`. An unfinished intent for the same action is
    /// resumed: its idempotency key is returned again.
    func begin(_ action: ActionID, now: Int64) async throws(JournalError) -> Intent
    /// Records the outcome of `action`.
    func finish(_ action: ActionID, state: Intent.State, now: Int64) async throws(JournalError)
    /// Every intent still pending.
    func unfinished() async throws(JournalError) -> [Intent]
}
