import Attestation
import Crypto
import Encoding
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Prometheus
import Registration
import ServiceLifecycle

/// The control plane's HTTP service: `GET /health`, `GET /cp/attest?nonce=<64 hex>` (a fresh
/// quote binding this control plane's Noise static key and the caller's nonce), the
/// WebSocket `GET /register` (``RegistrationHandler``) and, when it reconciles, the daemon's
/// routes (``DaemonRoutes``), and `GET /metrics` (the Prometheus text format, when a registry is
/// given). A `Service`: run it in the process's
/// `ServiceGroup`; graceful shutdown stops accepting and lets connections finish.
public struct ControlPlaneServer<C: Clock>: Service where C.Duration == Duration {
    /// Where to listen.
    public struct Configuration: Sendable {
        /// The address to bind.
        public var host: String = "127.0.0.1"
        /// The port (0 picks a free one).
        public var port: Int = 8080
        /// How long a registration may take from the WebSocket upgrade to its verdict (a refusal
        /// sent, or provisioning begun); a connection without one by then is closed, so
        /// unfinished handshakes do not hold connections open.
        public var handshakeTimeout: Duration = .seconds(30)
        /// How long a closing connection waits for the client's close frame before the server
        /// drops it.
        public var closeTimeout: Duration = .seconds(5)
        /// Header and idle timeouts, and how many connections may be open and pending.
        public var connections = ConnectionLimits()

        /// Creates a configuration.
        public init(
            host: String = "127.0.0.1",
            port: Int = 8080,
            handshakeTimeout: Duration = .seconds(30),
            closeTimeout: Duration = .seconds(5),
            connections: ConnectionLimits = ConnectionLimits()
        ) {
            self.host = host
            self.port = port
            self.handshakeTimeout = handshakeTimeout
            self.closeTimeout = closeTimeout
            self.connections = connections
        }
    }

    /// Registration (empty while a control plane waits for its first fleet revision: its
    /// routes then answer 503).
    public var slot: RegistrationSlot<C>
    /// The logger of the server itself.
    public var logger: Logger
    /// The address.
    public var configuration: Configuration
    /// Called with the bound port once listening.
    public var onRunning: @Sendable (Int) async -> Void
    /// The clock handshake deadlines run on.
    public var deadlineClock: any Clock<Duration>
    /// The daemon's routes (status, plans, webhook, admin), when this control plane reconciles.
    public var daemon: DaemonRoutes?
    /// The registry `GET /metrics` renders (the one the process bootstrapped swift-metrics
    /// with); nil answers 404.
    public var metrics: PrometheusCollectorRegistry?

    /// Creates the server over a fixed handler.
    public init(
        handler: RegistrationHandler<C>,
        configuration: Configuration,
        deadlineClock: any Clock<Duration> = ContinuousClock(),
        daemon: DaemonRoutes? = nil,
        metrics: PrometheusCollectorRegistry? = nil,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.init(
            slot: RegistrationSlot(handler),
            logger: handler.logger,
            configuration: configuration,
            deadlineClock: deadlineClock,
            daemon: daemon,
            metrics: metrics,
            onRunning: onRunning
        )
    }

    /// Creates the server over a slot that may be empty at first.
    public init(
        slot: RegistrationSlot<C>,
        logger: Logger,
        configuration: Configuration,
        deadlineClock: any Clock<Duration> = ContinuousClock(),
        daemon: DaemonRoutes? = nil,
        metrics: PrometheusCollectorRegistry? = nil,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.daemon = daemon
        self.metrics = metrics
        self.slot = slot
        self.logger = logger
        self.configuration = configuration
        self.deadlineClock = deadlineClock
        self.onRunning = onRunning
    }

    /// Runs until the process's `ServiceGroup` shuts it down gracefully (or cancels it); it
    /// installs no signal handler of its own, so a SIGTERM stops the whole group in its order.
    public func run() async throws {
        try await self.application().run()
    }

    /// The Hummingbird application.
    public func application() -> some ApplicationProtocol {
        let router = Router(context: BasicWebSocketRequestContext.self)
        self.addHealthRoute(to: router)
        self.addAttestRoute(to: router)
        self.addRegisterRoute(to: router)
        self.addMetricsRoute(to: router)
        self.daemon?.add(to: router)
        let onRunning = self.onRunning
        let port = self.configuration.port
        let limits = self.configuration.connections
        return Application(
            router: router,
            server: self.server(webSocketRouter: router),
            configuration: .init(
                address: .hostname(self.configuration.host, port: port),
                serverName: "devopsdefender-control-plane",
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections, logger: self.logger)
            ),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: self.logger
        )
    }

    /// HTTP/1 with the WebSocket upgrade, each connection behind a ``ConnectionGuard``, kept-alive
    /// connections closed after the idle timeout.
    private func server(webSocketRouter router: Router<BasicWebSocketRequestContext>) -> HTTPServerBuilder {
        let limits = self.configuration.connections
        let pending = PendingConnections(limit: limits.maxPending)
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(idleTimeout: .init(limits.idleTimeout)),
            ws: .init(
                maxFrameSize: WebSocketFrames.maximumSize,
                autoPing: .enabled(timePeriod: .seconds(30)),
                closeTimeout: self.configuration.closeTimeout
            )
        )
        let webSocketResponder = router.buildResponder()
        return HTTPServerBuilder { responder in
            GuardedChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                headerTimeout: limits.headerTimeout,
                pending: pending
            )
        }
    }

    /// `GET /health`: the agent registry.
    private func addHealthRoute(to router: Router<BasicWebSocketRequestContext>) {
        let slot = self.slot
        router.get("/health") { _, _ -> Response in
            guard let handler = slot.current else { return Self.waiting() }
            let agents = handler.registry.snapshot()
            let body: [String: Any] = [
                "status": "ok",
                "agents": agents.count,
                "healthy": agents.filter { !$0.stale }.count,
                "stale": agents.filter(\.stale).count,
                "list": agents.map { agent in
                    [
                        "vm": agent.record.vm, "agentID": agent.record.agentID, "hostname": agent.record.hostname,
                        "status": agent.record.status, "heartbeats": agent.record.heartbeats, "stale": agent.stale,
                        "lastSeen": agent.record.lastSeenWall,
                    ] as [String: Any]
                },
            ]
            return Self.json(.ok, body)
        }
    }

    /// `GET /cp/attest?nonce=<64 hex>`: a fresh quote binding the Noise static key and the nonce.
    private func addAttestRoute(to router: Router<BasicWebSocketRequestContext>) {
        let slot = self.slot
        router.get("/cp/attest") { request, _ -> Response in
            guard let handler = slot.current else { return Self.waiting() }
            guard let hex = request.uri.queryParameters["nonce"], let nonce = Hex.decode(hex), nonce.count == 32 else {
                return Self.json(.badRequest, ["error": "give the nonce as 64 hex characters: /cp/attest?nonce=<32 bytes hex>"])
            }
            let staticKey = Array(handler.staticKey.publicKey.rawRepresentation)
            let quote: [UInt8]
            do {
                quote = try await handler.quote(nonce: nonce).quote
            } catch let busy as AdmissionGate.Busy {
                var response = Self.json(.serviceUnavailable, ["error": "the control plane is \(busy.description)"])
                response.headers[.retryAfter] = "1"
                return response
            }
            return Self.json(
                .ok,
                ["quote": Data(quote).base64EncodedString(), "noiseStaticKey": Data(staticKey).base64EncodedString(), "nonce": String(hex)]
            )
        }
    }

    /// `GET /metrics`: the registry in the Prometheus text exposition format (0.0.4).
    private func addMetricsRoute(to router: Router<BasicWebSocketRequestContext>) {
        let registry = self.metrics
        router.get("/metrics") { _, _ -> Response in
            guard let registry else {
                return Self.json(.notFound, ["error": "metrics are not enabled on this control plane"])
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }

    /// The WebSocket `GET /register`: one registration per connection, within the handshake
    /// timeout.
    private func addRegisterRoute(to router: Router<BasicWebSocketRequestContext>) {
        let slot = self.slot
        let deadlineClock = self.deadlineClock
        let handshakeTimeout = self.configuration.handshakeTimeout
        router.ws("/register") { _, _ in
            // 503 + Retry-After, not a refusal: an agent that boots before the first revision is
            // accepted backs off and registers once it is.
            guard slot.current != nil else { throw HTTPError(.serviceUnavailable, headers: [.retryAfter: "5"]) }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let logger = context.logger
            guard let handler = slot.current else { return }
            do {
                try await Self.register(
                    handler: handler,
                    inbound: inbound,
                    outbound: outbound,
                    deadline: (deadlineClock, handshakeTimeout),
                    logger: logger
                )
            } catch let busy as AdmissionGate.Busy {
                // 1013 "try again later": the agent backs off and registers again.
                logger.notice("registration refused for now", metadata: ["reason": "\(busy)"])
                try? await outbound.close(.unknown(1013), reason: "busy, retry later")
            } catch {
                // Returning closes this connection only; the server goes on serving the others.
                logger.notice("registration connection closed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Runs the handler against the handshake deadline: the first to finish wins — the handler
    /// (the agent left), or the deadline. A deadline that passes after the answer changes nothing.
    private static func register(
        handler: RegistrationHandler<C>,
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter,
        deadline: (clock: any Clock<Duration>, timeout: Duration),
        logger: Logger
    ) async throws {
        let progress = HandshakeProgress()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                var frames = WebSocketFrames(inbound)
                try await handler.handle(
                    receive: { try await frames.next() },
                    send: { try await outbound.write(.binary(ByteBuffer(bytes: $0))) },
                    answered: { progress.answer() }
                )
                return true
            }
            group.addTask {
                try await deadline.clock.sleep(for: deadline.timeout)
                return false
            }
            while let handlerFinished = try await group.next() {
                if handlerFinished { break }
                if progress.expire() {
                    logger.notice("registration handshake timed out; closing", metadata: ["timeout": "\(deadline.timeout)"])
                    // Cancelling the handler ends its read even when the client ignores the
                    // close frame; the server then drops the connection after `closeTimeout`.
                    group.cancelAll()
                    try? await outbound.close(.policyViolation, reason: "registration did not complete in time")
                    return
                }
            }
            group.cancelAll()
        }
    }

    /// 503 while no fleet revision has been accepted yet.
    static func waiting() -> Response {
        var response = Self.json(.serviceUnavailable, ["error": "waiting for the first valid revision of the fleet file; see GET /status"])
        response.headers[.retryAfter] = "5"
        return response
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
