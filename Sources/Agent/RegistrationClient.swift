import Attestation
import Crypto
import Foundation
import Logging
import Registration

/// The agent's side of registration over WebSocket: the Noise handshake, the control plane's
/// attestation checked before anything is sent, the agent's own quote binding its static key
/// and the nonce, the bootstrap reply, then heartbeats on the same encrypted channel.
public struct RegistrationClient: Sendable {
    /// Why registration failed, and whether trying again can help.
    public struct Failure: Error, CustomStringConvertible {
        /// True when retrying cannot help: only a refusal that arrived inside the attested
        /// channel, with a reason that is not retryable (see ``RefusalCode/isRetryable``).
        public var fatal: Bool
        /// What happened.
        public var description: String
    }

    /// The agent's identity.
    public struct Identity: Sendable, Hashable {
        /// The VM name.
        public var vmName: String
        /// The GCE instance id.
        public var instanceID: String
        /// The spec generation (the VM name's hash suffix).
        public var specGeneration: String

        /// Creates an identity.
        public init(vmName: String, instanceID: String, specGeneration: String) {
            self.vmName = vmName
            self.instanceID = instanceID
            self.specGeneration = specGeneration
        }
    }

    /// `ws://…/register` or `wss://…/register`.
    public var url: String
    /// The agent's Noise static key (bound into its quote).
    public var staticKey: Curve25519.KeyAgreement.PrivateKey
    /// Where the agent's quotes come from.
    public var quotes: any QuoteSource
    /// Who the agent is.
    public var identity: Identity
    /// Checks the control plane's hello (its quote and binding).
    public var controlPlane: ControlPlaneHelloVerifier
    /// Logs.
    public var logger: Logger
    /// How long each phase of an attempt may take.
    public var deadlines: RegistrationDeadlines

    /// Creates a client.
    public init(
        url: String,
        staticKey: Curve25519.KeyAgreement.PrivateKey,
        quotes: any QuoteSource,
        identity: Identity,
        controlPlane: ControlPlaneHelloVerifier,
        logger: Logger,
        deadlines: RegistrationDeadlines = .init()
    ) {
        self.deadlines = deadlines
        self.url = url
        self.staticKey = staticKey
        self.quotes = quotes
        self.identity = identity
        self.controlPlane = controlPlane
        self.logger = logger
    }

    /// Registers, hands the bootstrap config to `onBootstrap`, then sends a heartbeat (from
    /// `status`) every `interval` on `clock` — `heartbeats` times, or until cancelled. Every phase
    /// has its deadline from ``deadlines`` on `clock`; `phase` hears each phase as it starts.
    /// Cancellation closes the connection at once and throws `CancellationError`.
    public func run<C: Clock>(
        clock: C,
        interval: Duration,
        heartbeats: Int? = nil,
        status: @escaping @Sendable () -> (status: String, workloads: [String]) = { ("ready", []) },
        phase: (RegistrationPhase) -> Void = { _ in },
        onBootstrap: @escaping @Sendable (RegistrationMessage.BootstrapConfig) async throws -> Void
    ) async throws where C.Duration == Duration {
        do {
            let endpoint = try RegistrationEndpoint(self.url)
            try await RegistrationSocket.with(endpoint, deadlines: self.deadlines, clock: clock, phase: phase) { socket in
                var session = try await self.register(socket: &socket, phase: phase, onBootstrap: onBootstrap)
                phase(.registered)
                try await self.sendHeartbeats(
                    session: &session,
                    socket: &socket,
                    every: interval,
                    on: clock,
                    count: heartbeats,
                    status: status,
                    phase: phase
                )
            }
        } catch {
            throw self.classified(error)
        }
    }

    /// The handshake and registration, up to the bootstrap config (handed to `onBootstrap`): the
    /// control plane's hello is checked before anything of the agent's is sent, then the agent's
    /// quote goes out bound to its static key and the hello's nonce. Returns the session, ready
    /// for heartbeats. Only a refusal inside the channel, from a control plane that passed
    /// attestation, can be fatal; a control plane that fails attestation is retried (it may be
    /// an attacker on the path, or a control plane mid-rotation).
    private func register<C: Clock>(
        socket: inout RegistrationSocket<C>,
        phase: (RegistrationPhase) -> Void,
        onBootstrap: (RegistrationMessage.BootstrapConfig) async throws -> Void
    ) async throws -> RegistrationHandshake {
        let deadline = self.deadlines.handshakeMessage
        var session = try RegistrationHandshake(side: .agent, staticKey: self.staticKey)
        phase(.awaitingHello)
        try await socket.send(try session.start(), within: deadline, .awaitingHello)
        let hello = try session.readHello(try await socket.receive(within: deadline, .awaitingHello))
        let refusals = await self.controlPlane.refusals(hello, controlPlaneStaticKey: session.remoteStaticKey ?? [])
        guard refusals.isEmpty else {
            throw Failure(fatal: false, description: "the control plane failed attestation: \(refusals.joined(separator: ", "))")
        }
        let binding = ReportDataBinding.reportData(
            noiseStaticKey: Array(self.staticKey.publicKey.rawRepresentation),
            session: [UInt8](hello.nonce)
        )
        let registration = RegistrationMessage.AgentRegistration(
            quote: Data(try await self.quotes.quote(reportData: binding)),
            vmName: self.identity.vmName,
            instanceID: self.identity.instanceID,
            specGeneration: self.identity.specGeneration
        )
        phase(.awaitingReply)
        try await socket.send(try session.register(registration), within: deadline, .awaitingReply)
        switch try session.open(RegistrationMessage.Reply.self, try await socket.receive(within: deadline, .awaitingReply)) {
        case .refusal(let refusal):
            // Inside the attested channel: final unless every reason is retryable (RefusalCode.isRetryable).
            throw Failure(
                fatal: !refusal.codes.allSatisfy(\.isRetryable),
                description: "registration refused (\(refusal.codes.map(\.rawValue).joined(separator: ", "))): \(refusal.message)"
            )
        case .bootstrap(let config):
            try await onBootstrap(config)
        }
        return session
    }

    /// Sends a heartbeat (from `status`) every `interval` on `clock` — `count` times, or until
    /// cancelled when nil — and waits for each acknowledgement within
    /// ``RegistrationDeadlines/heartbeatAcknowledgement``; an acknowledgement for another
    /// sequence number is a retryable ``Failure``.
    private func sendHeartbeats<C: Clock>(
        session: inout RegistrationHandshake,
        socket: inout RegistrationSocket<C>,
        every interval: Duration,
        on clock: C,
        count heartbeats: Int?,
        status: () -> (status: String, workloads: [String]),
        phase: (RegistrationPhase) -> Void
    ) async throws where C.Duration == Duration {
        let deadline = self.deadlines.heartbeatAcknowledgement
        var sequence = 0
        while heartbeats.map({ sequence < $0 }) ?? true {
            let (state, workloads) = status()
            let heartbeat = RegistrationMessage.Heartbeat(sequence: sequence, status: state, workloads: workloads)
            phase(.awaitingAcknowledgement)
            try await socket.send(try session.seal(heartbeat), within: deadline, .awaitingAcknowledgement)
            let ack = try session.open(RegistrationMessage.HeartbeatAck.self, try await socket.receive(within: deadline, .awaitingAcknowledgement))
            guard ack.sequence == sequence else {
                throw Failure(fatal: false, description: "heartbeat \(sequence) acknowledged as \(ack.sequence)")
            }
            phase(.registered)
            sequence += 1
            if heartbeats.map({ sequence < $0 }) ?? true { try await clock.sleep(for: interval) }
        }
    }

    /// What a failed registration attempt throws: a ``Failure`` or a cancellation as it is
    /// (any failure once the task is cancelled is the cancellation); anything else — a deadline,
    /// a refused upgrade (any HTTP status), a closed or broken connection, a malformed or
    /// tampered message — as a retryable ``Failure``: none of it came from an attested control
    /// plane, so none of it may stop the agent.
    private func classified(_ error: any Error) -> any Error {
        if Task.isCancelled { return CancellationError() }
        switch error {
        case let failure as Failure:
            return failure
        case let error as CancellationError:
            return error
        case let error as RegistrationSocketError:
            return Failure(fatal: false, description: error.description)
        default:
            return Failure(fatal: false, description: "registration with \(self.url) failed: \(error)")
        }
    }
}
