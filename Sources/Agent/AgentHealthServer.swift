import Foundation
import Hummingbird
import Logging
import NIOCore

/// The agent's local `GET /health`: JSON with its VM, whether it is registered, its agent id and
/// hostname, the connector's readiness, attempts, heartbeats, the phase of the current attempt,
/// failures since the last success and the last error.
public enum AgentHealthServer {
    /// The application, listening on `host:port`.
    public static func application(
        status: AgentStatus,
        host: String,
        port: Int,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/health") { _, _ -> Response in
            let snapshot = status.snapshot
            var object: [String: Any] = [
                "ok": snapshot.registered, "vm": snapshot.vm, "registered": snapshot.registered, "connectorReady": snapshot.connectorReady,
                "attempts": snapshot.attempts, "heartbeats": snapshot.heartbeats, "consecutiveFailures": snapshot.consecutiveFailures,
            ]
            object["phase"] = snapshot.phase?.rawValue
            object["agentID"] = snapshot.agentID
            object["hostname"] = snapshot.hostname
            object["lastError"] = snapshot.lastError
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            return Response(
                status: snapshot.registered ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data))
            )
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "devopsdefender-agent"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
