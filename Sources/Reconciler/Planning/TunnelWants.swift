import Spec

/// What the planner converges one tunnel towards, as the expanded spec gives it: the tunnel with
/// its ingress, the DNS records that point at it and its VM's hostname. Registration provisions
/// exactly this, so the plan that follows has no ingress, tunnel or record to change.
public struct TunnelWants: Sendable, Hashable {
    /// The tunnel and its ingress.
    public var tunnel: DesiredTunnel
    /// The records routed to the tunnel.
    public var records: [DesiredDNSRecord]
    /// The hostname of the tunnel's VM (its first ingress rule's).
    public var hostname: String

    /// Wants given outright.
    public init(tunnel: DesiredTunnel, records: [DesiredDNSRecord], hostname: String) {
        self.tunnel = tunnel
        self.records = records
        self.hostname = hostname
    }

    /// What `environment` wants for the tunnel named `name`; nil when it wants no such tunnel.
    public init?(tunnel name: String, in environment: DesiredEnvironment) {
        guard let tunnel = environment.tunnels.first(where: { $0.name == name }) else { return nil }
        self.tunnel = tunnel
        self.records = environment.dnsRecords.filter { $0.tunnel == name }
        self.hostname = environment.vms.first { $0.name == tunnel.vm }?.hostname ?? tunnel.ingress.first?.hostname ?? name
    }

    /// True when `current` is the wanted ingress as the planner compares it (normalised): the
    /// planner would plan no ingress change.
    public func ingressMatches(_ current: [IngressRule]) -> Bool {
        Normalization.ingress(current) == Normalization.ingress(self.tunnel.ingress)
    }
}
