import Agent
import Attestation
import AttestationSimulation
import CloudflareProvider
import ControlPlane
import Crypto
import Emulators
import Foundation
import Logging
import ProviderSupport
import Reconciler
import Registration
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// A control plane serving registration on a loopback port, provisioning in an in-process
/// Cloudflare emulator, with simulated TDX for both sides.
struct ControlPlaneFixture: Sendable {
    typealias Key = Curve25519.KeyAgreement.PrivateKey

    static let mrTD = [UInt8](repeating: 0xab, count: 48)
    static let policy = AttestationPolicy(allowedMRTD: [mrTD])

    var authority: SimulatedTDXAuthority
    var port: Int
    var server: EmulatorServer
    var cloudflare: CloudflareClient<ContinuousClock>
    var registry: AgentRegistry<TestClock>
    var registryClock: TestClock
    var commandKey: Curve25519.Signing.PrivateKey
    var controlPlaneKey: Key
    var agentTrust: TrustAnchor

    var url: String { "ws://127.0.0.1:\(self.port)/register" }

    /// Runs `body` with everything up; `trustIntelOnly` makes the control plane pin Intel's root.
    static func with(
        trustIntelOnly: Bool = false,
        admits: @escaping @Sendable (String) -> Bool = { _ in true },
        controlPlaneQuotes: (@Sendable (SimulatedQuoteSource) -> any QuoteSource)? = nil,
        quoting: AdmissionGate? = nil,
        attestQuoting: AdmissionGate? = nil,
        handshakeTimeout: Duration = .seconds(30),
        deadlineClock: any Clock<Duration> = ContinuousClock(),
        instanceCheck: AgentInstanceCheck? = nil,
        daemon: DaemonRoutes? = nil,
        connections: ConnectionLimits = ConnectionLimits(),
        _ body: @Sendable (ControlPlaneFixture) async throws -> Void
    ) async throws {
        let authority = try SimulatedTDXAuthority(notBefore: Date().addingTimeInterval(-86_400))
        let server = try EmulatorServer(cloudflare: .init())
        let configuration = try #require(server.cloudflare?.configuration)
        try await LoopbackServer.withRunning(server.router()) { emulatorPort in
            let cloudflare = CloudflareClient(
                accountID: configuration.accountID,
                zoneID: configuration.zoneID,
                token: configuration.tokens.first ?? "",
                baseURL: "http://127.0.0.1:\(emulatorPort)/client/v4",
                clock: ContinuousClock()
            )
            let edge = CloudflareFleetAdapter(client: cloudflare)
            let registryClock = TestClock()
            let registry = AgentRegistry(clock: registryClock, staleAfter: .seconds(30), wallClock: { Int64(Date().timeIntervalSince1970) })
            let controlPlaneKey = Key()
            let commandKey = Curve25519.Signing.PrivateKey()
            let trust = trustIntelOnly ? TrustAnchor.intelSGXRootCA : try authority.trustAnchor
            var handler = RegistrationHandler(
                staticKey: controlPlaneKey,
                quotes: controlPlaneQuotes?(SimulatedQuoteSource(authority: authority, mrTD: Self.mrTD))
                    ?? SimulatedQuoteSource(authority: authority, mrTD: Self.mrTD),
                verifier: RegistrationVerifier(
                    quoteVerifier: QuoteVerifier(configuration: .init(trustAnchor: trust)),
                    policy: Self.policy,
                    nonces: NonceRegistry(clock: registryClock)
                ),
                provisioner: PortTunnelProvisioner(
                    tunnels: edge,
                    dns: edge,
                    token: { try await cloudflare.token(id: $0) },
                    journal: MemoryJournal(),
                    wants: { TunnelWants.agent($0, fleet: "devopsdefender", environment: "production", domain: "devopsdefender.com") },
                    now: { Int64(Date().timeIntervalSince1970) }
                ),
                registry: registry,
                commandKey: commandKey.publicKey,
                logger: Logger(label: "test.control-plane")
            )
            handler.admits = admits
            if let quoting { handler.quoting = quoting }
            if let attestQuoting { handler.attestQuoting = attestQuoting }
            handler.instanceCheck = instanceCheck
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let controlPlane = ControlPlaneServer(
                handler: handler,
                configuration: .init(
                    host: "127.0.0.1",
                    port: 0,
                    handshakeTimeout: handshakeTimeout,
                    closeTimeout: .milliseconds(500),
                    connections: connections
                ),
                deadlineClock: deadlineClock,
                daemon: daemon
            ) { port in
                continuation.yield(port)
                continuation.finish()
            }
            try await LoopbackServer.withRunning(service: controlPlane, ports: ports, logger: handler.logger) { bound in
                try await body(
                    ControlPlaneFixture(
                        authority: authority,
                        port: bound,
                        server: server,
                        cloudflare: cloudflare,
                        registry: registry,
                        registryClock: registryClock,
                        commandKey: commandKey,
                        controlPlaneKey: controlPlaneKey,
                        agentTrust: try authority.trustAnchor
                    )
                )
            }
        }
    }

    /// An agent aimed at a port nothing listens on (or at `url`), with `deadlines`.
    static func unreachableAgent(
        url: String = "ws://127.0.0.1:1/register",
        deadlines: RegistrationDeadlines = .init()
    ) async throws -> RegistrationClient {
        let authority = try SimulatedTDXAuthority(notBefore: Date().addingTimeInterval(-86_400))
        return RegistrationClient(
            url: url,
            staticKey: Key(),
            quotes: SimulatedQuoteSource(authority: authority, mrTD: Self.mrTD),
            identity: .init(vmName: "dd-production-web-0-de1ea041", instanceID: "1", specGeneration: "de1ea041"),
            controlPlane: ControlPlaneHelloVerifier(
                quoteVerifier: QuoteVerifier(configuration: .init(trustAnchor: try authority.trustAnchor)),
                policy: Self.policy
            ),
            logger: Logger(label: "test.agent"),
            deadlines: deadlines
        )
    }

    /// An agent for VM `vm`, quoting with `quotes` (default: the right MRTD).
    func agent(_ vm: String, quotes: (any QuoteSource)? = nil, staticKey: Key = Key()) -> RegistrationClient {
        RegistrationClient(
            url: self.url,
            staticKey: staticKey,
            quotes: quotes ?? SimulatedQuoteSource(authority: self.authority, mrTD: Self.mrTD),
            identity: .init(vmName: vm, instanceID: "4242", specGeneration: String(vm.suffix(8))),
            controlPlane: ControlPlaneHelloVerifier(
                quoteVerifier: QuoteVerifier(configuration: .init(trustAnchor: self.agentTrust)),
                policy: Self.policy
            ),
            logger: Logger(label: "test.agent")
        )
    }
}

/// Collects what a test's closures see.
final class Box<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { self.storage = Mutex(value) }
    var value: Value {
        get { self.storage.withLock { $0 } }
        set { self.storage.withLock { $0 = newValue } }
    }
}

/// A quote source that binds a key other than the agent's own (a relayed quote).
struct ForeignKeyQuotes: QuoteSource {
    var authority: SimulatedTDXAuthority
    func quote(reportData: [UInt8]) async throws -> [UInt8] {
        let other = ReportDataBinding.reportData(
            noiseStaticKey: Array(Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation),
            session: Array(repeating: 0, count: 32)
        )
        return try self.authority.quote(
            SimulatedQuoteRequest(mrTD: ControlPlaneFixture.mrTD, reportData: Array(other.prefix(32)) + Array(reportData.suffix(32)))
        )
    }
}
