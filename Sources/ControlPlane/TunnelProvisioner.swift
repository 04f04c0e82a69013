import Reconciler
import Spec

/// What registration gives an accepted agent: its tunnel (created or adopted), the ingress for
/// its hostname, the DNS record, and the connector token.
public struct ProvisionedTunnel: Sendable, Hashable, CustomStringConvertible {
    /// The tunnel id.
    public var tunnelID: String
    /// The hostname routed to the agent.
    public var hostname: String
    /// The connector token: a secret, never printed.
    public var token: String

    /// Creates a result.
    public init(tunnelID: String, hostname: String, token: String) {
        self.tunnelID = tunnelID
        self.hostname = hostname
        self.token = token
    }

    /// Without the token.
    public var description: String { "ProvisionedTunnel(\(self.tunnelID), \(self.hostname), token redacted)" }
}

/// Provisions an agent's tunnel. Idempotent: the names are the reconciler's deterministic ones,
/// so a repeated registration adopts what the first made, and the reconciler sees the same
/// objects it would have created itself.
public protocol TunnelProvisioning: Sendable {
    /// Makes sure VM `vm`'s tunnel, ingress and DNS record exist; returns them with the token.
    func provision(vm: String) async throws -> ProvisionedTunnel
}

/// Tunnel provisioning through the reconciler's ports (the Cloudflare adapter in production).
public struct PortTunnelProvisioner: TunnelProvisioning {
    /// The tunnel port.
    public var tunnels: any TunnelPort
    /// The DNS port.
    public var dns: any DNSPort
    /// Reads a tunnel's connector token.
    public var token: @Sendable (String) async throws -> String
    /// The fleet's name (for the DNS ownership comment).
    public var fleet: String
    /// The environment this control plane serves.
    public var environment: String
    /// The DNS domain.
    public var domain: String
    /// The local port the agent serves on behind its tunnel.
    public var servicePort: Int

    /// Creates a provisioner.
    public init(
        tunnels: any TunnelPort,
        dns: any DNSPort,
        token: @escaping @Sendable (String) async throws -> String,
        fleet: String,
        environment: String,
        domain: String,
        servicePort: Int = FleetExpander.servicePort
    ) {
        self.tunnels = tunnels
        self.dns = dns
        self.token = token
        self.fleet = fleet
        self.environment = environment
        self.domain = domain
        self.servicePort = servicePort
    }

    public func provision(vm: String) async throws -> ProvisionedTunnel {
        let hostname = "\(vm).\(self.domain)"
        let (id, outcome) = try await self.tunnels.createTunnel(name: vm)
        // A tunnel the reconciler already made carries the full ingress (exposed ports too):
        // only a new one gets the minimal ingress, which the reconciler then completes.
        if outcome == .done {
            try await self.tunnels.putIngress(
                tunnelID: id,
                rules: [IngressRule(hostname: hostname, service: "http://localhost:\(self.servicePort)"), .catchAll]
            )
        }
        _ = try await self.dns.createCNAME(
            name: hostname,
            tunnelID: id,
            comment: OwnershipComment(fleet: self.fleet, environment: self.environment).rendered
        )
        return ProvisionedTunnel(tunnelID: id, hostname: hostname, token: try await self.token(id))
    }
}
