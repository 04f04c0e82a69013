/// Cloudflare's v4 response envelope.
public struct CloudflareEnvelope<Result: Decodable & Sendable>: Decodable, Sendable {
    /// True on success.
    public var success: Bool
    /// The errors, on failure.
    public var errors: [CloudflareMessage]
    /// The result.
    public var result: Result?
    /// Paging, on lists.
    public var resultInfo: ResultInfo?

    enum CodingKeys: String, CodingKey {
        case success, errors, result
        case resultInfo = "result_info"
    }

    /// Paging figures.
    public struct ResultInfo: Decodable, Sendable {
        /// This page (1-based).
        public var page: Int?
        /// Page size.
        public var perPage: Int?
        /// Items on this page.
        public var count: Int?
        /// Items on all pages.
        public var totalCount: Int?
        /// Pages (some products leave it out).
        public var totalPages: Int?

        enum CodingKeys: String, CodingKey {
            case page, count
            case perPage = "per_page"
            case totalCount = "total_count"
            case totalPages = "total_pages"
        }
    }
}

/// An error or message in an envelope.
public struct CloudflareMessage: Codable, Hashable, Sendable {
    /// Cloudflare's code (1013, 81057, …).
    public var code: Int
    /// The text.
    public var message: String

    /// Creates a message.
    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }
}

/// A Cloudflare Tunnel (`cfd_tunnel`).
public struct CloudflareTunnel: Codable, Hashable, Sendable {
    /// The tunnel's UUID.
    public var id: String
    /// The tunnel's name (ours: the VM name).
    public var name: String
    /// When created (RFC 3339).
    public var createdAt: String?
    /// When soft-deleted; nil for live tunnels.
    public var deletedAt: String?
    /// inactive, healthy, degraded or down.
    public var status: String?
    /// cloudflare or local.
    public var configSource: String?

    enum CodingKeys: String, CodingKey {
        case id, name, status
        case createdAt = "created_at"
        case deletedAt = "deleted_at"
        case configSource = "config_src"
    }

    /// Creates a tunnel value.
    public init(id: String, name: String, createdAt: String? = nil, deletedAt: String? = nil, status: String? = nil, configSource: String? = nil) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.deletedAt = deletedAt
        self.status = status
        self.configSource = configSource
    }
}

/// One connector of a tunnel and its edge connections.
public struct TunnelConnector: Codable, Hashable, Sendable {
    /// The connector (client) id.
    public var id: String
    /// Its edge connections.
    public var conns: [Connection]

    /// One edge connection.
    public struct Connection: Codable, Hashable, Sendable {
        /// The edge colo.
        public var coloName: String?
        /// Whether it is reconnecting.
        public var isPendingReconnect: Bool?

        enum CodingKeys: String, CodingKey {
            case coloName = "colo_name"
            case isPendingReconnect = "is_pending_reconnect"
        }
    }
}

/// An ingress rule of a remotely managed tunnel.
public struct IngressRule: Codable, Hashable, Sendable {
    /// The hostname it matches; nil for the catch-all.
    public var hostname: String?
    /// Where traffic goes: `http://localhost:8080`, `http_status:404`, ….
    public var service: String
    /// A path regex, if any.
    public var path: String?

    /// Creates a rule.
    public init(hostname: String? = nil, service: String, path: String? = nil) {
        self.hostname = hostname
        self.service = service
        self.path = path
    }

    /// True for a rule that matches everything (no hostname, no path).
    public var isCatchAll: Bool { (self.hostname ?? "").isEmpty && (self.path ?? "").isEmpty }
}

/// A tunnel's remote configuration.
public struct TunnelConfiguration: Codable, Hashable, Sendable {
    /// Incremented on every PUT; 0 when never configured.
    public var version: Int
    /// The configuration, nil when never configured.
    public var config: Config?

    /// The ingress part.
    public struct Config: Codable, Hashable, Sendable {
        /// The rules, catch-all last.
        public var ingress: [IngressRule]
    }
}

/// A DNS record.
public struct DNSRecord: Codable, Hashable, Sendable {
    /// The record id (32 hex).
    public var id: String
    /// The FQDN.
    public var name: String
    /// CNAME, A, ….
    public var type: String
    /// The target.
    public var content: String
    /// Proxied through Cloudflare.
    public var proxied: Bool?
    /// 1 = automatic.
    public var ttl: Int?
    /// The comment (ours carries the ownership marks).
    public var comment: String?

    /// Creates a record value.
    public init(id: String, name: String, type: String, content: String, proxied: Bool? = nil, ttl: Int? = nil, comment: String? = nil) {
        self.id = id
        self.name = name
        self.type = type
        self.content = content
        self.proxied = proxied
        self.ttl = ttl
        self.comment = comment
    }
}
