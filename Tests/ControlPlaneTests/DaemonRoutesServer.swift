import ControlPlane
import Crypto
import Daemon
import Emulators
import Encoding
import Foundation
import Logging
import ProviderSupport
import SourceVerification
import Testing

/// A `ControlPlaneServer` with an empty registration slot and the daemon's routes over fake
/// environments, on a loopback port, spoken to over real HTTP.
struct DaemonRoutesServer: Sendable {
    /// GitHub's published webhook test vector.
    static let vectorSecret = "It's a Secret to Everybody"
    static let vectorBody = Array("Hello, World!".utf8)
    static let vectorSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    static let adminToken = "admin-token-0123456789"
    /// The wall time the routes are given.
    static let now: Int64 = 1_750_000_000

    var port: Int
    var http: HTTPTransport

    var base: String { "http://127.0.0.1:\(self.port)" }

    /// Runs `body` with the server up; `webhookSecret` and `adminToken` nil disable those routes.
    static func with<Result: Sendable>(
        environments: [FakeEnvironment],
        source: SourceDescription? = nil,
        webhookSecret: String? = Self.vectorSecret,
        adminToken: String? = Self.adminToken,
        _ body: @Sendable (DaemonRoutesServer) async throws -> Result
    ) async throws -> Result {
        let routes = DaemonRoutes(
            environments: environments,
            source: source,
            webhook: webhookSecret.map { WebhookSignatureVerifier(secret: $0) },
            adminToken: adminToken,
            now: { Self.now }
        )
        let logger = Logger(label: "test.daemon-routes") { _ in SwiftLogNoOpLogHandler() }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = ControlPlaneServer(
            slot: RegistrationSlot<ContinuousClock>(),
            logger: logger,
            configuration: .init(host: "127.0.0.1", port: 0),
            daemon: routes
        ) { port in
            continuation.yield(port)
            continuation.finish()
        }
        return try await LoopbackServer.withRunning(service: server, ports: ports, logger: logger) { port in
            try await body(DaemonRoutesServer(port: port, http: HTTPTransport(timeout: .seconds(30))))
        }
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> HTTPTransport.Response {
        try await self.http.send(method: "GET", url: self.base + path, headers: headers)
    }

    func post(_ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> HTTPTransport.Response {
        try await self.http.send(method: "POST", url: self.base + path, headers: headers, body: body)
    }

    /// `POST /hooks/github` with the given event, delivery id and signature headers.
    func hook(
        event: String = "push",
        delivery: String?,
        body: [UInt8] = Self.vectorBody,
        signature: String? = Self.vectorSignature,
        extraHeaders: [(String, String)] = []
    ) async throws -> HTTPTransport.Response {
        var headers: [(String, String)] = [("X-GitHub-Event", event), ("Content-Type", "application/json")]
        if let delivery { headers.append(("X-GitHub-Delivery", delivery)) }
        if let signature { headers.append(("X-Hub-Signature-256", signature)) }
        return try await self.post("/hooks/github", headers: headers + extraHeaders, body: body)
    }

    /// `POST` with `Authorization: Bearer <token>` (none when `token` is nil).
    func admin(_ path: String, token: String? = Self.adminToken, body: [UInt8]? = nil) async throws -> HTTPTransport.Response {
        let headers = token.map { [("Authorization", "Bearer \($0)")] } ?? []
        return try await self.post(path, headers: headers, body: body)
    }

    /// `sha256=<hex>` of `body` under `secret`.
    static func signature(_ body: [UInt8], secret: String = Self.vectorSecret) -> String {
        "sha256=" + Hex.encode(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))))
    }
}

extension HTTPTransport.Response {
    var text: String { String(decoding: self.body, as: UTF8.self) }

    /// The body as a JSON object.
    func object(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(self.body))
        return try #require(value as? [String: Any], "not a JSON object: \(self.text)", sourceLocation: sourceLocation)
    }

    /// The first value of header `name` (case-insensitive).
    func header(_ name: String) -> String? {
        self.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}
