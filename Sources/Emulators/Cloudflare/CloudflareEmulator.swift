import Encoding
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A loopback emulator of the Cloudflare v4 API parts the fleet uses — tunnels (soft delete,
/// 409/1013, 1022, 1055, 1056, status from connections, token, configurations) and DNS records
/// (81053/81057) — with the v4 envelope and paging, bearer-token checks, per-token rate limits
/// with `Ratelimit` / `Retry-After` headers, a configurable lag before creates and deletes show
/// in lists, fault injection and a request journal. The official `cloudflare` Python SDK works
/// against it unmodified (a test proves it).
public final class CloudflareEmulator: Sendable {
    /// How the emulator behaves.
    public struct Configuration: Sendable {
        /// The account whose tunnels it serves.
        public var accountID: String
        /// The zone whose records it serves.
        public var zoneID: String
        /// That zone's domain (`zone_name` on every record).
        public var zoneName: String
        /// API tokens it accepts.
        public var tokens: Set<String>
        /// Requests per window per token.
        public var rateLimit: EmulatedRateLimit
        /// How long a create or delete takes to show in lists (eventual consistency).
        public var listLag: Duration

        /// Creates a configuration.
        public init(
            accountID: String = "0123456789abcdef0123456789abcdef",
            zoneID: String = "fedcba9876543210fedcba9876543210",
            zoneName: String = "devopsdefender.com",
            tokens: Set<String> = ["dd-emulator-cloudflare-token"],
            rateLimit: EmulatedRateLimit = .cloudflare,
            listLag: Duration = .zero
        ) {
            self.accountID = accountID
            self.zoneID = zoneID
            self.zoneName = zoneName
            self.tokens = tokens
            self.rateLimit = rateLimit
            self.listLag = listLag
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// Requests served.
    public let journal: RequestJournal
    /// Injected faults.
    public let faults: FaultInjector
    /// Emulator time.
    public let clock: EmulatorClock
    let state = Mutex(CloudflareEmulatorState())
    private let lag: Mutex<Duration>

    var currentLag: Duration { self.lag.withLock { $0 } }

    /// Creates an emulator.
    public init(
        configuration: Configuration = Configuration(),
        journal: RequestJournal = RequestJournal(),
        faults: FaultInjector = FaultInjector(),
        clock: EmulatorClock = EmulatorClock()
    ) {
        self.configuration = configuration
        self.journal = journal
        self.faults = faults
        self.clock = clock
        self.lag = Mutex(configuration.listLag)
    }

    /// Sets the list lag.
    public func setListLag(_ lag: Duration) { self.lag.withLock { $0 = lag } }

    /// Attaches a connector to a tunnel (what a running `cloudflared` does); the tunnel turns
    /// healthy, and the edge routes its hostnames to the connector. `ports` says where the
    /// connector's `localhost` ports are on this machine (see the edge). False when there is no
    /// live tunnel `tunnelID`.
    public func connect(
        tunnelID: String,
        connectorID: String = UUID().uuidString.lowercased(),
        colo: String = "lhr01",
        ports: [Int: Int] = [:]
    ) -> Bool {
        self.state.withLock { state in
            guard state.tunnels[tunnelID]?.deletedAt == nil, state.tunnels[tunnelID] != nil else { return false }
            state.tunnels[tunnelID]?.connectors[connectorID] = .init(colo: colo, ports: ports, connectedAt: Date())
            state.tunnels[tunnelID]?.everConnected = true
            return true
        }
    }

    /// Seeds live tunnels directly (for tests and benchmarks); returns their ids.
    public func seedTunnels(names: [String]) -> [String] {
        self.state.withLock { state in
            names.map { name in
                let tunnel = CloudflareEmulatorState.Tunnel(
                    id: UUID().uuidString.lowercased(),
                    name: name,
                    createdAt: Date(),
                    configSource: "cloudflare",
                    secret: Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString(),
                    listedFrom: .zero
                )
                state.tunnels[tunnel.id] = tunnel
                state.tunnelOrder.append(tunnel.id)
                return tunnel.id
            }
        }
    }

    /// Seeds a DNS record directly (for tests: records of another fleet, unlabelled ones).
    public func seedRecord(name: String, type: String, content: String, comment: String?) -> String {
        let id = Self.hexID()
        self.state.withLock { state in
            state.records[id] = .init(
                id: id,
                name: name,
                type: type,
                content: content,
                proxied: type == "CNAME",
                ttl: 1,
                comment: comment,
                createdOn: Date(),
                modifiedOn: Date(),
                listedFrom: .zero
            )
            state.recordOrder.append(id)
        }
        return id
    }

    // MARK: Routes

    /// Adds the `/client/v4` routes to `router`.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        let account = "/client/v4/accounts/:account/cfd_tunnel"
        let zone = "/client/v4/zones/:zone/dns_records"
        router.get(RouterPath(account)) { request, context in await self.gated(request, context, "tunnels.list", self.listTunnels) }
        router.post(RouterPath(account)) { request, context in await self.gated(request, context, "tunnels.create", self.createTunnel) }
        router.get(RouterPath(account + "/:id")) { request, context in await self.gated(request, context, "tunnels.get", self.getTunnel) }
        router.patch(RouterPath(account + "/:id")) { request, context in await self.gated(request, context, "tunnels.edit", self.editTunnel) }
        router.delete(RouterPath(account + "/:id")) { request, context in await self.gated(request, context, "tunnels.delete", self.deleteTunnel) }
        router.get(RouterPath(account + "/:id/connections")) { request, context in
            await self.gated(request, context, "tunnels.connections", self.listConnections)
        }
        router.delete(RouterPath(account + "/:id/connections")) { request, context in
            await self.gated(request, context, "tunnels.cleanConnections", self.cleanConnections)
        }
        router.get(RouterPath(account + "/:id/token")) { request, context in await self.gated(request, context, "tunnels.token", self.token) }
        router.get(RouterPath(account + "/:id/configurations")) { request, context in
            await self.gated(request, context, "tunnels.getConfiguration", self.getConfiguration)
        }
        router.put(RouterPath(account + "/:id/configurations")) { request, context in
            await self.gated(request, context, "tunnels.putConfiguration", self.putConfiguration)
        }
        router.get(RouterPath(zone)) { request, context in await self.gated(request, context, "dns.list", self.listRecords) }
        router.post(RouterPath(zone)) { request, context in await self.gated(request, context, "dns.create", self.createRecord) }
        router.get(RouterPath(zone + "/:id")) { request, context in await self.gated(request, context, "dns.get", self.getRecord) }
        router.put(RouterPath(zone + "/:id")) { request, context in await self.gated(request, context, "dns.update", self.updateRecord) }
        router.patch(RouterPath(zone + "/:id")) { request, context in await self.gated(request, context, "dns.edit", self.updateRecord) }
        router.delete(RouterPath(zone + "/:id")) { request, context in await self.gated(request, context, "dns.delete", self.deleteRecord) }
        router.post("/_emulator/cloudflare/tunnels/:id/connectors") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            // Optional body: {"client_id": "…", "ports": {"8080": 43111}} — a stable id replaces that
            // connector (a restarted process), and where the connector's localhost ports are here.
            struct Registration: Decodable {
                var clientID: String?
                var ports: [String: Int]?
                enum CodingKeys: String, CodingKey {
                    case clientID = "client_id"
                    case ports
                }
            }
            let body = try? await request.body.collect(upTo: 1 << 16)
            let registration = body.flatMap {
                $0.readableBytes == 0 ? nil : try? JSONDecoder().decode(Registration.self, from: Data($0.readableBytesView))
            }
            if let body, body.readableBytes > 0, registration == nil {
                return EmulatorResponse.json(.badRequest, ["error": "expected {\"client_id\": \"…\", \"ports\": {\"8080\": 43111, …}} or no body"])
            }
            let ports = Dictionary((registration?.ports ?? [:]).compactMap { key, value in Int(key).map { ($0, value) } }) { first, _ in first }
            let connector = registration?.clientID ?? UUID().uuidString.lowercased()
            return self.connect(tunnelID: id, connectorID: connector, ports: ports)
                ? EmulatorResponse.json(.ok, ["connected": true, "client_id": connector])
                : EmulatorResponse.json(.notFound, ["error": "no live tunnel \(id)"])
        }
        router.delete("/_emulator/cloudflare/tunnels/:id/connectors") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            self.state.withLock { $0.tunnels[id]?.connectors.removeAll() }
            return EmulatorResponse.json(.ok, ["connected": false])
        }
        router.put("/_emulator/cloudflare/lag") { request, _ -> Response in
            self.setListLag(.milliseconds(Int(EmulatorResponse.query(request, "milliseconds") ?? "0") ?? 0))
            return EmulatorResponse.json(.ok, ["ok": true])
        }
    }

    // MARK: Gate: journal, auth, rate limit, faults

    private typealias Handler = @Sendable (Request, BasicRequestContext) async -> Response

    private func gated(_ request: Request, _ context: BasicRequestContext, _ route: String, _ handler: Handler) async -> Response {
        let response = await self.admit(request, context, route, handler)
        self.journal.record(.init(route: "cloudflare \(route)", method: request.method.rawValue, status: Int(response.status.code)))
        return response
    }

    private func admit(_ request: Request, _ context: BasicRequestContext, _ route: String, _ handler: Handler) async -> Response {
        guard let header = request.headers[.authorization] else {
            return Self.failure(.badRequest, 9106, "Missing X-Auth-Key, X-Auth-Email or Authorization headers")
        }
        guard header.hasPrefix("Bearer ") else {
            return Self.failure(.badRequest, 6003, "Invalid request headers")
        }
        let token = String(header.dropFirst("Bearer ".count))
        guard self.configuration.tokens.contains(token) else { return Self.failure(.forbidden, 10000, "Authentication error") }
        if let account = context.parameters.get("account"), account != self.configuration.accountID {
            return Self.failure(.forbidden, 9109, "Unauthorized to access requested resource")
        }
        if let zone = context.parameters.get("zone"), zone != self.configuration.zoneID {
            return Self.failure(.notFound, 7003, "Could not route to /zones/\(zone)/dns_records, perhaps your object identifier is invalid?")
        }
        let limit = self.configuration.rateLimit
        let now = self.clock.now
        let (wait, remaining) = self.state.withLock { state -> (Duration?, Int) in
            var window = state.windows[token] ?? RequestWindow(limit: limit.requests, per: limit.window)
            defer { state.windows[token] = window }
            return (window.admit(at: now), window.remaining(at: now))
        }
        let windowSeconds = RequestWindow.wholeSeconds(limit.window)
        let rateHeaders = [
            ("Ratelimit", "\"default\";r=\(remaining);t=\(windowSeconds)"),
            ("Ratelimit-Policy", "\"default\";q=\(limit.requests);w=\(windowSeconds)"),
        ]
        if let wait {
            return Self.failure(
                .tooManyRequests,
                971,
                "Please wait and consider throttling your request speed",
                headers: rateHeaders + [("Retry-After", "\(max(1, RequestWindow.wholeSeconds(wait)))")]
            )
        }
        if let fault = self.faults.fault(for: route) {
            if let delay = fault.delayMilliseconds { try? await Task.sleep(for: .milliseconds(delay)) }
            if fault.status >= 400 {
                var headers = rateHeaders
                if let retryAfter = fault.retryAfterSeconds { headers.append(("Retry-After", "\(retryAfter)")) }
                let code = fault.status == 429 ? 971 : 10002
                return Self.failure(HTTPResponse.Status(code: fault.status), code, "injected fault: HTTP \(fault.status)", headers: headers)
            }
        }
        var response = await handler(request, context)
        for (name, value) in rateHeaders {
            if let field = HTTPField.Name(name) { response.headers[field] = value }
        }
        return response
    }

    // MARK: Envelopes

    static func success(_ result: Any, info: [String: Any]? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var body: [String: Any] = ["success": true, "errors": [], "messages": [], "result": result]
        if let info { body["result_info"] = info }
        return EmulatorResponse.json(status, body)
    }

    static func failure(_ status: HTTPResponse.Status, _ code: Int, _ message: String, headers: [(String, String)] = []) -> Response {
        EmulatorResponse.json(
            status,
            ["success": false, "errors": [["code": code, "message": message]], "messages": [], "result": NSNull()],
            headers: headers
        )
    }

    /// One page of `items` (rendered with `render`, only the page's) and its `result_info`, or a
    /// 400 for a bad page size.
    static func page<Item>(
        _ items: [Item],
        _ request: Request,
        defaultSize: Int,
        maximumSize: Int,
        minimumSize: Int = 1,
        render: (Item) -> [String: Any]
    ) -> Response {
        let page = max(1, Int(EmulatorResponse.query(request, "page") ?? "1") ?? 1)
        let size = Int(EmulatorResponse.query(request, "per_page") ?? "\(defaultSize)") ?? defaultSize
        guard (minimumSize...maximumSize).contains(size) else {
            return Self.failure(.badRequest, 1004, "per_page must be between \(minimumSize) and \(maximumSize)")
        }
        let start = min((page - 1) * size, items.count)
        let slice = items[start..<min(start + size, items.count)].map(render)
        let totalPages = items.isEmpty ? 0 : (items.count + size - 1) / size
        return Self.success(
            slice,
            info: ["page": page, "per_page": size, "count": slice.count, "total_count": items.count, "total_pages": totalPages]
        )
    }

    static func hexID() -> String {
        Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
    }
}
