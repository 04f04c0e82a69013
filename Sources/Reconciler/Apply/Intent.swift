/// A journal record written before a mutation: which action, on which resource, with which
/// idempotency key. An intent still `pending` after a run means the run stopped mid-way; the
/// next run resumes it with the same key (so the cloud dedupes the repeat) or settles it.
public struct Intent: Sendable, Hashable {
    /// Where an intent stands.
    public enum State: String, Sendable, Hashable {
        /// Written, outcome unknown.
        case pending
        /// Finished.
        case done
        /// Failed (the next plan decides again).
        case failed
    }

    /// The plan action: its operation, kind of resource and the resource's deterministic name.
    public var action: ActionID
    /// The idempotency key sent with the call (GCE `requestId`).
    public var idempotencyKey: String
    /// The state.
    public var state: State
    /// How many runs have attempted it.
    public var attempts: Int
    /// When it was first written, in seconds since 1970.
    public var startedAt: Int64

    /// Creates an intent.
    public init(action: ActionID, idempotencyKey: String, state: State, attempts: Int, startedAt: Int64) {
        self.action = action
        self.idempotencyKey = idempotencyKey
        self.state = state
        self.attempts = attempts
        self.startedAt = startedAt
    }

    /// What `begin` records for `action`, given what the journal holds for it: a pending intent
    /// is resumed (same idempotency key, one more attempt); otherwise a fresh one starts.
    public static func begin(after existing: Intent?, action: ActionID, now: Int64) -> (intent: Intent, resumed: Bool) {
        if var intent = existing, intent.state == .pending {
            intent.attempts += 1
            return (intent, true)
        }
        let intent = Intent(
            action: action,
            idempotencyKey: IdempotencyKey.make(),
            state: .pending,
            attempts: 1,
            startedAt: now
        )
        return (intent, false)
    }

    /// The action's rendering (`create vm dd-production-web-0-1a2b3c4d`): the journal's key.
    public var actionID: String { self.action.description }
    /// The deterministic resource name.
    public var resource: String { self.action.name }
}
