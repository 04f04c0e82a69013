/// One group's limit.
public struct RateLimit: Hashable, Sendable {
    /// Requests allowed per window.
    public var requests: Int
    /// The window.
    public var window: Duration

    /// Creates a limit.
    public init(requests: Int, per window: Duration) {
        self.requests = requests
        self.window = window
    }

    /// Cloudflare's default: 1200 requests per 300 s per token.
    public static let cloudflare = RateLimit(requests: 1200, per: .seconds(300))
    /// GCE's published default per group: 1500 requests per minute per project.
    public static let gcePerMinute = RateLimit(requests: 1500, per: .seconds(60))
}

/// Token-bucket rate limits per quota group ("cloudflare", "gce.reads", …), shared by every call
/// through one client, with an injected clock so tests never sleep for real.
public actor RateLimiter<C: Clock> where C.Duration == Duration {
    private let clock: C
    private let origin: C.Instant
    private let limits: [String: RateLimit]
    private let defaultLimit: RateLimit?
    private var buckets: [String: TokenBucket] = [:]

    /// Creates a limiter; groups without an entry in `limits` use `defaultLimit` (nil: unlimited).
    public init(clock: C, limits: [String: RateLimit] = [:], defaultLimit: RateLimit? = nil) {
        self.clock = clock
        self.origin = clock.now
        self.limits = limits
        self.defaultLimit = defaultLimit
    }

    /// Waits until a call in `group` may go out. Answers the budget left, once this call is
    /// reserved, in the tightest of the limiter's buckets (negative: calls are queued), or nil
    /// when no group used so far is limited.
    @discardableResult
    public func acquire(_ group: String) async throws -> Double? {
        guard let limit = self.limits[group] ?? self.defaultLimit else { return self.tightestRemaining() }
        let now = self.origin.duration(to: self.clock.now)
        var bucket = self.buckets[group] ?? Self.bucket(limit, at: now)
        let wait = bucket.reserve(at: now)
        self.buckets[group] = bucket
        let tightest = self.buckets.values.map { $0.available(at: now) }.min()
        if wait > .zero { try await self.clock.sleep(for: wait) }
        return tightest
    }

    /// The budget left now in the tightest bucket (nil: no limited group was used yet).
    public func tightestRemaining() -> Double? {
        let now = self.origin.duration(to: self.clock.now)
        return self.buckets.values.map { $0.available(at: now) }.min()
    }

    /// Requests left in `group`'s bucket now (the remaining budget), or nil when unlimited.
    public func remaining(_ group: String) -> Double? {
        guard let limit = self.limits[group] ?? self.defaultLimit else { return nil }
        let now = self.origin.duration(to: self.clock.now)
        return (self.buckets[group] ?? Self.bucket(limit, at: now)).available(at: now)
    }

    /// The client's bucket for a provider's limit: the same refill rate, but a burst 1% (at
    /// least one request) smaller, so that the provider's own bucket — which sees each call a
    /// little later than we reserve it, on a clock that is never exactly ours — always has a
    /// token left when our call arrives.
    static func bucket(_ limit: RateLimit, at now: Duration) -> TokenBucket {
        let headroom = max(1, limit.requests / 100)
        return TokenBucket(requests: limit.requests, per: limit.window, at: now, burst: max(1, limit.requests - headroom))
    }
}
