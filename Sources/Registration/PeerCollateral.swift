import Attestation
import Foundation

/// How both sides of a registration judge the peer's quote: first without collateral — its
/// signatures, its PCK chain to the trust anchor, the policy and the binding — and only a quote
/// that passes is judged again with collateral from the source (so an unverified PCK chain
/// never picks what is fetched from the PCCS, and a forged chain is refused for good, not
/// retried).
enum PeerCollateral {
    /// The verdict on a peer's quote.
    enum Verdict {
        /// It passed every check (with collateral when there is a source).
        case accepted
        /// It failed, for these reasons: final.
        case rejected([RejectionReason])
        /// It passed without collateral, but none could be had now: retryable.
        case collateralUnavailable
    }

    /// Judges `quote` with `verifier` against `policy` and `expected` REPORTDATA at `time`, with
    /// collateral from `source` when there is one.
    static func judge(
        _ quote: TDXQuote,
        verifier: QuoteVerifier,
        policy: AttestationPolicy,
        expected: [UInt8],
        source: (any CollateralSource)?,
        at time: Date
    ) async -> Verdict {
        let withoutCollateral = await verifier.verify(quote, policy: policy, expectedReportData: expected, at: time)
        guard withoutCollateral.isAccepted else { return .rejected(withoutCollateral.reasons) }
        guard let source else { return .accepted }
        let collateral: CollateralBundle
        do {
            collateral = try await source.collateral(for: quote, at: time)
        } catch {
            return .collateralUnavailable
        }
        let full = await verifier.verify(quote, collateral: collateral, policy: policy, expectedReportData: expected, at: time)
        return full.isAccepted ? .accepted : .rejected(full.reasons)
    }
}
