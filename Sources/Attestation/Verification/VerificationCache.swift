import Crypto
import Synchronization

/// Results of the expensive, per-platform checks (PCK chain, QE report, collateral signatures),
/// keyed by a SHA-256 of the exact bytes checked and the trust anchor.
///
/// A warm verification of another quote from the same platform then only checks the quote's own
/// signature. Entries are only ever successes, each with the time window in which it holds; the
/// cache forgets everything when it reaches its capacity. Safe to share between tasks.
public final class VerificationCache: Sendable {
    private struct State {
        var platforms: [[UInt8]: PlatformVerification] = [:]
        var collateral: [[UInt8]: VerifiedCollateral] = [:]
    }

    private let state = Mutex(State())
    /// The most entries kept per kind.
    public let capacity: Int

    /// Creates an empty cache holding up to `capacity` entries of each kind.
    public init(capacity: Int = 4096) {
        self.capacity = max(capacity, 1)
    }

    /// How many platform and collateral results are cached.
    public var count: (platforms: Int, collateral: Int) {
        self.state.withLock { ($0.platforms.count, $0.collateral.count) }
    }

    func platform(_ key: [UInt8]) -> PlatformVerification? {
        self.state.withLock { $0.platforms[key] }
    }

    func store(_ value: PlatformVerification, for key: [UInt8]) {
        let capacity = self.capacity
        self.state.withLock { state in
            if state.platforms.count >= capacity { state.platforms.removeAll(keepingCapacity: true) }
            state.platforms[key] = value
        }
    }

    func collateral(_ key: [UInt8]) -> VerifiedCollateral? {
        self.state.withLock { $0.collateral[key] }
    }

    func store(_ value: VerifiedCollateral, for key: [UInt8]) {
        let capacity = self.capacity
        self.state.withLock { state in
            if state.collateral.count >= capacity { state.collateral.removeAll(keepingCapacity: true) }
            state.collateral[key] = value
        }
    }

    static func key(anchor: TrustAnchor, _ parts: ArraySlice<UInt8>...) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: anchor.fingerprint)
        for part in parts {
            hasher.update(data: part)
        }
        return Array(hasher.finalize())
    }
}
