import Synchronization

/// An intent journal in memory: for tests, benchmarks and `plan` (which never mutates).
public final class MemoryJournal: IntentJournal {
    private let intents = Mutex<[String: Intent]>([:])

    /// An empty journal.
    public init() {}

    public func begin(_ action: ActionID, now: Int64) throws(JournalError) -> Intent {
        self.intents.withLock { intents in
            let intent = Intent.begin(after: intents[action.description], action: action, now: now).intent
            intents[action.description] = intent
            return intent
        }
    }

    public func finish(_ action: ActionID, state: Intent.State, now: Int64) throws(JournalError) {
        self.intents.withLock { $0[action.description]?.state = state }
    }

    public func unfinished() throws(JournalError) -> [Intent] {
        self.intents.withLock { $0.values.filter { $0.state == .pending }.sorted { $0.actionID < $1.actionID } }
    }
}
