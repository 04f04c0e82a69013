import Spec

/// The planner's working state for one run. Its steps live in extensions by concern:
/// inventory (what is owned and in scope), converge (creates and updates), deletions, safety
/// (refusals and withholding) and order.
struct PlanBuilder {
    /// What the plan converges: the desired state given, restricted to the environment scope.
    let desired: DesiredState
    /// The desired state as given (the whole fleet's, perhaps): it only proves that a tunnel is
    /// the fleet's, and in which environment.
    let fleetDesired: DesiredState
    let observed: ObservedState
    let marks: OwnershipMarks
    let options: PlannerOptions

    var actions: [String: PlanAction] = [:]
    /// For each VM, the actions of its creation chain (VM, tunnel, ingress, DNS).
    var chainOfVM: [String: [String]] = [:]
    /// Desired tunnel name → the VM running it.
    var vmOfTunnel: [String: String] = [:]
    /// `<id>.cfargotunnel.com` → owned tunnel name.
    var tunnelOfTarget: [String: String] = [:]
    var desiredVMNames: Set<String> = []
    var refusals: [Plan.Refusal] = []
    /// Deletions of duplicate records on managed names (counted by the circuit breaker).
    var duplicateDeletes: [String] = []
    var warnings: [String] = []

    // Indexes of what is owned.
    var ownedVMs: [String: [ObservedVM]] = [:]
    var ownedTunnels: [String: ObservedTunnel] = [:]
    var tunnelEnvironment: [String: String] = [:]
    var recordsByName: [String: [ObservedDNSRecord]] = [:]
    var recordEnvironment: [String: String] = [:]
    var desiredEnvironments: Set<String> = []
    var environmentOrder: [String] = []
    /// Owned objects observed in environments in scope (the circuit breaker's denominator).
    var ownedInScope = 0

    init(desired: DesiredState, observed: ObservedState, marks: OwnershipMarks, options: PlannerOptions) {
        self.desired = desired.restricted(to: options.environmentScope)
        self.fleetDesired = desired
        self.observed = observed
        self.marks = marks
        self.options = options
    }

    mutating func build() -> Plan {
        self.index()
        for environment in self.desired.environments { self.converge(environment) }
        let deletions = self.planDeletions() + self.duplicateDeletes
        self.refuse(deletions: deletions)
        let withheld = self.withholdIfUnsafe()
        self.checkAgents()
        let ordered = self.ordered()
        return Plan(
            fleet: self.desired.fleet,
            environments: self.environmentOrder,
            actions: ordered,
            refusals: self.refusals,
            warnings: self.warnings,
            withheld: withheld,
            sources: self.observed.sources,
            ownedCount: self.ownedInScope
        )
    }
}
