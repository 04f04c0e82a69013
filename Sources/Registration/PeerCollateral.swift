import Attestation
import Foundation

/// The collateral a registration's peer is judged with: both verifiers ask it the same way.
enum PeerCollateral {
    /// What `source` gives for `quote` at `time`: nil without a source (no TCB status is
    /// judged), else the bundle, or why none can be had now.
    static func fetch(from source: (any CollateralSource)?, for quote: TDXQuote, at time: Date) async -> Result<
        CollateralBundle?, CollateralUnavailable
    > {
        guard let source else { return .success(nil) }
        do {
            return .success(try await source.collateral(for: quote, at: time))
        } catch {
            return .failure(error)
        }
    }
}
