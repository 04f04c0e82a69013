import Attestation
import Crypto
import Encoding
import Foundation
import Logging
import ProviderSupport
import Registration

/// The control plane's side of one registration connection, over any frame transport: the
/// handshake with a fresh single-use nonce and its own quote, the agent's verification, tunnel
/// provisioning, the bootstrap reply, then heartbeats until the agent goes away. Any frame that
/// does not fit (garbage, tampered ciphertext, out of order) ends this connection only.
public struct RegistrationHandler<C: Clock>: Sendable where C.Duration == Duration {
    /// This control plane's Noise static key.
    public var staticKey: Curve25519.KeyAgreement.PrivateKey
    /// Quotes binding this control plane's static key and each nonce.
    public var quotes: any QuoteSource
    /// The agent checks: quote, policy, binding, single-use nonce.
    public var verifier: RegistrationVerifier<C>
    /// Makes the accepted agent's tunnel.
    public var provisioner: any TunnelProvisioning
    /// Where accepted agents and their heartbeats are recorded.
    public var registry: AgentRegistry<C>
    /// The public key of the Ed25519 key the control plane signs commands with.
    public var commandKey: Curve25519.Signing.PublicKey
    /// Logs.
    public var logger: Logger
    /// Which VM names may register here: the environment's agent VMs. A name outside it is
    /// refused (`unknown-vm`) before anything is provisioned — an attested TD cannot claim
    /// another VM's tunnel (the control plane's own, say).
    public var admits: @Sendable (String) -> Bool = { _ in true }
    /// Bounds the quoting registrations start before anyone is authenticated (their second
    /// message): a caller beyond it is refused with ``AdmissionGate/Busy`` and retries later.
    public var quoting = AdmissionGate(limit: 8, queueLimit: 256)
    /// Bounds the quoting `/cp/attest` requests start: a gate of their own, so a flood of plain
    /// HTTP requests cannot keep agents from registering.
    public var attestQuoting = AdmissionGate(limit: 2, queueLimit: 32)
    /// Where quotes are made: threads off the cooperative pool, as many as the gates admit at
    /// once, so a quote that blocks its thread (configfs-tsm, EasyEnclave's socket) never stops
    /// the server. (The SQLite journal runs on a queue of its own already.) Share one across the
    /// handlers of a control plane.
    public var blocking = BlockingExecutor(threads: 10)
    /// The VM names whose registration is in flight. Share one across the handlers of a control
    /// plane (a new fleet revision must not forget a claim).
    public var claims = RegistrationClaims()
    /// Checks an attested agent against the compute provider (the VM it names exists, is
    /// running, is the fleet's and has the instance id it reports); nil skips the check.
    public var instanceCheck: AgentInstanceCheck?

    /// Creates a handler.
    public init(
        staticKey: Curve25519.KeyAgreement.PrivateKey,
        quotes: any QuoteSource,
        verifier: RegistrationVerifier<C>,
        provisioner: any TunnelProvisioning,
        registry: AgentRegistry<C>,
        commandKey: Curve25519.Signing.PublicKey,
        logger: Logger
    ) {
        self.staticKey = staticKey
        self.quotes = quotes
        self.verifier = verifier
        self.provisioner = provisioner
        self.registry = registry
        self.commandKey = commandKey
        self.logger = logger
    }

    /// Why a connection ended early.
    public struct ConnectionClosed: Error, CustomStringConvertible {
        /// What happened.
        public var description: String
    }

    /// Runs one connection: `receive` returns the next binary frame (nil when the peer left),
    /// `send` writes one. `answered` is asked once the verdict is in — before a refusal is sent
    /// or provisioning starts — and ends the handshake's deadline; it returns false when the
    /// deadline has already passed, and the connection then ends with nothing provisioned.
    /// Returns when the agent disconnects; throws on a protocol violation.
    public func handle(
        receive: () async throws -> [UInt8]?,
        send: ([UInt8]) async throws -> Void,
        answered: () -> Bool = { true }
    ) async throws {
        var session = try RegistrationHandshake(side: .controlPlane, staticKey: self.staticKey)
        guard let opened = try await self.readRegistration(session: &session, receive: receive, send: send) else { return }
        let registration = opened.registration
        func verdictInTime() throws {
            guard answered() else { throw ConnectionClosed(description: "the handshake deadline passed before the verdict") }
        }
        let accepted: RegistrationVerifier<C>.Accepted
        switch try await self.decide(registration, agentStaticKey: session.remoteStaticKey ?? [], nonce: opened.nonce) {
        case .accepted(let agent): accepted = agent
        case .refused(let refusal):
            // Sends the refusal (encrypted) and logs it; the connection then ends.
            try verdictInTime()
            self.logger.notice(
                "registration refused",
                metadata: ["agent.vm": "\(registration.vmName)", "refusal.codes": "\(refusal.codes.map(\.rawValue).joined(separator: ","))"]
            )
            return try await send(try session.seal(RegistrationMessage.Reply.refusal(refusal)))
        }
        do {
            // The claim taken at the verdict ends once the agent is recorded (or this failed).
            defer { self.claims.release(accepted.vmName) }
            try verdictInTime()
            try await self.provisionAndBootstrap(accepted, session: &session, send: send)
        }
        try await self.answerHeartbeats(from: accepted.vmName, session: &session, receive: receive, send: send)
    }

    /// The handshake up to the agent's registration: reads the agent's start, answers with a
    /// hello carrying a fresh nonce and this control plane's quote binding it, then reads the
    /// registration. Nil when the agent leaves before starting; throws when it leaves later.
    private func readRegistration(
        session: inout RegistrationHandshake,
        receive: () async throws -> [UInt8]?,
        send: ([UInt8]) async throws -> Void
    ) async throws -> (nonce: [UInt8], registration: RegistrationMessage.AgentRegistration)? {
        guard let first = try await receive() else { return nil }
        try session.readStart(first)

        let (nonce, quote) = try await self.quote()
        try await send(try session.hello(RegistrationMessage.ControlPlaneHello(nonce: Data(nonce), quote: Data(quote))))

        guard let third = try await receive() else { throw ConnectionClosed(description: "the agent left during the handshake") }
        return (nonce, try session.readRegistration(third))
    }

    /// The verdict on a registration; the first refusal wins, checked in this order: the VM is
    /// one ``admits`` allows, the ``verifier`` accepts the agent, the ``instanceCheck`` (if any)
    /// finds nothing wrong, no other registration of the VM is in flight, and no live agent with
    /// another key holds the VM name. An accepted registration holds the VM's claim in
    /// ``claims``; the caller releases it.
    private func decide(
        _ registration: RegistrationMessage.AgentRegistration,
        agentStaticKey: [UInt8],
        nonce: [UInt8]
    ) async throws -> RegistrationVerifier<C>.Decision {
        guard self.admits(registration.vmName) else {
            return .refused(
                .init(
                    codes: [.unknownVM],
                    message: "\(registration.vmName) is not an agent VM of this environment; only the fleet's own VMs register here"
                )
            )
        }
        let accepted: RegistrationVerifier<C>.Accepted
        switch await self.verifier.verify(registration, agentStaticKey: agentStaticKey, nonce: nonce) {
        case .accepted(let agent): accepted = agent
        case .refused(let refusal): return .refused(refusal)
        }
        if let refusal = try await self.instanceRefusal(for: accepted) { return .refused(refusal) }
        guard self.claims.claim(accepted.vmName) else {
            return .refused(
                .init(
                    codes: [.registrationInProgress],
                    message: "another registration of \(accepted.vmName) is in progress; retry once it is decided"
                )
            )
        }
        // A VM name held by a live agent with another key is not handed over: a second TD
        // claiming a registered VM gets nothing until the first one goes stale.
        if let current = self.registry.agent(accepted.vmName), !current.stale, current.record.staticKey != accepted.staticKey {
            self.claims.release(accepted.vmName)
            return .refused(
                .init(
                    codes: [.alreadyRegistered],
                    message: "\(accepted.vmName) is registered by a live agent with another key; it can register again once that agent is stale"
                )
            )
        }
        return .accepted(accepted)
    }

    /// The ``instanceCheck``'s refusal of an accepted agent; nil when it passes or there is no
    /// check. Throws (after a warning) when the compute provider cannot be asked.
    private func instanceRefusal(for accepted: RegistrationVerifier<C>.Accepted) async throws -> RegistrationMessage.Refusal? {
        guard let instanceCheck = self.instanceCheck else { return nil }
        do {
            return try await instanceCheck.refusal(for: accepted)
        } catch {
            // No verdict: the agent retries. Loud, because every agent waits on this.
            self.logger.warning(
                "cannot check the registering agent's VM with the compute provider (credentials? compute.instances.get?)",
                metadata: ["agent.vm": "\(accepted.vmName)", "error": "\(error)"]
            )
            throw error
        }
    }

    /// Provisions the accepted agent's tunnel, sends the agent its bootstrap reply, then records
    /// the agent in the ``registry``.
    private func provisionAndBootstrap(
        _ accepted: RegistrationVerifier<C>.Accepted,
        session: inout RegistrationHandshake,
        send: ([UInt8]) async throws -> Void
    ) async throws {
        let tunnel = try await self.provisioner.provision(vm: accepted.vmName)
        let agentID = Self.agentID(vm: accepted.vmName, staticKey: accepted.staticKey)
        try await send(
            try session.seal(
                RegistrationMessage.Reply.bootstrap(
                    .init(
                        agentID: agentID,
                        hostname: tunnel.hostname,
                        tunnelToken: tunnel.token,
                        commandKey: self.commandKey.rawRepresentation
                    )
                )
            )
        )
        self.registry.register(vm: accepted.vmName, agentID: agentID, hostname: tunnel.hostname, mrTD: accepted.mrTD, staticKey: accepted.staticKey)
        self.logger.info("agent registered", metadata: ["agent.vm": "\(accepted.vmName)", "agent.id": "\(agentID)"])
    }

    /// Records and acknowledges the agent's heartbeats until it leaves; a heartbeat whose
    /// sequence number does not rise (replayed or reordered) ends the connection.
    private func answerHeartbeats(
        from vm: String,
        session: inout RegistrationHandshake,
        receive: () async throws -> [UInt8]?,
        send: ([UInt8]) async throws -> Void
    ) async throws {
        var sequence = -1
        while let frame = try await receive() {
            let heartbeat = try session.open(RegistrationMessage.Heartbeat.self, frame)
            guard heartbeat.sequence > sequence else {
                throw ConnectionClosed(description: "heartbeat \(heartbeat.sequence) after \(sequence): replayed or reordered")
            }
            sequence = heartbeat.sequence
            self.registry.heartbeat(vm: vm, status: heartbeat.status, workloads: heartbeat.workloads)
            try await send(try session.seal(RegistrationMessage.HeartbeatAck(sequence: heartbeat.sequence)))
        }
    }

    /// This control plane's quote binding its static key and a nonce. Without `given`, for a
    /// registration: a fresh nonce, issued only once ``quoting`` admits the caller (so a flood
    /// issues no unbounded nonces). With it, for `/cp/attest`: the caller's nonce, through
    /// ``attestQuoting``.
    public func quote(nonce given: [UInt8]? = nil) async throws -> (nonce: [UInt8], quote: [UInt8]) {
        try await (given == nil ? self.quoting : self.attestQuoting).run {
            let nonce = given ?? self.verifier.nonces.issue()
            let binding = ReportDataBinding.reportData(noiseStaticKey: Array(self.staticKey.publicKey.rawRepresentation), session: nonce)
            return (nonce, try await self.blocking.run { try await self.quotes.quote(reportData: binding) })
        }
    }

    /// `agent-<16 hex>`: derived from the VM name and the agent's static key.
    static func agentID(vm: String, staticKey: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(vm.utf8))
        hasher.update(data: staticKey)
        return "agent-" + Hex.encode(hasher.finalize().prefix(8))
    }
}
