import Foundation

/// One collateral bundle for every quote (a file given on the command line, a test's bundle).
/// Whether it fits the quote's platform and is current is the verifier's judgement, as with
/// any collateral.
public struct FixedCollateral: CollateralSource {
    /// The bundle served.
    public var bundle: CollateralBundle

    /// Serves `bundle`.
    public init(_ bundle: CollateralBundle) {
        self.bundle = bundle
    }

    public func collateral(for quote: TDXQuote, at time: Date) async throws(CollateralUnavailable) -> CollateralBundle {
        self.bundle
    }
}
