/// Progress of an apply, one event per action transition, for the CLI's live lines.
public enum ApplyEvent: Sendable {
    /// The action started.
    case started(PlanAction)
    /// The action finished, taking `elapsed`.
    case finished(PlanAction, ApplyOutcome, elapsed: Duration)
    /// The action failed (after the provider's retries).
    case failed(PlanAction, message: String)
    /// The action will retry after a pause (a stockout).
    case retrying(PlanAction, message: String, after: Duration)
    /// The action did not run because something it depends on failed.
    case skipped(PlanAction, because: String)
}

/// The outcome of an apply.
public struct ApplyReport: Sendable, Hashable {
    /// Finished actions and how.
    public var finished: [String: ApplyOutcome] = [:]
    /// Failed actions and why.
    public var failed: [String: String] = [:]
    /// Actions not run because a dependency failed.
    public var skipped: [String] = []

    /// True when every action finished.
    public var succeeded: Bool { self.failed.isEmpty && self.skipped.isEmpty }
}
