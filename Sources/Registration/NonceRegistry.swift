import Synchronization

/// Single-use nonces with a lifetime, on an injected clock: each nonce the control plane hands
/// out can be redeemed once, before it expires. A replayed or stale nonce is refused.
public final class NonceRegistry<C: Clock>: Sendable where C.Duration == Duration {
    private let clock: C
    private let lifetime: Duration
    private let outstanding = Mutex<[[UInt8]: C.Instant]>([:])

    /// Creates a registry whose nonces live `lifetime`.
    public init(clock: C, lifetime: Duration = .seconds(60)) {
        self.clock = clock
        self.lifetime = lifetime
    }

    /// A fresh 32-byte nonce, outstanding until redeemed or expired.
    public func issue() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let expiry = self.clock.now.advanced(by: self.lifetime)
        self.outstanding.withLock { outstanding in
            let now = self.clock.now
            outstanding = outstanding.filter { $0.value > now }
            outstanding[nonce] = expiry
        }
        return nonce
    }

    /// Redeems `nonce`: true exactly once, and only before it expires.
    public func redeem(_ nonce: [UInt8]) -> Bool {
        let now = self.clock.now
        return self.outstanding.withLock { outstanding in
            guard let expiry = outstanding.removeValue(forKey: nonce) else { return false }
            return expiry > now
        }
    }
}
