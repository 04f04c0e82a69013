import Reconciler

/// A revision of the fleet file that passed the source's checks, expanded into what a cycle
/// converges towards.
public struct DesiredRevision: Sendable {
    /// The commit (for a plain file, a pseudo-revision: the SHA-1-length prefix of its digest).
    public var revision: Revision
    /// The expanded fleet file.
    public var target: ReconcileTarget
    /// True when the commits up to it carry allowed signatures; nil when no signers are configured.
    public var verified: Bool?
    /// The commit's committer timestamp, in seconds since 1970; nil for a plain file (the loop
    /// then measures from when it accepted the revision).
    public var committedAt: Int64?

    /// Creates one.
    public init(revision: Revision, target: ReconcileTarget, verified: Bool?, committedAt: Int64? = nil) {
        self.revision = revision
        self.target = target
        self.verified = verified
        self.committedAt = committedAt
    }
}
