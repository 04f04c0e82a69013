/// When and how long to wait before retrying: exponential backoff with full jitter, never shorter
/// than a provider's `Retry-After`, never for a call that is not idempotent, and never past a
/// total time budget for a call that gets no answer.
public struct RetryPolicy: Hashable, Sendable {
    /// Attempts in total, the first included.
    public var maximumAttempts: Int
    /// The backoff cap for the first retry; doubled per attempt.
    public var baseDelay: Duration
    /// The most any one wait may be (a `Retry-After` may exceed it).
    public var maximumDelay: Duration
    /// How long one call may spend on a failure that is not the provider pacing us (no response,
    /// a timeout, a 5xx): no such retry starts, and no attempt runs, past this time after the
    /// first attempt started. Waits a provider asks for (429, quota windows) are bounded by
    /// ``maximumAttempts`` instead: the provider said when it will answer.
    public var maximumElapsed: Duration

    /// Creates a policy.
    public init(
        maximumAttempts: Int = 6,
        baseDelay: Duration = .milliseconds(250),
        maximumDelay: Duration = .seconds(30),
        maximumElapsed: Duration = .seconds(60)
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maximumElapsed = maximumElapsed
    }

    /// Whether a retry of `error` that would start after `wait`, `elapsed` after the first
    /// attempt started, fits the time budget (always, for a provider's own pacing).
    public func fitsBudget(_ error: ProviderError, elapsed: Duration, wait: Duration) -> Bool {
        guard error.code == .transient else { return true }
        return elapsed + wait < self.maximumElapsed
    }

    /// No retries at all.
    public static let never = RetryPolicy(maximumAttempts: 1)

    /// Whether to retry after `error` on attempt `attempt` (1-based) of a call that is or is not
    /// idempotent. A non-idempotent call (a POST without an idempotency key) is repeated only
    /// after a rate-limit refusal (429), which the provider answers before doing anything; after
    /// any other failure the first attempt may have taken effect.
    public func shouldRetry(_ error: ProviderError, attempt: Int, idempotent: Bool) -> Bool {
        (idempotent || error.code == .rateLimited) && error.code.isRetryable && attempt < self.maximumAttempts
    }

    /// The wait before retry number `attempt` (1 for the first retry): uniform in
    /// [0, min(maximumDelay, baseDelay·2^(attempt-1))], and at least `retryAfter`.
    public func delay(beforeRetry attempt: Int, retryAfter: Duration?, using random: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(self.maximumDelay, self.baseDelay * (1 << exponent))
        let ceilingNanoseconds = max(ceiling.nanoseconds, 0)
        let jitter = Duration.nanoseconds(ceilingNanoseconds == 0 ? 0 : Int64.random(in: 0...ceilingNanoseconds, using: &random))
        guard let retryAfter else { return jitter }
        return max(retryAfter, jitter)
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let parts = self.components
        let (seconds, overflow) = parts.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : seconds &+ parts.attoseconds / 1_000_000_000
    }

    /// The duration in seconds, as a Double.
    public var seconds: Double {
        let parts = self.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
