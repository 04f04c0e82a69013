import Foundation
import Synchronization

/// Everything the Cloudflare emulator holds: tunnels (soft-deleted ones included), their
/// configurations and connectors, DNS records, per-token rate-limit buckets.
struct CloudflareEmulatorState: Sendable {
    /// A connected connector (a running cloudflared, or the local fleet's stand-in).
    struct Connector: Sendable {
        /// The Cloudflare data centre it connected to.
        var colo: String
        /// Where the connector's `localhost` ports are on this machine (a local fleet's VMs share
        /// one loopback): an ingress service `http://localhost:8080` of a connector mapping 8080
        /// to 43111 is dialled at `127.0.0.1:43111`. Unmapped ports are dialled as they are.
        var ports: [Int: Int] = [:]
        /// When it connected (replicas are tried oldest first).
        var connectedAt: Date
    }

    struct Tunnel: Sendable {
        var id: String
        var name: String
        var createdAt: Date
        var deletedAt: Date?
        var configSource: String
        var secret: String
        var configVersion = 0
        var ingressJSON: Data?
        var connectors: [String: Connector] = [:]
        var everConnected = false
        /// Emulator time when a create shows in lists, and when a delete does.
        var listedFrom: Duration
        var unlistedFrom: Duration?

        var status: String {
            if !self.connectors.isEmpty { return "healthy" }
            return self.everConnected ? "down" : "inactive"
        }
    }

    struct Record: Sendable {
        var id: String
        var name: String
        var type: String
        var content: String
        var proxied: Bool
        var ttl: Int
        var comment: String?
        var createdOn: Date
        var modifiedOn: Date
        var listedFrom: Duration
        var unlistedFrom: Duration?
        var deleted = false
    }

    var tunnels: [String: Tunnel] = [:]
    var tunnelOrder: [String] = []
    var records: [String: Record] = [:]
    var recordOrder: [String] = []
    var windows: [String: RequestWindow] = [:]
}
