import Attestation
import Foundation
import Logging
import ProviderSupport
import Registration
import ServiceLifecycle

/// The agent's main loop, a `Service`: register (retrying with exponential backoff, capped at
/// ``maximumBackoff``, with jitter), start the tunnel connector with the bootstrap token, then
/// heartbeat on the registered channel; when the channel drops, register again. Every phase of
/// an attempt has a deadline (``RegistrationClient/deadlines``), so no peer can hold the agent.
/// Only a final refusal inside the attested channel ends the service with the error; anything
/// else — HTTP errors, a control plane that fails attestation, malformed messages, timeouts — is
/// retried and shown in ``status``. Graceful shutdown cancels the attempt, which closes its
/// connection at once.
public struct AgentService<C: Clock>: Service where C.Duration == Duration {
    /// Registration.
    public var client: RegistrationClient
    /// The tunnel connector.
    public var connector: TunnelConnector
    /// Shared status (served on `/health`).
    public var status: AgentStatus
    /// Seconds between heartbeats.
    public var heartbeatInterval: Duration
    /// The longest pause between registration attempts.
    public var maximumBackoff: Duration = .seconds(60)
    /// How often the connector is checked (and restarted when it exited).
    public var supervisionInterval: Duration = .seconds(5)
    /// HTTP for the connector's readiness and the emulator stand-in.
    public var http: any HTTPSending
    /// Pauses.
    public var clock: C
    /// Logs.
    public var logger: Logger

    /// Creates the service.
    public init(
        client: RegistrationClient,
        connector: TunnelConnector,
        status: AgentStatus,
        heartbeatInterval: Duration,
        http: any HTTPSending,
        clock: C,
        logger: Logger
    ) {
        self.client = client
        self.connector = connector
        self.status = status
        self.heartbeatInterval = heartbeatInterval
        self.http = http
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        // Graceful shutdown (SIGTERM) cancels both loops: the connection closes, the connector stops.
        let process = ProcessBox()
        defer { process.terminate() }
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await self.superviseConnector(process) }
                    group.addTask { try await self.register() }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            // A graceful shutdown: not a failure.
        }
    }

    /// Keeps the connector running once a token is known: starts it, restarts it when it exits
    /// (after a pause), and records its readiness.
    private func superviseConnector(_ process: ProcessBox) async throws {
        var started = false
        while !Task.isCancelled {
            var failed = false
            if let token = self.status.tunnelToken, !process.isRunning, !started || process.wasStarted {
                do {
                    process.set(try await self.connector.start(token: token, http: self.http, logger: self.logger))
                    started = true
                    self.status.update { $0.connectorStarts += 1 }
                } catch {
                    failed = true
                    self.logger.notice("tunnel connector failed to start", metadata: ["error": "\(error)"])
                }
            }
            let ready = started ? await self.connector.isReady(http: self.http) : false
            self.status.update { $0.connectorReady = ready }
            // Before a token arrives, look often; after a start (or a failed one), at the interval.
            try await self.clock.sleep(for: started || failed ? self.supervisionInterval : .milliseconds(50))
        }
    }

    private func register() async throws {
        while !Task.isCancelled {
            self.status.update { $0.attempts += 1 }
            do {
                try await self.attempt()
            } catch let failure as RegistrationClient.Failure where failure.fatal {
                self.status.update { $0.lastError = failure.description }
                self.logger.error("registration refused for good", metadata: ["error": "\(failure)"])
                throw failure
            } catch is CancellationError {
                return
            } catch {
                let failures = self.status.update { snapshot -> Int in
                    snapshot.registered = false
                    snapshot.lastError = "\(error)"
                    snapshot.consecutiveFailures += 1
                    snapshot.phase = .backingOff
                    return snapshot.consecutiveFailures
                }
                let delay = Self.backoff(attempt: failures, maximum: self.maximumBackoff)
                self.logger.notice(
                    "registration attempt failed; retrying",
                    metadata: ["error": "\(error)", "retry.in": "\(delay)", "attempt": "\(self.status.snapshot.attempts)"]
                )
                try await self.clock.sleep(for: delay)
            }
        }
    }

    /// One registration attempt: connect, register, heartbeat until the channel fails.
    private func attempt() async throws {
        try await self.client.run(
            clock: self.clock,
            interval: self.heartbeatInterval,
            status: { [status] in
                let snapshot = status.snapshot
                status.update { $0.heartbeats += 1 }
                return (snapshot.connectorReady ? "ready" : "starting", [])
            },
            phase: { [status] phase in status.update { $0.phase = phase } },
            onBootstrap: { [status, logger] config in
                status.tunnelToken = config.tunnelToken
                status.update {
                    $0.consecutiveFailures = 0
                    $0.registered = true
                    $0.agentID = config.agentID
                    $0.hostname = config.hostname
                    $0.lastError = nil
                }
                logger.info("registered", metadata: ["agent.id": "\(config.agentID)", "agent.hostname": "\(config.hostname)"])
            }
        )
    }

    /// Exponential backoff with equal jitter: uniform in [b/2, b] for b = min(maximum, 2^(attempt-1) s).
    public static func backoff(attempt: Int, maximum: Duration) -> Duration {
        let ceiling = min(maximum, .seconds(1 << min(max(attempt - 1, 0), 16)))
        let milliseconds = Int(ceiling.components.seconds * 1000)
        return .milliseconds(Int.random(in: (milliseconds / 2)...max(milliseconds, 1)))
    }
}

/// The connector process, if one runs.
final class ProcessBox: @unchecked Sendable {
    private let lock = NSLock()
    private var process: Process?

    var isRunning: Bool { self.lock.withLock { self.process?.isRunning ?? false } }

    /// True when a process was started (a connector without one — the emulator stand-in —
    /// starts once and is never restarted).
    var wasStarted: Bool { self.lock.withLock { self.process != nil } }

    func set(_ process: Process?) { self.lock.withLock { self.process = process } }

    func terminate() {
        self.lock.withLock {
            if self.process?.isRunning == true { self.process?.terminate() }
        }
    }
}
