/// Durable intents, written before every mutation (see ``Intent``). A port: the SQLite store
/// (`SQLiteStore`) and ``MemoryJournal`` implement it. Its calls are `async` so that a store's
/// blocking writes (an fsync per intent) run off the cooperative thread pool.
public protocol IntentJournal: Sendable {
    /// Records the intent to perform `actionID` on `resource`. An unfinished intent for the same
    /// action is resumed: its idempotency key is returned again.
    func begin(actionID: String, resource: String, now: Int64) async throws(JournalError) -> Intent
    /// Records the outcome.
    func finish(actionID: String, state: Intent.State, now: Int64) async throws(JournalError)
    /// Every intent still pending.
    func unfinished() async throws(JournalError) -> [Intent]
}
