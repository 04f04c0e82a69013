/// The outcome of verifying one quote: every reason it was rejected (none when accepted), and
/// what was learned on the way.
public struct QuoteVerification: Sendable {
    /// The quote verified.
    public var quote: TDXQuote
    /// Every failed check, in the order checked; empty when accepted.
    public var reasons: [RejectionReason]
    /// The PCK certificate's SGX extension (FMSPC, PCE-ID, TCB), when readable.
    public var pck: SGXExtension?
    /// The TCB evaluation, when collateral was given and verified.
    public var tcb: TCBEvaluation?
    /// True when collateral was given (whether or not it verified).
    public var collateralChecked: Bool
    /// The anchor verification was done against.
    public var trustAnchor: TrustAnchor
    /// True when the PCK chain and QE results came from the cache.
    public var usedCache: Bool

    /// True when nothing failed.
    public var isAccepted: Bool { self.reasons.isEmpty }
}
