import Attestation
import Foundation

/// The agent's check of the control plane (mutual attestation): the control plane's quote must
/// verify, meet the policy, and bind the control plane's Noise static key (as authenticated by
/// the handshake) and the nonce in its hello.
public struct ControlPlaneHelloVerifier: Sendable {
    /// Verifies quotes.
    public var quoteVerifier: QuoteVerifier
    /// The policy the control plane must meet.
    public var policy: AttestationPolicy
    /// The wall clock.
    public var now: @Sendable () -> Date

    /// Creates a verifier.
    public init(quoteVerifier: QuoteVerifier, policy: AttestationPolicy, now: @escaping @Sendable () -> Date = { Date() }) {
        self.quoteVerifier = quoteVerifier
        self.policy = policy
        self.now = now
    }

    /// Every reason to refuse `hello` from a peer whose static key is `controlPlaneStaticKey`; empty to accept.
    public func refusals(_ hello: RegistrationMessage.ControlPlaneHello, controlPlaneStaticKey: [UInt8]) async -> [String] {
        guard hello.version == RegistrationMessage.version else { return ["version"] }
        guard hello.nonce.count == 32 else { return ["nonce"] }
        guard let quote = try? TDXQuote([UInt8](hello.quote)) else { return ["malformed-quote"] }
        let expected = ReportDataBinding.reportData(noiseStaticKey: controlPlaneStaticKey, session: [UInt8](hello.nonce))
        let result = await self.quoteVerifier.verify(quote, policy: self.policy, expectedReportData: expected, at: self.now())
        return result.reasons.map(\.code.description)
    }
}
