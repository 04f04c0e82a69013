/// The knobs of one planning run. Defaults are the safe choices.
public struct PlannerOptions: Sendable, Hashable {
    /// Which preview environments the plan may touch.
    public enum PreviewScope: Sendable, Hashable {
        /// Previews are out of scope: observed previews are neither updated nor deleted.
        case untouched
        /// The desired previews are exactly the open ones: other observed previews are torn down.
        case exact
    }

    /// How many replacement VMs a pool may run beyond its count during a rollout.
    public var maxSurge: Int = 1
    /// The circuit breaker: refuse a plan deleting more than this share of the owned resources.
    public var maxDeleteFraction: Double = 0.30
    /// Allow deleting a protected environment's control plane and planning an empty fleet.
    public var allowDestroy: Bool = false
    /// Environments whose control plane is never deleted without ``allowDestroy``.
    public var protectedEnvironments: Set<String> = ["production"]
    /// Which previews are in scope.
    public var previewScope: PreviewScope = .untouched
    /// The environments this plan reconciles: ``EnvironmentScope/all`` for `plan` and `apply`,
    /// one environment (and perhaps the previews) for a control plane. Outside it the plan
    /// creates, updates and deletes nothing, whatever desired state it is given, and the circuit
    /// breaker counts only what is inside.
    public var environmentScope: EnvironmentScope = .all
    /// The current time, in seconds since 1970.
    public var now: Int64 = 0
    /// An observation older than this (seconds) is stale: such a plan deletes nothing.
    public var maximumSnapshotAge: Int64 = 300
    /// Names of resources with an unfinished intent in the journal (an apply in flight or one
    /// that crashed): never deleted by this plan.
    public var inFlight: Set<String> = []
    /// The VM this planner runs on (a control plane's own name): its VM, tunnel and DNS records
    /// are never deleted, whatever the spec says.
    public var selfVM: String?

    /// The defaults.
    public init() {}
}
