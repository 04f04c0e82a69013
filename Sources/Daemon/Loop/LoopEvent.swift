import Reconciler

/// What the loop's one event stream carries: everything that can start a pass goes through it,
/// so only the loop decides when passes run.
enum LoopEvent: Sendable {
    /// Something may need a pass.
    case wake(WakeReason)
    /// A timer armed as number `generation` ran out (older generations are ignored).
    case timer(generation: UInt64)
    /// The running pass ended.
    case passFinished(succeeded: Bool, requeue: Bool)
    /// Stop starting passes.
    case suspend
    /// Start again.
    case resume
}
