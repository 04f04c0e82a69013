/// How often an environment is reconciled when nothing wakes it, and how failures back off.
public struct ScheduleConfiguration: Sendable, Hashable {
    /// The resync interval: a pass at least this often (default 60 s).
    public var resyncInterval: Duration = .seconds(60)
    /// The resync interval's jitter, as a fraction (default 0.1: 54–66 s), so that many
    /// environments do not poll in step.
    public var resyncJitter: Double = 0.1
    /// The first failure's backoff ceiling (default 1 s); each further failure doubles it.
    public var backoffBase: Duration = .seconds(1)
    /// The most a failure backs off (default 5 minutes).
    public var backoffCap: Duration = .seconds(300)

    /// The defaults.
    public init() {}

    /// The defaults with another resync interval.
    public init(resyncInterval: Duration) {
        self.resyncInterval = resyncInterval
    }
}
