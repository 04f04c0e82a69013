import Reconciler

/// What the control plane's routes may ask of an environment's loop, whatever its clock.
public protocol EnvironmentControl: Sendable {
    /// The environment's name.
    var environment: String { get }
    /// Its status now.
    func status() async -> EnvironmentStatus
    /// Its last plan, rendered.
    func lastPlan() async -> RenderedPlan?
    /// Lets a revision that does not fast-forward be applied.
    func approve(_ revision: Revision) async
    /// Asks for a pass.
    func wake(_ reason: WakeReason)
    /// Stops starting passes.
    func suspend()
    /// Starts passes again.
    func resume()
}

extension EnvironmentLoop: EnvironmentControl {}
