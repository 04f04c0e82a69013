import Reconciler

/// Checks commit signatures (the SSH `allowed_signers` verifier in production).
public protocol CommitVerifier: Sendable {
    /// The first commit of `commits` (oldest first) that does not carry a valid signature from
    /// an allowed signer, and why; nil when every one does.
    func firstRejected(_ commits: [CommitRecord]) -> CommitRejection?
}

/// A commit the verifier refused.
public struct CommitRejection: Sendable, Hashable {
    /// The commit.
    public var revision: Revision
    /// Why (`unsigned`, `unknown signer SHA256:…`, `bad signature`, `wrong namespace file`).
    public var reason: String

    /// Creates a rejection.
    public init(revision: Revision, reason: String) {
        self.revision = revision
        self.reason = reason
    }
}
