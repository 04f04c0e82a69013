import Foundation

/// Where a verifier gets the collateral (TCB Info, QE Identity, CRLs) that judges the platform
/// of a quote: a fixed bundle, or a PCCS behind a ``CollateralCache``.
public protocol CollateralSource: Sendable {
    /// Collateral for the platform that produced `quote`, current at `time`.
    /// - Throws: ``CollateralUnavailable`` when none can be had now; asking again later may
    ///   succeed, so a caller refuses for the moment, not for good.
    func collateral(for quote: TDXQuote, at time: Date) async throws(CollateralUnavailable) -> CollateralBundle
}

/// Why no current collateral could be had for a quote (the PCCS could not be reached, answered
/// with an error, or served collateral that is not current). Retryable by nature.
public struct CollateralUnavailable: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, naming the PCCS URL or the stale item.
    public var message: String

    /// Creates the error.
    public init(message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
