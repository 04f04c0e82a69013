import Attestation
import Crypto
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import ProviderSupport
import Registration

/// The agent's side of registration over WebSocket: the Noise handshake, the control plane's
/// attestation checked before anything is sent, the agent's own quote binding its static key
/// and the nonce, the bootstrap reply, then heartbeats on the same encrypted channel.
public struct RegistrationClient: Sendable {
    /// Why registration failed, and whether trying again can help.
    public struct Failure: Error, CustomStringConvertible {
        /// True when retrying cannot help (a refusal, an impostor control plane, a 4xx).
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
    /// When the WebSocket upgrade fails, the same URL is fetched over plain HTTP to learn the
    /// status: a 4xx other than 429 (a wrong path, a refused client) is fatal, anything else is
    /// retried. Nil: every upgrade failure is retried.
    public var http: (any HTTPSending)?

    /// Creates a client.
    public init(
        url: String,
        staticKey: Curve25519.KeyAgreement.PrivateKey,
        quotes: any QuoteSource,
        identity: Identity,
        controlPlane: ControlPlaneHelloVerifier,
        logger: Logger,
        http: (any HTTPSending)? = nil
    ) {
        self.http = http
        self.url = url
        self.staticKey = staticKey
        self.quotes = quotes
        self.identity = identity
        self.controlPlane = controlPlane
        self.logger = logger
    }

    /// Registers, hands the bootstrap config to `onBootstrap`, then sends a heartbeat (from
    /// `status`) every `interval` on `clock` — `heartbeats` times, or until cancelled.
    public func run<C: Clock>(
        clock: C,
        interval: Duration,
        heartbeats: Int? = nil,
        status: @escaping @Sendable () -> (status: String, workloads: [String]) = { ("ready", []) },
        onBootstrap: @escaping @Sendable (RegistrationMessage.BootstrapConfig) async throws -> Void
    ) async throws where C.Duration == Duration {
        let client = self
        do {
            try await WebSocketClient.connect(
                url: self.url,
                configuration: .init(maxFrameSize: 65_535, autoPing: .enabled(timePeriod: .seconds(30))),
                logger: self.logger
            ) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 65_535).makeAsyncIterator()
                func receive() async throws -> [UInt8] {
                    guard let message = try await messages.next() else {
                        throw Failure(fatal: false, description: "the control plane closed the connection")
                    }
                    guard case .binary(let buffer) = message else { throw Failure(fatal: false, description: "unexpected text message") }
                    return Array(buffer.readableBytesView)
                }
                func send(_ bytes: [UInt8]) async throws { try await outbound.write(.binary(ByteBuffer(bytes: bytes))) }

                var session = try await client.register(receive: receive, send: send, onBootstrap: onBootstrap)
                try await client.sendHeartbeats(
                    session: &session,
                    every: interval,
                    on: clock,
                    count: heartbeats,
                    status: status,
                    receive: receive,
                    send: send
                )
            }
        } catch {
            throw await self.classified(error)
        }
    }

    /// The handshake and registration, up to the bootstrap config (handed to `onBootstrap`): the
    /// control plane's hello is checked before anything of the agent's is sent, then the agent's
    /// quote goes out bound to its static key and the hello's nonce. Returns the session, ready
    /// for heartbeats. A control plane that fails attestation, or a refusal with a reason that
    /// is not retryable, is a fatal ``Failure``.
    private func register(
        receive: () async throws -> [UInt8],
        send: ([UInt8]) async throws -> Void,
        onBootstrap: (RegistrationMessage.BootstrapConfig) async throws -> Void
    ) async throws -> RegistrationHandshake {
        var session = try RegistrationHandshake(side: .agent, staticKey: self.staticKey)
        try await send(try session.start())
        let hello = try session.readHello(try await receive())
        let refusals = await self.controlPlane.refusals(hello, controlPlaneStaticKey: session.remoteStaticKey ?? [])
        guard refusals.isEmpty else {
            throw Failure(fatal: true, description: "the control plane failed attestation: \(refusals.joined(separator: ", "))")
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
        try await send(try session.register(registration))
        switch try session.open(RegistrationMessage.Reply.self, try await receive()) {
        case .refusal(let refusal):
            // Retryable only when every reason is (see RefusalCode.isRetryable).
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
    /// cancelled when nil — and waits for each acknowledgement; an acknowledgement for another
    /// sequence number is a retryable ``Failure``.
    private func sendHeartbeats<C: Clock>(
        session: inout RegistrationHandshake,
        every interval: Duration,
        on clock: C,
        count heartbeats: Int?,
        status: () -> (status: String, workloads: [String]),
        receive: () async throws -> [UInt8],
        send: ([UInt8]) async throws -> Void
    ) async throws where C.Duration == Duration {
        var sequence = 0
        while heartbeats.map({ sequence < $0 }) ?? true {
            let (state, workloads) = status()
            try await send(try session.seal(RegistrationMessage.Heartbeat(sequence: sequence, status: state, workloads: workloads)))
            let ack = try session.open(RegistrationMessage.HeartbeatAck.self, try await receive())
            guard ack.sequence == sequence else {
                throw Failure(fatal: false, description: "heartbeat \(sequence) acknowledged as \(ack.sequence)")
            }
            sequence += 1
            if heartbeats.map({ sequence < $0 }) ?? true { try await clock.sleep(for: interval) }
        }
    }

    /// What a failed registration attempt throws: a ``Failure`` or a cancellation as it is; a
    /// failed WebSocket upgrade as ``upgradeFailure(_:)`` judges it; anything else (connection
    /// refused or reset, a broken or tampered channel) as a retryable ``Failure``.
    private func classified(_ error: any Error) async -> any Error {
        switch error {
        case let failure as Failure:
            return failure
        case let error as WebSocketClientError:
            return await self.upgradeFailure(error)
        case let error as CancellationError:
            return error
        default:
            // Connection refused or reset, a broken or tampered channel: worth another attempt.
            return Failure(fatal: false, description: "registration with \(self.url) failed: \(error)")
        }
    }

    /// A failed WebSocket upgrade: fatal when ``http`` learns that the same URL answers plain
    /// HTTP with a 4xx other than 429 (a wrong path, a refused client), retryable otherwise.
    private func upgradeFailure(_ error: WebSocketClientError) async -> Failure {
        if let http = self.http {
            let plain = self.url.replacingOccurrences(of: "wss://", with: "https://").replacingOccurrences(of: "ws://", with: "http://")
            if let response = try? await http.send(method: "GET", url: plain, headers: [], body: nil),
                (400..<500).contains(response.status), response.status != 429
            {
                return Failure(
                    fatal: true,
                    description: "the control plane answers HTTP \(response.status) at \(self.url): check the register URL"
                )
            }
        }
        return Failure(fatal: false, description: "cannot open the WebSocket to \(self.url): \(error)")
    }
}
