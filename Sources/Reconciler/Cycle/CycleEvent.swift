/// What a cycle reports while it runs, for a progress display or a log.
public enum CycleEvent: Sendable {
    /// Intents an interrupted run left pending: how many, and how many the observation settled
    /// (the rest are resumed under their idempotency keys).
    case journalSettled(pending: Int, settled: Int)
    /// The plan, before approval, and its inputs (what `plan --out` would save with it).
    case planned(Plan, PlanInputs)
    /// The approval took long enough that the world is being observed again.
    case reobserving
    /// An action started or finished.
    case progress(ApplyEvent)
}

/// How one cycle ended.
public enum CycleOutcome: Sendable {
    /// A source could not be read at all; nothing was planned.
    case unreadable([SourceStatus])
    /// A safety rail refused the plan; nothing was changed.
    case refused(Plan)
    /// A saved plan no longer matches the spec, the world or its actions; nothing was changed.
    case stale(reasons: [String])
    /// Nothing to change (some actions may have been withheld: see ``Plan/withheldDeletions``).
    case converged(Plan)
    /// The approval was declined; nothing was changed.
    case declined(Plan)
    /// The world changed while waiting for approval; nothing was changed.
    case changedDuringApproval(Plan)
    /// The plan ran.
    case applied(Plan, ApplyReport)
}
