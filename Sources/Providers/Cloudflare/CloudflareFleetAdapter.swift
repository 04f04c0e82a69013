import ProviderSupport
import Reconciler
import Spec

/// Cloudflare behind the reconciler's ``TunnelPort`` and ``DNSPort``: bulk lists at the largest
/// page sizes, tunnels adopted by name, identical records adopted, deletes of what is already
/// gone treated as done.
public struct CloudflareFleetAdapter<C: Clock>: TunnelPort, DNSPort where C.Duration == Duration {
    /// The client.
    public var client: CloudflareClient<C>

    /// Wraps a client.
    public init(client: CloudflareClient<C>) { self.client = client }

    // MARK: Tunnels

    public func listTunnels(prefix: String) async throws -> [ObservedTunnel] {
        try await self.client.listTunnels(namePrefix: prefix).map(Self.observed)
    }

    public func ingress(tunnelID: String) async throws -> [Spec.IngressRule] {
        Self.ingress(try await self.client.configuration(id: tunnelID))
    }

    /// What the planner reads from a tunnel as listed (a connected tunnel reports healthy or
    /// degraded).
    public static func observed(_ tunnel: CloudflareTunnel) -> ObservedTunnel {
        ObservedTunnel(id: tunnel.id, name: tunnel.name, connections: tunnel.status == "healthy" || tunnel.status == "degraded" ? 1 : 0)
    }

    /// The ingress rules of a remote configuration (none when never configured).
    public static func ingress(_ configuration: TunnelConfiguration) -> [Spec.IngressRule] {
        configuration.config?.ingress.map { Spec.IngressRule(hostname: $0.hostname, service: $0.service) } ?? []
    }

    /// What the planner reads from a DNS record.
    public static func observed(_ record: DNSRecord) -> ObservedDNSRecord {
        ObservedDNSRecord(
            id: record.id,
            name: record.name,
            type: record.type,
            content: record.content,
            proxied: record.proxied ?? false,
            comment: record.comment
        )
    }

    public func createTunnel(name: String) async throws -> (id: String, outcome: ApplyOutcome) {
        let (tunnel, adopted) = try await self.untilListed { try await self.client.createTunnel(name: name) { $0.name == name } }
        return (tunnel.id, adopted ? .adopted : .done)
    }

    public func putIngress(tunnelID: String, rules: [Spec.IngressRule]) async throws {
        _ = try await self.client.putConfiguration(
            id: tunnelID,
            ingress: rules.map { CloudflareProvider.IngressRule(hostname: $0.hostname, service: $0.service) }
        )
    }

    public func deleteTunnel(id: String) async throws -> ApplyOutcome {
        do {
            try await self.client.deleteTunnel(id: id)
            return .done
        } catch let error as ProviderError where error.code == .notFound {
            return .adopted
        }
    }

    // MARK: DNS

    public func listRecords() async throws -> [ObservedDNSRecord] {
        try await self.client.listDNSRecords().map(Self.observed)
    }

    public func createCNAME(name: String, tunnelID: String, comment: String) async throws -> ApplyOutcome {
        _ = try await self.untilListed { try await self.client.createTunnelCNAME(name: name, tunnelID: tunnelID, comment: comment) }
        return .done
    }

    public func updateCNAME(id: String, name: String, tunnelID: String, comment: String) async throws {
        _ = try await self.client.updateDNSRecord(
            DNSRecord(id: id, name: name, type: "CNAME", content: "\(tunnelID).cfargotunnel.com", proxied: true, ttl: 1, comment: comment)
        )
    }

    public func deleteRecord(id: String) async throws -> ApplyOutcome {
        do {
            try await self.client.deleteDNSRecord(id: id)
            return .done
        } catch let error as ProviderError where error.code == .notFound {
            return .adopted
        }
    }

    // MARK: Eventual consistency

    /// Cloudflare's lists lag behind its writes: a create may conflict with an object (ours,
    /// from an interrupted run) that the adoption lookup cannot list yet. Waits and tries again,
    /// 1 + 2 + 4 + 8 + 16 s at most, before giving up with the conflict.
    private func untilListed<T>(_ body: () async throws -> T) async throws -> T {
        var wait = Duration.seconds(1)
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as ProviderError where ["1013", "81057"].contains(error.providerCode ?? "") && attempt < 6 {
                try await self.client.rest.clock.sleep(for: wait)
                wait *= 2
                attempt += 1
            }
        }
    }
}
