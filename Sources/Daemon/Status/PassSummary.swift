/// What an environment's last reconcile pass did.
public struct PassSummary: Sendable, Hashable, Codable {
    /// How the pass ended: `converged`, `applied`, `failed`, `refused`, `unreadable`, `error`.
    public var result: String
    /// The revision it reconciled towards.
    public var revision: String?
    /// When it started and finished, in seconds since 1970.
    public var startedAt: Int64
    /// When it finished.
    public var finishedAt: Int64
    /// Why it ran (`timer`, `webhook`, …).
    public var trigger: WakeReason
    /// Actions planned, by operation.
    public var create: Int
    /// Updates planned.
    public var update: Int
    /// Deletions planned.
    public var delete: Int
    /// Actions that failed.
    public var failed: Int
    /// Actions withheld by a safety rail.
    public var withheld: Int

    /// Creates a summary.
    public init(
        result: String,
        revision: String?,
        startedAt: Int64,
        finishedAt: Int64,
        trigger: WakeReason,
        create: Int = 0,
        update: Int = 0,
        delete: Int = 0,
        failed: Int = 0,
        withheld: Int = 0
    ) {
        self.result = result
        self.revision = revision
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.trigger = trigger
        self.create = create
        self.update = update
        self.delete = delete
        self.failed = failed
        self.withheld = withheld
    }
}
