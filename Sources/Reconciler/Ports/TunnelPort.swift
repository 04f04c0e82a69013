import Spec

/// What the reconciler needs from the tunnel provider (Cloudflare).
public protocol TunnelPort: Sendable {
    /// Every live tunnel whose name starts with `prefix`, in one bulk list (ingress not read).
    func listTunnels(prefix: String) async throws -> [ObservedTunnel]
    /// The ingress rules of a tunnel's remote configuration (empty when never set).
    func ingress(tunnelID: String) async throws -> [IngressRule]
    /// Creates the tunnel, or adopts the live tunnel of that name; returns its id.
    func createTunnel(name: String) async throws -> (id: String, outcome: ApplyOutcome)
    /// Replaces the tunnel's ingress rules.
    func putIngress(tunnelID: String, rules: [IngressRule]) async throws
    /// Deletes the tunnel, cleaning its connections first if it is connected; a tunnel already
    /// gone is success.
    func deleteTunnel(id: String) async throws -> ApplyOutcome
}
