import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

extension RegistrationSocket {
    /// Opens the TCP connection (TLS for `wss://`) with the upgrade pipeline in place; returns
    /// the upgrade's future. The channel is handed to `watch` before it connects, so a deadline
    /// or a cancellation can close it at any point.
    static func connect(_ endpoint: RegistrationEndpoint, watch: ConnectionWatch, timeout: Duration) async throws -> EventLoopFuture<Upgrade> {
        let tls = endpoint.tls ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(timeout))
                .connect(host: endpoint.host, port: endpoint.port) { channel in
                    watch.attach(channel)
                    return channel.eventLoop.makeCompletedFuture {
                        try Self.configure(channel, endpoint: endpoint, tls: tls, watch: watch)
                    }
                }
        } catch {
            throw RegistrationSocketError(.closed, phase: .connecting, "cannot connect to \(endpoint.host):\(endpoint.port): \(error)")
        }
    }

    /// The client pipeline: TLS (for `wss://`), the HTTP codec with a recorder of the response
    /// status (so a refused upgrade says what it got), and the WebSocket upgrader.
    private static func configure(
        _ channel: any Channel,
        endpoint: RegistrationEndpoint,
        tls: NIOSSLContext?,
        watch: ConnectionWatch
    ) throws -> EventLoopFuture<Upgrade> {
        let operations = channel.pipeline.syncOperations
        if let tls {
            try operations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: endpoint.serverName))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.hostHeader)
        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: Self.maximumMessageSize) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                .upgraded(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
            }
        }
        let encoder = HTTPRequestEncoder()
        let decoder = ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes))
        let recorder = ResponseStatusRecorder(watch: watch)
        let upgradeHandler = NIOTypedHTTPClientUpgradeHandler(
            httpHandlers: [encoder, decoder, recorder],
            upgradeConfiguration: .init(
                upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: endpoint.path, headers: headers),
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { $0.eventLoop.makeSucceededFuture(.notUpgraded) }
            )
        )
        try operations.addHandler(encoder)
        try operations.addHandler(decoder)
        try operations.addHandler(recorder)
        try operations.addHandler(upgradeHandler)
        return upgradeHandler.upgradeResultFuture
    }
}

/// Notes the status of the upgrade response for ``ConnectionWatch/responseStatus``.
private final class ResponseStatusRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart

    private let watch: ConnectionWatch

    init(watch: ConnectionWatch) { self.watch = watch }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = Self.unwrapInboundIn(data) { self.watch.responseStatus = Int(head.status.code) }
        context.fireChannelRead(data)
    }
}
