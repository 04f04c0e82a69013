import Foundation
import Synchronization

/// Everything the Cloudflare emulator holds: tunnels (soft-deleted ones included), their
/// configurations and connectors, DNS records, per-token rate-limit buckets.
struct CloudflareEmulatorState: Sendable {
    struct Tunnel: Sendable {
        var id: String
        var name: String
        var createdAt: Date
        var deletedAt: Date?
        var configSource: String
        var secret: String
        var configVersion = 0
        var ingressJSON: Data?
        var connectors: [String: String] = [:]
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
