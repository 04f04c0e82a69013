import Reconciler

/// Where an environment's desired state comes from: the fleet repository (``GitDesiredState``)
/// or, without git, a file re-read on every pass. The loop asks it on every pass, so at most one
/// fetch per environment runs at a time.
public protocol DesiredStateSource: Sendable {
    /// What the status shows as the source (never a credential).
    var description: SourceDescription { get }
    /// Looks at the source's head. `applied` is the revision the environment is reconciled
    /// towards (nil before the first), `approved` a revision an operator approved although it
    /// does not fast-forward.
    func poll(applied: Revision?, approved: Revision?) async -> SourcePoll
    /// The desired state at `revision` (a revision accepted earlier: no policy is applied), used
    /// to restore the applied revision's target after a restart.
    func load(_ revision: Revision) async -> SourcePoll
}
