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
        sources: [SourceStatus] = [],
        observedAt: Int64 = 0
    ) {
        self.vms = vms
        self.tunnels = tunnels
        self.dnsRecords = dnsRecords
        self.agents = agents
        self.sources = sources
        self.observedAt = observedAt
    }

    /// True when every source the reconciler observes listed completely. A source with no
    /// status is unknown, never complete-and-empty.
    public var isComplete: Bool {
        SourceStatus.Name.allCases.allSatisfy { name in self.sources.contains { $0.name == name && $0.complete } }
    }

    /// The sources that did not list completely (read partly, or not at all), and a status for
    /// each source that has none (unknown).
    public var partialSources: [SourceStatus] {
        let missing = SourceStatus.Name.allCases.filter { name in !self.sources.contains { $0.name == name } }
        return self.sources.filter { !$0.complete } + missing.map { SourceStatus(name: $0, state: .partial, detail: "not observed") }
    }

    /// The sources that could not be read at all (credentials refused, an unknown project or
    /// account): a plan made from them would be wrong, not merely incomplete.
    public var unreadableSources: [SourceStatus] { self.sources.filter { $0.state == .unreadable } }
}

/// Whether one source listed completely, and why not.
public struct SourceStatus: Sendable, Hashable {
    /// How much of a source was read.
    public enum State: String, Sendable, Hashable {
        /// The list is known to be complete.
        case complete
        /// Read only partly (a transient failure mid-list): what it would have listed is unknown.
        case partial
        /// Not readable at all (401, 403, an unknown project or account): retrying cannot help.
        case unreadable
    }

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
    /// How much of it was read.
    public var state: State
    /// Why it is partial or unreadable (an error message, never a secret).
    public var detail: String?
    /// For an unreadable source: what to do about it.
    public var fix: String?
    /// How many items it returned.
    public var count: Int

    /// True when the list is known to be complete.
    public var complete: Bool { self.state == .complete }

    /// Creates a status.
    public init(name: Name, state: State, detail: String? = nil, fix: String? = nil, count: Int = 0) {
        self.name = name
        self.state = state
        self.detail = detail
        self.fix = fix
        self.count = count
    }

    /// Creates a complete or partial status.
    public init(name: Name, complete: Bool, detail: String? = nil, count: Int = 0) {
        self.init(name: name, state: complete ? .complete : .partial, detail: detail, count: count)
    }

    /// A complete status for every source, each with `count` 0: what a test or an empty world
    /// observes when nothing failed.
    public static var allComplete: [SourceStatus] { Name.allCases.map { SourceStatus(name: $0, state: .complete) } }
}
