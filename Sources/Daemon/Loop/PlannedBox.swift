import Reconciler
import Synchronization

/// Holds the plan a cycle reports through its event callback.
final class PlannedBox: Sendable {
    private let stored = Mutex<(Plan, PlanInputs)?>(nil)

    /// Keeps the plan.
    func set(_ plan: Plan, _ inputs: PlanInputs) { self.stored.withLock { $0 = (plan, inputs) } }

    /// The plan, once reported.
    var value: (Plan, PlanInputs)? { self.stored.withLock { $0 } }
}
