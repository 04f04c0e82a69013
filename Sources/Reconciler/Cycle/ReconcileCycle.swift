import Spec

/// One reconcile cycle, the use case `plan`, `apply` and the daemon share: observe → settle the
/// journal → plan → approve → execute → tidy. The cycle decides; its caller prints and picks the
/// exit code. It holds no lock: the caller makes sure it is the only writer of its journal.
public struct ReconcileCycle<C: Clock>: Sendable where C.Duration == Duration {
    /// What to converge towards.
    public var target: ReconcileTarget
    /// Reads the world.
    public var observer: Observer
    /// Runs plans; its journal is the cycle's journal.
    public var executor: Executor<C>
    /// Wall time, in seconds since 1970.
    public var now: @Sendable () -> Int64

    /// Creates a cycle.
    public init(target: ReconcileTarget, observer: Observer, executor: Executor<C>, now: @escaping @Sendable () -> Int64) {
        self.target = target
        self.observer = observer
        self.executor = executor
        self.now = now
    }

    /// A dry run's answer.
    public enum DryRun: Sendable {
        /// A source could not be read at all; nothing was planned.
        case unreadable([SourceStatus])
        /// The plan, its inputs (for `plan --out`) and the observation it was made from.
        case planned(Plan, PlanInputs, ObservedState)
    }

    /// Observes and plans, changing nothing (the journal is only read: `inFlight` names what a
    /// concurrent apply is working on, and is never deleted).
    public func plan(settings: ReconcileSettings, inFlight: Set<String> = []) async -> DryRun {
        let observed = await self.observe()
        if !observed.unreadableSources.isEmpty { return .unreadable(observed.unreadableSources) }
        let plan = self.plan(observed, settings: settings, inFlight: inFlight)
        return .planned(plan, self.inputs(observed, settings: settings), observed)
    }

    /// Runs one cycle under `approval`, reporting progress through `events`.
    /// `inFlight` names what another writer of the journal is working on right now (a control
    /// plane's registration): never deleted by this cycle.
    public func reconcileOnce(
        settings: ReconcileSettings,
        approval: ApprovalPolicy,
        inFlight: Set<String> = [],
        events: @escaping @Sendable (CycleEvent) -> Void = { _ in }
    ) async throws(JournalError) -> CycleOutcome {
        let observed = await self.observe()
        if !observed.unreadableSources.isEmpty { return .unreadable(observed.unreadableSources) }
        try await self.settleJournal(observed, events: events)
        let plan = self.plan(observed, settings: settings, inFlight: inFlight)
        if case .refuseIfChanged(let saved, let actions) = approval {
            let reasons = saved.staleness(current: self.inputs(observed, settings: settings), plan: plan, savedActions: actions)
            if !reasons.isEmpty { return .stale(reasons: reasons) }
        }
        events(.planned(plan, self.inputs(observed, settings: settings)))
        if plan.isRefused { return .refused(plan) }
        if plan.isEmpty { return .converged(plan) }
        if case .interactive(let ask) = approval {
            guard await ask(plan) else { return .declined(plan) }
            guard await self.unchangedAfterApproval(plan, observed: observed, settings: settings, events: events) else {
                return .changedDuringApproval(plan)
            }
        }
        let report = await self.executor.apply(plan, observed: observed) { events(.progress($0)) }
        if report.succeeded { try await self.tidyJournal(after: plan, observed: observed) }
        return .applied(plan, report)
    }

    // MARK: Steps

    /// Reads the world as the target's fleet sees it.
    public func observe() async -> ObservedState {
        await self.observer.observe(marks: self.target.marks, ingressFor: self.target.wantedTunnels, now: self.now())
    }

    /// Plans against `observed` with `settings`.
    public func plan(_ observed: ObservedState, settings: ReconcileSettings, inFlight: Set<String>) -> Plan {
        Planner.plan(
            desired: self.target.desired,
            observed: observed,
            marks: self.target.marks,
            options: settings.plannerOptions(now: self.now(), inFlight: inFlight)
        )
    }

    /// The inputs of a plan made from `observed` with `settings`.
    public func inputs(_ observed: ObservedState, settings: ReconcileSettings) -> PlanInputs {
        PlanInputs(file: self.target.file, specDigest: self.target.specDigest, observedDigest: observed.digest, settings: settings)
    }

    /// Closes the intents an interrupted run left pending that `observed` proves done. The
    /// caller holds the journal's lock, so every pending intent is an interrupted run's.
    func settleJournal(_ observed: ObservedState, events: (CycleEvent) -> Void) async throws(JournalError) {
        let journal = self.executor.journal
        let unfinished = try await journal.unfinished()
        let settled = JournalSettlement.settle(unfinished, observed: observed)
        for intent in settled { try await journal.finish(intent.action, state: .done, now: self.now()) }
        if !unfinished.isEmpty { events(.journalSettled(pending: unfinished.count, settled: settled.count)) }
    }

    /// After a slow approval, observes again: true when the world and the plan are as approved.
    func unchangedAfterApproval(
        _ plan: Plan,
        observed: ObservedState,
        settings: ReconcileSettings,
        events: (CycleEvent) -> Void
    ) async -> Bool {
        guard self.now() - observed.observedAt > settings.maximumSnapshotAge else { return true }
        events(.reobserving)
        let fresh = await self.observe()
        guard fresh.unreadableSources.isEmpty, fresh.digest == observed.digest else { return false }
        return self.plan(fresh, settings: settings, inFlight: []).actions.map(\.id) == plan.actions.map(\.id)
    }

    /// After a complete observation and a successful run, an intent still pending that the plan
    /// did not need is obsolete (its object exists, is gone, or is no longer wanted).
    func tidyJournal(after plan: Plan, observed: ObservedState) async throws(JournalError) {
        guard observed.isComplete else { return }
        let journal = self.executor.journal
        let planned = Set(plan.actions.map(\.id))
        for intent in try await journal.unfinished() where !planned.contains(intent.actionID) {
            try await journal.finish(intent.action, state: .done, now: self.now())
        }
    }
}
