/// A token bucket: `capacity` tokens, refilled continuously at `capacity / window`. Pure: time
/// is passed in as an offset from any fixed origin.
public struct TokenBucket: Hashable, Sendable {
    /// The most tokens the bucket holds (the burst).
    public let capacity: Double
    /// Tokens added per second.
    public let refillPerSecond: Double
    /// Tokens available at ``updatedAt`` (negative when calls are already reserved ahead).
    public private(set) var tokens: Double
    /// When ``tokens`` was last brought up to date.
    public private(set) var updatedAt: Duration

    /// A full bucket of `requests` per `window`; `burst` (default `requests`) caps how many
    /// tokens it holds.
    public init(requests: Int, per window: Duration, at now: Duration = .zero, burst: Int? = nil) {
        self.capacity = Double(max(burst ?? requests, 1))
        self.refillPerSecond = Double(max(requests, 1)) / max(window.seconds, 1e-9)
        self.tokens = self.capacity
        self.updatedAt = now
    }

    /// Takes one token and returns how long the caller must wait before using it (zero when one
    /// is available now). Waiting callers queue: each reservation pushes the next one later.
    public mutating func reserve(at now: Duration) -> Duration {
        self.refill(to: now)
        self.tokens -= 1
        guard self.tokens < 0 else { return .zero }
        return .nanoseconds(Int64((-self.tokens / self.refillPerSecond * 1e9).rounded(.up)))
    }

    /// Tokens available at `now`, without taking any.
    public func available(at now: Duration) -> Double {
        var copy = self
        copy.refill(to: now)
        return copy.tokens
    }

    private mutating func refill(to now: Duration) {
        guard now > self.updatedAt else { return }
        self.tokens = min(self.capacity, self.tokens + (now - self.updatedAt).seconds * self.refillPerSecond)
        self.updatedAt = now
    }
}
