import Reconciler

/// One reconcile pass towards a target: the reconcile cycle `apply` runs, with its journal and
/// every safety rail, approved automatically. A port, so the loop can be tested on its own.
public protocol ReconcilePass: Sendable {
    /// Runs the cycle once towards `desired`'s target.
    func reconcile(_ desired: DesiredRevision) async -> PassReport
}

/// What a pass found and did.
public struct PassReport: Sendable {
    /// How the cycle ended; nil when it could not run (the journal failed).
    public var outcome: CycleOutcome?
    /// The plan and its inputs, once planned.
    public var plan: (Plan, PlanInputs)?
    /// Why the cycle could not run.
    public var error: String?

    /// Creates a report.
    public init(outcome: CycleOutcome?, plan: (Plan, PlanInputs)?, error: String? = nil) {
        self.outcome = outcome
        self.plan = plan
        self.error = error
    }
}

/// The production pass: a ``ReconcileCycle`` made for each target, run under automatic approval.
public struct CyclePass<C: Clock>: ReconcilePass where C.Duration == Duration {
    /// Builds the cycle for a target (the composition root wires the ports).
    public var makeCycle: @Sendable (ReconcileTarget) -> ReconcileCycle<C>
    /// The planner's knobs (max surge, circuit breaker, previews).
    public var settings: ReconcileSettings
    /// What the journal's other writers are working on now (registration's pending intents):
    /// the pass never deletes it.
    public var inFlight: @Sendable () async -> Set<String>

    /// Creates the pass.
    public init(
        settings: ReconcileSettings,
        inFlight: @escaping @Sendable () async -> Set<String> = { [] },
        makeCycle: @escaping @Sendable (ReconcileTarget) -> ReconcileCycle<C>
    ) {
        self.settings = settings
        self.inFlight = inFlight
        self.makeCycle = makeCycle
    }

    public func reconcile(_ desired: DesiredRevision) async -> PassReport {
        let planned = PlannedBox()
        do {
            let inFlight = await self.inFlight()
            let cycle = self.makeCycle(desired.target)
            let outcome = try await cycle.reconcileOnce(settings: self.settings, approval: .automatic, inFlight: inFlight) { event in
                if case .planned(let plan, let inputs) = event { planned.set(plan, inputs) }
            }
            return PassReport(outcome: outcome, plan: planned.value)
        } catch {
            return PassReport(outcome: nil, plan: planned.value, error: "\(error)")
        }
    }
}
