import Synchronization

/// Single-use nonces with a lifetime, on an injected clock: each nonce the control plane hands
/// out can be redeemed once, before it expires. A replayed or stale nonce is refused.
public final class NonceRegistry<C: Clock>: Sendable where C.Duration == Duration {
    private let clock: C
    private let lifetime: Duration
    private struct State {
        var outstanding: [[UInt8]: C.Instant] = [:]
        /// Expired nonces are swept when the table reaches this size, which then doubles the
        /// live count: amortised O(1) per nonce instead of a sweep on every issue.
        var sweepAt = 1024
    }

    private let state = Mutex(State())

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
        self.state.withLock { state in
            if state.outstanding.count >= state.sweepAt {
                let now = self.clock.now
                state.outstanding = state.outstanding.filter { $0.value > now }
                state.sweepAt = max(1024, state.outstanding.count * 2)
            }
            state.outstanding[nonce] = expiry
        }
        return nonce
    }

    /// Redeems `nonce`: true exactly once, and only before it expires.
    public func redeem(_ nonce: [UInt8]) -> Bool {
        let now = self.clock.now
        return self.state.withLock { state in
            guard let expiry = state.outstanding.removeValue(forKey: nonce) else { return false }
            return expiry > now
        }
    }

    /// How many nonces are outstanding (issued, not redeemed, not yet swept).
    public var outstandingCount: Int { self.state.withLock { $0.outstanding.count } }
}
