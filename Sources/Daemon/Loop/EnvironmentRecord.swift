import Reconciler

/// What a loop knows of its environment, and how each pass and each look at the source change
/// it: pure, so the status logic is tested without a loop.
struct EnvironmentRecord: Sendable {
    /// How a pass ended, for the loop.
    struct PassResult: Sendable {
        /// The schedule treats it as a success (no backoff).
        var succeeded: Bool
        /// Run another pass at once (to confirm that what was just applied converged).
        var requeue: Bool
        /// One word for the log (and the metrics' `result` label).
        var summary: String
        /// Nothing was left to change at the revision.
        var converged = false
    }

    /// Passes in a row that applied changes before the loop waits for the timer instead of
    /// requeueing (a plan that never converges must not spin).
    static let requeueLimit = 3

    var status: EnvironmentStatus
    var desired: DesiredRevision?
    var approved: Revision?
    var lastPlan: RenderedPlan?
    var nextTrigger: WakeReason = .start
    /// Why the source will not move on by itself, while it will not.
    var sourceStall: (reason: String, message: String)?
    var applyingPasses = 0

    init(environment: String, source: SourceDescription, now: Int64) {
        self.status = EnvironmentStatus(name: environment, now: now)
    }

    /// An operator approved `revision`: a `NonFastForward` stall on it is lifted at once (so `wait` right after
    /// `approve` does not read the old verdict); the next pass applies it.
    mutating func approve(_ revision: Revision, now: Int64) {
        self.approved = revision
        guard self.sourceStall?.reason == "NonFastForward", self.status.observedRevision == revision else { return }
        self.sourceStall = nil
        self.status.conditions.set(
            .stalled,
            .false,
            reason: "Approved",
            message: "\(revision.short) was approved; the next pass applies it",
            now: now
        )
        self.status.conditions.set(.ready, .false, reason: "Progressing", message: "reconciling towards the approved \(revision.short)", now: now)
    }

    mutating func beginPass(now: Int64) {
        self.status.conditions.set(.reconciling, .true, reason: "Progressing", message: "a pass is running", now: now)
    }

    /// Takes a poll's answer; returns a newly accepted revision (to persist).
    mutating func absorb(_ poll: SourcePoll, now: Int64) -> Revision? {
        switch poll {
        case .unchanged(let head):
            // The head is the applied revision again (say, a force-push was undone): nothing is
            // refused any more. Without a target (the applied revision could not be loaded after
            // a restart) the load's verdict stands.
            self.status.observedRevision = head
            guard self.desired != nil else { return nil }
            self.sourceReady(head: head, now: now)
            self.sourceStall = nil
            self.markVerified(self.desired?.verified, now: now)
            return nil
        case .accepted(let desired):
            return self.accept(desired, now: now)
        case .unready(let head, let reason, let message, let diagnostics):
            if let head { self.status.observedRevision = head }
            // A head judged invalid replaces a head refused before; a failed fetch judges nothing.
            if reason != "FetchFailed" { self.sourceStall = nil }
            self.status.diagnostics = diagnostics
            self.status.conditions.set(.sourceReady, .false, reason: reason, message: message, now: now)
            return nil
        case .stalled(let head, let reason, let message):
            self.status.observedRevision = head
            self.sourceStall = (reason, message)
            if reason == "Unverified" {
                self.status.conditions.set(.sourceVerified, .false, reason: reason, message: message, now: now)
            } else {
                self.sourceReady(head: head, now: now)
            }
            self.status.conditions.set(.stalled, .true, reason: reason, message: message, now: now)
            return nil
        }
    }

    /// `SourceVerified` for an accepted revision: verified, or no signers configured (nil).
    private mutating func markVerified(_ verified: Bool?, now: Int64) {
        switch verified {
        case true?:
            self.status.conditions.set(.sourceVerified, .true, reason: "Verified", message: "every new commit carries an allowed signature", now: now)
        case false?: break
        case nil: self.status.conditions.set(.sourceVerified, .true, reason: "NotRequired", message: "no allowed signers are configured", now: now)
        }
    }

    private mutating func sourceReady(head: Revision, now: Int64) {
        self.status.diagnostics = []
        self.status.conditions.set(.sourceReady, .true, reason: "Fetched", message: "the branch head is \(head.short)", now: now)
    }

    private mutating func accept(_ desired: DesiredRevision, now: Int64) -> Revision? {
        let isNew = desired.revision != self.status.appliedRevision
        self.desired = desired
        self.sourceStall = nil
        // An approval has served once a revision is accepted (the approved one or a descendant).
        self.approved = nil
        self.status.observedRevision = desired.revision
        self.status.appliedRevision = desired.revision
        self.sourceReady(head: desired.revision, now: now)
        if isNew {
            self.status.conditions.set(
                .ready,
                .false,
                reason: "Progressing",
                message: "reconciling towards the new revision \(desired.revision.short)",
                now: now
            )
        }
        self.markVerified(desired.verified, now: now)
        return isNew ? desired.revision : nil
    }

    /// Records a pass that had no revision to reconcile towards.
    mutating func finishPassWithoutTarget(trigger: WakeReason, started: Int64, now: Int64) {
        self.status.conditions.set(.reconciling, .false, reason: "Failed", message: "no valid revision of the fleet file yet", now: now)
        self.status.conditions.set(
            .ready,
            .false,
            reason: "NoRevision",
            message: "no valid revision of the fleet file yet; see SourceReady",
            now: now
        )
        self.status.lastPass = PassSummary(result: "error", revision: nil, startedAt: started, finishedAt: now, trigger: trigger)
    }

    /// Records a pass's report.
    mutating func finishPass(_ report: PassReport, desired: DesiredRevision, trigger: WakeReason, started: Int64, now: Int64) -> PassResult {
        if let (plan, inputs) = report.plan { self.lastPlan = RenderedPlan(revision: desired.revision, plan: plan, inputs: inputs) }
        let verdict = PassVerdict(report)
        var summary = PassSummary(
            result: verdict.result,
            revision: desired.revision.hex,
            startedAt: started,
            finishedAt: now,
            trigger: trigger
        )
        if let (plan, _) = report.plan {
            (summary.create, summary.update, summary.delete) = (plan.summary.create, plan.summary.update, plan.summary.delete)
            summary.withheld = plan.withheld.count
        }
        summary.failed = verdict.failedActions
        self.status.lastPass = summary
        self.applyingPasses = verdict.applied ? self.applyingPasses + 1 : 0
        self.setConditions(verdict, now: now)
        let requeue = verdict.applied && verdict.succeeded && self.applyingPasses < Self.requeueLimit
        return PassResult(succeeded: verdict.succeeded, requeue: requeue, summary: verdict.result, converged: verdict.converged)
    }

    private mutating func setConditions(_ verdict: PassVerdict, now: Int64) {
        self.status.conditions.set(.reconciling, .false, reason: verdict.succeeded ? "Succeeded" : "Failed", message: verdict.message, now: now)
        if verdict.converged {
            self.status.conditions.set(.ready, .true, reason: "Converged", message: "nothing to change at the applied revision", now: now)
        } else {
            self.status.conditions.set(.ready, .false, reason: verdict.reason, message: verdict.message, now: now)
        }
        if let stall = self.sourceStall {
            self.status.conditions.set(.stalled, .true, reason: stall.reason, message: stall.message, now: now)
        } else if verdict.refused {
            self.status.conditions.set(.stalled, .true, reason: "PlanRefused", message: verdict.message, now: now)
        } else {
            self.status.conditions.set(.stalled, .false, reason: "None", message: "nothing waits on an operator", now: now)
        }
    }
}
