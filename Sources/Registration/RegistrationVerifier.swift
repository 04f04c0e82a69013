import Attestation
import Foundation

/// The control plane's judgement of an agent's registration: pure apart from the nonce registry.
///
/// The agent's quote must verify (to the configured root) and meet the fleet's attestation
/// policy — then, when ``collateral`` is set, again with collateral for its (verified) platform,
/// so the policy's accepted TCB statuses and PCK revocation apply; collateral that cannot be
/// had now is a retryable refusal (`collateral-unavailable`), never an acceptance without it — and its REPORTDATA must bind the agent's Noise static key (as
/// authenticated by the handshake) and the nonce this control plane issued for this session. The
/// nonce is redeemed here, so a replayed registration is refused.
public struct RegistrationVerifier<C: Clock>: Sendable where C.Duration == Duration {
    /// Verifies quotes.
    public var quoteVerifier: QuoteVerifier
    /// The fleet's attestation policy.
    public var policy: AttestationPolicy
    /// Where collateral for TCB status and revocation comes from; nil judges no TCB status.
    public var collateral: (any CollateralSource)?
    /// Single-use nonces.
    public let nonces: NonceRegistry<C>
    /// The wall clock certificates and collateral are judged at.
    public var now: @Sendable () -> Date

    /// Creates a verifier.
    public init(
        quoteVerifier: QuoteVerifier,
        policy: AttestationPolicy,
        collateral: (any CollateralSource)? = nil,
        nonces: NonceRegistry<C>,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.quoteVerifier = quoteVerifier
        self.policy = policy
        self.collateral = collateral
        self.nonces = nonces
        self.now = now
    }

    /// An agent the control plane accepted.
    public struct Accepted: Hashable, Sendable {
        /// The VM's name.
        public var vmName: String
        /// The GCE instance id.
        public var instanceID: String
        /// The spec generation.
        public var specGeneration: String
        /// The agent's MRTD (hex).
        public var mrTD: String
        /// The agent's Noise static key.
        public var staticKey: [UInt8]
    }

    /// The verdict.
    public enum Decision: Hashable, Sendable {
        /// Accepted.
        case accepted(Accepted)
        /// Refused, with every reason.
        case refused(RegistrationMessage.Refusal)
    }

    /// Judges `registration`, which arrived over a Noise session whose handshake authenticated
    /// `agentStaticKey`, in answer to `nonce`.
    public func verify(_ registration: RegistrationMessage.AgentRegistration, agentStaticKey: [UInt8], nonce: [UInt8]) async -> Decision {
        guard self.nonces.redeem(nonce) else {
            return .refused(.init(codes: [.replayedNonce], message: "the nonce was already used, expired, or never issued"))
        }
        guard registration.version == RegistrationMessage.version else {
            return .refused(.init(codes: [.version], message: "protocol version \(registration.version) is not \(RegistrationMessage.version)"))
        }
        guard !registration.vmName.isEmpty, !registration.instanceID.isEmpty else {
            return .refused(.init(codes: [.identity], message: "the registration names no VM or instance"))
        }
        let quote: TDXQuote
        do {
            quote = try TDXQuote([UInt8](registration.quote))
        } catch {
            return .refused(.init(codes: [.malformedQuote], message: "the quote is not a TDX quote: \(error)"))
        }
        let expected = ReportDataBinding.reportData(noiseStaticKey: agentStaticKey, session: nonce)
        let verdict = await PeerCollateral.judge(
            quote,
            verifier: self.quoteVerifier,
            policy: self.policy,
            expected: expected,
            source: self.collateral,
            at: self.now()
        )
        switch verdict {
        case .accepted: break
        case .rejected(let reasons):
            return .refused(.init(codes: reasons.map { RefusalCode($0.code) }, message: reasons.map(\.message).joined(separator: "; ")))
        case .collateralUnavailable:
            return .refused(
                .init(codes: [.collateralUnavailable], message: "the TCB status cannot be judged now: no current collateral for this platform")
            )
        }
        return .accepted(
            Accepted(
                vmName: registration.vmName,
                instanceID: registration.instanceID,
                specGeneration: registration.specGeneration,
                mrTD: quote.body.mrTD.hex,
                staticKey: agentStaticKey
            )
        )
    }
}
