import ProviderSupport
import Reconciler
import Spec

/// Cloudflare behind the reconciler's ``TunnelPort`` and ``DNSPort``: bulk lists at the largest
/// page sizes, tunnels adopted by name, identical records adopted, deletes of what is already
/// gone treated as done.
public struct CloudflareFleetAdapter<C: Clock>: TunnelPort, DNSPort where C.Duration == Duration {
    /// The client.
    public var client: CloudflareClient<C>
    /// Where the API token came from, for the fix an unreadable list names
    /// (`DD_CF_API_TOKEN (providers.cloudflare.apiToken)`).
    public var tokenSource: String

    /// Wraps a client.
    public init(client: CloudflareClient<C>, tokenSource: String = "providers.cloudflare.apiToken") {
        self.client = client
        self.tokenSource = tokenSource
    }

    // MARK: Tunnels

    public func listTunnels(prefix: String) async throws -> [ObservedTunnel] {
        try await self.readable { try await self.client.listTunnels(namePrefix: prefix).map(Self.observed) }
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
        try await self.readable { try await self.client.listDNSRecords().map(Self.observed) }
    }

    public func createCNAME(name: String, tunnelID: String, comment: String) async throws -> ApplyOutcome {
        let (_, adopted) = try await self.untilListed { try await self.client.createTunnelCNAME(name: name, tunnelID: tunnelID, comment: comment) }
        return adopted ? .adopted : .done
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

    // MARK: Unreadable lists

    /// A list refused for its credentials, or for an account or zone they cannot see, is
    /// ``SourceUnreadable``: no retry helps, and an empty answer would be a lie.
    private func readable<T>(_ list: () async throws -> T) async throws -> T {
        do {
            return try await list()
        } catch let error as ProviderError where error.code == .auth || error.code == .notFound || error.code == .permanent {
            let status = error.httpStatus.map { "HTTP \($0)" + (error.providerCode.map { ", code \($0)" } ?? "") } ?? "no status"
            let refused = error.code == .auth && error.providerCode != "9109"
            let what = refused ? "refused the API token" : "cannot find account \(self.client.accountID) or zone \(self.client.zoneID)"
            throw SourceUnreadable(
                cause: "Cloudflare \(what) (\(status): \(error.message))",
                fix: refused
                    ? "check the token in \(self.tokenSource): it must be valid and allow Account Cloudflare Tunnel Edit and Zone DNS Edit"
                    : "check providers.cloudflare.accountId and zoneId, and that the token in \(self.tokenSource) can see them"
            )
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
