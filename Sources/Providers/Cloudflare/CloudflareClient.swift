import Foundation
import Logging
import ProviderSupport

/// A client for the Cloudflare v4 API: tunnels (remotely managed), their configurations and
/// connections, and DNS records. Every call goes through ``RESTClient`` (rate limit 1200 / 300 s
/// per token by default, retries only where safe).
public struct CloudflareClient<C: Clock>: Sendable where C.Duration == Duration {
    /// The account that owns the tunnels.
    public let accountID: String
    /// The zone that holds the DNS records.
    public let zoneID: String
    /// The REST plumbing (metrics, limiter).
    public let rest: RESTClient<C>
    /// Tunnels per list page (the API allows up to 1000).
    public var tunnelPageSize = 1000
    /// DNS records per list page: the API's maximum (5,000,000), so a zone lists in one call.
    public var dnsPageSize = 5_000_000

    /// The real API.
    public static var defaultBaseURL: String { "https://api.cloudflare.com/client/v4" }

    /// Creates a client over a configured ``RESTClient``.
    public init(accountID: String, zoneID: String, rest: RESTClient<C>) {
        self.accountID = accountID
        self.zoneID = zoneID
        self.rest = rest
    }

    /// Creates a client for `baseURL` (nil: the real API) with an API token.
    public init(
        accountID: String,
        zoneID: String,
        token: String,
        baseURL: String? = nil,
        transport: any HTTPSending = HTTPTransport(),
        clock: C,
        limit: RateLimit = .cloudflare,
        retry: RetryPolicy = RetryPolicy(),
        logger: Logger = .discarding
    ) {
        let base = baseURL ?? Self.defaultBaseURL
        let rest = RESTClient(
            configuration: .init(baseURL: base, provider: "cloudflare", retry: retry),
            transport: transport,
            authorization: StaticBearerToken(token),
            limiter: RateLimiter(clock: clock, defaultLimit: limit),
            clock: clock,
            logger: logger,
            decodeError: CloudflareErrorDecoder.decode
        )
        self.init(accountID: accountID, zoneID: zoneID, rest: rest)
    }

    private var tunnelsPath: String { "/accounts/\(self.accountID)/cfd_tunnel" }
    private var recordsPath: String { "/zones/\(self.zoneID)/dns_records" }

    // MARK: Tunnels

    /// Every live tunnel (`is_deleted=false`), over as many pages as needed. A failure or a page
    /// cut short throws: a partial list is never returned as if complete.
    public func listTunnels(namePrefix: String? = nil) async throws -> [CloudflareTunnel] {
        var query: [(String, String)] = [("is_deleted", "false")]
        if let namePrefix { query.append(("include_prefix", namePrefix)) }
        return try await self.listPages(self.tunnelsPath, query: query, pageSize: self.tunnelPageSize, operation: "tunnels.list")
    }

    /// Creates a remotely managed tunnel. If the name is taken (409, code 1013) and the existing
    /// live tunnel satisfies `adoptIf`, it is adopted instead; otherwise the conflict is thrown.
    public func createTunnel(
        name: String,
        adoptIf: @Sendable (CloudflareTunnel) -> Bool
    ) async throws -> (tunnel: CloudflareTunnel, adopted: Bool) {
        let body = try JSONSerialization.data(withJSONObject: ["name": name, "config_src": "cloudflare"])
        do {
            let tunnel: CloudflareTunnel = try await self.result(
                // Safe to repeat: tunnel names are unique per account, and a repeat that finds
                // the first attempt's tunnel (409, code 1013) adopts it below.
                RESTRequest("POST", self.tunnelsPath, body: Array(body), operation: "tunnels.create", rateGroup: "cloudflare", idempotent: true)
            )
            return (tunnel, false)
        } catch let error as ProviderError where error.code == .conflict {
            let existing: [CloudflareTunnel] = try await self.listPages(
                self.tunnelsPath,
                query: [("is_deleted", "false"), ("name", name)],
                pageSize: self.tunnelPageSize,
                operation: "tunnels.list"
            )
            guard let tunnel = existing.first(where: { $0.name == name }), adoptIf(tunnel) else { throw error }
            return (tunnel, true)
        }
    }

    /// One tunnel (soft-deleted ones too, with `deletedAt` set).
    public func tunnel(id: String) async throws -> CloudflareTunnel {
        try await self.result(RESTRequest("GET", "\(self.tunnelsPath)/\(id)", operation: "tunnels.get", rateGroup: "cloudflare"))
    }

    /// Deletes a tunnel. With live connections Cloudflare refuses (400, code 1022); then this
    /// cleans the connections and deletes again, unless `cascade` asks the API to do both.
    public func deleteTunnel(id: String, cascade: Bool = false) async throws {
        let request = RESTRequest(
            "DELETE",
            "\(self.tunnelsPath)/\(id)",
            query: cascade ? [("cascade", "true")] : [],
            operation: "tunnels.delete",
            rateGroup: "cloudflare"
        )
        do {
            _ = try await self.rest.call(request)
        } catch let error as ProviderError where error.providerCode == "1022" && !cascade {
            try await self.cleanConnections(id: id)
            _ = try await self.rest.call(request)
        }
    }

    /// Drops every connector's connections (a running connector reconnects).
    public func cleanConnections(id: String) async throws {
        _ = try await self.rest.call(
            RESTRequest("DELETE", "\(self.tunnelsPath)/\(id)/connections", operation: "tunnels.cleanConnections", rateGroup: "cloudflare")
        )
    }

    /// The tunnel's connectors and their edge connections.
    public func connections(id: String) async throws -> [TunnelConnector] {
        try await self.result(RESTRequest("GET", "\(self.tunnelsPath)/\(id)/connections", operation: "tunnels.connections", rateGroup: "cloudflare"))
    }

    /// The token a connector runs with (`cloudflared tunnel run --token …`). A secret: never log it.
    public func token(id: String) async throws -> String {
        try await self.result(RESTRequest("GET", "\(self.tunnelsPath)/\(id)/token", operation: "tunnels.token", rateGroup: "cloudflare"))
    }

    /// The tunnel's remote configuration (version 0 and no config when never set).
    public func configuration(id: String) async throws -> TunnelConfiguration {
        try await self.result(
            RESTRequest("GET", "\(self.tunnelsPath)/\(id)/configurations", operation: "tunnels.getConfiguration", rateGroup: "cloudflare")
        )
    }

    /// Replaces the tunnel's ingress. The last rule must be a catch-all; this is checked before
    /// sending (Cloudflare would answer 400, code 1056).
    public func putConfiguration(id: String, ingress: [IngressRule]) async throws -> TunnelConfiguration {
        guard let last = ingress.last, last.isCatchAll else {
            throw ProviderError(
                .permanent,
                provider: "cloudflare",
                operation: "tunnels.putConfiguration",
                providerCode: "1056",
                message: "the last ingress rule must match all URLs (no hostname, no path), e.g. service http_status:404"
            )
        }
        let body = try JSONEncoder().encode(["config": TunnelConfiguration.Config(ingress: ingress)])
        return try await self.result(
            RESTRequest(
                "PUT",
                "\(self.tunnelsPath)/\(id)/configurations",
                body: Array(body),
                operation: "tunnels.putConfiguration",
                rateGroup: "cloudflare"
            )
        )
    }

    // MARK: DNS records

    /// DNS records, filtered by exact name, type or a comment substring, over all pages.
    public func listDNSRecords(name: String? = nil, type: String? = nil, commentContains: String? = nil) async throws -> [DNSRecord] {
        var query: [(String, String)] = []
        if let name { query.append(("name", name)) }
        if let type { query.append(("type", type)) }
        if let commentContains { query.append(("comment.contains", commentContains)) }
        return try await self.listPages(self.recordsPath, query: query, pageSize: self.dnsPageSize, operation: "dns.list")
    }

    /// Creates a proxied CNAME to the tunnel. If the identical record already exists (code
    /// 81057) it is returned; a different record on that name (81053) is a conflict, never
    /// overwritten. `adopted` says the record was already there.
    public func createTunnelCNAME(
        name: String,
        tunnelID: String,
        comment: String
    ) async throws -> (record: DNSRecord, adopted: Bool) {
        let content = "\(tunnelID).cfargotunnel.com"
        let body = try JSONSerialization.data(
            withJSONObject: [
                "type": "CNAME", "name": name, "content": content, "proxied": true, "ttl": 1, "comment": comment,
            ] as [String: Any]
        )
        do {
            // Safe to repeat: a repeat that finds the identical record (81057) returns it below.
            let record: DNSRecord = try await self.result(
                RESTRequest("POST", self.recordsPath, body: Array(body), operation: "dns.create", rateGroup: "cloudflare", idempotent: true)
            )
            return (record, false)
        } catch let error as ProviderError where error.providerCode == "81057" {
            let existing = try await self.listDNSRecords(name: name, type: "CNAME")
            guard var record = existing.first(where: { $0.content == content }) else { throw error }
            // It already routes to our tunnel: take it over, with our ownership comment.
            if record.comment != comment || record.proxied != true {
                record.comment = comment
                record.proxied = true
                return (try await self.updateDNSRecord(record), true)
            }
            return (record, true)
        }
    }

    /// One record.
    public func dnsRecord(id: String) async throws -> DNSRecord {
        try await self.result(RESTRequest("GET", "\(self.recordsPath)/\(id)", operation: "dns.get", rateGroup: "cloudflare"))
    }

    /// Overwrites a record (PUT).
    public func updateDNSRecord(_ record: DNSRecord) async throws -> DNSRecord {
        let body = try JSONEncoder().encode(record)
        return try await self.result(
            RESTRequest("PUT", "\(self.recordsPath)/\(record.id)", body: Array(body), operation: "dns.update", rateGroup: "cloudflare")
        )
    }

    /// Deletes a record.
    public func deleteDNSRecord(id: String) async throws {
        _ = try await self.rest.call(RESTRequest("DELETE", "\(self.recordsPath)/\(id)", operation: "dns.delete", rateGroup: "cloudflare"))
    }

    // MARK: Plumbing

    private func result<Result: Decodable & Sendable>(_ request: RESTRequest) async throws -> Result {
        let envelope = try await self.rest.call(request, as: CloudflareEnvelope<Result>.self)
        guard envelope.success, let result = envelope.result else {
            throw ProviderError(
                .permanent,
                provider: "cloudflare",
                operation: request.operation,
                providerCode: envelope.errors.first.map { String($0.code) },
                message: envelope.errors.first?.message ?? "the response has success=false or no result"
            )
        }
        return result
    }

    /// Pages until a short page or the last page; a page whose count disagrees with its items, or
    /// paging past the total, throws (the list would be partial).
    private func listPages<Item: Decodable & Sendable>(
        _ path: String,
        query: [(String, String)],
        pageSize: Int,
        operation: String
    ) async throws -> [Item] {
        try await Paging.collect(provider: "cloudflare", operation: operation) { (page: Int?) in
            let number = page ?? 1
            let request = RESTRequest(
                "GET",
                path,
                query: query + [("page", String(number)), ("per_page", String(pageSize))],
                operation: operation,
                rateGroup: "cloudflare"
            )
            let envelope = try await self.rest.call(request, as: CloudflareEnvelope<[Item]>.self)
            guard envelope.success, let items = envelope.result else {
                throw ProviderError(
                    .permanent,
                    provider: "cloudflare",
                    operation: operation,
                    message: "list page \(number) has success=false or no result"
                )
            }
            let info = envelope.resultInfo
            if let count = info?.count, count != items.count {
                throw ProviderError(
                    .transient,
                    provider: "cloudflare",
                    operation: operation,
                    message: "page \(number) says \(count) items but holds \(items.count); the list would be partial"
                )
            }
            let lastPage = info?.totalPages.map { number >= $0 } ?? (items.count < (info?.perPage ?? pageSize))
            return (items, lastPage || items.isEmpty ? nil : number + 1)
        }
    }
}
