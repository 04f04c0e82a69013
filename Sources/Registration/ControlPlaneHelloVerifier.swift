import Attestation
import Foundation

/// The agent's check of the control plane (mutual attestation): the control plane's quote must
/// verify, meet the policy, and bind the control plane's Noise static key (as authenticated by
/// the handshake) and the nonce in its hello. With ``collateral`` set, its TCB status and PCK
/// revocation are judged too; collateral that cannot be had now is the refusal
/// `collateral-unavailable` (the agent retries every hello refusal with backoff).
public struct ControlPlaneHelloVerifier: Sendable {
    /// Verifies quotes.
    public var quoteVerifier: QuoteVerifier
    /// The policy the control plane must meet.
    public var policy: AttestationPolicy
    /// Where collateral for TCB status and revocation comes from; nil judges no TCB status.
    public var collateral: (any CollateralSource)?
    /// The wall clock.
    public var now: @Sendable () -> Date

    /// Creates a verifier.
    public init(
        quoteVerifier: QuoteVerifier,
        policy: AttestationPolicy,
        collateral: (any CollateralSource)? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.quoteVerifier = quoteVerifier
        self.policy = policy
        self.collateral = collateral
        self.now = now
    }

    /// Every reason to refuse `hello` from a peer whose static key is `controlPlaneStaticKey`; empty to accept.
    public func refusals(_ hello: RegistrationMessage.ControlPlaneHello, controlPlaneStaticKey: [UInt8]) async -> [String] {
        guard hello.version == RegistrationMessage.version else { return ["version"] }
        guard hello.nonce.count == 32 else { return ["nonce"] }
        guard let quote = try? TDXQuote([UInt8](hello.quote)) else { return ["malformed-quote"] }
        let expected = ReportDataBinding.reportData(noiseStaticKey: controlPlaneStaticKey, session: [UInt8](hello.nonce))
        switch await PeerCollateral.judge(
            quote,
            verifier: self.quoteVerifier,
            policy: self.policy,
            expected: expected,
            source: self.collateral,
            at: self.now()
        ) {
        case .accepted: return []
        case .rejected(let reasons): return reasons.map(\.code.description)
        case .collateralUnavailable: return [RefusalCode.collateralUnavailable.rawValue]
        }
    }
}
