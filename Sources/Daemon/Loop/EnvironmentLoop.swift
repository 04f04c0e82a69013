import Logging
import Reconciler
import ServiceLifecycle
import Synchronization

/// Keeps one environment converged: level-triggered passes (a new revision, a webhook, a
/// registry change or the resync timer wake it), at most one at a time, backing off after
/// failures, suspendable. Each pass asks the source for its head under the revision policy, then
/// runs the reconcile cycle towards the accepted revision. A `Service`: it ends on graceful
/// shutdown once the running pass has finished.
public actor EnvironmentLoop<C: Clock>: Service where C.Duration == Duration {
    /// The environment's name.
    public nonisolated let environment: String
    private let source: any DesiredStateSource
    private let pass: any ReconcilePass
    private let revisions: any RevisionStore
    private let clock: C
    private let random: @Sendable () -> Double
    private let now: @Sendable () -> Int64
    private let logger: Logger
    private let onAccepted: @Sendable (DesiredRevision) async -> Void
    private let metrics: DaemonMetrics
    /// Set once the loop is told to stop: events still buffered then start no pass.
    private nonisolated let stopping = Mutex(false)
    private nonisolated let events: AsyncStream<LoopEvent>
    private nonisolated let continuation: AsyncStream<LoopEvent>.Continuation

    private var schedule: ReconcileSchedule
    private var record: EnvironmentRecord
    private var timerGeneration: UInt64 = 0
    private var timer: Task<Void, Never>?
    /// The newest accepted revision not yet converged at, when it was accepted, and how long
    /// before that it was committed (zero when unknown, or when the committer's clock is ahead).
    private var awaitingConvergence: (revision: Revision, since: C.Instant, committedBefore: Duration)?

    /// A loop for `environment`. `random` is uniform in [0, 1) (jitter); `now` is wall time in
    /// seconds since 1970 (for the status); `onAccepted` hears of every revision the loop starts
    /// reconciling towards (the first after a restart included), before the pass runs; `metrics`
    /// reports each pass (default: through the bootstrapped `MetricsSystem`).
    public init(
        environment: String,
        source: any DesiredStateSource,
        pass: any ReconcilePass,
        revisions: any RevisionStore,
        schedule: ScheduleConfiguration = ScheduleConfiguration(),
        clock: C,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        now: @escaping @Sendable () -> Int64,
        logger: Logger = Logger(label: "devopsdefender.daemon", factory: { _ in SwiftLogNoOpLogHandler() }),
        onAccepted: @escaping @Sendable (DesiredRevision) async -> Void = { _ in },
        metrics: DaemonMetrics = DaemonMetrics()
    ) {
        self.onAccepted = onAccepted
        self.metrics = metrics
        self.environment = environment
        self.source = source
        self.pass = pass
        self.revisions = revisions
        self.clock = clock
        self.random = random
        self.now = now
        self.logger = logger
        (self.events, self.continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.schedule = ReconcileSchedule(configuration: schedule)
        self.record = EnvironmentRecord(environment: environment, source: source.description, now: now())
    }

    // MARK: Control (from any task)

    /// Asks for a pass (level-triggered: wakes during a pass fold into one more).
    public nonisolated func wake(_ reason: WakeReason) { self.continuation.yield(.wake(reason)) }

    /// Stops starting passes; the running one finishes.
    public nonisolated func suspend() { self.continuation.yield(.suspend) }

    /// Starts passes again, with one right away.
    public nonisolated func resume() { self.continuation.yield(.resume) }

    /// Lets `revision` be applied although it does not fast-forward, and wakes the loop.
    public func approve(_ revision: Revision) {
        self.record.approve(revision, now: self.now())
        self.wake(.approval)
    }

    /// The environment's status now.
    public func status() -> EnvironmentStatus {
        var status = self.record.status
        status.suspended = self.schedule.suspended
        return status
    }

    /// The last pass's plan, rendered.
    public func lastPlan() -> RenderedPlan? { self.record.lastPlan }

    // MARK: The loop

    public func run() async throws {
        await self.restore()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                self.continuation.yield(.wake(.start))
                for await event in self.events {
                    self.handle(event, group: &group)
                }
            }
        } onGracefulShutdown: {
            self.stop()
        }
        self.timer?.cancel()
    }

    /// Ends the loop (as graceful shutdown does): no new pass starts, the running one finishes.
    public nonisolated func stop() {
        self.stopping.withLock { $0 = true }
        self.continuation.finish()
    }

    private func handle(_ event: LoopEvent, group: inout DiscardingTaskGroup) {
        let action: ReconcileSchedule.Action
        switch event {
        case .wake(let reason):
            action = self.schedule.wake(reason)
            self.record.nextTrigger = reason
        case .timer(let generation):
            guard generation == self.timerGeneration else { return }
            action = self.schedule.wake(.timer)
            self.record.nextTrigger = .timer
        case .passFinished(let succeeded, let requeue):
            if requeue {
                _ = self.schedule.wake(.pending)
                self.record.nextTrigger = .pending
            }
            action = self.schedule.passFinished(succeeded: succeeded, random: self.random())
        case .suspend:
            self.schedule.suspend()
            return
        case .resume:
            action = self.schedule.resume()
        }
        self.perform(action, group: &group)
    }

    private func perform(_ action: ReconcileSchedule.Action, group: inout DiscardingTaskGroup) {
        switch action {
        case .idle:
            return
        case .sleep(let delay):
            self.arm(after: delay)
        case .startPass:
            guard !self.stopping.withLock({ $0 }) else { return }
            self.timerGeneration += 1
            let trigger = self.record.nextTrigger
            group.addTask {
                let (succeeded, requeue) = await self.runPass(trigger: trigger)
                self.continuation.yield(.passFinished(succeeded: succeeded, requeue: requeue))
            }
        }
    }

    /// Arms the timer: after `delay`, a `.timer` event of a new generation.
    private func arm(after delay: Duration) {
        self.timerGeneration += 1
        let generation = self.timerGeneration
        self.timer?.cancel()
        let clock = self.clock
        let continuation = self.continuation
        self.timer = Task {
            do {
                try await clock.sleep(for: delay)
                continuation.yield(.timer(generation: generation))
            } catch {}
        }
    }

    // MARK: A pass

    /// Reads the applied revision kept in the store (a failure is logged: the loop then starts as
    /// if new, and the policy still refuses nothing it should not delete — a first head is
    /// applied only after its checks).
    private func restore() async {
        do {
            self.record.status.appliedRevision = try await self.revisions.appliedRevision(environment: self.environment)
        } catch {
            self.logger.error("cannot read the applied revision", metadata: ["environment": "\(self.environment)", "error": "\(error)"])
        }
    }

    /// Runs one pass; answers whether it succeeded and whether another should follow at once.
    private func runPass(trigger: WakeReason) async -> (succeeded: Bool, requeue: Bool) {
        let started = self.now()
        let began = self.clock.now
        self.record.beginPass(now: started)
        await self.refreshSource()
        guard let desired = self.record.desired else {
            self.record.finishPassWithoutTarget(trigger: trigger, started: started, now: self.now())
            self.metrics.passFinished(environment: self.environment, result: "error", duration: began.duration(to: self.clock.now))
            return (false, false)
        }
        let report = await self.pass.reconcile(desired)
        let result = self.record.finishPass(report, desired: desired, trigger: trigger, started: started, now: self.now())
        self.report(result, plan: report.plan?.0, revision: desired.revision, began: began)
        self.logger.info(
            "pass finished",
            metadata: ["environment": "\(self.environment)", "result": "\(result.summary)", "revision": "\(desired.revision.short)"]
        )
        return (result.succeeded, result.requeue)
    }

    /// Reports a finished pass: its duration and result, the plan's drift, and the time from a
    /// revision's commit (its acceptance, for a plain file) to the first pass converged at it.
    private func report(_ result: EnvironmentRecord.PassResult, plan: Plan?, revision: Revision, began: C.Instant) {
        let now = self.clock.now
        self.metrics.passFinished(environment: self.environment, result: result.summary, duration: began.duration(to: now))
        if let plan { self.metrics.drift(environment: self.environment, plan: plan) }
        if result.converged, let awaiting = self.awaitingConvergence, awaiting.revision == revision {
            self.metrics.converged(environment: self.environment, after: awaiting.committedBefore + awaiting.since.duration(to: now))
            self.awaitingConvergence = nil
        }
    }

    /// Restores the applied revision's target after a restart, then asks the source for its head.
    private func refreshSource() async {
        if self.record.desired == nil, let applied = self.record.status.appliedRevision {
            await self.absorb(await self.source.load(applied))
        }
        let applied = self.record.desired?.revision ?? self.record.status.appliedRevision
        await self.absorb(await self.source.poll(applied: applied, approved: self.record.approved))
    }

    /// Takes a poll's answer into the record, persisting a newly accepted revision.
    private func absorb(_ poll: SourcePoll) async {
        let now = self.now()
        let accepted = self.record.absorb(poll, now: now)
        switch poll {
        case .unchanged, .accepted, .stalled: self.metrics.sourceRead(environment: self.environment, now: now)
        case .unready: break
        }
        if case .accepted(let desired) = poll {
            if let accepted {
                let committedBefore = desired.committedAt.map { Duration.seconds(max(0, now - $0)) } ?? .zero
                self.awaitingConvergence = (accepted, self.clock.now, committedBefore)
            }
            await self.onAccepted(desired)
        }
        guard let accepted else { return }
        do {
            try await self.revisions.recordApplied(accepted, environment: self.environment, now: self.now())
        } catch {
            self.logger.error("cannot record the applied revision", metadata: ["environment": "\(self.environment)", "error": "\(error)"])
        }
    }
}
