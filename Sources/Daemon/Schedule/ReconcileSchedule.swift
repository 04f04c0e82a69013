/// When an environment's next reconcile pass runs: a value-type state machine that the loop
/// feeds events and that answers with what to do. Level-triggered: every wake means "look at the
/// world again", whatever woke it, and wakes that arrive during a pass fold into one more pass.
/// At most one pass runs at a time; after a failure the wait backs off with full jitter.
public struct ReconcileSchedule: Sendable {
    /// What the loop should do now.
    public enum Action: Sendable, Equatable {
        /// Start a pass.
        case startPass
        /// Nothing now (a pass is running, or the environment is suspended).
        case idle
        /// Wait this long, then wake with ``WakeReason/timer``.
        case sleep(Duration)
    }

    /// The timing knobs.
    public var configuration: ScheduleConfiguration
    /// True while a pass runs.
    public private(set) var running = false
    /// True when a wake arrived that no pass has answered yet.
    public private(set) var pending = false
    /// True while an operator has suspended the environment: wakes are remembered, not acted on.
    public private(set) var suspended = false
    /// Failed passes since the last success.
    public private(set) var consecutiveFailures = 0

    /// A schedule with nothing run yet.
    public init(configuration: ScheduleConfiguration = ScheduleConfiguration()) {
        self.configuration = configuration
    }

    /// Something happened that may need a pass.
    public mutating func wake(_ reason: WakeReason) -> Action {
        guard !self.running, !self.suspended else {
            self.pending = true
            return .idle
        }
        self.running = true
        self.pending = false
        return .startPass
    }

    /// The running pass ended; `random` is uniform in [0, 1) (jitter).
    public mutating func passFinished(succeeded: Bool, random: Double) -> Action {
        self.running = false
        self.consecutiveFailures = succeeded ? 0 : self.consecutiveFailures + 1
        if self.pending && !self.suspended { return self.wake(.pending) }
        return self.suspended ? .idle : .sleep(self.delay(random: random))
    }

    /// Stops starting passes (a running one finishes).
    public mutating func suspend() {
        self.suspended = true
    }

    /// Starts passes again, with one right away.
    public mutating func resume() -> Action {
        self.suspended = false
        return self.wake(.resumed)
    }

    /// The wait before the next timed pass: the resync interval ± its jitter after a success,
    /// full jitter over the capped exponential backoff after a failure.
    public func delay(random: Double) -> Duration {
        let random = min(max(random, 0), 1)
        guard self.consecutiveFailures > 0 else {
            let spread = self.configuration.resyncJitter
            return Self.scale(self.configuration.resyncInterval, by: 1 - spread + 2 * spread * random)
        }
        let exponent = min(self.consecutiveFailures - 1, 30)
        let ceiling = min(self.configuration.backoffCap, self.configuration.backoffBase * Double(1 << exponent))
        return Self.scale(ceiling, by: random)
    }

    /// `duration` × `factor`, to the millisecond (so equal inputs give equal, readable waits).
    static func scale(_ duration: Duration, by factor: Double) -> Duration {
        let milliseconds = Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
        return .milliseconds(Int64((milliseconds * factor).rounded()))
    }
}
