/// Why a reconcile loop woke. Every reason leads to the same level-triggered pass; the reason
/// is kept for logs and the status.
public enum WakeReason: String, Sendable, Hashable, Codable {
    /// The loop started.
    case start
    /// The resync timer (or a backoff) ran out.
    case timer
    /// A webhook delivery said the repository changed.
    case webhook
    /// An agent registered.
    case registry
    /// An agent fell silent long enough to turn stale.
    case agentStale
    /// An operator resumed the environment.
    case resumed
    /// A wake arrived while a pass was running.
    case pending
    /// An operator approved a revision.
    case approval
}
