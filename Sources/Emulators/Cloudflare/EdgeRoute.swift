import Foundation
import Synchronization

/// Where Cloudflare's edge sends a request for one hostname: along its proxied CNAME to a
/// tunnel, then by the tunnel's ingress rules to a service behind one of its connectors.
enum EdgeRoute: Sendable {
    /// No proxied DNS record of the zone has this name.
    case noRecord
    /// The record's CNAME names no live tunnel (`<id>.cfargotunnel.com`).
    case noTunnel(id: String)
    /// The tunnel, its ingress rules (empty when it has no configuration) and its connectors,
    /// oldest first (none when no connector runs).
    case tunnel(id: String, ingress: [Rule], connectors: [CloudflareEmulatorState.Connector])

    /// One ingress rule, as cloudflared reads it.
    struct Rule: Sendable {
        /// The hostname it matches (`*.example.com` matches any subdomain); nil matches all.
        var hostname: String?
        /// A regular expression the request path must match; nil matches all.
        var path: String?
        /// `http(s)://host:port`, or `http_status:NNN`.
        var service: String

        /// Whether this rule takes a request for `host` and `path`.
        func matches(host: String, path requestPath: String) -> Bool {
            if let hostname = self.hostname?.lowercased(), !hostname.isEmpty {
                if hostname.hasPrefix("*.") {
                    guard host.hasSuffix(String(hostname.dropFirst(1))) else { return false }
                } else if hostname != host {
                    return false
                }
            }
            guard let pattern = self.path, !pattern.isEmpty else { return true }
            guard let expression = try? NSRegularExpression(pattern: pattern) else { return false }
            return expression.firstMatch(in: requestPath, range: NSRange(requestPath.startIndex..., in: requestPath)) != nil
        }
    }

    /// The rules of a tunnel configuration (`{"ingress": [{"hostname", "path", "service"}, …]}`).
    static func rules(fromConfiguration data: Data?) -> [Rule] {
        guard let data, let config = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let ingress = config["ingress"] as? [[String: Any]]
        else { return [] }
        return ingress.compactMap { rule in
            (rule["service"] as? String).map { Rule(hostname: rule["hostname"] as? String, path: rule["path"] as? String, service: $0) }
        }
    }
}

extension CloudflareEmulator {
    /// The route the edge takes for `host` now: the zone's live, proxied record of that name
    /// whose CNAME ends in `.cfargotunnel.com`, and the tunnel it names.
    func edgeRoute(host: String) -> EdgeRoute {
        let name = host.lowercased()
        return self.state.withLock { state -> EdgeRoute in
            guard
                let record = state.records.values.first(where: {
                    !$0.deleted && $0.proxied && $0.type == "CNAME" && $0.name.lowercased() == name
                })
            else { return .noRecord }
            let suffix = ".cfargotunnel.com"
            let target = record.content.lowercased()
            let id = target.hasSuffix(suffix) ? String(target.dropLast(suffix.count)) : target
            guard let tunnel = state.tunnels[id], tunnel.deletedAt == nil else { return .noTunnel(id: id) }
            return .tunnel(
                id: id,
                ingress: EdgeRoute.rules(fromConfiguration: tunnel.ingressJSON),
                connectors: tunnel.connectors.values.sorted { $0.connectedAt < $1.connectedAt }
            )
        }
    }
}
