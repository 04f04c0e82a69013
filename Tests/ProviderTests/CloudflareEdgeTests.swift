import AsyncHTTPClient
import CloudflareProvider
import Emulators
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import ProviderSupport
import Testing

/// The emulated Cloudflare edge: a request by `Host` follows the proxied CNAME to the tunnel,
/// its ingress rules to a service, and a connector to the origin; 530 / 1033 with no
/// connector, 502 when the origin refuses, failover between replica connectors, 524 past the
/// read timeout. Tunnels and records are made through our Cloudflare client, as the reconciler
/// makes them.
@Suite("Cloudflare edge")
struct CloudflareEdgeTests {
    static let domain = "devopsdefender.com"

    /// An origin that echoes what reached it; `/slow` answers after two seconds.
    static func origin() -> Router<BasicRequestContext> {
        let router = Router()
        router.on("/", method: .get) { request, _ -> Response in Self.echo(request, body: "") }
        router.on("/**", method: .get) { request, _ -> Response in Self.echo(request, body: "") }
        router.on("/**", method: .post) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            return Self.echo(request, body: String(buffer: body))
        }
        router.get("/slow") { _, _ -> Response in
            try await Task.sleep(for: .seconds(2))
            return Response(status: .ok)
        }
        return router
    }

    static func echo(_ request: Request, body: String) -> Response {
        let text = [
            request.method.rawValue, request.uri.description, request.head.authority ?? "",
            request.headers[HTTPField.Name("CF-Connecting-IP")!] ?? "",
            body,
        ]
        .joined(separator: "|")
        return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// One request through the edge at `port` for `host`.
    static func send(_ port: Int, host: String, path: String = "/", method: NIOHTTP1.HTTPMethod = .GET, body: String? = nil) async throws
        -> (status: Int, body: String, headers: [String: String])
    {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.replaceOrAdd(name: "Host", value: host)
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let content = try await response.body.collect(upTo: 1 << 20)
        return (
            Int(response.status.code), String(buffer: content), Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }) { a, _ in a }
        )
    }

    /// A Cloudflare emulator with its edge, a tunnel `web` routing `hello.{domain}` to
    /// `http://localhost:8080` (everything else 404), and its proxied CNAME.
    static func withEdge(
        readTimeout: Duration = .seconds(100),
        _ body:
            @Sendable (_ emulator: CloudflareEmulator, _ tunnelID: String, _ edgePort: Int, _ client: CloudflareClient<ContinuousClock>) async throws
            -> Void
    ) async throws {
        let server = try EmulatorServer(cloudflare: .init(zoneName: Self.domain))
        let emulator = try #require(server.cloudflare)
        try await LoopbackServer.withRunning(server.router()) { apiPort in
            let client = CloudflareClientTests.client(port: apiPort, configuration: emulator.configuration)
            let tunnel = try await client.createTunnel(name: "web", adoptIf: { _ in false }).tunnel
            _ = try await client.putConfiguration(
                id: tunnel.id,
                ingress: [IngressRule(hostname: "hello.\(Self.domain)", service: "http://localhost:8080"), IngressRule(service: "http_status:404")]
            )
            _ = try await client.createTunnelCNAME(name: "hello.\(Self.domain)", tunnelID: tunnel.id, comment: "test")
            try await CloudflareEdge.withRunning(emulator: emulator, readTimeout: readTimeout) { edgePort in
                try await body(emulator, tunnel.id, edgePort, client)
            }
        }
    }

    @Test("a proxied hostname reaches the origin behind the tunnel's connector; no connector is 530 / 1033")
    func routesToOrigin() async throws {
        try await Self.withEdge { emulator, tunnelID, edgePort, _ in
            let before = try await Self.send(edgePort, host: "hello.\(Self.domain)")
            #expect(before.status == 530 && before.body == "error code: 1033\n", "\(before)")
            try await LoopbackServer.withRunning(Self.origin()) { originPort in
                #expect(emulator.connect(tunnelID: tunnelID, ports: [8080: originPort]))
                let got = try await Self.send(edgePort, host: "hello.\(Self.domain)", path: "/a/b?c=1", method: .POST, body: "payload")
                #expect(got.status == 200)
                #expect(got.body == "POST|/a/b?c=1|hello.\(Self.domain)|127.0.0.1|payload")
                #expect(got.headers["server"] == "cloudflare" && got.headers["cf-ray"] != nil)
            }
        }
    }

    @Test("unknown hosts are 530 / 1001, unmatched ingress takes the catch-all, a refusing origin is 502")
    func errors() async throws {
        try await Self.withEdge { emulator, tunnelID, edgePort, client in
            let unknown = try await Self.send(edgePort, host: "nowhere.\(Self.domain)")
            #expect(unknown.status == 530 && unknown.body == "error code: 1001\n")
            _ = try await client.createTunnelCNAME(name: "other.\(Self.domain)", tunnelID: tunnelID, comment: "test")
            #expect(emulator.connect(tunnelID: tunnelID, ports: [8080: try Self.closedPort()]))
            #expect(try await Self.send(edgePort, host: "other.\(Self.domain)").status == 404, "the tunnel's http_status:404 catch-all")
            let refused = try await Self.send(edgePort, host: "hello.\(Self.domain)")
            #expect(refused.status == 502 && refused.body == "error code: 502\n", "\(refused)")
        }
    }

    @Test("connectors of one tunnel are replicas: a request fails over to the one whose origin answers; none left is 530")
    func failover() async throws {
        try await Self.withEdge { emulator, tunnelID, edgePort, client in
            try await LoopbackServer.withRunning(Self.origin()) { originPort in
                // The older connector (tried first) reaches nothing: alone, it is a 502.
                #expect(emulator.connect(tunnelID: tunnelID, connectorID: "old", ports: [8080: try Self.closedPort()]))
                #expect(try await Self.send(edgePort, host: "hello.\(Self.domain)").status == 502)
                #expect(emulator.connect(tunnelID: tunnelID, connectorID: "new", ports: [8080: originPort]))
                for _ in 0..<5 {
                    let answer = try await Self.send(edgePort, host: "hello.\(Self.domain)")
                    #expect(answer.status == 200, "\(answer)")
                }
                // A connector registering again under its id replaces itself (a restarted agent).
                #expect(emulator.connect(tunnelID: tunnelID, connectorID: "new", ports: [8080: try Self.closedPort()]))
                #expect(try await Self.send(edgePort, host: "hello.\(Self.domain)").status == 502)
                try await client.cleanConnections(id: tunnelID)
                #expect(try await Self.send(edgePort, host: "hello.\(Self.domain)").status == 530)
            }
        }
    }

    @Test("an origin silent past the read timeout is 524")
    func readTimeout() async throws {
        try await Self.withEdge(readTimeout: .milliseconds(300)) { emulator, tunnelID, edgePort, _ in
            try await LoopbackServer.withRunning(Self.origin()) { originPort in
                #expect(emulator.connect(tunnelID: tunnelID, ports: [8080: originPort]))
                let slow = try await Self.send(edgePort, host: "hello.\(Self.domain)", path: "/slow")
                #expect(slow.status == 524 && slow.body == "error code: 524\n")
            }
        }
    }

    /// A loopback port nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw CancellationError() }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
