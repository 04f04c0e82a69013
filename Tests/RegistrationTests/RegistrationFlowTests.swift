import Attestation
import AttestationSimulation
import Crypto
import Foundation
import Noise
import Registration
import Synchronization
import TestSupport
import Testing

/// The registration exchange end to end in one process: a Noise XX handshake whose message 2
/// carries the control plane's hello and message 3 the agent's registration, with simulated TDX
/// quotes binding each side's Noise static key and the nonce.
@Suite("Registration over Noise")
struct RegistrationFlowTests {
    typealias Key = Curve25519.KeyAgreement.PrivateKey

    static let epoch = Date(timeIntervalSince1970: 1_767_225_600)

    struct Fixture {
        let authority: SimulatedTDXAuthority
        var verifier: QuoteVerifier
        let nonces = NonceRegistry(clock: ContinuousClock())
        let controlPlaneKey = Key()
        let agentKey = Key()
        /// When set, the control plane's quote binds this key instead of its own (an impostor).
        var controlPlaneQuoteKey: Key?

        init() throws {
            self.authority = try SimulatedTDXAuthority(notBefore: RegistrationFlowTests.epoch)
            self.verifier = QuoteVerifier(configuration: .init(trustAnchor: try self.authority.trustAnchor))
        }

        func quote(binding key: Key, nonce: [UInt8], mrTD: UInt8 = 0xab) throws -> Data {
            Data(
                try self.authority.quote(
                    SimulatedQuoteRequest(
                        mrTD: Array(repeating: mrTD, count: 48),
                        reportData: ReportDataBinding.reportData(noiseStaticKey: Array(key.publicKey.rawRepresentation), session: nonce)
                    )
                )
            )
        }
    }

    static let policy = AttestationPolicy(allowedMRTD: [Array(repeating: 0xab, count: 48)])

    /// Runs the exchange; `agentQuote` makes the agent's quote from the nonce it received.
    static func register(
        _ fixture: Fixture,
        policy: AttestationPolicy = Self.policy,
        collateral: (any CollateralSource)? = nil,
        agentQuote: (([UInt8]) throws -> Data)? = nil,
        replay: Bool = false
    ) async throws -> (cpRefusals: [String], decision: RegistrationVerifier<ContinuousClock>.Decision) {
        var agent = try HandshakeState(role: .initiator, staticKey: fixture.agentKey)
        var controlPlane = try HandshakeState(role: .responder, staticKey: fixture.controlPlaneKey)
        _ = try controlPlane.readMessage(try agent.writeMessage())

        let nonce = fixture.nonces.issue()
        let hello = RegistrationMessage.ControlPlaneHello(
            nonce: Data(nonce),
            quote: try fixture.quote(binding: fixture.controlPlaneQuoteKey ?? fixture.controlPlaneKey, nonce: nonce)
        )
        let received = try RegistrationMessage.decode(
            RegistrationMessage.ControlPlaneHello.self,
            from: try agent.readMessage(try controlPlane.writeMessage(payload: try RegistrationMessage.encode(hello)))
        )
        let cpRefusals = await ControlPlaneHelloVerifier(
            quoteVerifier: fixture.verifier,
            policy: policy,
            collateral: collateral,
            now: { Self.epoch.addingTimeInterval(86_400) }
        )
        .refusals(received, controlPlaneStaticKey: agent.remoteStaticKey ?? [])

        let quote = try agentQuote?([UInt8](received.nonce)) ?? fixture.quote(binding: fixture.agentKey, nonce: [UInt8](received.nonce))
        let registration = RegistrationMessage.AgentRegistration(
            quote: quote,
            vmName: "dd-production-default-0-0123abcd",
            instanceID: "1234567890",
            specGeneration: "0123abcd"
        )
        let payload = try controlPlane.readMessage(try agent.writeMessage(payload: try RegistrationMessage.encode(registration)))
        let arrived = try RegistrationMessage.decode(RegistrationMessage.AgentRegistration.self, from: payload)
        let verifier = RegistrationVerifier(
            quoteVerifier: fixture.verifier,
            policy: policy,
            collateral: collateral,
            nonces: fixture.nonces,
            now: { Self.epoch.addingTimeInterval(86_400) }
        )
        var decision = await verifier.verify(arrived, agentStaticKey: controlPlane.remoteStaticKey ?? [], nonce: nonce)
        if replay {
            decision = await verifier.verify(arrived, agentStaticKey: controlPlane.remoteStaticKey ?? [], nonce: nonce)
        }
        return (cpRefusals, decision)
    }

    @Test("both sides attest: the agent accepts the control plane, the control plane accepts the agent")
    func mutualAttestation() async throws {
        let fixture = try Fixture()
        let (cpRefusals, decision) = try await Self.register(fixture)
        #expect(cpRefusals.isEmpty)
        guard case .accepted(let agent) = decision else {
            Issue.record("refused: \(decision)")
            return
        }
        #expect(agent.vmName == "dd-production-default-0-0123abcd")
        #expect(agent.mrTD == String(repeating: "ab", count: 48))
        #expect(agent.staticKey == Array(fixture.agentKey.publicKey.rawRepresentation))
    }

    @Test("a wrong MRTD is refused")
    func wrongMRTD() async throws {
        let fixture = try Fixture()
        let (_, decision) = try await Self.register(fixture) { nonce in try fixture.quote(binding: fixture.agentKey, nonce: nonce, mrTD: 0xcd) }
        #expect(Self.codes(decision) == ["mrtd"])
    }

    @Test("a quote bound to another key, or to another nonce, is refused")
    func wrongBinding() async throws {
        let fixture = try Fixture()
        let (_, otherKey) = try await Self.register(fixture) { nonce in try fixture.quote(binding: Key(), nonce: nonce) }
        #expect(Self.codes(otherKey) == ["report-data"])
        let (_, otherNonce) = try await Self.register(fixture) { _ in
            try fixture.quote(binding: fixture.agentKey, nonce: Array(repeating: 1, count: 32))
        }
        #expect(Self.codes(otherNonce) == ["report-data"])
    }

    @Test("a replayed registration (its nonce already redeemed) is refused")
    func replay() async throws {
        let fixture = try Fixture()
        let (_, decision) = try await Self.register(fixture, replay: true)
        #expect(Self.codes(decision) == ["replayed-nonce"])
    }

    @Test("simulated quotes are refused when the control plane pins Intel's root")
    func intelRoot() async throws {
        var fixture = try Fixture()
        fixture.verifier = QuoteVerifier()
        let (cpRefusals, decision) = try await Self.register(fixture)
        #expect(cpRefusals.contains("pck-chain-untrusted"))
        #expect(Self.codes(decision).contains("pck-chain-untrusted"))
    }

    @Test("the agent refuses a control plane whose quote binds another key")
    func controlPlaneImpostor() async throws {
        var fixture = try Fixture()
        fixture.controlPlaneQuoteKey = Key()
        let (cpRefusals, _) = try await Self.register(fixture)
        #expect(cpRefusals == ["report-data"])
    }

    @Test("with collateral, both sides judge the TCB status by the fleet's accepted statuses", arguments: [TCBStatus.upToDate, .outOfDate])
    func tcbStatus(status: TCBStatus) async throws {
        let fixture = try Fixture()
        let collateral = FixedCollateral(try fixture.authority.collateral(issued: Self.epoch, platformStatus: status))
        let (cpRefusals, decision) = try await Self.register(fixture, collateral: collateral)
        let refused = status == .upToDate ? [] : ["tcb-status"]
        #expect(cpRefusals == refused)
        #expect(Self.codes(decision) == refused)
        var lenient = Self.policy
        lenient.acceptedTCBStatuses = [.upToDate, .outOfDate]
        let (lenientRefusals, lenientDecision) = try await Self.register(fixture, policy: lenient, collateral: collateral)
        #expect(lenientRefusals.isEmpty)
        #expect(Self.codes(lenientDecision).isEmpty)
    }

    @Test("a revoked PCK certificate is refused on both sides")
    func revokedPCK() async throws {
        let fixture = try Fixture()
        let collateral = FixedCollateral(try fixture.authority.collateral(issued: Self.epoch, revokePCK: true))
        let (cpRefusals, decision) = try await Self.register(fixture, collateral: collateral)
        #expect(cpRefusals == ["revoked"])
        #expect(Self.codes(decision) == ["revoked"])
    }

    /// A PCCS that cannot be reached.
    struct UnreachablePCCS: CollateralSource {
        func collateral(for quote: TDXQuote, at time: Date) async throws(CollateralUnavailable) -> CollateralBundle {
            throw CollateralUnavailable(message: "GET http://pccs.invalid/tdx/certification/v4/tcb failed: connection refused")
        }
    }

    @Test("collateral that cannot be had is a retryable refusal, never an acceptance without it")
    func collateralUnavailable() async throws {
        let fixture = try Fixture()
        let (cpRefusals, decision) = try await Self.register(fixture, collateral: UnreachablePCCS())
        #expect(cpRefusals == ["collateral-unavailable"])
        guard case .refused(let refusal) = decision else {
            Issue.record("accepted without collateral: \(decision)")
            return
        }
        #expect(refusal.codes == [.collateralUnavailable])
        let retryable = refusal.codes.allSatisfy { $0.isRetryable }
        #expect(retryable)
        #expect(refusal.message.contains("cannot be judged now"))
    }

    /// A PCCS that counts what it is asked and serves one bundle.
    final class CountingSource: CollateralSource {
        let bundle: CollateralBundle
        let asked = Mutex(0)
        init(_ bundle: CollateralBundle) { self.bundle = bundle }
        func collateral(for quote: TDXQuote, at time: Date) async throws(CollateralUnavailable) -> CollateralBundle {
            self.asked.withLock { $0 += 1 }
            return self.bundle
        }
    }

    @Test("a quote that fails without collateral is refused for good, and the PCCS is never asked about it")
    func untrustedChainNeverFetches() async throws {
        let trusted = try Fixture()
        var untrusted = trusted
        untrusted.verifier = QuoteVerifier()
        let source = CountingSource(try trusted.authority.collateral(issued: Self.epoch))
        let (cpRefusals, decision) = try await Self.register(untrusted, collateral: source)
        #expect(cpRefusals.contains("pck-chain-untrusted") && Self.codes(decision).contains("pck-chain-untrusted"))
        #expect(source.asked.withLock { $0 } == 0)
        let (_, accepted) = try await Self.register(trusted, collateral: source)
        #expect(Self.codes(accepted).isEmpty)
        #expect(source.asked.withLock { $0 } == 2, "both sides asked once their peer's chain verified")
    }

    @Test("the bootstrap config never prints its token")
    func bootstrapRedaction() {
        let config = RegistrationMessage.BootstrapConfig(
            agentID: "a1",
            hostname: "app.example.com",
            tunnelToken: "eyJzZWNyZXQiOiJ4In0=",
            commandKey: Data(count: 32)
        )
        #expect(!"\(config)".contains("eyJ"))
    }

    static func codes(_ decision: RegistrationVerifier<ContinuousClock>.Decision) -> [String] {
        if case .refused(let refusal) = decision { return refusal.codes.map(\.rawValue) }
        return []
    }
}

@Suite("Nonce registry")
struct NonceRegistryTests {
    @Test("a nonce redeems once; unknown and expired nonces never")
    func singleUse() {
        let registry = NonceRegistry(clock: ContinuousClock())
        let nonce = registry.issue()
        #expect(nonce.count == 32)
        #expect(registry.redeem(nonce))
        #expect(!registry.redeem(nonce))
        #expect(!registry.redeem(Array(repeating: 0, count: 32)))
        let instant = NonceRegistry(clock: ContinuousClock(), lifetime: .zero)
        #expect(!instant.redeem(instant.issue()))
    }

    @Test("expired nonces are swept as the table grows, so a flood of unanswered handshakes does not pile up")
    func sweep() async throws {
        let clock = TestClock()
        let registry = NonceRegistry(clock: clock, lifetime: .seconds(60))
        let early = (0..<1_000).map { _ in registry.issue() }
        try await clock.sleep(for: .seconds(61))
        let late = (0..<100).map { _ in registry.issue() }
        #expect(registry.outstandingCount == 100, "the 1,000 expired nonces were swept")
        #expect(early.allSatisfy { !registry.redeem($0) })
        #expect(late.allSatisfy { registry.redeem($0) })
        #expect(registry.outstandingCount == 0)
    }
}
