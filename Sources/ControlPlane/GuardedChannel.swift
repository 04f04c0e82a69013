import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// The control plane's child channel: Hummingbird's HTTP/1 with WebSocket upgrade, behind a
/// ``ConnectionGuard`` (header deadline, pending-connection cap, masked client frames).
struct GuardedChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    var inner: HTTP1WebSocketUpgradeChannel
    var headerTimeout: Duration
    var pending: PendingConnections

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let headerTimeout = self.headerTimeout
        let pending = self.pending
        let inner = self.inner
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(headerTimeout: headerTimeout, pending: pending))
        }.flatMap { inner.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await self.inner.handle(value: value, logger: logger)
    }
}
