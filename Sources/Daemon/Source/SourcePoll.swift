import Reconciler

/// What a look at the source found.
public enum SourcePoll: Sendable {
    /// The head is the applied revision: keep reconciling towards it.
    case unchanged(head: Revision)
    /// A new revision passed every check: reconcile towards its target from now on.
    case accepted(DesiredRevision)
    /// The source could not be read (`FetchFailed`, `FileMissing`, `InvalidSpec`); keep the last
    /// good revision and keep healing drift against it.
    case unready(head: Revision?, reason: String, message: String, diagnostics: [String])
    /// The head may not be applied until an operator acts (`NonFastForward`, `Unverified`);
    /// nothing is deleted meanwhile and the last good revision stays.
    case stalled(head: Revision, reason: String, message: String)
}
