import Reconciler

/// How a pass's report reads for the status.
struct PassVerdict: Sendable {
    /// `converged`, `applied`, `failed`, `refused`, `unreadable` or `error`.
    var result: String
    /// The `Ready` reason when not converged.
    var reason: String
    /// One sentence.
    var message: String
    /// The schedule counts it a success.
    var succeeded: Bool
    /// Nothing was left to change.
    var converged: Bool
    /// Changes were applied.
    var applied: Bool
    /// A safety rail refused the plan.
    var refused: Bool
    /// Actions that failed.
    var failedActions: Int

    init(_ report: PassReport) {
        self.failedActions = 0
        self.applied = false
        self.refused = false
        self.converged = false
        switch report.outcome {
        case nil:
            (self.result, self.reason, self.succeeded) = ("error", "PassFailed", false)
            self.message = "the pass could not run: \(report.error ?? "unknown error")"
        case .unreadable(let sources)?:
            (self.result, self.reason, self.succeeded) = ("unreadable", "SourceUnreadable", false)
            self.message = "cannot read \(sources.map(\.name.rawValue).joined(separator: ", ")); nothing was planned"
        case .refused(let plan)?:
            (self.result, self.reason, self.succeeded, self.refused) = ("refused", "PlanRefused", true, true)
            self.message = plan.refusals.map { "\($0.code): \($0.message)" }.joined(separator: "; ")
        case .converged(let plan)?:
            (self.result, self.reason, self.succeeded, self.converged) = ("converged", "Converged", true, true)
            self.message = plan.withheld.isEmpty ? "nothing to change" : "nothing to change; \(plan.withheld.count) action(s) withheld"
        case .applied(let plan, let report)?:
            self.applied = true
            self.failedActions = report.failed.count
            self.succeeded = report.succeeded
            (self.result, self.reason) = report.succeeded ? ("applied", "Progressing") : ("failed", "ApplyFailed")
            self.message = report.succeeded ? "applied \(plan.actions.count) action(s)" : "\(report.failed.count) action(s) failed"
        case .stale?, .declined?, .changedDuringApproval?:
            (self.result, self.reason, self.succeeded) = ("error", "NotApplied", false)
            self.message = "the plan was not applied"
        }
    }
}
