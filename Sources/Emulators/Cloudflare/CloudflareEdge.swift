import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Cloudflare's edge in front of the emulated zone, on a port of its own: a request whose `Host`
/// is a proxied hostname goes along its CNAME to the tunnel, by the tunnel's ingress rules to a
/// service, and through a connected connector to that service's origin — as Cloudflare does.
///
/// | case | answer |
/// |---|---|
/// | no proxied record of that name in the zone | 530, `error code: 1001` |
/// | the CNAME names no live tunnel, or no connector runs | 530, `error code: 1033` |
/// | no ingress configuration, or no rule matches | 503 |
/// | a rule's service is `http_status:NNN` | NNN |
/// | the origin refuses (through every connector) | 502, `error code: 502` |
/// | the origin is silent past the read timeout (100 s) | 524, `error code: 524` |
///
/// Several connectors of one tunnel are replicas: the oldest is tried first, and a request
/// that gets no answer through one connector (the origin refuses or resets) fails over to the
/// next; an answer cut off midway is a 502, never sent again. A connector's `localhost`
/// is this machine, its ports mapped as it registered them (``CloudflareEmulator/connect(tunnelID:connectorID:colo:ports:)``).
/// The request goes on with its method, path, query, headers (hop-by-hop ones dropped) and body,
/// plus `CF-Connecting-IP`, `X-Forwarded-For`, `X-Forwarded-Proto: https` and a `CF-Ray`; the
/// answer comes back likewise, from `Server: cloudflare`.
public struct CloudflareEdge: Sendable {
    /// The emulator whose zone, tunnels and connectors route requests.
    public let emulator: CloudflareEmulator
    /// How long an origin may take to answer (Cloudflare's proxy read timeout).
    public var readTimeout: Duration
    /// The largest request or response body carried.
    public var maximumBodyBytes: Int
    /// The connectors' client to origins: a refused connection fails at once (no retries until
    /// the deadline), so the next replica is tried.
    private let client: HTTPClient

    private init(emulator: CloudflareEmulator, readTimeout: Duration, maximumBodyBytes: Int) {
        self.emulator = emulator
        self.readTimeout = readTimeout
        self.maximumBodyBytes = maximumBodyBytes
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5)))
        configuration.connectionPool.retryConnectionEstablishment = false
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Serves the edge in front of `emulator` on `127.0.0.1:port` (0 picks one) while `body`
    /// runs with the bound port, then stops it.
    public static func withRunning<Result: Sendable>(
        emulator: CloudflareEmulator,
        port: Int = 0,
        readTimeout: Duration = .seconds(100),
        maximumBodyBytes: Int = 100 << 20,
        _ body: @Sendable (Int) async throws -> Result
    ) async throws -> Result {
        let edge = CloudflareEdge(emulator: emulator, readTimeout: readTimeout, maximumBodyBytes: maximumBodyBytes)
        let result: Result
        do {
            result = try await LoopbackServer.withRunning(edge.router(), port: port, serverName: "cloudflare", body)
        } catch {
            try? await edge.client.shutdown()
            throw error
        }
        try await edge.client.shutdown()
        return result
    }

    /// A router that answers every request as the edge.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: EdgeMiddleware(edge: self))
        return router
    }

    /// Headers that belong to one connection, never forwarded.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
        "content-length",
    ]

    /// The edge's answer to `request`.
    func respond(to request: Request) async -> Response {
        let host = (request.head.authority ?? "").split(separator: ":").first.map { String($0).lowercased() } ?? ""
        let path = request.uri.path.isEmpty ? "/" : request.uri.path
        switch self.emulator.edgeRoute(host: host) {
        case .noRecord:
            return Self.error(HTTPResponse.Status(code: 530), "1001", "no proxied DNS record for \(host) in the zone")
        case .noTunnel(let id):
            return Self.error(HTTPResponse.Status(code: 530), "1033", "the record for \(host) names tunnel \(id), which does not exist")
        case .tunnel(let id, let ingress, let connectors):
            guard !connectors.isEmpty else {
                return Self.error(HTTPResponse.Status(code: 530), "1033", "tunnel \(id) has no connector running")
            }
            guard let rule = ingress.first(where: { $0.matches(host: host, path: path) }) else {
                return Self.error(.serviceUnavailable, "503", "tunnel \(id) has no ingress rule for \(host)\(path)")
            }
            if rule.service.hasPrefix("http_status:") {
                guard let code = Int(rule.service.dropFirst("http_status:".count)), (100...599).contains(code) else {
                    return Self.error(.badGateway, "502", "the ingress service \(rule.service) is not a valid http_status")
                }
                return Response(status: HTTPResponse.Status(code: code))
            }
            return await self.forward(request, host: host, service: rule.service, connectors: connectors)
        }
    }

    /// Sends `request` to `service` through the first connector whose origin answers.
    private func forward(_ request: Request, host: String, service: String, connectors: [CloudflareEmulatorState.Connector]) async -> Response {
        guard let body = try? await request.body.collect(upTo: self.maximumBodyBytes) else {
            return Self.error(.contentTooLarge, "413", "the request body is larger than \(self.maximumBodyBytes) bytes")
        }
        let ray = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined() + "-LHR"
        for connector in connectors {
            guard let url = Self.originURL(service: service, ports: connector.ports, request: request) else {
                return Self.error(.badGateway, "502", "the ingress service \(service) is not an http(s) URL")
            }
            var outbound = HTTPClientRequest(url: url)
            outbound.method = .init(rawValue: request.method.rawValue)
            for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
                outbound.headers.add(name: field.name.rawName, value: field.value)
            }
            outbound.headers.replaceOrAdd(name: "Host", value: host)
            outbound.headers.replaceOrAdd(name: "CF-Connecting-IP", value: "127.0.0.1")
            outbound.headers.replaceOrAdd(name: "X-Forwarded-For", value: "127.0.0.1")
            outbound.headers.replaceOrAdd(name: "X-Forwarded-Proto", value: "https")
            outbound.headers.replaceOrAdd(name: "CF-Ray", value: ray)
            if body.readableBytes > 0 { outbound.body = .bytes(body) }
            let response: HTTPClientResponse
            do {
                response = try await self.client.execute(outbound, timeout: .init(self.readTimeout))
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                return Self.error(HTTPResponse.Status(code: 524), "524", "the origin \(url) did not answer within \(self.readTimeout)")
            } catch {
                continue  // no answer through this connector (refused, reset): the next replica
            }
            return await self.relay(response, ray: ray, origin: url)
        }
        return Self.error(.badGateway, "502", "the origin \(service) of \(host) refused the connection through every connector")
    }

    /// The origin's answer, carried back whole (hop-by-hop headers dropped); an answer cut off
    /// or too large is a 502, never retried through another connector.
    private func relay(_ response: HTTPClientResponse, ray: String, origin: String) async -> Response {
        let content: ByteBuffer
        do {
            content = try await response.body.collect(upTo: self.maximumBodyBytes)
        } catch {
            return Self.error(.badGateway, "502", "the answer of \(origin) was cut off or is larger than \(self.maximumBodyBytes) bytes")
        }
        var headers = HTTPFields()
        for (name, value) in response.headers where !Self.hopByHop.contains(name.lowercased()) {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        if let name = HTTPField.Name("CF-Ray") { headers[name] = ray }
        return Response(status: HTTPResponse.Status(code: Int(response.status.code)), headers: headers, body: .init(byteBuffer: content))
    }

    /// The URL a connector dials for `service`: `localhost` (or 127.0.0.1) ports mapped as the
    /// connector registered them, then the request's path and query.
    static func originURL(service: String, ports: [Int: Int], request: Request) -> String? {
        guard var components = URLComponents(string: service), let scheme = components.scheme, ["http", "https"].contains(scheme) else {
            return nil
        }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        if ["localhost", "127.0.0.1"].contains(components.host ?? ""), let mapped = ports[port] {
            components.host = "127.0.0.1"
            components.port = mapped
        }
        var base = components.string ?? service
        while base.hasSuffix("/") { base.removeLast() }
        let query = request.uri.query.map { "?\($0)" } ?? ""
        return base + (request.uri.path.isEmpty ? "/" : request.uri.path) + query
    }

    /// Cloudflare's plain-text error for non-browser clients, with the reason in a header.
    static func error(_ status: HTTPResponse.Status, _ code: String, _ reason: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=UTF-8"
        if let name = HTTPField.Name("X-DD-Edge-Reason") { headers[name] = reason }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "error code: \(code)\n")))
    }
}

/// Answers every request as the edge (never passes it on).
private struct EdgeMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let edge: CloudflareEdge

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        await self.edge.respond(to: request)
    }
}
