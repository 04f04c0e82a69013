/// A valid fleet with defaults applied and `from:` inheritance resolved: everything expansion
/// needs, and nothing that can still be wrong.
public struct ResolvedFleet: Sendable {
    /// The file's name, for messages.
    public var file: String
    /// The spec as written (providers, attestation, workloads).
    public var spec: FleetSpec
    /// Every long-lived environment, in file order.
    public var environments: [ResolvedEnvironment]
    /// The workloads by name.
    public var workloads: [String: WorkloadSpec]

    /// The environment called `name`.
    public func environment(named name: String) -> ResolvedEnvironment? {
        self.environments.first { $0.name == name }
    }
}

/// An environment with every field decided.
public struct ResolvedEnvironment: Sendable, Hashable {
    /// The name.
    public var name: String
    /// The hostname template it was rendered from.
    public var hostnameTemplate: String
    /// The control plane's hostname.
    public var hostname: String
    /// The devopsdefender release its VMs boot.
    public var release: ReleaseSpec
    /// The control-plane VM.
    public var controlPlane: ResolvedControlPlane
    /// The agent pools, in order (pools with a count of 0 are gone).
    public var pools: [ResolvedPool]
    /// Extra labels for every VM (fleet labels, then environment labels).
    public var labels: [String: String]
    /// Where the environment was declared.
    public var location: SourceLocation
}

/// A control plane with every field decided.
public struct ResolvedControlPlane: Sendable, Hashable {
    /// The machine type.
    public var machineType: String
    /// The boot disk in GB.
    public var diskGb: Int
    /// The zone.
    public var zone: String
}

/// A pool with every field decided.
public struct ResolvedPool: Sendable, Hashable {
    /// The name.
    public var name: String
    /// How many VMs.
    public var count: Int
    /// The machine type.
    public var machineType: String
    /// The boot disk in GB.
    public var diskGb: Int
    /// Workload names.
    public var workloads: [String]
    /// Zones, assigned to slots in turn.
    public var zones: [String]
    /// Extra labels (environment labels, then pool labels).
    public var labels: [String: String]
}
