public import Reconciler

/// The outcome of checking a run of commits' signatures.
public enum CommitSignatureCheck: Hashable, Sendable {
    /// Every commit (`count` of them; zero for an empty run) has a good signature.
    case verified(count: Int)
    /// `revision` is the first commit, in the order given, whose signature is not good.
    case failed(revision: Revision, verdict: SSHSignatureVerdict)
}
