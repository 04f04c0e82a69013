import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Runs a Hummingbird router on 127.0.0.1 (port 0 picks a free port) for emulators and tests.
///
/// ```swift
/// try await LoopbackServer.withRunning(router) { port in … }
/// ```
public enum LoopbackServer {
    /// Starts `router` on `127.0.0.1:port` (its `Server` header `serverName`), runs `body` with the bound port, then shuts the server
    /// down gracefully (through a `ServiceGroup`) and waits for it.
    public static func withRunning<Context: RequestContext, Result: Sendable>(
        _ router: Router<Context>,
        port: Int = 0,
        serverName: String = "devopsdefender-emulator",
        logger: Logger = Logger(label: "devopsdefender.emulator") { _ in SwiftLogNoOpLogHandler() },
        _ body: @Sendable (Int) async throws -> Result
    ) async throws -> Result where Context.Source == ApplicationRequestContextSource {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: serverName),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? port)
                continuation.finish()
            },
            logger: logger
        )
        return try await self.withRunning(service: application, ports: ports, logger: logger, body)
    }

    /// Runs `service` in a `ServiceGroup`, waits for the port it reports on `ports`, runs `body`
    /// with it, then shuts the service down gracefully and waits for it.
    public static func withRunning<Result: Sendable>(
        service: some Service,
        ports: AsyncStream<Int>,
        logger: Logger,
        _ body: @Sendable (Int) async throws -> Result
    ) async throws -> Result {
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var bound: Int?
            for await value in ports {
                bound = value
                break
            }
            guard let bound else {
                tasks.cancelAll()
                throw CancellationError()
            }
            let result: Result
            do {
                result = try await body(bound)
            } catch {
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}
