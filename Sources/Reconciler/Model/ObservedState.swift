import Spec

/// What really exists, read from bulk lists: the fleet's VMs in GCE, tunnels (with their ingress)
/// and DNS records in Cloudflare, and the agents the control plane knows. Each source says
/// whether its list was complete; the planner deletes nothing unless every source is.
public struct ObservedState: Sendable, Hashable {
    /// GCE instances carrying the fleet's `dd-fleet` label.
    public var vms: [ObservedVM]
    /// Live Cloudflare tunnels whose names carry the fleet's prefix.
    public var tunnels: [ObservedTunnel]
    /// DNS records in the zone (owned or not: foreign records on a wanted name are conflicts).
    public var dnsRecords: [ObservedDNSRecord]
    /// Agents in the control plane's registry.
    public var agents: [ObservedAgent]
    /// One status per source, in a fixed order.
    public var sources: [SourceStatus]
    /// When the lists were read, in seconds since 1970 (UTC).
    public var observedAt: Int64

    /// Creates an observed state.
    public init(
        vms: [ObservedVM] = [],
        tunnels: [ObservedTunnel] = [],
        dnsRecords: [ObservedDNSRecord] = [],
        agents: [ObservedAgent] = [],
        sources: [SourceStatus] = SourceStatus.Name.allCases.map { SourceStatus(name: $0, complete: true) },
        observedAt: Int64 = 0
    ) {
        self.vms = vms
        self.tunnels = tunnels
        self.dnsRecords = dnsRecords
        self.agents = agents
        self.sources = sources
        self.observedAt = observedAt
    }

    /// True when every source listed completely.
    public var isComplete: Bool { self.sources.allSatisfy(\.complete) }

    /// The sources that did not list completely.
    public var partialSources: [SourceStatus] { self.sources.filter { !$0.complete } }
}

/// Whether one source listed completely, and why not.
public struct SourceStatus: Sendable, Hashable {
    /// The sources the reconciler observes.
    public enum Name: String, Sendable, Hashable, CaseIterable {
        /// GCE instances (aggregated list by label).
        case gceInstances = "gce.instances"
        /// Cloudflare tunnels.
        case cloudflareTunnels = "cloudflare.tunnels"
        /// The tunnels' remote configurations (ingress).
        case cloudflareTunnelConfigurations = "cloudflare.tunnelConfigurations"
        /// Cloudflare DNS records.
        case cloudflareDNS = "cloudflare.dns"
        /// The agent registry.
        case agents = "agents"
    }

    /// The source.
    public var name: Name
    /// True when the list is known to be complete.
    public var complete: Bool
    /// Why it is partial (an error message, never a secret).
    public var detail: String?
    /// How many items it returned.
    public var count: Int

    /// Creates a status.
    public init(name: Name, complete: Bool, detail: String? = nil, count: Int = 0) {
        self.name = name
        self.complete = complete
        self.detail = detail
        self.count = count
    }
}
