import Attestation
import CloudflareProvider
import ControlPlane
import Crypto
import Foundation
import GCEProvider
import Logging
import ProviderSupport
import Reconciler
import Registration
import Spec

/// Builds the control plane's registration handler for a fleet revision. What must outlive a
/// revision — the Noise static key, the agent registry, the nonces, the journal — is made once
/// and shared by every handler, so a new revision changes the rules (policy, which VMs may
/// register, their tunnels) without dropping a registered agent.
struct RegistrationFactory: Sendable {
    /// What every handler shares.
    struct Shared: Sendable {
        var staticKey = Curve25519.KeyAgreement.PrivateKey()
        var commandKey = Curve25519.Signing.PrivateKey().publicKey
        var registry: AgentRegistry<ContinuousClock>
        var nonces: NonceRegistry<ContinuousClock>
        var journal: any IntentJournal
        /// The VM names whose registration is in flight, across revisions.
        var claims = RegistrationClaims()
        /// Threads for quotes, off the cooperative pool (sized by
        /// ``RegistrationFactory/blockingThreads(quoteConcurrency:)``).
        var blocking: BlockingExecutor
        /// Collateral caches by PCCS URL, kept across revisions.
        var collateral: CollateralCaches
        /// Per-platform verification results (PCK chains, collateral signatures).
        var verification = VerificationCache()
    }

    /// As many threads as the quoting gates admit at once: admitted quotes never wait for one.
    static func blockingThreads(quoteConcurrency: Int) -> Int {
        quoteConcurrency + Self.attestConcurrency(quoteConcurrency) + 2
    }

    /// How many `/cp/attest` quotes run at once.
    static func attestConcurrency(_ quoteConcurrency: Int) -> Int { max(1, quoteConcurrency / 4) }

    var environment: String
    var quotes: QuoteSourceOptions
    var verifyInstances: Bool
    var quoteConcurrency: Int
    var quoteQueue: Int
    var shared: Shared
    var logger: Logger

    /// The handler for `spec`'s `environment`, over `clients`.
    func handler(spec: FleetSpec, environment: DesiredEnvironment, clients: ProviderClients) throws -> RegistrationHandler<ContinuousClock> {
        let policy = AttestationPolicy(spec: spec.attestation)
        let agentZones = Dictionary(environment.vms.filter { $0.role == .agent }.map { ($0.name, $0.zone) }) { first, _ in first }
        let cloudflare = clients.cloudflare
        let collateral = try self.shared.collateral.cache(for: self.quotes.pccs ?? spec.pccs) { url in
            try self.quotes.collateral(url: url, http: HTTPTransport(timeout: .seconds(10)), logger: self.logger)
        }
        var handler = RegistrationHandler(
            staticKey: self.shared.staticKey,
            quotes: try self.quotes.source(meeting: policy),
            verifier: RegistrationVerifier(
                quoteVerifier: QuoteVerifier(configuration: .init(trustAnchor: try self.quotes.trustAnchor(), cache: self.shared.verification)),
                policy: policy,
                collateral: collateral,
                nonces: self.shared.nonces
            ),
            provisioner: PortTunnelProvisioner(
                tunnels: clients.edge,
                dns: clients.edge,
                token: { try await cloudflare.token(id: $0) },
                journal: self.shared.journal,
                environment: environment,
                now: { Int64(Date().timeIntervalSince1970) }
            ),
            registry: self.shared.registry,
            commandKey: self.shared.commandKey,
            logger: self.logger
        )
        handler.admits = { agentZones[$0] != nil }
        handler.instanceCheck = (self.verifyInstances ? clients.gce : nil).map { gce in
            AgentInstanceCheck(
                directory: GCEInstanceDirectory(client: gce),
                fleet: spec.metadata.name,
                environment: self.environment,
                zones: agentZones
            )
        }
        handler.quoting = AdmissionGate(limit: self.quoteConcurrency, queueLimit: self.quoteQueue)
        handler.attestQuoting = AdmissionGate(limit: Self.attestConcurrency(self.quoteConcurrency), queueLimit: self.quoteQueue / 8)
        handler.claims = self.shared.claims
        handler.blocking = self.shared.blocking
        return handler
    }
}
