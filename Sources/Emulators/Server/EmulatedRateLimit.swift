/// The rate limit an emulator enforces: `requests` per window of `window`, per token (Cloudflare)
/// or per quota group (GCE).
public struct EmulatedRateLimit: Sendable, Hashable {
    /// Requests per window.
    public var requests: Int
    /// The window.
    public var window: Duration

    /// `requests` per `window`.
    public init(requests: Int, per window: Duration) {
        self.requests = requests
        self.window = window
    }

    /// Cloudflare's published global limit: 1200 requests per 5 minutes per user token.
    public static let cloudflare = EmulatedRateLimit(requests: 1200, per: .seconds(300))
}
