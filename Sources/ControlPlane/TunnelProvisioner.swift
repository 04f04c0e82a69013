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
    /// Makes sure VM `vm`'s tunnel, ingress and DNS records exist; returns them with the token.
    func provision(vm: String) async throws -> ProvisionedTunnel
}

/// Tunnel provisioning through the reconciler's ports (the Cloudflare adapter in production),
/// under the executor's rules: an intent in the journal before every mutation, the spec's
/// deterministic names (a retry, even after a crash between intent and call, adopts the tunnel
/// of that name instead of making a twin), and the ingress and records the planner wants
/// (``TunnelWants``), so the reconciler finds nothing to rewrite.
public struct PortTunnelProvisioner: TunnelProvisioning {
    /// The tunnel port.
    public var tunnels: any TunnelPort
    /// The DNS port.
    public var dns: any DNSPort
    /// Reads a tunnel's connector token.
    public var token: @Sendable (String) async throws -> String
    /// The journal the reconciler's executor writes too.
    public var journal: any IntentJournal
    /// What the spec wants for a VM's tunnel; nil for a VM it names no tunnel for.
    public var wants: @Sendable (String) -> TunnelWants?
    /// Wall time for journal records, in seconds since 1970.
    public var now: @Sendable () -> Int64

    /// Creates a provisioner.
    public init(
        tunnels: any TunnelPort,
        dns: any DNSPort,
        token: @escaping @Sendable (String) async throws -> String,
        journal: any IntentJournal,
        wants: @escaping @Sendable (String) -> TunnelWants?,
        now: @escaping @Sendable () -> Int64
    ) {
        self.tunnels = tunnels
        self.dns = dns
        self.token = token
        self.journal = journal
        self.wants = wants
        self.now = now
    }

    /// A provisioner for the agents of `environment`, as the spec expands it.
    public init(
        tunnels: any TunnelPort,
        dns: any DNSPort,
        token: @escaping @Sendable (String) async throws -> String,
        journal: any IntentJournal,
        environment: DesiredEnvironment,
        now: @escaping @Sendable () -> Int64
    ) {
        self.init(tunnels: tunnels, dns: dns, token: token, journal: journal, wants: { TunnelWants(tunnel: $0, in: environment) }, now: now)
    }

    public func provision(vm: String) async throws -> ProvisionedTunnel {
        guard let wants = self.wants(vm) else {
            throw ProvisioningError(.notInSpec, "the spec wants no tunnel for \(vm)")
        }
        let name = wants.tunnel.name
        let (id, outcome) = try await self.journaled(ActionID(.create, .tunnel, name)) { try await self.tunnels.createTunnel(name: name) }
        // A new tunnel has no configuration; an adopted one may already carry the spec's.
        let current = outcome == .done ? [] : try await self.tunnels.ingress(tunnelID: id)
        if !wants.ingressMatches(current) {
            try await self.journaled(ActionID(outcome == .done ? .create : .update, .ingress, name)) {
                try await self.tunnels.putIngress(tunnelID: id, rules: wants.tunnel.ingress)
            }
        }
        for record in wants.records {
            _ = try await self.journaled(ActionID(.create, .dns, record.name)) {
                try await self.dns.createCNAME(name: record.name, tunnelID: id, comment: record.comment)
            }
        }
        return ProvisionedTunnel(tunnelID: id, hostname: wants.hostname, token: try await self.token(id))
    }

    /// Runs `call` between an intent for `action` and its outcome in the journal.
    private func journaled<T>(_ action: ActionID, _ call: () async throws -> T) async throws -> T {
        _ = try await self.journal.begin(action, now: self.now())
        do {
            let result = try await call()
            try await self.journal.finish(action, state: .done, now: self.now())
            return result
        } catch {
            try? await self.journal.finish(action, state: .failed, now: self.now())
            throw error
        }
    }
}
